"""The census column 'doses now / within the hour' agrees with each patient's eMAR."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from continuity.core.clock import FixedClock
from continuity.core.mar import CellState
from continuity.demo.provision import build_demo_cache
from continuity.store import census, emar
from continuity.store.cache import login
from continuity.store.entries import record_dose


def _from_mar(session, patient_id):
    now = session.now()
    late = due = 0
    for row in emar.mar_for_patient(session, patient_id).rows:
        if row.order is None or row.order.status != "active":
            continue
        for cell in row.cells:
            if cell.state == CellState.LATE:
                late += 1
            elif cell.state == CellState.DUE or (
                cell.state == CellState.FUTURE and cell.scheduled - now <= timedelta(hours=1)
            ):
                due += 1
    return late, due


def test_batch_counts_match_the_emar_of_every_patient(tmp_path):
    clock = FixedClock(datetime(2026, 11, 28, 8, 40, tzinfo=UTC))  # 09:40 in Paris
    # The copy was taken at 06:40 Paris: the 08:00 round is after it, late at 09:40.
    path = build_demo_cache(
        tmp_path / "demo", patients=40, clock=clock, as_of=clock.now() - timedelta(hours=3)
    )
    with login(path, "ines.martin", "Infirmiere-Demo-1", clock=clock) as session:
        patients = census.list_patients(session)
        # One dose recorded: the batch sees it exactly as the eMAR does.
        first = next(p for p in patients if _from_mar(session, p.id)[0])
        row = next(
            r
            for r in emar.mar_for_patient(session, first.id).rows
            if any(c.state == CellState.LATE for c in r.cells) and not r.order.high_alert
        )
        cell = next(c for c in row.cells if c.state == CellState.LATE)
        record_dose(
            session,
            patient_id=first.id,
            order_id=row.order.id,
            scheduled=cell.scheduled,
            status="given",
            confirm=True,
        )
        batch = emar.doses_needing_attention(session, [p.id for p in patients])
        assert any(a.late or a.due for a in batch.values())
        for patient in patients:
            assert (batch[patient.id].late, batch[patient.id].due) == _from_mar(
                session, patient.id
            ), patient.display_name
