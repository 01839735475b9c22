"""Creating and opening the encrypted cache: set-up, log-in, emergency access, lock/unlock.

On disk a cache is two files: `<name>.db` (SQLCipher 4, raw 256-bit random key) and
`<name>.db.keys` (the key slots, see `key_slots`). Nothing else is written beside them except
the encrypted backup a migration makes first.
"""

from __future__ import annotations

import math
import os
import uuid
from pathlib import Path
from typing import Any

from continuity.core.clock import Clock, SystemClock, to_utc_iso
from continuity.core.errors import AuthenticationFailed, BadInput, CacheUnusable
from continuity.core.i18n import _
from continuity.core.passwords import check_password_policy
from continuity.core.roles import Role
from continuity.store import audit
from continuity.store.connection import check_file_integrity, open_connection, transaction
from continuity.store.files import exclusive_lock
from continuity.store.key_slots import (
    KeySlotFile,
    new_database_key,
    new_recovery_key,
    normalise_recovery_key,
)
from continuity.store.schema import migrate
from continuity.store.session import Device, Session, User

RECOVERY_LOGIN = "recovery"
BREAK_GLASS_LOGIN = "break-glass"


def slots_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".keys")


def valid_login(login: str) -> str:
    cleaned = login.strip().lower()
    if not cleaned or len(cleaned) > 64 or not all(c.isalnum() or c in "._-" for c in cleaned):
        raise BadInput(_("A user name uses letters, digits, '.', '_' or '-' only."))
    if cleaned in (RECOVERY_LOGIN, BREAK_GLASS_LOGIN, "refresh"):
        raise BadInput(_("This user name is reserved."))
    return cleaned


def valid_device_name(name: str) -> str:
    """A laptop's name as stored (trimmed, upper case). It becomes part of temporary patient
    ids, printed on wristbands as a Code 128 bar code and inside the sheets' QR text
    (`CONTINUITY|...|...`): ASCII letters, digits, '-' and '_' only, 1 to 40 of them."""
    cleaned = name.strip().upper()
    allowed = all(c.isascii() and (c.isalnum() or c in "-_") for c in cleaned)
    if not cleaned or len(cleaned) > 40 or not allowed:
        raise BadInput(
            _(
                "Give the laptop a name of 1 to 40 characters (letters without accents, "
                "digits, '-' or '_'), e.g. SAGESSE-3A-PC1."
            )
        )
    return cleaned


def create_cache(
    path: Path,
    *,
    device_name: str,
    admin_login: str,
    admin_password: str,
    admin_display_name: str | None = None,
    site_name: str = "",
    clock: Clock | None = None,
) -> str:
    """Create the cache and its first IT user; returns the recovery key (shown once)."""
    clock = clock or SystemClock()
    if path.exists() or slots_path(path).exists():
        raise BadInput(_("A cache already exists at this place; nothing was changed."))
    admin_login = valid_login(admin_login)
    check_password_policy(admin_password, admin_login)
    device_name = valid_device_name(device_name)
    if not path.parent.is_dir():
        raise BadInput(_("The folder for the cache does not exist."))

    device_id = str(uuid.uuid4())
    key = new_database_key()
    master = new_database_key()
    recovery = new_recovery_key()
    slots = KeySlotFile(path=slots_path(path), device_id=device_id)
    slots.set_database_key(master, key)
    slots.put("user", admin_login, admin_password, master)
    slots.put("recovery", RECOVERY_LOGIN, recovery, master)

    _create_private_file(path)
    try:
        conn = open_connection(path, key, create=True)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    try:
        migrate(conn, None)
        now = to_utc_iso(clock.now())
        with transaction(conn):
            conn.execute(
                "INSERT INTO device (id, name, site_name, created_at) VALUES (?, ?, ?, ?)",
                (device_id, device_name, site_name, now),
            )
            conn.execute(
                "INSERT INTO users (login, display_name, role, created_at, updated_at)"
                " VALUES (?, ?, 'it', ?, ?)",
                (admin_login, admin_display_name or admin_login, now, now),
            )
            audit.append(
                conn, now, admin_login, "setup", {"device": device_name, "device_id": device_id}
            )
            audit.append(conn, now, admin_login, "user_added", {"login": admin_login, "role": "it"})
        slots.save()
    except BaseException:
        conn.close()
        for leftover in (
            path,
            slots_path(path),
            path.with_name(path.name + "-wal"),
            path.with_name(path.name + "-shm"),
        ):
            leftover.unlink(missing_ok=True)
        raise
    conn.close()
    return recovery


