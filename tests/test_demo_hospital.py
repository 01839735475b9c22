"""A trainer generates the demo clinic and gets a realistic French FHIR R4 bulk export.

The folder goes through the same importer as a real hospital export, so these tests check
what that importer and the people using the demo rely on: a manifest dated "as of", patients
in beds of wards, identifiers, active orders of every timing shape, references that resolve,
and byte-identical output for the same seed.
"""

from __future__ import annotations

import itertools
import json
import re
import time
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from continuity.core.errors import BadInput
from continuity.demo import DemoSummary, write_demo_snapshot

PARIS = ZoneInfo("Europe/Paris")
AS_OF = datetime(2024, 10, 1, 7, 30, tzinfo=PARIS)
IPP_SYSTEM = "urn:oid:1.2.250.1.999.1.1"
INS_SYSTEM = "urn:oid:1.2.250.1.213.1.4.8"
RPPS_SYSTEM = "urn:oid:1.2.250.1.71.4.2.1"


def read(folder: Path, kind: str) -> list[dict[str, Any]]:
    path = folder / f"{kind}.ndjson"
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def instant(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    assert moment.tzinfo is not None, text
    return moment


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoSummary]:
    folder = tmp_path_factory.mktemp("demo") / "export"
    summary = write_demo_snapshot(folder, as_of=AS_OF)
    return folder, summary


@pytest.fixture(scope="module")
def resources(demo: tuple[Path, DemoSummary]) -> dict[str, list[dict[str, Any]]]:
    folder, _ = demo
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return {entry["type"]: read(folder, entry["type"]) for entry in manifest["output"]}


def active_orders_by_patient(resources: dict[str, list[dict[str, Any]]]) -> Counter[str]:
    return Counter(
        order["subject"]["reference"]
        for order in resources["MedicationRequest"]
        if order["status"] == "active"
    )


def ipp_of(patient: dict[str, Any]) -> str:
    (ipp,) = [i["value"] for i in patient["identifier"] if i["system"] == IPP_SYSTEM]
    return ipp


def test_the_folder_is_a_bulk_export_whose_manifest_is_dated_as_of(demo) -> None:
    folder, summary = demo
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["transactionTime"] == AS_OF.isoformat()
    assert instant(manifest["transactionTime"]) == AS_OF
    assert manifest["requiresAccessToken"] is False
    assert manifest["error"] == []
    assert manifest["request"].endswith("$export")
    listed = {entry["type"]: entry for entry in manifest["output"]}
    for kind in (
        "Patient",
        "Encounter",
        "Location",
        "AllergyIntolerance",
        "MedicationRequest",
        "Medication",
        "Practitioner",
        "Appointment",
        "Observation",
    ):
        entry = listed[kind]
        path = folder / entry["url"]
        assert path.name == entry["url"], "urls are file names relative to the manifest"
        lines = path.read_text(encoding="utf-8").splitlines()
        assert len(lines) == entry["count"] == summary.counts[kind]
        assert all(json.loads(line)["resourceType"] == kind for line in lines)
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["manifest.json", *(entry["url"] for entry in manifest["output"])]
    )


def test_the_same_seed_gives_the_same_bytes_and_another_seed_does_not(tmp_path: Path) -> None:
    first = write_demo_snapshot(tmp_path / "a", patients=25, seed=7, as_of=AS_OF)
    write_demo_snapshot(tmp_path / "b", patients=25, seed=7, as_of=AS_OF)
    write_demo_snapshot(tmp_path / "c", patients=25, seed=8, as_of=AS_OF)
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "b").iterdir())
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert (tmp_path / "a" / "Patient.ndjson").read_bytes() != (
        tmp_path / "c" / "Patient.ndjson"
    ).read_bytes()
    assert first.patients == 25


def test_sixty_patients_each_with_a_unique_ipp_and_a_valid_ins(resources, demo) -> None:
    _, summary = demo
    patients = resources["Patient"]
    assert len(patients) == 60 == summary.patients
    ipps = [ipp_of(patient) for patient in patients]
    assert len(set(ipps)) == 60
    assert tuple(ipps) == summary.ipps
    for patient in patients:
        (ipp_identifier,) = [i for i in patient["identifier"] if i["system"] == IPP_SYSTEM]
        assert ipp_identifier["type"]["coding"][0] == {
            "system": "http://terminology.hl7.org/CodeSystem/v2-0203",
            "code": "PI",
            "display": "Patient internal identifier",
        }
        assert re.fullmatch(r"80\d{5}", ipp_identifier["value"])
        (ins,) = [i["value"] for i in patient["identifier"] if i["system"] == INS_SYSTEM]
        assert re.fullmatch(r"[12]\d{14}", ins)
        assert int(ins[13:]) == 97 - int(ins[:13]) % 97, "INS-NIR control key"
        assert patient["gender"] in ("female", "male")
        assert ins[0] == ("2" if patient["gender"] == "female" else "1")
        birth = datetime.fromisoformat(patient["birthDate"]).date()
        assert birth <= AS_OF.date()


