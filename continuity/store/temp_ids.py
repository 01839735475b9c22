"""Temporary patient ids for downtime admissions: `DT-<device>-0007`, never handed out twice.

The device's name in the prefix makes ids unique across laptops without any network; within a
laptop, numbers come from blocks (`temp_id_blocks`) whose `next` only moves forward. An id is
consumed when a downtime admission takes it, or when it is reserved for a printed blank
admission form (the paper form carries it, so the same patient keeps it when the form is
typed in later). Taking an id happens inside the caller's transaction: a refused admission
rolls back and consumes nothing.
"""

from __future__ import annotations

import re

from continuity.core.errors import BadInput
from continuity.core.i18n import _
from continuity.core.roles import Permission
from continuity.store.session import Session

#: Numbers per block: a block is reserved for this device at once when the last one is used.
BLOCK_SIZE = 100
MAX_RESERVE = 500


def temp_prefix(session: Session) -> str:
    return f"DT-{session.device.name}"


def format_temp_id(prefix: str, number: int) -> str:
    return f"{prefix}-{number:04d}"


def take_temp_ids(session: Session, count: int) -> list[str]:
    """Hand out `count` new ids; call inside a transaction (see module docstring)."""
    prefix, conn, taken = temp_prefix(session), session.conn, []
    while len(taken) < count:
        row = conn.execute(
            "SELECT first, last, next FROM temp_id_blocks WHERE prefix = ? AND next <= last"
            " ORDER BY first LIMIT 1",
            (prefix,),
        ).fetchone()
        if row is None:
            top = conn.execute(
                "SELECT COALESCE(MAX(last), 0) FROM temp_id_blocks WHERE prefix = ?", (prefix,)
            ).fetchone()[0]
            row = (top + 1, top + BLOCK_SIZE, top + 1)
            conn.execute(
                "INSERT INTO temp_id_blocks (prefix, first, last, next) VALUES (?, ?, ?, ?)",
                (prefix, *row),
            )
        first, last, nxt = row
        n = min(count - len(taken), last - nxt + 1)
        conn.execute(
            "UPDATE temp_id_blocks SET next = ? WHERE prefix = ? AND first = ?",
            (nxt + n, prefix, first),
        )
        taken += [format_temp_id(prefix, i) for i in range(nxt, nxt + n)]
    return taken


def reserve_temp_ids(session: Session, count: int) -> list[str]:
    """Reserve ids for printed blank admission forms; they are never given to anyone else."""
    session.require(Permission.RECORD_CARE)
    if not 1 <= count <= MAX_RESERVE:
        raise BadInput(_("Reserve between 1 and {max} temporary ids.").format(max=MAX_RESERVE))
    with session.transaction():
        ids = take_temp_ids(session, count)
        session.audit("temp_ids_reserved", {"first": ids[0], "last": ids[-1], "count": count})
    return ids


def check_reserved_unused(session: Session, temp_id: str) -> str:
    """A pre-printed id typed in from a paper form: reserved here and not yet admitted."""
    prefix = temp_prefix(session)
    match = re.fullmatch(re.escape(prefix) + r"-(\d+)", temp_id.strip().upper())
    number = int(match[1]) if match else None
    reserved = (
        number is not None
        and session.conn.execute(
            "SELECT 1 FROM temp_id_blocks WHERE prefix = ? AND first <= ? AND ? < next",
            (prefix, number, number),
        ).fetchone()
    )
    if not reserved:
        raise BadInput(_("{id} is not a temporary id reserved on this laptop.").format(id=temp_id))
    canonical = format_temp_id(prefix, number)  # type: ignore[arg-type]
    used = session.conn.execute(
        "SELECT 1 FROM entries WHERE kind = 'admission' AND patient_id = ?", (canonical,)
    ).fetchone()
    if used:
        raise BadInput(_("{id} was already given to a patient.").format(id=canonical))
    return canonical
