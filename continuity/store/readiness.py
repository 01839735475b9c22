"""Gathering the readiness facts from the open cache (see `continuity.core.readiness`)."""

from __future__ import annotations

import shutil
from collections.abc import Callable

from continuity.core.clock import from_iso
from continuity.core.freshness import thresholds_from_settings
from continuity.core.readiness import Facts, Item, PrinterStatus, evaluate
from continuity.core.roles import Permission
from continuity.store import audit
from continuity.store.cache import RECOVERY_LOGIN, slots_path
from continuity.store.key_slots import KeySlotFile
from continuity.store.session import Session

PrinterProbe = Callable[[], PrinterStatus]


def _scalar(session: Session, sql: str) -> object:
    return session.conn.execute(sql).fetchone()[0]


def gather_facts(session: Session, printer_probe: PrinterProbe | None = None) -> Facts:
    slots = KeySlotFile.load(slots_path(session.path))
    logins = set(slots.logins("user"))
    rows = session.conn.execute("SELECT login, role FROM users WHERE disabled = 0").fetchall()
    active = [(login, role) for login, role in rows if login in logins]
    chain = audit.verify_chain(session.conn)
    problems = [r[0] for r in session.conn.execute("PRAGMA cipher_integrity_check")]
    as_of = _scalar(session, "SELECT max(as_of) FROM snapshot")
    latest = max(
        (
            t
            for t in (
                _scalar(session, "SELECT max(recorded_time) FROM entries"),
                _scalar(session, "SELECT max(at) FROM audit_log"),
            )
            if t
        ),
        default=None,
    )
    unexported = session.conn.execute(
        "SELECT count(*), min(e.recorded_time) FROM entries e"
        " WHERE e.drill = 0 AND NOT EXISTS (SELECT 1 FROM entry_exports x WHERE x.uuid = e.uuid)"
    ).fetchone()
    temp_left = _scalar(
        session, "SELECT coalesce(sum(last - next + 1), 0) FROM temp_id_blocks WHERE next <= last"
    )
    return Facts(
        now=session.now(),
        snapshot_as_of=from_iso(as_of) if as_of else None,
        thresholds=thresholds_from_settings(session.setting),
        users_with_slot=len(active),
        it_users_with_slot=sum(role == "it" for _login, role in active),
        users_without_slot=len(rows) - len(active),
        recovery_slot=slots.find("recovery", RECOVERY_LOGIN) is not None,
        audit_ok=chain.ok,
        audit_broken_row=chain.first_broken,
        integrity_problems=problems,
        free_bytes=shutil.disk_usage(session.path.parent).free,
        printer=printer_probe() if printer_probe else None,
        latest_recorded=from_iso(latest) if latest else None,
        temp_ids_left=int(temp_left),
        temp_blocks=int(_scalar(session, "SELECT count(*) FROM temp_id_blocks")),
        unexported_entries=int(unexported[0]),
        oldest_unexported=from_iso(unexported[1]) if unexported[1] else None,
    )


def run_check(session: Session, printer_probe: PrinterProbe | None = None) -> list[Item]:
    """The self-check (IT), audited with its outcome."""
    session.require(Permission.MANAGE_DEVICE)
    items = evaluate(gather_facts(session, printer_probe))
    session.audit("readiness_check", {i.key: i.status.value for i in items})
    return items


def startup_items(session: Session, printer_probe: PrinterProbe | None = None) -> list[Item]:
    """The same checks for the banner at start-up, for any role (they hold no patient data)."""
    return evaluate(gather_facts(session, printer_probe))
