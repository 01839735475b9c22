"""A blood glucose typed in mmol/L where g/L is asked is caught before it is stored, and the
reasons to stop and think are read most serious first."""

from __future__ import annotations

import pytest

from continuity.core.errors import NeedsConfirmation
from continuity.core.safety import Check, require_confirmation
from continuity.store import entries
from tests import entries_fixtures

ward = entries_fixtures.ward


def test_a_glucose_that_looks_like_mmol_per_litre_asks_before_it_is_stored(ward):
    with ward.login("nurse") as nurse:
        with pytest.raises(NeedsConfirmation) as caught:
            entries.record_vitals(nurse, patient_id="100001", glucose="7,2")
        assert "7,2 mmol/L font 1,30 g/L" in caught.value.message
        assert entries.list_entries(nurse, "100001") == []
        stored = entries.record_vitals(nurse, patient_id="100001", glucose="7,2", confirm=True)
        assert stored.payload["glucose"] == 7.2
        assert [c["check"] for c in stored.confirmations] == ["unlikely_unit"]
        plain = entries.record_vitals(nurse, patient_id="100001", glucose="1,98")
        assert plain.confirmations == []


def test_an_allergy_is_read_before_a_time_far_from_schedule():
    checks = [Check("far_from_schedule", "Heure éloignée."), Check("allergy", "Allergie !")]
    with pytest.raises(NeedsConfirmation) as caught:
        require_confirmation(checks, confirm=False)
    assert caught.value.message.startswith("Allergie !")
