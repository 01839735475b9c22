"""Appointments and operating-room lists: Appointment, and planned Procedures where a source
writes its OR list that way.

An entry is an operating-room one when it happens in an operating room (Location type OR, or a
room named "bloc"/"salle d'opération") or its service says surgery; everything else is an
appointment (imaging, consultations...).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from continuity.core.text import fold
from continuity.fhir.datatypes import as_dict, as_list, as_str, concept_text, concepts_text, utc
from continuity.fhir.errors import Invalid
from continuity.fhir.references import Ref, parse_reference

APPOINTMENT_STATUSES = (
    "proposed",
    "pending",
    "booked",
    "arrived",
    "fulfilled",
    "cancelled",
    "noshow",
    "entered-in-error",
    "checked-in",
    "waitlist",
)
#: Words (folded) that mark an operating-room place or a surgical service.
OPERATING_WORDS = ("bloc", "operat", "theatre", "surgery", "surgical", "chirurgi")
#: v3 RoleCode / SNOMED codes for an operating room or a surgical procedure.
OPERATING_CODES = ("OR", "387713003")


@dataclass(slots=True)
class AppointmentDraft:
    id: str
    where: str
    resource_type: str
    start: str | None
    end: str | None
    service: str | None
    description: str | None
    status: str | None
    surgical_service: bool
    participants: list[tuple[Ref, str | None, str | None]]  # (actor, role text, status)
    location: Ref | None = None  # a Procedure's own location


def says_operating(*texts: str | None) -> bool:
    folded = " ".join(fold(t) for t in texts if t)
    return any(word in folded for word in OPERATING_WORDS)


def _concept_codes(concepts: Any) -> set[str]:
    found = set()
    for concept in concepts if isinstance(concepts, list) else [concepts]:
        if isinstance(concept, dict) and isinstance(concept.get("coding"), list):
            found.update(c.get("code") for c in concept["coding"] if isinstance(c, dict))
    return found


def map_appointment(resource: dict[str, Any], ident: str, where: str) -> AppointmentDraft:
    status = resource.get("status")
    if status not in APPOINTMENT_STATUSES:
        raise Invalid(f"wrong shape: Appointment.status {status!r} is not a FHIR status")
    start = utc(resource.get("start"), "Appointment.start")
    end = utc(resource.get("end"), "Appointment.end")
    if start and end and end < start:
        raise Invalid("impossible period: the Appointment ends before it starts")
    categories = [resource.get(k) for k in ("serviceCategory", "serviceType", "specialty")]
    texts = [concepts_text(c) for c in categories]
    texts.append(concept_text(resource.get("appointmentType")))
    codes = set().union(*(_concept_codes(c) for c in categories))
    participants = []
    for i, item in enumerate(as_list(resource.get("participant"), "Appointment.participant")):
        item = as_dict(item, f"Appointment.participant[{i}]") or {}
        actor = parse_reference(item.get("actor"), f"Appointment.participant[{i}].actor")
        if actor is not None:
            role = concepts_text(item.get("type"))
            participants.append((actor, role, item.get("status")))
    service = (
        concepts_text(resource.get("serviceType"))
        or concepts_text(resource.get("serviceCategory"))
        or concepts_text(resource.get("specialty"))
    )
    return AppointmentDraft(
        id=ident,
        where=where,
        resource_type="Appointment",
        start=start,
        end=end,
        service=service,
        description=as_str(resource.get("description"), "Appointment.description")
        or as_str(resource.get("comment"), "Appointment.comment"),
        status=status,
        surgical_service=says_operating(*texts) or bool(codes & set(OPERATING_CODES)),
        participants=participants,
    )


def procedure_is_planned(resource: dict[str, Any]) -> bool:
    return resource.get("status") in ("preparation", "in-progress")


def map_procedure(resource: dict[str, Any], ident: str, where: str) -> AppointmentDraft:
    """A planned Procedure, as an OR-list entry (the form some theatre systems export)."""
    performed = as_dict(resource.get("performedPeriod"), "Procedure.performedPeriod") or {}
    start = utc(performed.get("start") or resource.get("performedDateTime"), "Procedure.performed")
    end = utc(performed.get("end"), "Procedure.performedPeriod.end")
    participants: list[tuple[Ref, str | None, str | None]] = []
    subject = parse_reference(resource.get("subject"), "Procedure.subject")
    if subject is not None:
        participants.append((subject, None, None))
    for i, item in enumerate(as_list(resource.get("performer"), "Procedure.performer")):
        item = as_dict(item, f"Procedure.performer[{i}]") or {}
        actor = parse_reference(item.get("actor"), f"Procedure.performer[{i}].actor")
        if actor is not None:
            participants.append((actor, concept_text(item.get("function")), None))
    return AppointmentDraft(
        id=ident,
        where=where,
        resource_type="Procedure",
        start=start,
        end=end,
        service=concept_text(resource.get("category")),
        description=concept_text(resource.get("code")),
        status=resource.get("status"),
        surgical_service=True,
        participants=participants,
        location=parse_reference(resource.get("location"), "Procedure.location"),
    )
