"""Notes, allergies, lines, admissions and movements as FHIR R4 resources.

- A nursing note becomes a **DocumentReference** (LOINC 34746-8 "Nurse note", the text as a
  plain-text attachment), not a Communication: a Communication is a message from a sender to
  recipients, whereas a note is documentation that belongs in the patient's record, found by
  patient and date; it is how clinical notes are exchanged (US Core clinical notes, the French
  DMP's documents) and what an EHR's document viewer lists. The category (observation,
  handover, incident) is kept, so an incident note can be routed to risk management.
- An allergy learnt during the outage: **AllergyIntolerance**, active but *unconfirmed* (a
  nurse's record, for a physician to confirm).
- A line or device inserted or removed: **Procedure** (completed), the body site as text.
- A downtime admission: **Patient** (temporary identifier; the real IPP once mapped), created
  conditionally on that identifier, and an **Encounter** for the stay.
- Transfers and discharges: **Encounter** resources for the ward stay (in progress at the new
  ward/room/bed; finished with the discharge destination). The cache does not hold the central
  system's encounter ids, so these are ward-stay Encounters keyed by the entry identifier that
  the central ADT links to its own stay, rather than updates of an Encounter we cannot name.
"""

from __future__ import annotations

import base64
from typing import Any

from continuity.fhir.fhir_out import (
    ERROR,
    LOINC,
    N_,
    TEMP_ID_SYSTEM,
    Made,
    References,
    fhir_datetime,
    fr,
)

NOTE_CATEGORY_SYSTEM = "urn:continuity:note-category"
LINE_SYSTEM = "urn:continuity:line-kind"
_ALLERGY_CLINICAL = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
_ALLERGY_VERIFICATION = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification"
_ENCOUNTER_CLASS = {
    "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
    "code": "IMP",
    "display": "inpatient encounter",
}
NOTE_LABELS = {
    "observation": N_("observation"),
    "handover": N_("handover"),
    "incident": N_("incident"),
}
LINE_LABELS = {
    "peripheral_iv": N_("peripheral venous catheter"),
    "central_line": N_("central venous catheter"),
    "picc": N_("PICC line"),
    "midline": N_("midline catheter"),
    "arterial_line": N_("arterial line"),
    "urinary_catheter": N_("urinary catheter"),
    "nasogastric_tube": N_("nasogastric tube"),
    "drain": N_("drain"),
    "other": N_("other device"),
}
_SEXES = ("male", "female", "other", "unknown")


def _dt(row: dict[str, Any], value: str | None = None) -> str | None:
    return fhir_datetime(value if value is not None else row["clinical_time"], row.get("tz") or "")


def note(row: dict[str, Any], refs: References, in_error: bool) -> list[Made]:
    p = row["payload"]
    category = p.get("category") or "observation"
    label = fr(NOTE_LABELS.get(category, category))
    text = p.get("text") or ""
    resource = {
        "resourceType": "DocumentReference",
        "status": ERROR if in_error else "current",
        "docStatus": "final",
        "type": {"coding": [{"system": LOINC, "code": "34746-8", "display": "Nurse note"}]},
        "category": [
            {
                "coding": [{"system": NOTE_CATEGORY_SYSTEM, "code": category, "display": label}],
                "text": label,
            }
        ],
        "subject": refs.patient(row.get("patient_id")),
        "date": row["recorded_time"],
        "author": [u for u in (refs.user(row.get("author")),) if u],
        "description": fr(N_("Nursing note ({category})")).format(category=label),
        "content": [
            {
                "attachment": {
                    "contentType": "text/plain; charset=utf-8",
                    "language": "fr",
                    "data": base64.b64encode(text.encode("utf-8")).decode("ascii"),
                    "creation": _dt(row),
                }
            }
        ],
        "context": {"period": {"start": _dt(row)}},
    }
    return [Made(resource)]


def allergy(row: dict[str, Any], refs: References, in_error: bool) -> list[Made]:
    p = row["payload"]
    substance = p.get("substance") or "?"
    code: dict[str, Any] = {"text": substance}
    if p.get("code"):
        code["coding"] = [{"code": str(p["code"]), "display": substance}]
    resource: dict[str, Any] = {
        "resourceType": "AllergyIntolerance",
        "verificationStatus": {
            "coding": [
                {"system": _ALLERGY_VERIFICATION, "code": ERROR if in_error else "unconfirmed"}
            ]
        },
        "code": code,
        "patient": refs.patient(row.get("patient_id")),
        "recordedDate": _dt(row),
        "recorder": refs.user(row.get("author")),
        "criticality": p.get("criticality"),
    }
    if not in_error:  # ait-2: no clinical status on an allergy entered in error
        resource["clinicalStatus"] = {"coding": [{"system": _ALLERGY_CLINICAL, "code": "active"}]}
    if p.get("reaction"):
        resource["reaction"] = [{"manifestation": [{"text": p["reaction"]}]}]
    return [Made(resource)]


