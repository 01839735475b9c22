"""IT imports a real exporter's output (the public Synthea sample) and every count adds up.

The expected numbers are computed here from the files themselves, independently of the
importer, so the test says "what the files hold is what the cache holds".
"""

from __future__ import annotations

import json
import zipfile
from collections import Counter

import pytest

from continuity.core.errors import BadInput
from continuity.fhir.importer import import_snapshot
from tests.conftest import SHARED_DATA

SYNTHEA = SHARED_DATA / "synthea-bulk-10"
AS_OF = "2024-08-06T18:12:57Z"


def lines(kind: str) -> list[dict]:
    with (SYNTHEA / f"{kind}.000.ndjson").open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


@pytest.fixture(scope="module")
def expected() -> dict:
    patients = lines("Patient")
    orders = lines("MedicationRequest")
    allergies = lines("AllergyIntolerance")
    practitioners = lines("Practitioner")
    npi = {i["value"] for p in practitioners for i in p.get("identifier", [])}
    resolvable = sum(1 for o in orders if o["requester"]["reference"].rsplit("|", 1)[-1] in npi)
    active_allergy_patients = {
        a["patient"]["reference"].split("/")[1]
        for a in allergies
        if a["clinicalStatus"]["coding"][0]["code"] == "active"
    }
    return {
        "read": {
            kind: len(lines(kind))
            for kind in (
                "Patient",
                "MedicationRequest",
                "AllergyIntolerance",
                "Practitioner",
                "PractitionerRole",
                "Location",
                "Encounter",
                "Organization",
            )
        },
        "patients": len(patients),
        "deceased": sum(1 for p in patients if "deceasedDateTime" in p or p.get("deceasedBoolean")),
        "orders": len(orders),
        "active": Counter(o["status"] for o in orders)["active"],
        "prescribers_resolved": resolvable,
        "allergy_patients": len(active_allergy_patients),
        "in_progress": sum(1 for e in lines("Encounter") if e["status"] == "in-progress"),
    }


def check_cache(session, expected: dict) -> None:
    def count(sql: str) -> int:
        return session.conn.execute(sql).fetchone()[0]

    assert count("SELECT count(*) FROM patients") == expected["patients"] == 13
    assert count("SELECT count(*) FROM patients WHERE deceased = 1") == expected["deceased"] == 3
    assert count("SELECT count(*) FROM orders") == expected["orders"] == 1745
    assert count("SELECT count(*) FROM orders WHERE status = 'active'") == expected["active"] == 23
    assert (
        count("SELECT count(*) FROM orders WHERE prescriber_id IS NOT NULL")
        == (expected["prescribers_resolved"])
    )
    assert (
        count("SELECT count(*) FROM patients WHERE allergy_status = 'recorded'")
        == (expected["allergy_patients"])
    )
    assert (
        count("SELECT count(*) FROM patients WHERE ward IS NOT NULL") == (expected["in_progress"])
    )
    assert count("SELECT count(*) FROM practitioners") == expected["read"]["Practitioner"]
    assert count("SELECT count(*) FROM locations") == expected["read"]["Location"]


def test_the_synthea_export_lands_whole_in_the_cache(cache, expected):
    with cache.login("admin") as session:
        report = import_snapshot(session, SYNTHEA, as_of=AS_OF)
        check_cache(session, expected)
    assert report.as_of_origin == "stated" and not report.rejections
    for kind, read in expected["read"].items():
        assert report.counts[kind].read == read, kind
    assert report.counts["Organization"].skipped == expected["read"]["Organization"]
    assert report.counts["Encounter"].skipped == expected["read"]["Encounter"]  # all finished
    assert any("log.ndjson" in note for note in report.notes)  # the exporter's log, not data


def test_without_a_date_in_the_export_the_user_must_state_it(cache):
    with cache.login("admin") as session:
        with pytest.raises(BadInput, match="--as-of"):
            import_snapshot(session, SYNTHEA)
        assert session.conn.execute("SELECT count(*) FROM snapshot").fetchone()[0] == 0
        assert session.conn.execute("SELECT count(*) FROM patients").fetchone()[0] == 0


def test_a_zip_of_the_export_is_read_in_memory(cache, expected, tmp_path):
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(SYNTHEA.iterdir()):
            zf.write(path, f"synthea-bulk-10/{path.name}")  # a zipped folder
    before = sorted(p.name for p in tmp_path.rglob("*"))
    with cache.login("admin") as session:
        report = import_snapshot(session, archive, as_of=AS_OF)
        check_cache(session, expected)
    assert report.source_kind == "bulk-zip"
    assert sorted(p.name for p in tmp_path.rglob("*")) == before  # nothing unpacked


def test_a_transaction_bundle_with_urn_uuid_references(cache, expected, tmp_path):
    entries = []
    for kind in ("Patient", "Practitioner", "Location", "MedicationRequest", "AllergyIntolerance"):
        for resource in lines(kind):
            resource = dict(resource)
            url = f"urn:uuid:{resource.pop('id')}"  # the id is only in the fullUrl
            for key in ("subject", "patient"):
                if key in resource:
                    resource[key] = {
                        "reference": "urn:uuid:" + resource[key]["reference"].split("/", 1)[1]
                    }
            entries.append(
                {"fullUrl": url, "resource": resource, "request": {"method": "POST", "url": kind}}
            )
    path = tmp_path / "bundle.json"
    path.write_text(
        json.dumps({"resourceType": "Bundle", "type": "transaction", "entry": entries}),
        encoding="utf-8",
    )
    with cache.login("admin") as session:
        report = import_snapshot(session, path, as_of=AS_OF)
        assert not report.rejections
        assert session.conn.execute("SELECT count(*) FROM orders").fetchone()[0] == 1745
        linked = session.conn.execute(
            "SELECT count(*) FROM orders o JOIN patients p ON p.source_id = o.patient_id"
        ).fetchone()[0]
        assert linked == 1745
        assert (
            session.conn.execute(
                "SELECT count(*) FROM orders WHERE prescriber_id IS NOT NULL"
            ).fetchone()[0]
            == (expected["prescribers_resolved"])
        )


def test_reading_is_streamed_not_loaded_whole(tmp_path):
    """A 10 MB NDJSON file is read line by line: memory stays far below the file's size."""
    import tracemalloc

    from continuity.fhir.sources import open_source

    patient = json.dumps(lines("Patient")[0]) + "\n"
    big = tmp_path / "Patient.ndjson"
    big.write_text(patient * ((10 << 20) // len(patient)), encoding="utf-8")
    tracemalloc.start()
    try:
        with open_source(big) as source:
            count = sum(1 for _ in source.resources())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == (10 << 20) // len(patient)
    assert peak < 3 << 20, f"peak {peak} bytes while reading a 10 MB file"
