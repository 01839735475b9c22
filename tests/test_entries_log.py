"""The entry log keeps everything: no gaps, no edits, corrections as new entries, audited."""

from __future__ import annotations

import json

import pytest
import sqlcipher3

from continuity.core.errors import BadInput, NeedsConfirmation, PermissionDenied
from continuity.store import entries
from continuity.store.emar import mar_for_patient
from continuity.store.users import add_user
from tests import entries_fixtures
from tests.entries_fixtures import drop_order_from_snapshot, paris

ward = entries_fixtures.ward  # the shared fixture: a small ward in the cache


def _dose(session, scheduled=6, at=(6, 5), **fields):
    return entries.record_dose(
        session,
        patient_id="100001",
        order_id="ord-para",
        scheduled=paris(scheduled),
        status=fields.pop("status", "given"),
        at=paris(*at),
        **fields,
    )


def test_sequence_numbers_have_no_gaps_under_many_entries_and_refusals(ward):
    with ward.login() as nurse:
        for i in range(40):
            entries.record_vitals(nurse, patient_id="100002", hr=60 + i, at=paris(9, i))
            if i % 5 == 0:
                with pytest.raises(BadInput):
                    entries.record_vitals(nurse, patient_id="100002", hr=999)
                with pytest.raises(NeedsConfirmation):
                    entries.admit_patient(
                        nurse, family="Martin", given="Eloise", birth_date="1985-07-01", ward="MED"
                    )
        found = entries.list_entries(nurse)
    with ward.login("pharma") as pharmacist:
        last = entries.record_note(pharmacist, patient_id="100002", text="Vu en pharmacie")
    assert [e.seq for e in found] == list(range(1, 41))
    assert last.seq == 41 and len({e.device_id for e in [*found, last]}) == 1


def test_entries_cannot_be_edited_or_deleted_even_with_sql(ward):
    with ward.login() as nurse:
        entry = entries.record_note(nurse, patient_id="100001", text="Chute à 8 h")
        for sql in ("UPDATE entries SET payload = '{}'", "DELETE FROM entries"):
            with pytest.raises(sqlcipher3.DatabaseError, match="append-only"):
                nurse.conn.execute(sql)
        assert entries.get_entry(nurse, entry.uuid).payload["text"] == "Chute à 8 h"


def test_a_correction_supersedes_the_entry_which_stays_marked(ward):
    with ward.login() as nurse:
        wrong = _dose(nurse)
        fixed = entries.correct_entry(
            nurse,
            wrong.uuid,
            "dose réduite oubliée",
            dose_value="0.5",
            dose_change_reason="insuffisance hépatique",
        )
        again = entries.correct_entry(nurse, fixed.uuid, "heure erronée", at=paris(6, 30))
        with pytest.raises(BadInput, match="dernière version"):
            entries.correct_entry(nurse, wrong.uuid, "encore", dose_value=1)
        chain = entries.list_entries(nurse, "100001")
    assert [(e.seq, e.state, e.superseded_by) for e in chain] == [
        (1, "corrected", fixed.uuid),
        (2, "corrected", again.uuid),
        (3, "current", None),
    ]
    assert (fixed.supersedes, fixed.reason) == (wrong.uuid, "dose réduite oubliée")
    assert again.payload["dose_value"] == 0.5 and again.clinical_time == paris(6, 30)
    assert wrong.payload["dose_value"] == 1  # the earlier value is still there


def test_a_corrected_dose_is_not_a_double_dose_of_itself(ward):
    with ward.login() as nurse:
        first = _dose(nurse)
        fixed = entries.correct_entry(nurse, first.uuid, "site", site="bras droit")
    assert fixed.confirmations == [] and fixed.payload["site"] == "bras droit"


def test_a_correction_to_the_right_patient_is_checked_like_a_new_entry(ward):
    with ward.login() as nurse:
        note = entries.record_note(nurse, patient_id="100001", text="Douleur thoracique")
        moved = entries.correct_entry(nurse, note.uuid, "mauvais patient", patient_id="100002")
        wrong_dose = _dose(nurse)
        with pytest.raises(BadInput, match="autre patient"):
            entries.correct_entry(nurse, wrong_dose.uuid, "mauvais patient", patient_id="100002")
        with pytest.raises(BadInput, match="champ"):
            entries.correct_entry(nurse, note.uuid, "typo", colour="blue")
    assert moved.patient_id == "pat-2" and moved.payload["text"] == "Douleur thoracique"


def test_a_correction_needs_a_reason(ward):
    with ward.login() as nurse:
        note = entries.record_note(nurse, patient_id="100001", text="x")
        with pytest.raises(BadInput, match="motif"):
            entries.correct_entry(nurse, note.uuid, "  ", text="y")


