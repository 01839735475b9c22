"""Doses needing attention soon, per patient, for the census column, from the core's eMAR.

The census shows, per patient, the doses late now (nothing recorded) and those due now or
within the next hour. Both come from the core's eMAR states (`continuity.store.emar`); this
module only counts them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from continuity.core.mar import CellState
from continuity.core.timing import load_schedule_config
from continuity.store import emar
from continuity.store.session import Session
from continuity.ui.census_model import DoseCounts

SOON = timedelta(hours=1)


def due_soon(session: Session, patient_ids: Iterable[str]) -> dict[str, DoseCounts]:
    """Late doses, and those due now or within the hour, per patient."""
    now = session.now()
    cfg = load_schedule_config()
    result: dict[str, DoseCounts] = {}
    for patient_id in patient_ids:
        late = due = 0
        for row in emar.mar_for_patient(session, patient_id, cfg=cfg).rows:
            for cell in row.cells:
                if cell.state == CellState.LATE:
                    late += 1
                elif cell.state == CellState.DUE or (
                    cell.state == CellState.FUTURE and cell.scheduled - now <= SOON
                ):
                    due += 1
        result[patient_id] = DoseCounts(late=late, due=due)
    return result
