"""`continuity audit verify`: walk the hash chain and name the first broken row."""

from __future__ import annotations

import argparse

from continuity.cli.common import add_db_arguments, open_session, secrets_for
from continuity.core.i18n import _
from continuity.core.roles import Permission
from continuity.store import audit


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("audit", help=_("the audit log"))
    verbs = p.add_subparsers(dest="verb", metavar="VERB", required=True)
    v = verbs.add_parser("verify", help=_("check the audit log's hash chain"))
    add_db_arguments(v)
    v.set_defaults(handler=run_verify)


def run_verify(args: argparse.Namespace) -> int:
    with open_session(args, secrets_for(args)) as session:
        session.require(Permission.VERIFY_AUDIT)
        report = audit.verify_chain(session.conn)
        session.audit("audit_verified", {"ok": report.ok, "rows": report.rows})
    if report.ok:
        print(_("Audit log intact: {rows} rows, chain verified.").format(rows=report.rows))
        return 0
    print(
        _("Audit log BROKEN at row {row}: it was altered, removed or inserted.").format(
            row=report.first_broken
        )
    )
    return 1