def test_only_the_author_or_an_it_user_corrects(ward):
    with ward.login("admin") as admin:
        add_user(admin, "nurse2", "Noé Deux", "nurse", "Another-Nurse-42")
    with ward.login() as nurse:
        note = entries.record_note(nurse, patient_id="100001", text="Escarre talon")
    with ward.cache.login("nurse2", "Another-Nurse-42") as other, pytest.raises(PermissionDenied):
        entries.correct_entry(other, note.uuid, "pas moi", text="?")
    with ward.login("pharma") as pharmacist, pytest.raises(PermissionDenied):
        entries.retract_entry(pharmacist, note.uuid, "pas moi")
    with ward.login("admin") as admin:
        fixed = entries.correct_entry(admin, note.uuid, "ressaisie papier", text="Escarre talon G")
    assert fixed.author == "admin"


def test_a_retracted_dose_leaves_the_mar_but_stays_in_the_log(ward):
    ward.clock.set(paris(9))
    with ward.login() as nurse:
        dose = _dose(nurse)
        retraction = entries.retract_entry(nurse, dose.uuid, "mauvais patient")
        with pytest.raises(BadInput):
            entries.correct_entry(nurse, retraction.uuid, "?", text="x")
        with pytest.raises(BadInput, match="dernière version"):
            entries.retract_entry(nurse, dose.uuid, "deux fois")
        log = entries.list_entries(nurse, "100001")
        cell = next(
            r for r in mar_for_patient(nurse, "100001").rows if r.drug.startswith("Paracétamol")
        ).cells[0]
    assert [(e.kind, e.state) for e in log] == [("dose", "retracted"), ("retraction", "current")]
    assert retraction.supersedes == dose.uuid and retraction.reason == "mauvais patient"
    assert cell.state.value == "missed" and cell.doses == ()


def test_entries_survive_a_snapshot_that_drops_their_order(ward):
    ward.clock.set(paris(12, 30))
    with ward.login() as nurse:
        given = _dose(nurse)
    with ward.login("admin") as admin:
        drop_order_from_snapshot(admin, "ord-para")  # kept and flagged, as the importer does
        drop_order_from_snapshot(admin, "ord-amox", delete=True)
    with ward.login() as nurse:
        kept = entries.get_entry(nurse, given.uuid)
        mar = mar_for_patient(nurse, "100001")
        listed = entries.list_entries(nurse, "100001")
    assert kept == given and [e.uuid for e in listed] == [given.uuid]
    row = next(r for r in mar.rows if r.order and r.order.id == "ord-para")
    assert row.order.absent_from_snapshot and row.cells[0].state.value == "given"
    assert all(r.drug != "Amoxicilline 1 g, comprimé dispersible" for r in mar.rows)


def test_a_dose_whose_order_vanished_still_shows_on_that_days_mar(ward):
    with ward.login() as nurse:
        entries.record_dose(
            nurse,
            patient_id="100001",
            order_id="ord-prn",
            scheduled=None,
            status="given",
            at=paris(9),
        )
    with ward.login("admin") as admin:
        admin.conn.execute("DELETE FROM orders WHERE source_id = 'ord-prn'")  # worst case
    with ward.login() as nurse:
        row = next(r for r in mar_for_patient(nurse, "100001").rows if r.order is None)
    assert row.drug == "Tramadol 50 mg, gélule" and len(row.other_doses) == 1


def test_every_entry_is_audited(ward):
    with ward.login() as nurse:
        note = entries.record_note(nurse, patient_id="100003", text="RAS")
        fixed = entries.correct_entry(nurse, note.uuid, "précision", text="RAS, apyrétique")
        rows = nurse.conn.execute(
            "SELECT actor, detail FROM audit_log WHERE action = 'entry_recorded' ORDER BY id"
        ).fetchall()
    details = [json.loads(d) for _a, d in rows]
    assert [a for a, _d in rows] == ["nurse", "nurse"]
    assert details[0] == {"uuid": note.uuid, "kind": "note", "seq": 1, "patient_id": "pat-3"}
    assert details[1]["supersedes"] == note.uuid and details[1]["seq"] == fixed.seq


def test_an_acknowledged_entry_is_there_after_reopening_the_cache(ward):
    with ward.login() as nurse:
        entry = entries.record_vitals(nurse, patient_id="100002", temp=37.1, spo2=98)
    with ward.login("pharma") as pharmacist:
        assert entries.get_entry(pharmacist, entry.uuid) == entry


def test_entries_are_listed_by_ipp_or_since_a_sequence_number(ward):
    with ward.login() as nurse:
        for patient in ("100001", "100002", "100001"):
            entries.record_note(nurse, patient_id=patient, text="ok")
        by_ipp = entries.list_entries(nurse, "100001")
        since = entries.list_entries(nurse, since_seq=2)
        unknown = entries.list_entries(nurse, "no-such-patient")
    assert [e.seq for e in by_ipp] == [1, 3]
    assert [e.seq for e in since] == [3]
    assert unknown == []
