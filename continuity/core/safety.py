"""Safety checks on recorded care: what must be confirmed before it is kept, and what never is.

A check that fires refuses the entry with `NeedsConfirmation` (one sentence per check) unless
the person confirms; the confirmed checks are stored with the entry (`entries.confirmations`),
so reconciliation and audits see what was overridden and why it was asked. A clinical time in
the future is refused outright: care is recorded once done, and a laptop clock a few minutes
ahead is tolerated.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from continuity.core.clock import format_age, format_local
from continuity.core.drug_classes import allergy_conflicts
from continuity.core.errors import BadInput, NeedsConfirmation
from continuity.core.i18n import _
from continuity.core.mar import TOLERANCES

#: A clinical time up to this far ahead of the laptop's clock is taken as "now".
FUTURE_TOLERANCE = timedelta(minutes=5)
#: Care dated earlier than the snapshot minus this is probably a wrong date: confirm it.
BACKDATE_LIMIT = timedelta(days=7)
#: Two given doses of one order closer than this may be one dose entered twice: the floor
#: under an order's own minimum interval (a PRN order without a ceiling, "toutes les 30 min").
PRN_REPEAT_WINDOW = timedelta(hours=1)
_UNIT_SECONDS = {"s": 1, "min": 60, "h": 3600, "d": 86400, "wk": 7 * 86400}
#: A dose recorded further than this from its scheduled time asks for confirmation.
DOSE_TIME_LIMIT = TOLERANCES.missed_after


@dataclass(frozen=True)
class Check:
    code: str  # before_snapshot, order_absent, order_stopped, order_on_hold, order_expired,
    # double_dose, allergy, far_from_schedule, not_scheduled, likely_match
    message: str


class OrderState(Protocol):
    drug: str
    status: str
    absent_from_snapshot: bool

    def expired(self, now: datetime) -> bool: ...


def check_clinical_time(
    at: datetime, now: datetime, snapshot_as_of: datetime | None
) -> list[Check]:
    if at > now + FUTURE_TOLERANCE:
        raise BadInput(
            _("The time {time} is in the future: record care once it is done.").format(
                time=format_local(at)
            )
        )
    if snapshot_as_of is not None and at < snapshot_as_of - BACKDATE_LIMIT:
        return [
            Check(
                "before_snapshot",
                _(
                    "The time {time} is more than 7 days before the snapshot ({as_of}): check the date."
                ).format(time=format_local(at), as_of=format_local(snapshot_as_of)),
            )
        ]
    return []


def check_order_state(order: OrderState, at: datetime) -> list[Check]:
    """A dose given on an order that is no longer (or not yet) to be given."""
    checks = []
    if order.absent_from_snapshot:
        checks.append(
            Check(
                "order_absent",
                _(
                    "The order for {drug} is no longer in the latest snapshot: it may have been stopped."
                ).format(drug=order.drug),
            )
        )
    if order.status == "on-hold":
        checks.append(
            Check("order_on_hold", _("The order for {drug} is on hold.").format(drug=order.drug))
        )
    elif order.status != "active":
        checks.append(
            Check(
                "order_stopped",
                _("The order for {drug} is {status}: check that it is still to be given.").format(
                    drug=order.drug, status=order.status
                ),
            )
        )
    if order.expired(at):
        checks.append(
            Check(
                "order_expired",
                _("The order for {drug} had ended or expired at that time.").format(
                    drug=order.drug
                ),
            )
        )
    return checks


def check_double_dose(
    drug: str, scheduled: datetime, given_before: Sequence[datetime]
) -> list[Check]:
    if not given_before:
        return []
    return [
        Check(
            "double_dose",
            _(
                "{drug} is already recorded as given for {time} (at {given}): this may be a double dose."
            ).format(drug=drug, time=format_local(scheduled), given=format_local(given_before[0])),
        )
    ]


class Ceiling(Protocol):
    frequency: int | None
    frequency_max: int | None
    period: float | None
    period_unit: str | None


def prn_min_interval(spec: Ceiling) -> timedelta:
    """The shortest interval an as-needed order allows ("si besoin, max toutes les 8 h" is
    8 h; "max 3 fois par jour" is 8 h), never under `PRN_REPEAT_WINDOW`.

    The largest frequency and the shortest period are read (the ceiling the prescription
    allows at most); a ceiling in months or years, or none at all, leaves the floor.
    """
    counts = [n for n in (spec.frequency, spec.frequency_max) if n and n > 0]
    unit = _UNIT_SECONDS.get(spec.period_unit or "")
    if not spec.period or spec.period <= 0 or unit is None:
        return PRN_REPEAT_WINDOW
    interval = timedelta(seconds=spec.period * unit / max(counts, default=1))
    return max(interval, PRN_REPEAT_WINDOW)


def check_repeat(
    drug: str, at: datetime, given_times: Iterable[datetime], interval: timedelta
) -> list[Check]:
    """A given dose closer to another given dose of the same order than the order allows
    (its schedule's shortest interval, or a PRN order's ceiling): one dose entered twice,
    or two doses given too close together. Both need a second look."""
    close = sorted((t for t in given_times if abs(t - at) < interval), key=lambda t: abs(t - at))
    if not close:
        return []
    return [
        Check(
            "double_dose",
            _(
                "Possible double dose of {drug}: last given at {time}, {gap} apart, less than "
                "the {interval} this order allows between doses."
            ).format(
                drug=drug,
                time=format_local(close[0]),
                gap=format_age(abs(close[0] - at)),
                interval=format_age(interval),
            ),
        )
    ]


def check_prn_repeat(
    drug: str,
    at: datetime,
    given_times: Iterable[datetime],
    interval: timedelta = PRN_REPEAT_WINDOW,
) -> list[Check]:
    """An as-needed dose given before the order's minimum interval (see `prn_min_interval`)."""
    return check_repeat(drug, at, given_times, max(interval, PRN_REPEAT_WINDOW))


