"""IT copies one folder to a ward laptop that has no Python, and Continuity works from it.

The Linux bundle is built once for this module with PyInstaller (`packaging/build.sh`, the same
command as in packaging/README.md) and then run the way a laptop would run it: a clean
environment with no virtualenv on PATH, no PYTHONPATH and a fresh home folder. Set
CONTINUITY_TEST_BUNDLE to an already built `dist/continuity` folder to skip the build.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import pytest

import continuity
from continuity.cli.main import build_parser

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
BUILD_TIMEOUT = 900
GUI_ALIVE_SECONDS = 4.0

#: Files a ward laptop cannot do without: the cache, Qt's platforms, PDF viewing, printing.
ESSENTIAL_BINARIES = (
    "sqlcipher3/_sqlite3*.so",
    "PySide6/QtCore.abi3.so",
    "PySide6/QtGui.abi3.so",
    "PySide6/QtWidgets.abi3.so",
    "PySide6/QtPdf.abi3.so",
    "PySide6/QtPrintSupport.abi3.so",
    "PySide6/Qt/plugins/platforms/libqoffscreen.so",
    "PySide6/Qt/plugins/platforms/libqxcb.so",
    "PySide6/Qt/plugins/platforms/libqminimal.so",
    "PySide6/Qt/plugins/printsupport/libcupsprintersupport.so",
)


@dataclass
class Bundle:
    folder: Path
    build_date: str

    @property
    def executable(self) -> Path:
        return self.folder / "continuity"

    @property
    def internal(self) -> Path:
        return self.folder / "_internal"


def ensure_pyinstaller() -> None:
    """Install PyInstaller into this venv if it is missing; skip (saying why) if that fails."""
    if importlib.util.find_spec("PyInstaller") is not None:
        return
    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "pyinstaller"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if result.returncode != 0:
        reason = (result.stderr.strip().splitlines() or ["no output"])[-1]
        pytest.skip(f"PyInstaller is not installed and `pip install pyinstaller` failed: {reason}")
    importlib.invalidate_caches()


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bundle]:
    prebuilt = os.environ.get("CONTINUITY_TEST_BUNDLE")
    if prebuilt:
        folder = Path(prebuilt).resolve()
        stamp = (folder / "_internal" / "BUILD_DATE").read_text(encoding="utf-8").strip()
        yield Bundle(folder, stamp)
        return
    if not sys.platform.startswith("linux"):
        pytest.skip("the bundle test builds the Linux bundle")
    ensure_pyinstaller()
    work = tmp_path_factory.mktemp("bundle")
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    env = {**os.environ, "PYTHON": sys.executable, "CONTINUITY_BUILD_DATE": today}
    result = subprocess.run(
        [
            "bash",
            str(ROOT / "packaging" / "build.sh"),
            "--dist",
            str(work / "dist"),
            "--work",
            str(work / "build"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, f"the build failed:\n{result.stdout}\n{result.stderr}"
    yield Bundle(work / "dist" / "continuity", today)
    shutil.rmtree(work, ignore_errors=True)  # about 200 MB with the work folder


@pytest.fixture(scope="module")
def laptop_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The home folder of a user on the ward laptop: empty, nothing of the build machine."""
    home = tmp_path_factory.mktemp("laptop-home")
    (home / "runtime").mkdir(mode=0o700)
    return home


def laptop_env(home: Path, **extra: str) -> dict[str, str]:
    """A clean environment: system PATH only, no venv, no PYTHONPATH, a private home."""
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "TMPDIR": str(home),
        "XDG_RUNTIME_DIR": str(home / "runtime"),
        **extra,
    }


def run(
    bundle: Bundle, home: Path, *args: str, stdin: str | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(bundle.executable), *args],
        cwd=home,
        env=laptop_env(home, QT_QPA_PLATFORM="offscreen"),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def source_commands() -> set[str]:
    """The subcommands this checkout's CLI offers: the bundle must offer the same."""
    parser = build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return set(action.choices)
    return set()


