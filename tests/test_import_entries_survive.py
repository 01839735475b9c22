"""What the nurses recorded survives every refresh, and the status says how old the data is.

A refresh replaces the snapshot whole, but an order or a patient that a manual entry refers
to is kept, flagged "absent from the latest snapshot", so the MAR of day 12 still shows what
was given against an order the central record has since dropped.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from continuity.core.clock import from_iso
from continuity.core.freshness import (
    AGEING_SETTING,
    STALE_SETTING,
    Freshness,
    Thresholds,
    freshness,
    thresholds_from_settings,
)
from continuity.fhir.importer import import_snapshot
from continuity.store.census import list_patients
from continuity.store.snapshot_status import snapshot_status
from tests.snapshot_fixtures import AS_OF, hospital, write_bulk


def record_entry(session, uuid: str, *, patient: str, order: str | None) -> None:
    """An entry row as the entries module writes it (that module is someone else's)."""
    with session.transaction() as conn:
        conn.execute(
            "INSERT INTO entries (uuid, device_id, seq, kind, author, clinical_time,"
            " recorded_time, tz, patient_id, order_id, payload)"
            " VALUES (?, ?, (SELECT coalesce(max(seq), 0) + 1 FROM entries), 'dose', 'nurse',"
            " '2026-11-28T07:00:00Z', '2026-11-28T07:01:00Z', 'Europe/Paris', ?, ?, '{}')",
            (uuid, session.device.id, patient, order),
        )


def flags(session, table: str) -> dict[str, int]:
    return dict(session.conn.execute(f"SELECT source_id, absent_from_snapshot FROM {table}"))


def entries(session) -> list[tuple]:
    return session.conn.execute("SELECT * FROM entries ORDER BY seq").fetchall()


def test_an_order_dropped_by_a_refresh_is_kept_for_its_entries(cache, tmp_path):
    with cache.login("admin") as session:
        import_snapshot(session, write_bulk(tmp_path / "first", hospital()))
        record_entry(session, "e-1", patient="p-eloise", order="o-para")
        record_entry(session, "e-2", patient="p-lucie", order=None)
        recorded = entries(session)

        later = hospital()
        later["MedicationRequest"] = [
            o for o in later["MedicationRequest"] if o["id"] not in ("o-para", "o-enox")
        ]
        later["Patient"] = [p for p in later["Patient"] if p["id"] != "p-lucie"]
        report = import_snapshot(session, write_bulk(tmp_path / "later", later))

        orders = flags(session, "orders")
        assert orders["o-para"] == 1  # kept: an entry refers to it
        assert "o-enox" not in orders  # dropped: nothing refers to it
        assert all(v == 0 for k, v in orders.items() if k != "o-para")
        patients = flags(session, "patients")
        assert patients == {"p-eloise": 0, "p-jean": 0, "p-lucie": 1}
        kept = session.conn.execute(
            "SELECT drug, patient_id FROM orders WHERE source_id = 'o-para'"
        ).fetchone()
        assert kept == ("Paracétamol 1 g comprimé", "p-eloise")
        assert entries(session) == recorded  # entries are never touched
        assert report.counts["MedicationRequest"].imported == 5

        # The next snapshot has the order again: it is no longer absent.
        import_snapshot(session, write_bulk(tmp_path / "again", hospital()))
        assert flags(session, "orders")["o-para"] == 0
        assert flags(session, "patients")["p-lucie"] == 0
        assert entries(session) == recorded


def test_the_patient_of_a_kept_order_is_kept_too(cache, tmp_path):
    with cache.login("admin") as session:
        import_snapshot(session, write_bulk(tmp_path / "first", hospital()))
        record_entry(session, "e-1", patient="p-jean", order="o-amox")
        later = hospital()
        later["Patient"] = [p for p in later["Patient"] if p["id"] != "p-jean"]
        for kind in ("Encounter", "AllergyIntolerance", "MedicationRequest", "Appointment"):
            later[kind] = [r for r in later[kind] if "p-jean" not in json.dumps(r)]
        import_snapshot(session, write_bulk(tmp_path / "later", later))
        assert flags(session, "patients")["p-jean"] == 1
        assert flags(session, "orders")["o-amox"] == 1


def test_status_tells_data_as_of_age_contents_and_unexported_entries(cache, tmp_path):
    cache.clock.set(from_iso(AS_OF) + timedelta(hours=1))
    with cache.login("nurse") as nurse:
        assert not snapshot_status(nurse).loaded
    with cache.login("admin") as session:
        import_snapshot(session, write_bulk(tmp_path / "w", hospital()))
        record_entry(session, "e-1", patient="p-eloise", order="o-para")
        record_entry(session, "e-2", patient="p-jean", order="o-amox")
    with cache.login("nurse") as nurse:
        status = snapshot_status(nurse)
    assert status.loaded and status.as_of == from_iso(AS_OF)
    assert status.age == timedelta(hours=1) and status.freshness is Freshness.FRESH
    assert status.as_of_origin == "manifest" and status.signature == "not-required"
    assert status.counts["patients"] == 3 and status.counts["inpatients"] == 2
    assert status.counts["active_orders"] == 6 and status.counts["orders"] == 7
    assert status.counts["high_alert_orders"] == 2
    assert status.counts["operating"] == 1 and status.counts["appointments"] == 1
    assert status.unexported_entries == 2
    with cache.login("admin") as session, session.transaction() as conn:
        conn.execute(
            "INSERT INTO entry_exports (uuid, package_id, exported_at)"
            " VALUES ('e-1', 'pkg-1', '2026-11-28T08:00:00Z')"
        )
    with cache.login("nurse") as nurse:
        assert snapshot_status(nurse).unexported_entries == 1
        assert snapshot_status(nurse).as_dict()["age_seconds"] == 3600


def test_status_counts_only_what_the_census_shows(cache, tmp_path):
    """A patient dropped by a refresh but kept for an entry is off the census: IT's figures
    after the import must not count her allergy (nor her prescriptions) as the ward's."""
    with cache.login("admin") as session:
        import_snapshot(session, write_bulk(tmp_path / "first", hospital()))
        assert snapshot_status(session).counts["allergies"] == 1  # Éloïse's penicillin
        record_entry(session, "e-1", patient="p-eloise", order="o-para")
        later = {  # she and everything about her left the central record
            kind: [r for r in found if "p-eloise" not in json.dumps(r)]
            for kind, found in hospital().items()
        }
        import_snapshot(session, write_bulk(tmp_path / "later", later))
        census = list_patients(session)
        status = snapshot_status(session)
        kept = session.conn.execute("SELECT count(*) FROM allergies WHERE patient_id = 'p-eloise'")
        assert kept.fetchone()[0] == 1  # still there for the allergy check of her doses
    assert "p-eloise" not in {p.id for p in census}
    assert status.counts["patients_absent"] == 1 and status.counts["patients"] == len(census)
    assert status.counts["allergies"] == 0  # hers is kept for the dose check, not counted
    assert status.counts["orders_absent"] == 1
    assert status.counts["orders"] == len(later["MedicationRequest"])


@pytest.mark.parametrize(
    ("hours", "level"),
    [
        (0, Freshness.FRESH),
        (3.99, Freshness.FRESH),
        (4, Freshness.AGEING),
        (23.9, Freshness.AGEING),
        (24, Freshness.STALE),
        (24 * 12, Freshness.STALE),
    ],
)
def test_the_snapshot_age_is_fresh_ageing_or_stale(hours, level):
    as_of = from_iso(AS_OF)
    reading = freshness(as_of, as_of + timedelta(hours=hours))
    assert reading.level is level and reading.age == timedelta(hours=hours)


def test_thresholds_come_from_the_site_settings(cache, tmp_path):
    with cache.login("admin") as session:
        with session.transaction() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
                [(AGEING_SETTING, "1"), (STALE_SETTING, "2.5")],
            )
        thresholds = thresholds_from_settings(session.setting)
    assert thresholds == Thresholds(timedelta(hours=1), timedelta(hours=2.5))
    as_of = from_iso(AS_OF)
    assert freshness(as_of, as_of + timedelta(hours=2), thresholds).level is Freshness.AGEING
    # A typo must not hide the age: bad values fall back to the defaults.
    settings = {AGEING_SETTING: "quatre", STALE_SETTING: "-1"}
    assert thresholds_from_settings(lambda k, d=None: settings.get(k, d)) == Thresholds()
    # A "data as of" ahead of the clock is not old.
    assert freshness(as_of, as_of - timedelta(hours=1)).age == timedelta(0)
