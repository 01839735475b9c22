"""A second person confirms a high-alert dose with their own password (double check).

The witness proves their password against their own key slot, as at log-in: the slot must
unwrap this cache's key, the account must be active and allowed to record care, and it must
be someone else than the person recording. A wrong password counts as a failed log-in for
the witness (same growing delay), so the witness box cannot be used to guess passwords.
"""

from __future__ import annotations

import math

from continuity.core.errors import AuthenticationFailed, BadInput
from continuity.core.i18n import _
from continuity.core.roles import Permission, can
from continuity.store.cache import load_user, slots_path
from continuity.store.files import exclusive_lock
from continuity.store.key_slots import KeySlotFile
from continuity.store.session import Session, User


def verify_witness(session: Session, login: str, password: str | None) -> User:
    """The witness, once their password is proven; AuthenticationFailed otherwise.

    The key file is locked from its load to its save: a wrong password rewrites the file (its
    failure counter), and without the lock that rewrite could drop a user IT adds meanwhile.
    """
    login = (login or "").strip().lower()
    if login == session.user.login:
        raise BadInput(_("The witness must be another person than the one recording."))
    if not password:
        raise BadInput(_("The witness must type their password."))
    with exclusive_lock(slots_path(session.path)):
        user = _check_witness(session, login, password)
    if user is None:  # audited after the key file is released: log-ins need not wait on it
        session.audit("witness_refused", {"witness": login})
        raise AuthenticationFailed(_("Wrong witness or password."))
    return user


def _check_witness(session: Session, login: str, password: str) -> User | None:
    """The witness or None (the failure is counted); run with the key file locked."""
    slots = KeySlotFile.load(slots_path(session.path))
    retry = slots.retry_at(login)
    if retry is not None and session.now() < retry:
        seconds = math.ceil((retry - session.now()).total_seconds())
        raise AuthenticationFailed(
            _("Too many failed attempts: try again in {seconds} s.").format(seconds=seconds)
        )
    key = slots.unwrap("user", login, password)
    user = load_user(session.conn, login)
    valid = (
        key == session.database_key()
        and user is not None
        and not user.disabled
        and can(user.role, Permission.RECORD_CARE)
    )
    if not valid:
        slots.record_failure(login, session.now(), "witness")
        slots.save()
        return None
    if login in slots.lockout:
        slots.clear_failures(login)
        slots.save()
    return user
