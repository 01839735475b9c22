"""The nurse in charge says when the central system went down; before it, the eMAR says "check".

Ward fixture: snapshot "data as of" 05:00 Paris; Paracétamol is scheduled at 06:00.
"""

from __future__ import annotations

import pytest

from continuity.core.errors import BadInput, PermissionDenied
from continuity.core.mar import CellState, state_label
from continuity.store import audit, emar, entries
from continuity.store.outage import (
    declare_outage_start,
    latest_possible_start,
    outage_started,
    withdraw_outage_start,
)
from tests import entries_fixtures
from tests.cli_helpers import run_cli
from tests.conftest import NURSE_PASSWORD
from tests.entries_fixtures import paris

ward = entries_fixtures.ward


def _six_oclock(session) -> CellState:
    mar = emar.mar_for_patient(session, "100001")
    row = next(r for r in mar.rows if r.drug.startswith("Paracétamol"))
    return next(c.state for c in row.cells if c.scheduled == paris(6))


def test_a_dose_between_the_copy_and_the_crash_is_to_check_once_the_outage_is_declared(ward):
    """The copy is from 05:00, the system went down at 06:30: the 06:00 dose may be recorded
    in the central system. Shown late, it invites a second dose."""
    ward.clock.set(paris(7, 30))
    with ward.login("nurse") as nurse:
        assert _six_oclock(nurse) == CellState.LATE
        late_before = emar.doses_needing_attention(nurse, ["pat-1"])["pat-1"].late
        assert late_before >= 1
        declared = declare_outage_start(nurse, "2026-11-28T06:30")
        assert declared == paris(6, 30)
        assert _six_oclock(nurse) == CellState.BEFORE_SNAPSHOT
        assert state_label(CellState.BEFORE_SNAPSHOT) == "Avant la panne : vérifier"
        after = emar.doses_needing_attention(nurse, ["pat-1"])["pat-1"]
        assert after.late == late_before - 1
        assert after.check == 1  # still on the census, as "to check"
        assert withdraw_outage_start(nurse) is True
        assert _six_oclock(nurse) == CellState.LATE
        assert withdraw_outage_start(nurse) is False


def test_a_start_that_cannot_be_true_is_refused(ward):
    """A wrong start hides doses to give behind "check": before the copy it changes nothing,
    and care recorded here at 06:10 means the laptop was the record by then."""
    ward.clock.set(paris(7, 30))
    with ward.login("nurse") as nurse:
        with pytest.raises(BadInput) as caught:
            declare_outage_start(nurse, paris(4, 0))
        assert "ne change rien" in caught.value.message
        ward.clock.set(paris(6, 10))
        entries.record_note(nurse, patient_id="100001", category="handover", text="Calme.")
        ward.clock.set(paris(7, 30))
        with pytest.raises(BadInput) as caught:
            declare_outage_start(nurse, "2026-11-28T06:30")
        assert "déjà été enregistrés sur ce portable le 28/11/2026 06:10" in caught.value.message
        assert outage_started(nurse) is None
        assert latest_possible_start(nurse) == paris(6, 10)
        declare_outage_start(nurse, paris(6, 5))
        assert _six_oclock(nurse) == CellState.BEFORE_SNAPSHOT


def test_a_start_a_few_minutes_ahead_is_taken_as_now(ward):
    """At 11:57, "12:01" must not turn the 12:00 dose into "check" for ever."""
    ward.clock.set(paris(11, 57))
    with ward.login("nurse") as nurse:
        assert declare_outage_start(nurse, paris(12, 1)) == paris(11, 57)
        ward.clock.set(paris(15, 0))
        mar = emar.mar_for_patient(nurse, "100001")
        row = next(r for r in mar.rows if r.drug.startswith("Paracétamol"))
        noon = next(c.state for c in row.cells if c.scheduled == paris(12))
        assert noon == CellState.MISSED


def test_a_declaration_older_than_a_newer_copy_is_no_longer_in_force(ward):
    """The system came back and a new snapshot was imported: the next outage must not look
    declared already."""
    ward.clock.set(paris(7, 30))
    with ward.login("nurse") as nurse:
        declare_outage_start(nurse, "2026-11-28T06:30")
        with nurse.transaction() as conn:
            conn.execute("UPDATE snapshot SET as_of = '2026-11-28T06:15:00Z'")  # 07:15 Paris
        assert outage_started(nurse) is None
        assert emar.known_since(nurse) == paris(7, 15)


@pytest.mark.parametrize(
    ("when", "words"),
    [
        ("2026-11-28T12:00", "dans le futur"),
        ("2026-10-01T08:00", "plus de 30 jours"),
        ("28 novembre", "n'est pas une date"),
    ],
)
def test_an_impossible_start_is_refused_in_one_sentence_and_changes_nothing(ward, when, words):
    ward.clock.set(paris(7, 30))
    with ward.login("nurse") as nurse:
        declare_outage_start(nurse, "2026-11-28T06:30")
        with pytest.raises(BadInput) as caught:
            declare_outage_start(nurse, when)
        assert words in caught.value.message
        assert outage_started(nurse) == paris(6, 30)


def test_each_declaration_is_audited_with_the_value_it_replaced(ward):
    ward.clock.set(paris(7, 30))
    with ward.login("nurse") as nurse:
        declare_outage_start(nurse, "2026-11-28T06:30")
        declare_outage_start(nurse, "2026-11-28T06:10")
        rows = [r for r in audit.recent(nurse.conn, 50) if r["action"] == "outage_declared"]
    assert len(rows) == 2
    details = " ".join(str(r["detail"]) for r in rows)
    assert "2026-11-28T05:10:00Z" in details and "2026-11-28T05:30:00Z" in details
    assert all(r["actor"] == "nurse" for r in rows)


def test_the_unattended_refresh_slot_cannot_declare_an_outage(ward):
    from continuity.core.roles import Role

    ward.clock.set(paris(7, 30))
    with ward.login("nurse") as nurse:
        nurse.user = type(nurse.user)(**{**nurse.user.__dict__, "role": Role.REFRESH})
        with pytest.raises(PermissionDenied):
            declare_outage_start(nurse, "2026-11-28T06:30")


def test_the_cli_declares_shows_and_withdraws(ward):
    db = ward.cache.path
    base = ["outage", "--db", db, "--user", "nurse", "--password-stdin"]
    stdin = NURSE_PASSWORD + "\n"
    done = run_cli(*base, "--started", "2026-11-28T09:45", stdin=stdin)
    assert done.returncode == 0, done.stderr
    assert "Panne déclarée depuis le 28/11/2026 09:45" in done.stdout
    shown = run_cli(*base, stdin=stdin)
    assert "28/11/2026 09:45" in shown.stdout
    refused = run_cli(*base, "--started", "2031-01-01T00:00", stdin=stdin)
    assert refused.returncode != 0 and "futur" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    gone = run_cli(*base, "--withdraw", stdin=stdin)
    assert "retirée" in gone.stdout
    with ward.login("nurse") as nurse:
        assert outage_started(nurse) is None
