"""IT adjusts the idle lock and the snapshot age thresholds; impossible values change nothing."""

from __future__ import annotations

import pytest

from continuity.core.errors import BadInput, PermissionDenied
from continuity.core.freshness import STALE_SETTING, thresholds_from_settings
from continuity.store.settings import IDLE_LOCK_MINUTES, idle_lock_minutes, set_setting


def test_it_sets_the_idle_lock_and_it_is_audited(cache):
    with cache.login("admin") as session:
        assert idle_lock_minutes(session) == 5
        set_setting(session, IDLE_LOCK_MINUTES, "10")
        assert idle_lock_minutes(session) == 10
        assert (
            session.conn.execute(
                "SELECT count(*) FROM audit_log WHERE action = 'setting_changed'"
            ).fetchone()[0]
            == 1
        )


def test_impossible_values_are_refused_and_change_nothing(cache):
    with cache.login("admin") as session:
        for bad in ("0", "abc", "100000", "2.5"):
            with pytest.raises(BadInput):
                set_setting(session, IDLE_LOCK_MINUTES, bad)
        with pytest.raises(BadInput):
            set_setting(session, STALE_SETTING, "2")  # before the 4 h ageing threshold
        assert idle_lock_minutes(session) == 5
        set_setting(session, STALE_SETTING, "48")
        assert thresholds_from_settings(session.setting).stale.total_seconds() == 48 * 3600


def test_a_nurse_cannot_change_settings(cache):
    with cache.login("nurse") as session, pytest.raises(PermissionDenied):
        set_setting(session, IDLE_LOCK_MINUTES, "30")
