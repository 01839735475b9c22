"""Recording a dose given or not given: the entry with the most safety checks.

The checks read the cache as it is inside the write transaction: the order's state in the
current snapshot, the doses already recorded (any author, this laptop), the patient's
allergies (snapshot and recorded during the outage). The drug's name is copied into the
payload, so the entry still reads right after a snapshot that no longer has its order.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from continuity.core import safety
from continuity.core.clock import from_iso
from continuity.core.entries import GIVEN, Kind, dose_payload
from continuity.core.errors import BadInput
from continuity.core.i18n import _
from continuity.store import census
from continuity.store.entry_log import (
    Draft,
    StoredEntry,
    check_fields,
    clinical_time,
    record,
    resolve_patient,
)
from continuity.store.session import Session


def resolve_order(session: Session, order_id: str | None, patient: census.Patient) -> census.Order:
    """An order (snapshot source id or manual order id) that must be this patient's."""
    text = (order_id or "").strip()
    order = census.get_order(session, text) if text else None
    if order is None:
        raise BadInput(_("No order with this id: {id}.").format(id=text))
    if order.patient_id != patient.id:
        raise BadInput(_("Order {id} belongs to another patient.").format(id=text))
    return order


def record_dose(
    session: Session,
    *,
    patient_id: str,
    order_id: str,
    scheduled: datetime | str | None,
    status: str,
    at: datetime | str | None = None,
    confirm: bool = False,
    witness: str | None = None,
    witness_password: str | None = None,
    **fields: Any,
) -> StoredEntry:
    """A dose given or not given; `fields` are those of `core.entries.dose_payload` (reason,
    reason_text, dose_value, dose_unit, dose_change_reason, route, site, prn_reason, comment).
    A high-alert drug given needs `witness` (another user's login) and their password."""
    return record(
        session,
        lambda: draft_dose(session, patient_id=patient_id, order_id=order_id,
                           scheduled=scheduled, status=status, at=at, **fields),
        confirm=confirm, witness=witness, witness_password=witness_password,
    )  # fmt: skip


def draft_dose(
    session: Session,
    *,
    patient_id: str,
    order_id: str,
    at: datetime | str | None = None,
    replacing: StoredEntry | None = None,
    **fields: Any,
) -> Draft:
    patient = resolve_patient(session, patient_id)
    order = resolve_order(session, order_id, patient)
    when, checks = clinical_time(session, at)
    payload = dose_payload(order=order, **check_fields(Kind.DOSE, fields))
    draft = Draft(Kind.DOSE, patient.id, when, payload, order_id=order.id, checks=checks)
    if payload["status"] == GIVEN:
        draft.checks += _given_checks(session, patient, order, when, payload, replacing)
        draft.witness_for = order.drug if order.high_alert else None
    return draft


def _given_checks(
    session: Session,
    patient: census.Patient,
    order: census.Order,
    when: datetime,
    payload: dict[str, Any],
    replacing: StoredEntry | None,
) -> list[safety.Check]:
    checks = safety.check_order_state(order, when)
    scheduled = from_iso(payload["scheduled"]) if payload["scheduled"] else None
    exclude = replacing.uuid if replacing else ""
    if scheduled is not None:
        earlier = _given_for(session, order.id, payload["scheduled"], exclude)
        checks += safety.check_double_dose(order.drug, scheduled, earlier)
        checks += safety.check_dose_time(when, scheduled)
    else:
        checks += safety.check_prn_repeat(order.drug, when, _given_prn(session, order.id, exclude))
    allergies = [(a.substance, a.code) for a in census.allergies(session, patient.id)]
    checks += safety.check_allergies(order.drug, order.drug_code, allergies)
    return checks


_GIVEN_DOSES = (
    f"SELECT clinical_time FROM ({census.EFFECTIVE_ENTRIES})"
    " WHERE kind = 'dose' AND order_id = ? AND uuid != ?"
    " AND json_extract(payload, '$.status') = 'given'"
)


def _given_for(session: Session, order_id: str, scheduled: str, exclude: str) -> list[datetime]:
    rows = session.conn.execute(
        _GIVEN_DOSES + " AND json_extract(payload, '$.scheduled') = ? ORDER BY clinical_time",
        (order_id, exclude, scheduled),
    ).fetchall()
    return [from_iso(r[0]) for r in rows]


def _given_prn(session: Session, order_id: str, exclude: str) -> list[datetime]:
    rows = session.conn.execute(
        _GIVEN_DOSES + " AND json_extract(payload, '$.scheduled') IS NULL", (order_id, exclude)
    ).fetchall()
    return [from_iso(r[0]) for r in rows]


def dose_fields_for_correction(entry: StoredEntry, changes: dict[str, Any]) -> dict[str, Any]:
    """The earlier dose's fields, without a dose that only came from the order's default
    (a corrected order or patient brings its own default)."""
    payload = dict(entry.payload)
    if payload.get("dose_from_order") and not {"dose_value", "dose_unit"} & set(changes):
        payload.pop("dose_value", None)
        payload.pop("dose_unit", None)
    return payload
