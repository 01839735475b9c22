"""Resident memory of the app on the 5,000-patient demo, beside a bare Qt window.

Target: the app with the 5,000-patient demo loaded stays under 400 MB resident. The app runs
offscreen in a child process: log in as a nurse, census of every ward shown (with its dose
column), one chart opened on today's eMAR; then its VmRSS and peak (VmHWM) are read from
/proc. The baseline, in the same run, is a bare PySide6 window with an empty table.

    .venv/bin/python benchmarks/bench_app_memory.py [--patients 5000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

APP = r"""
import json, sys, time
from pathlib import Path
from PySide6.QtWidgets import QApplication
from continuity.ui.main_window import MainWindow

def rss():
    fields = dict(line.split(":", 1) for line in open("/proc/self/status"))
    return {k: int(fields[k].split()[0]) / 1024 for k in ("VmRSS", "VmHWM")}

app = QApplication([])
start = time.perf_counter()
window = MainWindow(Path(sys.argv[1]))
window.resize(1366, 768)
window.show()
window.log_in("ines.martin", "Infirmiere-Demo-1")
app.processEvents()
logged = time.perf_counter() - start
from continuity.store import census
first = census.list_patients(window.session)[0]
window.open_chart(first.id)
for _ in range(20):
    app.processEvents()
print(json.dumps({"login_and_census_s": logged, **rss()}))
"""

BASELINE = r"""
import json
from PySide6.QtWidgets import QApplication, QMainWindow, QTableView

def rss():
    fields = dict(line.split(":", 1) for line in open("/proc/self/status"))
    return {k: int(fields[k].split()[0]) / 1024 for k in ("VmRSS", "VmHWM")}

app = QApplication([])
window = QMainWindow()
window.setCentralWidget(QTableView())
window.resize(1366, 768)
window.show()
for _ in range(20):
    app.processEvents()
print(json.dumps(rss()))
"""


def run(code: str, *args: str) -> dict:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=600,
    )
    if done.returncode != 0:
        raise SystemExit(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=5000)
    args = parser.parse_args()
    from continuity.demo.provision import build_demo_cache
    from continuity.store.connection import use_memory_security

    use_memory_security(False)  # building the demo is a bulk job, as `continuity import` is
    with tempfile.TemporaryDirectory(prefix="continuity-bench-mem-") as tmp:
        start = time.perf_counter()
        path = build_demo_cache(Path(tmp) / "demo", patients=args.patients)
        print(
            f"Demo cache with {args.patients} patients built in "
            f"{time.perf_counter() - start:.1f} s ({path.stat().st_size / 2**20:.0f} MiB)"
        )
        app = run(APP, str(path))
        base = run(BASELINE)
    print(f"{'process':<46} {'RSS (MiB)':>10} {'peak (MiB)':>11}")
    print(f"{'bare PySide6 window (baseline)':<46} {base['VmRSS']:>10.0f} {base['VmHWM']:>11.0f}")
    print(
        f"{'app: census of all wards + one chart':<46} {app['VmRSS']:>10.0f} {app['VmHWM']:>11.0f}"
    )
    print(
        f"log-in to census shown: {app['login_and_census_s']:.2f} s; "
        f"target: under 400 MiB resident (peak {app['VmHWM']:.0f} MiB)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
