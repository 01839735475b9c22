"""IT merges the packages of several laptops: duplicates dropped, gaps and conflicts shown,
temporary patients mapped, and only what is clean goes into the FHIR transaction Bundle."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader

from continuity.core.clock import FixedClock
from continuity.reconcile.merge import merge_packages
from continuity.store import entries
from tests.reconcile_helpers import (
    IPP_SYSTEM,
    PASSPHRASE,
    admit,
    bundle_resources,
    entry_ids,
    fast_export_kdf,  # noqa: F401 - autouse fixture
    give,
    laptop_from_fixture,
    merged_bundle,
    repack,
    second_laptop,
    vitals,
)


@pytest.fixture
def pc1(cache):
    return laptop_from_fixture(cache)


@pytest.fixture
def pc2(tmp_path, clock):
    return second_laptop(tmp_path, clock)


def merge(paths, out, **kw):
    return merge_packages(
        paths, [PASSPHRASE], out, clock=FixedClock(datetime(2026, 11, 28, 12, 0, tzinfo=UTC)), **kw
    )


def bundle_uuids(bundle: dict) -> set[str]:
    return {u for e in bundle["entry"] for u in entry_ids(e["resource"])}


def test_two_laptops_merge_into_one_bundle_with_a_review_report(pc1, pc2, tmp_path):
    with pc1.login() as nurse:
        d1 = give(nurse)
        v1 = vitals(nurse)
    with pc2.login() as nurse:
        d2 = give(nurse, patient="pat-2", order="ord-furo")
        n2 = entries.record_note(
            nurse, patient_id="pat-2", text="Dort bien", category="observation"
        )
    a = pc1.export(tmp_path / "pc1.ccx")
    b = pc2.export(tmp_path / "pc2.ccx")

    result = merge([a.path, b.path], tmp_path / "out")

    assert result.output_dir.parent == tmp_path / "out"
    assert sorted(p.name for p in result.output_dir.iterdir()) == [
        "bundle.json",
        "held-back.csv",
        "merge-summary.json",
        "review.csv",
        "review.pdf",
    ]
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".")]
    assert result.totals["read"] == 4 and result.totals["in_bundle"] == 4
    assert result.conflicts == [] and result.gaps == [] and result.totals["held_back"] == 0
    bundle = merged_bundle(result)
    assert bundle["type"] == "transaction"
    assert bundle_uuids(bundle) == {d1.uuid, v1.uuid, d2.uuid, n2.uuid}
    (dose,) = [
        r for r in bundle_resources(bundle, "MedicationAdministration") if d2.uuid in entry_ids(r)
    ]
    assert dose["request"]["reference"] == "MedicationRequest/ord-furo"
    assert dose["subject"]["reference"] == "Patient/pat-2"
    provenances = bundle_resources(bundle, "Provenance")
    assert {p["agent"][-1]["who"]["display"] for p in provenances} == {
        "SAGESSE-3A-PC1",
        "SAGESSE-3A-PC2",
    }
    text = "\n".join(page.extract_text() for page in PdfReader(result.files["review_pdf"]).pages)
    assert "Rapport de revue de la réconciliation" in text
    assert "SAGESSE-3A-PC1" in text and "SAGESSE-3A-PC2" in text


def test_the_same_entries_exported_twice_are_merged_once(pc1, tmp_path):
    with pc1.login() as nurse:
        dose = give(nurse)
    first = pc1.export(tmp_path / "a.ccx")
    with pc1.login() as nurse:
        vitals(nurse)
    again = pc1.export(tmp_path / "b.ccx", all_entries=True)  # holds the dose a second time

    result = merge([first.path, again.path], tmp_path / "out")

    assert result.totals["read"] == 3
    assert result.totals["unique"] == 2 and result.totals["duplicates"] == 1
    bundle = merged_bundle(result)
    doses = [r for r in bundle_resources(bundle, "MedicationAdministration")]
    assert [entry_ids(r) for r in doses] == [[dose.uuid]]
    assert result.conflicts == []


def test_a_missing_package_shows_as_a_sequence_gap(pc1, tmp_path):
    paths = []
    for n in range(3):
        with pc1.login() as nurse:
            give(
                nurse,
                order="ord-para",
                scheduled=f"2026-11-2{5 + n}T08:00",
                at=f"2026-11-2{5 + n}T08:00",
            )
            vitals(nurse, at=f"2026-11-2{5 + n}T09:00")
        paths.append(pc1.export(tmp_path / f"p{n}.ccx").path)

    result = merge([paths[0], paths[2]], tmp_path / "out")
    (gap,) = result.gaps
    assert (gap.device_name, gap.first, gap.last, gap.before_first) == (
        "SAGESSE-3A-PC1",
        3,
        4,
        False,
    )
    review = result.files["review_csv"].read_text(encoding="utf-8-sig")
    assert "3-4" in review

    later = merge([paths[1], paths[2]], tmp_path / "out2")
    (head,) = later.gaps
    assert head.before_first and (head.first, head.last) == (1, 2)


def test_a_dose_given_on_two_laptops_for_the_same_time_is_held_for_review(pc1, pc2, tmp_path):
    with pc1.login() as nurse:
        a = give(nurse, at="2026-11-28T08:02")
        ok = give(nurse, order="ord-para")
    with pc2.login() as nurse:
        b = give(nurse, at="2026-11-28T08:10")

    result = merge(
        [pc1.export(tmp_path / "a.ccx").path, pc2.export(tmp_path / "b.ccx").path], tmp_path / "out"
    )

    (conflict,) = result.conflicts
    assert conflict.kind == "double_dose" and conflict.blocking
    assert conflict.uuids == [a.uuid, b.uuid]
    assert bundle_uuids(merged_bundle(result)) == {ok.uuid}
    rows = list(
        csv.reader(io.StringIO(result.files["review_csv"].read_text("utf-8-sig")), delimiter=";")
    )
    sides = [r for r in rows if r[1] == conflict.id]
    assert {r[4] for r in sides} == {"SAGESSE-3A-PC1", "SAGESSE-3A-PC2"}
    held = result.files["held_back"].read_text("utf-8-sig")
    assert a.uuid in held and b.uuid in held

    accepted = merge(
        [tmp_path / "a.ccx", tmp_path / "b.ccx"], tmp_path / "out2", accept=[conflict.id]
    )
    assert bundle_uuids(merged_bundle(accepted)) == {a.uuid, b.uuid, ok.uuid}


def test_a_dose_on_an_order_stopped_before_it_is_a_conflict(pc1, tmp_path):
    with pc1.login() as nurse:
        dose = give(nurse, order="ord-keto")  # stopped on 27/11 at 19:00
        not_given = give(
            nurse,
            order="ord-keto",
            status="not_given",
            reason="held",
            scheduled="2026-11-28T20:00",
            at="2026-11-28T09:00",
        )
    result = merge([pc1.export(tmp_path / "a.ccx").path], tmp_path / "out")
    (conflict,) = result.conflicts
    assert conflict.kind == "stopped_order" and conflict.uuids == [dose.uuid]
    assert "27/11/2026 19:00" in conflict.detail
    assert bundle_uuids(merged_bundle(result)) == {not_given.uuid}


def test_a_dose_after_a_manual_order_was_stopped_is_a_conflict(pc1, tmp_path):
    with pc1.login() as nurse:
        order = entries.record_manual_order(
            nurse,
            patient_id="pat-2",
            at="2026-11-28T07:00",
            drug="Métoclopramide 10 mg",
            dose_value=10,
            dose_unit="mg",
            prescriber_name="Dr Girard",
            paper_ref="ORD-12",
            timing={
                "repeat": {
                    "frequency": 1,
                    "period": 1,
                    "periodUnit": "d",
                    "timeOfDay": ["08:00:00", "20:00:00"],
                }
            },
        )
        stop = entries.correct_entry(
            nurse, order.uuid, "arrêté par le Dr Girard", status="stopped", at="2026-11-28T07:30"
        )
        dose = give(nurse, patient="pat-2", order=order.order_id)
    result = merge([pc1.export(tmp_path / "a.ccx").path], tmp_path / "out")
    (conflict,) = result.conflicts
    assert conflict.kind == "stopped_order" and conflict.uuids == [dose.uuid, stop.uuid]


def test_two_laptops_registering_the_same_person_are_shown_side_by_side(pc1, pc2, tmp_path):
    with pc1.login() as nurse:
        one = admit(nurse, family="Lefèvre", given="Jean", birth_date="1962-11-05")
    with pc2.login() as nurse:
        two = admit(nurse, family="LEFEVRE", given="Jean", birth_date="1962-11-05")
    result = merge(
        [pc1.export(tmp_path / "a.ccx").path, pc2.export(tmp_path / "b.ccx").path], tmp_path / "out"
    )
    (conflict,) = result.conflicts
    assert conflict.kind == "temporary_patient" and set(conflict.uuids) == {one.uuid, two.uuid}
    assert set(result.unmapped) == {one.patient_id, two.patient_id}


def test_clock_anomalies_are_shown(pc1, tmp_path, clock):
    with pc1.login() as nurse:
        late = give(
            nurse, order="ord-para", scheduled="2026-11-19T08:00", at="2026-11-19T08:00"
        )  # typed 9 days later
        first = vitals(nurse)
    clock.set(datetime(2026, 11, 28, 8, 40, tzinfo=UTC))  # the laptop's clock jumps back 20 min
    with pc1.login() as nurse:
        second = vitals(nurse, at="2026-11-28T09:30")
    result = merge([pc1.export(tmp_path / "a.ccx").path], tmp_path / "out")
    kinds = {(c.kind, tuple(c.uuids)) for c in result.conflicts}
    assert ("clock", (late.uuid,)) in kinds
    assert ("clock", (first.uuid, second.uuid)) in kinds


def test_a_correction_in_a_later_package_marks_the_first_entered_in_error(pc1, tmp_path):
    with pc1.login() as nurse:
        dose = give(nurse)
        note = entries.record_note(nurse, patient_id="pat-1", text="erreur de patient")
    first = pc1.export(tmp_path / "a.ccx")
    with pc1.login() as nurse:
        fixed = entries.correct_entry(nurse, dose.uuid, "heure erronée", at="2026-11-28T08:20")
        entries.retract_entry(nurse, note.uuid, "mauvais patient")
    second = pc1.export(tmp_path / "b.ccx")

    result = merge([first.path, second.path], tmp_path / "out")

    bundle = merged_bundle(result)
    by_uuid = {}
    for e in bundle["entry"]:
        for u in entry_ids(e["resource"]):
            by_uuid[u] = e
    assert by_uuid[dose.uuid]["resource"]["status"] == "entered-in-error"
    assert by_uuid[dose.uuid]["request"] == {
        "method": "PUT",
        "url": f"MedicationAdministration?identifier=urn:continuity:entry|{dose.uuid}",
    }
    assert by_uuid[fixed.uuid]["resource"]["status"] == "completed"
    assert by_uuid[fixed.uuid]["resource"]["effectiveDateTime"] == "2026-11-28T08:20:00+01:00"
    assert by_uuid[note.uuid]["resource"]["status"] == "entered-in-error"
    assert result.totals["duplicates"] == 2  # the dose and the note came again with their fixes


def test_temporary_patients_are_mapped_to_their_real_ipp_or_held_back(pc1, tmp_path):
    with pc1.login() as nurse:
        known = admit(nurse, family="Inconnu", given="Homme")
        unknown = admit(
            nurse, family="Rousseau", given="Anne", birth_date="1990-01-02", sex="female"
        )
        note = entries.record_note(nurse, patient_id=known.patient_id, text="arrivé aux urgences")
        held = entries.record_note(nurse, patient_id=unknown.patient_id, text="en attente")
    mapping = tmp_path / "mapping.csv"
    mapping.write_text(
        f"\ufefftemporary_id;real_ipp\n{known.patient_id};200300\n", encoding="utf-8"
    )

    result = merge([pc1.export(tmp_path / "a.ccx").path], tmp_path / "out", mapping_csv=mapping)

    assert result.unmapped == {unknown.patient_id: 2}
    bundle = merged_bundle(result)
    assert bundle_uuids(bundle) == {known.uuid, note.uuid}
    (patient_entry,) = [e for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"]
    assert patient_entry["request"]["ifNoneExist"] == f"identifier={IPP_SYSTEM}|200300"
    idents = {(i.get("system"), i["value"]) for i in patient_entry["resource"]["identifier"]}
    assert (IPP_SYSTEM, "200300") in idents
    assert ("urn:continuity:temporary-id", known.patient_id) in idents
    (doc,) = bundle_resources(bundle, "DocumentReference")
    assert doc["subject"]["reference"] == patient_entry["fullUrl"]
    listed = result.files["held_back"].read_text("utf-8-sig")
    assert held.uuid in listed and unknown.patient_id in listed and known.patient_id not in listed


def test_a_bad_mapping_file_is_refused_before_anything_is_written(pc1, tmp_path):
    from continuity.core.errors import BadInput

    with pc1.login() as nurse:
        give(nurse)
    package = pc1.export(tmp_path / "a.ccx").path
    bad = tmp_path / "mapping.csv"
    bad.write_text("temp,ipp\nDT-X-0001,1\n", encoding="utf-8")
    with pytest.raises(BadInput, match="temporary_id,real_ipp"):
        merge([package], tmp_path / "out", mapping_csv=bad)
    bad.write_text("temporary_id,real_ipp\nDT-X-0001,1\nDT-X-0001,2\n", encoding="utf-8")
    with pytest.raises(BadInput, match=r"ligne 3|line 3"):
        merge([package], tmp_path / "out", mapping_csv=bad)
    assert not (tmp_path / "out").exists()


def test_merging_the_same_packages_twice_makes_the_same_bundle(pc1, pc2, tmp_path):
    with pc1.login() as nurse:
        give(nurse)
        vitals(nurse)
    with pc2.login() as nurse:
        give(nurse, order="ord-para")
    paths = [pc1.export(tmp_path / "a.ccx").path, pc2.export(tmp_path / "b.ccx").path]
    one = merged_bundle(merge(paths, tmp_path / "out"))
    two = merged_bundle(merge(paths, tmp_path / "out"))
    assert one["entry"] == two["entry"]
    summary = json.loads(next((tmp_path / "out").glob("*/merge-summary.json")).read_text())
    assert summary["totals"]["in_bundle"] == 3


def test_an_entry_altered_in_one_copy_and_odd_clocks_are_conflicts(pc1, pc2, tmp_path):
    with pc1.login() as nurse:
        dose = give(nurse)
        admission = admit(nurse)
    with pc2.login() as nurse:
        note = entries.record_note(nurse, patient_id="pat-2", text="vu au bloc")
        later = vitals(nurse, patient="pat-2")
    original = pc1.export(tmp_path / "a.ccx").path

    def tamper(row):
        if row["uuid"] == dose.uuid:
            row["payload"] = {**row["payload"], "dose_value": 10}
        return row

    repack(original, tmp_path / "a-copy.ccx", tamper)

    def odd(row):
        if row["uuid"] == note.uuid:  # a patient only laptop 1 knows, seen on laptop 2
            row["patient_id"] = admission.patient_id
        if row["uuid"] == later.uuid:  # clinical time two hours after it was typed
            row["clinical_time"] = "2026-11-28T11:00:00Z"
        return row

    repack(pc2.export(tmp_path / "b.ccx").path, tmp_path / "b-odd.ccx", odd)

    result = merge([original, tmp_path / "a-copy.ccx", tmp_path / "b-odd.ccx"], tmp_path / "out")

    found = {(c.kind, tuple(c.uuids)) for c in result.conflicts}
    assert ("altered", (dose.uuid,)) in found
    assert ("clock", (later.uuid,)) in found
    assert ("temporary_patient", (admission.uuid, note.uuid)) in found
    held = result.files["held_back"].read_text("utf-8-sig")
    assert dose.uuid in held and later.uuid in held
