"""Vital signs, notes, allergies, lines, infusions and paper prescriptions recorded offline."""

from __future__ import annotations

import pytest

from continuity.core.entries import VITAL_SIGNS, timing_at_times, vitals_payload
from continuity.core.errors import BadInput, NeedsConfirmation
from continuity.store import census, entries
from continuity.store.emar import mar_for_patient
from tests import entries_fixtures
from tests.conftest import PHARMACIST_PASSWORD
from tests.entries_fixtures import paris

ward = entries_fixtures.ward  # the shared fixture: a small ward in the cache


def test_vital_signs_outside_normal_are_kept_and_flagged(ward):
    with ward.login() as nurse:
        entry = entries.record_vitals(
            nurse,
            patient_id="100001",
            bp_sys="85",
            bp_dia="50",
            hr=118,
            temp="38,9",
            spo2=91,
            o2_flow=2,
            avpu="v",
            pain=2,
            at=paris(9, 45),
        )
    p = entry.payload
    assert (p["bp_sys"], p["hr"], p["temp"], p["spo2"], p["avpu"]) == (85, 118, 38.9, 91, "V")
    assert p["flags"] == {
        "bp_sys": "low",
        "hr": "high",
        "temp": "high",
        "spo2": "low",
        "avpu": "abnormal",
    }


@pytest.mark.parametrize(
    ("values", "words"),
    [
        ({"hr": 400}, "Fréquence cardiaque à 400 /min : hors des limites physiologiques"),
        ({"temp": 52}, "Température"),
        ({"spo2": 101}, "SpO2"),
        ({"pain": 11}, "douleur"),
        ({"pain": 4.5}, "entier"),
        ({"bp_sys": 120}, "systolique et la diastolique"),
        ({"bp_sys": 80, "bp_dia": 120}, "inférieure"),
        ({"o2_flow": 3}, "SpO2"),
        ({"avpu": "Z"}, "ACVPU"),
        ({}, "au moins une"),
    ],
)
def test_impossible_vital_signs_are_refused_with_one_clear_sentence(ward, values, words):
    with ward.login() as nurse, pytest.raises(BadInput) as refused:
        entries.record_vitals(nurse, patient_id="100001", **values)
    assert words in str(refused.value)
    assert str(refused.value).count(". ") == 0  # one sentence


def test_the_limits_table_is_the_one_source_for_every_vital_sign():
    keys = {sign.key for sign in VITAL_SIGNS}
    assert keys == {
        "bp_sys",
        "bp_dia",
        "hr",
        "rr",
        "temp",
        "spo2",
        "o2_flow",
        "pain",
        "weight",
        "glucose",
    }
    for sign in VITAL_SIGNS:
        assert sign.low < sign.high
        if sign.normal:
            assert sign.low <= sign.normal[0] < sign.normal[1] <= sign.high
        vitals_payload(
            **{
                sign.key: sign.low,
                **({"spo2": 95} if sign.key == "o2_flow" else {}),
                **({"bp_dia": 20} if sign.key == "bp_sys" else {}),
                **({"bp_sys": 120} if sign.key == "bp_dia" else {}),
            }
        )


def test_a_note_has_a_category_and_text(ward):
    with ward.login() as nurse:
        note = entries.record_note(
            nurse,
            patient_id="100001",
            category="handover",
            text="Patiente algique la nuit, à réévaluer.",
        )
        assert note.payload == {
            "category": "handover",
            "text": "Patiente algique la nuit, à réévaluer.",
        }
        with pytest.raises(BadInput):
            entries.record_note(nurse, patient_id="100001", text="  ")
        with pytest.raises(BadInput, match="transmission"):
            entries.record_note(nurse, patient_id="100001", text="x", category="gossip")


def test_an_allergy_recorded_offline_joins_the_patients_allergies(ward):
    with ward.login() as nurse:
        entries.record_allergy(
            nurse,
            patient_id="100002",
            substance="Iode",
            reaction="Bronchospasme",
            criticality="unable-to-assess",
        )
        found = census.allergies(nurse, "pat-2")
    assert [(a.substance, a.criticality) for a in found] == [("Iode", "unable-to-assess")]


def test_a_line_is_inserted_then_removed_once(ward):
    with ward.login() as nurse:
        inserted = entries.record_line(
            nurse,
            patient_id="100001",
            action="inserted",
            line_kind="peripheral-iv",
            site="avant-bras gauche",
            at=paris(8),
        )
        with pytest.raises(BadInput, match="site"):
            entries.record_line(
                nurse, patient_id="100001", action="inserted", line_kind="urinary_catheter"
            )
        removed = entries.record_line(
            nurse,
            patient_id="100001",
            action="removed",
            line_kind="peripheral_iv",
            line=inserted.uuid,
        )
        assert removed.payload["line"] == inserted.uuid
        with pytest.raises(BadInput, match="déjà retiré"):
            entries.record_line(
                nurse,
                patient_id="100001",
                action="removed",
                line_kind="peripheral_iv",
                line=inserted.uuid,
            )
        with pytest.raises(BadInput):  # another patient's line
            entries.record_line(
                nurse,
                patient_id="100002",
                action="removed",
                line_kind="peripheral_iv",
                line=inserted.uuid,
            )


