"""What reaches the central record: FHIR R4 resources that validate, and a transaction Bundle
that can be posted twice without creating anything twice."""

from __future__ import annotations

import pytest
from fhir.resources.R4B.bundle import Bundle

from continuity.reconcile.package_contents import PackageContents
from continuity.reconcile.package_format import open_package
from continuity.store import entries
from tests.conftest import PHARMACIST_PASSWORD
from tests.reconcile_helpers import (
    PASSPHRASE,
    admit,
    bundle_resources,
    entry_ids,
    fast_export_kdf,  # noqa: F401 - autouse fixture
    give,
    laptop_from_fixture,
    merged_bundle,
    vitals,
)

TIMING = {"repeat": {"frequency": 1, "period": 1, "periodUnit": "d", "timeOfDay": ["08:00:00"]}}


@pytest.fixture
def recorded(cache):
    """One laptop with an entry of every kind, a correction and a retraction."""
    laptop = laptop_from_fixture(cache)
    made = {}
    with laptop.login() as nurse:
        made["dose"] = give(nurse, comment="RAS")
        made["witnessed"] = entries.record_dose(
            nurse,
            patient_id="pat-2",
            order_id="ord-insu",
            scheduled="2026-11-28T08:00",
            status="given",
            at="2026-11-28T08:03",
            witness="pharma",
            witness_password=PHARMACIST_PASSWORD,
            confirm=True,
            site="abdomen",
        )
        made["refused"] = give(nurse, order="ord-para", status="not_given", reason="refused")
        made["vitals"] = vitals(
            nurse,
            bp_sys=150,
            bp_dia=95,
            hr=110,
            rr=22,
            temp=38.6,
            spo2=93,
            o2_flow=2,
            pain=4,
            avpu="A",
            weight=71.2,
            glucose=1.3,
            comment="fébrile",
        )
        made["note"] = entries.record_note(
            nurse, patient_id="pat-1", text="Chute sans gravité", category="incident"
        )
        made["allergy"] = entries.record_allergy(
            nurse, patient_id="pat-1", substance="Iode", reaction="urticaire", criticality="high"
        )
        made["order"] = entries.record_manual_order(
            nurse,
            patient_id="pat-1",
            drug="Métoclopramide 10 mg",
            dose_value=10,
            dose_unit="mg",
            route="IV",
            prescriber_name="Dr Girard",
            prescriber_rpps="10101234567",
            paper_ref="ORD-7",
            timing=TIMING,
            at="2026-11-28T07:30",
        )
        made["manual_dose"] = give(nurse, order=made["order"].order_id)
        made["infusion"] = entries.record_infusion(
            nurse,
            patient_id="pat-1",
            action="start",
            solution="NaCl 0,9 %",
            additive="KCl 1 g",
            rate=83,
            volume=1000,
            at="2026-11-28T06:00",
        )
        made["rate"] = entries.record_infusion(
            nurse,
            patient_id="pat-1",
            action="rate_change",
            infusion=made["infusion"].uuid,
            rate=42,
            at="2026-11-28T07:00",
        )
        made["line"] = entries.record_line(
            nurse,
            patient_id="pat-1",
            action="inserted",
            line_kind="peripheral_iv",
            site="avant-bras gauche",
            at="2026-11-28T05:50",
        )
        made["admission"] = admit(nurse)
        made["transfer"] = entries.transfer_patient(
            nurse, patient_id="pat-2", ward="CHIR", room="3", bed="B", at="2026-11-28T09:00"
        )
        made["discharge"] = entries.discharge_patient(
            nurse, patient_id="pat-1", destination="domicile", at="2026-11-28T09:30"
        )
        made["wrong"] = vitals(nurse, patient="pat-2", hr=60)
        made["fixed"] = entries.correct_entry(nurse, made["wrong"].uuid, "valeur erronée", hr=66)
        made["oops"] = entries.record_note(nurse, patient_id="pat-2", text="mauvais patient")
        made["retraction"] = entries.retract_entry(nurse, made["oops"].uuid, "mauvais patient")
    return laptop, made


def _package_bundle(laptop, path) -> dict:
    result = laptop.export(path)
    opened = open_package(result.path, PASSPHRASE)
    return PackageContents(opened.payload, path.name).read_json("bundle.json")


