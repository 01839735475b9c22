"""What every subcommand shares: the cache path, reading secrets, opening a session."""

from __future__ import annotations

import argparse
import getpass
import sys
import warnings
from pathlib import Path
from typing import TextIO

import platformdirs

from continuity.core.clock import Clock, SystemClock
from continuity.core.errors import BadInput
from continuity.core.i18n import _
from continuity.store.cache import login
from continuity.store.session import Session


def default_db_path() -> Path:
    return Path(platformdirs.user_data_dir("Continuity", appauthor=False)) / "cache.db"


def add_db_arguments(parser: argparse.ArgumentParser, *, user: bool = True) -> None:
    parser.add_argument(
        "--db", type=Path, default=None, help=_("the cache file (default: the user's data folder)")
    )
    if user:
        parser.add_argument("--user", help=_("your user name"))
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help=_("read the password(s) from standard input, one per line"),
        )


def db_path(args: argparse.Namespace) -> Path:
    return args.db if args.db is not None else default_db_path()


class Secrets:
    """Hands out secrets in order: from stdin lines, or asked on the terminal without echo.

    Never from argv or the environment: both are visible to other users of the machine.
    """

    def __init__(self, from_stdin: bool, stdin: TextIO | None = None) -> None:
        self.from_stdin = from_stdin
        self.stdin = stdin or sys.stdin

    def next(self, prompt: str) -> str:
        if self.from_stdin:
            line = self.stdin.readline()
            if not line:
                raise BadInput(_("A password was expected on standard input and none came."))
            return line.rstrip("\r\n")
        return ask_hidden(prompt)

    def new_secret(self, prompt: str, again: str) -> str:
        """A new password or passphrase: typed twice on a terminal, once on stdin."""
        first = self.next(prompt)
        if not self.from_stdin and self.next(again) != first:
            raise BadInput(_("The two entries differ; nothing was changed."))
        return first


def no_terminal() -> BadInput:
    """The refusal when a password is wanted and there is no terminal to type it on."""
    return BadInput(_("No terminal to type the password on: use --password-stdin."))


def ask_hidden(prompt: str) -> str:
    """A password typed on the terminal without echo, or a refusal before anything is asked.

    Without a terminal (a script, a pipe, a scheduled task) `getpass` would warn "Password
    input may be echoed" and read standard input with echo on, or die on its end: neither is a
    way to take a password. Its `GetPassWarning`, raised before it prompts, tells the case.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error", getpass.GetPassWarning)
        try:
            return getpass.getpass(prompt)
        except getpass.GetPassWarning:
            raise no_terminal() from None
        except EOFError:  # Ctrl-D at the prompt
            print(file=sys.stderr)
            raise BadInput(_("No password was typed; nothing was done.")) from None


def secrets_for(args: argparse.Namespace) -> Secrets:
    return Secrets(bool(getattr(args, "password_stdin", False)))


def open_session(args: argparse.Namespace, secrets: Secrets, clock: Clock | None = None) -> Session:
    if not args.user:
        raise BadInput(_("Say who you are with --user."))
    password = secrets.next(_("Password for {user}: ").format(user=args.user))
    return login(db_path(args), args.user, password, clock=clock or SystemClock())
