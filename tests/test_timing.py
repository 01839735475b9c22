"""Dose times for any day of an outage, from the FHIR timings in the snapshot.

The stories: a nurse on day 12 of an outage prints a MAR and must see the same round times as on
day 1, clipped to each order's start and stop, never a guessed time, and the right times on the
two days a year when the clocks change.
"""

from __future__ import annotations

import json
import time as stopwatch
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from continuity.core.errors import BadInput
from continuity.core.timing import (
    SCHEDULE_FILE,
    ScheduleConfig,
    StartRequired,
    TimingSpec,
    describe,
    expand_day,
    expand_window,
    load_schedule_config,
    parse_timing,
)

PARIS = ZoneInfo("Europe/Paris")
SYNTHEA = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "data"
    / "synthea-bulk-10"
    / "MedicationRequest.000.ndjson"
)
CFG = ScheduleConfig.default()


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=PARIS)


def clock(times: list[datetime]) -> list[str]:
    """What the MAR prints: local HH:MM."""
    return [t.astimezone(PARIS).strftime("%H:%M") for t in times]


def repeat(**fields: object) -> dict[str, object]:
    return {"repeat": fields}


def daily(frequency: int) -> dict[str, object]:
    return repeat(frequency=frequency, period=1, periodUnit="d")


# --------------------------------------------------------------------------- the round times


def test_a_nurse_on_day_12_of_an_outage_still_sees_the_three_daily_times():
    spec = parse_timing(daily(3))
    start = at(2026, 3, 1, 10)  # snapshot day: the order began mid-morning
    day12 = date(2026, 3, 12)

    assert clock(expand_day(spec, date(2026, 3, 1), CFG, order_start=start)) == ["12:00", "18:00"]
    assert clock(expand_day(spec, day12, CFG, order_start=start)) == ["08:00", "12:00", "18:00"]
    times = expand_day(spec, day12, CFG, order_start=start)
    assert all(t.tzinfo is not None and t.date() == day12 for t in times)
    assert describe(spec) == "3 fois par jour"


@pytest.mark.parametrize(
    ("code", "expected", "text_fr"),
    [
        ("QD", ["08:00"], "1 fois par jour"),
        ("BID", ["08:00", "20:00"], "2 fois par jour"),
        ("TID", ["08:00", "12:00", "18:00"], "3 fois par jour"),
        ("QID", ["00:00", "06:00", "12:00", "18:00"], "4 fois par jour"),
        ("QAM", ["08:00"], "matin"),
        ("QPM", ["20:00"], "soir"),
        ("HS", ["22:00"], "au coucher"),
        ("Q4H", ["02:00", "06:00", "10:00", "14:00", "18:00", "22:00"], "toutes les 4 h"),
        ("Q12H", ["08:00", "20:00"], "toutes les 12 h"),
    ],
)
def test_a_prescription_coded_bid_tid_qid_gets_the_ward_round_times(code, expected, text_fr):
    coded = {"code": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-GTSAbbreviation",
                                  "code": code}]}}  # fmt: skip
    as_text = {"code": {"text": code.lower()}}
    for timing in (coded, as_text):
        spec = parse_timing(timing)
        assert spec.expandable and spec.code == code
        assert clock(expand_day(spec, date(2026, 5, 4), CFG)) == expected
        assert describe(spec) == text_fr


def test_every_6_and_every_8_hours_follow_the_ward_clock():
    q6h = parse_timing(repeat(frequency=1, period=6, periodUnit="h"))
    q8h = parse_timing(repeat(frequency=1, period=8, periodUnit="h"))
    same_q8h = parse_timing(repeat(frequency=3, period=24, periodUnit="h"))
    day = date(2026, 5, 4)
    assert clock(expand_day(q6h, day, CFG)) == ["00:00", "06:00", "12:00", "18:00"]
    assert clock(expand_day(q8h, day, CFG)) == ["06:00", "14:00", "22:00"]
    assert expand_day(same_q8h, day, CFG) == expand_day(q8h, day, CFG)
    assert describe(q6h) == "toutes les 6 h" and describe(q8h, "en") == "every 8 h"


