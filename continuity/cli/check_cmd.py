"""`continuity check`: the laptop's readiness self-check (IT)."""

from __future__ import annotations

import argparse
import json

from continuity.cli.common import add_db_arguments, open_session, secrets_for
from continuity.core.i18n import _
from continuity.core.printers import cups_default_printer
from continuity.core.readiness import Status, overall
from continuity.store.readiness import run_check

MARKS = {Status.OK: "OK ", Status.WARNING: "!! ", Status.FAILURE: "XX "}


def check_name(key: str) -> str:
    """The item's name, so a line says what was checked (same words as the readiness panel)."""
    return {
        "snapshot": _("Snapshot"),
        "users": _("Users"),
        "recovery": _("Recovery key slot"),
        "audit": _("Audit log"),
        "integrity": _("Encrypted file"),
        "disk": _("Disk space"),
        "printer": _("Printer"),
        "clock": _("Clock"),
        "temp_ids": _("Temporary ids"),
        "exports": _("Exports"),
    }.get(key, key)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("check", help=_("readiness self-check of this laptop (IT)"))
    add_db_arguments(p)
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    with open_session(args, secrets_for(args)) as session:
        items = run_check(session, cups_default_printer)
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "check": i.key,
                        "status": i.status.value,
                        "message": i.message,
                        "action": i.action,
                    }
                    for i in items
                ],
                ensure_ascii=False,
                indent=1,
            )
        )
    else:
        labels = {Status.OK: _("ok"), Status.WARNING: _("warning"), Status.FAILURE: _("failure")}
        names = {item.key: check_name(item.key) for item in items}
        pad = max((len(n) for n in names.values()), default=0)
        for item in items:
            name = names[item.key]
            line = f"{MARKS[item.status]}{labels[item.status]:<9} {name:<{pad}}  {item.message}"
            print(line + (f" — {item.action}" if item.action else ""))
    return 0 if overall(items) != Status.FAILURE else 1
