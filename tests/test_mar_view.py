"""The electronic MAR tells the nurse, at any moment, which doses are done, due, late or missed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from continuity.core.mar import TOLERANCES, CellState, DoseRecord, cell_state
from continuity.store import entries
from continuity.store.emar import mar_for_patient, upcoming_doses
from tests import entries_fixtures
from tests.entries_fixtures import paris

ward = entries_fixtures.ward  # the shared fixture: a small ward in the cache


def states(session, drug_start: str, day: date | None = None) -> dict[str, str]:
    mar = mar_for_patient(session, "100001", day)
    row = next(r for r in mar.rows if r.drug.startswith(drug_start))
    return {f"{c.scheduled:%H:%M}": c.state.value for c in row.cells}


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (paris(5, 20), {"06:00": "future", "12:00": "future"}),
        (paris(5, 30), {"06:00": "due"}),  # 30 min ahead: prepare the round
        (paris(7, 0), {"06:00": "due"}),  # up to 1 h after: on time
        (paris(7, 1), {"06:00": "late"}),
        (paris(8, 0), {"06:00": "late"}),
        (paris(8, 1), {"06:00": "missed", "12:00": "future"}),  # 2 h after, nothing recorded
        (paris(23, 59), {"06:00": "missed", "23:00": "due"}),
    ],
)
def test_a_dose_with_nothing_recorded_goes_future_due_late_missed(ward, now, expected):
    ward.clock.set(now)
    with ward.login() as nurse:
        found = states(nurse, "Paracétamol")
    assert {k: found[k] for k in expected} == expected


def test_given_and_not_given_doses_fill_their_cells_whatever_the_time(ward):
    ward.clock.set(paris(13, 30))
    with ward.login() as nurse:
        entries.record_dose(
            nurse,
            patient_id="100001",
            order_id="ord-para",
            scheduled=paris(6),
            status="given",
            at=paris(6, 10),
        )
        entries.record_dose(
            nurse,
            patient_id="100001",
            order_id="ord-para",
            scheduled=paris(12),
            status="not-given",
            reason="refused",
            at=paris(12, 5),
        )
        found = states(nurse, "Paracétamol")
        insulin = states(nurse, "Insuline")
    assert found == {"06:00": "given", "12:00": "not_given", "18:00": "future", "23:00": "future"}
    assert insulin == {"08:00": "missed", "12:00": "late", "19:00": "future"}


def test_a_double_dose_shows_on_its_cell(ward):
    with ward.login() as nurse:
        for minute in (0, 30):
            entries.record_dose(
                nurse,
                patient_id="100001",
                order_id="ord-para",
                scheduled=paris(6),
                status="given",
                at=paris(6, minute),
                confirm=True,
            )
        cell = mar_for_patient(nurse, "100001").rows[2].cells[0]
    assert cell.state == CellState.GIVEN and cell.double and len(cell.doses) == 2


def test_as_needed_orders_list_the_doses_given_that_day(ward):
    ward.clock.set(paris(20))
    with ward.login() as nurse:
        for hour in (3, 15):
            entries.record_dose(
                nurse,
                patient_id="100001",
                order_id="ord-prn",
                scheduled=None,
                status="given",
                at=paris(hour),
                prn_reason="EVA 6",
            )
        entries.record_dose(
            nurse,
            patient_id="100001",
            order_id="ord-prn",
            scheduled=None,
            status="given",
            at=paris(22, day=27),
            prn_reason="EVA 5",
            confirm=True,  # 5 h before the 03:00 dose: less than this order's 6 h, confirmed
        )
        today = mar_for_patient(nurse, "100001")
        yesterday = mar_for_patient(nurse, "100001", date(2026, 11, 27))
    prn = next(r for r in today.rows if r.order and r.order.as_needed)
    assert prn.cells == () and [d.at for d in prn.prn_doses] == [paris(3), paris(15)]
    assert prn.schedule == "si besoin, max toutes les 6 h"
    prn_before = next(r for r in yesterday.rows if r.order and r.order.as_needed)
    assert [d.at for d in prn_before.prn_doses] == [paris(22, day=27)]


def test_a_past_day_shows_what_was_done_and_what_was_missed(ward):
    ward.clock.set(paris(10, day=29))
    with ward.login() as nurse:
        entries.record_dose(
            nurse,
            patient_id="100001",
            order_id="ord-para",
            scheduled=paris(23),
            status="given",
            at=paris(0, 20, day=29),
        )
        found = states(nurse, "Paracétamol", date(2026, 11, 28))
        today = states(nurse, "Paracétamol")
    assert found == {"06:00": "missed", "12:00": "missed", "18:00": "missed", "23:00": "given"}
    assert today["06:00"] == "missed" and today["12:00"] == "future"


def test_stopped_orders_are_not_on_the_mar_unless_a_dose_was_recorded(ward):
    ward.clock.set(paris(9))
    with ward.login() as nurse:
        before = [r.drug for r in mar_for_patient(nurse, "100001").rows]
        entries.record_dose(
            nurse,
            patient_id="100001",
            order_id="ord-stopped",
            scheduled=paris(8),
            status="given",
            at=paris(8),
            confirm=True,
        )
        row = next(
            r
            for r in mar_for_patient(nurse, "100001").rows
            if r.order and r.order.id == "ord-stopped"
        )
    assert "Kétoprofène 50 mg, gélule" not in before
    assert row.cells == () and len(row.other_doses) == 1


def test_the_next_72_hours_of_dose_times(ward):
    with ward.login() as nurse:
        coming = {o.id: times for o, times in upcoming_doses(nurse, "100001")}
    last = paris(8, day=30) + timedelta(days=1)  # 01/12 08:00, the last before 01/12 10:00
    assert coming["ord-amox"][0] == paris(14) and coming["ord-amox"][-1] == last
    assert coming["ord-prn"] == [] and "ord-stopped" not in coming
    assert all(paris(10) <= t < paris(10) + timedelta(hours=72) for t in coming["ord-para"])


def test_the_tolerances_are_one_documented_table():
    assert TOLERANCES.due_before < TOLERANCES.due_after < TOLERANCES.missed_after
    t = paris(12)
    given = DoseRecord("u", "given", t, t)
    assert cell_state(t, [given], t + timedelta(days=1)) == CellState.GIVEN
    assert cell_state(t, [], t + TOLERANCES.missed_after) == CellState.LATE
    assert cell_state(t, [], t + TOLERANCES.missed_after + timedelta(seconds=1)) == "missed"


def test_doses_scheduled_before_the_snapshot_are_to_check_not_missed(ward):
    """The snapshot carries no administrations: an 06:00 dose before 'data as of' 07:30 may well
    have been given; showing it missed invites a second dose."""
    from continuity.core.mar import CellState
    from continuity.store import emar

    with ward.login("nurse") as nurse:
        with nurse.transaction() as conn:  # the copy was taken mid-morning
            conn.execute("UPDATE snapshot SET as_of = '2026-11-28T07:30:00Z'")
        as_of = emar.known_since(nurse)
        assert as_of is not None
        mar = emar.mar_for_patient(nurse, "100001")
        cells = [c for row in mar.rows for c in row.cells]
        before = [c for c in cells if c.scheduled < as_of]
        assert before, "the fixture has doses scheduled before the snapshot"
        assert all(c.state == CellState.BEFORE_SNAPSHOT for c in before if not c.doses)
        counts = emar.doses_needing_attention(nurse, ["100001"])["100001"]
        late_after_snapshot = sum(c.state == CellState.LATE for c in cells if c.scheduled >= as_of)
        assert counts.late == late_after_snapshot
