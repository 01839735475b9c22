"""A full disk or read-only media: one clear sentence, nothing half-written, the app goes on."""

from __future__ import annotations

import pytest

from continuity.core.errors import StorageProblem
from continuity.store import audit


def _fill_to_the_brim(session) -> None:
    pages = session.conn.execute("PRAGMA page_count").fetchone()[0]
    session.conn.execute(f"PRAGMA max_page_count = {pages}")


def test_a_full_disk_during_a_write_changes_nothing_and_says_so(cache):
    with cache.login("nurse") as session:
        before = session.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]
        _fill_to_the_brim(session)
        with pytest.raises(StorageProblem, match="plein"):
            with session.transaction() as conn:
                conn.executemany(
                    "INSERT INTO patients (source_id, family, given) VALUES (?, ?, 'X')",
                    [(f"p{i}", "N" * 500) for i in range(200)],
                )
        assert session.conn.execute("SELECT count(*) FROM patients").fetchone()[0] == 0
        assert session.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] == before
        # Space comes back (IT frees the disk): the same session keeps working.
        session.conn.execute("PRAGMA max_page_count = 1073741823")
        session.audit("after_disk_full", {})
        assert audit.verify_chain(session.conn).ok
