"""Medication schedules: from a FHIR R4 `Timing` to the dose times of any day of an outage.

An outage lasts weeks, so the nurse needs the dose times of day 12 as much as those of the
snapshot's day, and a printed MAR must never show a time nobody prescribed. A FHIR Timing is
therefore parsed once into a `TimingSpec` (stored per order in the cache as JSON), and
`expand_day` / `expand_window` turn it into concrete times with the ward's own conventions
(`ScheduleConfig`, read from `resources/schedule_times.json`).

Rules that hold everywhere (each choice is explained where it is made):

* Nothing is guessed. A schedule that needs a clinical judgement to become clock times (a range
  such as "2-3 times a day" or "every 4-6 h", an unknown code, an infusion running more often
  than hourly, a monthly schedule) gives `expandable=False`; the MAR shows "voir instructions"
  beside the prescription's own text, which the spec keeps.
* An "as needed" (PRN) order has no scheduled time, whatever its timing says: for a PRN order
  the frequency is a ceiling, not a plan.
* Times follow the ward's wall clock in `tz`: q6h is 00/06/12/18 local, also on the days the
  clocks change. On the spring-forward day a time that does not exist (02:00-02:59 in Paris) is
  given at the first valid time (03:00); on the fall-back day an ambiguous time is given once,
  at its first occurrence. Slots falling on the same instant give one time.
* "The start" is the latest of the order's start and `boundsPeriod.start`. Day cycles (every
  2 days, weekly without a weekday), `count` and `boundsDuration` are counted from it, so a spec
  using them cannot be expanded without it (`TimingSpec.needs_start`, `StartRequired`).
* Period ends are inclusive (FHIR Period): a dose exactly at the end time is still due; a
  date-only end includes that whole day. A `boundsDuration` is a length, so its end is excluded
  (a 7-day course started at 08:00 has no 8th dose at 08:00 on day 8).
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from types import MappingProxyType
from typing import Any

from continuity.core.clock import PARIS
from continuity.core.errors import BadInput
from continuity.core.i18n import _
from continuity.resources import resource

SCHEDULE_FILE = resource("schedule_times.json")

_DAY = 86400
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# FHIR event-timing and v3 TimingEvent codes that map to one clock time each (site-configurable).
WHEN_CODES = (
    "MORN", "MORN.early", "MORN.late", "NOON", "AFT", "AFT.early", "AFT.late",
    "EVE", "EVE.early", "EVE.late", "NIGHT", "PHS", "HS", "WAKE",
    "CM", "CD", "CV", "ACM", "ACD", "ACV", "PCM", "PCD", "PCV",
)  # fmt: skip
# "With / before / after meals" without saying which meal means each of the three meals.
_GENERIC_MEALS = {"C": ("CM", "CD", "CV"), "AC": ("ACM", "ACD", "ACV"), "PC": ("PCM", "PCD", "PCV")}
# With an explicit offset, the time is measured from the event itself: "30 min before
# breakfast" is breakfast minus 30 min, not the configured "before breakfast" time minus 30.
# (event it is measured from, direction); codes not listed count forward (FHIR's default).
_OFFSET_FROM = {
    "ACM": ("CM", -1), "ACD": ("CD", -1), "ACV": ("CV", -1),
    "PCM": ("CM", 1), "PCD": ("CD", 1), "PCV": ("CV", 1),
    "HS": ("HS", -1), "PHS": ("HS", 1),
}  # fmt: skip
# FHIR forbids an offset on the meal itself (tim-9): such a timing is malformed, not guessed.
_NO_OFFSET = {"C", "CM", "CD", "CV"}

_UNIT_SECONDS = {"s": 1, "min": 60, "h": 3600, "d": _DAY, "wk": 7 * _DAY}
# UCUM defines the month and the year as mean Julian lengths, so a duration in them is exact.
_UCUM_DAYS = {"d": 1.0, "wk": 7.0, "mo": 30.4375, "a": 365.25}
_GTS_SYSTEMS = {
    "http://terminology.hl7.org/CodeSystem/v3-GTSAbbreviation",
    "http://hl7.org/fhir/v3/GTSAbbreviation",
}
# Timing.code: FHIR says the code is a complete statement of the schedule, so each one is
# rewritten into the structured form it stands for. MO (monthly) is deliberately absent.
_CODE_REPEATS: dict[str, dict[str, Any]] = {
    "QD": {"frequency": 1, "period": 1, "periodUnit": "d"},
    "BID": {"frequency": 2, "period": 1, "periodUnit": "d"},
    "TID": {"frequency": 3, "period": 1, "periodUnit": "d"},
    "QID": {"frequency": 4, "period": 1, "periodUnit": "d"},
    "QOD": {"frequency": 1, "period": 2, "periodUnit": "d"},
    "AM": {"when": ["MORN"]},
    "QAM": {"when": ["MORN"]},
    "PM": {"when": ["EVE"]},
    "QPM": {"when": ["EVE"]},
    "BED": {"when": ["HS"]},
    "HS": {"when": ["HS"]},
    "QHS": {"when": ["HS"]},
    "WK": {"frequency": 1, "period": 1, "periodUnit": "wk"},
}
_QNH = re.compile(r"^Q(\d{1,2})H$")
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(?:\.\d+)?)?$")

_DEFAULT_CONFIG: dict[str, Any] = {
    "when": {
        "MORN.early": "06:00", "MORN": "08:00", "MORN.late": "10:00", "NOON": "12:00",
        "AFT.early": "14:00", "AFT": "15:00", "AFT.late": "17:00",
        "EVE.early": "18:00", "EVE": "20:00", "EVE.late": "21:00",
        "NIGHT": "00:00", "HS": "22:00", "PHS": "23:00", "WAKE": "07:00",
        "ACM": "07:30", "CM": "08:00", "PCM": "08:30",
        "ACD": "11:30", "CD": "12:00", "PCD": "12:30",
        "ACV": "18:30", "CV": "19:00", "PCV": "19:30",
    },
    "times_per_day": {
        "1": ["08:00"],
        "2": ["08:00", "20:00"],
        "3": ["08:00", "12:00", "18:00"],
        "4": ["00:00", "06:00", "12:00", "18:00"],
        "5": ["06:00", "10:00", "14:00", "18:00", "22:00"],
        "6": ["02:00", "06:00", "10:00", "14:00", "18:00", "22:00"],
    },
    "every_hours_anchor": {"default": "00:00", "4": "02:00", "6": "00:00", "8": "06:00",
                           "12": "08:00"},
}  # fmt: skip
_PER_DAY_STANDARDS = range(1, 7)  # the configuration must name the times for 1..6 a day
_EVERY_HOURS = (1, 2, 3, 4, 6, 8, 12)  # every N hours that repeat identically each day


class StartRequired(ValueError):
    """The spec counts from the order's start (cycle, count, duration) and none was given.

    A programming error of the caller, not the user's: check `TimingSpec.needs_start` and pass
    `order_start` (or show "voir instructions") instead of letting this escape.
    """


class _Unexpandable(Exception):
    """Internal: why a timing cannot become clock times without a guess."""


# --------------------------------------------------------------------------- configuration


def _parse_clock(value: Any) -> time:
    """'08:00' or '08:00:00' -> time; anything else is refused (it comes from a site file)."""
    match = _TIME.match(value) if isinstance(value, str) else None
    if not match:
        raise ValueError(f"{value!r} is not a time of day (HH:MM)")
    return time(int(match[1]), int(match[2]), int(match[3] or 0))


def _seconds(t: time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


@dataclass(frozen=True)
class ScheduleConfig:
    """The ward's clock conventions: what time "the morning" or "3 times a day" means.

    These are local conventions, not pharmacology, so each site can set them in
    `resources/schedule_times.json`. The defaults follow common French ward practice and are
    written out in that file so IT staff can see them:

    * `when_times`: one clock time per event code. Meals: breakfast 08:00, lunch 12:00,
      dinner 19:00, "before"/"after" a meal 30 min either side; morning 08:00, evening
      20:00, bedtime (HS) 22:00. C / AC / PC without a meal named mean all three meals.
    * `per_day`: the ward's round times for N times a day, as French prescriptions are
      written "matin, midi, soir": 1/d 08:00; 2/d 08:00, 20:00; 3/d 08:00, 12:00, 18:00;
      4/d 00:00, 06:00, 12:00, 18:00 (evenly spaced); 5/d and 6/d every 4 h. Every count
      from 1 to 6 must be set; 8, 12 and 24 a day use the every-N-hours clock.
    * `every_hours_anchor`: where an every-N-hours round starts: q4h 02:00 (02, 06, ... 22),
      q6h 00:00, q8h 06:00 (06, 14, 22), q12h 08:00 (08, 20); others from `default_anchor`.
    """

    when_times: Mapping[str, time]
    per_day: Mapping[int, tuple[time, ...]]
    every_hours_anchor: Mapping[int, time]
    default_anchor: time = time(0, 0)
    _memo: dict[tuple[Any, ...], tuple[int, ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        missing = [code for code in WHEN_CODES if code not in self.when_times]
        unknown = [code for code in self.when_times if code not in WHEN_CODES]
        if missing or unknown:
            raise ValueError(f"event codes missing {missing} or unknown {unknown}")
        for n in _PER_DAY_STANDARDS:
            times = self.per_day.get(n)
            if times is None or len(set(times)) != n:
                raise ValueError(f"{n} times a day needs {n} different times")
        if any(n not in _PER_DAY_STANDARDS for n in self.per_day):
            raise ValueError("times a day are set for 1 to 6 only")
        if any(n not in _EVERY_HOURS for n in self.every_hours_anchor):
            raise ValueError(f"every-N-hours anchors are for N in {_EVERY_HOURS} only")
        object.__setattr__(self, "when_times", MappingProxyType(dict(self.when_times)))
        per_day = {n: tuple(sorted(times)) for n, times in self.per_day.items()}
        object.__setattr__(self, "per_day", MappingProxyType(per_day))
        object.__setattr__(
            self, "every_hours_anchor", MappingProxyType(dict(self.every_hours_anchor))
        )

    @classmethod
    def default(cls) -> ScheduleConfig:
        return _config_from(_DEFAULT_CONFIG)

    def daily_times(self, spec: TimingSpec) -> tuple[time, ...]:
        """The wall-clock times of a day on which the spec applies (empty for events, PRN,
        unexpandable): what the MAR prints as column headings."""
        if not spec.expandable or spec.as_needed or spec.source in ("", "events"):
            return ()
        return tuple(time(s // 3600, s // 60 % 60, s % 60) for s in self._slots(spec._slot_key))

    def _slots(self, key: tuple[Any, ...]) -> tuple[int, ...]:
        """Seconds of the day for an abstract slot key, memoised: a pick list asks 50,000 times."""
        cached = self._memo.get(key)
        if cached is None:
            cached = self._memo[key] = tuple(sorted(set(self._resolve(key))))
        return cached

    def _resolve(self, key: tuple[Any, ...]) -> list[int]:
        source, per_day, every_hours, times_of_day, when, offset = key
        if source == "per_day":
            return [_seconds(t) for t in self.per_day[per_day]]
        if source == "every_hours":
            anchor = _seconds(self.every_hours_anchor.get(every_hours, self.default_anchor))
            return [(anchor + k * every_hours * 3600) % _DAY for k in range(24 // every_hours)]
        if source == "time_of_day":
            return [_seconds(_parse_clock(t)) for t in times_of_day]
        result = []
        for code in when:
            for one in _GENERIC_MEALS.get(code, (code,)):
                if offset is None:
                    result.append(_seconds(self.when_times[one]))
                else:
                    base, sign = _OFFSET_FROM.get(one, (one, 1))
                    result.append((_seconds(self.when_times[base]) + sign * offset * 60) % _DAY)
        return result


def _config_from(data: Mapping[str, Any]) -> ScheduleConfig:
    when = {code: _parse_clock(value) for code, value in data["when"].items()}
    per_day = {
        int(n): tuple(_parse_clock(v) for v in values)
        for n, values in data["times_per_day"].items()
    }
    anchors = dict(data["every_hours_anchor"])
    default_anchor = _parse_clock(anchors.pop("default", "00:00"))
    every = {int(n): _parse_clock(v) for n, v in anchors.items()}
    return ScheduleConfig(when, per_day, every, default_anchor)


def load_schedule_config(path: Path | None = None) -> ScheduleConfig:
    """The site's schedule conventions; built-in defaults for whatever the file leaves out.

    A missing file means the defaults (a fresh laptop must still print MARs). A broken file is
    refused with `BadInput` rather than half-applied: a wrong dose time on paper is worse than
    a clear message to IT.
    """
    path = SCHEDULE_FILE if path is None else path
    if not path.is_file():
        return ScheduleConfig.default()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError("the file must hold one JSON object")
        unknown = set(data) - {"comment", *_DEFAULT_CONFIG}
        if unknown:
            raise ValueError(f"unknown sections {sorted(unknown)}")
        merged = {
            section: {**defaults, **data.get(section, {})}
            for section, defaults in _DEFAULT_CONFIG.items()
        }
        return _config_from(merged)
    except (ValueError, TypeError, AttributeError) as exc:  # JSONDecodeError is a ValueError
        raise BadInput(
            _("The schedule times file {name} is invalid: {error}.").format(
                name=path.name, error=exc
            )
        ) from exc


# --------------------------------------------------------------------------- the spec


@dataclass(frozen=True)
class TimingSpec:
    """One order's schedule, normalised: what the cache stores and the MAR expands.

    `source` says where the daily times come from: "per_day" (the ward's standard for
    `per_day` times a day), "every_hours" (every `every_hours` h on the ward clock),
    "time_of_day" (the prescribed clock times), "when" (event codes with `offset` minutes),
    "events" (explicit date-times), or "" (nothing scheduled: PRN or unexpandable). The spec
    stays abstract (no clock time of a `when` code is frozen in it) so a change of the site's
    conventions applies to orders already in the cache. Date-times are ISO strings with their
    offset, so `to_json` / `from_json` round-trip exactly.
    """

    expandable: bool
    as_needed: bool = False
    text: str | None = None
    reason: str | None = None  # why it cannot be expanded (English, for IT and the logs)
    code: str | None = None  # the Timing.code abbreviation it came from, if any
    source: str = ""
    frequency: int | None = None  # as received: describes a PRN ceiling too
    frequency_max: int | None = None
    period: float | None = None
    period_max: float | None = None
    period_unit: str | None = None
    per_day: int | None = None
    every_hours: int | None = None
    every_days: int = 1  # day cycle counted from the start date: 2 = every other day
    times_of_day: tuple[str, ...] = ()
    when: tuple[str, ...] = ()
    offset: int | None = None
    days_of_week: tuple[str, ...] = ()
    bounds_start: str | None = None
    bounds_end: str | None = None
    duration_value: float | None = None
    duration_unit: str | None = None
    count: int | None = None
    events: tuple[str, ...] = ()
    # Timing.repeat.duration[Max] + durationUnit: how long each administration lasts (a syringe
    # over 24 h), not how long the course lasts (that is `duration_value`, boundsDuration).
    lasts_value: float | None = None
    lasts_max: float | None = None
    lasts_unit: str | None = None

    @property
    def needs_start(self) -> bool:
        """True if expanding needs the order's start (a day cycle, a count or a duration)."""
        return self._plan.needs_start

    def to_json(self) -> str:
        # Plain getattr over the field names: dataclasses.asdict deep-copies, ~10x slower, and
        # an import serialises tens of thousands of specs. Fields are scalars or str tuples.
        data = {name: getattr(self, name) for name in _spec_field_names()}
        for name in _OPTIONAL_FIELDS:  # absent when unset: older caches hold the same text
            if data[name] is None:
                del data[name]
        data["v"] = 1
        return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> TimingSpec:
        data = json.loads(text)
        if not isinstance(data, dict) or data.pop("v", None) != 1:
            raise ValueError("not a version-1 timing spec")
        names = {f.name for f in fields(cls)}
        if set(data) - names:
            raise ValueError(f"unknown timing spec fields {sorted(set(data) - names)}")
        for key in ("times_of_day", "when", "days_of_week", "events"):
            if key in data:
                data[key] = tuple(data[key])
        return cls(**data)

    @functools.cached_property
    def _slot_key(self) -> tuple[Any, ...]:
        return (
            self.source,
            self.per_day,
            self.every_hours,
            self.times_of_day,
            self.when,
            self.offset,
        )

    @functools.cached_property
    def _plan(self) -> _Plan:
        return _Plan(self)


