"""Recording care offline: the functions the UI, the CLI and the tests call, one per action.

Every function takes the session first, checks the permission itself, and returns the
`StoredEntry` only once its transaction is committed (durable). Patients are named by
snapshot source id, IPP or temporary id; orders by their source id (MedicationRequest id) or,
for a manual order, its id. Bad input raises `BadInput`, a safety check `NeedsConfirmation`
(retry with `confirm=True`), a wrong witness `AuthenticationFailed`.

Nothing is edited or deleted: `correct_entry` writes a new entry of the same kind that
supersedes the old one, with a reason; `retract_entry` withdraws an entry made in error.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from continuity.core import safety
from continuity.core.entries import (
    KIND_LABELS,
    Kind,
    allergy_payload,
    correction_reason,
    infusion_payload,
    input_fields,
    line_payload,
    manual_order_payload,
    note_payload,
    vitals_payload,
)
from continuity.core.errors import BadInput, PermissionDenied
from continuity.core.i18n import _
from continuity.core.roles import Permission
from continuity.store.admissions import (
    LikelyMatch,
    admit_patient,
    discharge_patient,
    draft_admission,
    draft_discharge,
    draft_transfer,
    likely_matches,
    transfer_patient,
)
from continuity.store.doses import dose_fields_for_correction, draft_dose, record_dose
from continuity.store.entry_log import (
    Draft,
    StoredEntry,
    existing_entry,
    get_entry,
    list_entries,
    record,
    simple_drafter,
)
from continuity.store.session import Session
from continuity.store.temp_ids import reserve_temp_ids
from continuity.store.witness import verify_witness

__all__ = [
    "LikelyMatch", "StoredEntry", "admit_patient", "correct_entry", "discharge_patient",
    "get_entry", "likely_matches", "list_entries", "record_allergy", "record_dose",
    "record_infusion", "record_line", "record_manual_order", "record_note", "record_vitals",
    "reserve_temp_ids", "retract_entry", "transfer_patient", "verify_witness",
]  # fmt: skip


# -- the simple kinds: a patient, a time, a payload -----------------------------------------
_draft_vitals = simple_drafter(Kind.VITALS, vitals_payload)


def draft_vitals(session: Session, **fields: Any) -> Draft:
    """Vital signs, with a confirmation asked for a value more likely in the wrong unit."""
    draft = _draft_vitals(session, **fields)
    draft.checks.extend(safety.check_vital_values(draft.payload))
    return draft


draft_note = simple_drafter(Kind.NOTE, note_payload)
draft_allergy = simple_drafter(Kind.ALLERGY, allergy_payload)
_draft_line = simple_drafter(Kind.LINE, line_payload)
_draft_infusion = simple_drafter(Kind.INFUSION, infusion_payload)


def record_vitals(
    session: Session,
    *,
    patient_id: str,
    at: datetime | str | None = None,
    confirm: bool = False,
    **values: Any,
) -> StoredEntry:
    """Vital signs (`core.entries.vitals_payload` names them: bp_sys, bp_dia, hr, rr, temp,
    spo2, o2_flow, pain, avpu, weight, glucose, comment); abnormal values are flagged."""
    return record(
        session,
        lambda: draft_vitals(session, patient_id=patient_id, at=at, **values),
        confirm=confirm,
    )


def record_note(
    session: Session,
    *,
    patient_id: str,
    text: str,
    category: str = "observation",
    at: datetime | str | None = None,
    confirm: bool = False,
) -> StoredEntry:
    return record(
        session,
        lambda: draft_note(session, patient_id=patient_id, at=at, text=text, category=category),
        confirm=confirm,
    )


def record_allergy(
    session: Session,
    *,
    patient_id: str,
    substance: str,
    reaction: str | None = None,
    criticality: str | None = None,
    code: str | None = None,
    at: datetime | str | None = None,
    confirm: bool = False,
) -> StoredEntry:
    """An allergy learnt during the outage: the allergy check uses it from now on."""
    return record(
        session,
        lambda: draft_allergy(
            session,
            patient_id=patient_id,
            at=at,
            substance=substance,
            reaction=reaction,
            criticality=criticality,
            code=code,
        ),
        confirm=confirm,
    )


# -- lines and infusions: later actions name the earlier entry -------------------------------
def _effective_of(session: Session, uuid: str, kind: str, patient_id: str) -> StoredEntry:
    found = get_entry(session, uuid)
    if found is None or found.kind != kind or found.patient_id != patient_id:
        raise BadInput(
            _("No such {kind} for this patient: {uuid}.").format(
                kind=_(KIND_LABELS[kind]), uuid=uuid
            )
        )
    if not found.effective:
        raise BadInput(
            _("This {kind} entry was corrected or retracted: use its latest version.").format(
                kind=_(KIND_LABELS[kind])
            )
        )
    return found


def _ended(
    session: Session, kind: str, key: str, uuid: str, end_action: str, replacing: StoredEntry | None
) -> bool:
    """Is there already an effective end (stop, removal) for this infusion or line?"""
    for entry in list_entries(session, kinds=[kind], effective_only=True):
        if replacing is not None and entry.uuid == replacing.uuid:
            continue
        if entry.payload.get(key) == uuid and entry.payload.get("action") == end_action:
            return True
    return False


def draft_infusion(
    session: Session, *, patient_id: str, replacing: StoredEntry | None = None, **fields: Any
) -> Draft:
    draft = _draft_infusion(session, patient_id=patient_id, replacing=replacing, **fields)
    start_uuid = draft.payload.get("infusion")
    if start_uuid:
        start = _effective_of(session, start_uuid, Kind.INFUSION, draft.patient_id)
        if start.payload.get("action") != "start":
            raise BadInput(_("Name the infusion by the uuid of its start."))
        if _ended(session, Kind.INFUSION, "infusion", start_uuid, "stop", replacing):
            raise BadInput(_("This infusion is already stopped."))
    return draft


def record_infusion(
    session: Session,
    *,
    patient_id: str,
    action: str,
    at: datetime | str | None = None,
    confirm: bool = False,
    **fields: Any,
) -> StoredEntry:
    """Start (solution, additive, rate mL/h, volume mL), rate_change (infusion, rate) or stop
    (infusion, volume_infused); `infusion` is the uuid of the start entry."""
    return record(
        session,
        lambda: draft_infusion(session, patient_id=patient_id, at=at, action=action, **fields),
        confirm=confirm,
    )


def draft_line(
    session: Session, *, patient_id: str, replacing: StoredEntry | None = None, **fields: Any
) -> Draft:
    draft = _draft_line(session, patient_id=patient_id, replacing=replacing, **fields)
    inserted = draft.payload.get("line")
    if inserted:
        found = _effective_of(session, inserted, Kind.LINE, draft.patient_id)
        if found.payload.get("action") != "inserted" or draft.payload["action"] != "removed":
            raise BadInput(_("Only a removal names a line, by the uuid of its insertion."))
        if _ended(session, Kind.LINE, "line", inserted, "removed", replacing):
            raise BadInput(_("This line is already removed."))
    return draft


def record_line(
    session: Session,
    *,
    patient_id: str,
    action: str,
    line_kind: str,
    site: str | None = None,
    line: str | None = None,
    comment: str | None = None,
    at: datetime | str | None = None,
    confirm: bool = False,
) -> StoredEntry:
    """A line or device inserted or removed (`core.entries.LINE_KINDS`); a removal may name
    its insertion entry (`line`)."""
    return record(
        session,
        lambda: draft_line(
            session,
            patient_id=patient_id,
            at=at,
            action=action,
            line_kind=line_kind,
            site=site,
            line=line,
            comment=comment,
        ),
        confirm=confirm,
    )


# -- manual orders --------------------------------------------------------------------------
_draft_manual_order = simple_drafter(Kind.MANUAL_ORDER, manual_order_payload)


def draft_manual_order(
    session: Session, *, patient_id: str, replacing: StoredEntry | None = None, **fields: Any
) -> Draft:
    from continuity.core.high_alert import is_high_alert

    draft = _draft_manual_order(session, patient_id=patient_id, replacing=replacing, **fields)
    draft.payload["high_alert"] = draft.payload["high_alert"] or is_high_alert(
        draft.payload["drug"]
    )
    # The order's id is its first entry's uuid and stays so through corrections.
    draft.order_id = replacing.order_id if replacing is not None else draft.uuid
    return draft


def record_manual_order(
    session: Session,
    *,
    patient_id: str,
    at: datetime | str | None = None,
    confirm: bool = False,
    **fields: Any,
) -> StoredEntry:
    """A paper prescription transcribed (`core.entries.manual_order_payload`: drug,
    dose_value, dose_unit, prescriber_name, paper_ref, timing or as_needed...). Its id, for
    recording doses, is the returned entry's `order_id`. Stop it by a correction with
    status="stopped"."""
    return record(
        session,
        lambda: draft_manual_order(session, patient_id=patient_id, at=at, **fields),
        confirm=confirm,
    )


# -- corrections ----------------------------------------------------------------------------
_DRAFTERS: dict[str, Callable[..., Draft]] = {
    Kind.DOSE: draft_dose,
    Kind.VITALS: draft_vitals,
    Kind.NOTE: draft_note,
    Kind.ADMISSION: draft_admission,
    Kind.TRANSFER: draft_transfer,
    Kind.DISCHARGE: draft_discharge,
    Kind.MANUAL_ORDER: draft_manual_order,
    Kind.INFUSION: draft_infusion,
    Kind.LINE: draft_line,
    Kind.ALLERGY: draft_allergy,
}


def _may_correct(session: Session, entry: StoredEntry) -> None:
    """Only the author (who may record care) or an IT user corrects an entry."""
    if session.can(Permission.CORRECT_ANY_ENTRY):
        return
    if session.can(Permission.RECORD_CARE) and entry.author == session.user.login:
        return
    raise PermissionDenied(_("Only the author of an entry or an IT user may correct it."))


def _fields_of(entry: StoredEntry, changes: dict[str, Any]) -> dict[str, Any]:
    """The earlier entry's fields as its drafter takes them, with the changes applied."""
    where = {"at": entry.clinical_time}
    if entry.kind == Kind.DOSE:
        where.update(patient_id=entry.patient_id, order_id=entry.order_id)
        payload = dose_fields_for_correction(entry, changes)
    elif entry.kind != Kind.ADMISSION:  # an admission keeps its temporary id
        where["patient_id"] = entry.patient_id
        payload = entry.payload
    else:
        payload = entry.payload
    typed = {k: payload[k] for k in input_fields(entry.kind) if k in payload}
    allowed = {*typed, *input_fields(entry.kind), *where}
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise BadInput(
            _("A {kind} entry has no field {field}.").format(
                kind=_(KIND_LABELS[entry.kind]), field=unknown[0]
            )
        )
    return {**where, **typed, **changes}