def test_every_patient_lies_in_a_bed_of_a_room_of_a_ward(resources, demo) -> None:
    _, summary = demo
    locations = {loc["id"]: loc for loc in resources["Location"]}

    def physical(location: dict[str, Any]) -> str:
        coding = location["physicalType"]["coding"][0]
        assert coding["system"] == "http://terminology.hl7.org/CodeSystem/location-physical-type"
        return coding["code"]

    def parent(location: dict[str, Any]) -> dict[str, Any]:
        return locations[location["partOf"]["reference"].removeprefix("Location/")]

    encounters = {e["subject"]["reference"]: e for e in resources["Encounter"]}
    beds_taken: set[str] = set()
    wards_used: set[str] = set()
    for patient in resources["Patient"]:
        encounter = encounters[f"Patient/{patient['id']}"]
        assert encounter["status"] == "in-progress"
        assert encounter["class"]["code"] == "IMP"
        admitted = instant(encounter["period"]["start"])
        assert AS_OF - timedelta(days=10, hours=1) <= admitted < AS_OF
        assert encounter["serviceProvider"]["reference"].startswith("Organization/")
        bed = locations[encounter["location"][0]["location"]["reference"].split("/")[1]]
        room, ward = parent(bed), parent(parent(bed))
        assert (physical(bed), physical(room), physical(ward)) == ("bd", "ro", "wa")
        assert physical(parent(ward)) == "si"
        assert re.fullmatch(r"\d{3,5}-[AB]", bed["name"])
        assert room["name"] == f"Chambre {bed['name'].split('-')[0]}"
        assert encounter["location"][1]["location"]["reference"] == f"Location/{ward['id']}"
        assert bed["id"] not in beds_taken, "two patients in one bed"
        beds_taken.add(bed["id"])
        wards_used.add(ward["name"])
    assert {"Maternité", "Chirurgie", "Médecine", "Soins continus"} <= wards_used
    assert summary.ward_codes == ("MAT", "CHIR", "MED", "USC")
    beds = [loc for loc in resources["Location"] if physical(loc) == "bd"]
    assert 0.85 <= len(beds_taken) / len(beds) <= 0.95, "about 90 % occupancy"
    blocs = [loc for loc in resources["Location"] if loc["name"].startswith("Bloc ")]
    assert [b["name"] for b in blocs] == ["Bloc 1", "Bloc 2"]
    assert all(b["type"][0]["coding"][0]["code"] == "OR" for b in blocs)


def test_a_bigger_clinic_gets_more_wards(tmp_path: Path) -> None:
    summary = write_demo_snapshot(tmp_path / "big", patients=150, as_of=AS_OF)
    assert {"MED", "MED2"} <= set(summary.ward_codes)
    names = {loc["name"] for loc in read(tmp_path / "big", "Location")}
    assert "Médecine 2" in names


def test_each_patient_has_six_to_twelve_active_orders_and_a_few_have_many(resources, demo):
    _, summary = demo
    active = active_orders_by_patient(resources)
    ipps = {f"Patient/{p['id']}": ipp_of(p) for p in resources["Patient"]}
    assert set(active) == set(ipps)
    for patient, count in active.items():
        if ipps[patient] in summary.many_orders_ipps:
            assert 16 <= count <= 20
        else:
            assert 6 <= count <= 12, (ipps[patient], count)
    assert 2 <= len(summary.many_orders_ipps) <= 5
    statuses = Counter(order["status"] for order in resources["MedicationRequest"])
    assert statuses["on-hold"] and statuses["stopped"] and statuses["completed"]
    assert set(statuses) == {"active", "on-hold", "stopped", "completed"}
    for order in resources["MedicationRequest"]:
        assert order["intent"] == "order"
        assert order["requester"]["reference"].startswith("Practitioner/")
        assert instant(order["authoredOn"]) <= AS_OF
        if order["status"] in ("stopped", "completed"):
            bounds = order["dosageInstruction"][0]["timing"]["repeat"]["boundsPeriod"]
            assert instant(bounds["end"]) < AS_OF, "a past order must look finished"