class _Plan:
    """What expansion needs, decoded once per spec (ISO strings to datetimes, weekday set)."""

    __slots__ = ("bounds_end", "bounds_start", "cfg", "events", "needs_start", "slots", "weekdays")

    def __init__(self, spec: TimingSpec) -> None:
        self.bounds_start = _iso(spec.bounds_start)
        self.bounds_end = _iso(spec.bounds_end)
        self.events = tuple(sorted(_iso(e) for e in spec.events)) if spec.events else ()
        self.weekdays = frozenset(WEEKDAYS.index(d) for d in spec.days_of_week) or None
        counted = spec.count is not None and spec.source != "events"  # events count themselves
        self.needs_start = spec.every_days > 1 or counted or spec.duration_value is not None
        self.cfg: ScheduleConfig | None = None
        self.slots: tuple[int, ...] = ()


def _iso(value: str | None) -> Any:
    return datetime.fromisoformat(value) if value is not None else None


# --------------------------------------------------------------------------- parsing


@functools.lru_cache(maxsize=8192)
def spec_from_json(text: str) -> TimingSpec:
    """`TimingSpec.from_json`, shared: thousands of orders carry the same few schedules, and a
    spec is immutable, so one decoded object (with its cached plan) serves them all."""
    return TimingSpec.from_json(text)


