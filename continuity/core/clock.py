"""Time, injected: the core never calls `datetime.now()` itself.

Tests pass a `FixedClock` and move it forward instead of sleeping; the app passes
`SystemClock`. All times handed out are timezone-aware UTC; `PARIS` is the wards' local zone.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from continuity.core.i18n import _

PARIS = ZoneInfo("Europe/Paris")


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that only moves when told to (tests, drills, benchmarks)."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._at = at.astimezone(UTC)

    def now(self) -> datetime:
        return self._at

    def advance(self, **delta: float) -> None:
        self._at += timedelta(**delta)

    def set(self, at: datetime) -> None:
        self._at = at.astimezone(UTC)


def to_utc_iso(moment: datetime) -> str:
    """Canonical storage form: UTC, seconds precision, 'Z' suffix; sorts as text."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime given where an aware one is required")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def from_iso(text: str) -> datetime:
    """Parse a stored or FHIR ISO 8601 date-time; a naive value is taken as Paris time."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=PARIS)
    return value


def local(moment: datetime) -> datetime:
    return moment.astimezone(PARIS)


def format_local(moment: datetime, *, seconds: bool = False) -> str:
    """dd/mm/yyyy HH:MM in Paris time, as every screen and sheet shows it."""
    fmt = "%d/%m/%Y %H:%M:%S" if seconds else "%d/%m/%Y %H:%M"
    return local(moment).strftime(fmt)


def format_age(delta: timedelta) -> str:
    """A short age such as '3 h 05', or '2 j 4 h' in French and '2 d 4 h' in English.

    Hours and minutes read the same in both languages; the day's letter does not ('j' means
    nothing to an English reader), so it goes through the catalogue.
    """
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rem = divmod(minutes, 24 * 60)
    hours, mins = divmod(rem, 60)
    if days:
        return _("{days} d {hours} h").format(days=days, hours=hours)
    if hours:
        return f"{hours} h {mins:02d}"
    return f"{mins} min"