def test_all_three_ways_of_naming_the_drug_appear(resources, demo) -> None:
    _, summary = demo
    orders = resources["MedicationRequest"]
    concept = [o for o in orders if "medicationCodeableConcept" in o]
    references = [o.get("medicationReference", {}).get("reference", "") for o in orders]
    referenced = [r for r in references if r.startswith("Medication/")]
    contained = [o for o, r in zip(orders, references, strict=True) if r == "#med1"]
    assert len(concept) > len(referenced) > 0
    assert len(contained) > 0
    assert len(concept) + len(referenced) + len(contained) == len(orders)
    assert summary.medication_forms == {
        "concept": len(concept),
        "ref": len(referenced),
        "contained": len(contained),
    }
    for order in contained:
        (medication,) = order["contained"]
        assert medication["resourceType"] == "Medication" and medication["id"] == "med1"
        assert "meta" not in medication, "contained resources carry no lastUpdated"
    atc = [
        o["medicationCodeableConcept"]
        for o in concept
        if "coding" in o["medicationCodeableConcept"]
    ]
    assert all(c["coding"][0]["system"] == "http://www.whocc.no/atc" and c["text"] for c in atc)


def test_orders_use_every_timing_shape_a_schedule_must_understand(resources) -> None:
    dosages = [o["dosageInstruction"][0] for o in resources["MedicationRequest"]]
    repeats = [d["timing"].get("repeat", {}) for d in dosages]
    assert any("frequency" in r and "periodUnit" in r for r in repeats)
    assert any("timeOfDay" in r for r in repeats)
    whens = {code for r in repeats for code in r.get("when", [])}
    assert {"MORN", "NOON", "EVE", "HS"} <= whens
    codes = {d["timing"]["code"]["coding"][0]["code"] for d in dosages if "code" in d["timing"]}
    assert {"BID", "TID", "Q6H", "Q8H"} <= codes
    assert any("count" in r for r in repeats)
    active = [o for o in resources["MedicationRequest"] if o["status"] == "active"]
    course_ends = [
        instant(o["dosageInstruction"][0]["timing"]["repeat"]["boundsPeriod"]["end"])
        for o in active
        if "boundsPeriod" in o["dosageInstruction"][0]["timing"].get("repeat", {})
    ]
    assert course_ends and all(AS_OF < end <= AS_OF + timedelta(days=7) for end in course_ends)
    prn = [d for d in dosages if d.get("asNeededBoolean") or "asNeededCodeableConcept" in d]
    conditions = {d.get("asNeededCodeableConcept", {}).get("text", "") for d in prn}
    assert {"si nausées ou vomissements", "si EVA > 3", "si T° > 38,5 °C"} & conditions
    assert any(d.get("asNeededBoolean") is True for d in prn)
    assert not any("asNeededBoolean" in d and "asNeededCodeableConcept" in d for d in dosages)
    for dosage in dosages:
        assert dosage["text"] and dosage["route"]["coding"][0]["system"] == "http://snomed.info/sct"
        assert dosage["doseAndRate"][0]["doseQuantity"]["value"] > 0
    validity_ends = [
        instant(o["dispenseRequest"]["validityPeriod"]["end"])
        for o in active
        if "dispenseRequest" in o
    ]
    assert any(AS_OF < end <= AS_OF + timedelta(days=3) for end in validity_ends)


def test_high_alert_drugs_and_a_very_long_order_are_there_to_stress_the_sheets(resources, demo):
    _, summary = demo
    labels = Counter()
    for order in resources["MedicationRequest"]:
        if "medicationCodeableConcept" in order:
            labels[order["medicationCodeableConcept"]["text"]] += 1
        else:
            labels[order["medicationReference"]["display"]] += 1
    text = " ".join(labels)
    for drug in (
        "Insuline",
        "Énoxaparine",
        "Morphine",
        "Chlorure de potassium",
        "Cyclophosphamide",
    ):
        assert drug in text, drug
    patients = {p["id"]: ipp_of(p) for p in resources["Patient"]}
    longest = max(
        resources["MedicationRequest"], key=lambda o: len(o["dosageInstruction"][0]["text"])
    )
    assert len(longest["dosageInstruction"][0]["text"]) > 300
    assert patients[longest["subject"]["reference"].split("/")[1]] == summary.long_order_ipp