def line(row: dict[str, Any], refs: References, in_error: bool) -> list[Made]:
    p = row["payload"]
    kind = p.get("line_kind") or "other"
    action = p.get("action") or "inserted"
    what = fr(LINE_LABELS.get(kind, kind))
    title = (
        fr(N_("Insertion: {device}")) if action == "inserted" else fr(N_("Removal: {device}"))
    ).format(device=what)
    notes = [{"text": p["comment"]}] if p.get("comment") else []
    if p.get("line"):
        notes.append(
            {
                "text": fr(N_("Removal of the device inserted by entry {uuid}")).format(
                    uuid=p["line"]
                )
            }
        )
    resource = {
        "resourceType": "Procedure",
        "status": ERROR if in_error else "completed",
        "code": {
            "coding": [{"system": LINE_SYSTEM, "code": f"{action}:{kind}", "display": title}],
            "text": title,
        },
        "subject": refs.patient(row.get("patient_id")),
        "performedDateTime": _dt(row),
        "performer": [{"actor": u} for u in (refs.user(row.get("author")),) if u],
        "bodySite": [{"text": p["site"]}] if p.get("site") else None,
        "note": notes,
    }
    return [Made(resource)]


def _where(p: dict[str, Any]) -> str:
    parts = [p.get("ward")]
    if p.get("room"):
        parts.append(fr(N_("room {room}")).format(room=p["room"]))
    if p.get("bed"):
        parts.append(fr(N_("bed {bed}")).format(bed=p["bed"]))
    return ", ".join(x for x in parts if x) or "?"


def _encounter(
    row: dict[str, Any], refs: References, in_error: bool, *, finished: bool
) -> dict[str, Any]:
    p = row["payload"]
    when = _dt(row)
    resource: dict[str, Any] = {
        "resourceType": "Encounter",
        "status": ERROR if in_error else ("finished" if finished else "in-progress"),
        "class": _ENCOUNTER_CLASS,
        "subject": refs.patient(row.get("patient_id")),
        "period": {"end": when} if finished else {"start": when},
    }
    if not finished:
        resource["location"] = [
            {"location": {"display": _where(p)}, "status": "active", "period": {"start": when}}
        ]
    return resource


def admission(row: dict[str, Any], refs: References, in_error: bool) -> list[Made]:
    """The Patient (current admissions only: one person, whatever the corrections) and the
    Encounter of the stay."""
    made = [Made(_encounter(row, refs, in_error, finished=False))]
    if in_error:
        return made
    p = row["payload"]
    temp_id = row.get("patient_id") or ""
    identifiers: list[dict[str, Any]] = [
        {"use": "temp", "system": TEMP_ID_SYSTEM, "value": temp_id}
    ]
    ipp = refs.ipp_of.get(temp_id)
    if ipp:
        ident: dict[str, Any] = {
            "use": "official",
            "type": {
                "coding": [
                    {"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "PI"}
                ],
                "text": "IPP",
            },
            "value": ipp,
        }
        if refs.ipp_system:
            ident["system"] = refs.ipp_system
        identifiers.insert(0, ident)
    name = {"use": "official", "family": p.get("family") or ""}
    if p.get("given"):
        name["given"] = [p["given"]]
    sex = p.get("sex") if p.get("sex") in _SEXES else "unknown"
    patient = {
        "resourceType": "Patient",
        "name": [name],
        "gender": sex,
        "birthDate": p.get("birth_date"),
    }
    made.insert(
        0, Made(patient, extra_identifiers=identifiers, create_on=refs.patient_condition(temp_id))
    )
    return made


def transfer(row: dict[str, Any], refs: References, in_error: bool) -> list[Made]:
    return [Made(_encounter(row, refs, in_error, finished=False))]


def discharge(row: dict[str, Any], refs: References, in_error: bool) -> list[Made]:
    """R4 Encounter has no note: the comment goes with the discharge destination."""
    p = row["payload"]
    resource = _encounter(row, refs, in_error, finished=True)
    text = " — ".join(x for x in (p.get("destination"), p.get("comment")) if x)
    if text:
        resource["hospitalization"] = {"dischargeDisposition": {"text": text}}
    return [Made(resource)]
