"""Fixes from the review of care recording: each test failed before its fix.

Double doses off the schedule, a PRN order's own ceiling, aspirin allergies, a witness kept
on a corrected high-alert dose, hyperglycaemia above 6 g/L, impossible dates in the CLI, and
the state of orders in `continuity orders`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from continuity.core.drug_classes import allergy_conflict
from continuity.core.entries import moment
from continuity.core.errors import BadInput, NeedsConfirmation
from continuity.core.safety import PRN_REPEAT_WINDOW, prn_min_interval
from continuity.core.timing import parse_timing
from continuity.store import entries
from tests import entries_fixtures
from tests.cli_helpers import run_cli
from tests.conftest import NURSE_PASSWORD, PHARMACIST_PASSWORD
from tests.entries_fixtures import drop_order_from_snapshot, paris, seed_snapshot

ward = entries_fixtures.ward


def give(session, order_id="ord-para", scheduled=None, at=None, **fields):
    return entries.record_dose(
        session,
        patient_id="100001",
        order_id=order_id,
        scheduled=scheduled,
        status=fields.pop("status", "given"),
        at=at,
        **fields,
    )


# -- 1. double doses that escape the same-time check ----------------------------------------
def test_a_time_the_order_does_not_have_asks_for_confirmation(ward):
    with ward.login() as nurse:
        with pytest.raises(NeedsConfirmation) as asked:
            give(nurse, scheduled=paris(6, 30), at=paris(6, 35))  # rounds 06/12/18/23
        assert asked.value.checks == ["not_scheduled"]
        assert "06:30" in asked.value.message
        kept = give(nurse, scheduled=paris(6, 30), at=paris(6, 35), confirm=True)
    assert kept.confirmations[0]["check"] == "not_scheduled"


def test_paracetamol_given_three_times_within_the_hour_asks_each_time(ward):
    ward.clock.set(paris(14))
    with ward.login() as nurse:
        assert give(nurse, scheduled=paris(12), at=paris(12, 5)).confirmations == []
        for scheduled, at in ((paris(12, 30), paris(12, 40)), (paris(13), paris(13, 10))):
            with pytest.raises(NeedsConfirmation) as asked:
                give(nurse, scheduled=scheduled, at=at)
            assert asked.value.checks == ["double_dose", "not_scheduled"]  # most serious first
            assert "12:05" in asked.value.message or "12:40" in asked.value.message
            give(nurse, scheduled=scheduled, at=at, confirm=True)


def test_two_rounds_given_closer_than_the_schedule_allows_ask_for_confirmation(ward):
    with ward.login() as nurse:
        give(nurse, scheduled=paris(6), at=paris(7, 55))  # late, within tolerance
        with pytest.raises(NeedsConfirmation) as asked:
            give(nurse, scheduled=paris(12), at=paris(10, 4))  # early: 2 h 09 apart, rounds 5 h
        assert asked.value.checks == ["double_dose"]
        assert "07:55" in asked.value.message


def test_rounds_given_on_time_ask_nothing(ward):
    ward.clock.set(paris(23, 30))
    with ward.login() as nurse:
        for hour in (6, 12, 18, 23):
            assert give(nurse, scheduled=paris(hour), at=paris(hour, 5)).confirmations == []


def test_a_retracted_dose_does_not_count_as_given(ward):
    with ward.login() as nurse:
        first = give(nurse, scheduled=paris(6), at=paris(7, 55))
        entries.retract_entry(nurse, first.uuid, "mauvais patient")
        assert give(nurse, scheduled=paris(12), at=paris(10, 4)).confirmations == []


# -- 2. the PRN order's own ceiling ------------------------------------------------------------
@pytest.mark.parametrize(
    ("repeat", "hours"),
    [
        ({"frequency": 1, "period": 8, "periodUnit": "h"}, 8),
        ({"frequency": 3, "period": 1, "periodUnit": "d"}, 8),
        ({"frequency": 1, "frequencyMax": 4, "period": 1, "periodUnit": "d"}, 6),
        ({"frequency": 1, "period": 30, "periodUnit": "min"}, 1),  # the floor
        ({}, 1),
    ],
)
def test_the_minimum_interval_of_an_as_needed_order_comes_from_its_ceiling(repeat, hours):
    spec = parse_timing({"repeat": repeat} if repeat else None, as_needed=True)
    assert prn_min_interval(spec) == timedelta(hours=hours)
    assert PRN_REPEAT_WINDOW == timedelta(hours=1)


def test_as_needed_doses_within_the_orders_ceiling_ask_for_confirmation(ward):
    """Tramadol "si besoin, max toutes les 6 h": four doses in 3 h 15 each ask."""
    ward.clock.set(paris(20))
    with ward.login() as nurse:
        assert give(nurse, "ord-prn", at=paris(8)).confirmations == []
        for at in (paris(9, 30), paris(10, 45), paris(11, 15)):
            with pytest.raises(NeedsConfirmation) as asked:
                give(nurse, "ord-prn", at=at)
            assert asked.value.checks == ["double_dose"]
            give(nurse, "ord-prn", at=at, confirm=True)
        assert give(nurse, "ord-prn", at=paris(17, 20)).confirmations == []  # 6 h 05 later


# -- 3. aspirin allergies -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("allergy", "drug", "code"),
    [
        ("Aspirine", "Acide acétylsalicylique 75 mg", "B01AC06"),
        ("Aspirine", "Acide acétylsalicylique 75 mg", None),
        ("Aspirine", "Kardégic 75 mg", "B01AC06"),
        ("Acide acétylsalicylique", "Ibuprofène 400 mg", "M01AE01"),
        ("Acide acétylsalicylique", "Aspirine Protect 100 mg", None),
    ],
)
def test_an_aspirin_allergy_warns_on_aspirin_and_nsaids(allergy, drug, code):
    assert allergy_conflict(drug, code, allergy) is not None


def test_acid_in_a_name_is_no_allergy_to_every_acid():
    assert allergy_conflict("Acide folique 5 mg", "B03BB01", "Acide acétylsalicylique") is None
    assert allergy_conflict("Clopidogrel 75 mg", "B01AC04", "Aspirine") is None


# -- 4. a corrected high-alert dose needs a new witness ----------------------------------------
def _insulin(nurse):
    return give(
        nurse,
        "ord-insulin",
        scheduled=paris(8),
        at=paris(8),
        witness="pharma",
        witness_password=PHARMACIST_PASSWORD,
    )


def test_a_high_alert_dose_corrected_to_another_dose_needs_a_new_witness(ward):
    with ward.login() as nurse:
        first = _insulin(nurse)
        with pytest.raises(BadInput, match="témoin"):
            entries.correct_entry(
                nurse, first.uuid, "dose mal saisie", dose_value=60, dose_change_reason="erreur"
            )
        fixed = entries.correct_entry(
            nurse,
            first.uuid,
            "dose mal saisie",
            dose_value=60,
            dose_change_reason="erreur",
            witness="pharma",
            witness_password=PHARMACIST_PASSWORD,
        )
    assert fixed.payload["dose_value"] == 60 and fixed.witness == "pharma"


def test_a_high_alert_dose_corrected_in_its_comment_keeps_its_witness(ward):
    with ward.login() as nurse:
        first = _insulin(nurse)
        fixed = entries.correct_entry(nurse, first.uuid, "précision", comment="abdomen")
    assert fixed.witness == "pharma" and fixed.payload["dose_value"] == 6


def test_a_high_alert_dose_corrected_to_not_given_keeps_no_false_witness(ward):
    with ward.login() as nurse:
        first = _insulin(nurse)
        fixed = entries.correct_entry(
            nurse, first.uuid, "pas donnée", status="not_given", reason="refused"
        )
    assert fixed.witness is None


# -- 5. hyperglycaemia --------------------------------------------------------------------------
def test_a_blood_glucose_of_12_g_per_litre_is_kept_and_flagged(ward):
    with ward.login() as nurse:
        with pytest.raises(NeedsConfirmation, match="12,4 mmol/L"):  # or a meter in mmol/L?
            entries.record_vitals(nurse, patient_id="100001", at=paris(9), glucose="12,4")
        entry = entries.record_vitals(
            nurse, patient_id="100001", at=paris(9), glucose="12,4", confirm=True
        )
        assert entry.payload["glucose"] == 12.4 and entry.payload["flags"]["glucose"] == "high"
        with pytest.raises(BadInput, match="20 g/L"):
            entries.record_vitals(nurse, patient_id="100001", at=paris(9), glucose=25)


# -- 6. impossible dates ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text", ["9999-12-31T23:59:59-23:59", "0001-01-01T00:00", "0001-01-01T00:00:00+23:59"]
)
def test_a_date_outside_1900_2100_is_refused_in_one_sentence(text):
    with pytest.raises(BadInput, match="1900"):
        moment(text)
    with pytest.raises(BadInput):
        moment(datetime(1, 1, 1, tzinfo=UTC))


def test_listing_from_an_impossible_sequence_number_is_refused(ward):
    with ward.login() as nurse:
        with pytest.raises(BadInput):
            entries.list_entries(nurse, since_seq=99999999999999999999999)
        assert entries.list_entries(nurse, since_seq=0) == []


@pytest.fixture
def laptop(cache):
    cache.clock.set(datetime.now(UTC))  # in-process steps agree with the subprocess's clock
    with cache.login("admin") as admin:
        seed_snapshot(admin, datetime.now(UTC) - timedelta(hours=1))
    return cache


def cli(laptop, *args):
    return run_cli(
        *args, "--db", laptop.path, "--user", "nurse", "--password-stdin",
        stdin=NURSE_PASSWORD + "\n",
    )  # fmt: skip


def test_impossible_times_in_the_cli_exit_4_with_a_sentence(laptop):
    vitals = ("record", "vitals", "--patient", "100001", "--hr", "80", "--at")
    for extra in (("9999-12-31T23:59:59-23:59",), ("0001-01-01T00:00", "--confirm")):
        result = cli(laptop, *vitals, *extra)
        assert result.returncode == 4, result.stderr
        assert "1900" in result.stderr and "Traceback" not in result.stderr
    listed = cli(laptop, "entries", "list", "--since", "99999999999999999999999")
    assert listed.returncode == 4 and "séquence" in listed.stderr


# -- 7. orders on hold, expired or absent say so ------------------------------------------------
def test_the_orders_command_marks_orders_on_hold_expired_or_absent(laptop):
    with laptop.login("admin") as admin:
        with admin.transaction() as conn:
            conn.execute("UPDATE orders SET status = 'on-hold' WHERE source_id = 'ord-amox'")
            conn.execute(
                "UPDATE orders SET end = '2026-01-01T00:00:00Z' WHERE source_id = 'ord-insulin'"
            )
        drop_order_from_snapshot(admin, "ord-para")
    result = cli(laptop, "orders", "--patient", "100001")
    assert result.returncode == 0, result.stderr
    lines = {line.split("\t")[0]: line for line in result.stdout.splitlines() if "\t" in line}
    assert "SUSPENDU" in lines["ord-amox"]
    assert "EXPIRÉE" in lines["ord-insulin"]
    assert "absente du dernier instantané" in lines["ord-para"]
    assert not {"SUSPENDU", "EXPIRÉE"} & set(lines["ord-prn"].split())
