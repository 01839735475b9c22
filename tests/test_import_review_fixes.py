"""Fixes from the import review: each one a way a bad snapshot could mislead the ward.

A forged file slipped into a signed package, an allergy lost to a typo, allergy rows dropped
for a patient still on the ward's records, a brand-name high-alert drug not flagged.
"""

from __future__ import annotations

import warnings
import zipfile
from datetime import UTC, datetime

import pytest

from continuity.core.errors import BadInput
from continuity.core.high_alert import is_high_alert, load_high_alert_list
from continuity.fhir.errors import SignatureRefused, SnapshotFormatError
from continuity.fhir.importer import import_snapshot
from continuity.fhir.signing import (
    generate_key_pair,
    load_private_key,
    load_public_key,
    set_trusted_key,
    sign_snapshot,
    verify_package,
)
from tests.snapshot_fixtures import hospital, write_bulk

PASSPHRASE = "Signature-Centrale-2026"
SIGNED_AT = datetime(2026, 11, 28, 5, 0, tzinfo=UTC)
ORDERS = "snapshot/MedicationRequest.ndjson"


@pytest.fixture(scope="module")
def keys():
    private_pem, public_pem = generate_key_pair(PASSPHRASE)
    return load_private_key(private_pem, PASSPHRASE), load_public_key(public_pem)


def count(session, table: str) -> int:
    return session.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


# --------------------------------------------------------------------------- duplicate names


def with_forged_copy_first(source: zipfile.ZipFile, out, name: str, forged: bytes) -> None:
    """Copy a zip, with a forged member of the same name placed before the real one."""
    with warnings.catch_warnings(), zipfile.ZipFile(out, "w") as dst:
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate name: that's the point
        dst.writestr(name, forged)
        for info in source.infolist():
            dst.writestr(info, source.read(info))


def test_a_signed_package_with_a_forged_twin_file_is_refused(cache, keys, tmp_path):
    folder = write_bulk(tmp_path / "export", hospital())
    signed = tmp_path / "signed.zip"
    sign_snapshot(folder, keys[0], signed, now=SIGNED_AT)
    forged = tmp_path / "forged.zip"
    with zipfile.ZipFile(signed) as src:
        tenfold = src.read(ORDERS).replace(b'"value": 4000', b'"value": 40000')
        with_forged_copy_first(src, forged, ORDERS, tenfold)
    with cache.login("admin") as session:
        set_trusted_key(session, keys[1])
        with pytest.raises(SignatureRefused, match="deux fichiers nommés"):
            import_snapshot(session, forged)
        assert count(session, "orders") == 0 and count(session, "patients") == 0
        import_snapshot(session, signed)
        before = count(session, "orders")
        with pytest.raises(SignatureRefused, match="deux fichiers nommés"):
            import_snapshot(session, forged)
        assert count(session, "orders") == before
    with pytest.raises(SignatureRefused, match="deux fichiers nommés"):
        verify_package(forged, keys[1])


def test_a_plain_zip_with_two_files_of_one_name_is_refused(cache, tmp_path):
    folder = write_bulk(tmp_path / "export", hospital())
    plain = tmp_path / "plain.zip"
    with zipfile.ZipFile(plain, "w") as zf:
        for path in sorted(folder.iterdir()):
            zf.write(path, path.name)
    doubled = tmp_path / "doubled.zip"
    with zipfile.ZipFile(plain) as src:
        with_forged_copy_first(src, doubled, "MedicationRequest.ndjson", b"")
    with cache.login("admin") as session:
        with pytest.raises(SnapshotFormatError, match="deux fichiers nommés"):
            import_snapshot(session, doubled)
        assert count(session, "patients") == 0
        import_snapshot(session, plain)  # the same zip without the twin is fine
        assert count(session, "orders") > 0


# --------------------------------------------------------------------------- allergies


def allergy_of(session, patient: str) -> tuple[str, list[tuple]]:
    status = session.conn.execute(
        "SELECT allergy_status FROM patients WHERE source_id = ?", (patient,)
    ).fetchone()[0]
    rows = session.conn.execute(
        "SELECT substance, criticality FROM allergies WHERE patient_id = ?", (patient,)
    ).fetchall()
    return status, rows


def jean_with_a_real_allergy(**changes) -> dict:
    """Jean's "no known allergy" next to a real allergy to latex (a contradictory record)."""
    resources = hospital()
    latex = {
        "resourceType": "AllergyIntolerance",
        "id": "al-3",
        "clinicalStatus": {"coding": [{"code": "active"}]},
        "code": {"text": "Latex"},
        "patient": {"reference": "Patient/p-jean"},
    }
    latex.update(changes)
    resources["AllergyIntolerance"].append(latex)
    return resources


def test_a_criticality_outside_fhir_keeps_the_allergy_with_a_note(cache, tmp_path):
    with cache.login("admin") as session:
        report = import_snapshot(
            session, write_bulk(tmp_path / "s", jean_with_a_real_allergy(criticality="moderate"))
        )
        assert not report.rejections
        assert allergy_of(session, "p-jean") == ("recorded", [("Latex", None)])
        assert any("moderate" in note and "al-3" in note for note in report.notes)