def assert_references_resolve(resources: dict[str, list[dict[str, Any]]]) -> None:
    ids = {f"{kind}/{r['id']}" for kind, items in resources.items() for r in items}

    def walk(node: Any, resource: dict[str, Any]) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "reference":
                    if value.startswith("#"):
                        contained = {c["id"] for c in resource.get("contained", [])}
                        assert value[1:] in contained, value
                    else:
                        assert value in ids, value
                else:
                    walk(value, resource)
        elif isinstance(node, list):
            for item in node:
                walk(item, resource)

    for items in resources.values():
        for resource in items:
            walk(resource, resource)


def test_every_reference_resolves_inside_the_folder(resources) -> None:
    assert_references_resolve(resources)


@pytest.mark.parametrize("patients", [1, 4, 13])
def test_a_tiny_demo_is_still_consistent(tmp_path: Path, patients: int) -> None:
    summary = write_demo_snapshot(tmp_path, patients=patients, as_of=AS_OF)
    found = {kind: read(tmp_path, kind) for kind in summary.counts}
    assert len(found["Patient"]) == patients
    assert_references_resolve(found)
    assert summary.many_orders_ipps == ()
    assert all(6 <= n <= 12 for n in active_orders_by_patient(found).values())
    operated = [
        p["actor"]["reference"]
        for a in found["Appointment"]
        for p in a["participant"]
        if p["actor"]["reference"].startswith("Patient/")
    ]
    assert len(operated) == len(set(operated)), "nobody is booked twice"


def test_every_drug_of_the_catalogue_can_be_written() -> None:
    from continuity.demo.drugs import CATALOGUE, LONG_ORDER, ROUTES
    from continuity.demo.orders import AS_NEEDED, CODES, REPEATS

    for drug in (*CATALOGUE, LONG_ORDER):
        assert drug.route in ROUTES and drug.doses and drug.regimens, drug.key
        for regimen in drug.regimens:
            assert regimen in REPEATS or regimen in CODES or regimen in AS_NEEDED, regimen
            assert regimen not in AS_NEEDED or drug.prn, f"{drug.key}: PRN without a condition"
    assert len(CATALOGUE) >= 40


def test_names_carry_accents_and_apostrophes(resources) -> None:
    families = [p["name"][0]["family"] for p in resources["Patient"]]
    given = [p["name"][0]["given"][0] for p in resources["Patient"]]
    everything = families + given
    assert any("'" in name for name in families)
    assert any(re.search(r"[éèêëàâîïôöûüçÉÈ]", name) for name in everything)
    practitioners = resources["Practitioner"]
    assert len(practitioners) >= 15
    for practitioner in practitioners:
        (rpps,) = [i["value"] for i in practitioner["identifier"] if i["system"] == RPPS_SYSTEM]
        assert re.fullmatch(r"\d{11}", rpps)
    assert any("Pharmacien" in p["qualification"][0]["code"]["text"] for p in practitioners)


def test_allergies_recorded_absent_or_unknown(resources) -> None:
    by_patient: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for allergy in resources["AllergyIntolerance"]:
        by_patient[allergy["patient"]["reference"]].append(allergy)
        assert allergy["clinicalStatus"]["coding"][0]["code"] == "active"
    no_known = [
        ref
        for ref, items in by_patient.items()
        if items[0]["code"].get("coding", [{}])[0].get("code") == "716186003"
    ]
    allergic = [ref for ref in by_patient if ref not in no_known]
    nothing = len(resources["Patient"]) - len(by_patient)
    assert 10 <= len(allergic) <= 32, "about a third of the patients"
    assert no_known and nothing > 0
    criticalities = {a.get("criticality") for a in resources["AllergyIntolerance"]}
    assert {"high", "low"} <= criticalities


