"""What the cache holds and how old it is: `continuity status`, the status bar, the sheets.

A cache is worth what its last refresh was, so the status leads with "data as of", its age and
whether that age is fresh, ageing or stale; then what the snapshot holds, and how many manual
entries this laptop has not exported yet (data that exists nowhere else).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from continuity.core.clock import from_iso, to_utc_iso
from continuity.core.freshness import Freshness, freshness, thresholds_from_settings
from continuity.store.session import Session

_COUNTS = {
    "patients": "SELECT count(*) FROM patients WHERE absent_from_snapshot = 0",
    "patients_absent": "SELECT count(*) FROM patients WHERE absent_from_snapshot = 1",
    "inpatients": "SELECT count(*) FROM patients WHERE absent_from_snapshot = 0"
    " AND ward IS NOT NULL",
    "orders": "SELECT count(*) FROM orders WHERE absent_from_snapshot = 0",
    "active_orders": "SELECT count(*) FROM orders WHERE absent_from_snapshot = 0"
    " AND status IN ('active', 'on-hold')",
    "orders_absent": "SELECT count(*) FROM orders WHERE absent_from_snapshot = 1",
    "high_alert_orders": "SELECT count(*) FROM orders WHERE absent_from_snapshot = 0"
    " AND high_alert = 1 AND status IN ('active', 'on-hold')",
    # A patient kept as absent keeps her allergies (for the allergy check of her doses), but
    # she is off the census: only what the census shows is counted.
    "allergies": "SELECT count(*) FROM allergies a JOIN patients p ON p.source_id = a.patient_id"
    " WHERE a.status = 'active' AND p.absent_from_snapshot = 0",
    "appointments": "SELECT count(*) FROM appointments WHERE kind = 'appointment'",
    "operating": "SELECT count(*) FROM appointments WHERE kind = 'operating'",
    "observations": "SELECT count(*) FROM observations",
    "practitioners": "SELECT count(*) FROM practitioners",
    "locations": "SELECT count(*) FROM locations",
}
UNEXPORTED_ENTRIES = """
    SELECT count(*) FROM entries e
    LEFT JOIN entry_exports x ON x.uuid = e.uuid
    WHERE x.uuid IS NULL
"""


@dataclass(frozen=True)
class SnapshotStatus:
    loaded: bool
    source: str | None = None
    as_of: datetime | None = None
    as_of_origin: str | None = None
    imported_at: datetime | None = None
    imported_by: str | None = None
    signature: str | None = None
    age: timedelta | None = None
    freshness: Freshness | None = None
    counts: dict[str, int] = field(default_factory=dict)
    unexported_entries: int = 0
    report: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "loaded": self.loaded,
            "source": self.source,
            "as_of": to_utc_iso(self.as_of) if self.as_of else None,
            "as_of_origin": self.as_of_origin,
            "imported_at": to_utc_iso(self.imported_at) if self.imported_at else None,
            "imported_by": self.imported_by,
            "signature": self.signature,
            "age_seconds": int(self.age.total_seconds()) if self.age is not None else None,
            "freshness": self.freshness.value if self.freshness else None,
            "counts": dict(self.counts),
            "unexported_entries": self.unexported_entries,
        }


def snapshot_status(session: Session) -> SnapshotStatus:
    """The snapshot's status now (by the session's clock); any logged-in role may see it."""
    conn = session.conn
    unexported = conn.execute(UNEXPORTED_ENTRIES).fetchone()[0]
    counts = {name: conn.execute(sql).fetchone()[0] for name, sql in _COUNTS.items()}
    row = conn.execute(
        "SELECT source, as_of, as_of_origin, imported_at, imported_by, signature, report"
        " FROM snapshot WHERE singleton = 1"
    ).fetchone()
    if row is None:
        return SnapshotStatus(loaded=False, counts=counts, unexported_entries=unexported)
    as_of = from_iso(row[1])
    level, age = freshness(as_of, session.now(), thresholds_from_settings(session.setting))
    try:
        report = json.loads(row[6])
    except ValueError:
        report = {}
    return SnapshotStatus(
        loaded=True,
        source=row[0],
        as_of=as_of,
        as_of_origin=row[2],
        imported_at=from_iso(row[3]),
        imported_by=row[4],
        signature=row[5],
        age=age,
        freshness=level,
        counts=counts,
        unexported_entries=unexported,
        report=report,
    )
