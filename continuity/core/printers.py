"""Asking the system for its default printer without Qt (the CLI's readiness check).

The app asks Qt (QPrinterInfo) instead; both return the same `PrinterStatus`.
"""

from __future__ import annotations

import shutil
import subprocess

from continuity.core.readiness import PrinterStatus


def cups_default_printer() -> PrinterStatus | None:
    """From CUPS (`lpstat`), or None where there is no CUPS client (Windows)."""
    if shutil.which("lpstat") is None:
        return None
    try:
        default = subprocess.run(["lpstat", "-d"], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        return None
    line = default.stdout.strip()
    if ":" not in line or "no system default" in line.lower():
        return PrinterStatus(configured=False)
    name = line.split(":", 1)[1].strip()
    try:
        state = subprocess.run(
            ["lpstat", "-p", name], capture_output=True, text=True, timeout=5
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        state = ""
    ready = "idle" in state or "printing" in state
    detail = state.strip().splitlines()[0] if state.strip() else "?"
    return PrinterStatus(
        configured=True, name=name, ready=ready and "disabled" not in state, detail=detail
    )
