"""Patients who arrive, move and leave during the outage, without registering anyone twice."""

from __future__ import annotations

import pytest

from continuity.core.errors import BadInput, NeedsConfirmation
from continuity.store import census, entries
from tests import entries_fixtures
from tests.entries_fixtures import paris

ward = entries_fixtures.ward  # the shared fixture: a small ward in the cache


def test_a_downtime_admission_gets_a_temporary_id_and_joins_the_census(ward):
    with ward.login() as nurse:
        entry = entries.admit_patient(
            nurse,
            family="Nguyen",
            given="Thi Mai",
            birth_date="03/04/1990",
            sex="F",
            ward="MED",
            room="15",
            bed="A",
            at=paris(9, 30),
        )
        assert entry.patient_id == "DT-SAGESSE-3A-PC1-0001" and entry.kind == "admission"
        patient = census.get_patient(nurse, entry.patient_id)
        second = entries.admit_patient(nurse, family="Bernard", ward="CHIR")
    assert patient.temporary and patient.display_name == "NGUYEN Thi Mai"
    assert (patient.ward, patient.room, patient.bed, patient.sex) == ("MED", "15", "A", "female")
    assert str(patient.birth_date) == "1990-04-03"
    assert second.patient_id == "DT-SAGESSE-3A-PC1-0002"


def test_an_unknown_stranger_can_be_admitted_with_a_family_name_and_a_ward(ward):
    with ward.login() as nurse:
        entry = entries.admit_patient(nurse, family="Inconnu", ward="USC")
        assert entry.payload["sex"] == "unknown" and entry.payload["birth_date"] is None
        with pytest.raises(BadInput, match="nom de famille"):
            entries.admit_patient(nurse, family=" ", ward="USC")
        with pytest.raises(BadInput, match="futur"):
            entries.admit_patient(nurse, family="X", ward="USC", birth_date="2030-01-01")
        with pytest.raises(BadInput, match="service"):
            entries.admit_patient(nurse, family="X", ward="")


def test_likely_matches_ignore_accents_case_and_swapped_names(ward):
    with ward.login() as nurse:
        by_name = entries.likely_matches(nurse, "lefevre", "jean pierre")
        swapped = entries.likely_matches(nurse, "Jean-Pierre", "Lefèvre")
        by_birth = entries.likely_matches(nurse, "Martins", "Eloise", "1985-07-01", "female")
        stranger = entries.likely_matches(nurse, "Zidane", "Zinedine", "1972-06-23", "male")
    assert [m.patient.ipp for m in by_name] == ["100003"]
    assert [m.patient.ipp for m in swapped] == ["100003"]
    assert [m.patient.ipp for m in by_birth] == ["100002"]
    assert by_birth[0].reasons == ("name", "birth_date")
    assert stranger == []


def test_a_homonym_with_another_birth_date_is_shown_too(ward):
    with ward.login() as nurse:
        found = entries.likely_matches(nurse, "Dupont", "Jeanne", "2001-01-01", "female")
    assert [(m.patient.ipp, m.reasons) for m in found] == [("100001", ("homonym",))]


def test_admitting_someone_already_known_asks_first_and_consumes_nothing(ward):
    with ward.login() as nurse:
        with pytest.raises(NeedsConfirmation) as asked:
            entries.admit_patient(
                nurse, family="DUPONT", given="jeanne", birth_date="1950-03-12", ward="MED"
            )
        assert asked.value.checks == ["likely_match"]
        assert "DUPONT Jeanne (12/03/1950, 100001)" in asked.value.message
        assert entries.list_entries(nurse) == []
        entry = entries.admit_patient(
            nurse,
            family="DUPONT",
            given="jeanne",
            birth_date="1950-03-12",
            ward="MED",
            confirm=True,
        )
    assert entry.patient_id == "DT-SAGESSE-3A-PC1-0001" and entry.seq == 1  # nothing consumed
    assert entry.confirmations[0]["check"] == "likely_match"


def test_an_earlier_downtime_admission_is_a_likely_match(ward):
    with ward.login() as nurse:
        first = entries.admit_patient(
            nurse,
            family="Kowalski",
            given="Anna",
            birth_date="1977-09-09",
            sex="female",
            ward="MED",
        )
        with pytest.raises(NeedsConfirmation, match=first.patient_id):
            entries.admit_patient(
                nurse, family="Kowalsky", given="Ana", birth_date="09/09/1977", ward="CHIR"
            )


def test_ids_reserved_for_blank_forms_are_never_reused(ward):
    with ward.login() as nurse:
        reserved = entries.reserve_temp_ids(nurse, 3)
        admitted = entries.admit_patient(nurse, family="Petit", ward="MED")
        from_form = entries.admit_patient(
            nurse, family="Roux", ward="MED", temp_id=reserved[1].lower()
        )
        with pytest.raises(BadInput, match="déjà été attribué"):
            entries.admit_patient(nurse, family="Blanc", ward="MED", temp_id=reserved[1])
        with pytest.raises(BadInput, match="réservé"):
            entries.admit_patient(
                nurse, family="Blanc", ward="MED", temp_id="DT-SAGESSE-3A-PC1-0099"
            )
        with pytest.raises(BadInput):
            entries.reserve_temp_ids(nurse, 0)
    assert reserved == [f"DT-SAGESSE-3A-PC1-000{i}" for i in (1, 2, 3)]
    assert admitted.patient_id == "DT-SAGESSE-3A-PC1-0004"
    assert from_form.patient_id == "DT-SAGESSE-3A-PC1-0002"


def test_temporary_ids_go_on_past_a_block(ward):
    with ward.login() as nurse:
        ids = entries.reserve_temp_ids(nurse, 150)
    assert len(set(ids)) == 150 and ids[-1] == "DT-SAGESSE-3A-PC1-0150"


def test_a_transfer_and_a_discharge_change_the_census(ward):
    with ward.login() as nurse:
        entries.transfer_patient(nurse, patient_id="100001", ward="USC", room="2", bed="B")
        moved = census.get_patient(nurse, "100001")
        entries.discharge_patient(nurse, patient_id="100001", destination="domicile")
        gone = [p.id for p in census.list_patients(nurse)]
        with pytest.raises(BadInput, match="déjà sorti"):
            entries.discharge_patient(nurse, patient_id="100001")
    assert (moved.ward, moved.room, moved.bed) == ("USC", "2", "B")
    assert "pat-1" not in gone


def test_a_temporary_patient_is_treated_like_any_patient(ward):
    with ward.login() as nurse:
        admitted = entries.admit_patient(nurse, family="Garcia", ward="MED", at=paris(9))
        vitals = entries.record_vitals(nurse, patient_id=admitted.patient_id, hr=80)
        entries.transfer_patient(nurse, patient_id=admitted.patient_id, ward="CHIR")
        listed = entries.list_entries(nurse, admitted.patient_id)
        patient = census.get_patient(nurse, admitted.patient_id)
    assert vitals.patient_id == admitted.patient_id
    assert [e.kind for e in listed] == ["admission", "vitals", "transfer"]
    assert patient.ward == "CHIR"


def test_correcting_a_downtime_admission_keeps_its_temporary_id(ward):
    with ward.login() as nurse:
        admitted = entries.admit_patient(nurse, family="Mercier", given="Luc", ward="MED")
        fixed = entries.correct_entry(nurse, admitted.uuid, "nom mal orthographié", family="Mercer")
        patient = census.get_patient(nurse, admitted.patient_id)
    assert fixed.patient_id == admitted.patient_id and patient.family == "Mercer"