def check_scheduled_time(
    drug: str, scheduled: datetime, day_times: Sequence[datetime]
) -> list[Check]:
    """A scheduled time the order does not have that day ("12:30" for 08/12/18 h) escapes
    the same-time double-dose check and the MAR's cells: ask before keeping it."""
    if any(t == scheduled for t in day_times):
        return []
    return [
        Check(
            "not_scheduled",
            _("{time} is not a scheduled time of this order ({drug}): check the time.").format(
                time=format_local(scheduled), drug=drug
            ),
        )
    ]


def check_allergies(
    drug: str, drug_code: str | None, allergies: Iterable[tuple[str, str | None]]
) -> list[Check]:
    return [
        Check(
            "allergy",
            _("The patient is allergic to {substance}: {drug} may trigger it ({why}).").format(
                substance=substance, drug=drug, why=why
            ),
        )
        for substance, why in allergy_conflicts(drug, drug_code, allergies)
    ]


def check_dose_time(at: datetime, scheduled: datetime) -> list[Check]:
    gap = abs(at - scheduled)
    if gap <= DOSE_TIME_LIMIT:
        return []
    return [
        Check(
            "far_from_schedule",
            _(
                "The dose is recorded {gap} away from its scheduled time {time}: check the times."
            ).format(gap=format_age(gap), time=format_local(scheduled)),
        )
    ]


#: Above this, a blood glucose in g/L is rare enough that a value typed in mmol/L (the unit
#: of many meters: 7.2 mmol/L is 1.30 g/L) is the likelier explanation: ask before storing.
GLUCOSE_CONFIRM_ABOVE = 4.0
_MMOL_TO_G_PER_L = 0.18016


def check_vital_values(payload: dict[str, Any]) -> list[Check]:
    """Values inside physiological limits that are more likely a wrong unit than true."""
    glucose = payload.get("glucose")
    if glucose is None or glucose <= GLUCOSE_CONFIRM_ABOVE:
        return []
    return [
        Check(
            "unlikely_unit",
            _(
                "A blood glucose of {value} g/L is very high: if the meter shows mmol/L, "
                "{value} mmol/L is {converted} g/L. Confirm only if {value} g/L is right."
            ).format(
                value=f"{glucose:g}".replace(".", ","),
                converted=f"{glucose * _MMOL_TO_G_PER_L:.2f}".replace(".", ","),
            ),
        )
    ]


#: The order the reasons to stop and think are read in: what can harm the patient first.
_CHECK_ORDER = ("allergy", "double_dose", "order_stopped", "order_absent", "order_on_hold",
                "order_expired", "unlikely_unit")  # fmt: skip


def _priority(check: Check) -> int:
    return _CHECK_ORDER.index(check.code) if check.code in _CHECK_ORDER else len(_CHECK_ORDER)


def require_confirmation(checks: Sequence[Check], confirm: bool) -> list[dict[str, Any]]:
    """Refuse unless confirmed; what to store in `entries.confirmations` when confirmed.
    The reasons are given most serious first (an allergy before a time far from schedule)."""
    if not checks:
        return []
    read_first = sorted(checks, key=_priority)
    if not confirm:
        raise NeedsConfirmation(
            " ".join(c.message for c in read_first), [c.code for c in read_first]
        )
    return [{"check": c.code, "message": c.message} for c in checks]