# Fields added after version 1 of the stored form: written only when set, so the JSON of every
# spec without them is unchanged and a cache written before them loads as it is.
_OPTIONAL_FIELDS = ("lasts_value", "lasts_max", "lasts_unit")


@functools.cache
def _spec_field_names() -> tuple[str, ...]:
    return tuple(f.name for f in fields(TimingSpec))


def parse_timing(
    timing: dict[str, Any] | None,
    *,
    as_needed: bool = False,
    text: str | None = None,
    tz: tzinfo = PARIS,
) -> TimingSpec:
    """Normalise a FHIR R4 Timing; never raises on bad data, never guesses.

    `text` is the Dosage's own text (kept for "voir instructions"); without it the text of
    `Timing.code` is kept. `tz` only reads date-only bounds and date-times without an offset
    (invalid FHIR, read as ward time rather than refused).

    Choices, where FHIR leaves room:

    * Structured `repeat` wins over `code` (FHIR says either may be used); a code alone is
      rewritten into its structure (BID = 2 a day, QOD = once every 2 days, Q6H = every 6 h,
      QAM/QPM/HS = morning/evening/bedtime, WK = weekly). Unknown codes are unexpandable.
    * A frequency that contradicts the listed times or events is unexpandable, except
      frequency 1, which senders put by default beside a list of times ("once at each time").
      "Before/after meals" without saying which meal means all three, so it cannot be
      1 or 2 a day.
    * N times a day uses the ward's times for 1 to 6, and every 24/N hours for 8, 12, 24.
      Every N hours needs N to divide 24 (or be whole days); more often than hourly is an
      infusion or continuous care, not a dose round: unexpandable.
    * Ranges (frequencyMax, periodMax, countMax, boundsRange), months and years as a
      period (calendar months differ in length), a cycle of several days combined with days
      of the week, event dates without a time: unexpandable.
    * PRN: no scheduled times at all (expandable, empty); the frequency is kept to describe
      the ceiling ("si besoin, max toutes les 6 h").
    * `duration` / `durationMax` / `durationUnit` (how long one administration lasts: a
      syringe over 24 h) are kept to describe it; the dose times stay the start of each
      administration (when the bag or syringe is changed). A duration that is not a positive
      number of s, min, h, d or wk, or a durationMax below it, is unexpandable.
    """
    text = (text.strip() or None) if isinstance(text, str) else None
    if text is None and isinstance(timing, dict) and isinstance(timing.get("code"), dict):
        code = timing["code"]
        label = code.get("text") or next(
            (c.get("display") for c in code.get("coding") or [] if isinstance(c, dict)), None
        )
        text = (label.strip() or None) if isinstance(label, str) else None
    base: dict[str, Any] = {"as_needed": as_needed, "text": text}
    raw: dict[str, Any] = {}
    try:
        if not isinstance(timing, dict):
            if timing is None and as_needed:
                return TimingSpec(expandable=True, **base)
            raise _Unexpandable("no timing" if timing is None else "timing is not an object")
        repeat, code = _effective_repeat(timing)
        raw = _raw_frequency(repeat)
        try:
            lasts = _lasts(repeat)
        except _Unexpandable:
            # An unreadable length is not guessed, but it must not hide the dose times the
            # order always had: they stay, and the prescriber's text says the rest.
            lasts = {}
        if as_needed:
            return TimingSpec(expandable=True, **base, **raw, **lasts)
        parsed = _parse(timing, repeat, code, tz)
        return TimingSpec(expandable=True, **base, **raw, **lasts, **parsed)
    except (_Unexpandable, TypeError, ValueError, KeyError, AttributeError) as exc:
        # FHIR data is foreign: whatever breaks while reading it makes the order unexpandable.
        return TimingSpec(expandable=False, reason=str(exc) or type(exc).__name__, **base, **raw)


