"""Doses needing attention soon, per patient, for the census column.

The counting is the core's (`continuity.store.emar.doses_needing_attention`: the eMAR's own
states, for the whole census in two queries); this module only adapts it to the model.
"""

from __future__ import annotations

from collections.abc import Iterable

from continuity.store import emar
from continuity.store.session import Session
from continuity.ui.census_model import DoseCounts


def due_soon(session: Session, patient_ids: Iterable[str]) -> dict[str, DoseCounts]:
    """Late doses, and those due now or within the hour, per patient."""
    found = emar.doses_needing_attention(session, list(patient_ids))
    return {pid: DoseCounts(late=a.late, due=a.due, check=a.check) for pid, a in found.items()}
