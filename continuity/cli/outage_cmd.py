"""`continuity outage`: say when the central system went down (nurse in charge or IT).

continuity outage --db DB --user LOGIN                      show the declared start
continuity outage --db DB --user LOGIN --started 2026-11-28T09:45
continuity outage --db DB --user LOGIN --withdraw
"""

from __future__ import annotations

import argparse

from continuity.cli.common import add_db_arguments, open_session, secrets_for
from continuity.core.clock import format_local
from continuity.core.i18n import _
from continuity.store.outage import declare_outage_start, outage_started, withdraw_outage_start


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "outage",
        help=_("when the central system went down: doses before it are shown 'check'"),
    )
    add_db_arguments(p)
    what = p.add_mutually_exclusive_group()
    what.add_argument(
        "--started", metavar="WHEN", help=_("when it went down, ISO 8601 (Paris time)")
    )
    what.add_argument("--withdraw", action="store_true", help=_("withdraw a mistaken declaration"))
    p.set_defaults(handler=run_outage)


def run_outage(args: argparse.Namespace) -> int:
    with open_session(args, secrets_for(args)) as session:
        if args.started:
            when = declare_outage_start(session, args.started)
            print(
                _(
                    "Outage declared from {when}: doses scheduled before it with nothing "
                    "recorded here are shown 'check'."
                ).format(when=format_local(when))
            )
        elif args.withdraw:
            if withdraw_outage_start(session):
                print(_("The outage declaration was withdrawn."))
            else:
                print(_("No outage was declared on this laptop."))
        else:
            when = outage_started(session)
            if when is None:
                print(_("No outage was declared on this laptop."))
            else:
                print(_("Outage declared from {when}.").format(when=format_local(when)))
    return 0