def _create_private_file(path: Path) -> None:
    """Create the empty cache file readable by its owner only (0600), as the key file is.

    SQLite would create it 0644 under the usual umask: encrypted, but other accounts on the
    laptop could still copy it away to attack offline. SQLite gives its -wal and -shm files
    the database file's own permissions, so they follow. An empty file is a new database.
    """
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)


def _load_device(conn) -> Device:
    row = conn.execute("SELECT id, name, site_name FROM device").fetchone()
    if row is None:
        raise CacheUnusable(_("The cache has no device identity: it was not set up."))
    return Device(*row)


def load_user(conn, login: str) -> User | None:
    row = conn.execute(
        "SELECT login, display_name, role, professional_id, disabled FROM users WHERE login = ?",
        (login,),
    ).fetchone()
    if row is None:
        return None
    return User(row[0], row[1], Role(row[2]), row[3], bool(row[4]))


def _open_checked(path: Path, master: bytes, slots: KeySlotFile) -> tuple[Any, Device, bytes]:
    """Open with the current database key, or finish an interrupted key rotation."""
    keys = slots.database_keys(master)
    try:
        conn = open_connection(path, keys[0])
        key = keys[0]
        if len(keys) > 1:  # a rotation died before the swap: forget its key and its copy
            slots.set_database_key(master, key)
            slots.save()
            path.with_name(path.name + ".rekey").unlink(missing_ok=True)
    except CacheUnusable:
        if len(keys) < 2:
            raise
        conn = open_connection(path, keys[1])  # the rotation reached the file: adopt its key
        key = keys[1]
        slots.set_database_key(master, key)
        slots.save()
    try:
        check_file_integrity(conn)
        migrate(conn, path)
        device = _load_device(conn)
        if device.id != slots.device_id:
            raise CacheUnusable(_("The key file does not belong to this cache."))
        return conn, device, key
    except BaseException:
        conn.close()
        raise


def _refuse(slots: KeySlotFile, login: str, clock: Clock, why: str) -> AuthenticationFailed:
    slots.record_failure(login, clock.now(), why)
    slots.save()
    return AuthenticationFailed(_("Wrong user or password."))


def _check_delay(slots: KeySlotFile, login: str, clock: Clock) -> None:
    retry = slots.retry_at(login)
    if retry is not None and clock.now() < retry:
        seconds = math.ceil((retry - clock.now()).total_seconds())
        raise AuthenticationFailed(
            _("Too many failed attempts: try again in {seconds} s.").format(seconds=seconds)
        )


def _flush_pending(conn, slots: KeySlotFile) -> None:
    for event in slots.pending_audit:
        audit.append(
            conn, event["at"], event["actor"], event["action"], {"reason": event.get("detail", "")}
        )
    slots.pending_audit = []


def require_cache(path: Path) -> None:
    """Refuse a path with no cache file (a typo in --db) before touching anything beside it.

    Said plainly rather than as a missing key file, which would send IT looking for a lost
    `.keys` file; the path is the user's own typing, so naming it leaks nothing.
    """
    if not path.is_file():
        raise BadInput(_("No cache at {path}.").format(path=path))


def login(path: Path, user_login: str, password: str, *, clock: Clock | None = None) -> Session:
    """Open the cache as a person. One message for every refusal, so it never says which."""
    clock = clock or SystemClock()
    require_cache(path)
    with exclusive_lock(slots_path(path)):
        return _login(path, user_login.strip().lower(), password, clock)


