"""`continuity settings list|set` (IT): idle lock, snapshot age thresholds."""

from __future__ import annotations

import argparse

from continuity.cli.common import add_db_arguments, open_session, secrets_for
from continuity.core.i18n import _
from continuity.store.settings import ADJUSTABLE, list_settings, set_setting


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("settings", help=_("this laptop's adjustable settings (IT)"))
    verbs = p.add_subparsers(dest="verb", metavar="VERB", required=True)
    ls = verbs.add_parser("list", help=_("show the settings"))
    add_db_arguments(ls)
    ls.set_defaults(handler=run_list)
    st = verbs.add_parser("set", help=_("change a setting"))
    add_db_arguments(st)
    st.add_argument("key", choices=sorted(ADJUSTABLE))
    st.add_argument("value")
    st.set_defaults(handler=run_set)


def run_list(args: argparse.Namespace) -> int:
    with open_session(args, secrets_for(args)) as session:
        for spec, value in list_settings(session):
            print(f"{spec.key}\t{value:g}\t{_(spec.label)}")
    return 0


def run_set(args: argparse.Namespace) -> int:
    with open_session(args, secrets_for(args)) as session:
        value = set_setting(session, args.key, args.value)
    print(_("{key} set to {value}.").format(key=args.key, value=f"{value:g}"))
    return 0