def test_eight_or_more_times_a_day_uses_the_every_n_hours_clock():
    spec = parse_timing(daily(12))
    assert len(expand_day(spec, date(2026, 5, 4), CFG)) == 12
    assert clock(expand_day(spec, date(2026, 5, 4), CFG))[:2] == ["00:00", "02:00"]


def test_prescribed_clock_times_are_kept_as_written():
    spec = parse_timing(
        repeat(frequency=2, period=1, periodUnit="d", timeOfDay=["21:00:00", "09:30:00"])
    )
    assert clock(expand_day(spec, date(2026, 5, 4), CFG)) == ["09:30", "21:00"]
    assert describe(spec) == "à 09:30 et 21:00"
    # frequency 1 beside a list of times is a common sender default: once at each time.
    lenient = parse_timing(
        repeat(frequency=1, period=1, periodUnit="d", timeOfDay=["07:00", "19:00"])
    )
    assert clock(expand_day(lenient, date(2026, 5, 4), CFG)) == ["07:00", "19:00"]


def test_morning_noon_evening_and_bedtime_follow_the_site_configuration(tmp_path: Path):
    spec = parse_timing(repeat(when=["MORN", "NOON", "EVE", "HS"]))
    day = date(2026, 5, 4)
    assert clock(expand_day(spec, day, CFG)) == ["08:00", "12:00", "20:00", "22:00"]
    assert describe(spec) == "matin, midi, soir et au coucher"

    site = tmp_path / "schedule_times.json"
    site.write_text(json.dumps({"when": {"MORN": "07:00", "HS": "21:30"}}), encoding="utf-8")
    ward = load_schedule_config(site)
    assert clock(expand_day(spec, day, ward)) == ["07:00", "12:00", "20:00", "21:30"]
    assert ward.daily_times(spec) == (time(7), time(12), time(20), time(21, 30))
    # the cached spec is abstract: the same spec follows whichever configuration is given
    assert clock(expand_day(spec, day, CFG)) == ["08:00", "12:00", "20:00", "22:00"]


def test_offsets_count_before_meals_for_ac_and_after_meals_for_pc():
    day = date(2026, 5, 4)
    before = parse_timing(repeat(when=["ACM", "ACV"], offset=30))
    after = parse_timing(repeat(when=["PCD"], offset=60))
    all_meals = parse_timing(repeat(when=["AC"], offset=15))
    plain = parse_timing(repeat(when=["AC"]))
    assert clock(expand_day(before, day, CFG)) == ["07:30", "18:30"]  # meals 08:00 and 19:00
    assert clock(expand_day(after, day, CFG)) == ["13:00"]  # lunch 12:00
    assert clock(expand_day(all_meals, day, CFG)) == ["07:45", "11:45", "18:45"]
    assert clock(expand_day(plain, day, CFG)) == ["07:30", "11:30", "18:30"]  # site's AC times
    assert describe(before) == "30 min avant le petit-déjeuner et 30 min avant le dîner"
    assert describe(after, "en") == "60 min after lunch"


def test_before_meals_once_a_day_does_not_say_which_meal_so_it_is_not_guessed():
    spec = parse_timing(repeat(when=["AC"], frequency=1, period=1, periodUnit="d"))
    assert not spec.expandable
    assert expand_day(spec, date(2026, 5, 4), CFG) == []


# --------------------------------------------------------------------------- bounds and counts