def test_every_kind_of_entry_becomes_valid_fhir_r4(recorded, tmp_path):
    laptop, _made = recorded
    bundle = _package_bundle(laptop, tmp_path / "a.ccx")
    Bundle.model_validate(bundle)
    types = {e["resource"]["resourceType"] for e in bundle["entry"]}
    assert types == {
        "MedicationAdministration",
        "Observation",
        "DocumentReference",
        "AllergyIntolerance",
        "MedicationRequest",
        "Procedure",
        "Patient",
        "Encounter",
        "Provenance",
    }


def test_every_resource_carries_the_entry_identifier_and_a_conditional_create(recorded, tmp_path):
    laptop, _made = recorded
    bundle = _package_bundle(laptop, tmp_path / "a.ccx")
    for entry in bundle["entry"]:
        resource, request = entry["resource"], entry["request"]
        if resource["resourceType"] == "Provenance":
            assert request == {"method": "PUT", "url": f"Provenance/{resource['id']}"}
            assert resource["id"].startswith("continuity-")
            continue
        assert entry_ids(resource), resource
        if request["method"] == "POST":
            system_value = request["ifNoneExist"].removeprefix("identifier=")
            system, value = system_value.split("|", 1)
            assert {"system": system, "value": value} in [
                {"system": i.get("system"), "value": i["value"]} for i in resource["identifier"]
            ]
        else:  # a superseded entry: a conditional update, idempotent too
            assert (
                request["method"] == "PUT"
                and "?identifier=urn:continuity:entry" in (request["url"])
            )
            assert resource.get("status") == "entered-in-error" or (
                resource["verificationStatus"]["coding"][0]["code"] == "entered-in-error"
            )
    full_urls = [e["fullUrl"] for e in bundle["entry"]]
    assert len(full_urls) == len(set(full_urls))


def test_doses_say_who_gave_witnessed_what_dose_on_which_order(recorded, tmp_path):
    laptop, made = recorded
    bundle = _package_bundle(laptop, tmp_path / "a.ccx")
    doses = {entry_ids(r)[0]: r for r in bundle_resources(bundle, "MedicationAdministration")}
    witnessed = doses[made["witnessed"].uuid]
    assert witnessed["status"] == "completed"
    assert witnessed["request"] == {"reference": "MedicationRequest/ord-insu"}
    assert [p["function"]["coding"][0]["code"] for p in witnessed["performer"]] == [
        "performer",
        "witness",
    ]
    assert witnessed["performer"][1]["actor"]["display"] == "Paul Pharmacien"
    assert witnessed["dosage"]["dose"] == {
        "value": 6,
        "unit": "UI",
        "system": "http://unitsofmeasure.org",
        "code": "[iU]",
    }
    assert witnessed["dosage"]["site"] == {"text": "abdomen"}
    assert witnessed["effectiveDateTime"] == "2026-11-28T08:03:00+01:00"
    refused = doses[made["refused"].uuid]
    assert refused["status"] == "not-done"
    assert refused["statusReason"][0]["coding"][0]["code"] == "refused"
    manual = doses[made["manual_dose"].uuid]
    (order_entry,) = [
        e for e in bundle["entry"] if e["resource"]["resourceType"] == "MedicationRequest"
    ]
    assert manual["request"]["reference"] == order_entry["fullUrl"]
    assert order_entry["resource"]["requester"]["identifier"]["value"] == "810101234567"
    rate = doses[made["rate"].uuid]
    assert rate["partOf"][0]["reference"] == next(
        e["fullUrl"] for e in bundle["entry"] if made["infusion"].uuid in entry_ids(e["resource"])
    )


