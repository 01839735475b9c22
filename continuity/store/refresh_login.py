"""The unattended refresh slot: a key slot opened by a secret the operating system keeps.

An hourly refresh cannot ask anyone for a password, and a password in a script or a config
file would be readable by anyone with the disk. So IT creates a "refresh" key slot wrapped
under a random secret that only the OS secret store holds (the `keyring` library: Windows
Credential Manager/DPAPI, macOS Keychain, Secret Service), tied to the logged-in OS account.
The session it opens has the REFRESH role: it may import snapshots and nothing else.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from continuity.core.clock import Clock, SystemClock
from continuity.core.errors import AuthenticationFailed, UserError
from continuity.core.i18n import _
from continuity.core.roles import Permission, Role
from continuity.store import audit
from continuity.store.cache import _check_delay, _flush_pending, _open_checked, slots_path
from continuity.store.connection import transaction
from continuity.store.files import exclusive_lock
from continuity.store.key_slots import KeySlotFile
from continuity.store.session import Session, User

REFRESH_LOGIN = "refresh"
SLOT_KIND = "refresh"
KEYRING_SERVICE = "Continuity snapshot refresh"


class RefreshUnavailable(UserError):
    """Unattended refresh cannot run here (no secret store, not enabled, secret lost)."""

    exit_code = 1


def _keyring() -> Any:
    """The OS secret store, or RefreshUnavailable with one sentence saying why not."""
    import keyring
    from keyring.backends import fail

    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring) or getattr(backend, "priority", 1) <= 0:
        raise RefreshUnavailable(
            _(
                "This computer has no usable secret store (Credential Manager, Keychain or "
                "Secret Service), so unattended refresh cannot keep its secret here."
            )
        )
    return keyring


def _keyring_error(exc: Exception) -> RefreshUnavailable:
    return RefreshUnavailable(
        _("The secret store refused access ({error}); unattended refresh cannot run.").format(
            error=type(exc).__name__
        )
    )


def enable_refresh(session: Session) -> None:
    """IT: create (or renew) the refresh slot, its secret held by the OS secret store.

    The key file is locked from its load to its save, so a log-in or a witness counting a
    failure at the same moment cannot write back a copy without the new slot (or vice versa).
    """
    from keyring.errors import KeyringError

    session.require(Permission.MANAGE_DEVICE)
    store = _keyring()
    secret = secrets.token_urlsafe(32)
    try:  # before the lock: the secret store may ask the OS user, nobody must wait on that
        # session.device.id is the key file's device_id (checked when the cache was opened).
        store.set_password(KEYRING_SERVICE, session.device.id, secret)
    except KeyringError as exc:
        raise _keyring_error(exc) from None
    with exclusive_lock(slots_path(session.path)):
        slots = KeySlotFile.load(slots_path(session.path))
        with session.transaction():
            session.audit("refresh_enabled", {"service": KEYRING_SERVICE})
            slots.put(SLOT_KIND, REFRESH_LOGIN, secret, session.master_key())
            slots.save()  # inside the transaction: if saving fails, the audit row rolls back


def disable_refresh(session: Session) -> bool:
    """IT: destroy the refresh slot (and forget its secret); False if there was none."""
    from keyring.errors import KeyringError

    session.require(Permission.MANAGE_DEVICE)
    with exclusive_lock(slots_path(session.path)):  # load to save, as in `enable_refresh`
        slots = KeySlotFile.load(slots_path(session.path))
        with session.transaction():
            removed = slots.remove(SLOT_KIND, REFRESH_LOGIN)
            if removed:
                session.audit("refresh_disabled", {})
                slots.save()
    try:
        _keyring().delete_password(KEYRING_SERVICE, slots.device_id)
    except (KeyringError, RefreshUnavailable):
        pass  # the slot is gone: a leftover secret opens nothing
    return removed


def login_for_refresh(path: Path, *, clock: Clock | None = None) -> Session:
    """Open the cache with the refresh slot, its secret read from the OS secret store."""
    from keyring.errors import KeyringError

    slots = KeySlotFile.load(slots_path(path))
    if slots.find(SLOT_KIND, REFRESH_LOGIN) is None:
        raise RefreshUnavailable(
            _("Unattended refresh is not enabled on this cache (IT: continuity refresh enable).")
        )
    store = _keyring()
    try:
        secret = store.get_password(KEYRING_SERVICE, slots.device_id)
    except KeyringError as exc:
        raise _keyring_error(exc) from None
    if not secret:
        raise RefreshUnavailable(
            _(
                "The refresh secret is not in this computer's secret store (another OS account, "
                "or it was removed): IT must run 'continuity refresh enable' again."
            )
        )
    return login_with_refresh_secret(path, secret, clock=clock)


def login_with_refresh_secret(path: Path, secret: str, *, clock: Clock | None = None) -> Session:
    """Open the cache as the REFRESH role (mirrors `cache.login_with_recovery`).

    Like every log-in it rewrites the key file (failure counter, pending audit events), so it
    holds the key file's lock from load to save: an hourly refresh must not undo a user change.
    """
    clock = clock or SystemClock()
    with exclusive_lock(slots_path(path)):
        return _login_with_refresh_secret(path, secret, clock)


def _login_with_refresh_secret(path: Path, secret: str, clock: Clock) -> Session:
    slots = KeySlotFile.load(slots_path(path))
    _check_delay(slots, REFRESH_LOGIN, clock)
    master = slots.unwrap_master(SLOT_KIND, REFRESH_LOGIN, secret)
    if master is None:
        slots.record_failure(REFRESH_LOGIN, clock.now(), "refresh secret")
        slots.save()
        raise AuthenticationFailed(
            _(
                "The refresh secret does not open this cache: IT must run 'continuity refresh "
                "enable' again."
            )
        )
    conn, device, key = _open_checked(path, master, slots)
    user = User(REFRESH_LOGIN, _("Unattended refresh"), Role.REFRESH)
    with transaction(conn):
        _flush_pending(conn, slots)
        audit.append(conn, clock.now(), REFRESH_LOGIN, "refresh_login", {})
    slots.clear_failures(REFRESH_LOGIN)
    slots.save()
    return Session(path, conn, user, device, clock, key, master)
