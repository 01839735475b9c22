"""After recovery, the central record's fresh snapshot says which entries it already holds
(posted earlier, or typed in by hand from paper), so that nothing is loaded twice."""

from __future__ import annotations

import json

import pytest

from continuity.reconcile.merge import merge_packages
from continuity.reconcile.recovery_check import BY_HAND, PRESENT, load_central
from tests.reconcile_helpers import (
    IPP_SYSTEM,
    PASSPHRASE,
    admit,
    entry_ids,
    fast_export_kdf,  # noqa: F401 - autouse fixture
    give,
    laptop_from_fixture,
    merged_bundle,
    vitals,
)


def patient(pid: str, ipp: str) -> dict:
    return {
        "resourceType": "Patient",
        "id": pid,
        "identifier": [{"system": IPP_SYSTEM, "value": ipp, "type": {"text": "IPP"}}],
    }


def administration(pid: str, order: str, when: str, **extra) -> dict:
    return {
        "resourceType": "MedicationAdministration",
        "status": "completed",
        "medicationCodeableConcept": {"text": "x"},
        "subject": {"reference": f"Patient/{pid}"},
        "request": {"reference": f"MedicationRequest/{order}"},
        "effectiveDateTime": when,
        **extra,
    }


def observation(pid: str, code: str, when: str) -> dict:
    return {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": code}]},
        "subject": {"reference": f"Patient/{pid}"},
        "effectiveDateTime": when,
        "valueQuantity": {"value": 1},
    }


@pytest.fixture
def ward(cache, tmp_path):
    laptop = laptop_from_fixture(cache)
    made = {}
    with laptop.login() as nurse:
        made["posted"] = give(nurse)
        made["by_hand"] = give(nurse, patient="pat-2", order="ord-furo", at="2026-11-28T08:10")
        made["not_there"] = give(nurse, order="ord-para")
        made["vitals_by_hand"] = vitals(nurse, hr=72)
        made["vitals_partly"] = vitals(nurse, patient="pat-2", bp_sys=120, bp_dia=70, hr=80)
        made["admission"] = admit(nurse)
        made["temp_vitals"] = vitals(
            nurse, patient=made["admission"].patient_id, temp=38.2, at="2026-11-28T08:50"
        )
    package = laptop.export(tmp_path / "a.ccx").path
    mapping = tmp_path / "map.csv"
    mapping.write_text(f"temporary_id,real_ipp\n{made['admission'].patient_id},200300\n")
    return package, mapping, made


def central_resources(made) -> list[dict]:
    return [
        patient("pat-1", "100001"),
        patient("pat-2", "100002"),
        patient("p-new", "200300"),
        administration(
            "pat-1",
            "ord-amox",
            "2026-11-28T08:05:00+01:00",
            identifier=[{"system": "urn:continuity:entry", "value": made["posted"].uuid}],
        ),
        administration("pat-2", "ord-furo", "2026-11-28T08:00:00+01:00"),  # typed from paper
        administration("pat-1", "ord-para", "2026-11-28T10:30:00+01:00"),  # another dose
        observation("pat-1", "8867-4", "2026-11-28T08:40:00+01:00"),
        observation("pat-2", "8867-4", "2026-11-28T08:30:00+01:00"),  # the BP is missing
        observation("p-new", "8310-5", "2026-11-28T08:45:00+01:00"),
    ]


def test_entries_already_in_the_central_record_are_not_loaded_again(ward, tmp_path):
    package, mapping, made = ward
    central = tmp_path / "central.json"
    central.write_text(
        json.dumps(
            {
                "resourceType": "Bundle",
                "type": "collection",
                "entry": [{"resource": r} for r in central_resources(made)],
            }
        )
    )

    result = merge_packages(
        [package], [PASSPHRASE], tmp_path / "out", mapping_csv=mapping, central_snapshot=central
    )

    assert result.totals["already_present"] == 4  # posted, by hand, hand vitals, temp vitals
    bundle_uuids = {u for e in merged_bundle(result)["entry"] for u in entry_ids(e["resource"])}
    assert made["not_there"].uuid in bundle_uuids and made["admission"].uuid in bundle_uuids
    for present in ("posted", "by_hand", "vitals_by_hand", "temp_vitals"):
        assert made[present].uuid not in bundle_uuids, present
    held = result.files["held_back"].read_text("utf-8-sig")
    assert made["vitals_partly"].uuid in held and "partie" in held


