"""A small ward in the cache for the recording tests: snapshot rows written by SQL.

The snapshot tables are filled the way the FHIR importer fills them (schema V2_SNAPSHOT), so
these tests depend on the entry code only. The fixture clock (28/11/2026 09:00 UTC) is 10:00
in Paris; the snapshot is "as of" 05:00 Paris that morning, before the first dose round.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from continuity.core.clock import PARIS, to_utc_iso
from continuity.core.timing import parse_timing

AS_OF = datetime(2026, 11, 28, 4, 0, tzinfo=UTC)
ORDER_START = "2026-11-25T08:00:00Z"


def _times(*times: str) -> str:
    repeat = {
        "frequency": 1,
        "period": 1,
        "periodUnit": "d",
        "timeOfDay": [f"{t}:00" for t in times],
    }
    return parse_timing({"repeat": repeat}).to_json()


PRN = parse_timing(
    {"repeat": {"frequency": 1, "period": 6, "periodUnit": "h"}}, as_needed=True
).to_json()

# (id, patient, drug, atc, dose, unit, route, timing, as_needed, prn_reason, status, high_alert)
ORDERS = [
    ("ord-amox", "pat-1", "Amoxicilline 1 g, comprimé dispersible", "J01CA04", 1, "g", "PO",
     _times("08:00", "14:00", "20:00"), 0, None, "active", 0),
    ("ord-para", "pat-1", "Paracétamol 1 g, comprimé", "N02BE01", 1, "g", "PO",
     _times("06:00", "12:00", "18:00", "23:00"), 0, None, "active", 0),
    ("ord-prn", "pat-1", "Tramadol 50 mg, gélule", "N02AX02", 50, "mg", "PO", PRN, 1,
     "si douleur", "active", 0),
    ("ord-insulin", "pat-1", "Insuline asparte (Novorapid)", "A10AB05", 6, "UI", "SC",
     _times("08:00", "12:00", "19:00"), 0, None, "active", 1),
    ("ord-stopped", "pat-1", "Kétoprofène 50 mg, gélule", "M01AE03", 50, "mg", "PO",
     _times("08:00", "20:00"), 0, None, "stopped", 0),
    ("ord-other", "pat-2", "Furosémide (Lasilix), comprimé", "C03CA01", 40, "mg", "PO",
     _times("08:00"), 0, None, "active", 0),
]  # fmt: skip

PATIENTS = [
    ("pat-1", "100001", "DUPONT", "Jeanne", "1950-03-12", "female", "MED", "12", "A"),
    ("pat-2", "100002", "MARTIN", "Éloïse", "1985-07-01", "female", "MED", "14", "B"),
    ("pat-3", "100003", "LEFÈVRE", "Jean-Pierre", "1962-11-05", "male", "CHIR", "3", "A"),
]


@dataclass
class Ward:
    cache: object  # tests.conftest.CacheFixture

    def login(self, user: str = "nurse"):
        return self.cache.login(user)

    @property
    def clock(self):
        return self.cache.clock


def seed_snapshot(session, as_of: datetime = AS_OF) -> None:
    with session.transaction() as conn:
        conn.execute(
            "INSERT INTO snapshot VALUES (1, 'test', ?, 'manifest', ?, 'admin', 'not-required',"
            " '{}')",
            (to_utc_iso(as_of), to_utc_iso(as_of)),
        )
        for p in PATIENTS:
            conn.execute(
                "INSERT INTO patients (source_id, ipp, family, given, birth_date, sex, ward, room,"
                " bed, allergy_status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'recorded')",
                p,
            )
        conn.execute(
            "INSERT INTO allergies (patient_id, substance, code, criticality, reaction, status)"
            " VALUES ('pat-1', 'Pénicilline', '764146007', 'high', 'Urticaire', 'active')"
        )
        for o in ORDERS:
            conn.execute(
                "INSERT INTO orders (source_id, patient_id, drug, drug_code, dose_value,"
                " dose_unit, route, timing, as_needed, prn_reason, status, high_alert, start)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*o, ORDER_START),
            )


@pytest.fixture
def ward(cache) -> Ward:
    """The test cache with a snapshot of three patients and pat-1's six orders."""
    with cache.login("admin") as session:
        seed_snapshot(session)
    return Ward(cache)


def drop_order_from_snapshot(session, order_id: str, *, delete: bool = False) -> None:
    """What a later snapshot does to an order it no longer contains."""
    with session.transaction() as conn:
        if delete:
            conn.execute("DELETE FROM orders WHERE source_id = ?", (order_id,))
        else:
            # As the importer does: kept (entries refer to it), flagged absent.
            conn.execute(
                "UPDATE orders SET absent_from_snapshot = 1 WHERE source_id = ?", (order_id,)
            )


def paris(hour: int, minute: int = 0, day: int = 28) -> datetime:
    """A wall-clock time on the ward (November: Paris is UTC+1)."""
    return datetime(2026, 11, day, hour, minute, tzinfo=PARIS)