def test_vital_signs_use_the_vital_signs_profiles_and_loinc(recorded, tmp_path):
    laptop, made = recorded
    bundle = _package_bundle(laptop, tmp_path / "a.ccx")
    obs = [
        r for r in bundle_resources(bundle, "Observation") if made["vitals"].uuid in entry_ids(r)
    ]
    codes = {tuple(c["code"] for c in r["code"]["coding"]) for r in obs}
    assert codes == {
        ("85354-9",),
        ("8867-4",),
        ("9279-1",),
        ("8310-5",),
        ("2708-6", "59408-5"),
        ("72514-3",),
        ("29463-7",),
        ("2339-0",),
        ("67775-7",),
    }
    bp = next(r for r in obs if r["code"]["coding"][0]["code"] == "85354-9")
    assert [c["code"]["coding"][0]["code"] for c in bp["component"]] == ["8480-6", "8462-4"]
    assert bp["component"][0]["valueQuantity"] == {
        "value": 150,
        "unit": "mm[Hg]",
        "system": "http://unitsofmeasure.org",
        "code": "mm[Hg]",
    }
    assert bp["meta"]["profile"] == ["http://hl7.org/fhir/StructureDefinition/bp"]
    assert all(r["category"][0]["coding"][0]["code"] == "vital-signs" for r in obs)
    hr = next(r for r in obs if r["code"]["coding"][0]["code"] == "8867-4")
    assert hr["interpretation"][0]["coding"][0]["code"] == "H"
    spo2 = next(r for r in obs if r["code"]["coding"][0]["code"] == "2708-6")
    assert spo2["component"][0]["code"]["coding"][0]["code"] == "3151-8"


def test_a_correction_marks_the_superseded_resource_entered_in_error(recorded, tmp_path):
    laptop, made = recorded
    bundle = _package_bundle(laptop, tmp_path / "a.ccx")
    by_entry: dict[str, list[dict]] = {}
    for e in bundle["entry"]:
        for u in entry_ids(e["resource"]):
            by_entry.setdefault(u, []).append(e)
    (old,) = by_entry[made["wrong"].uuid]
    (new,) = by_entry[made["fixed"].uuid]
    assert old["resource"]["status"] == "entered-in-error" and old["request"]["method"] == "PUT"
    assert new["resource"]["status"] == "final" and new["resource"]["valueQuantity"]["value"] == 66
    (retracted,) = by_entry[made["oops"].uuid]
    assert retracted["resource"]["status"] == "entered-in-error"
    provenance = next(
        e["resource"]
        for e in bundle["entry"]
        if e["resource"].get("id") == f"continuity-{made['fixed'].uuid}"
    )
    assert provenance["activity"]["coding"][0]["code"] == "UPDATE"
    assert provenance["reason"] == [{"text": "valeur erronée"}]
    assert provenance["entity"][0]["what"]["identifier"]["value"] == made["wrong"].uuid
    assert [a["type"]["coding"][0]["code"] for a in provenance["agent"]] == ["author", "custodian"]


def test_notes_admissions_and_movements(recorded, tmp_path):
    laptop, made = recorded
    bundle = _package_bundle(laptop, tmp_path / "a.ccx")
    (note,) = [
        r
        for r in bundle_resources(bundle, "DocumentReference")
        if made["note"].uuid in entry_ids(r)
    ]
    import base64

    assert base64.b64decode(note["content"][0]["attachment"]["data"]).decode() == (
        "Chute sans gravité"
    )
    assert note["type"]["coding"][0]["code"] == "34746-8"
    assert note["category"][0]["coding"][0]["code"] == "incident"
    (patient_entry,) = [e for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"]
    temp_id = made["admission"].patient_id
    assert patient_entry["request"]["ifNoneExist"] == (
        f"identifier=urn:continuity:temporary-id|{temp_id}"
    )
    encounters = {entry_ids(r)[0]: r for r in bundle_resources(bundle, "Encounter")}
    assert encounters[made["transfer"].uuid]["location"][0]["location"]["display"] == (
        "CHIR, ch. 3, lit B"
    )
    assert encounters[made["discharge"].uuid]["status"] == "finished"
    assert encounters[made["admission"].uuid]["subject"]["reference"] == patient_entry["fullUrl"]


def test_the_merged_bundle_validates_too(recorded, tmp_path):
    from continuity.reconcile.merge import merge_packages

    laptop, made = recorded
    result = laptop.export(tmp_path / "a.ccx")
    mapping = tmp_path / "map.csv"
    mapping.write_text(f"temporary_id,real_ipp\n{made['admission'].patient_id},300400\n")
    merged = merge_packages([result.path], [PASSPHRASE], tmp_path / "out", mapping_csv=mapping)
    bundle = merged_bundle(merged)
    Bundle.model_validate(bundle)
    assert merged.totals["held_back"] == 0
