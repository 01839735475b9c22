"""When each order's doses are due, for the sheets: one wrapper over `continuity.core.timing`.

The sheets never guess a time: an order whose schedule cannot be expanded (or that counts from
a start the snapshot did not give) comes back as `None`, and the sheet prints "see
instructions" beside the prescription's own text. An order's last valid moment is the earlier
of its end and its dispensing validity: past it, nothing is pre-marked.
"""

from __future__ import annotations

from datetime import datetime

from continuity.core.clock import PARIS
from continuity.core.timing import ScheduleConfig, TimingSpec, expand_window, load_schedule_config
from continuity.store.census import Order


def schedule_config() -> ScheduleConfig:
    return load_schedule_config()


def order_limit(order: Order) -> datetime | None:
    return min((t for t in (order.end, order.validity_end) if t is not None), default=None)


def due_times(
    order: Order, spec: TimingSpec, start: datetime, end: datetime, cfg: ScheduleConfig
) -> list[datetime] | None:
    """Due times in [start, end), PRN gives [], an unexpandable schedule gives None."""
    if not spec.expandable:
        return None
    if spec.as_needed or order.as_needed:
        return []
    if spec.needs_start and order.start is None:
        return None
    return expand_window(
        spec, start, end, cfg, order_start=order.start, order_end=order_limit(order), tz=PARIS
    )
