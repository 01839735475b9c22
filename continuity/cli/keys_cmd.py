"""`continuity rekey`, `backup` and `restore` (IT): the cache's keys and encrypted copies."""

from __future__ import annotations

import argparse
from pathlib import Path

from continuity.cli.common import add_db_arguments, ask_hidden, db_path, open_session, secrets_for
from continuity.core.i18n import _
from continuity.store.key_rotation import (
    backup_cache,
    replace_master_key,
    restore_with_it_user,
    rotate_database_key,
)


def register(sub: argparse._SubParsersAction) -> None:
    rekey = sub.add_parser("rekey", help=_("re-encrypt the cache under a new random key (IT)"))
    add_db_arguments(rekey)
    rekey.add_argument(
        "--revoke-old-key-files",
        action="store_true",
        help=_(
            "also replace the master key: old copies of the key file stop working; every other "
            "user needs a new password and a new recovery key is printed; with "
            "--password-stdin, give your password on two lines (to log in, then again to "
            "wrap the new master key)"
        ),
    )
    rekey.set_defaults(handler=run_rekey)

    backup = sub.add_parser("backup", help=_("write an encrypted backup of the cache (IT)"))
    add_db_arguments(backup)
    backup.add_argument("--to", type=Path, required=True, help=_("the folder for the backup"))
    backup.set_defaults(handler=run_backup)

    restore = sub.add_parser(
        "restore", help=_("restore a backup onto this laptop with the recovery key")
    )
    restore.add_argument("backup", type=Path, help=_("the backup's .db file"))
    restore.add_argument("--db", type=Path, default=None, help=_("where to put the cache"))
    restore.add_argument("--admin", required=True, help=_("the new IT user to set up"))
    restore.add_argument("--admin-name", required=True, help=_("their full name"))
    restore.add_argument(
        "--password-stdin",
        action="store_true",
        help=_("line 1: the recovery key; line 2: the new IT user's password"),
    )
    restore.set_defaults(handler=run_restore)


def run_rekey(args: argparse.Namespace) -> int:
    secrets = secrets_for(args)
    session = open_session(args, secrets)
    if not args.revoke_old_key_files:
        rotate_database_key(session).close()
        print(_("The cache is now encrypted under a new key; every user keeps their password."))
        return 0
    password = secrets.next(_("Your password again: "))
    fresh, recovery = replace_master_key(session, password)
    fresh.close()
    print(_("New master and database keys: old copies of the key file no longer open the cache."))
    print(_("Every other user needs a new password (users passwd)."))
    print(_("RECOVERY KEY (shown once; print it or write it down and lock it away):"))
    print(recovery)
    return 0


def run_backup(args: argparse.Namespace) -> int:
    with open_session(args, secrets_for(args)) as session:
        target = backup_cache(session, args.to)
    print(_("Encrypted backup written: {path}").format(path=target))
    return 0


def run_restore(args: argparse.Namespace) -> int:
    secrets = secrets_for(args)
    if args.password_stdin:
        recovery = secrets.next("")
    else:
        recovery = ask_hidden(_("Recovery key: "))
    password = secrets.new_secret(
        _("New password for {user}: ").format(user=args.admin), _("Again: ")
    )
    restore_with_it_user(
        args.backup,
        db_path(args),
        recovery,
        login=args.admin,
        display_name=args.admin_name,
        password=password,
    )
    print(
        _("Backup restored; {user} can now log in and set up the other users.").format(
            user=args.admin
        )
    )
    return 0