def test_an_order_starting_at_15h_has_no_morning_dose_and_nothing_after_it_stops():
    timing = repeat(
        frequency=3,
        period=1,
        periodUnit="d",
        boundsPeriod={"start": "2026-03-10T15:00:00+01:00", "end": "2026-03-12T12:00:00+01:00"},
    )
    spec = parse_timing(timing)
    assert clock(expand_day(spec, date(2026, 3, 9), CFG)) == []
    assert clock(expand_day(spec, date(2026, 3, 10), CFG)) == ["18:00"]
    assert clock(expand_day(spec, date(2026, 3, 11), CFG)) == ["08:00", "12:00", "18:00"]
    assert clock(expand_day(spec, date(2026, 3, 12), CFG)) == ["08:00", "12:00"]  # end inclusive
    assert clock(expand_day(spec, date(2026, 3, 13), CFG)) == []

    # the order's own stop (stopped tomorrow at 10:00) clips further
    stop = at(2026, 3, 11, 10)
    assert clock(expand_day(spec, date(2026, 3, 11), CFG, order_end=stop)) == ["08:00"]
    assert expand_day(spec, date(2026, 3, 12), CFG, order_end=stop) == []


def test_a_date_only_end_includes_that_whole_day():
    spec = parse_timing(
        repeat(frequency=2, period=1, periodUnit="d", boundsPeriod={"end": "2026-03-12"})
    )
    assert clock(expand_day(spec, date(2026, 3, 12), CFG)) == ["08:00", "20:00"]
    assert expand_day(spec, date(2026, 3, 13), CFG) == []


def test_a_course_of_five_doses_ends_after_the_fifth_even_across_days():
    spec = parse_timing(repeat(frequency=2, period=1, periodUnit="d", count=5))
    start = at(2026, 3, 10, 15)
    days = [date(2026, 3, 10) + timedelta(days=i) for i in range(5)]
    per_day = [clock(expand_day(spec, d, CFG, order_start=start)) for d in days]
    assert per_day == [["20:00"], ["08:00", "20:00"], ["08:00", "20:00"], [], []]
    window = expand_window(spec, at(2026, 3, 1), at(2026, 4, 1), CFG, order_start=start)
    assert len(window) == 5 and window[-1] == at(2026, 3, 12, 20)
    assert describe(spec) == "2 fois par jour, 5 prises au total"


def test_a_long_course_counted_from_months_ago_stops_at_the_right_dose():
    spec = parse_timing(repeat(frequency=3, period=1, periodUnit="d", count=100))
    start = at(2026, 1, 1, 9)  # doses 12:00, 18:00 on day 1, then 3 a day: the 100th is 34th day
    assert clock(expand_day(spec, date(2026, 2, 3), CFG, order_start=start)) == ["08:00", "12:00"]
    assert expand_day(spec, date(2026, 2, 4), CFG, order_start=start) == []
    every = expand_window(spec, start, at(2026, 3, 1), CFG, order_start=start)
    assert len(every) == 100 and every[-1] == at(2026, 2, 3, 12)


def test_a_seven_day_course_has_no_eighth_morning_dose():
    spec = parse_timing(
        repeat(frequency=1, period=1, periodUnit="d", boundsDuration={"value": 7, "code": "d"})
    )
    start = at(2026, 3, 25, 8)  # crosses the spring clock change: still 08:00 on day 8
    doses = expand_window(spec, start, at(2026, 4, 30), CFG, order_start=start)
    assert len(doses) == 7 and doses[-1] == at(2026, 3, 31, 8)
    assert describe(spec) == "1 fois par jour, pendant 7 jours"


def test_a_schedule_counted_from_the_start_refuses_to_expand_without_it():
    spec = parse_timing(repeat(frequency=1, period=2, periodUnit="d"))
    assert spec.needs_start
    with pytest.raises(StartRequired):
        expand_day(spec, date(2026, 3, 10), CFG)
    assert not parse_timing(daily(3)).needs_start


