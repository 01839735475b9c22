"""Nurses record doses given or not given during the outage, with the safety checks that matter."""

from __future__ import annotations

import pytest

from continuity.core.errors import (
    AuthenticationFailed,
    BadInput,
    NeedsConfirmation,
    PermissionDenied,
)
from continuity.store import entries
from continuity.store.cache import login_with_recovery, slots_path
from continuity.store.key_slots import KeySlotFile
from continuity.store.users import disable_user
from tests import entries_fixtures
from tests.conftest import PHARMACIST_PASSWORD
from tests.entries_fixtures import drop_order_from_snapshot, paris

ward = entries_fixtures.ward  # the shared fixture: a small ward in the cache


def give(session, order_id="ord-para", scheduled=None, at=None, **fields):
    return entries.record_dose(
        session,
        patient_id="100001",
        order_id=order_id,
        scheduled=scheduled or paris(6),
        status=fields.pop("status", "given"),
        at=at or paris(6, 5),
        **fields,
    )


def test_a_dose_given_takes_the_ordered_dose_and_is_stored_with_every_column(ward):
    with ward.login() as nurse:
        entry = give(nurse)
    assert entry.kind == "dose" and entry.seq == 1 and entry.author == "nurse"
    assert entry.patient_id == "pat-1" and entry.order_id == "ord-para"  # source ids
    assert entry.clinical_time == paris(6, 5) and entry.recorded_time == ward.clock.now()
    assert entry.tz == "Europe/Paris" and entry.confirmations == [] and not entry.superseded
    p = entry.payload
    assert (p["status"], p["dose_value"], p["dose_unit"], p["route"]) == ("given", 1, "g", "PO")
    assert p["drug"] == "Paracétamol 1 g, comprimé" and p["scheduled"] == "2026-11-28T05:00:00Z"


def test_a_held_dose_is_recorded_with_its_reason(ward):
    with ward.login() as nurse:
        entry = give(nurse, status="not-given", reason="held")
    assert entry.payload["status"] == "not_given" and entry.payload["reason"] == "held"
    assert "dose_value" not in entry.payload


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"status": "not-given"}, "refused"),  # no reason: the list of codes is shown
        ({"status": "not-given", "reason": "other"}, "autre motif"),
        ({"status": "not-given", "reason": "sleepy"}, "nil_by_mouth"),
        ({"status": "maybe"}, "administrée ou non"),
        ({"dose_value": "2"}, "motif"),  # another dose than the order's needs a reason
        ({"dose_value": "beaucoup"}, "nombre"),
    ],
)
def test_an_incomplete_dose_is_refused_with_one_sentence(ward, fields, words):
    with ward.login() as nurse, pytest.raises(BadInput) as refused:
        give(nurse, **fields)
    assert words in str(refused.value) and str(refused.value).count(".") <= 2
    with ward.login() as nurse:
        assert entries.list_entries(nurse) == []


def test_a_different_dose_with_its_reason_is_kept(ward):
    with ward.login() as nurse:
        entry = give(nurse, dose_value="0,5", dose_change_reason="poids 40 kg")
    assert entry.payload["dose_value"] == 0.5 and entry.payload["dose_from_order"] is False


def test_an_as_needed_dose_has_no_scheduled_time_and_takes_the_orders_reason(ward):
    with ward.login() as nurse:
        entry = entries.record_dose(
            nurse, patient_id="100001", order_id="ord-prn", scheduled=None, status="given",
            at=paris(9, 30),
        )  # fmt: skip
        assert entry.payload["prn_reason"] == "si douleur" and entry.payload["scheduled"] is None
        with pytest.raises(BadInput, match="si besoin"):
            entries.record_dose(
                nurse, patient_id="100001", order_id="ord-prn", scheduled=paris(9), status="given"
            )


def test_unknown_patient_or_order_or_someone_elses_order_is_refused(ward):
    with ward.login() as nurse:
        with pytest.raises(BadInput, match="999"):
            entries.record_dose(
                nurse, patient_id="999", order_id="ord-para", scheduled=paris(6), status="given"
            )
        with pytest.raises(BadInput, match="ord-nope"):
            give(nurse, order_id="ord-nope")
        with pytest.raises(BadInput, match="autre patient"):
            give(nurse, order_id="ord-other")


def test_a_second_given_for_the_same_time_asks_to_confirm_a_double_dose(ward):
    with ward.login() as nurse:
        give(nurse)
        with pytest.raises(NeedsConfirmation) as asked:
            give(nurse, at=paris(6, 20))
        assert asked.value.checks == ["double_dose"] and "double" in asked.value.message
        confirmed = give(nurse, at=paris(6, 20), confirm=True)
    assert confirmed.seq == 2  # the refusal consumed no sequence number
    assert confirmed.confirmations[0]["check"] == "double_dose"


def test_the_double_dose_check_sees_another_nurses_dose_on_this_laptop(ward):
    with ward.login("pharma") as pharmacist:
        give(pharmacist)
    with ward.login() as nurse, pytest.raises(NeedsConfirmation):
        give(nurse)


def test_a_not_given_then_given_dose_is_not_a_double_dose(ward):
    with ward.login() as nurse:
        give(nurse, status="not-given", reason="absent")
        assert give(nurse, at=paris(7)).confirmations == []


