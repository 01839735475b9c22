"""The two kinds of failure: what the user must be told, and our own bugs.

A `UserError` carries one clear sentence for the person in front of the screen (a wrong
password, a broken file, an impossible value). Anything else that escapes is a bug: the CLI and
the UI show a generic message and, with --debug, the traceback. Each subclass fixes the CLI exit
code, so scripts can tell refusals apart without parsing text.
"""

from __future__ import annotations


class UserError(Exception):
    """Something the user can understand and act on; the message is already translated."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class AuthenticationFailed(UserError):
    """Wrong user or password, a disabled account, or a login refused while locked out."""

    exit_code = 3


class PermissionDenied(UserError):
    """The logged-in role may not do this; checked in the core, whatever the UI shows."""

    exit_code = 3


class BadInput(UserError):
    """A broken file, an impossible value, an unknown patient: nothing was changed."""

    exit_code = 4


class NeedsConfirmation(BadInput):
    """A safety check fired; the action is refused unless the user confirms it explicitly."""

    def __init__(self, message: str, checks: list[str]) -> None:
        super().__init__(message)
        self.checks = checks


class CacheUnusable(UserError):
    """The cache cannot be opened as it is (altered bytes, newer schema, missing file)."""

    exit_code = 1


class StorageProblem(UserError):
    """The disk is full, read-only or failing: nothing of the action was written."""

    exit_code = 1
