"""The entry log: the one way an entry is read from, and appended to, the `entries` table.

Appending (`record`) does, in this order: the permission check, the witness's password (a
slow key derivation, kept outside the write lock), then one `BEGIN IMMEDIATE` transaction in
which the entry is drafted (validation, safety checks against the current state, so two
writers cannot both pass a double-dose check), its per-device sequence number taken, the row
inserted and the audit row appended. The stored entry is returned only after COMMIT, which
with WAL and synchronous=FULL has fsynced it. A refused entry rolls back: it consumes no
sequence number and no temporary patient id.

The `entries` table is append-only (triggers): corrections and retractions are new entries
that name the one they supersede.
"""

from __future__ import annotations

import json
import uuid as uuid_module
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from continuity.core import safety
from continuity.core.clock import from_iso, to_utc_iso
from continuity.core.entries import KIND_LABELS, Kind, input_fields, moment
from continuity.core.errors import BadInput
from continuity.core.i18n import _
from continuity.core.roles import Permission
from continuity.store import census
from continuity.store.drill import is_drill
from continuity.store.session import Session
from continuity.store.witness import verify_witness

#: The wards' time zone, stored with every entry (times themselves are stored in UTC).
TZ_NAME = "Europe/Paris"

_COLUMNS = (
    "uuid", "device_id", "seq", "kind", "author", "clinical_time", "recorded_time", "tz",
    "patient_id", "order_id", "supersedes", "reason", "payload", "confirmations", "witness",
    "drill",
)  # fmt: skip
_SELECT = (
    "SELECT " + ", ".join(f"e.{c}" for c in _COLUMNS) + ","
    " (SELECT s.uuid FROM entries s WHERE s.supersedes = e.uuid ORDER BY s.seq LIMIT 1),"
    " (SELECT s.kind FROM entries s WHERE s.supersedes = e.uuid ORDER BY s.seq LIMIT 1)"
    " FROM entries e"
)


