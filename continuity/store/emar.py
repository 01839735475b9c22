"""The electronic MAR of one patient for one local day, and the dose times coming up.

Rows are the patient's active orders (snapshot and manual), each with its dose times of the
day (expanded from its schedule within the order's own start and end) and the state of each
(`continuity.core.mar`), plus any order that is no longer active but has doses recorded that
day, so a dose never disappears from the MAR because its order was stopped or dropped by a
later snapshot. As-needed orders list the doses given that day.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from continuity.core.clock import PARIS, from_iso, local
from continuity.core.entries import Kind
from continuity.core.i18n import language
from continuity.core.mar import (
    TOLERANCES,
    CellState,
    DoseRecord,
    MarCell,
    build_cells,
    cell_state,
    on_day,
)
from continuity.core.roles import Permission
from continuity.core.timing import (
    ScheduleConfig,
    StartRequired,
    describe,
    expand_day,
    expand_window,
    load_schedule_config,
)
from continuity.store import census
from continuity.store.entry_log import StoredEntry, list_entries, resolve_patient
from continuity.store.outage import declared_start
from continuity.store.session import Session


@dataclass(frozen=True)
class MarRow:
    order: census.Order | None  # None: the order is no longer in the cache at all
    drug: str
    schedule: str  # "3 fois par jour", "si besoin", "voir instructions"
    cells: tuple[MarCell, ...]
    prn_doses: tuple[DoseRecord, ...]  # as-needed orders: the doses recorded that day
    other_doses: tuple[DoseRecord, ...]  # recorded for a time the schedule does not have
    expandable: bool  # False: the times need the prescription's text ("voir instructions")


@dataclass(frozen=True)
class MarDay:
    patient: census.Patient
    day: date
    now: datetime
    rows: tuple[MarRow, ...]


def _order_end(order: census.Order) -> datetime | None:
    ends = [t for t in (order.end, order.validity_end) if t is not None]
    return min(ends) if ends else None


def dose_times(
    order: census.Order, start: datetime, end: datetime, cfg: ScheduleConfig
) -> list[datetime] | None:
    """The order's dose times in [start, end); None when its schedule cannot be expanded."""
    spec = order.timing
    if not spec.expandable:
        return None
    try:
        return expand_window(
            spec, start, end, cfg, order_start=order.start, order_end=_order_end(order), tz=PARIS
        )
    except StartRequired:
        return None


def _day_times(order: census.Order, day: date, cfg: ScheduleConfig) -> list[datetime] | None:
    spec = order.timing
    if not spec.expandable:
        return None
    try:
        return expand_day(
            spec, day, cfg, order_start=order.start, order_end=_order_end(order), tz=PARIS
        )
    except StartRequired:
        return None


def _record_of(entry: StoredEntry) -> DoseRecord:
    scheduled = entry.payload.get("scheduled")
    return DoseRecord(
        entry.uuid,
        entry.payload.get("status", ""),
        from_iso(scheduled) if scheduled else None,
        entry.clinical_time,
        entry,
    )


def _doses_of_day(session: Session, patient_id: str, day: date) -> dict[str, list[DoseRecord]]:
    """Effective doses belonging to the day: by scheduled time, or when given if PRN."""
    found: dict[str, list[DoseRecord]] = defaultdict(list)
    for entry in list_entries(session, patient_id, kinds=[Kind.DOSE], effective_only=True):
        record = _record_of(entry)
        if on_day(record.scheduled or record.at, day):
            found[entry.order_id or ""].append(record)
    return found


def _row(
    order: census.Order,
    day: date,
    cfg: ScheduleConfig,
    now: datetime,
    doses: list[DoseRecord],
    known_from: datetime | None = None,
) -> MarRow:
    schedule = describe(order.timing, language())
    if order.as_needed:
        return MarRow(
            order, order.drug, schedule, (), tuple(sorted(doses, key=lambda d: d.at)), (), True
        )
    times = _day_times(order, day, cfg) if order.is_active else []
    cells, other = build_cells(times or [], doses, now, known_from=known_from)
    return MarRow(order, order.drug, schedule, tuple(cells), (), tuple(other), times is not None)


def _orphan_row(order: census.Order | None, doses: list[DoseRecord]) -> MarRow:
    """An order with doses that day but no longer active, or no longer in the cache."""
    entry = doses[0].entry
    drug = order.drug if order else getattr(entry, "payload", {}).get("drug", "?")
    schedule = describe(order.timing, language()) if order else ""
    return MarRow(
        order, drug, schedule, (), (), tuple(sorted(doses, key=lambda d: d.at)), order is not None
    )


