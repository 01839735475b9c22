"""The electronic MAR (medication administration record): what became of each dose time.

For one patient and one day, every scheduled dose time of every order gets a state, computed
from what was recorded and the clock (injected, never read here):

- ``given`` / ``not_given``: a dose entry names this order and this scheduled time;
- ``future``: nothing recorded and the time is more than `due_before` away;
- ``due``: nothing recorded, from `due_before` before the time to `due_after` after it;
- ``late``: nothing recorded, between `due_after` and `missed_after` after the time;
- ``missed``: nothing recorded and more than `missed_after` past the time.

`TOLERANCES` is the one place these durations are set. `missed_after` is also the limit past
which a dose recorded far from its scheduled time asks for confirmation
(`continuity.core.safety`): a dose the MAR calls missed cannot be recorded as on time silently.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum

from continuity.core.clock import PARIS


class CellState(StrEnum):
    GIVEN = "given"
    NOT_GIVEN = "not_given"
    DUE = "due"
    LATE = "late"
    MISSED = "missed"
    FUTURE = "future"
    #: Scheduled before "data as of" (or before the declared start of the outage, when later)
    #: with nothing recorded here: the snapshot carries no administrations, so whether it was
    #: given is on the central record or the paper, not here. Never shown as missed (a nurse
    #: would give it again) nor counted as late.
    BEFORE_SNAPSHOT = "before_snapshot"


def state_label(state: str) -> str:
    """The word for a cell state, as screens and the CLI show it (with a symbol beside it)."""
    from continuity.core.i18n import _

    return {
        CellState.GIVEN: _("Given"),
        CellState.NOT_GIVEN: _("Not given"),
        CellState.DUE: _("Due"),
        CellState.LATE: _("Late"),
        CellState.MISSED: _("Missed"),
        CellState.FUTURE: _("Planned"),
        CellState.BEFORE_SNAPSHOT: _("Before the outage: check"),
    }.get(state, state)


@dataclass(frozen=True)
class Tolerances:
    """How far from its time a dose is still due, late, or missed.

    French wards commonly give a scheduled dose within an hour either side of its time;
    showing it 30 min ahead lets the round be prepared. Two hours after its time a dose
    with nothing recorded is missed: giving it now is a new decision, not a late round.
    """

    due_before: timedelta = timedelta(minutes=30)
    due_after: timedelta = timedelta(hours=1)
    missed_after: timedelta = timedelta(hours=2)


TOLERANCES = Tolerances()


@dataclass(frozen=True)
class DoseRecord:
    """A recorded dose as the MAR needs it; `entry` carries the stored entry for the UI."""

    uuid: str
    status: str  # given | not_given
    scheduled: datetime | None
    at: datetime
    entry: object | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class MarCell:
    scheduled: datetime
    state: CellState
    doses: tuple[DoseRecord, ...] = ()

    @property
    def double(self) -> bool:
        """Two doses recorded as given for one time: shown loudly, never merged."""
        return sum(d.status == "given" for d in self.doses) > 1

    @property
    def given_late(self) -> bool:
        return self.state == CellState.GIVEN and any(
            d.at - self.scheduled > TOLERANCES.due_after for d in self.doses
        )


def cell_state(
    scheduled: datetime,
    doses: Sequence[DoseRecord],
    now: datetime,
    tol: Tolerances = TOLERANCES,
    known_from: datetime | None = None,
) -> CellState:
    """`known_from` is when this laptop became the record (`emar.known_since`): the snapshot's
    "data as of", or the declared start of the outage; before it, this laptop cannot know."""
    if any(d.status == "given" for d in doses):
        return CellState.GIVEN
    if doses:
        return CellState.NOT_GIVEN
    if known_from is not None and scheduled < known_from:
        return CellState.BEFORE_SNAPSHOT
    if scheduled - now > tol.due_before:
        return CellState.FUTURE
    late_by = now - scheduled
    if late_by <= tol.due_after:
        return CellState.DUE
    if late_by <= tol.missed_after:
        return CellState.LATE
    return CellState.MISSED


def build_cells(
    times: Iterable[datetime],
    doses: Iterable[DoseRecord],
    now: datetime,
    tol: Tolerances = TOLERANCES,
    known_from: datetime | None = None,
) -> tuple[list[MarCell], list[DoseRecord]]:
    """The day's cells, and the doses whose scheduled time is not one of `times`."""
    slots = {t: [] for t in sorted(times)}  # type: dict[datetime, list[DoseRecord]]
    unmatched = []
    for dose in sorted(doses, key=lambda d: d.at):
        if dose.scheduled is not None and dose.scheduled in slots:
            slots[dose.scheduled].append(dose)
        else:
            unmatched.append(dose)
    cells = [
        MarCell(t, cell_state(t, found, now, tol, known_from), tuple(found))
        for t, found in slots.items()
    ]
    return cells, unmatched


def day_bounds(day: date, tz: tzinfo = PARIS) -> tuple[datetime, datetime]:
    """[start, end) of a local day (23 or 25 hours on the days the clocks change)."""
    start = datetime.combine(day, time.min, tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)
    return start, end


def on_day(moment: datetime, day: date, tz: tzinfo = PARIS) -> bool:
    return moment.astimezone(tz).date() == day