def test_the_central_snapshot_may_be_a_bulk_folder_or_its_zip(ward, tmp_path):
    package, _mapping, made = ward
    folder = tmp_path / "central"
    folder.mkdir()
    by_type: dict[str, list[dict]] = {}
    for resource in central_resources(made):
        by_type.setdefault(resource["resourceType"], []).append(resource)
    for kind, resources in by_type.items():
        (folder / f"{kind}.ndjson").write_text("\n".join(json.dumps(r) for r in resources))
    record = load_central(folder)
    assert made["posted"].uuid in record.present
    import zipfile

    with zipfile.ZipFile(tmp_path / "central.zip", "w") as zf:
        for member in folder.iterdir():
            zf.write(member, member.name)
    assert load_central(tmp_path / "central.zip").present == record.present
    assert record.patients_by_ipp["200300"] == "p-new"
    assert record.counts["MedicationAdministration"] == 3

    from continuity.reconcile.package_contents import PackageContents
    from continuity.reconcile.package_format import open_package
    from continuity.reconcile.recovery_check import find_in_central

    opened = open_package(package, PASSPHRASE)
    rows = {r["uuid"]: r for r in PackageContents(opened.payload, "a").entries()}
    assert find_in_central(record, rows[made["posted"].uuid]) == PRESENT
    assert find_in_central(record, rows[made["by_hand"].uuid]) == BY_HAND
    assert find_in_central(record, rows[made["not_there"].uuid]) is None
    assert find_in_central(record, rows[made["temp_vitals"].uuid], ipp="200300") == BY_HAND


def test_an_unreadable_central_snapshot_is_refused_before_anything_is_written(ward, tmp_path):
    from continuity.core.errors import BadInput

    package, _mapping, _made = ward
    broken = tmp_path / "central.json"
    broken.write_text('{"resourceType": "Bundle", "type": "collection", "entry": [')
    with pytest.raises(BadInput):
        merge_packages([package], [PASSPHRASE], tmp_path / "out", central_snapshot=broken)
    assert not (tmp_path / "out").exists()


# -- vital signs typed in by hand: one central measurement for one laptop entry --------------
@pytest.fixture
def two_close_vitals(cache, tmp_path, request):
    """Two vital-signs entries for one patient ten minutes apart (`request.param`: the
    measurements of each), exported from one laptop."""
    laptop = laptop_from_fixture(cache)
    with laptop.login() as nurse:
        first = vitals(nurse, at="2026-11-28T08:30", **request.param)
        second = vitals(nurse, at="2026-11-28T08:40", **request.param)
    return laptop.export(tmp_path / "a.ccx").path, first, second


def measured(pid: str, codes: tuple[str, ...], when: str) -> dict:
    """A hand-typed central Observation; SpO2 is often coded under two LOINC codes at once."""
    found = observation(pid, codes[0], when)
    found["code"]["coding"] = [{"system": "http://loinc.org", "code": c} for c in codes]
    return found


@pytest.mark.parametrize(
    ("two_close_vitals", "typed", "at", "closer"),
    [
        ({"hr": 80}, [("8867-4",)], "08:37", "second"),
        ({"spo2": 95}, [("2708-6", "59408-5")], "08:37", "second"),
        ({"hr": 80, "temp": 37.5}, [("8867-4",), ("8310-5",)], "08:33", "first"),
        ({"hr": 80}, [("8867-4",)], "08:35", "first"),  # as close to both: the earlier
    ],
    indirect=["two_close_vitals"],
    ids=["heart rate", "SpO2 under two codes", "a set of two measurements", "a tie"],
)
def test_vitals_typed_in_once_centrally_account_for_one_laptop_entry_only(
    two_close_vitals, typed, at, closer, tmp_path
):
    package, first, second = two_close_vitals
    central = tmp_path / "central.json"
    resources = [patient("pat-1", "100001")]
    resources += [measured("pat-1", codes, f"2026-11-28T{at}:00+01:00") for codes in typed]
    central.write_text(
        json.dumps(
            {
                "resourceType": "Bundle",
                "type": "collection",
                "entry": [{"resource": r} for r in resources],
            }
        )
    )

    result = merge_packages([package], [PASSPHRASE], tmp_path / "out", central_snapshot=central)

    typed_in, other = (first, second) if closer == "first" else (second, first)
    assert result.totals["already_present"] == 1
    assert result.totals["held_back"] == 0
    bundle_uuids = {u for e in merged_bundle(result)["entry"] for u in entry_ids(e["resource"])}
    assert other.uuid in bundle_uuids  # a real reading, not silently dropped
    assert typed_in.uuid not in bundle_uuids
