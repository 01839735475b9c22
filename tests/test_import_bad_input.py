"""A broken snapshot gets a clear report naming the file and line, and changes nothing.

Structural damage (a truncated line) stops the import whatever the options; a resource that
fails validation is listed, and the import goes on only when partial snapshots are accepted.
Whatever happens, the previous snapshot stays exactly as it was.
"""

from __future__ import annotations

import hashlib
import json

import pytest

from continuity.core.errors import PermissionDenied
from continuity.fhir.errors import ImportCancelled, SnapshotFormatError, SnapshotRejected
from continuity.fhir.importer import import_snapshot
from tests.snapshot_fixtures import bundle_of, hospital, write_bulk

TABLES = (
    "snapshot",
    "locations",
    "practitioners",
    "patients",
    "allergies",
    "orders",
    "appointments",
    "observations",
)


def digest(session) -> str:
    """Every row of every snapshot table: equal digests mean nothing changed."""
    sha = hashlib.sha256()
    for table in TABLES:
        for row in session.conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2"):
            sha.update(repr(row).encode())
    return sha.hexdigest()


@pytest.fixture
def loaded(cache, tmp_path):
    """A cache already holding a good snapshot, and its digest."""
    session = cache.login("admin")
    import_snapshot(session, write_bulk(tmp_path / "good", hospital()))
    yield session, digest(session)
    session.close()


def test_a_truncated_line_names_its_file_and_line_and_changes_nothing(loaded, tmp_path):
    session, before = loaded
    folder = write_bulk(tmp_path / "bad", hospital())
    path = folder / "MedicationRequest.ndjson"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: len(text) - 40], encoding="utf-8")  # the copy stopped mid-line
    for partial in (False, True):
        with pytest.raises(SnapshotFormatError) as refused:
            import_snapshot(session, folder, accept_partial=partial)
        assert "MedicationRequest.ndjson:7" in str(refused.value)
        assert "rien n'a été importé" in str(refused.value)  # French first
        assert digest(session) == before


def test_a_reference_to_a_missing_patient_is_rejected_with_its_place(loaded, tmp_path):
    session, before = loaded
    resources = hospital()
    resources["MedicationRequest"][3]["subject"] = {"reference": "Patient/nobody"}
    folder = write_bulk(tmp_path / "bad", resources)
    with pytest.raises(SnapshotRejected) as refused:
        import_snapshot(session, folder)
    rejection = refused.value.report.rejections[0]
    assert rejection.where == "MedicationRequest.ndjson:4"
    assert rejection.resource_id == "o-amox" and "missing patient" in rejection.reason
    assert "MedicationRequest.ndjson:4" in str(refused.value)
    assert digest(session) == before


def test_accept_partial_imports_the_rest_and_lists_what_was_left_out(loaded, tmp_path):
    session, _ = loaded
    resources = hospital()
    resources["MedicationRequest"][3]["subject"] = {"reference": "Patient/nobody"}
    report = import_snapshot(session, write_bulk(tmp_path / "bad", resources), accept_partial=True)
    assert report.partial and len(report.rejections) == 1
    assert report.counts["MedicationRequest"].as_dict() == {
        "read": 7,
        "imported": 6,
        "rejected": 1,
        "skipped": 0,
    }
    ids = {r[0] for r in session.conn.execute("SELECT source_id FROM orders")}
    assert "o-amox" not in ids and "o-enox" in ids
    stored = json.loads(session.conn.execute("SELECT report FROM snapshot").fetchone()[0])
    assert stored["partial"] and stored["rejections"][0]["id"] == "o-amox"


def test_duplicate_ids_are_rejected(loaded, tmp_path):
    session, before = loaded
    resources = hospital()
    twin = dict(resources["Patient"][0], name=[{"family": "Autre", "given": ["Personne"]}])
    resources["Patient"].append(twin)
    with pytest.raises(SnapshotRejected) as refused:
        import_snapshot(session, write_bulk(tmp_path / "bad", resources))
    rejection = refused.value.report.rejections[0]
    assert rejection.where == "Patient.ndjson:4"
    assert "duplicate id" in rejection.reason and "Patient.ndjson:1" in rejection.reason
    assert digest(session) == before


