"""IT imports the ward's export and each nurse finds her patients where they lie.

The hand-made ward (tests/snapshot_fixtures.py) has what real French exports have and the
public sample lacks: beds in rooms in wards, INS and IPP, contained and referenced Medication,
clock-time and meal-time schedules, conditional references, an OR list and vital signs.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest

from continuity.core.clock import PARIS, from_iso
from continuity.core.high_alert import is_high_alert, load_high_alert_list
from continuity.core.text import fold
from continuity.core.timing import ScheduleConfig, TimingSpec, expand_day
from continuity.fhir.errors import SnapshotFormatError, SnapshotRejected
from continuity.fhir.importer import import_snapshot
from tests.snapshot_fixtures import AS_OF, IPP_SYSTEM, bundle_of, hospital, write_bulk


def rows(session, sql: str, *args) -> list[dict]:
    cursor = session.conn.execute(sql, args)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]


def one(session, sql: str, *args) -> dict:
    found = rows(session, sql, *args)
    assert len(found) == 1, found
    return found[0]


@pytest.fixture
def imported(cache, tmp_path):
    folder = write_bulk(tmp_path / "export", hospital())
    session = cache.login("admin")
    report = import_snapshot(session, folder)
    yield session, report
    session.close()


def test_the_snapshot_is_dated_by_its_manifest(imported):
    session, report = imported
    assert report.as_of == from_iso(AS_OF) and report.as_of_origin == "manifest"
    snap = one(session, "SELECT * FROM snapshot")
    assert snap["as_of"] == AS_OF and snap["as_of_origin"] == "manifest"
    assert snap["imported_by"] == "admin" and snap["signature"] == "not-required"
    assert json.loads(snap["report"])["counts"]["Patient"]["imported"] == 3


def test_each_patient_is_in_the_ward_room_and_bed_of_the_current_stay(imported):
    session, _ = imported
    eloise = one(session, "SELECT * FROM patients WHERE source_id = 'p-eloise'")
    assert (eloise["ward"], eloise["room"], eloise["bed"]) == ("Médecine", "Chambre 104", "104-A")
    assert eloise["admitted_at"] == "2026-11-25T13:30:00Z"
    # Jean's bed is named by a conditional reference (Location?identifier=system|value).
    jean = one(session, "SELECT * FROM patients WHERE source_id = 'p-jean'")
    assert (jean["ward"], jean["room"], jean["bed"]) == ("Médecine", "Chambre 104", "104-B")
    # Lucie's only stay is finished: she is known but has no bed.
    lucie = one(session, "SELECT * FROM patients WHERE source_id = 'p-lucie'")
    assert lucie["ward"] is None and lucie["bed"] is None


def test_identities_carry_ins_ipp_and_a_folded_search_key(imported):
    session, _ = imported
    eloise = one(session, "SELECT * FROM patients WHERE source_id = 'p-eloise'")
    assert eloise["ipp"] == "8000123" and eloise["ins"] == "290017512345678"
    assert (eloise["family"], eloise["given"]) == ("Dupont-Lefèvre", "Éloïse Marie")
    assert eloise["birth_date"] == "1990-01-17" and eloise["sex"] == "female"
    assert eloise["search_key"] == "dupont-lefevre eloise marie 8000123 104-a"
    assert {i["value"] for i in json.loads(eloise["identifiers"])} == {"8000123", "290017512345678"}
    # A test-OID INS is still the INS; the IPP is found by its type, not by position.
    jean = one(session, "SELECT ipp, ins FROM patients WHERE source_id = 'p-jean'")
    assert jean == {"ipp": "8000124", "ins": "190017512345699"}
    found = rows(
        session, "SELECT source_id FROM patients WHERE search_key LIKE ?", f"%{fold('LEFÈVRE')}%"
    )
    assert [r["source_id"] for r in found] == ["p-eloise"]


def test_allergy_status_tells_recorded_from_none_known_from_unknown(imported):
    session, _ = imported
    status = {
        r["source_id"]: r["allergy_status"]
        for r in rows(session, "SELECT source_id, allergy_status FROM patients")
    }
    assert status == {"p-eloise": "recorded", "p-jean": "none_known", "p-lucie": "unknown"}
    allergy = one(session, "SELECT * FROM allergies")
    assert allergy["substance"] == "Pénicilline" and allergy["criticality"] == "high"
    assert allergy["reaction"] == "Urticaire" and allergy["status"] == "active"


def test_referenced_and_contained_medications_give_drug_dose_route_and_flags(imported):
    session, _ = imported
    enox = one(session, "SELECT * FROM orders WHERE source_id = 'o-enox'")
    assert enox["drug"] == "Énoxaparine 4000 UI/0,4 mL" and enox["form"] == "solution injectable"
    assert enox["drug_code"] == "B01AB05" and enox["high_alert"] == 1
    assert (enox["dose_value"], enox["dose_unit"], enox["route"]) == (4000.0, "UI", "sous-cutanée")
    # The prescriber was named by Practitioner?identifier=idNatPs|8 + RPPS.
    assert enox["prescriber_id"] == "dr-martin" and enox["prescriber_name"] == "Dr Jeanne Martin"
    assert enox["prescriber_rpps"] == "10001234567"
    assert enox["authored_on"] == "2026-11-27T08:00:00Z"
    para = one(session, "SELECT * FROM orders WHERE source_id = 'o-para'")
    assert para["drug"] == "Paracétamol 1 g comprimé" and para["form"] == "comprimé"
    assert para["high_alert"] == 0
    assert para["start"] == "2026-11-26T07:00:00Z"
    assert para["end"] == "2026-12-05T22:59:59Z"  # a date-only end includes its whole day
    assert para["validity_end"] == "2026-12-10T22:59:59Z"
    dr = one(session, "SELECT * FROM orders WHERE source_id = 'o-contained-dr'")
    assert (dr["prescriber_id"], dr["prescriber_name"], dr["prescriber_rpps"]) == (
        None,
        "Anne Petit",
        "10001111111",
    )


def test_schedules_are_stored_so_any_day_of_the_outage_expands(imported):
    session, _ = imported
    specs = {
        r["source_id"]: TimingSpec.from_json(r["timing"])
        for r in rows(session, "SELECT source_id, timing FROM orders")
    }
    cfg = ScheduleConfig.default()
    para = one(session, "SELECT start, end FROM orders WHERE source_id = 'o-para'")
    day_12 = expand_day(
        specs["o-para"],
        date(2026, 12, 3),
        cfg,
        order_start=from_iso(para["start"]),
        order_end=from_iso(para["end"]),
    )
    assert [t.astimezone(PARIS).strftime("%H:%M") for t in day_12] == ["08:00", "14:00", "20:00"]
    assert (
        expand_day(
            specs["o-para"],
            date(2026, 12, 6),
            cfg,
            order_start=from_iso(para["start"]),
            order_end=from_iso(para["end"]),
        )
        == []
    )
    assert specs["o-enox"].when == ("EVE",)
    assert specs["o-amox"].per_day == 2
    morphine = one(session, "SELECT * FROM orders WHERE source_id = 'o-morph'")
    assert morphine["as_needed"] == 1 and morphine["prn_reason"] == "douleur EVA > 4"
    assert morphine["high_alert"] == 1 and specs["o-morph"].as_needed
    # Two dosages of different strengths: no single schedule is right, so none is guessed.
    two = one(session, "SELECT * FROM orders WHERE source_id = 'o-two-doses'")
    assert not specs["o-two-doses"].expandable
    assert two["instructions"] == "1 le matin ; 2 le soir" and two["dose_value"] is None


def test_stopped_orders_are_kept_with_their_status(imported):
    session, _ = imported
    statuses = {
        r["source_id"]: r["status"] for r in rows(session, "SELECT source_id, status FROM orders")
    }
    assert statuses["o-stopped"] == "stopped"
    assert sum(1 for s in statuses.values() if s == "active") == 6


def test_or_list_appointments_and_latest_vitals(imported):
    session, _ = imported
    bloc = one(session, "SELECT * FROM appointments WHERE source_id = 'apt-bloc'")
    assert bloc["kind"] == "operating" and bloc["location"] == "Bloc 1"
    assert bloc["patient_id"] == "p-eloise" and bloc["start"] == "2026-11-28T07:30:00Z"
    assert json.loads(bloc["participants"]) == [
        {
            "type": "Practitioner",
            "id": "dr-roux",
            "name": "Dr Paul Roux",
            "role": "Chirurgien",
            "status": "accepted",
        }
    ]
    radio = one(session, "SELECT * FROM appointments WHERE source_id = 'apt-radio'")
    assert radio["kind"] == "appointment" and radio["service"] == "Scanner thoracique"
    vitals = {r["code"]: r for r in rows(session, "SELECT * FROM observations")}
    assert vitals["29463-7"]["value"] == 60.2 and vitals["29463-7"]["unit"] == "kg"
    assert vitals["29463-7"]["effective"] == "2026-11-27T06:00:00Z"
    assert vitals["85354-9"]["value_text"] == "120/80"
    assert vitals["8480-6"]["value"] == 120.0
    assert "2345-7" not in vitals  # a laboratory result is not a vital sign


def test_the_report_counts_read_imported_rejected_and_skipped(imported):
    _, report = imported
    counts = {k: (c.read, c.imported, c.rejected, c.skipped) for k, c in report.counts.items()}
    assert counts["Encounter"] == (3, 2, 0, 1)  # the finished stay is skipped
    assert counts["Organization"] == (1, 0, 0, 1)
    assert counts["Observation"] == (4, 2, 0, 2)  # an older weight and a lab result
    assert counts["MedicationRequest"] == (7, 7, 0, 0)
    assert not report.rejections and not report.partial


def test_a_bundle_with_urn_uuid_references_imports_the_same_ward(cache, tmp_path):
    path = tmp_path / "ward-bundle.json"
    path.write_text(json.dumps(bundle_of(hospital())), encoding="utf-8")
    with cache.login("admin") as session:
        report = import_snapshot(session, path)
        assert report.source_kind == "bundle"
        # No manifest: the newest meta.lastUpdated dates the data.
        assert report.as_of_origin == "lastUpdated"
        assert report.as_of == datetime.fromisoformat("2026-11-27T10:00:00+01:00")
        eloise = one(session, "SELECT ward, bed FROM patients WHERE source_id = 'p-eloise'")
        assert eloise == {"ward": "Médecine", "bed": "104-A"}
        enox = one(session, "SELECT drug, patient_id FROM orders WHERE source_id = 'o-enox'")
        assert enox == {"drug": "Énoxaparine 4000 UI/0,4 mL", "patient_id": "p-eloise"}


@pytest.mark.parametrize("kind", ["collection", "searchset", "batch"])
def test_other_snapshot_bundle_types_are_read(cache, tmp_path, kind):
    path = tmp_path / "b.json"
    path.write_text(json.dumps(bundle_of(hospital(), kind=kind)), encoding="utf-8")
    with cache.login("admin") as session:
        report = import_snapshot(session, path)
    assert report.counts["Patient"].imported == 3


def test_a_history_bundle_is_not_a_snapshot(cache, tmp_path):
    path = tmp_path / "b.json"
    path.write_text(json.dumps(bundle_of(hospital(), kind="history")), encoding="utf-8")
    with cache.login("admin") as session, pytest.raises(SnapshotFormatError, match="history"):
        import_snapshot(session, path)


def test_folding_and_the_high_alert_list(tmp_path: Path):
    assert fold("  Éloïse   DUPONT-Lefèvre ") == "eloise dupont-lefevre"
    assert fold("Cœur") == "coeur" and fold(None) == ""
    assert is_high_alert("INSULINE glargine") and is_high_alert("Insulin lispro")
    assert is_high_alert("Héparine sodique") and is_high_alert("xx", "B01AB05")
    assert is_high_alert("Chlorure de potassium 10 %")
    assert not is_high_alert("Paracétamol 1 g") and not is_high_alert("Amoxicilline", "J01CA04")
    # The list is a file the pharmacist edits: a site may add its own entries.
    site = tmp_path / "list.txt"
    site.write_text("# local\nvancomycine\nATC:J01XA\n", encoding="utf-8")
    local = load_high_alert_list(site)
    assert local.match("Vancomycine 1 g") == "vancomycine"
    assert local.match("x", "J01XA01") == "ATC:J01XA"
    assert local.match("Insuline") is None


def test_references_in_every_form_resolve(cache, tmp_path):
    resources = hospital()
    orders = {o["id"]: o for o in resources["MedicationRequest"]}
    orders["o-amox"]["subject"] = {
        "reference": "https://ehr.example/fhir/Patient/p-jean/_history/3"
    }
    orders["o-stopped"]["subject"] = {
        "type": "Patient",
        "identifier": {"system": IPP_SYSTEM, "value": "8000124"},
    }
    orders["o-two-doses"]["requester"] = {"reference": "PractitionerRole/role-roux"}
    orders["o-morph"]["requester"] = {
        "reference": "Practitioner?identifier=http%3A%2F%2Frpps.fr%7C10009876543"
    }
    orders["o-enox"]["requester"] = {
        "reference": "Practitioner/not-exported",
        "display": "Dr Absent",
    }
    resources["PractitionerRole"] = [
        {
            "resourceType": "PractitionerRole",
            "id": "role-roux",
            "practitioner": {"reference": "Practitioner/dr-roux"},
        }
    ]
    with cache.login("admin") as session:
        report = import_snapshot(session, write_bulk(tmp_path / "w", resources))
        assert not report.rejections
        got = {
            r["source_id"]: r
            for r in rows(
                session, "SELECT source_id, patient_id, prescriber_id, prescriber_name FROM orders"
            )
        }
    assert got["o-amox"]["patient_id"] == "p-jean"
    assert got["o-stopped"]["patient_id"] == "p-jean"
    assert got["o-two-doses"]["prescriber_id"] == "dr-roux"
    assert got["o-morph"]["prescriber_id"] == "dr-roux"  # percent-encoded conditional
    # A practitioner the export did not include is kept as text, not an error.
    assert (got["o-enox"]["prescriber_id"], got["o-enox"]["prescriber_name"]) == (None, "Dr Absent")


def test_an_ambiguous_conditional_reference_is_rejected(cache, tmp_path):
    resources = hospital()
    twin = dict(resources["Location"][4], id="bed-104b-copy")  # same identifier 104-B
    resources["Location"].append(twin)
    with cache.login("admin") as session, pytest.raises(SnapshotRejected) as refused:
        import_snapshot(session, write_bulk(tmp_path / "w", resources))
    rejection = refused.value.report.rejections[0]
    assert rejection.resource_id == "stay-2" and "matches 2 Location" in rejection.reason
