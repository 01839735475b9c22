"""The register of printed sheets (`printed_sheets`) and the "print" audit row.

Every sheet that leaves the laptop is recorded with its id, kind, author, time, patients and
page count, in the same transaction as its audit row: reconciliation can then ask which MARs
are still out on the wards, and a sheet found in a drawer can be traced to who printed it.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime

from continuity.core.clock import from_iso, to_utc_iso
from continuity.store.session import Session

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U to misread
_PREFIX = {
    "mar": "MAR", "prescriptions": "PRE", "pick-list": "PIC", "census": "CEN",
    "or-list": "BLO", "appointments": "RDV", "labels": "ETI", "vitals-chart": "CON",
    "nursing-notes": "NOT", "admission-form": "ADM",
}  # fmt: skip


@dataclass(frozen=True)
class PrintedSheet:
    sheet_id: str
    kind: str
    printed_at: datetime
    printed_by: str
    ward: str | None
    patients: list[str]
    pages: int


def new_sheet_id(kind: str) -> str:
    """Short enough to read over the phone ('MAR-7K3M-Q9XD'), 40 random bits."""
    chars = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    return f"{_PREFIX.get(kind, 'FEU')}-{chars[:4]}-{chars[4:]}"


def unused_sheet_id(session: Session, kind: str) -> str:
    while True:
        sheet_id = new_sheet_id(kind)
        if get_sheet(session, sheet_id) is None:
            return sheet_id


def register_sheet(
    session: Session,
    *,
    sheet_id: str,
    kind: str,
    ward: str | None,
    patients: list[str],
    pages: int,
    chain_head: str,
) -> None:
    """Record the sheet and audit the print, atomically (one without the other is a lie)."""
    with session.transaction() as conn:
        conn.execute(
            "INSERT INTO printed_sheets (sheet_id, kind, printed_at, printed_by, ward, patients,"
            " pages) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                sheet_id,
                kind,
                to_utc_iso(session.now()),
                session.user.login,
                ward,
                json.dumps(patients),
                pages,
            ),
        )
        session.audit(
            "print",
            {
                "sheet_id": sheet_id,
                "kind": kind,
                "ward": ward,
                "patients": patients,
                "pages": pages,
                "chain_head_printed": chain_head,
                "device": session.device.name,
            },
        )


def get_sheet(session: Session, sheet_id: str) -> PrintedSheet | None:
    row = session.conn.execute(
        "SELECT sheet_id, kind, printed_at, printed_by, ward, patients, pages"
        " FROM printed_sheets WHERE sheet_id = ?",
        (sheet_id,),
    ).fetchone()
    return _sheet(row) if row else None


def printed_sheets(session: Session, *, limit: int = 500) -> list[PrintedSheet]:
    """The most recent sheets first (what is out on paper)."""
    rows = session.conn.execute(
        "SELECT sheet_id, kind, printed_at, printed_by, ward, patients, pages"
        " FROM printed_sheets ORDER BY printed_at DESC, rowid DESC LIMIT ?",
        (limit,),
    ).fetchall()
    return [_sheet(r) for r in rows]


def _sheet(row: tuple) -> PrintedSheet:
    return PrintedSheet(
        row[0], row[1], from_iso(row[2]), row[3], row[4], json.loads(row[5]), int(row[6])
    )
