"""An opened cache with a logged-in person: the facade every user action goes through.

The CLI, the UI and the tests all hold a `Session` and call plain functions with it
(`users.add_user(session, ...)`, `entries.record_dose(session, ...)`). Permissions are checked
here, in the core, by `require`, whatever the UI hides or shows.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from continuity.core.clock import Clock
from continuity.core.errors import PermissionDenied, UserError
from continuity.core.i18n import _
from continuity.core.roles import Permission, Role, can, role_label
from continuity.store import audit
from continuity.store.connection import Connection, DatabaseError, storage_problem, transaction


@dataclass(frozen=True)
class User:
    login: str
    display_name: str
    role: Role
    professional_id: str | None = None
    disabled: bool = False

    @property
    def initials(self) -> str:
        parts = [p for p in self.display_name.replace("-", " ").split() if p]
        return "".join(p[0].upper() for p in parts[:3]) or self.login[:3].upper()


@dataclass(frozen=True)
class Device:
    id: str
    name: str
    site_name: str


class CacheInUse(UserError):
    """Another program (a window, a command) has the cache open: a key change must wait."""


def _hold_shared(path: Path) -> int | None:
    """A shared lock on `<db>.open.lock` for as long as a session is open, so that a key
    rotation, which replaces the file under every open connection, can tell it is alone:
    another program still writing to the replaced file would lose what it writes (a user
    added during a rekey vanished). Not on Windows (no shared locks there); the rotation's
    documentation asks for the app to be closed."""
    if os.name == "nt" or not path.parent.is_dir():
        return None
    import fcntl

    fd = os.open(path.with_name(path.name + ".open.lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
    except OSError:
        os.close(fd)
        raise
    return fd


class Session:
    def __init__(
        self,
        path: Path,
        conn: Connection,
        user: User,
        device: Device,
        clock: Clock,
        key: bytes,
        master_key: bytes,
    ) -> None:
        self.path = path
        self._key = key
        self._master_key = master_key
        self.conn = conn
        self.user = user
        self.device = device
        self.clock = clock
        self.locked = False
        self._depth = 0
        self._open_lock = _hold_shared(path)

    # -- permissions ---------------------------------------------------------------------
    def can(self, permission: Permission) -> bool:
        return can(self.user.role, permission)

    def require(self, permission: Permission) -> None:
        if not self.can(permission):
            raise PermissionDenied(
                _("Your role ({role}) does not allow this action.").format(
                    role=role_label(self.user.role)
                )
            )

    # -- writing -------------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One atomic, durable unit of work; nested uses join the outer transaction."""
        if self._depth:
            self._depth += 1
            try:
                yield self.conn
            finally:
                self._depth -= 1
            return
        self._depth = 1
        try:
            with transaction(self.conn):
                yield self.conn
        except DatabaseError as exc:
            problem = storage_problem(exc)
            if problem is None:
                raise
            raise problem from exc
        finally:
            self._depth = 0

    def audit(self, action: str, detail: dict[str, Any] | None = None) -> str:
        """Log an action by the logged-in user, inside the current (or its own) transaction."""
        with self.transaction() as conn:
            return audit.append(conn, self.now(), self.user.login, action, detail)

    def database_key(self) -> bytes:
        """The raw SQLCipher key of the open file (rekey, backup); never displayed."""
        return self._key

    def master_key(self) -> bytes:
        """The key every slot wraps: a new user's slot wraps this one; never displayed."""
        return self._master_key

    def now(self) -> datetime:
        return self.clock.now()

    # -- settings ------------------------------------------------------------------------
    def setting(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def claim_sole_use(self) -> None:
        """Refuse, changing nothing, while any other session (in this program or another)
        has the cache open; otherwise keep it exclusive until this session closes."""
        if self._open_lock is None:
            return
        import fcntl

        try:
            fcntl.flock(self._open_lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise CacheInUse(
                _(
                    "Other Continuity windows or commands have this cache open: close them, "
                    "then start again."
                )
            ) from None

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.conn.close()
        if self._open_lock is not None:
            with contextlib.suppress(OSError):
                os.close(self._open_lock)
            self._open_lock = None

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