def test_days_of_the_week_and_weekly_orders():
    mwf = parse_timing(
        repeat(frequency=1, period=1, periodUnit="d", dayOfWeek=["mon", "wed", "fri"])
    )
    week = [date(2026, 5, 4) + timedelta(days=i) for i in range(7)]  # Monday 4 May 2026
    assert [bool(expand_day(mwf, d, CFG)) for d in week] == [1, 0, 1, 0, 1, 0, 0]
    assert describe(mwf) == "1 fois par jour (lun., mer., ven.)"

    weekly_named = parse_timing(repeat(frequency=1, period=1, periodUnit="wk", dayOfWeek=["thu"]))
    assert [clock(expand_day(weekly_named, d, CFG)) for d in week][3] == ["08:00"]
    assert sum(len(expand_day(weekly_named, d, CFG)) for d in week) == 1
    assert describe(weekly_named) == "1 fois par semaine (jeu.)"

    weekly = parse_timing({"code": {"text": "WK"}})  # no weekday: the start's weekday
    start = at(2026, 5, 6, 7)  # a Wednesday
    given = [d for d in week + [d + timedelta(days=7) for d in week]
             if expand_day(weekly, d, CFG, order_start=start)]  # fmt: skip
    assert given == [date(2026, 5, 6), date(2026, 5, 13)]


def test_every_other_day_counts_from_the_start_date():
    spec = parse_timing({"code": {"text": "QOD"}})
    start = at(2026, 3, 1, 7)
    days = [date(2026, 3, 1) + timedelta(days=i) for i in range(12)]
    given = [d.day for d in days if expand_day(spec, d, CFG, order_start=start)]
    assert given == [1, 3, 5, 7, 9, 11]
    assert describe(spec) == "un jour sur deux"
    later = [d.day for d in days if expand_day(spec, d, CFG, order_start=at(2026, 3, 2, 7))]
    assert later == [2, 4, 6, 8, 10, 12]


def test_explicit_event_times_are_shown_on_their_day_only():
    spec = parse_timing({"event": ["2026-03-10T09:00:00+01:00", "2026-03-11T21:00:00+01:00"]})
    assert clock(expand_day(spec, date(2026, 3, 10), CFG)) == ["09:00"]
    assert clock(expand_day(spec, date(2026, 3, 11), CFG)) == ["21:00"]
    assert expand_day(spec, date(2026, 3, 12), CFG) == []


def test_the_next_72_hours_list_every_dose_once_in_order():
    spec = parse_timing(repeat(frequency=1, period=8, periodUnit="h"))
    now = at(2026, 3, 10, 10, 30)
    doses = expand_window(spec, now, now + timedelta(hours=72), CFG)
    assert len(doses) == 9 and doses == sorted(set(doses))
    assert doses[0] == at(2026, 3, 10, 14) and doses[-1] == at(2026, 3, 13, 6)


@settings(max_examples=150, deadline=None)
@given(
    schedule=st.sampled_from(
        [
            daily(1),
            daily(3),
            repeat(frequency=1, period=1, periodUnit="h"),
            repeat(frequency=1, period=3, periodUnit="d"),
            repeat(timeOfDay=["02:30", "03:00", "14:00"]),
            repeat(frequency=2, period=1, periodUnit="d", dayOfWeek=["tue", "sat"]),
        ]
    ),
    start_minutes=st.integers(min_value=0, max_value=365 * 24 * 60),
    count=st.integers(min_value=1, max_value=80),
)
def test_a_counted_course_gives_the_first_doses_of_the_same_schedule(
    schedule: dict[str, dict[str, object]], start_minutes: int, count: int
):
    """Counting arithmetically from the start agrees with walking the uncounted schedule."""
    start = (datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=start_minutes)).astimezone(PARIS)
    counted = parse_timing({"repeat": {**schedule["repeat"], "count": count}})
    plain = parse_timing(schedule)
    end = start + timedelta(days=120)
    expected = expand_window(plain, start, end, CFG, order_start=start)[:count]
    assert expand_window(counted, start, end, CFG, order_start=start) == expected


# --------------------------------------------------------------------------- clock changes