@pytest.fixture(scope="module")
def demo_folder(bundle: Bundle, laptop_home: Path) -> Path:
    folder = laptop_home / "demo"
    result = run(
        bundle,
        laptop_home,
        "--debug",
        "demo",
        "--no-gui",
        "--folder",
        str(folder),
        "--patients",
        "10",
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    return folder


def test_version_names_the_release_sqlcipher_qt_and_build_date(
    bundle: Bundle, laptop_home: Path
) -> None:
    result = run(bundle, laptop_home, "--version")
    assert result.returncode == 0, result.stderr
    text = " ".join(result.stdout.split())
    assert f"Continuity {continuity.__version__}" in text
    assert "SQLCipher 4." in text
    assert f"Qt (PySide6) {metadata.version('PySide6-Essentials')}" in text
    assert bundle.build_date in text


def test_every_command_of_the_checkout_is_in_the_bundle(bundle: Bundle, laptop_home: Path) -> None:
    result = run(bundle, laptop_home, "--help")
    assert result.returncode == 0, result.stderr
    listed = {line.split()[0] for line in result.stdout.splitlines() if line.startswith("    ")}
    missing = source_commands() - listed
    assert not missing, f"commands missing from the bundle: {sorted(missing)}"


def test_every_module_of_the_checkout_and_every_qt_module_it_uses_is_bundled(
    bundle: Bundle,
) -> None:
    """A screen imported lazily, or a Qt module only one dialog needs, must not be left out."""
    readers = pytest.importorskip("PyInstaller.archive.readers")
    package = readers.CArchiveReader(str(bundle.executable))
    bundled = set(package.open_embedded_archive("PYZ.pyz").toc)
    source = ROOT / "continuity"
    expected = set()
    qt_modules = set()
    for path in source.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        expected.add(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
        qt_modules.update(re.findall(r"PySide6\.(Qt\w+)", path.read_text(encoding="utf-8")))
    missing = sorted(expected - bundled)
    assert not missing, f"modules missing from the bundle: {missing}"
    missing_qt = sorted(
        name for name in qt_modules if not any((bundle.internal / "PySide6").glob(f"{name}.*"))
    )
    assert not missing_qt, f"Qt modules missing from the bundle: {missing_qt}"


def test_resources_translations_fonts_and_lists_are_bundled(bundle: Bundle) -> None:
    source = ROOT / "resources"
    expected = {p.relative_to(source) for p in source.rglob("*") if p.is_file()}
    bundled = bundle.internal / "resources"
    missing = sorted(str(p) for p in expected if not (bundled / p).is_file())
    assert not missing, f"resources missing from the bundle: {missing}"
    assert (bundled / "locale" / "fr").is_dir()


def test_native_libraries_come_from_the_bundle_or_the_system(bundle: Bundle) -> None:
    """Nothing may load from the build machine's venv, and the essentials load everywhere."""
    if shutil.which("ldd") is None:
        pytest.skip("ldd is not available")
    internal = bundle.internal
    env = {**os.environ, "LD_LIBRARY_PATH": str(internal)}  # what the bootloader sets
    venv = str(Path(sys.prefix).resolve())
    for pattern in ESSENTIAL_BINARIES:
        matches = list(internal.glob(pattern))
        assert matches, f"{pattern} is missing from the bundle"
        for binary in matches:
            out = subprocess.run(
                ["ldd", str(binary)], env=env, capture_output=True, text=True, check=False
            ).stdout
            assert "not found" not in out, f"{binary.name} has unresolved libraries:\n{out}"
            assert venv not in out, f"{binary.name} loads from the build venv:\n{out}"
    for binary in internal.rglob("*.so*"):
        out = subprocess.run(
            ["ldd", str(binary)], env=env, capture_output=True, text=True, check=False
        ).stdout
        assert venv not in out, f"{binary} loads from the build venv:\n{out}"


def test_demo_hospital_builds_from_the_bundle(demo_folder: Path) -> None:
    assert (demo_folder / "demo.db").is_file()
    assert b"SQLite format 3" not in (demo_folder / "demo.db").read_bytes()[:16]


@pytest.mark.parametrize(
    ("sheet", "role"),
    [("mar", "nurse"), ("labels", "nurse"), ("prescriptions", "pharmacist")],
    ids=["a nurse prints a MAR", "a nurse prints barcode labels", "a pharmacist prints orders"],
)
def test_sheets_print_to_pdf_from_the_bundle_with_the_bundled_fonts(
    bundle: Bundle, laptop_home: Path, demo_folder: Path, sheet: str, role: str
) -> None:
    if "print" not in source_commands():
        pytest.skip("the print command has not landed in this checkout yet")
    from continuity.demo.provision import DEMO_USERS

    user = next(user for user in DEMO_USERS if user.role == role)
    patient = first_demo_patient(demo_folder)
    out = laptop_home / f"{sheet}.pdf"
    result = run(
        bundle,
        laptop_home,
        "--debug",
        "print",
        sheet,
        "--db",
        str(demo_folder / "demo.db"),
        "--user",
        user.login,
        "--password-stdin",
        "--patient",
        patient,
        "--out",
        str(out),
        stdin=user.password + "\n",
    )
    assert result.returncode == 0, result.stderr
    assert out.read_bytes().startswith(b"%PDF-")
    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(out)
    assert patient in "".join(page.extract_text() for page in reader.pages)
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("DejaVuSans" in name for name in fonts), fonts


def first_demo_patient(demo_folder: Path) -> str:
    """The IPP of a demo patient with orders, read with this checkout's own code."""
    from continuity.demo.provision import DEMO_USERS
    from continuity.store.cache import login
    from continuity.store.census import list_patients, orders

    nurse = next(user for user in DEMO_USERS if user.role == "nurse")
    with login(demo_folder / "demo.db", nurse.login, nurse.password) as session:
        return next(p.ipp for p in list_patients(session) if p.ipp and orders(session, p.id))


@pytest.fixture
def app_process(bundle: Bundle, laptop_home: Path, demo_folder: Path) -> Iterator[subprocess.Popen]:
    if importlib.util.find_spec("continuity.ui.app") is None:
        pytest.skip("the desktop app (continuity.ui.app) has not landed in this checkout yet")
    process = subprocess.Popen(
        [str(bundle.executable), "gui", "--db", str(demo_folder / "demo.db")],
        cwd=laptop_home,
        env=laptop_env(laptop_home, QT_QPA_PLATFORM="offscreen"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    yield process
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_the_app_opens_offscreen_and_stays_up(app_process: subprocess.Popen) -> None:
    try:
        app_process.wait(timeout=GUI_ALIVE_SECONDS)
    except subprocess.TimeoutExpired:
        pass  # still running after a few seconds: the log-in window is up
    else:
        _out, err = app_process.communicate()
        pytest.fail(f"the app exited with code {app_process.returncode}:\n{err}")
    app_process.terminate()
    _out, err = app_process.communicate(timeout=10)
    assert "Traceback" not in err
    assert "Could not load the Qt platform plugin" not in err