@pytest.mark.parametrize(
    "changes",
    [
        {"code": "not a concept", "reaction": None},  # rejected while mapped
        {"id": "bad id with spaces"},  # rejected before it is mapped
        {"id": "al-2"},  # a duplicate id
    ],
)
def test_a_rejected_allergy_never_leaves_no_known_allergy(cache, tmp_path, changes):
    resources = jean_with_a_real_allergy(**changes)
    with cache.login("admin") as session:
        report = import_snapshot(
            session, write_bulk(tmp_path / "s", resources), accept_partial=True
        )
        assert [r.resource_type for r in report.rejections] == ["AllergyIntolerance"]
        assert allergy_of(session, "p-jean")[0] == "unknown"
        assert allergy_of(session, "p-eloise")[0] == "recorded"  # others are untouched


def test_a_rejected_allergy_naming_no_readable_patient_leaves_nobody_none_known(cache, tmp_path):
    resources = jean_with_a_real_allergy(patient="Patient/p-jean", code={"text": ""})
    with cache.login("admin") as session:
        report = import_snapshot(
            session, write_bulk(tmp_path / "s", resources), accept_partial=True
        )
        assert len(report.rejections) == 1
        statuses = {
            row[0] for row in session.conn.execute("SELECT allergy_status FROM patients").fetchall()
        }
        assert "none_known" not in statuses


# --------------------------------------------------------------------------- kept patients


def test_a_patient_kept_as_absent_keeps_their_allergies(cache, tmp_path):
    with cache.login("admin") as session:
        import_snapshot(session, write_bulk(tmp_path / "first", hospital()))
        with session.transaction() as conn:  # a dose recorded for Éloise (allergic to penicillin)
            conn.execute(
                "INSERT INTO entries (uuid, device_id, seq, kind, author, clinical_time,"
                " recorded_time, tz, patient_id, order_id, payload)"
                " VALUES ('e-1', ?, 1, 'dose', 'nurse', '2026-11-28T07:00:00Z',"
                " '2026-11-28T07:01:00Z', 'Europe/Paris', 'p-eloise', NULL, '{}')",
                (session.device.id,),
            )
        later = hospital()
        later["Patient"] = [p for p in later["Patient"] if p["id"] != "p-eloise"]
        for kind in [k for k in later if k != "Patient"]:
            later[kind] = [r for r in later[kind] if "p-eloise" not in str(r)]
        later["AllergyIntolerance"].append(
            {
                "resourceType": "AllergyIntolerance",
                "id": "al-9",
                "clinicalStatus": {"coding": [{"code": "active"}]},
                "code": {"text": "Iode"},
                "patient": {"reference": "Patient/p-lucie"},
            }
        )
        import_snapshot(session, write_bulk(tmp_path / "later", later))
        absent = session.conn.execute(
            "SELECT absent_from_snapshot FROM patients WHERE source_id = 'p-eloise'"
        ).fetchone()[0]
        assert absent == 1
        assert allergy_of(session, "p-eloise") == ("recorded", [("Pénicilline", "high")])
        assert allergy_of(session, "p-lucie")[1] == [("Iode", None)]

        # Back in the next snapshot with no allergy: the snapshot's word replaces the old one.
        again = hospital()
        again["AllergyIntolerance"] = []
        import_snapshot(session, write_bulk(tmp_path / "again", again))
        assert allergy_of(session, "p-eloise") == ("unknown", [])
        assert allergy_of(session, "p-lucie") == ("unknown", [])
        # A patient dropped with nothing recorded for them loses theirs with them.
        dropped = hospital()
        dropped["Patient"] = [p for p in dropped["Patient"] if p["id"] != "p-jean"]
        for kind in [k for k in dropped if k != "Patient"]:
            dropped[kind] = [r for r in dropped[kind] if "p-jean" not in str(r)]
        import_snapshot(session, write_bulk(tmp_path / "dropped", dropped))
        orphans = session.conn.execute(
            "SELECT count(*) FROM allergies WHERE patient_id NOT IN (SELECT source_id FROM patients)"
        ).fetchone()[0]
        assert orphans == 0


# --------------------------------------------------------------------------- high-alert drugs


@pytest.mark.parametrize(
    "typed",
    [
        "Potassium chlorure 10%",
        "POTASSIUM CHLORURE 15 % 10 mL",
        "Chlorure de potassium 1 g/10 mL",
        "Lovenox 4000 UI/0,4 mL",
        "Xarelto 20 mg",
        "Eliquis 5 mg",
        "Lantus Solostar",
        "Novorapid FlexPen",
        "Skenan LP 30 mg",
        "Actiskenan 10 mg",
        "Oxynorm 5 mg",
        "Oxycontin LP 10 mg",
        "Previscan 20 mg",
        "Coumadine 2 mg",
        "Innohep 10 000 UI",
        "Durogesic 25 µg/h",
        "Novatrex 2,5 mg",
        "Hémigoxine 0,125 mg",
        "Magnésium sulfate 15 %",
    ],
)
def test_a_manual_order_by_brand_name_or_word_order_is_flagged(typed):
    assert is_high_alert(typed)


@pytest.mark.parametrize(
    "typed", ["Paracétamol 1 g", "Doliprane 1000", "Spasfon", "Kardégic 75 mg", "Potassium"]
)
def test_ordinary_drugs_stay_unflagged(typed):
    assert not is_high_alert(typed)


def test_a_missing_high_alert_list_is_an_error_not_an_empty_list(tmp_path):
    with pytest.raises(BadInput, match=r"haut risque"):
        load_high_alert_list(tmp_path / "gone.txt")