def _effective_repeat(timing: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """The repeat to read: the structured one, or the one a known Timing.code stands for."""
    repeat = timing.get("repeat") or {}
    if not isinstance(repeat, dict):
        raise _Unexpandable("repeat is not an object")
    code = _timing_code(timing.get("code"))
    scheduled = any(repeat.get(k) is not None for k in ("frequency", "period", "timeOfDay", "when"))
    if scheduled or code is None:
        return repeat, None
    return {**repeat, **_code_repeat(code)}, code


def _raw_frequency(repeat: dict[str, Any]) -> dict[str, Any]:
    """The frequency as written, to describe a PRN ceiling or an unexpandable order."""

    def number(key: str, kind: type) -> Any:
        value = repeat.get(key)
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return kind(value) if ok and math.isfinite(value) else None

    unit = repeat.get("periodUnit")
    return {
        "frequency": number("frequency", int),
        "frequency_max": number("frequencyMax", int),
        "period": number("period", float),
        "period_max": number("periodMax", float),
        "period_unit": unit if isinstance(unit, str) else None,
    }


def _parse(
    timing: dict[str, Any], repeat: dict[str, Any], code: str | None, tz: tzinfo
) -> dict[str, Any]:
    out: dict[str, Any] = {"code": code, **_bounds(repeat, tz)}
    days = repeat.get("dayOfWeek") or []
    if any(d not in WEEKDAYS for d in days):
        raise _Unexpandable(f"unknown day of week in {days}")
    out["days_of_week"] = tuple(sorted(set(days), key=WEEKDAYS.index))
    scheduled = any(repeat.get(k) is not None for k in ("frequency", "period", "timeOfDay", "when"))
    events = timing.get("event") or []
    if events:
        if scheduled:
            raise _Unexpandable("explicit events together with a repeating schedule")
        out["events"] = tuple(_event(e, tz) for e in events)
        out["source"] = "events"
        return out
    if not scheduled:
        raise _Unexpandable("unknown timing code" if timing.get("code") else "no schedule")
    out.update(_schedule(repeat, out["days_of_week"]))
    return out


def _timing_code(code: Any) -> str | None:
    """The GTS abbreviation in Timing.code (coding first, then a bare text such as 'BID')."""
    if not isinstance(code, dict):
        return None
    candidates = [
        c.get("code")
        for c in code.get("coding") or []
        if isinstance(c, dict) and c.get("system") in (None, *_GTS_SYSTEMS)
    ]
    candidates.append(code.get("text"))
    for value in candidates:
        if isinstance(value, str):
            upper = value.strip().upper()
            if upper in _CODE_REPEATS or _QNH.match(upper):
                return upper
    return None


def _code_repeat(code: str) -> dict[str, Any]:
    match = _QNH.match(code)
    if match:
        return {"frequency": 1, "period": int(match[1]), "periodUnit": "h"}
    return _CODE_REPEATS[code]


def _positive_int(value: Any, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise _Unexpandable(f"{name} must be a positive integer")
    return value


def _bounds(repeat: dict[str, Any], tz: tzinfo) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if repeat.get("boundsRange") is not None:
        raise _Unexpandable("a range of course lengths (boundsRange)")
    period = repeat.get("boundsPeriod")
    if isinstance(period, dict):
        if period.get("start"):
            out["bounds_start"] = _fhir_datetime(period["start"], tz, end=False).isoformat()
        if period.get("end"):
            out["bounds_end"] = _fhir_datetime(period["end"], tz, end=True).isoformat()
    duration = repeat.get("boundsDuration")
    if isinstance(duration, dict):
        value, unit = duration.get("value"), duration.get("code") or duration.get("unit")
        if (
            not isinstance(value, int | float)
            or value <= 0
            or unit not in (*_UNIT_SECONDS, "mo", "a")
        ):
            raise _Unexpandable(f"course length {value!r} {unit!r} is not understood")
        out["duration_value"], out["duration_unit"] = float(value), unit
    count = _positive_int(repeat.get("count"), "count")
    count_max = _positive_int(repeat.get("countMax"), "countMax")
    if count_max is not None and count_max != count:
        raise _Unexpandable("a range of dose counts (countMax)")
    out["count"] = count
    return out


def _lasts(repeat: dict[str, Any]) -> dict[str, Any]:
    """How long each administration lasts (FHIR Timing.repeat.duration, durationMax, durationUnit).

    Without it a 24-hour heparin syringe reads as a daily bolus, so it is kept; a value that
    cannot be read raises `_Unexpandable`, and the caller then leaves the length out.
    """
    value, most, unit = (
        repeat.get("duration"),
        repeat.get("durationMax"),
        repeat.get("durationUnit"),
    )
    if value is None:
        if most is not None:
            raise _Unexpandable("a maximum administration length (durationMax) without duration")
        return {}

    def positive(number: Any) -> bool:
        real = isinstance(number, int | float) and not isinstance(number, bool)
        return real and math.isfinite(number) and number > 0

    if not positive(value):
        raise _Unexpandable(f"administration length (duration) {value!r} is not a positive number")
    if unit is None:
        raise _Unexpandable("an administration length (duration) without its unit (durationUnit)")
    if unit not in _UNIT_SECONDS:  # FHIR also allows mo and a: no administration lasts months
        raise _Unexpandable(f"administration length unit (durationUnit) {unit!r} is not understood")
    if most is not None and (not positive(most) or most < value):
        raise _Unexpandable(f"the maximum administration length (durationMax) {most!r} is invalid")
    return {
        "lasts_value": float(value),
        "lasts_max": float(most) if most is not None and most != value else None,
        "lasts_unit": unit,
    }


def _fhir_datetime(value: Any, tz: tzinfo, *, end: bool) -> datetime:
    """A FHIR date or dateTime as an aware datetime; a date-only end covers that whole day."""
    if not isinstance(value, str):
        raise _Unexpandable(f"{value!r} is not a date")
    if "T" not in value:
        parts = [int(p) for p in value.split("-")]
        if len(parts) == 3:
            first = last = date(*parts)
        elif len(parts) == 2:
            first = date(parts[0], parts[1], 1)
            last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        else:
            first, last = date(parts[0], 1, 1), date(parts[0], 12, 31)
        if end:
            return datetime.combine(last, time.max, tzinfo=tz)
        return datetime.combine(first, time.min, tzinfo=tz)
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=tz)


def _event(value: Any, tz: tzinfo) -> str:
    if not isinstance(value, str) or "T" not in value:
        raise _Unexpandable(f"event {value!r} has no time of day")
    return _fhir_datetime(value, tz, end=False).isoformat()


def _schedule(repeat: dict[str, Any], days_of_week: tuple[str, ...]) -> dict[str, Any]:
    """The daily slots and the day cycle of a repeat; see `parse_timing` for the rules."""
    frequency = _positive_int(repeat.get("frequency"), "frequency")
    frequency_max = _positive_int(repeat.get("frequencyMax"), "frequencyMax")
    if frequency_max is not None and frequency_max != frequency:
        raise _Unexpandable("a range of frequencies (frequencyMax)")
    period, period_max = repeat.get("period"), repeat.get("periodMax")
    if period_max is not None and period_max != period:
        raise _Unexpandable("a range of periods (periodMax)")
    unit = repeat.get("periodUnit")
    times, when = repeat.get("timeOfDay") or [], repeat.get("when") or []
    offset = repeat.get("offset")
    if times and when:
        raise _Unexpandable("both timeOfDay and when")
    out: dict[str, Any] = {}
    listed = 0  # slots per day named explicitly (0: the ward's standard applies)
    generic_meal = False
    if times:
        seconds = sorted({_seconds(_parse_clock(t)) for t in times})
        out["source"] = "time_of_day"
        out["times_of_day"] = tuple(_clock_text(s) for s in seconds)
        listed = len(seconds)
    elif when:
        unknown = [c for c in when if c not in WHEN_CODES and c not in _GENERIC_MEALS]
        if unknown:
            raise _Unexpandable(f"unknown event codes {unknown}")
        if offset is not None and (not isinstance(offset, int) or offset < 0):
            raise _Unexpandable("offset must be a number of minutes")
        if offset and _NO_OFFSET.intersection(when):
            raise _Unexpandable("an offset on a meal itself (C, CM, CD, CV)")
        codes = tuple(dict.fromkeys(when))
        out.update(source="when", when=codes, offset=offset or None)
        listed = sum(len(_GENERIC_MEALS.get(c, (c,))) for c in codes)
        generic_meal = any(c in _GENERIC_MEALS for c in codes)
    elif offset:
        raise _Unexpandable("an offset without an event code")
    if period is None:
        if not listed:
            raise _Unexpandable("a frequency without a period")
        period, unit = 1, unit or "d"
    if not isinstance(period, int | float) or isinstance(period, bool) or period <= 0:
        raise _Unexpandable(f"period {period!r} is not a positive number")
    if unit in ("mo", "a"):
        raise _Unexpandable("a monthly or yearly schedule (calendar months differ)")
    if unit not in _UNIT_SECONDS:
        raise _Unexpandable(f"period unit {unit!r} is not understood")
    n = frequency or 1

    def check_listed() -> None:
        # Frequency 1 beside a list is a common sender default ("once at each time listed");
        # "before meals" without naming the meal cannot be once or twice a day.
        if listed and frequency not in (None, listed) and (frequency != 1 or generic_meal):
            raise _Unexpandable(f"frequency {frequency} contradicts the {listed} times listed")

    if unit in ("d", "wk"):
        days = period * (7 if unit == "wk" else 1)
        if days != int(days):
            raise _Unexpandable(f"a period of {days:g} days")
        days = int(days)
        if days == 7 and days_of_week:  # so many a week, on the weekdays named
            if listed:
                if frequency not in (None, len(days_of_week) * listed):
                    raise _Unexpandable("frequency does not match the days and times listed")
                return out
            per_weekday, rest = divmod(n, len(days_of_week))
            if rest or not per_weekday:
                raise _Unexpandable("frequency does not match the days of the week listed")
            return {**out, **_per_day(per_weekday)}
        if days > 1 and days_of_week:
            raise _Unexpandable("a cycle of several days combined with days of the week")
        check_listed()
        if days > 1 and not listed and n != 1:
            raise _Unexpandable(f"{n} times every {days} days")
        out["every_days"] = days
        return out if listed else {**out, **_per_day(n if days == 1 else 1)}

    interval = period * _UNIT_SECONDS[unit] / n  # s, min or h: the interval between doses
    if interval < 3600:
        raise _Unexpandable("more often than hourly (continuous or frequent care)")
    check_listed()
    if interval % _DAY == 0:
        days = int(interval // _DAY)
        if days > 1 and days_of_week:
            raise _Unexpandable("a cycle of several days combined with days of the week")
        if listed > 1 and n != 1:
            raise _Unexpandable("the times listed do not match the interval")
        return {**out, "every_days": days, **({} if listed else _per_day(1))}
    if interval % 3600 or _DAY % interval:
        raise _Unexpandable(f"every {interval / 3600:g} h does not repeat each day")
    hours = int(interval // 3600)
    if listed:
        if listed != 24 // hours:
            raise _Unexpandable("the times listed do not match the interval")
        return out
    return {"source": "every_hours", "every_hours": hours}


def _per_day(n: int) -> dict[str, Any]:
    if n in _PER_DAY_STANDARDS:
        return {"source": "per_day", "per_day": n}
    if 24 % n == 0:  # 8, 12, 24 a day: the every-N-hours clock is the ward's standard
        return {"source": "every_hours", "every_hours": 24 // n}
    raise _Unexpandable(f"no ward standard for {n} times a day")


def _clock_text(seconds: int) -> str:
    hh, mm, ss = seconds // 3600, seconds // 60 % 60, seconds % 60
    return f"{hh:02d}:{mm:02d}:{ss:02d}" if ss else f"{hh:02d}:{mm:02d}"


# --------------------------------------------------------------------------- expansion


def expand_day(
    spec: TimingSpec,
    day: date,
    cfg: ScheduleConfig,
    *,
    order_start: datetime | None = None,
    order_end: datetime | None = None,
    tz: tzinfo = PARIS,
) -> list[datetime]:
    """The scheduled dose times on one local calendar day, aware in `tz`, sorted.

    Clipped to the order's start and end and to the timing's own bounds; `count` is honoured
    by counting the doses due since the start (arithmetically, not day by day), so day 12 of
    an outage costs the same as day 1. PRN and unexpandable specs give no times: check
    `expandable` to show "voir instructions".
    """
    if not spec.expandable or spec.as_needed or not spec.source:
        return []
    plan = spec._plan
    lower, upper, upper_excl = _limits(spec, plan, order_start, order_end, tz)
    if plan.events:
        chosen = [e for e in plan.events if _within(e, lower, upper, upper_excl)]
        if spec.count is not None:
            chosen = chosen[: spec.count]
        return [e.astimezone(tz) for e in chosen if e.astimezone(tz).date() == day]
    first = lower.astimezone(tz).date() if lower is not None else None
    if first is not None and day < first:
        return []
    for end in (upper, upper_excl):
        if end is not None and day > end.astimezone(tz).date():
            return []
    if not _eligible(plan, spec.every_days, day, first):
        return []
    slots = _config_slots(spec, plan, cfg)
    times = _times_on(day, slots, tz)
    if lower is not None and times and times[0] < lower:
        times = tuple(t for t in times if t >= lower)
    if upper is not None and times and times[-1] > upper:
        times = tuple(t for t in times if t <= upper)
    if upper_excl is not None and times and times[-1] >= upper_excl:
        times = tuple(t for t in times if t < upper_excl)
    if spec.count is not None and times:
        assert first is not None and lower is not None
        remaining = spec.count - _doses_before(plan, spec.every_days, slots, day, first, lower, tz)
        times = times[: max(remaining, 0)]
    return list(times)


def expand_window(
    spec: TimingSpec,
    start: datetime,
    end: datetime,
    cfg: ScheduleConfig,
    *,
    order_start: datetime | None = None,
    order_end: datetime | None = None,
    tz: tzinfo = PARIS,
) -> list[datetime]:
    """Every dose time in [start, end): the "next 72 h" view and the pharmacy pick lists."""
    _require_aware(start, "start")
    _require_aware(end, "end")
    if end <= start:
        return []
    day, last = start.astimezone(tz).date(), end.astimezone(tz).date()
    result: list[datetime] = []
    while day <= last:
        for moment in expand_day(
            spec, day, cfg, order_start=order_start, order_end=order_end, tz=tz
        ):
            if start <= moment < end:
                result.append(moment)
        day += timedelta(days=1)
    return result


def _require_aware(moment: datetime | None, name: str) -> None:
    if moment is not None and moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


def _limits(
    spec: TimingSpec,
    plan: _Plan,
    order_start: datetime | None,
    order_end: datetime | None,
    tz: tzinfo,
) -> tuple[datetime | None, datetime | None, datetime | None]:
    """(start, inclusive end, exclusive end) from the order and the timing's own bounds."""
    _require_aware(order_start, "order_start")
    _require_aware(order_end, "order_end")
    lower = plan.bounds_start
    if order_start is not None and (lower is None or order_start > lower):
        lower = order_start
    upper = plan.bounds_end
    if order_end is not None and (upper is None or order_end < upper):
        upper = order_end
    if plan.needs_start and lower is None:
        raise StartRequired("this schedule counts from the order's start: pass order_start")
    upper_excl = None
    if spec.duration_value is not None:
        assert lower is not None and spec.duration_unit is not None
        upper_excl = _add_duration(lower, spec.duration_value, spec.duration_unit, tz)
    return lower, upper, upper_excl


def _add_duration(start: datetime, value: float, unit: str, tz: tzinfo) -> datetime:
    """Hours and less are elapsed time; days and more are counted on the ward clock, so "7 days"
    from 08:00 ends at 08:00 even across a change of clocks."""
    if unit in ("s", "min", "h"):
        elapsed = timedelta(seconds=value * _UNIT_SECONDS[unit])
        return (start.astimezone(UTC) + elapsed).astimezone(tz)
    wall = start.astimezone(tz).replace(tzinfo=None) + timedelta(days=value * _UCUM_DAYS[unit])
    return _resolve_wall(wall.replace(tzinfo=tz))


def _within(
    moment: datetime, lower: datetime | None, upper: datetime | None, upper_excl: datetime | None
) -> bool:
    return (
        (lower is None or moment >= lower)
        and (upper is None or moment <= upper)
        and (upper_excl is None or moment < upper_excl)
    )


def _eligible(plan: _Plan, every_days: int, day: date, first: date | None) -> bool:
    if every_days > 1 and (day - first).days % every_days:  # type: ignore[operator]
        return False
    return plan.weekdays is None or day.weekday() in plan.weekdays


def _config_slots(spec: TimingSpec, plan: _Plan, cfg: ScheduleConfig) -> tuple[int, ...]:
    if plan.cfg is not cfg:  # one identity check per call instead of hashing the slot key
        plan.slots = cfg._slots(spec._slot_key)
        plan.cfg = cfg
    return plan.slots


@functools.lru_cache(maxsize=16384)
def _times_on(day: date, slots: tuple[int, ...], tz: tzinfo) -> tuple[datetime, ...]:
    """Aware times of the slots on a day; shared by every order with the same slots."""
    y, m, d = day.year, day.month, day.day
    times = [datetime(y, m, d, s // 3600, s // 60 % 60, s % 60, tzinfo=tz) for s in slots]
    if not _clock_changes(day, tz):
        return tuple(times)
    unique = {t.timestamp(): t for t in map(_resolve_wall, times)}
    return tuple(unique[k] for k in sorted(unique))


@functools.lru_cache(maxsize=4096)
def _clock_changes(day: date, tz: tzinfo) -> bool:
    """True when the clocks change between this day's midnight and the next (DST days)."""
    after = day + timedelta(days=1)
    return (
        datetime(day.year, day.month, day.day, tzinfo=tz).utcoffset()
        != datetime(after.year, after.month, after.day, tzinfo=tz).utcoffset()
    )


def _resolve_wall(moment: datetime) -> datetime:
    """A wall time that the clocks skip moves to the first valid time after the gap; an
    ambiguous one keeps fold=0, its first occurrence (PEP 495)."""
    before, after = moment.utcoffset(), moment.replace(fold=1).utcoffset()
    if before is None or after is None or after <= before:
        return moment
    tz = moment.tzinfo
    low = moment.replace(fold=1).astimezone(UTC)  # read with the new offset: before the change
    high = moment.astimezone(UTC)  # read with the old offset: after the change
    while high - low > timedelta(seconds=1):  # find the change to the second
        mid = low + (high - low) / 2
        if mid.astimezone(tz).utcoffset() == after:
            high = mid
        else:
            low = mid
    return high.replace(microsecond=0).astimezone(tz)


def _doses_before(
    plan: _Plan,
    every_days: int,
    slots: tuple[int, ...],
    day: date,
    first: date,
    lower: datetime,
    tz: tzinfo,
) -> int:
    """Doses due from the start up to (not including) `day`, without walking every day."""
    if day <= first:
        return 0
    total = 0
    if _eligible(plan, every_days, first, first):
        total += sum(1 for t in _times_on(first, slots, tz) if t >= lower)
    begin = first + timedelta(days=1)
    if begin < day:
        total += len(slots) * _eligible_days(plan, every_days, begin, day, first)
        for changed in _clock_change_days(begin, day, tz):  # a skipped hour may merge slots
            if _eligible(plan, every_days, changed, first):
                total += len(_times_on(changed, slots, tz)) - len(slots)
    return total


def _eligible_days(plan: _Plan, every_days: int, begin: date, end: date, first: date) -> int:
    """How many days in [begin, end) the schedule applies on (a cycle or a weekday set)."""
    if every_days > 1:
        lo, hi = (begin - first).days, (end - first).days
        return (hi - 1) // every_days - (lo - 1) // every_days
    span = (end - begin).days
    if plan.weekdays is None:
        return span
    weeks, rest = divmod(span, 7)
    start = begin.weekday()
    return weeks * len(plan.weekdays) + sum(
        1 for i in range(rest) if (start + i) % 7 in plan.weekdays
    )


def _clock_change_days(begin: date, end: date, tz: tzinfo) -> list[date]:
    return [
        d
        for year in range(begin.year, end.year + 1)
        for d in _clock_change_days_of(year, tz)
        if begin <= d < end
    ]


@functools.lru_cache(maxsize=256)
def _clock_change_days_of(year: int, tz: tzinfo) -> tuple[date, ...]:
    day, found = date(year, 1, 1), []
    while day.year == year:
        if _clock_changes(day, tz):
            found.append(day)
        day += timedelta(days=1)
    return tuple(found)


# --------------------------------------------------------------------------- description

_WORDS = {
    "fr": {
        "see": "voir instructions", "prn": "si besoin", "max": "max",
        "and": "et", "at": "à", "events": "{n} prise(s) à date fixe",
        "per_day": "{n} fois par jour", "every_hour": "toutes les heures",
        "every_hours": "toutes les {n} h", "other_day": "un jour sur deux",
        "every_days": "tous les {n} jours", "weekly": "1 fois par semaine",
        "per_week": "{n} fois par semaine", "count": "{n} prises au total",
        "for": "pendant {n} {unit}", "before_bed": "avant le coucher",
        "min": "{n} min", "over": "sur {n} {unit}", "range": "{low} à {high}",
        "continuous": "en continu, à renouveler {rhythm}",
    },
    "en": {
        "see": "see instructions", "prn": "as needed", "max": "max",
        "and": "and", "at": "at", "events": "{n} dose(s) on set dates",
        "per_day": "{n} times a day", "every_hour": "every hour",
        "every_hours": "every {n} h", "other_day": "every other day",
        "every_days": "every {n} days", "weekly": "once a week",
        "per_week": "{n} times a week", "count": "{n} doses in total",
        "for": "for {n} {unit}", "before_bed": "before bedtime",
        "min": "{n} min", "over": "over {n} {unit}", "range": "{low} to {high}",
        "continuous": "continuous, renewed {rhythm}",
    },
}  # fmt: skip
_WHEN_WORDS = {
    "fr": {
        "MORN": "matin", "MORN.early": "tôt le matin", "MORN.late": "fin de matinée",
        "NOON": "midi", "AFT": "après-midi", "AFT.early": "début d'après-midi",
        "AFT.late": "fin d'après-midi", "EVE": "soir", "EVE.early": "début de soirée",
        "EVE.late": "fin de soirée", "NIGHT": "nuit", "HS": "au coucher",
        "PHS": "après l'endormissement", "WAKE": "au réveil", "C": "aux repas",
        "CM": "au petit-déjeuner", "CD": "au déjeuner", "CV": "au dîner",
        "AC": "avant les repas", "ACM": "avant le petit-déjeuner", "ACD": "avant le déjeuner",
        "ACV": "avant le dîner", "PC": "après les repas", "PCM": "après le petit-déjeuner",
        "PCD": "après le déjeuner", "PCV": "après le dîner",
    },
    "en": {
        "MORN": "morning", "MORN.early": "early morning", "MORN.late": "late morning",
        "NOON": "noon", "AFT": "afternoon", "AFT.early": "early afternoon",
        "AFT.late": "late afternoon", "EVE": "evening", "EVE.early": "early evening",
        "EVE.late": "late evening", "NIGHT": "night", "HS": "at bedtime",
        "PHS": "after falling asleep", "WAKE": "on waking", "C": "with meals",
        "CM": "with breakfast", "CD": "with lunch", "CV": "with dinner",
        "AC": "before meals", "ACM": "before breakfast", "ACD": "before lunch",
        "ACV": "before dinner", "PC": "after meals", "PCM": "after breakfast",
        "PCD": "after lunch", "PCV": "after dinner",
    },
}  # fmt: skip
_DAY_WORDS = {
    "fr": ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}
_UNIT_WORDS = {  # (one, several)
    "fr": {"s": ("s", "s"), "min": ("min", "min"), "h": ("h", "h"), "d": ("jour", "jours"),
           "wk": ("semaine", "semaines"), "mo": ("mois", "mois"), "a": ("an", "ans")},
    "en": {"s": ("s", "s"), "min": ("min", "min"), "h": ("h", "h"), "d": ("day", "days"),
           "wk": ("week", "weeks"), "mo": ("month", "months"), "a": ("year", "years")},
}  # fmt: skip
_EN_TIMES = {1: "once a day", 2: "twice a day"}


def describe(spec: TimingSpec, lang: str = "fr") -> str:
    """A short text for the MAR's schedule column ("3 fois par jour", "matin et soir").

    French unless `lang` starts with "en". An unexpandable spec says only "voir instructions":
    the sheet prints the prescription's own text (`spec.text`) beside it, untouched. An
    administration that lasts ("sur 30 min") is said so; one lasting until the next starts is
    "en continu, à renouveler toutes les 24 h", so a 24-hour syringe never reads as a bolus.
    """
    lang = "en" if lang.lower().startswith("en") else "fr"
    w = _WORDS[lang]
    if not spec.expandable:
        return w["see"]
    over = _over(spec, lang)
    if spec.as_needed:
        ceiling = _ceiling(spec.frequency, spec.period, spec.period_unit, lang)
        plain = spec.frequency_max is None and spec.period_max is None
        text = f"{w['prn']}, {w['max']} {ceiling}" if ceiling and plain else w["prn"]
        return f"{text}, {over}" if over else text
    text = _rhythm(spec, lang)
    weekly = spec.source == "per_day" and spec.period_unit == "wk"
    if spec.days_of_week:
        days = ", ".join(_DAY_WORDS[lang][WEEKDAYS.index(d)] for d in spec.days_of_week)
        if weekly:
            n = (spec.per_day or 1) * len(spec.days_of_week)
            text = w["weekly"] if n == 1 else w["per_week"].format(n=n)
        text += f" ({days})"
    interval = _interval(spec)
    if over and interval is not None and _lasts_seconds(spec) >= interval:
        # Running at least until the next one starts: one continuous administration whose
        # dose times are the changes of bag or syringe, not a bolus given at each.
        hours = interval / 3600
        if hours == int(hours):
            text = w["every_hours"].format(n=f"{hours:g}")
        text, over = w["continuous"].format(rhythm=text), ""
    parts = [text, over] if over else [text]
    if spec.count is not None:
        parts.append(w["count"].format(n=spec.count))
    if spec.duration_value is not None and spec.duration_unit is not None:
        unit = _UNIT_WORDS[lang][spec.duration_unit][spec.duration_value > 1]
        parts.append(w["for"].format(n=f"{spec.duration_value:g}", unit=unit))
    return ", ".join(parts)


def _over(spec: TimingSpec, lang: str) -> str:
    """'sur 30 min', 'sur 30 à 60 min': how long each administration lasts, or ''.

    Worded for any route ("sur", not "perfusion sur"): FHIR uses the same element for a
    nitroglycerin patch kept on 12 h a day as for a syringe pushed over 24 h.
    """
    if spec.lasts_value is None or spec.lasts_unit is None:
        return ""
    w = _WORDS[lang]

    def number(value: float) -> str:
        text = f"{value:g}"
        return text.replace(".", ",") if lang == "fr" else text

    top = spec.lasts_max if spec.lasts_max is not None else spec.lasts_value
    unit = _UNIT_WORDS[lang][spec.lasts_unit][top > 1]
    n = number(spec.lasts_value)
    if spec.lasts_max is not None:
        n = w["range"].format(low=n, high=number(spec.lasts_max))
    return w["over"].format(n=n, unit=unit)


def _lasts_seconds(spec: TimingSpec) -> float:
    """The shortest length of one administration, in seconds (0 when not given)."""
    if spec.lasts_value is None or spec.lasts_unit is None:
        return 0.0
    return spec.lasts_value * _UNIT_SECONDS[spec.lasts_unit]


def _interval(spec: TimingSpec) -> float | None:
    """Seconds between two administrations as prescribed (period / frequency), or None.

    The prescriber's nominal interval, not the ward's clock times: 3 a day is every 8 h even
    where the ward gives them at 08:00, 12:00 and 18:00. None for irregular rhythms (days of
    the week, dates).
    """
    if spec.days_of_week or spec.source in ("", "events"):
        return None
    if spec.source == "every_hours" and spec.every_hours:
        return spec.every_hours * 3600.0
    if spec.source == "per_day" and spec.per_day:
        slots = spec.per_day
    elif spec.source == "time_of_day":
        slots = len(spec.times_of_day)
    else:
        slots = sum(len(_GENERIC_MEALS.get(code, (code,))) for code in spec.when)
    return _DAY * spec.every_days / slots if slots else None


def _rhythm(spec: TimingSpec, lang: str) -> str:
    w = _WORDS[lang]
    cycle = {1: "", 2: w["other_day"], 7: w["weekly"]}.get(
        spec.every_days, w["every_days"].format(n=spec.every_days)
    )
    if spec.source == "events":
        return w["events"].format(n=len(spec.events))
    if spec.source == "per_day":
        return cycle or _ceiling(spec.per_day, 1, "d", lang) or ""
    if spec.source == "every_hours":
        return _ceiling(1, spec.every_hours, "h", lang) or ""
    if spec.source == "time_of_day":
        text = f"{w['at']} {_join(list(spec.times_of_day), lang)}"
    else:
        text = _join([_when_word(c, spec.offset, lang) for c in spec.when], lang)
    return f"{text}, {cycle}" if cycle else text


def _ceiling(frequency: int | None, period: float | None, unit: str | None, lang: str) -> str:
    """'3 fois par jour' or 'toutes les 6 h' when the rhythm is that plain, else ''."""
    w, n = _WORDS[lang], frequency or 1
    if unit == "d" and period == 1:
        if lang == "en" and n in _EN_TIMES:
            return _EN_TIMES[n]
        return w["per_day"].format(n=n)
    if unit == "h" and n == 1 and period is not None:
        return w["every_hour"] if period == 1 else w["every_hours"].format(n=f"{period:g}")
    return ""


def _when_word(code: str, offset: int | None, lang: str) -> str:
    """'matin', or with an offset '30 min avant le petit-déjeuner', 'matin + 30 min'."""
    word = _WHEN_WORDS[lang][code]
    if not offset:
        return word
    minutes = _WORDS[lang]["min"].format(n=offset)
    if code[:2] in ("AC", "PC"):
        return f"{minutes} {word}"
    if code == "HS":
        return f"{minutes} {_WORDS[lang]['before_bed']}"
    return f"{word} + {minutes}"


def _join(items: list[str], lang: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {_WORDS[lang]['and']} {items[-1]}"
