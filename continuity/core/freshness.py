"""How old the snapshot is, as a first-class value: fresh, ageing or stale.

Every screen and sheet shows "data as of"; this says how much to trust it. The thresholds are
site settings (a ward refreshed hourly is "ageing" after 4 h without news), read through a plain
callable so the core never touches the cache itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import NamedTuple

from continuity.core.i18n import _

#: Settings keys (hours, decimal allowed) and their defaults.
AGEING_SETTING = "snapshot.ageing_after_hours"
STALE_SETTING = "snapshot.stale_after_hours"
DEFAULT_AGEING = timedelta(hours=4)
DEFAULT_STALE = timedelta(hours=24)


class Freshness(StrEnum):
    FRESH = "fresh"
    AGEING = "ageing"
    STALE = "stale"


@dataclass(frozen=True)
class Thresholds:
    """Age from which the snapshot is ageing, and from which it is stale."""

    ageing: timedelta = DEFAULT_AGEING
    stale: timedelta = DEFAULT_STALE


class Reading(NamedTuple):
    level: Freshness
    age: timedelta


def thresholds_from_settings(setting: Callable[[str, str | None], str | None]) -> Thresholds:
    """Thresholds from the site settings (e.g. `session.setting`), defaults where unset.

    A value that is not a positive number of hours, or a stale threshold not after the ageing
    one, falls back to the defaults: a typo in a setting must not hide the snapshot's age.
    """

    def hours(key: str, default: timedelta) -> timedelta:
        raw = setting(key, None)
        try:
            value = float(raw) if raw is not None else None
        except ValueError:
            value = None
        if value is None or not value > 0 or value > 24 * 365:
            return default
        return timedelta(hours=value)

    ageing = hours(AGEING_SETTING, DEFAULT_AGEING)
    stale = hours(STALE_SETTING, DEFAULT_STALE)
    if stale <= ageing:
        return Thresholds()
    return Thresholds(ageing, stale)


def freshness(as_of: datetime, now: datetime, thresholds: Thresholds | None = None) -> Reading:
    """The snapshot's level and age at `now`; a snapshot from the future counts as age zero.

    A "data as of" ahead of the laptop's clock means one of the two clocks is wrong; showing a
    negative age would confuse more than it helps, and the snapshot is not old in any case.
    """
    thresholds = thresholds or Thresholds()
    age = max(now - as_of, timedelta(0))
    if age < thresholds.ageing:
        level = Freshness.FRESH
    elif age < thresholds.stale:
        level = Freshness.AGEING
    else:
        level = Freshness.STALE
    return Reading(level, age)


def freshness_label(level: Freshness) -> str:
    return {
        Freshness.FRESH: _("fresh"),
        Freshness.AGEING: _("ageing"),
        Freshness.STALE: _("stale"),
    }[level]
