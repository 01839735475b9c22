"""`continuity init`: create a laptop's cache and its first IT user."""

from __future__ import annotations

import argparse
from pathlib import Path

from continuity.cli.common import Secrets, add_db_arguments, db_path
from continuity.core.i18n import _
from continuity.store.cache import create_cache


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("init", help=_("create this laptop's encrypted cache and first IT user"))
    add_db_arguments(p, user=False)
    p.add_argument("--device-name", required=True, help=_("the laptop's name, e.g. SAGESSE-3A-PC1"))
    p.add_argument("--site", default="", help=_("the site's name, printed on every sheet"))
    p.add_argument("--admin", required=True, help=_("the first IT user's login"))
    p.add_argument("--admin-name", help=_("the first IT user's full name"))
    p.add_argument(
        "--password-stdin",
        action="store_true",
        help=_("read the new admin's password from standard input"),
    )
    p.set_defaults(handler=run_init)


def make_private_folders(folder: Path) -> None:
    """Create `folder` and any missing parent 0700 (owner only), like the files they hold.

    `mkdir(parents=True)` would give the parents the default 0755, letting other accounts
    list the cache's and its key file's names; folders that already exist are left alone.
    """
    missing: list[Path] = []
    while not folder.exists():
        missing.append(folder)
        if folder.parent == folder:
            break
        folder = folder.parent
    for each in reversed(missing):
        each.mkdir(mode=0o700, exist_ok=True)


def run_init(args: argparse.Namespace) -> int:
    secrets = Secrets(args.password_stdin)
    password = secrets.new_secret(
        _("New password for {user}: ").format(user=args.admin), _("Again: ")
    )
    path = db_path(args)
    make_private_folders(path.parent)
    recovery = create_cache(
        path,
        device_name=args.device_name,
        admin_login=args.admin,
        admin_password=password,
        admin_display_name=args.admin_name,
        site_name=args.site,
    )
    print(_("Cache created: {path}").format(path=path))
    print(_("RECOVERY KEY (shown once; print it or write it down and lock it away):"))
    print(recovery)
    return 0