def known_since(session: Session) -> datetime | None:
    """From when this laptop is the record of doses: the snapshot's "data as of", or the
    declared start of the outage when later (`store.outage`). A dose scheduled before it with
    nothing recorded here may be on the central record: "check", never late or missed."""
    info = census.snapshot_info(session)
    found = [t for t in (info.as_of if info else None, declared_start(session)) if t]
    return max(found) if found else None


def mar_for_patient(
    session: Session, patient_id: str, day: date | None = None, *, cfg: ScheduleConfig | None = None
) -> MarDay:
    """The MAR of a patient for a local day (default: today, by the session's clock)."""
    session.require(Permission.VIEW_PATIENTS)
    patient = resolve_patient(session, patient_id)
    now = session.now()
    day = day or local(now).date()
    cfg = cfg or load_schedule_config()
    doses = _doses_of_day(session, patient.id, day)
    known_from = known_since(session)
    rows = [
        _row(o, day, cfg, now, doses.pop(o.id, []), known_from)
        for o in census.orders(session, patient.id, active_only=True)
    ]
    for order_id, found in sorted(doses.items()):
        rows.append(_orphan_row(census.get_order(session, order_id), found))
    return MarDay(patient, day, now, tuple(rows))


def upcoming_doses(
    session: Session, patient_id: str, hours: int = 72, *, cfg: ScheduleConfig | None = None
) -> list[tuple[census.Order, list[datetime] | None]]:
    """Each active order with its dose times from now for `hours` (None: see instructions)."""
    session.require(Permission.VIEW_PATIENTS)
    patient = resolve_patient(session, patient_id)
    cfg = cfg or load_schedule_config()
    now = session.now()
    end = now + timedelta(hours=hours)
    return [
        (order, [] if order.as_needed else dose_times(order, now, end, cfg))
        for order in census.orders(session, patient.id, active_only=True)
    ]


@dataclass(frozen=True)
class Attention:
    late: int  # past their time, within the missed limit, nothing recorded
    due: int  # due now, or within `soon`
    #: Within the same window as `late`, but scheduled before this laptop became the record
    #: (`known_since`): whether they were given is on the central record or the paper. Shown
    #: so that declaring the outage never makes a dose silently leave the census.
    check: int = 0


def doses_needing_attention(
    session: Session,
    patient_ids: list[str],
    *,
    soon: timedelta = timedelta(hours=1),
    cfg: ScheduleConfig | None = None,
) -> dict[str, Attention]:
    """Late and due-soon doses for many patients at once (the census column).

    Same states as the eMAR (`core.mar.cell_state`), computed in two queries for the whole
    census instead of one MAR per patient: a census of a few thousand stays instant. Orders
    on hold are left out: they are not to be given.
    """
    session.require(Permission.VIEW_PATIENTS)
    cfg = cfg or load_schedule_config()
    now = session.now()
    start = now - TOLERANCES.missed_after
    end = now + max(soon, TOLERANCES.due_before)
    recorded: dict[tuple[str, datetime], list[DoseRecord]] = defaultdict(list)
    for entry in list_entries(
        session, kinds=[Kind.DOSE], effective_only=True, since_time=start - timedelta(hours=12)
    ):
        record = _record_of(entry)
        if entry.order_id and record.scheduled is not None:
            recorded[(entry.order_id, record.scheduled)].append(record)
    result = {pid: Attention(0, 0) for pid in patient_ids}
    known_from = known_since(session)
    shared: dict[int, list[datetime]] = {}  # one expansion per schedule, when bounds allow

    def times_of(order: census.Order) -> list[datetime]:
        spec = order.timing
        order_end = _order_end(order)
        unclipped = (
            spec.expandable
            and not spec.needs_start
            and order.start is not None
            and order.start <= start
            and (order_end is None or order_end >= end)
        )
        if not unclipped:
            return dose_times(order, start, end, cfg) or []
        if id(spec) not in shared:
            shared[id(spec)] = expand_window(spec, start, end, cfg, tz=PARIS)
        return shared[id(spec)]

    for pid, orders in census.active_orders_for(session, patient_ids).items():
        late = due = check = 0
        for order in orders:
            if order.as_needed or order.status != "active":
                continue
            for moment in times_of(order):
                state = cell_state(
                    moment, recorded.get((order.id, moment), ()), now, known_from=known_from
                )
                if state == CellState.LATE:
                    late += 1
                elif state == CellState.DUE or (state == CellState.FUTURE and moment - now <= soon):
                    due += 1
                elif state == CellState.BEFORE_SNAPSHOT and moment <= now:
                    check += 1
        result[pid] = Attention(late, due, check)
    return result
