"""Version and build facts shown by `--version` and the About box (one place for both)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import continuity


def build_date() -> str:
    """The bundle's build date when frozen, else the package files' date."""
    stamp = Path(getattr(sys, "_MEIPASS", "")) / "BUILD_DATE"
    if stamp.is_file():
        return stamp.read_text(encoding="utf-8").strip()
    mtime = Path(continuity.__file__).stat().st_mtime
    return datetime.fromtimestamp(mtime, UTC).strftime("%Y-%m-%d")


def sqlcipher_version() -> str:
    import sqlcipher3

    conn = sqlcipher3.connect(":memory:")
    try:
        return str(conn.execute("PRAGMA cipher_version").fetchone()[0])
    finally:
        conn.close()


def qt_version() -> str:
    """Read from the installed package metadata: asking Qt itself would import it here."""
    from importlib import metadata

    for dist in ("PySide6-Essentials", "PySide6"):
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    return "?"


def about_lines() -> list[str]:
    return [
        f"Continuity {continuity.__version__}",
        f"SQLCipher {sqlcipher_version()}",
        f"Qt (PySide6) {qt_version()}",
        f"Build {build_date()}",
    ]
