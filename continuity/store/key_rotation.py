"""Rotating the database key, and encrypted backups that a fresh laptop can restore.

Rotation copies the cache into a new file under a new random key (`sqlcipher_export`), then
swaps the files. It is not `PRAGMA rekey` in place, which SQLCipher-style libraries do not
support safely in WAL mode. Order of the steps, so that a crash anywhere leaves the old or the
new key working, never neither:

1. the new key is saved in the key file as "next", beside the current one;
2. the cache is exported to `<db>.rekey` under the new key and fsynced;
3. the export replaces the cache (an atomic rename, then the folder is fsynced);
4. the key file makes the new key current.

Opening after a crash between 3 and 4 finds that the current key fails and the next one works,
and finishes step 4 (see `cache._open_checked`).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from continuity.core.errors import BadInput
from continuity.core.i18n import _
from continuity.core.roles import Permission
from continuity.store.cache import RECOVERY_LOGIN, login_with_recovery, open_as, slots_path
from continuity.store.connection import Connection
from continuity.store.files import exclusive_lock, fsync_dir, write_atomically
from continuity.store.key_slots import KeySlotFile, new_database_key
from continuity.store.schema import schema_version
from continuity.store.session import Session

Step = Callable[[str], None]


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def export_copy(conn: Connection, target: Path, key: bytes) -> None:
    """A consistent, encrypted copy of the open cache under `key`, fsynced, readable by its
    owner only (created empty 0600 first: SQLite would create it with the umask's 0644)."""
    target.unlink(missing_ok=True)
    os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    conn.execute(f"ATTACH DATABASE ? AS copy KEY \"x'{key.hex()}'\"", (str(target),))
    try:
        conn.execute("SELECT sqlcipher_export('copy')")
        conn.execute(f"PRAGMA copy.user_version = {schema_version(conn)}")
    finally:
        conn.execute("DETACH DATABASE copy")
    _fsync_file(target)


def rotate_database_key(session: Session, *, on_step: Step | None = None) -> Session:
    """Re-encrypt the whole cache under a new key; returns a new session (the old one closes).

    Nobody's password is needed: slots wrap the master key, which wraps the database key.
    The app must be the only program with the cache open. The key file stays locked from the
    first step to the last: a log-in, a witness or a user change in another program waits
    instead of writing back a copy without the next key (or, opening the cache mid-rotation,
    taking that key for the leftover of a crash and dropping it before the swap).
    """
    session.require(Permission.MANAGE_DEVICE)
    step = on_step or (lambda _name: None)
    path = session.path
    master = session.master_key()
    tmp = path.with_name(path.name + ".rekey")
    new_key = new_database_key()

    with exclusive_lock(slots_path(path)):
        session.claim_sole_use()  # no one else may keep writing to the file being replaced
        slots = KeySlotFile.load(slots_path(path))
        slots.set_database_key(master, new_key, rotating=True)
        slots.save()
        step("next-key-saved")
        export_copy(session.conn, tmp, new_key)
        step("exported")
        session.audit("rekey_started", {})
        session.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        session.close()
        for leftover in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            leftover.unlink(missing_ok=True)
        os.replace(tmp, path)
        fsync_dir(path.parent)
        step("swapped")
        slots = KeySlotFile.load(slots_path(path))
        slots.set_database_key(master, new_key)
        slots.save()
        step("promoted")
    fresh = open_as(path, master, session.user, clock=session.clock)
    fresh.audit("rekey", {"result": "done"})
    return fresh


def backup_cache(session: Session, folder: Path) -> Path:
    """An encrypted copy of the cache and its key file in `folder` (e.g. a USB stick).

    The copy opens only with a key slot: the users' passwords as they were, or the recovery
    key (`restore_cache`). Returns the backup's database path.
    """
    session.require(Permission.MANAGE_DEVICE)
    if not folder.is_dir():
        raise BadInput(_("The backup folder does not exist."))
    stamp = session.now().strftime("%Y%m%dT%H%M%SZ")
    target = folder / f"continuity-{session.device.name}-{stamp}.db"
    if target.exists():
        raise BadInput(_("A backup with this name already exists; nothing was changed."))
    partial = target.with_name(target.name + ".partial")
    try:
        export_copy(session.conn, partial, session.database_key())
        write_atomically(slots_path(target), slots_path(session.path).read_bytes())
        os.replace(partial, target)
        fsync_dir(folder)
    except BaseException:
        partial.unlink(missing_ok=True)
        slots_path(target).unlink(missing_ok=True)
        raise
    session.audit("backup", {"file": target.name})
    return target


def restore_cache(backup: Path, target: Path, recovery_key: str, *, clock=None) -> Session:
    """Put a backup onto a (fresh) laptop and open it with the recovery key.

    The restored cache keeps the original device identity, so its entries' sequence numbers
    continue where the lost laptop stopped. Returns an emergency-access session, whose only
    job is to set up named users.
    """
    if target.exists() or slots_path(target).exists():
        raise BadInput(_("A cache already exists at this place; nothing was changed."))
    if not backup.is_file() or not slots_path(backup).is_file():
        raise BadInput(
            _("This is not a Continuity backup (the database or its key file is missing).")
        )
    slots = KeySlotFile.load(slots_path(backup))
    if slots.find("recovery", RECOVERY_LOGIN) is None:
        raise BadInput(_("This backup has no recovery key slot."))
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    for source, copy in ((backup, target), (slots_path(backup), slots_path(target))):
        fd = os.open(copy, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # owner only
        with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
            shutil.copyfileobj(src, out)
            out.flush()
            os.fsync(out.fileno())
    try:
        session = login_with_recovery(target, recovery_key, clock=clock)
    except BaseException:
        target.unlink(missing_ok=True)
        slots_path(target).unlink(missing_ok=True)
        raise
    session.audit("restored", {"from": backup.name, "at": datetime.now().isoformat()})
    return session


def restore_with_it_user(
    backup: Path,
    target: Path,
    recovery_key: str,
    *,
    login: str,
    display_name: str,
    password: str,
    clock=None,
) -> None:
    """Restore a backup and give it a named IT user, or change nothing at `target`.

    The name and password are checked before anything is copied; if the user cannot be
    added (the login already exists in the backup: that person's password still works),
    the restored files are removed, so the same command can simply be run again."""
    from continuity.core.passwords import check_password_policy
    from continuity.store import users
    from continuity.store.cache import load_user, valid_login

    login = valid_login(login)
    check_password_policy(password, login)
    with restore_cache(backup, target, recovery_key, clock=clock) as emergency:
        try:
            if load_user(emergency.conn, login) is not None:
                raise BadInput(
                    _(
                        "{login} already exists in this backup and their password still works: "
                        "log in as them, or choose another user name."
                    ).format(login=login)
                )
            users.add_user(emergency, login, display_name, "it", password)
        except BaseException:
            emergency.close()
            target.unlink(missing_ok=True)
            slots_path(target).unlink(missing_ok=True)
            for leftover in ("-wal", "-shm", ".keys.lock", ".open.lock"):
                target.with_name(target.name + leftover).unlink(missing_ok=True)
            raise


def replace_master_key(session: Session, it_password: str) -> tuple[Session, str]:
    """Cut off every old copy of the key file: a new master key, a new database key.

    Rotating only the database key does not revoke anyone: the master key stays the same, so
    a revoked user who kept an old copy of the key file (and their password) still unwraps it.
    This replaces the master key too. Only the acting IT user keeps a slot (their password is
    asked again, since slots wrap the master key under it); a new recovery key is returned, to
    be shown once; every other user must be given a password again (`users passwd`), and the
    unattended refresh slot must be enabled again. Returns the new session and recovery key.
    """
    from continuity.core.passwords import check_password_policy
    from continuity.store.cache import RECOVERY_LOGIN
    from continuity.store.key_slots import new_recovery_key

    session.require(Permission.MANAGE_DEVICE)
    check_password_policy(it_password, session.user.login)
    # Before anything is written: refused later, by the rotation, the new recovery key would
    # never be shown and every other slot would already be gone.
    session.claim_sole_use()
    with exclusive_lock(slots_path(session.path)):
        slots = KeySlotFile.load(slots_path(session.path))
        if slots.unwrap_master("user", session.user.login, it_password) is None:
            from continuity.core.errors import AuthenticationFailed

            raise AuthenticationFailed(_("Wrong user or password."))
        master = new_database_key()
        recovery = new_recovery_key()
        removed = [
            s.login for s in slots.slots if not (s.kind == "user" and s.login == session.user.login)
        ]
        slots.slots = []
        slots.set_database_key(master, session.database_key())
        slots.put("user", session.user.login, it_password, master)
        slots.put("recovery", RECOVERY_LOGIN, recovery, master)
        slots.save()
    # The lock is released before the rotation, which takes it again (it is not re-entrant).
    session._master_key = master  # the open session now holds the new master key
    session.audit("master_key_replaced", {"slots_removed": removed})
    return rotate_database_key(session), recovery
