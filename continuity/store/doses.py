"""Recording a dose given or not given: the entry with the most safety checks.

The checks read the cache as it is inside the write transaction: the order's state in the
current snapshot, the doses already recorded (any author, this laptop), the patient's
allergies (snapshot and recorded during the outage). The drug's name is copied into the
payload, so the entry still reads right after a snapshot that no longer has its order.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

from continuity.core import safety
from continuity.core.clock import PARIS, from_iso, local
from continuity.core.entries import GIVEN, Kind, dose_payload
from continuity.core.errors import BadInput
from continuity.core.i18n import _
from continuity.core.timing import StartRequired, expand_day, load_schedule_config
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
    if payload["scheduled"]:
        draft.checks += _schedule_checks(order, from_iso(payload["scheduled"]))
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
        if not earlier:  # the same time given twice already says "double dose"
            others = _given_any(session, order.id, exclude)
            checks += safety.check_repeat(order.drug, when, others, _shortest_gap(order, scheduled))
        checks += safety.check_dose_time(when, scheduled)
    else:
        interval = safety.prn_min_interval(order.timing)
        checks += safety.check_prn_repeat(
            order.drug, when, _given_any(session, order.id, exclude), interval
        )
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


def _given_any(session: Session, order_id: str, exclude: str) -> list[datetime]:
    """When each effective given dose of the order was given, whatever its scheduled time."""
    rows = session.conn.execute(_GIVEN_DOSES, (order_id, exclude)).fetchall()
    return [from_iso(r[0]) for r in rows]


def _pattern_day(order: census.Order, day: Any) -> list[datetime] | None:
    """The order's schedule on a local day, not clipped to the order's own start and end
    (an expired or not yet started order has its own checks); None: not expandable."""
    spec = order.timing
    if not spec.expandable or spec.as_needed:
        return None
    start = order.start if spec.needs_start else None
    try:
        return expand_day(spec, day, load_schedule_config(), order_start=start, tz=PARIS)
    except (StartRequired, ValueError):
        return None


def _schedule_checks(order: census.Order, scheduled: datetime) -> list[safety.Check]:
    """A scheduled time that is not one of the order's times that day."""
    times = _pattern_day(order, local(scheduled).date())
    if times is None:  # "voir instructions": the times are the prescription's text
        return []
    return safety.check_scheduled_time(order.drug, scheduled, times)


def _shortest_gap(order: census.Order, scheduled: datetime) -> timedelta:
    """The schedule's shortest interval between two doses around `scheduled` (06/12/18/23 h:
    5 h), never under `safety.PRN_REPEAT_WINDOW`; the floor when it cannot be computed."""
    day = local(scheduled).date()
    times: list[datetime] = []
    for offset in (-1, 0, 1):
        times += _pattern_day(order, day + timedelta(days=offset)) or []
    times = sorted(set(times))
    gaps = [b - a for a, b in itertools.pairwise(times) if b > a]
    return max(min(gaps, default=safety.PRN_REPEAT_WINDOW), safety.PRN_REPEAT_WINDOW)


def dose_fields_for_correction(entry: StoredEntry, changes: dict[str, Any]) -> dict[str, Any]:
    """The earlier dose's fields, without a dose that only came from the order's default
    (a corrected order or patient brings its own default)."""
    payload = dict(entry.payload)
    if payload.get("dose_from_order") and not {"dose_value", "dose_unit"} & set(changes):
        payload.pop("dose_value", None)
        payload.pop("dose_unit", None)
    return payload