def test_spring_forward_moves_the_skipped_hour_to_three_oclock():
    day = date(2026, 3, 29)  # Europe/Paris: 02:00 -> 03:00
    q4h = expand_day(parse_timing(repeat(frequency=1, period=4, periodUnit="h")), day, CFG)
    assert clock(q4h) == ["03:00", "06:00", "10:00", "14:00", "18:00", "22:00"]
    assert q4h[0].utcoffset() == timedelta(hours=2)

    hourly = expand_day(parse_timing(repeat(frequency=1, period=1, periodUnit="h")), day, CFG)
    assert len(hourly) == 23 and len(set(hourly)) == 23  # 02:00 merges into 03:00
    assert "02:00" not in clock(hourly) and clock(hourly).count("03:00") == 1

    tid = expand_day(parse_timing(daily(3)), day, CFG)
    assert clock(tid) == ["08:00", "12:00", "18:00"]
    assert tid[0].utcoffset() == timedelta(hours=2)


def test_fall_back_gives_the_repeated_hour_once_at_its_first_occurrence():
    day = date(2026, 10, 25)  # Europe/Paris: 03:00 -> 02:00
    hourly = expand_day(parse_timing(repeat(frequency=1, period=1, periodUnit="h")), day, CFG)
    assert len(hourly) == 24 and clock(hourly).count("02:00") == 1
    two = next(t for t in hourly if t.hour == 2)
    assert two.utcoffset() == timedelta(hours=2)  # the first 02:00 (summer time)
    q6h = expand_day(parse_timing(repeat(frequency=1, period=6, periodUnit="h")), day, CFG)
    assert clock(q6h) == ["00:00", "06:00", "12:00", "18:00"]  # wall clock, not every 6 h


def test_a_count_spanning_the_spring_clock_change_still_gives_exactly_that_many_doses():
    spec = parse_timing(repeat(frequency=1, period=1, periodUnit="h", count=30))
    start = at(2026, 3, 28, 12)  # 12 doses on the 28th, then a 23-hour day
    doses = expand_window(spec, start, at(2026, 4, 2), CFG, order_start=start)
    assert len(doses) == 30 == len(set(doses))
    assert doses[-1] == at(2026, 3, 29, 18)
    assert expand_day(spec, date(2026, 3, 30), CFG, order_start=start) == []


# --------------------------------------------------------------------------- PRN and unexpandable


def test_as_needed_orders_have_no_scheduled_times():
    ceiling = parse_timing(repeat(frequency=1, period=6, periodUnit="h"), as_needed=True)
    bare = parse_timing(None, as_needed=True)
    ranged = parse_timing(
        repeat(frequency=2, frequencyMax=3, period=1, periodUnit="d"), as_needed=True
    )
    for spec in (ceiling, bare, ranged):
        assert spec.expandable and spec.as_needed
        assert expand_day(spec, date(2026, 3, 10), CFG) == []
        assert expand_window(spec, at(2026, 3, 1), at(2026, 4, 1), CFG) == []
    assert describe(ceiling) == "si besoin, max toutes les 6 h"
    assert describe(bare) == "si besoin" and describe(ranged, "en") == "as needed"


@pytest.mark.parametrize(
    "timing",
    [
        repeat(frequency=2, frequencyMax=3, period=1, periodUnit="d"),  # 2-3 times a day
        repeat(frequency=1, period=4, periodMax=6, periodUnit="h"),  # every 4-6 h
        repeat(frequency=1, period=30, periodUnit="min"),  # more often than hourly
        repeat(frequency=1, period=10, periodUnit="s"),  # continuous
        repeat(frequency=1, period=5, periodUnit="h"),  # does not repeat each day
        repeat(frequency=1, period=1, periodUnit="mo"),  # monthly
        repeat(frequency=7, period=1, periodUnit="d"),  # no ward standard for 7 a day
        repeat(frequency=1, period=1, periodUnit="d", count=3, countMax=5),
        repeat(frequency=3, period=2, periodUnit="d"),
        repeat(when=["MORN"], timeOfDay=["08:00"]),
        repeat(frequency=3, period=1, periodUnit="d", timeOfDay=["08:00", "20:00"]),
        repeat(when=["TEATIME"]),
        {"code": {"text": "3 fois par jour si douleur"}},
        {"code": {"text": "MO"}},
        {"event": ["2026-03-10"]},  # a date without a time
        {},
        "not a timing",
    ],
)
def test_what_cannot_be_expanded_stays_unexpandable_with_its_text(timing):
    spec = parse_timing(timing, text="Selon protocole du service")  # type: ignore[arg-type]
    assert not spec.expandable and spec.reason
    assert spec.text == "Selon protocole du service"
    assert expand_day(spec, date(2026, 3, 10), CFG, order_start=at(2026, 3, 1)) == []
    assert describe(spec) == "voir instructions" and describe(spec, "en") == "see instructions"
    again = TimingSpec.from_json(spec.to_json())
    assert again == spec and not again.expandable and again.text == spec.text


