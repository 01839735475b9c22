"""The demo hospital goes through the same importer as a real export, without a single reject."""

from __future__ import annotations

from datetime import UTC, datetime

from continuity.demo import write_demo_snapshot
from continuity.fhir.importer import import_snapshot

AS_OF = datetime(2026, 11, 28, 5, 30, tzinfo=UTC)


def test_the_demo_clinic_imports_cleanly(cache, tmp_path):
    summary = write_demo_snapshot(tmp_path / "demo", patients=60, as_of=AS_OF)
    with cache.login("admin") as session:
        report = import_snapshot(session, tmp_path / "demo")

        def count(sql: str) -> int:
            return session.conn.execute(sql).fetchone()[0]

        assert not report.rejections and not report.notes
        assert report.as_of == AS_OF and report.as_of_origin == "manifest"
        assert {k: c.read for k, c in report.counts.items()} == summary.counts
        assert count("SELECT count(*) FROM patients") == summary.counts["Patient"] == 60
        assert count("SELECT count(*) FROM patients WHERE bed IS NULL") == 0
        assert count("SELECT count(*) FROM orders") == summary.counts["MedicationRequest"]
        assert count("SELECT count(*) FROM orders WHERE high_alert = 1") > 0
        assert count("SELECT count(*) FROM orders WHERE prescriber_rpps IS NULL") == 0
        assert count("SELECT count(*) FROM appointments WHERE kind = 'operating'") > 0
        wards = {r[0] for r in session.conn.execute("SELECT DISTINCT ward FROM patients")}
        assert wards == {"Maternité", "Chirurgie", "Médecine", "Soins continus"}