def correct_entry(
    session: Session,
    uuid: str,
    reason: str,
    /,
    *,
    confirm: bool = False,
    witness: str | None = None,
    witness_password: str | None = None,
    **changes: Any,
) -> StoredEntry:
    """A new entry of the same kind superseding `uuid`, re-validated and re-checked as if
    typed now; `changes` are the corrected fields (e.g. `dose_value=`, `patient_id=`, `at=`).
    The earlier entry stays, marked superseded. `reason` (the correction's) is positional-only,
    so `reason=` among the changes is a not-given dose's own reason code."""
    target = existing_entry(session, uuid)
    _may_correct(session, target)
    why = correction_reason(reason)
    drafter = _DRAFTERS.get(target.kind)
    if drafter is None:
        raise BadInput(_("A retraction cannot be corrected."))
    fields = _fields_of(target, changes)
    return record(
        session,
        lambda: drafter(session, replacing=target, **fields),
        confirm=confirm,
        witness=witness,
        witness_password=witness_password,
        replacing=target,
        reason=why,
    )


def retract_entry(session: Session, uuid: str, reason: str) -> StoredEntry:
    """Withdraw an entry made in error (wrong patient, never happened); it stays, marked."""
    target = existing_entry(session, uuid)
    _may_correct(session, target)
    why = correction_reason(reason)
    if target.kind == Kind.RETRACTION:
        raise BadInput(_("A retraction cannot be retracted; record the entry again."))

    def build() -> Draft:
        return Draft(
            Kind.RETRACTION,
            target.patient_id,
            session.now(),
            {"retracted_kind": target.kind},
            order_id=target.order_id,
        )

    return record(session, build, replacing=target, reason=why)