@dataclass(frozen=True)
class StoredEntry:
    """One committed entry, every column, and whether a later entry superseded it."""

    uuid: str
    device_id: str
    seq: int
    kind: str
    author: str
    clinical_time: datetime
    recorded_time: datetime
    tz: str
    patient_id: str | None
    order_id: str | None
    supersedes: str | None
    reason: str | None
    payload: dict[str, Any]
    confirmations: list[dict[str, Any]]
    witness: str | None
    drill: bool
    superseded_by: str | None = None
    retracted: bool = False  # superseded by a retraction (entered in error)

    @property
    def superseded(self) -> bool:
        return self.superseded_by is not None

    @property
    def effective(self) -> bool:
        """Still counts: neither corrected nor retracted, and not a retraction itself."""
        return self.superseded_by is None and self.kind != Kind.RETRACTION

    @property
    def state(self) -> str:
        if self.retracted:
            return "retracted"
        return "corrected" if self.superseded else "current"

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form (UTC ISO times) for the CLI, exports and tests."""
        data = {c: getattr(self, c) for c in _COLUMNS}
        data["clinical_time"] = to_utc_iso(self.clinical_time)
        data["recorded_time"] = to_utc_iso(self.recorded_time)
        data.update(superseded_by=self.superseded_by, retracted=self.retracted, state=self.state)
        return data


def _from_row(row: Sequence[Any]) -> StoredEntry:
    values = dict(zip(_COLUMNS, row[: len(_COLUMNS)], strict=True))
    values["clinical_time"] = from_iso(values["clinical_time"])
    values["recorded_time"] = from_iso(values["recorded_time"])
    values["payload"] = json.loads(values["payload"])
    values["confirmations"] = json.loads(values["confirmations"])
    values["drill"] = bool(values["drill"])
    by, by_kind = row[len(_COLUMNS)], row[len(_COLUMNS) + 1]
    return StoredEntry(**values, superseded_by=by, retracted=by_kind == Kind.RETRACTION)


def get_entry(session: Session, uuid: str) -> StoredEntry | None:
    session.require(Permission.VIEW_PATIENTS)
    row = session.conn.execute(f"{_SELECT} WHERE e.uuid = ?", (uuid,)).fetchone()
    return _from_row(row) if row else None


def existing_entry(session: Session, uuid: str) -> StoredEntry:
    found = get_entry(session, (uuid or "").strip())
    if found is None:
        raise BadInput(_("No entry with this id: {uuid}.").format(uuid=uuid))
    return found


def list_entries(
    session: Session,
    patient_id: str | None = None,
    since_seq: int | None = None,
    *,
    kinds: Sequence[str] | None = None,
    effective_only: bool = False,
    since_time: datetime | None = None,
) -> list[StoredEntry]:
    """Entries in sequence order, each with its superseded state.

    `patient_id` may be a snapshot id, an IPP or a temporary id; an id the census no longer
    knows still finds its entries (they outlive the snapshot).
    """
    session.require(Permission.VIEW_PATIENTS)
    sql, params = f"{_SELECT} WHERE 1 = 1", []  # type: tuple[str, list[Any]]
    if patient_id is not None:
        patient = census.get_patient(session, patient_id)
        sql += " AND e.patient_id = ?"
        params.append(patient.id if patient else patient_id)
    if since_seq is not None:
        sql += " AND e.seq > ?"
        params.append(_sequence_number(since_seq))
    if kinds:
        sql += f" AND e.kind IN ({','.join('?' * len(kinds))})"
        params.extend(kinds)
    if since_time is not None:  # by clinical time: what happened from then on
        sql += " AND e.clinical_time >= ?"
        params.append(to_utc_iso(since_time))
    found = [_from_row(r) for r in session.conn.execute(sql + " ORDER BY e.seq", params)]
    return [e for e in found if e.effective] if effective_only else found


#: SQLite's largest integer: a sequence number beyond it is a typing error, not a query.
_MAX_SEQ = 2**63 - 1


def _sequence_number(value: Any) -> int:
    """A sequence number to read from (0: every entry); BadInput rather than an overflow."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = -1
    if not 0 <= number <= _MAX_SEQ:
        raise BadInput(
            _("A sequence number is a whole number from 0 to {high}.").format(high=_MAX_SEQ)
        )
    return number


# -- drafting -------------------------------------------------------------------------------
@dataclass
class Draft:
    """An entry about to be written: validated payload and the checks that fired."""

    kind: str
    patient_id: str | None
    clinical: datetime
    payload: dict[str, Any]
    order_id: str | None = None
    checks: list[safety.Check] = field(default_factory=list)
    witness_for: str | None = None  # the high-alert drug that needs a witness
    uuid: str = field(default_factory=lambda: str(uuid_module.uuid4()))


def resolve_patient(session: Session, patient_id: str | None) -> census.Patient:
    """A patient by snapshot id, IPP or temporary id; unknown -> BadInput."""
    text = (patient_id or "").strip()
    patient = census.get_patient(session, text) if text else None
    if patient is None:
        raise BadInput(_("No patient with this id: {id}.").format(id=text))
    return patient


def check_fields(kind: str, fields: dict[str, Any]) -> dict[str, Any]:
    """Refuse a field this kind does not have (a typo in a script must not be ignored)."""
    unknown = sorted(set(fields) - set(input_fields(kind)))
    if unknown:
        raise BadInput(
            _("A {kind} entry has no field {field}.").format(
                kind=_(KIND_LABELS[kind]), field=unknown[0]
            )
        )
    return fields


def clinical_time(session: Session, at: datetime | str | None) -> tuple[datetime, list]:
    """When the care happened (default: now) and the checks its date calls for."""
    when = moment(at) or session.now()
    info = census.snapshot_info(session)
    checks = safety.check_clinical_time(when, session.now(), info.as_of if info else None)
    return when, checks


def simple_drafter(kind: str, build: Callable[..., dict[str, Any]]) -> Callable[..., Draft]:
    """The drafter of a kind whose payload needs only its own fields: patient, time, payload.
    Kinds with more rules (discharge, manual order, lines...) wrap the drafter it returns."""

    def draft(
        session: Session,
        *,
        patient_id: str,
        at: datetime | str | None = None,
        replacing: StoredEntry | None = None,
        **fields: Any,
    ) -> Draft:
        patient = resolve_patient(session, patient_id)
        when, checks = clinical_time(session, at)
        payload = build(**check_fields(kind, fields))
        return Draft(kind, patient.id, when, payload, checks=checks)

    return draft


