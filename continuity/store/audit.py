"""The audit log: append-only, each row hash-chained to the one before.

hash = SHA-256(prev_hash || canonical JSON of [id, at, actor, action, detail]). Changing,
removing or inserting a row breaks the chain from that row on, and `verify_chain` names the
first broken row. Deleting the newest rows cannot be seen from inside the file alone; that is
why every printed sheet carries the short head of the chain (paper anchors the log).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from continuity.core.clock import to_utc_iso
from continuity.store.connection import Connection

GENESIS = "0" * 64


def _digest(prev_hash: str, row_id: int, at: str, actor: str, action: str, detail: str) -> str:
    canonical = json.dumps(
        [row_id, at, actor, action, detail], ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


def append(
    conn: Connection,
    at: datetime | str,
    actor: str,
    action: str,
    detail: dict[str, Any] | None = None,
) -> str:
    """Add one row inside the caller's transaction; returns its hash (the new chain head)."""
    at_text = at if isinstance(at, str) else to_utc_iso(at)
    detail_text = json.dumps(
        detail or {}, ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )
    last = conn.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    row_id, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    digest = _digest(prev, row_id, at_text, actor, action, detail_text)
    conn.execute(
        "INSERT INTO audit_log (id, at, actor, action, detail, prev_hash, hash)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (row_id, at_text, actor, action, detail_text, prev, digest),
    )
    return digest


def head(conn: Connection) -> str:
    row = conn.execute("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    return row[0] if row else GENESIS


def short_head(conn: Connection) -> str:
    """The first 12 hex digits: enough to compare with a printed sheet by eye."""
    return head(conn)[:12]


@dataclass(frozen=True)
class ChainReport:
    rows: int
    first_broken: int | None  # id of the first row that does not verify
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.first_broken is None


def verify_chain(conn: Connection) -> ChainReport:
    prev = GENESIS
    expected_id = 1
    count = 0
    cursor = conn.execute(
        "SELECT id, at, actor, action, detail, prev_hash, hash FROM audit_log ORDER BY id"
    )
    for row_id, at, actor, action, detail, prev_hash, digest in cursor:
        count += 1
        if row_id != expected_id:
            return ChainReport(count, expected_id, "missing")
        if prev_hash != prev:
            return ChainReport(count, row_id, "link")
        if _digest(prev_hash, row_id, at, actor, action, detail) != digest:
            return ChainReport(count, row_id, "content")
        prev = digest
        expected_id += 1
    return ChainReport(count, None)


def recent(conn: Connection, limit: int = 200) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT id, at, actor, action, detail FROM audit_log ORDER BY id DESC LIMIT ?", (limit,)
    ).fetchall()
    return [
        {"id": r[0], "at": r[1], "actor": r[2], "action": r[3], "detail": json.loads(r[4])}
        for r in rows
    ]
