"""The nurse in charge says when the central system went down; before it, the eMAR says "check".

Ward fixture: snapshot "data as of" 05:00 Paris; Paracétamol is scheduled at 06:00.
"""

from __future__ import annotations

import pytest

from continuity.core.errors import BadInput, PermissionDenied
from continuity.core.mar import CellState, state_label
from continuity.store import audit, emar
from continuity.store.outage import declare_outage_start, outage_started, withdraw_outage_start
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
        assert emar.doses_needing_attention(nurse, ["pat-1"])["pat-1"].late == late_before - 1
        assert withdraw_outage_start(nurse) is True
        assert _six_oclock(nurse) == CellState.LATE
        assert withdraw_outage_start(nurse) is False


def test_an_outage_declared_before_the_copy_changes_nothing(ward):
    ward.clock.set(paris(7, 30))
    with ward.login("nurse") as nurse:
        declare_outage_start(nurse, paris(4, 0))  # the copy (05:00) is later: it counts
        assert emar.known_since(nurse) == paris(5, 0)
        assert _six_oclock(nurse) == CellState.LATE


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