# -- appending ------------------------------------------------------------------------------
def record(
    session: Session,
    build: Callable[[], Draft],
    *,
    confirm: bool = False,
    witness: str | None = None,
    witness_password: str | None = None,
    replacing: StoredEntry | None = None,
    reason: str | None = None,
) -> StoredEntry:
    """Draft, check and append one entry; returns it once committed (see module docstring)."""
    if replacing is None:
        session.require(Permission.RECORD_CARE)
    witness_login = None
    if witness:
        witness_login = verify_witness(session, witness, witness_password).login
    with session.transaction():
        if replacing is not None:
            _still_current(session, replacing)
        draft = build()
        witness_login = _witness(draft, witness_login, replacing)
        confirmations = safety.require_confirmation(draft.checks, confirm)
        _append(session, draft, confirmations, witness_login, replacing, reason)
    stored = get_entry(session, draft.uuid)
    assert stored is not None
    return stored


def _still_current(session: Session, target: StoredEntry) -> None:
    row = session.conn.execute(
        "SELECT 1 FROM entries WHERE supersedes = ?", (target.uuid,)
    ).fetchone()
    if row is not None:
        raise BadInput(
            _("This entry was already corrected or retracted: correct its latest version.")
        )


#: What a witness saw: a correction changing any of these needs a new witness.
_WITNESSED = ("status", "dose_value", "dose_unit")


def _same_witnessed(draft: Draft, earlier: StoredEntry) -> bool:
    """The correction leaves what the witness checked as it was (a comment, a site...)."""
    return (
        earlier.kind == draft.kind
        and earlier.patient_id == draft.patient_id
        and earlier.order_id == draft.order_id
        and all(earlier.payload.get(k) == draft.payload.get(k) for k in _WITNESSED)
    )


def _witness(draft: Draft, witness: str | None, replacing: StoredEntry | None) -> str | None:
    """A high-alert dose needs a witness. A correction keeps the original one only if it
    leaves the patient, order, status and dose as witnessed: 6 UI corrected to 60 UI was
    never seen by the first witness, so it needs a new one, as a new dose does."""
    if witness is None and replacing is not None and _same_witnessed(draft, replacing):
        witness = replacing.witness
    if draft.witness_for and witness is None:
        raise BadInput(
            _(
                "{drug} is a high-alert drug: a second person must witness the dose "
                "with their password."
            ).format(drug=draft.witness_for)
        )
    return witness


def _append(
    session: Session,
    draft: Draft,
    confirmations: list[dict[str, Any]],
    witness: str | None,
    replacing: StoredEntry | None,
    reason: str | None,
) -> None:
    conn = session.conn
    seq = conn.execute(
        "SELECT COALESCE(MAX(seq), 0) + 1 FROM entries WHERE device_id = ?", (session.device.id,)
    ).fetchone()[0]
    supersedes = replacing.uuid if replacing else None
    conn.execute(
        f"INSERT INTO entries ({', '.join(_COLUMNS)})"
        f" VALUES ({', '.join('?' * len(_COLUMNS))})",
        (
            draft.uuid, session.device.id, seq, draft.kind, session.user.login,
            to_utc_iso(draft.clinical), to_utc_iso(session.now()), TZ_NAME, draft.patient_id,
            draft.order_id, supersedes, reason,
            json.dumps(draft.payload, ensure_ascii=False, sort_keys=True),
            json.dumps(confirmations, ensure_ascii=False), witness,
            1 if is_drill(session) else 0,
        ),
    )  # fmt: skip
    detail = {"uuid": draft.uuid, "kind": draft.kind, "seq": seq, "patient_id": draft.patient_id}
    if supersedes:
        detail["supersedes"] = supersedes
    session.audit("entry_recorded", detail)
