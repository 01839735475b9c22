"""Defects a review found in reconciliation: two people under one temporary id, a second dose
taken for one already typed in, and a forged package header that crashed the merge."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from continuity.core.clock import FixedClock
from continuity.core.timing import parse_timing
from continuity.reconcile import package_format
from continuity.reconcile.merge import merge_packages
from continuity.reconcile.package_format import PackageError
from tests.reconcile_helpers import (
    IPP_SYSTEM,
    PASSPHRASE,
    admit,
    bundle_resources,
    central_bundle,
    entry_ids,
    fast_export_kdf,  # noqa: F401 - autouse fixture
    forge_header,
    give,
    laptop_from_fixture,
    merged_bundle,
    second_laptop,
    vitals,
)


def merge(paths, out, **kw):
    return merge_packages(
        paths, [PASSPHRASE], out, clock=FixedClock(datetime(2026, 11, 28, 12, 0, tzinfo=UTC)), **kw
    )


def bundle_uuids(bundle: dict) -> set[str]:
    return {u for e in bundle["entry"] for u in entry_ids(e["resource"])}


# -- 1. one temporary id, two people -----------------------------------------------------------
def test_two_cloned_laptops_giving_one_temporary_id_to_two_people_hold_both_back(
    cache, tmp_path, clock
):
    pc1 = laptop_from_fixture(cache)
    clone = second_laptop(tmp_path, clock, name="SAGESSE-3A-PC1")  # same image, same name
    with pc1.login() as nurse:
        durand = admit(nurse, family="DURAND", given="Paul", birth_date="1940-02-03")
        durand_hr = vitals(nurse, patient=durand.patient_id, hr=64)
    with clone.login() as nurse:
        nguyen = admit(nurse, family="NGUYEN", given="Linh", birth_date="1999-06-07", sex="female")
        nguyen_hr = vitals(nurse, patient=nguyen.patient_id, hr=132)
    assert durand.patient_id == nguyen.patient_id == "DT-SAGESSE-3A-PC1-0001"
    mapping = tmp_path / "map.csv"
    mapping.write_text(f"temporary_id,real_ipp\n{durand.patient_id},200300\n", encoding="utf-8")

    result = merge(
        [pc1.export(tmp_path / "a.ccx").path, clone.export(tmp_path / "b.ccx").path],
        tmp_path / "out",
        mapping_csv=mapping,
    )

    everything = {durand.uuid, durand_hr.uuid, nguyen.uuid, nguyen_hr.uuid}
    (conflict,) = [c for c in result.conflicts if c.kind == "temporary_patient"]
    assert conflict.blocking and set(conflict.uuids) == everything
    bundle = merged_bundle(result)
    assert not bundle_uuids(bundle) & everything
    assert bundle_resources(bundle, "Observation") == []
    assert bundle_resources(bundle, "Patient") == []
    assert result.totals["held_back"] == 4
    held = result.files["held_back"].read_text("utf-8-sig")
    for entry in everything:
        assert entry in held
    review = list(csv.reader(io.StringIO(result.files["review_csv"].read_text("utf-8-sig"))))
    text = "\n".join(";".join(map(str, row)) for row in review)
    assert "DURAND Paul" in text and "NGUYEN Linh" in text
    assert "200300" not in text.split("NGUYEN Linh", 1)[1].split("\n", 1)[0]

    # The clinical lead cannot wave it through: two people are never loaded as one.
    again = merge(
        [
            pc1.export(tmp_path / "a2.ccx", all_entries=True).path,
            clone.export(tmp_path / "b2.ccx", all_entries=True).path,
        ],
        tmp_path / "out2",
        mapping_csv=mapping,
        accept=[conflict.id, *everything],
    )
    assert not bundle_uuids(merged_bundle(again)) & everything


# -- 2. a second dose is not "already present" because of the first ----------------------------
def administration(when: str) -> dict:
    return {
        "resourceType": "MedicationAdministration",
        "status": "completed",
        "medicationCodeableConcept": {"text": "Morphine 2 mg"},
        "subject": {"reference": "Patient/pat-1"},
        "request": {"reference": "MedicationRequest/ord-prn"},
        "effectiveDateTime": when,
    }


PATIENT = {
    "resourceType": "Patient",
    "id": "pat-1",
    "identifier": [{"system": IPP_SYSTEM, "value": "100001"}],
}


@pytest.fixture
def two_close_doses(cache, tmp_path):
    """An as-needed order given twice ten minutes apart (the second dose confirmed past the
    repeat warning), exported from one laptop."""
    laptop = laptop_from_fixture(cache)
    with laptop.login("admin") as session, session.transaction() as conn:
        conn.execute(
            "INSERT INTO orders (source_id, patient_id, drug, dose_value, dose_unit, route,"
            " timing, status, high_alert, start, as_needed, prn_reason) VALUES ('ord-prn',"
            " 'pat-1', 'Morphine 2 mg', 2, 'mg', 'SC', ?, 'active', 0,"
            " '2026-11-25T08:00:00Z', 1, 'douleur')",
            (parse_timing({"repeat": {"frequency": 1, "period": 4, "periodUnit": "h"}}).to_json(),),
        )
    with laptop.login() as nurse:
        first = give(nurse, order="ord-prn", scheduled=None, at="2026-11-28T08:00")
        second = give(nurse, order="ord-prn", scheduled=None, at="2026-11-28T08:10")
    return laptop.export(tmp_path / "a.ccx").path, first, second


def test_one_dose_typed_in_centrally_accounts_for_one_laptop_dose_only(two_close_doses, tmp_path):
    package, first, second = two_close_doses
    central = central_bundle(
        tmp_path / "central.json", [PATIENT, administration("2026-11-28T08:02:00+01:00")]
    )
    result = merge([package], tmp_path / "out", central_snapshot=central)
    assert result.totals["already_present"] == 1
    loaded = bundle_uuids(merged_bundle(result))
    assert second.uuid in loaded and first.uuid not in loaded  # the closer one was typed in


def test_two_doses_typed_in_centrally_account_for_both(two_close_doses, tmp_path):
    package, first, second = two_close_doses
    central = central_bundle(
        tmp_path / "central.json",
        [
            PATIENT,
            administration("2026-11-28T08:01:00+01:00"),
            administration("2026-11-28T08:09:00+01:00"),
        ],
    )
    result = merge([package], tmp_path / "out", central_snapshot=central)
    assert result.totals["already_present"] == 2
    assert not bundle_uuids(merged_bundle(result)) & {first.uuid, second.uuid}


# -- 3. a forged header's scrypt parameters --------------------------------------------------
@pytest.fixture
def package(cache, tmp_path):
    laptop = laptop_from_fixture(cache)
    with laptop.login() as nurse:
        give(nurse)
    return laptop.export(tmp_path / "a.ccx").path


@pytest.mark.parametrize(
    "kdf",
    [{"n": 3}, {"n": 2**10 + 1}, {"p": 0}, {"r": 0}, {"n": 0}, {"n": -(2**10)}, {"p": -1}],
    ids=str,
)
def test_a_forged_header_with_impossible_scrypt_costs_is_damaged(package, tmp_path, kdf):
    forged = tmp_path / "forged.ccx"
    forge_header(package, forged, lambda header: header["kdf"].update(kdf))
    out = tmp_path / "out"
    with pytest.raises(PackageError) as caught:
        merge([forged], out)
    assert "endommagé ou altéré" in str(caught.value) or "damaged or altered" in str(caught.value)
    assert not out.exists()


def test_a_header_cheaper_than_any_build_wrote_is_damaged(package, tmp_path, monkeypatch):
    monkeypatch.setattr(package_format, "DEFAULT_SCRYPT", {"n": 2**16, "r": 8, "p": 1})
    forged = tmp_path / "forged.ccx"
    forge_header(package, forged, lambda header: header["kdf"].update({"n": 2**13}))
    with pytest.raises(PackageError, match=r"endommagé ou altéré|damaged or altered"):
        merge([forged], tmp_path / "out")
