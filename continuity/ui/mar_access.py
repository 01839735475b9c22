"""The electronic MAR as the screens use it, from the core's eMAR view (issue 5).

Until that core module exists, the screens show no dose column and an eMAR tab that says so;
nothing is computed here.
"""

from __future__ import annotations

from collections.abc import Iterable

from continuity.store.session import Session
from continuity.ui.census_model import DoseCounts


def available() -> bool:
    try:
        import continuity.store.emar  # noqa: F401
    except ImportError:
        return False
    return True


def due_soon(session: Session, patient_ids: Iterable[str]) -> dict[str, DoseCounts] | None:
    """Late and due doses in the next hour per patient; None when there is no eMAR yet."""
    if not available():
        return None
    return {}
