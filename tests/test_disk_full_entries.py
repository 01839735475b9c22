"""The disk fills up during the outage: the nurse is told plainly, nothing is half-written.

A full disk is simulated on the session's own connection with `PRAGMA max_page_count` set to
the cache's current size: SQLite then refuses to grow the file exactly as it does when the
disk has no room left (SQLITE_FULL). The generic case is in tests/test_disk_full.py; here are
the two writes that matter most: recording a dose and importing a snapshot.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from continuity.core.errors import StorageProblem
from continuity.demo import write_demo_snapshot
from continuity.fhir.importer import import_snapshot
from continuity.store import audit, census, entries
from tests import entries_fixtures
from tests.crash_writer import snapshot_digest
from tests.entries_fixtures import paris

ward = entries_fixtures.ward  # the shared fixture: a small ward in the cache

#: SQLite's own ceiling: "no limit" again once IT has freed some space.
NO_LIMIT = 1073741823


def _disk_full(session) -> None:
    pages = session.conn.execute("PRAGMA page_count").fetchone()[0]
    session.conn.execute(f"PRAGMA max_page_count = {pages}")


def _space_back(session) -> None:
    session.conn.execute(f"PRAGMA max_page_count = {NO_LIMIT}")


def _give_paracetamol(session):
    return entries.record_dose(
        session,
        patient_id="100001",
        order_id="ord-para",
        scheduled=paris(12),
        status="given",
        at=paris(9, 55),
        confirm=True,  # the second dose of the same time is confirmed on purpose
    )


def _assert_whole(session, recorded) -> None:
    stored = entries.list_entries(session)
    assert [e.uuid for e in stored] == [e.uuid for e in recorded]
    assert [e.seq for e in stored] == list(range(1, len(stored) + 1))
    audited = session.conn.execute(
        "SELECT count(*) FROM audit_log WHERE action = 'entry_recorded'"
    ).fetchone()[0]
    assert audited == len(stored)
    assert audit.verify_chain(session.conn).ok


def test_a_dose_on_a_full_disk_is_refused_plainly_and_leaves_no_gap(ward):
    with ward.login() as nurse:
        recorded = [_give_paracetamol(nurse)]
        _disk_full(nurse)
        with pytest.raises(StorageProblem) as refused:
            for _ in range(500):  # entries fill the last free room in the pages, then...
                recorded.append(_give_paracetamol(nurse))
        message = str(refused.value)
        assert "plein" in message and "\n" not in message
        assert "database" not in message.lower()  # SQLite's own words stay out of sight
        _assert_whole(nurse, recorded)
        # Still full, the nurse can read the chart and the entries (paper takes over for now).
        assert census.get_patient(nurse, "100001").family == "DUPONT"
        assert len(entries.list_entries(nurse, "100001")) == len(recorded)

        _space_back(nurse)  # IT frees the disk: the same session goes on, no gap in the seq
        recorded.append(_give_paracetamol(nurse))
        assert recorded[-1].seq == len(recorded)
        _assert_whole(nurse, recorded)

    with ward.login() as nurse:  # and the next log-in finds the cache whole
        assert nurse.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        _assert_whole(nurse, recorded)


def test_an_import_into_a_full_cache_leaves_the_previous_snapshot_exactly(cache, tmp_path):
    old_as_of = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
    write_demo_snapshot(tmp_path / "old", patients=30, seed=1, as_of=old_as_of)
    write_demo_snapshot(tmp_path / "new", patients=80, seed=2, as_of=cache.clock.now())
    with cache.login("admin") as it:
        import_snapshot(it, tmp_path / "old")
        before = snapshot_digest(it.conn)
        _disk_full(it)
        with pytest.raises(StorageProblem, match="plein"):
            import_snapshot(it, tmp_path / "new")
        assert snapshot_digest(it.conn) == before
        assert census.snapshot_info(it).as_of == old_as_of
        assert audit.verify_chain(it.conn).ok

        _space_back(it)  # the same session imports once there is room again
        report = import_snapshot(it, tmp_path / "new")
        assert report.imported
        assert census.snapshot_info(it).as_of == cache.clock.now()
        assert it.conn.execute("SELECT count(*) FROM patients").fetchone()[0] == 80
