"""Managing the people who may open this laptop's cache (IT, or emergency access)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from continuity.core.clock import to_utc_iso
from continuity.core.errors import BadInput
from continuity.core.i18n import _
from continuity.core.passwords import check_password_policy
from continuity.core.roles import Permission, Role, parse_role
from continuity.store.cache import load_user, slots_path, valid_login
from continuity.store.files import exclusive_lock
from continuity.store.key_slots import KeySlotFile
from continuity.store.session import Session, User


@dataclass(frozen=True)
class UserRow:
    user: User
    has_slot: bool


def _editing_slots(func):
    """Run a user change with the key file locked from its load to its save."""

    @functools.wraps(func)
    def wrapper(session: Session, *args, **kwargs):
        with exclusive_lock(slots_path(session.path)):
            return func(session, *args, **kwargs)

    return wrapper


@_editing_slots
def add_user(
    session: Session,
    login: str,
    display_name: str,
    role: str | Role,
    password: str,
    professional_id: str | None = None,
) -> User:
    session.require(Permission.MANAGE_USERS)
    login = valid_login(login)
    role = role if isinstance(role, Role) else parse_role(role)
    display_name = display_name.strip()
    if not display_name:
        raise BadInput(_("Give the person's full name."))
    check_password_policy(password, login)
    if load_user(session.conn, login) is not None:
        raise BadInput(_("This user name is already taken."))
    slots = KeySlotFile.load(slots_path(session.path))
    now = to_utc_iso(session.now())
    with session.transaction() as conn:
        conn.execute(
            "INSERT INTO users (login, display_name, role, professional_id, created_at,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?)",
            (login, display_name, role.value, professional_id or None, now, now),
        )
        session.audit("user_added", {"login": login, "role": role.value})
        slots.put("user", login, password, session.master_key())
        slots.save()  # inside the transaction: if saving fails, the user row rolls back
    return User(login, display_name, role, professional_id or None)


def list_users(session: Session) -> list[UserRow]:
    session.require(Permission.MANAGE_USERS)
    slots = KeySlotFile.load(slots_path(session.path))
    with_slot = set(slots.logins("user"))
    rows = session.conn.execute("SELECT login FROM users ORDER BY login").fetchall()
    return [UserRow(load_user(session.conn, r[0]), r[0] in with_slot) for r in rows]


def _existing(session: Session, login: str) -> User:
    user = load_user(session.conn, login.strip().lower())
    if user is None:
        raise BadInput(_("No user with this name."))
    return user


@_editing_slots
def disable_user(session: Session, login: str) -> None:
    """Disable and revoke: the person's key slot is destroyed, not just flagged."""
    session.require(Permission.MANAGE_USERS)
    user = _existing(session, login)
    if user.login == session.user.login:
        raise BadInput(_("You cannot disable your own account."))
    slots = KeySlotFile.load(slots_path(session.path))
    with session.transaction() as conn:
        conn.execute(
            "UPDATE users SET disabled = 1, updated_at = ? WHERE login = ?",
            (to_utc_iso(session.now()), user.login),
        )
        session.audit("user_disabled", {"login": user.login})
        slots.remove("user", user.login)
        slots.save()


@_editing_slots
def set_password(session: Session, login: str, new_password: str) -> None:
    """IT (or emergency access) sets a password; rewraps that one slot and re-enables it."""
    user = _existing(session, login)
    if user.login != session.user.login:
        session.require(Permission.MANAGE_USERS)
    check_password_policy(new_password, user.login)
    slots = KeySlotFile.load(slots_path(session.path))
    with session.transaction() as conn:
        conn.execute(
            "UPDATE users SET disabled = 0, updated_at = ? WHERE login = ?",
            (to_utc_iso(session.now()), user.login),
        )
        session.audit("password_changed", {"login": user.login})
        slots.put("user", user.login, new_password, session.master_key())
        slots.clear_failures(user.login)
        slots.save()


def set_role(session: Session, login: str, role: str | Role) -> None:
    """Change a role; it takes effect at the person's next log-in."""
    session.require(Permission.MANAGE_USERS)
    user = _existing(session, login)
    role = role if isinstance(role, Role) else parse_role(role)
    if user.login == session.user.login:
        raise BadInput(_("You cannot change your own role."))
    with session.transaction() as conn:
        conn.execute(
            "UPDATE users SET role = ?, updated_at = ? WHERE login = ?",
            (role.value, to_utc_iso(session.now()), user.login),
        )
        session.audit("user_changed", {"login": user.login, "role": role.value})
