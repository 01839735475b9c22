"""Running the real `continuity` command in a subprocess, as IT staff and scripts do."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def run_cli(
    *args: str | Path, stdin: str = "", timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "continuity", *map(str, args)],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