def test_a_code_without_dosage_text_keeps_the_code_text():
    spec = parse_timing({"code": {"text": "1 cp le matin à jeun si glycémie > 2 g/l"}})
    assert not spec.expandable and spec.text == "1 cp le matin à jeun si glycémie > 2 g/l"


# --------------------------------------------------------------------------- storage


@pytest.mark.parametrize(
    ("timing", "as_needed"),
    [
        (daily(3), False),
        ({"code": {"text": "QOD"}}, False),
        (repeat(when=["ACM", "PCV"], offset=20, dayOfWeek=["tue", "mon"]), False),
        (repeat(timeOfDay=["08:00:30"], boundsPeriod={"start": "2026-03-01",
                                                      "end": "2026-03-20T18:00:00Z"}), False),
        (repeat(frequency=1, period=1, periodUnit="d",
                boundsDuration={"value": 1.5, "unit": "wk"}, count=9), False),
        ({"event": ["2026-03-10T09:00:00+01:00"]}, False),
        (repeat(frequency=1, period=6, periodUnit="h"), True),
        (repeat(frequency=1, period=1, periodUnit="mo"), False),
    ],
)  # fmt: skip
def test_the_cached_spec_round_trips_through_json_exactly(timing, as_needed):
    spec = parse_timing(timing, as_needed=as_needed, text="texte d'origine")
    stored = spec.to_json()
    again = TimingSpec.from_json(stored)
    assert again == spec and again.to_json() == stored
    start = at(2026, 3, 1, 6)
    for day in (date(2026, 3, 1), date(2026, 3, 10)):
        assert expand_day(again, day, CFG, order_start=start) == expand_day(
            spec, day, CFG, order_start=start
        )


def test_a_corrupt_stored_spec_is_refused():
    with pytest.raises(ValueError):
        TimingSpec.from_json('{"v": 2, "expandable": true}')
    with pytest.raises(ValueError):
        TimingSpec.from_json('{"v": 1, "expandable": true, "colour": "red"}')


# --------------------------------------------------------------------------- site configuration


def test_the_shipped_schedule_file_states_the_defaults():
    assert SCHEDULE_FILE.is_file()
    assert load_schedule_config() == ScheduleConfig.default()


def test_a_missing_schedule_file_means_the_defaults(tmp_path: Path):
    assert load_schedule_config(tmp_path / "absent.json") == ScheduleConfig.default()


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        json.dumps({"when": {"MORN": "8h"}}),
        json.dumps({"times_per_day": {"2": ["08:00"]}}),
        json.dumps({"times_per_day": {"7": ["08:00"] * 7}}),
        json.dumps({"when": {"BRUNCH": "11:00"}}),
        json.dumps({"every_hour_anchor": {"6": "01:00"}}),  # misspelt section
        json.dumps(["08:00"]),
    ],
)
def test_a_broken_schedule_file_is_refused_with_a_clear_message(tmp_path: Path, content: str):
    path = tmp_path / "schedule_times.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(BadInput, match=r"schedule_times\.json"):
        load_schedule_config(path)


def test_a_site_can_move_its_rounds(tmp_path: Path):
    path = tmp_path / "schedule_times.json"
    path.write_text(json.dumps({"times_per_day": {"4": ["08:00", "12:00", "16:00", "20:00"]},
                                "every_hours_anchor": {"8": "07:00"}}), encoding="utf-8")  # fmt: skip
    ward = load_schedule_config(path)
    day = date(2026, 5, 4)
    assert clock(expand_day(parse_timing(daily(4)), day, ward)) == ["08:00", "12:00", "16:00",
                                                                     "20:00"]  # fmt: skip
    q8h = parse_timing(repeat(frequency=1, period=8, periodUnit="h"))
    assert clock(expand_day(q8h, day, ward)) == ["07:00", "15:00", "23:00"]


