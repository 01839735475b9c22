"""`continuity users add|list|disable|passwd|role` (IT only, checked in the core)."""

from __future__ import annotations

import argparse

from continuity.cli.common import add_db_arguments, open_session, secrets_for
from continuity.core.i18n import _
from continuity.core.roles import role_label
from continuity.store import users


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("users", help=_("manage the people who may open this cache (IT)"))
    verbs = p.add_subparsers(dest="verb", metavar="VERB", required=True)

    add = verbs.add_parser("add", help=_("add a user (their password is the next stdin line)"))
    add_db_arguments(add)
    add.add_argument("login")
    add.add_argument("--name", required=True, help=_("full name as printed on sheets"))
    add.add_argument("--role", required=True, choices=("nurse", "pharmacist", "it"))
    add.add_argument("--professional-id", help=_("RPPS number, for pharmacists"))
    add.set_defaults(handler=run_add)

    ls = verbs.add_parser("list", help=_("list users"))
    add_db_arguments(ls)
    ls.set_defaults(handler=run_list)

    dis = verbs.add_parser("disable", help=_("disable a user and destroy their key slot"))
    add_db_arguments(dis)
    dis.add_argument("login")
    dis.set_defaults(handler=run_disable)

    pw = verbs.add_parser("passwd", help=_("set a user's password (re-enables the account)"))
    add_db_arguments(pw)
    pw.add_argument("login")
    pw.set_defaults(handler=run_passwd)

    role = verbs.add_parser("role", help=_("change a user's role (effective at next log-in)"))
    add_db_arguments(role)
    role.add_argument("login")
    role.add_argument("role", choices=("nurse", "pharmacist", "it"))
    role.set_defaults(handler=run_role)


def run_add(args: argparse.Namespace) -> int:
    secrets = secrets_for(args)
    with open_session(args, secrets) as session:
        password = secrets.new_secret(
            _("New password for {user}: ").format(user=args.login), _("Again: ")
        )
        user = users.add_user(
            session, args.login, args.name, args.role, password, args.professional_id
        )
    print(_("User {login} added ({role}).").format(login=user.login, role=role_label(user.role)))
    return 0


def run_list(args: argparse.Namespace) -> int:
    with open_session(args, secrets_for(args)) as session:
        for row in users.list_users(session):
            u = row.user
            state = _("disabled") if u.disabled else (_("active") if row.has_slot else _("no key"))
            print(
                f"{u.login}\t{u.display_name}\t{u.role.value}\t{u.professional_id or ''}\t{state}"
            )
    return 0


def run_disable(args: argparse.Namespace) -> int:
    with open_session(args, secrets_for(args)) as session:
        users.disable_user(session, args.login)
    print(_("User {login} disabled; their key slot was destroyed.").format(login=args.login))
    return 0


def run_passwd(args: argparse.Namespace) -> int:
    secrets = secrets_for(args)
    with open_session(args, secrets) as session:
        password = secrets.new_secret(
            _("New password for {user}: ").format(user=args.login), _("Again: ")
        )
        users.set_password(session, args.login, password)
    print(_("Password of {login} changed.").format(login=args.login))
    return 0


def run_role(args: argparse.Namespace) -> int:
    with open_session(args, secrets_for(args)) as session:
        users.set_role(session, args.login, args.role)
    print(
        _("Role of {login} changed; it takes effect at their next log-in.").format(login=args.login)
    )
    return 0
