"""The cache's schema, as an ordered list of forward migrations.

`PRAGMA user_version` holds how many migrations were applied: the single source of truth for
the schema version is `len(MIGRATIONS)`. Each migration runs in one transaction after an
encrypted backup copy of the file; a cache newer than this app is refused, never "fixed".

Append-only tables (entries, audit log) are guarded by triggers, so even a bug elsewhere in
the app cannot edit or delete a recorded entry.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import sqlcipher3

from continuity.core.errors import CacheUnusable
from continuity.core.i18n import _
from continuity.store.connection import Connection, transaction


def _append_only(table: str) -> str:
    return f"""
    CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
      BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;
    CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
      BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;
    """


V1_FOUNDATION = """
CREATE TABLE device (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    site_name TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    singleton INTEGER NOT NULL DEFAULT 1 UNIQUE CHECK (singleton = 1)
);
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE users (
    login TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('nurse', 'pharmacist', 'it')),
    professional_id TEXT,
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
""" + _append_only("audit_log")

V2_SNAPSHOT = """
CREATE TABLE snapshot (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    source TEXT NOT NULL,
    as_of TEXT NOT NULL,
    as_of_origin TEXT NOT NULL,          -- manifest | lastUpdated | stated
    imported_at TEXT NOT NULL,
    imported_by TEXT NOT NULL,
    signature TEXT NOT NULL,             -- verified | unsigned-override | not-required
    report TEXT NOT NULL                 -- JSON: counts per type read/imported/rejected/skipped
);
CREATE TABLE locations (
    source_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,                  -- si, wa, ro, bd, or other physicalType codes
    part_of TEXT,
    identifier TEXT
);
CREATE TABLE practitioners (
    source_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    rpps TEXT,
    identifiers TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE patients (
    source_id TEXT PRIMARY KEY,
    ipp TEXT,
    ins TEXT,
    family TEXT NOT NULL,
    given TEXT NOT NULL,
    birth_date TEXT,
    sex TEXT,                            -- male, female, other, unknown
    ward TEXT,
    room TEXT,
    bed TEXT,
    admitted_at TEXT,
    identifiers TEXT NOT NULL DEFAULT '[]',
    allergy_status TEXT NOT NULL DEFAULT 'unknown',   -- recorded | none_known | unknown
    deceased INTEGER NOT NULL DEFAULT 0,
    search_key TEXT NOT NULL DEFAULT '',  -- accent- and case-folded name, IPP, bed
    absent_from_snapshot INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX patients_ipp ON patients(ipp);
CREATE INDEX patients_ward ON patients(ward, room, bed);
CREATE TABLE allergies (
    id INTEGER PRIMARY KEY,
    patient_id TEXT NOT NULL,
    substance TEXT NOT NULL,
    code TEXT,
    criticality TEXT,
    reaction TEXT,
    status TEXT NOT NULL
);
CREATE INDEX allergies_patient ON allergies(patient_id);
CREATE TABLE orders (
    source_id TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL,
    drug TEXT NOT NULL,
    drug_code TEXT,
    form TEXT,
    dose_value REAL,
    dose_unit TEXT,
    route TEXT,
    instructions TEXT,
    timing TEXT NOT NULL,                -- TimingSpec JSON (continuity.core.timing)
    as_needed INTEGER NOT NULL DEFAULT 0,
    prn_reason TEXT,
    start TEXT,
    end TEXT,
    validity_end TEXT,
    status TEXT NOT NULL,                -- active, on-hold, stopped, completed, cancelled...
    prescriber_id TEXT,
    prescriber_name TEXT,
    prescriber_rpps TEXT,
    authored_on TEXT,
    high_alert INTEGER NOT NULL DEFAULT 0,
    absent_from_snapshot INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX orders_patient ON orders(patient_id);
CREATE TABLE appointments (
    source_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,                  -- operating | appointment
    start TEXT,
    end TEXT,
    location TEXT,
    service TEXT,
    description TEXT,
    status TEXT,
    patient_id TEXT,
    participants TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX appointments_start ON appointments(start);
CREATE TABLE observations (
    patient_id TEXT NOT NULL,
    code TEXT NOT NULL,                  -- LOINC
    display TEXT NOT NULL,
    value REAL,
    value_text TEXT,
    unit TEXT,
    effective TEXT,
    PRIMARY KEY (patient_id, code)
);
"""

V3_ENTRIES = (
    """
CREATE TABLE entries (
    uuid TEXT PRIMARY KEY,
    device_id TEXT NOT NULL,
    seq INTEGER NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    author TEXT NOT NULL,
    clinical_time TEXT NOT NULL,         -- UTC ISO
    recorded_time TEXT NOT NULL,         -- UTC ISO
    tz TEXT NOT NULL,
    patient_id TEXT,
    order_id TEXT,
    supersedes TEXT REFERENCES entries(uuid),
    reason TEXT,
    payload TEXT NOT NULL,               -- JSON, the kind's own fields
    confirmations TEXT NOT NULL DEFAULT '[]',
    witness TEXT,
    drill INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX entries_patient ON entries(patient_id, clinical_time);
CREATE INDEX entries_order ON entries(order_id);
CREATE INDEX entries_supersedes ON entries(supersedes);
"""
    + _append_only("entries")
    + """
CREATE TABLE entry_exports (
    uuid TEXT NOT NULL REFERENCES entries(uuid),
    package_id TEXT NOT NULL,
    exported_at TEXT NOT NULL,
    PRIMARY KEY (uuid, package_id)
);
CREATE TABLE temp_id_blocks (
    prefix TEXT NOT NULL,
    first INTEGER NOT NULL,
    last INTEGER NOT NULL,
    next INTEGER NOT NULL,
    PRIMARY KEY (prefix, first)
);
CREATE TABLE printed_sheets (
    sheet_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    printed_at TEXT NOT NULL,
    printed_by TEXT NOT NULL,
    ward TEXT,
    patients TEXT NOT NULL DEFAULT '[]',
    pages INTEGER NOT NULL
);
CREATE TABLE sheet_returns (
    sheet_id TEXT NOT NULL,
    returned_at TEXT NOT NULL,
    returned_by TEXT NOT NULL,
    status TEXT NOT NULL,                -- returned | transcribed
    PRIMARY KEY (sheet_id, status)
);
"""
)

Migration = Callable[[Connection], None]


def _script(sql: str) -> Migration:
    def apply(conn: Connection) -> None:
        for statement in _split(sql):
            conn.execute(statement)

    return apply


def _split(sql: str) -> list[str]:
    """Split a script into statements (executescript would COMMIT behind our transaction)."""
    statements, buffer = [], ""
    for line in sql.splitlines(keepends=True):
        buffer += line
        if sqlcipher3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        raise ValueError("incomplete SQL statement in a migration")
    return statements


MIGRATIONS: list[Migration] = [_script(V1_FOUNDATION), _script(V2_SNAPSHOT), _script(V3_ENTRIES)]
SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(conn: Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: Connection, db_path: Path | None, *, target: int = SCHEMA_VERSION) -> int:
    """Bring the cache up to `target`; returns the version it was at. Refuses newer caches."""
    current = schema_version(conn)
    if current > SCHEMA_VERSION:
        raise CacheUnusable(
            _(
                "This cache was written by a newer version of Continuity (schema {found}, this "
                "app knows {known}): install the newer version."
            ).format(found=current, known=SCHEMA_VERSION)
        )
    if current < target and current > 0 and db_path is not None:
        backup_before_migration(conn, db_path, current)
    for version in range(current, target):
        with transaction(conn):
            MIGRATIONS[version](conn)
            conn.execute(f"PRAGMA user_version = {version + 1}")
    return current


def backup_before_migration(conn: Connection, db_path: Path, version: int) -> Path:
    """Copy the (encrypted) file aside: a checkpoint first, so the copy holds everything."""
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    target = db_path.with_name(f"{db_path.name}.before-v{version + 1}.bak")
    shutil.copy2(db_path, target)
    return target