def test_operating_room_lists_cover_today_and_tomorrow(resources) -> None:
    per_room_day: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for appointment in resources["Appointment"]:
        assert appointment["status"] == "booked"
        assert instant(appointment["start"]) < instant(appointment["end"])
        actors = [p["actor"]["reference"] for p in appointment["participant"]]
        assert any(actor.startswith("Patient/") for actor in actors)
        place = next(actor for actor in actors if actor.startswith("Location/"))
        if place.startswith("Location/loc-bloc-"):
            assert any(actor.startswith("Practitioner/") for actor in actors), "surgeon"
            day = instant(appointment["start"]).astimezone(PARIS).date().isoformat()
            per_room_day[(place, day)].append(appointment)
    today, tomorrow = AS_OF.date(), AS_OF.date() + timedelta(days=1)
    assert {day for _, day in per_room_day} == {today.isoformat(), tomorrow.isoformat()}
    assert {room for room, _ in per_room_day} == {"Location/loc-bloc-1", "Location/loc-bloc-2"}
    for surgeries in per_room_day.values():
        assert 4 <= len(surgeries) <= 6
        times = sorted((instant(a["start"]), instant(a["end"])) for a in surgeries)
        assert all(end <= next_start for (_, end), (next_start, _) in itertools.pairwise(times))
    exams = {a["serviceType"][0]["text"] for a in resources["Appointment"]} - {
        a["serviceType"][0]["text"] for room in per_room_day.values() for a in room
    }
    assert any(exam.startswith(("Échographie", "Radiographie", "Scanner")) for exam in exams)


def test_vital_signs_of_the_last_day_are_coded_in_loinc(resources) -> None:
    per_patient: dict[str, set[str]] = defaultdict(set)
    codes = Counter()
    for observation in resources["Observation"]:
        category = observation["category"][0]["coding"][0]
        assert category["code"] == "vital-signs"
        code = observation["code"]["coding"][0]
        assert code["system"] == "http://loinc.org"
        codes[code["code"]] += 1
        taken = instant(observation["effectiveDateTime"])
        assert AS_OF - timedelta(hours=24) <= taken <= AS_OF
        per_patient[observation["subject"]["reference"]].add(observation["effectiveDateTime"])
        if code["code"] == "85354-9":
            components = {c["code"]["coding"][0]["code"] for c in observation["component"]}
            assert components == {"8480-6", "8462-4"}
            assert observation["component"][0]["valueQuantity"]["code"] == "mm[Hg]"
    assert set(codes) == {"85354-9", "8867-4", "9279-1", "8310-5", "2708-6", "29463-7", "2339-0"}
    assert len(per_patient) == 60
    assert all(2 <= len(rounds) <= 3 for rounds in per_patient.values())


def test_nothing_was_updated_after_as_of(resources) -> None:
    for items in resources.values():
        for resource in items:
            assert instant(resource["meta"]["lastUpdated"]) <= AS_OF, resource["id"]


def test_the_generator_refuses_a_naive_time_and_a_foreign_folder(tmp_path: Path) -> None:
    with pytest.raises(BadInput):
        write_demo_snapshot(tmp_path / "x", as_of=datetime(2024, 10, 1, 7, 30))
    foreign = tmp_path / "real-export"
    foreign.mkdir()
    (foreign / "Patient.000.ndjson").write_text("{}\n", encoding="utf-8")
    with pytest.raises(BadInput):
        write_demo_snapshot(foreign, as_of=AS_OF)
    assert [p.name for p in foreign.iterdir()] == ["Patient.000.ndjson"]
    # a previous demo is simply replaced
    write_demo_snapshot(tmp_path / "again", patients=5, as_of=AS_OF)
    summary = write_demo_snapshot(tmp_path / "again", patients=8, as_of=AS_OF)
    assert len(read(tmp_path / "again", "Patient")) == 8 == summary.patients


def test_a_sample_of_each_resource_type_is_valid_fhir(resources) -> None:
    """fhir.resources ships R4B (not R4) models: the same shapes for every type used here."""
    r4b = pytest.importorskip("fhir.resources.R4B")
    for kind, items in resources.items():
        model = r4b.get_fhir_model_class(kind)
        step = max(1, len(items) // 15)
        for resource in items[::step]:
            model.model_validate(resource)


@pytest.mark.slow
def test_five_thousand_patients_are_generated_in_seconds(tmp_path: Path) -> None:
    started = time.perf_counter()
    summary = write_demo_snapshot(tmp_path / "big", patients=5000, as_of=AS_OF)
    elapsed = time.perf_counter() - started
    assert elapsed < 15
    lines = {
        kind: sum(1 for _ in (tmp_path / "big" / f"{kind}.ndjson").open(encoding="utf-8"))
        for kind in summary.counts
    }
    assert lines == dict(summary.counts)
    assert lines["Patient"] == 5000
    assert 40_000 <= lines["MedicationRequest"] <= 60_000
