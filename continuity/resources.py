"""Where the read-only resources (translations, site lists, fonts) live.

From a checkout or an editable install they are in `resources/` beside the package; in a
PyInstaller bundle they are unpacked under `sys._MEIPASS/resources`. One function, so nothing
else has to know.
"""

from __future__ import annotations

import sys
from pathlib import Path


def resources_dir() -> Path:
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)