def test_an_infusion_starts_changes_rate_and_stops_with_the_volume_infused(ward):
    with ward.login() as nurse:
        start = entries.record_infusion(
            nurse,
            patient_id="100001",
            action="start",
            solution="NaCl 0,9 %",
            additive="KCl 1 g",
            rate="125",
            volume=1000,
            at=paris(6),
        )
        change = entries.record_infusion(
            nurse,
            patient_id="100001",
            action="rate-change",
            infusion=start.uuid,
            rate=80,
            at=paris(8),
        )
        stop = entries.record_infusion(
            nurse,
            patient_id="100001",
            action="stop",
            infusion=start.uuid,
            volume_infused="410",
            at=paris(10),
        )
        assert (start.payload["rate"], change.payload["rate"]) == (125, 80)
        assert stop.payload["volume_infused"] == 410
        with pytest.raises(BadInput, match="déjà arrêtée"):
            entries.record_infusion(
                nurse, patient_id="100001", action="rate-change", infusion=start.uuid, rate=50
            )
        with pytest.raises(BadInput, match="soluté"):
            entries.record_infusion(nurse, patient_id="100001", action="start", rate=10, volume=100)
        with pytest.raises(BadInput):
            entries.record_infusion(
                nurse, patient_id="100001", action="stop", infusion=change.uuid, volume_infused=1
            )


def _paper_order(session, **fields):
    values = dict(
        patient_id="100002",
        drug="Amoxicilline 1 g",
        dose_value=1,
        dose_unit="g",
        route="PO",
        timing=timing_at_times(["08:00", "20:00"]),
        prescriber_name="Dr Martin",
        paper_ref="ORD-2026-0042",
        at=paris(7),
    )
    return entries.record_manual_order(session, **{**values, **fields})


def test_a_paper_prescription_becomes_an_order_doses_can_be_recorded_against(ward):
    with ward.login() as nurse:
        order_entry = _paper_order(nurse)
        assert order_entry.order_id == order_entry.uuid
        order = census.get_order(nurse, order_entry.order_id)
        assert order.manual and order.paper_ref == "ORD-2026-0042"
        assert order.prescriber_name == "Dr Martin"
        dose = entries.record_dose(
            nurse,
            patient_id="100002",
            order_id=order.id,
            scheduled=paris(8),
            status="given",
            at=paris(8, 10),
        )
        assert dose.payload["dose_value"] == 1
        mar = mar_for_patient(nurse, "100002")
    row = next(r for r in mar.rows if r.order and r.order.manual)
    assert [(c.scheduled, c.state.value) for c in row.cells] == [
        (paris(8), "given"),
        (paris(20), "future"),
    ]


def test_a_paper_prescription_needs_its_prescriber_reference_and_schedule(ward):
    with ward.login() as nurse:
        with pytest.raises(BadInput, match="prescripteur"):
            _paper_order(nurse, prescriber_name="")
        with pytest.raises(BadInput, match="référence"):
            _paper_order(nurse, paper_ref=None)
        with pytest.raises(BadInput, match="si besoin"):
            _paper_order(nurse, timing=None)
        with pytest.raises(BadInput, match="HH:MM"):
            timing_at_times(["8h75"])
        prn = _paper_order(nurse, timing=None, as_needed=True, prn_reason="si fièvre")
    assert prn.payload["as_needed"] is True


def test_a_high_alert_paper_prescription_needs_a_witness_for_each_dose(ward):
    with ward.login() as nurse:
        morphine = _paper_order(
            nurse, drug="Morphine chlorhydrate 10 mg/mL", dose_value=5, dose_unit="mg", route="SC"
        )
        assert morphine.payload["high_alert"] is True  # from the site's high-alert list
        with pytest.raises(BadInput, match="témoin"):
            entries.record_dose(
                nurse,
                patient_id="100002",
                order_id=morphine.order_id,
                scheduled=paris(8),
                status="given",
                at=paris(8),
            )
        dose = entries.record_dose(
            nurse,
            patient_id="100002",
            order_id=morphine.order_id,
            scheduled=paris(8),
            status="given",
            at=paris(8),
            witness="pharma",
            witness_password=PHARMACIST_PASSWORD,
        )
    assert dose.witness == "pharma"


def test_a_paper_prescription_stopped_by_a_correction_no_longer_shows_as_active(ward):
    with ward.login() as nurse:
        order_entry = _paper_order(nurse)
        entries.correct_entry(nurse, order_entry.uuid, "arrêt par le Dr Martin", status="stopped")
        active = census.orders(nurse, "pat-2")
    assert [o.drug for o in active] == ["Furosémide (Lasilix), comprimé"]


def test_a_corrected_paper_prescription_keeps_its_id_and_its_doses(ward):
    with ward.login() as nurse:
        order_entry = _paper_order(nurse)
        entries.record_dose(
            nurse,
            patient_id="100002",
            order_id=order_entry.order_id,
            scheduled=paris(8),
            status="given",
            at=paris(8),
        )
        fixed = entries.correct_entry(nurse, order_entry.uuid, "dose mal recopiée", dose_value=2)
        order = census.get_order(nurse, order_entry.order_id)
        row = next(r for r in mar_for_patient(nurse, "100002").rows if r.order.manual)
    assert fixed.order_id == order_entry.order_id
    assert order is not None and order.dose_value == 2
    assert row.cells[0].state.value == "given"


def test_a_confirmation_is_not_needed_for_ordinary_entries(ward):
    with ward.login() as nurse:
        entry = entries.record_note(nurse, patient_id="100003", text="RAS")
    assert entry.confirmations == []
    with ward.login() as nurse, pytest.raises(NeedsConfirmation):
        entries.record_note(nurse, patient_id="100003", text="RAS", at=paris(8, day=2))
