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
from continuity.store import census
from continuity.store.session import Session

OUTAGE_SETTING = "outage_started_at"
#: An outage is declared while it happens: a start further back is a mistyped date.
MAX_AGE = timedelta(days=30)
#: A clock a few minutes apart from the wall clock must not refuse "it went down just now".
FUTURE_SLACK = timedelta(minutes=5)


def declared_start(session: Session) -> datetime | None:
    """The stored declaration as it is, in force or not (the eMAR takes the later of it and
    the data's time, which leaves out an old one by itself)."""
    raw = session.setting(OUTAGE_SETTING)
    return from_iso(raw) if raw else None


def outage_started(session: Session) -> datetime | None:
    """The declared start of the outage in force, or None. A declaration no later than the
    data in force belongs to an earlier outage (a snapshot was imported since): it is ignored,
    so the next outage is not shown as declared already."""
    when = declared_start(session)
    if when is None:
        return None
    info = census.snapshot_info(session)
    if info is not None and when <= info.as_of:
        return None
    return when


def _require_ward_or_it(session: Session) -> None:
    """The nurse in charge declares it as often as IT does: either may."""
    if not session.can(Permission.RECORD_CARE):
        session.require(Permission.MANAGE_DEVICE)


def _first_recorded_since(session: Session, since: datetime | None) -> datetime | None:
    """When care was first recorded on this laptop after the data in force was taken: the
    laptop was the record by then, so the outage had started."""
    row = session.conn.execute(
        "SELECT MIN(recorded_time) FROM entries WHERE drill = 0 AND recorded_time >= ?",
        (to_utc_iso(since) if since else "",),
    ).fetchone()
    return from_iso(row[0]) if row and row[0] else None


def latest_possible_start(session: Session) -> datetime:
    """The latest start a declaration may give: now, or when care was first recorded here
    since the data in force (what the dialog offers first: the nurse moves it earlier)."""
    info = census.snapshot_info(session)
    first = _first_recorded_since(session, info.as_of if info else None)
    return min(first, session.now()) if first else session.now()


def declare_outage_start(session: Session, at: datetime | str) -> datetime:
    """Record when the central system went down (ISO 8601 or an aware datetime; without an
    offset, Paris time); audited.

    Refused when it cannot be true, because a wrong start hides doses to give behind "check":
    in the future (a few minutes ahead is taken as now), more than 30 days back, no later
    than the data in force (it would change nothing), or after care was already recorded on
    this laptop (the laptop was the record by then)."""
    _require_ward_or_it(session)
    when = moment(at)
    if when is None:
        raise BadInput(_("Say when the outage started."))
    now = session.now()
    if when > now + FUTURE_SLACK:
        raise BadInput(
            _("The outage cannot start in the future ({when}).").format(when=format_local(when))
        )
    when = min(when, now)
    if when < now - MAX_AGE:
        raise BadInput(
            _("{when} is more than 30 days ago: check the date.").format(when=format_local(when))
        )
    info = census.snapshot_info(session)
    as_of = info.as_of if info else None
    if as_of is not None and when <= as_of:
        raise BadInput(
            _(
                "The data on this laptop is as of {as_of}: an outage that started before it "
                "changes nothing here."
            ).format(as_of=format_local(as_of))
        )
    first = _first_recorded_since(session, as_of)
    if first is not None and when > first:
        raise BadInput(
            _(
                "Care was already recorded on this laptop at {first}: the outage started "
                "before that."
            ).format(first=format_local(first))
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
    """Withdraw a declaration made by mistake; False when none is in force. Audited."""
    _require_ward_or_it(session)
    previous = session.setting(OUTAGE_SETTING)
    if previous is None:
        return False
    in_force = outage_started(session) is not None
    with session.transaction() as conn:
        conn.execute("DELETE FROM settings WHERE key = ?", (OUTAGE_SETTING,))
        session.audit("outage_withdrawn", {"previous": previous})
    return in_force