# --------------------------------------------------------------------------- real data


def expected_synthea_times(rep: dict[str, object], cfg: ScheduleConfig) -> list[str] | None:
    """What the ward conventions say for frequency/period/unit, worked out independently."""
    f, p, unit = rep["frequency"], rep["period"], rep["periodUnit"]
    assert isinstance(f, int) and isinstance(p, float)
    if unit == "d" and p == 1 and f in cfg.per_day:
        return sorted(t.strftime("%H:%M") for t in cfg.per_day[f])
    if unit == "h" and f == 1 and p == int(p) and 24 % int(p) == 0:
        anchor = cfg.every_hours_anchor.get(int(p), cfg.default_anchor).hour
        return sorted(f"{(anchor + k * int(p)) % 24:02d}:00" for k in range(24 // int(p)))
    return None


def test_every_synthea_timing_parses_and_either_expands_or_says_see_instructions():
    dosages = [
        (request, dosage)
        for line in SYNTHEA.read_text(encoding="utf-8").splitlines()
        for request in [json.loads(line)]
        for dosage in request.get("dosageInstruction", [])
        if "timing" in dosage
    ]
    assert len(dosages) == 332
    day = date(2026, 3, 12)
    seen: dict[str, list[str]] = {}
    for request, dosage in dosages:
        spec = parse_timing(
            dosage["timing"],
            as_needed=dosage.get("asNeededBoolean", False),
            text=dosage.get("text"),
        )
        assert spec.text == dosage.get("text")
        expected = expected_synthea_times(dosage["timing"]["repeat"], CFG)
        assert spec.expandable == (expected is not None), dosage["timing"]
        start = datetime.fromisoformat(request["authoredOn"])
        got = clock(expand_day(spec, day, CFG, order_start=start))
        assert got == (expected or [])
        assert TimingSpec.from_json(spec.to_json()) == spec
        rep = dosage["timing"]["repeat"]
        seen[f"{rep['frequency']}/{rep['period']:g}{rep['periodUnit']}"] = got
    assert seen == {
        "1/1d": ["08:00"],
        "3/1d": ["08:00", "12:00", "18:00"],
        "4/1d": ["00:00", "06:00", "12:00", "18:00"],
        "1/4h": ["02:00", "06:00", "10:00", "14:00", "18:00", "22:00"],
    }


# --------------------------------------------------------------------------- speed


def test_a_pick_list_of_50000_orders_expands_quickly():
    """Generous bound (a regression guard, not a benchmark): 50,000 order-days in well under
    a few seconds, each spec decoded from its stored JSON as the cache would hand it over."""
    kinds = [daily(3), repeat(frequency=1, period=6, periodUnit="h"), repeat(when=["MORN", "EVE"]),
             {"code": {"text": "QOD"}}, repeat(frequency=2, period=1, periodUnit="d", count=40)]  # fmt: skip
    stored = [parse_timing(k).to_json() for k in kinds]
    specs = [TimingSpec.from_json(stored[i % len(stored)]) for i in range(50_000)]
    start, end = at(2026, 2, 20, 9), at(2026, 4, 1)
    for spec in specs:  # first use decodes each spec's dates once
        expand_day(spec, date(2026, 3, 11), CFG, order_start=start, order_end=end)
    began = stopwatch.perf_counter()
    total = sum(
        len(expand_day(spec, date(2026, 3, 12), CFG, order_start=start, order_end=end))
        for spec in specs
    )
    elapsed = stopwatch.perf_counter() - began
    assert total > 50_000
    assert elapsed / len(specs) < 50e-6, f"{elapsed / len(specs) * 1e6:.1f} µs per order-day"
