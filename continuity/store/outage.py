"""When the outage started on this laptop's ward: the moment from which Continuity is the record.

The snapshot carries no administrations. Until "data as of", whether a dose was given is on the
central record; between "data as of" and the crash it is *still* on the central record (the
last refresh may be an hour older than the crash), and nothing on this laptop can tell. Left
alone, the eMAR would show those doses late or missed and invite a nurse to give them again.

So the nurse in charge (or IT) says when the central system went down; the eMAR then shows
every dose scheduled before that moment with nothing recorded here as "before the outage:
check" (`emar.known_since`), never as late or missed. The declaration is a setting of the
laptop, not a care entry: it can be declared again (a better estimate) or withdrawn, and each
change is in the audit log with who made it and the value it replaced.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from continuity.core.clock import format_local, from_iso, to_utc_iso
from continuity.core.entries import moment
from continuity.core.errors import BadInput
from continuity.core.i18n import _
from continuity.core.roles import Permission
from continuity.store.session import Session

OUTAGE_SETTING = "outage_started_at"
#: An outage is declared while it happens: a start further back is a mistyped date.
MAX_AGE = timedelta(days=30)
#: A clock a few minutes apart from the wall clock must not refuse "it went down just now".
FUTURE_SLACK = timedelta(minutes=5)


def outage_started(session: Session) -> datetime | None:
    """The declared start of the outage, or None when nobody declared one."""
    raw = session.setting(OUTAGE_SETTING)
    return from_iso(raw) if raw else None


def _require_ward_or_it(session: Session) -> None:
    """The nurse in charge declares it as often as IT does: either may."""
    if not session.can(Permission.RECORD_CARE):
        session.require(Permission.MANAGE_DEVICE)


def declare_outage_start(session: Session, at: datetime | str) -> datetime:
    """Record when the central system went down (ISO 8601 or an aware datetime; without an
    offset, Paris time). Refused in the future or more than 30 days back; audited."""
    _require_ward_or_it(session)
    when = moment(at)
    if when is None:
        raise BadInput(_("Say when the outage started."))
    now = session.now()
    if when > now + FUTURE_SLACK:
        raise BadInput(
            _("The outage cannot start in the future ({when}).").format(when=format_local(when))
        )
    if when < now - MAX_AGE:
        raise BadInput(
            _("{when} is more than 30 days ago: check the date.").format(when=format_local(when))
        )
    previous = session.setting(OUTAGE_SETTING)
    value = to_utc_iso(when)
    with session.transaction() as conn:
        conn.execute(
            "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (OUTAGE_SETTING, value)
        )
        session.audit("outage_declared", {"started_at": value, "previous": previous})
    return from_iso(value)


def withdraw_outage_start(session: Session) -> bool:
    """Withdraw a declaration made by mistake; False when there was none. Audited."""
    _require_ward_or_it(session)
    previous = session.setting(OUTAGE_SETTING)
    if previous is None:
        return False
    with session.transaction() as conn:
        conn.execute("DELETE FROM settings WHERE key = ?", (OUTAGE_SETTING,))
        session.audit("outage_withdrawn", {"previous": previous})
    return True