def _login(path: Path, user_login: str, password: str, clock: Clock) -> Session:
    slots = KeySlotFile.load(slots_path(path))
    _check_delay(slots, user_login, clock)
    master = slots.unwrap_master("user", user_login, password)
    if master is None:
        raise _refuse(slots, user_login, clock, "password")
    conn, device, key = _open_checked(path, master, slots)
    user = load_user(conn, user_login)
    if user is None or user.disabled:
        conn.close()
        raise _refuse(slots, user_login, clock, "disabled")
    with transaction(conn):
        _flush_pending(conn, slots)
        audit.append(conn, clock.now(), user.login, "login", {"role": user.role.value})
    slots.clear_failures(user_login)
    slots.save()
    return Session(path, conn, user, device, clock, key, master)


def login_with_recovery(path: Path, recovery_key: str, *, clock: Clock | None = None) -> Session:
    """Emergency ("break-glass") access: may only set up named users, and is loudly logged."""
    clock = clock or SystemClock()
    require_cache(path)
    with exclusive_lock(slots_path(path)):
        return _login_with_recovery(path, recovery_key, clock)


def _login_with_recovery(path: Path, recovery_key: str, clock: Clock) -> Session:
    slots = KeySlotFile.load(slots_path(path))
    _check_delay(slots, RECOVERY_LOGIN, clock)
    master = slots.unwrap_master("recovery", RECOVERY_LOGIN, normalise_recovery_key(recovery_key))
    if master is None:
        slots.record_failure(RECOVERY_LOGIN, clock.now(), "recovery key")
        slots.save()
        raise AuthenticationFailed(_("Wrong recovery key."))
    conn, device, key = _open_checked(path, master, slots)
    user = User(BREAK_GLASS_LOGIN, _("Emergency access"), Role.BREAK_GLASS)
    with transaction(conn):
        _flush_pending(conn, slots)
        audit.append(
            conn,
            clock.now(),
            BREAK_GLASS_LOGIN,
            "break_glass",
            {"warning": "EMERGENCY ACCESS WITH THE RECOVERY KEY"},
        )
    slots.clear_failures(RECOVERY_LOGIN)
    slots.save()
    return Session(path, conn, user, device, clock, key, master)


def lock(session: Session) -> None:
    """Hide the session (idle or on request); the connection stays open for the same user."""
    if not session.locked:
        session.audit("lock")
        session.locked = True


def unlock(session: Session, password: str) -> None:
    """Unlock for the same user, proving the password against their own key slot."""
    with exclusive_lock(slots_path(session.path)):
        _unlock(session, password)
    session.audit("unlock")


def _unlock(session: Session, password: str) -> None:
    slots = KeySlotFile.load(slots_path(session.path))
    _check_delay(slots, session.user.login, session.clock)
    if slots.unwrap("user", session.user.login, password) is None:
        slots.record_failure(session.user.login, session.clock.now(), "unlock")
        slots.save()
        raise AuthenticationFailed(_("Wrong user or password."))
    user = load_user(session.conn, session.user.login)
    if user is None or user.disabled:
        raise AuthenticationFailed(_("Wrong user or password."))
    slots.clear_failures(session.user.login)
    slots.save()
    session.locked = False


def open_as(path: Path, master: bytes, as_user: User, *, clock: Clock | None = None) -> Session:
    """For tools that already hold the master key (key rotation, tests): no login audit.
    Locked like a log-in: finishing an interrupted rotation writes the key file."""
    require_cache(path)
    with exclusive_lock(slots_path(path)):
        slots = KeySlotFile.load(slots_path(path))
        conn, device, key = _open_checked(path, master, slots)
    return Session(
        path,
        conn,
        user=as_user,
        device=device,
        clock=clock or SystemClock(),
        key=key,
        master_key=master,
    )