def test_an_impossible_date_rejects_the_patient_and_what_depends_on_her(loaded, tmp_path):
    session, before = loaded
    resources = hospital()
    resources["Patient"][1]["birthDate"] = "1948-02-30"
    folder = write_bulk(tmp_path / "bad", resources)
    with pytest.raises(SnapshotRejected):
        import_snapshot(session, folder)
    assert digest(session) == before
    report = import_snapshot(session, folder, accept_partial=True)
    first = report.rejections[0]
    assert (first.where, first.resource_id) == ("Patient.ndjson:2", "p-jean")
    assert "impossible date '1948-02-30' in Patient.birthDate" in first.reason
    # Jean's stay, allergy and orders refer to a patient who is no longer there.
    assert {r.resource_type for r in report.rejections[1:]} == {
        "Encounter",
        "AllergyIntolerance",
        "MedicationRequest",
        "Appointment",
    }
    assert all("missing patient" in r.reason for r in report.rejections[1:])


def test_a_resource_of_the_wrong_shape_is_rejected(loaded, tmp_path):
    session, before = loaded
    folder = write_bulk(tmp_path / "bad", hospital())
    with (folder / "Patient.ndjson").open("a", encoding="utf-8") as handle:
        handle.write("[1, 2, 3]\n")
        handle.write(json.dumps({"resourceType": "Patient", "id": "x", "name": "Dupont"}) + "\n")
        handle.write(json.dumps({"resourceType": "Encounter", "id": "e9"}) + "\n")
    with pytest.raises(SnapshotRejected) as refused:
        import_snapshot(session, folder)
    reasons = [(r.where, r.reason) for r in refused.value.report.rejections]
    assert reasons == [
        ("Patient.ndjson:4", "wrong shape: not a FHIR resource (no resourceType)"),
        ("Patient.ndjson:5", "wrong shape: Patient.name must be a list"),
        ("Patient.ndjson:6", "wrong shape: a Encounter in the Patient file"),
    ]
    assert digest(session) == before


def test_a_bundle_names_the_entry_index(cache, tmp_path):
    bundle = bundle_of(hospital())
    bundle["entry"][9]["resource"]["birthDate"] = "1990-13-01"
    path = tmp_path / "export.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    with cache.login("admin") as session, pytest.raises(SnapshotRejected) as refused:
        import_snapshot(session, path)
    assert refused.value.report.rejections[0].where == "export.json entry 9"


def test_a_truncated_bundle_is_refused(cache, tmp_path):
    path = tmp_path / "export.json"
    path.write_text(json.dumps(bundle_of(hospital()))[:-100], encoding="utf-8")
    with cache.login("admin") as session, pytest.raises(SnapshotFormatError, match=r"export\.json"):
        import_snapshot(session, path)


def test_a_manifest_listing_a_missing_file_or_an_incremental_export_is_refused(loaded, tmp_path):
    session, before = loaded
    folder = write_bulk(tmp_path / "bad", hospital())
    (folder / "Observation.ndjson").unlink()
    with pytest.raises(SnapshotFormatError, match=r"Observation\.ndjson"):
        import_snapshot(session, folder)
    folder = write_bulk(tmp_path / "since", hospital())
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["request"] += "?_since=2026-11-27T00:00:00Z"
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(SnapshotFormatError, match="_since"):
        import_snapshot(session, folder)
    assert digest(session) == before


def test_cancelling_changes_nothing(loaded, tmp_path):
    session, before = loaded
    with pytest.raises(ImportCancelled):
        import_snapshot(session, write_bulk(tmp_path / "next", hospital()), cancel=lambda: True)
    assert digest(session) == before


def test_progress_is_reported_in_bytes(cache, tmp_path):
    seen = []
    with cache.login("admin") as session:
        import_snapshot(
            session,
            write_bulk(tmp_path / "w", hospital()),
            progress=lambda done, total: seen.append((done, total)),
        )
    total = seen[-1][1]
    assert seen[-1][0] == total > 0 and all(t == total for _, t in seen)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


@pytest.mark.parametrize("who", ["nurse", "pharma"])
def test_only_it_may_import(cache, tmp_path, who):
    folder = write_bulk(tmp_path / "w", hospital())
    with cache.login(who) as session:
        with pytest.raises(PermissionDenied):
            import_snapshot(session, folder)
        assert session.conn.execute("SELECT count(*) FROM patients").fetchone()[0] == 0


def test_refusals_are_in_the_audit_log(loaded, tmp_path):
    session, _ = loaded
    folder = write_bulk(tmp_path / "bad", hospital())
    (folder / "Patient.ndjson").write_text("{not json\n", encoding="utf-8")
    with pytest.raises(SnapshotFormatError):
        import_snapshot(session, folder)
    action, detail = session.conn.execute(
        "SELECT action, detail FROM audit_log ORDER BY id DESC LIMIT 1"
    ).fetchone()
    assert action == "snapshot_import_failed" and "Patient.ndjson:1" in detail
