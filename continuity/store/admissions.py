"""Patients arriving, moving and leaving during the outage.

A downtime admission registers a person under a temporary id (`temp_ids`); before it does,
`likely_matches` looks for the same person in the cached census and in earlier downtime
admissions, and the admission asks for confirmation when there are any, so that one person
does not end up with two records to merge after the outage.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from continuity.core import safety
from continuity.core.clock import local
from continuity.core.entries import (
    Kind,
    admission_payload,
    discharge_payload,
    parse_birth_date,
    parse_sex,
    transfer_payload,
)
from continuity.core.errors import BadInput
from continuity.core.i18n import _
from continuity.core.identity import Person, match
from continuity.core.roles import Permission
from continuity.store import census
from continuity.store.entry_log import (
    Draft,
    StoredEntry,
    check_fields,
    clinical_time,
    record,
    resolve_patient,
    simple_drafter,
)
from continuity.store.session import Session
from continuity.store.temp_ids import check_reserved_unused, take_temp_ids

MAX_MATCHES = 10


@dataclass(frozen=True)
class LikelyMatch:
    patient: census.Patient
    score: float
    reasons: tuple[str, ...]  # "name", "birth_date", "homonym"


def likely_matches(
    session: Session,
    family: str,
    given: str | None = None,
    birth_date: date | str | None = None,
    sex: str | None = None,
    *,
    exclude: str | None = None,
) -> list[LikelyMatch]:
    """Census patients and downtime admissions who may be this person, best first."""
    session.require(Permission.VIEW_PATIENTS)
    query = Person(
        family or "",
        given or "",
        parse_birth_date(birth_date, local(session.now()).date()),
        parse_sex(sex),
    )
    found = []
    for patient in census.list_patients(session, include_discharged=True, include_absent=True):
        if patient.id == exclude:
            continue
        candidate = Person(patient.family, patient.given, patient.birth_date, patient.sex)
        result = match(query, candidate)
        if result is not None:
            found.append(LikelyMatch(patient, result[0], tuple(result[1])))
    found.sort(key=lambda m: (-m.score, m.patient.family, m.patient.id))
    return found[:MAX_MATCHES]


def _match_check(matches: list[LikelyMatch]) -> list[safety.Check]:
    if not matches:
        return []
    who = "; ".join(_describe(m.patient) for m in matches[:3])
    return [
        safety.Check(
            "likely_match", _("This person may already be registered: {who}.").format(who=who)
        )
    ]


def _describe(patient: census.Patient) -> str:
    born = patient.birth_date.strftime("%d/%m/%Y") if patient.birth_date else "?"
    return f"{patient.display_name} ({born}, {patient.label_id})"


def admit_patient(
    session: Session,
    *,
    family: str,
    ward: str,
    given: str | None = None,
    birth_date: date | str | None = None,
    sex: str | None = None,
    room: str | None = None,
    bed: str | None = None,
    at: datetime | str | None = None,
    temp_id: str | None = None,
    confirm: bool = False,
) -> StoredEntry:
    """Register a patient under a temporary id (a new one, or one reserved for a printed
    form); refused with the likely matches unless `confirm`. The entry's patient_id is the
    temporary id."""
    fields = dict(
        family=family, given=given, birth_date=birth_date, sex=sex, ward=ward, room=room, bed=bed
    )
    return record(
        session, lambda: draft_admission(session, temp_id=temp_id, at=at, **fields), confirm=confirm
    )


def draft_admission(
    session: Session,
    *,
    temp_id: str | None = None,
    at: datetime | str | None = None,
    replacing: StoredEntry | None = None,
    **fields: Any,
) -> Draft:
    when, checks = clinical_time(session, at)
    today = local(session.now()).date()
    payload = admission_payload(today=today, **check_fields(Kind.ADMISSION, fields))
    if replacing is not None:
        temp_id = replacing.patient_id
    elif temp_id:
        temp_id = check_reserved_unused(session, temp_id)
    matches = likely_matches(
        session,
        payload["family"],
        payload["given"],
        payload["birth_date"],
        payload["sex"],
        exclude=temp_id,
    )
    checks += _match_check(matches)
    if temp_id is None:
        temp_id = take_temp_ids(session, 1)[0]
    return Draft(Kind.ADMISSION, temp_id, when, payload, checks=checks)


def transfer_patient(
    session: Session,
    *,
    patient_id: str,
    ward: str,
    room: str | None = None,
    bed: str | None = None,
    at: datetime | str | None = None,
    confirm: bool = False,
) -> StoredEntry:
    """A move to another ward, room or bed (also brings back a discharged patient)."""
    return record(
        session,
        lambda: draft_transfer(
            session, patient_id=patient_id, at=at, ward=ward, room=room, bed=bed
        ),
        confirm=confirm,
    )


draft_transfer = simple_drafter(Kind.TRANSFER, transfer_payload)


def discharge_patient(
    session: Session,
    *,
    patient_id: str,
    destination: str | None = None,
    comment: str | None = None,
    at: datetime | str | None = None,
    confirm: bool = False,
) -> StoredEntry:
    return record(
        session,
        lambda: draft_discharge(
            session, patient_id=patient_id, at=at, destination=destination, comment=comment
        ),
        confirm=confirm,
    )


_draft_discharge = simple_drafter(Kind.DISCHARGE, discharge_payload)


def draft_discharge(
    session: Session, *, patient_id: str, replacing: StoredEntry | None = None, **fields: Any
) -> Draft:
    if resolve_patient(session, patient_id).discharged and replacing is None:
        raise BadInput(_("This patient is already discharged."))
    return _draft_discharge(session, patient_id=patient_id, replacing=replacing, **fields)
