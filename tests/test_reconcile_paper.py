"""IT follows the paper printed during the outage: returned, transcribed, and what is left to
type in, most important first."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from continuity.core.errors import BadInput, PermissionDenied
from continuity.printing.registry import register_sheet
from continuity.reconcile import paper
from tests.reconcile_helpers import laptop_from_fixture


def sheet(session, sheet_id, kind, ward="MED", patients=("pat-1",)):
    register_sheet(
        session,
        sheet_id=sheet_id,
        kind=kind,
        ward=ward,
        patients=list(patients),
        pages=1,
        chain_head="abc",
    )


@pytest.fixture
def printed(cache, clock):
    laptop = laptop_from_fixture(cache)
    clock.set(datetime(2026, 11, 28, 5, 0, tzinfo=UTC))  # before "data as of": not the outage
    with laptop.login("admin") as admin:
        sheet(admin, "MAR-OLD0-0000", "mar")
    clock.set(datetime(2026, 11, 28, 9, 0, tzinfo=UTC))
    with laptop.login("admin") as admin:
        sheet(admin, "CON-AAAA-0001", "vitals-chart", patients=("pat-2",))
        sheet(admin, "MAR-AAAA-0002", "mar", patients=("pat-1", "pat-2"))
        sheet(admin, "CEN-AAAA-0003", "census", patients=())
        sheet(admin, "ADM-AAAA-0004", "admission-form", patients=())
        sheet(admin, "NOT-AAAA-0005", "nursing-notes", ward="CHIR", patients=("pat-1",))
    return laptop


def test_sheets_printed_during_the_outage_are_listed_by_ward_and_patient(printed):
    with printed.login("admin") as admin:
        sheets = paper.outage_sheets(admin)
    assert [s.sheet_id for s in sheets] == [
        "NOT-AAAA-0005",
        "ADM-AAAA-0004",
        "CEN-AAAA-0003",
        "MAR-AAAA-0002",
        "CON-AAAA-0001",
    ]
    assert not any(s.returned or s.transcribed for s in sheets)


def test_the_worklist_puts_allergies_and_medication_changes_first(printed):
    with printed.login("admin") as admin:
        work = paper.back_entry_worklist(admin)
    order = [(w.priority, w.sheet_id, w.patient_id) for w in work]
    assert order == [
        (1, "ADM-AAAA-0004", None),
        (1, "MAR-AAAA-0002", "pat-1"),
        (1, "MAR-AAAA-0002", "pat-2"),
        (2, "MAR-AAAA-0002", "pat-1"),
        (2, "MAR-AAAA-0002", "pat-2"),
        (3, "NOT-AAAA-0005", "pat-1"),
        (3, "CON-AAAA-0001", "pat-2"),
    ]
    assert work[1].patient == "DUPONT Jeanne (100001)"
    assert work[3].what == "administrations, perfusions et dispositifs"


def test_marking_sheets_returned_then_transcribed_empties_the_worklist(printed, clock):
    with printed.login("admin") as admin:
        returned = paper.mark_returned(admin, "mar-aaaa-0002")
        assert returned.returned and not returned.transcribed
        assert all(
            w.returned for w in paper.back_entry_worklist(admin) if w.sheet_id == "MAR-AAAA-0002"
        )
        clock.advance(hours=2)
        done = paper.mark_transcribed(admin, "CONTINUITY|MAR-AAAA-0002|pat-1|1/2")
        assert done.transcribed and done.returned_at < done.transcribed_at
        again = paper.mark_transcribed(admin, "MAR-AAAA-0002")  # changes nothing
        assert again.transcribed_at == done.transcribed_at
        paper.mark_transcribed(admin, "CON-AAAA-0001")  # transcribed implies returned
        left = {w.sheet_id for w in paper.back_entry_worklist(admin)}
        rows = admin.conn.execute(
            "SELECT sheet_id, status FROM sheet_returns ORDER BY rowid"
        ).fetchall()
        audited = admin.conn.execute(
            "SELECT count(*) FROM audit_log WHERE action LIKE 'sheet_%'"
        ).fetchone()[0]
    assert left == {"ADM-AAAA-0004", "NOT-AAAA-0005"}
    assert rows == [
        ("MAR-AAAA-0002", "returned"),
        ("MAR-AAAA-0002", "transcribed"),
        ("CON-AAAA-0001", "returned"),
        ("CON-AAAA-0001", "transcribed"),
    ]
    assert audited == 4


def test_an_unknown_sheet_id_is_refused_and_a_nurse_may_not_reconcile(printed):
    with printed.login("admin") as admin:
        with pytest.raises(BadInput, match="XYZ"):
            paper.mark_returned(admin, "XYZ")
    with printed.login("nurse") as nurse:
        with pytest.raises(PermissionDenied):
            paper.back_entry_worklist(nurse)
