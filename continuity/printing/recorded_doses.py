"""Doses already recorded in the app, as a printed MAR shows them in their cells.

A MAR printed mid-shift must be current: a dose given at 08:05 and recorded on the laptop is
printed as "✓ NI 08:05" in its 08:00 cell, so nobody gives it twice from the paper. This reads
the `entries` table directly (kind 'dose', not superseded nor retracted); when the entries
module's own MAR view exists, only this function changes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from continuity.core.clock import from_iso, to_utc_iso
from continuity.store.census import EFFECTIVE_ENTRIES
from continuity.store.session import Session


@dataclass(frozen=True)
class RecordedDose:
    order_id: str
    scheduled: datetime | None  # the dose time it answers (None: PRN)
    at: datetime  # when it happened (clinical time)
    given: bool
    initials: str
    reason: str | None


def initials_of(display_name: str | None, login: str) -> str:
    """Same rule as `User.initials`: what the nurse would write in the cell by hand."""
    parts = [p for p in (display_name or "").replace("-", " ").split() if p]
    return "".join(p[0].upper() for p in parts[:3]) or login[:3].upper()


def recorded_doses(
    session: Session, order_ids: Iterable[str], start: datetime, end: datetime
) -> dict[str, list[RecordedDose]]:
    """Doses of these orders that happened, or were due, in [start, end), per order id."""
    wanted = set(order_ids)
    result: dict[str, list[RecordedDose]] = {}
    if not wanted:
        return result
    # Clinical time within a day of the window catches doses given late or early.
    low, high = to_utc_iso(start - timedelta(days=1)), to_utc_iso(end + timedelta(days=1))
    rows = session.conn.execute(
        f"SELECT e.order_id, e.clinical_time, e.payload, e.author, u.display_name"
        f" FROM ({EFFECTIVE_ENTRIES}) e LEFT JOIN users u ON u.login = e.author"
        f" WHERE e.kind = 'dose' AND e.clinical_time >= ? AND e.clinical_time < ?"
        f" ORDER BY e.clinical_time",
        (low, high),
    ).fetchall()
    for order_id, clinical, payload_text, author, display in rows:
        if order_id not in wanted:
            continue
        payload = json.loads(payload_text or "{}")
        scheduled = from_iso(payload["scheduled"]) if payload.get("scheduled") else None
        at = from_iso(clinical)
        key = scheduled or at
        if not start <= key < end:
            continue
        status = str(payload.get("status", "given")).replace("-", "_")
        result.setdefault(order_id, []).append(
            RecordedDose(
                order_id,
                scheduled,
                at,
                status == "given",
                initials_of(display, author),
                payload.get("reason"),
            )
        )
    return result
