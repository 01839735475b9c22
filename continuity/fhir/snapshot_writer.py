"""Replacing the snapshot tables, inside the importer's single transaction.

Manual entries refer to orders and patients by their source ids, and an outage can outlast an
order's presence in the central record. So an order or patient that an entry refers to is kept
when a new snapshot no longer has it, flagged `absent_from_snapshot = 1` (re-imported rows get
0 again); everything else of the previous snapshot is replaced. The `entries` table itself is
never written here.
"""

from __future__ import annotations

from typing import Any

from continuity.fhir.assembly import SnapshotRows
from continuity.store.connection import Connection

_COLUMNS = {
    "locations": ("source_id", "name", "kind", "part_of", "identifier"),
    "practitioners": ("source_id", "name", "rpps", "identifiers"),
    "patients": (
        "source_id",
        "ipp",
        "ins",
        "family",
        "given",
        "birth_date",
        "sex",
        "ward",
        "room",
        "bed",
        "admitted_at",
        "identifiers",
        "allergy_status",
        "deceased",
        "search_key",
        "absent_from_snapshot",
    ),
    "allergies": ("patient_id", "substance", "code", "criticality", "reaction", "status"),
    "orders": (
        "source_id",
        "patient_id",
        "drug",
        "drug_code",
        "form",
        "dose_value",
        "dose_unit",
        "route",
        "instructions",
        "timing",
        "as_needed",
        "prn_reason",
        "start",
        "end",
        "validity_end",
        "status",
        "prescriber_id",
        "prescriber_name",
        "prescriber_rpps",
        "authored_on",
        "high_alert",
        "absent_from_snapshot",
    ),
    "appointments": (
        "source_id",
        "kind",
        "start",
        "end",
        "location",
        "service",
        "description",
        "status",
        "patient_id",
        "participants",
    ),
    "observations": ("patient_id", "code", "display", "value", "value_text", "unit", "effective"),
}
_SNAPSHOT_COLUMNS = (
    "singleton",
    "source",
    "as_of",
    "as_of_origin",
    "imported_at",
    "imported_by",
    "signature",
    "report",
)


def _insert(conn: Connection, table: str, rows: list[tuple[Any, ...]]) -> None:
    columns = _COLUMNS[table]
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    conn.executemany(f"INSERT OR REPLACE INTO {table} ({names}) VALUES ({marks})", rows)


def replace_snapshot(
    conn: Connection, rows: SnapshotRows, snapshot: dict[str, Any]
) -> dict[str, int]:
    """Write the new snapshot; the caller holds the transaction. Returns the kept-absent counts."""
    conn.execute(
        "DELETE FROM orders WHERE source_id NOT IN"
        " (SELECT order_id FROM entries WHERE order_id IS NOT NULL)"
    )
    conn.execute("UPDATE orders SET absent_from_snapshot = 1")
    conn.execute(
        "DELETE FROM patients WHERE source_id NOT IN"
        " (SELECT patient_id FROM entries WHERE patient_id IS NOT NULL)"
        " AND source_id NOT IN (SELECT patient_id FROM orders)"
    )
    conn.execute("UPDATE patients SET absent_from_snapshot = 1")
    # A patient kept as absent keeps their allergies: doses may still be recorded against
    # them, and the allergy check must not go blind. The new snapshot's patients get theirs
    # from the snapshot only.
    conn.execute("DELETE FROM allergies WHERE patient_id NOT IN (SELECT source_id FROM patients)")
    conn.executemany(
        "DELETE FROM allergies WHERE patient_id = ?", [(row[0],) for row in rows.patients]
    )
    for table in ("appointments", "observations", "locations", "practitioners"):
        conn.execute(f"DELETE FROM {table}")
    for table in _COLUMNS:
        _insert(conn, table, getattr(rows, table))
    values = [1] + [snapshot[c] for c in _SNAPSHOT_COLUMNS[1:]]
    conn.execute(
        f"INSERT OR REPLACE INTO snapshot ({', '.join(_SNAPSHOT_COLUMNS)})"
        f" VALUES ({', '.join('?' for _ in _SNAPSHOT_COLUMNS)})",
        values,
    )
    return {
        table: conn.execute(
            f"SELECT count(*) FROM {table} WHERE absent_from_snapshot = 1"
        ).fetchone()[0]
        for table in ("patients", "orders")
    }