def test_amoxicillin_for_a_patient_allergic_to_penicillin_asks_for_confirmation(ward):
    with ward.login() as nurse:
        with pytest.raises(NeedsConfirmation) as asked:
            give(nurse, order_id="ord-amox", scheduled=paris(8), at=paris(8))
        assert asked.value.checks == ["allergy"]
        assert "Pénicilline" in asked.value.message
        entry = give(nurse, order_id="ord-amox", scheduled=paris(8), at=paris(8), confirm=True)
    assert entry.confirmations[0]["check"] == "allergy"


def test_an_allergy_recorded_during_the_outage_warns_at_once(ward):
    with ward.login() as nurse:
        entries.record_allergy(
            nurse,
            patient_id="100001",
            substance="Paracétamol",
            reaction="urticaire",
            criticality="high",
        )
        with pytest.raises(NeedsConfirmation, match="Paracétamol"):
            give(nurse)


def test_a_dose_on_a_stopped_order_asks_for_confirmation(ward):
    with ward.login() as nurse, pytest.raises(NeedsConfirmation) as asked:
        give(nurse, order_id="ord-stopped", scheduled=paris(8), at=paris(8))
    assert asked.value.checks == ["order_stopped"]  # kétoprofène is no penicillin


def test_a_dose_far_from_its_scheduled_time_asks_for_confirmation(ward):
    with ward.login() as nurse:
        with pytest.raises(NeedsConfirmation) as asked:
            give(nurse, at=paris(9, 10))
        assert asked.value.checks == ["far_from_schedule"]
        assert give(nurse, at=paris(7, 59)).confirmations == []  # within 2 h


def test_care_in_the_future_is_refused_but_clock_drift_is_tolerated(ward):
    with ward.login() as nurse:
        with pytest.raises(BadInput, match="futur"):
            give(nurse, scheduled=paris(12), at=paris(10, 10))
        assert give(nurse, scheduled=paris(12), at=paris(10, 4), confirm=True).seq == 1


def test_care_dated_long_before_the_snapshot_asks_for_confirmation(ward):
    with ward.login() as nurse, pytest.raises(NeedsConfirmation) as asked:
        give(nurse, scheduled=paris(6, day=20), at=paris(6, day=20))
    assert asked.value.checks == ["before_snapshot"]


def test_a_high_alert_drug_needs_a_witness_with_their_own_password(ward):
    def insulin(session, **witness):
        return give(session, order_id="ord-insulin", scheduled=paris(8), at=paris(8), **witness)

    with ward.login() as nurse:
        with pytest.raises(BadInput, match="témoin"):
            insulin(nurse)
        with pytest.raises(BadInput, match="autre personne"):
            insulin(nurse, witness="nurse", witness_password="whatever")
        with pytest.raises(AuthenticationFailed):
            insulin(nurse, witness="pharma", witness_password="Wrong-Password-1")
        with pytest.raises(AuthenticationFailed):
            insulin(nurse, witness="ghost", witness_password=PHARMACIST_PASSWORD)
        assert entries.list_entries(nurse) == []
        entry = insulin(nurse, witness="PHARMA", witness_password=PHARMACIST_PASSWORD)
    assert entry.witness == "pharma" and entry.seq == 1
    failures = KeySlotFile.load(slots_path(ward.cache.path)).lockout
    assert "pharma" not in failures  # cleared by the right password
    assert "ghost" not in failures  # a name with no slot is counted under a keyed hash
    assert [v["failures"] for k, v in failures.items() if k.startswith("?")] == [1]


def test_a_wrong_witness_password_counts_as_a_failed_login(ward):
    with ward.login() as nurse:
        with pytest.raises(AuthenticationFailed):
            give(
                nurse,
                order_id="ord-insulin",
                scheduled=paris(8),
                at=paris(8),
                witness="pharma",
                witness_password="Wrong-Password-1",
            )
    slots = KeySlotFile.load(slots_path(ward.cache.path))
    assert slots.lockout["pharma"]["failures"] == 1


def test_a_disabled_user_cannot_witness(ward):
    with ward.login("admin") as admin:
        disable_user(admin, "pharma")
    with ward.login() as nurse, pytest.raises(AuthenticationFailed):
        give(
            nurse,
            order_id="ord-insulin",
            scheduled=paris(8),
            at=paris(8),
            witness="pharma",
            witness_password=PHARMACIST_PASSWORD,
        )


def test_a_not_given_high_alert_dose_needs_no_witness(ward):
    with ward.login() as nurse:
        entry = give(
            nurse,
            order_id="ord-insulin",
            scheduled=paris(8),
            at=paris(8),
            status="not-given",
            reason="nil-by-mouth",
        )
    assert entry.witness is None and entry.payload["reason"] == "nil_by_mouth"


def test_emergency_access_cannot_record_care(ward):
    with (
        login_with_recovery(ward.cache.path, ward.cache.recovery_key, clock=ward.clock) as glass,
        pytest.raises(PermissionDenied),
    ):
        give(glass)


def test_a_dose_on_an_order_dropped_by_a_later_snapshot_asks_for_confirmation(ward):
    with ward.login("admin") as admin:
        drop_order_from_snapshot(admin, "ord-para")
    with ward.login() as nurse, pytest.raises(NeedsConfirmation) as asked:
        give(nurse)
    assert asked.value.checks == ["order_absent"]


def test_the_reason_a_dose_was_not_given_can_be_corrected(ward):
    with ward.login("nurse") as nurse:
        held = give(nurse, status="not_given", reason="refused")
        fixed = entries.correct_entry(nurse, held.uuid, "mauvais motif coché", reason="held")
    assert fixed.payload["reason"] == "held"
    assert fixed.reason == "mauvais motif coché"
    assert fixed.supersedes == held.uuid
