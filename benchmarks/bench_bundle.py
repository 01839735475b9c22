"""How big the standalone bundle is and how fast it starts (target: log-in window in < 2 s).

    .venv/bin/python benchmarks/bench_bundle.py                 # uses dist/continuity (builds it
                                                                # with packaging/build.sh if absent)
    .venv/bin/python benchmarks/bench_bundle.py --build --runs 7
    .venv/bin/python benchmarks/bench_bundle.py --bundle /path/to/continuity

Each figure is printed beside a baseline measured in the same run on the same machine, so a
slow machine does not read as a slow bundle:

- `--version` start-up of the bundle, of the venv's `continuity`, and of a bare
  `python -c "import PySide6.QtWidgets"`;
- time from launch to the log-in window being on screen (mapped and viewable), on a private
  Xvfb display watched through libX11, for the bundle, for the venv's `continuity gui`, and for
  a minimal PySide6 window. Needs Xvfb (Debian: `xvfb`), which scripts/setup.sh installs.
- if the app honours CONTINUITY_EXIT_AFTER_SHOW=1 (quit as soon as the first window has been
  shown), also the offscreen launch-to-exit time; otherwise that line says the hook is missing.

The first run of each command is reported apart: a ward laptop starts the app cold.
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 2.0
PASSWORD = "Bench-Admin-Password-1"
MINIMAL_QT_WINDOW = (
    "from PySide6.QtWidgets import QApplication, QLabel\n"
    "app = QApplication([])\n"
    "w = QLabel('Continuity'); w.setWindowTitle('Continuity'); w.resize(480, 360); w.show()\n"
    "app.exec()\n"
)


@dataclass
class Timing:
    label: str
    runs: list[float]

    @property
    def first(self) -> float:
        return self.runs[0]

    @property
    def median(self) -> float:
        return statistics.median(self.runs[1:] or self.runs)

    def line(self) -> str:
        return f"  {self.label:<46} first {self.first:6.3f} s   median {self.median:6.3f} s"


# --- size -------------------------------------------------------------------------------------


def bundle_size(folder: Path) -> tuple[float, int, list[tuple[str, float]]]:
    """Total MB, file count and the heaviest top-level parts of _internal."""
    files = [p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()]
    total = sum(p.stat().st_size for p in files)
    parts: dict[str, int] = {}
    internal = folder / "_internal"
    for p in files:
        if internal not in p.parents:
            key = f"{p.name} (top folder)"
        else:
            rel = p.relative_to(internal)
            key = "/".join(rel.parts[:3]) if rel.parts[0] == "PySide6" else rel.parts[0]
        parts[key] = parts.get(key, 0) + p.stat().st_size
    heaviest = sorted(parts.items(), key=lambda kv: -kv[1])[:8]
    return total / 1e6, len(files), [(name, size / 1e6) for name, size in heaviest]


# --- command start-up -------------------------------------------------------------------------


IS_WIN = sys.platform == "win32"
EXE_NAME = "continuity.exe" if IS_WIN else "continuity"


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """What a ward laptop has: no venv on PATH, no PYTHONPATH, an empty home."""
    if IS_WIN:
        system = os.environ.get("SYSTEMROOT", r"C:\Windows")
        return {
            "SYSTEMROOT": system,
            "PATH": rf"{system}\system32;{system}",
            "USERPROFILE": str(home),
            "APPDATA": str(home / "Roaming"),
            "LOCALAPPDATA": str(home / "Local"),
            "TEMP": str(home),
            "TMP": str(home),
            **extra,
        }
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "TMPDIR": str(home),
        "XDG_RUNTIME_DIR": str(home),
        **extra,
    }


def time_command(label: str, argv: Sequence[str], env: dict[str, str], runs: int) -> Timing:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, env=env, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return Timing(label, times)


# --- time to the first window, on Xvfb ----------------------------------------------------------


class XWindowAttributes(ctypes.Structure):
    _fields_ = [  # the layout of Xlib.h
        ("x", ctypes.c_int),
        ("y", ctypes.c_int),
        ("width", ctypes.c_int),
        ("height", ctypes.c_int),
        ("border_width", ctypes.c_int),
        ("depth", ctypes.c_int),
        ("visual", ctypes.c_void_p),
        ("root", ctypes.c_ulong),
        ("class_", ctypes.c_int),
        ("bit_gravity", ctypes.c_int),
        ("win_gravity", ctypes.c_int),
        ("backing_store", ctypes.c_int),
        ("backing_planes", ctypes.c_ulong),
        ("backing_pixel", ctypes.c_ulong),
        ("save_under", ctypes.c_int),
        ("colormap", ctypes.c_ulong),
        ("map_installed", ctypes.c_int),
        ("map_state", ctypes.c_int),
        ("all_event_masks", ctypes.c_long),
        ("your_event_mask", ctypes.c_long),
        ("do_not_propagate_mask", ctypes.c_long),
        ("override_redirect", ctypes.c_int),
        ("screen", ctypes.c_void_p),
    ]


IS_VIEWABLE = 2


class XDisplay:
    """Just enough libX11 to ask: is there a viewable top-level window of a real size yet?"""

    def __init__(self, name: str) -> None:
        path = ctypes.util.find_library("X11")
        if path is None:
            raise OSError("libX11 not found")
        self.x = ctypes.CDLL(path)
        self.x.XOpenDisplay.restype = ctypes.c_void_p
        self.x.XOpenDisplay.argtypes = [ctypes.c_char_p]
        self.x.XDefaultRootWindow.restype = ctypes.c_ulong
        self.x.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
        self.x.XQueryTree.argtypes = [
            ctypes.c_void_p,
            ctypes.c_ulong,
            ctypes.POINTER(ctypes.c_ulong),
            ctypes.POINTER(ctypes.c_ulong),
            ctypes.POINTER(ctypes.POINTER(ctypes.c_ulong)),
            ctypes.POINTER(ctypes.c_uint),
        ]
        self.x.XGetWindowAttributes.argtypes = [
            ctypes.c_void_p,
            ctypes.c_ulong,
            ctypes.POINTER(XWindowAttributes),
        ]
        self.x.XFree.argtypes = [ctypes.c_void_p]
        self.x.XCloseDisplay.argtypes = [ctypes.c_void_p]
        self.display = self.x.XOpenDisplay(name.encode())
        if not self.display:
            raise OSError(f"cannot open X display {name}")
        self.root = self.x.XDefaultRootWindow(self.display)

    def window_shown(self) -> bool:
        root, parent = ctypes.c_ulong(), ctypes.c_ulong()
        children = ctypes.POINTER(ctypes.c_ulong)()
        count = ctypes.c_uint()
        if not self.x.XQueryTree(
            self.display, self.root, root, parent, ctypes.byref(children), count
        ):
            return False
        try:
            for i in range(count.value):
                attrs = XWindowAttributes()
                if not self.x.XGetWindowAttributes(self.display, children[i], ctypes.byref(attrs)):
                    continue
                if attrs.map_state == IS_VIEWABLE and attrs.width > 100 and attrs.height > 100:
                    return True
            return False
        finally:
            if children:
                self.x.XFree(children)

    def close(self) -> None:
        self.x.XCloseDisplay(self.display)


class Xvfb:
    """A private X server for the length of the benchmark."""

    def __init__(self) -> None:
        read_fd, write_fd = os.pipe()
        self.process = subprocess.Popen(
            [
                "Xvfb",
                "-displayfd",
                str(write_fd),
                "-screen",
                "0",
                "1280x800x24",
                "-nolisten",
                "tcp",
            ],
            pass_fds=(write_fd,),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(write_fd)
        with os.fdopen(read_fd) as pipe:
            number = pipe.readline().strip()
        if not number:
            self.process.kill()
            raise OSError("Xvfb did not start")
        self.name = f":{number}"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def time_to_window(
    label: str,
    argv: Sequence[str],
    env: dict[str, str],
    runs: int,
    display: XDisplay,
    timeout: float = 30.0,
) -> Timing | str:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        process = subprocess.Popen(
            argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        try:
            while not display.window_shown():
                if process.poll() is not None:
                    return (
                        f"  {label:<46} exited (code {process.returncode}) before any window: "
                        + (process.stderr.read().strip().splitlines() or [""])[-1]
                    )
                if time.perf_counter() - start > timeout:
                    return f"  {label:<46} no window after {timeout:.0f} s"
                time.sleep(0.005)
            times.append(time.perf_counter() - start)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        while display.window_shown():  # wait for the window to go before the next run
            time.sleep(0.01)
    return Timing(label, times)


def time_exit_after_show(
    label: str, argv: Sequence[str], env: dict[str, str], runs: int, timeout: float = 20.0
) -> Timing | str:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        try:
            result = subprocess.run(
                argv,
                env={**env, "CONTINUITY_EXIT_AFTER_SHOW": "1"},
                capture_output=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return f"  {label:<46} n/a: the app does not honour CONTINUITY_EXIT_AFTER_SHOW yet"
        if result.returncode != 0:
            return f"  {label:<46} failed with exit code {result.returncode}"
        times.append(time.perf_counter() - start)
    return Timing(label, times)


# --- main -------------------------------------------------------------------------------------


def ensure_bundle(bundle: Path, build: bool) -> None:
    if build or not (bundle / EXE_NAME).is_file():
        subprocess.run(["bash", str(ROOT / "packaging" / "build.sh")], cwd=ROOT, check=True)


def make_cache(bundle: Path, home: Path) -> Path:
    """A fresh cache made by the bundle itself: `gui --db` on it opens the log-in window."""
    db = home / "bench.db"
    subprocess.run(
        [
            str(bundle / EXE_NAME),
            "init",
            "--db",
            str(db),
            "--device-name",
            "BENCH-PC1",
            "--admin",
            "bench.admin",
            "--password-stdin",
        ],
        input=PASSWORD + "\n",
        text=True,
        env=clean_env(home),
        capture_output=True,
        check=True,
    )
    return db


def report(item: Timing | str, judge: Callable[[float], str] | None = None) -> None:
    if isinstance(item, str):
        print(item)
        return
    print(item.line() + (f"   {judge(item.median)}" if judge else ""))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, default=ROOT / "dist" / "continuity")
    parser.add_argument("--build", action="store_true", help="rebuild the bundle first")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-gui", action="store_true", help="skip the window timings")
    args = parser.parse_args(argv)

    bundle = args.bundle.resolve()
    ensure_bundle(bundle, args.build)
    exe = str(bundle / EXE_NAME)
    venv_python = ROOT / ".venv" / ("Scripts/python.exe" if IS_WIN else "bin/python")
    python = str(venv_python if venv_python.exists() else Path(sys.executable))
    venv_cli = [python, "-m", "continuity"]

    total_mb, count, heaviest = bundle_size(bundle)
    print(f"Bundle {bundle}")
    print(f"  size {total_mb:.0f} MB in {count} files; heaviest parts:")
    for name, size in heaviest:
        print(f"    {name:<40} {size:6.1f} MB")

    with tempfile.TemporaryDirectory(prefix="bench-bundle-") as tmp:
        home = Path(tmp)
        env = clean_env(home, QT_QPA_PLATFORM="offscreen")
        print("\nStart-up of `--version` (imports sqlcipher3, reads metadata):")
        report(time_command("bundle: continuity --version", [exe, "--version"], env, args.runs))
        report(
            time_command(
                "venv:   python -m continuity --version", [*venv_cli, "--version"], env, args.runs
            )
        )
        report(
            time_command(
                "baseline: python -c 'import PySide6.QtWidgets'",
                [python, "-c", "import PySide6.QtWidgets"],
                env,
                args.runs,
            )
        )
        if args.no_gui:
            return 0

        db = make_cache(bundle, home)
        gui = ["gui", "--db", str(db)]

        def judge(seconds: float) -> str:
            verdict = "OK" if seconds < TARGET_SECONDS else "OVER"
            return f"target < {TARGET_SECONDS:.0f} s: {verdict}"

        print("\nLaunch to the log-in window mapped on screen (Xvfb, xcb platform):")
        if shutil.which("Xvfb") is None:
            print("  skipped: Xvfb is not installed (apt-get install xvfb)")
        else:
            server = Xvfb()
            display = XDisplay(server.name)
            try:
                xenv = clean_env(home, DISPLAY=server.name, QT_QPA_PLATFORM="xcb")
                report(
                    time_to_window("bundle: continuity gui", [exe, *gui], xenv, args.runs, display),
                    judge,
                )
                report(
                    time_to_window(
                        "venv:   python -m continuity gui",
                        [*venv_cli, *gui],
                        xenv,
                        args.runs,
                        display,
                    )
                )
                report(
                    time_to_window(
                        "baseline: minimal PySide6 window (venv)",
                        [python, "-c", MINIMAL_QT_WINDOW],
                        xenv,
                        args.runs,
                        display,
                    )
                )
            finally:
                display.close()
                server.stop()

        print("\nLaunch to exit with CONTINUITY_EXIT_AFTER_SHOW=1 (offscreen):")
        report(time_exit_after_show("bundle: continuity gui", [exe, *gui], env, args.runs), judge)
    return 0


if __name__ == "__main__":
    sys.exit(main())
