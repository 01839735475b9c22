"""The census: Patient (identity, INS, IPP), Encounter (where the patient is now) and
AllergyIntolerance (what must never be given).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from continuity.core.text import fold
from continuity.fhir import identifiers as ids
from continuity.fhir.datatypes import (
    as_dict,
    as_list,
    concept_text,
    concepts_text,
    fhir_date,
    first_code,
    has_code,
    human_name,
    identifiers,
    period,
    utc,
)
from continuity.fhir.errors import Invalid
from continuity.fhir.references import Ref, parse_reference

SEXES = ("male", "female", "other", "unknown")
#: Encounter statuses meaning the patient holds a bed now ("onleave": away, bed kept).
CURRENT_STATUSES = ("in-progress", "onleave")
#: SNOMED CT "no known ... allergy" findings: an explicit statement, not an allergy.
NO_KNOWN_ALLERGY_CODES = ("716186003", "409137002", "428607008", "429625007")
_NO_KNOWN_TEXTS = (
    "aucune allergie",
    "pas d'allergie",
    "absence d'allergie",
    "no known allerg",
    "nka",
    "nkda",
    "allergie: aucune",
    "allergies: aucune",
    "sans allergie",
)


@dataclass(slots=True)
class PatientDraft:
    id: str
    where: str
    ipp: str | None
    ins: str | None
    family: str
    given: str
    birth_date: str | None
    sex: str | None
    identifiers: str  # JSON
    deceased: bool


@dataclass(slots=True)
class EncounterDraft:
    id: str
    where: str
    patient: Ref | None
    start: str | None
    locations: list[tuple[Ref, str | None]]  # (location, physicalType given on the Encounter)


@dataclass(slots=True)
class AllergyDraft:
    id: str
    where: str
    patient: Ref | None
    substance: str
    code: str | None
    criticality: str | None
    reaction: str | None
    status: str
    none_known: bool  # "no known allergy": sets the patient's status, is not an allergy
    odd_criticality: str | None = None  # a criticality that is not a FHIR code, left out


def map_patient(resource: dict[str, Any], ident: str, where: str) -> PatientDraft:
    # A patient may have no name yet (an unconscious unknown): kept, found by IPP and bed.
    family, given, _prefix = human_name(resource.get("name"), "Patient.name")
    raw_ids = as_list(resource.get("identifier"), "Patient.identifier")
    gender = resource.get("gender")
    if gender is not None and gender not in SEXES:
        raise Invalid(f"wrong shape: unknown gender {gender!r}")
    deceased = resource.get("deceasedBoolean") is True
    if resource.get("deceasedDateTime") is not None:
        utc(resource["deceasedDateTime"], "Patient.deceasedDateTime")
        deceased = True
    return PatientDraft(
        id=ident,
        where=where,
        ipp=ids.ipp(raw_ids),
        ins=ids.ins(raw_ids),
        family=family,
        given=given,
        birth_date=fhir_date(resource.get("birthDate"), "Patient.birthDate"),
        sex=gender,
        identifiers=json.dumps(identifiers(resource), ensure_ascii=False),
        deceased=deceased,
    )


def encounter_is_current(resource: dict[str, Any]) -> bool:
    return resource.get("status") in CURRENT_STATUSES


def map_encounter(resource: dict[str, Any], ident: str, where: str) -> EncounterDraft:
    start, _end = period(resource.get("period"), "Encounter.period")
    places = []
    for i, entry in enumerate(as_list(resource.get("location"), "Encounter.location")):
        entry = as_dict(entry, f"Encounter.location[{i}]") or {}
        if entry.get("status") in ("planned", "completed"):
            continue
        ref = parse_reference(entry.get("location"), f"Encounter.location[{i}].location")
        if ref is not None:
            places.append((ref, first_code(entry.get("physicalType"))))
    return EncounterDraft(
        id=ident,
        where=where,
        patient=parse_reference(resource.get("subject"), "Encounter.subject"),
        start=start,
        locations=places,
    )


def _status(concept: Any) -> str | None:
    return first_code(concept)


def map_allergy(resource: dict[str, Any], ident: str, where: str) -> AllergyDraft | None:
    """None when the record says it is not (or no longer believed) an allergy."""
    verification = _status(resource.get("verificationStatus"))
    if verification in ("refuted", "entered-in-error"):
        return None
    status = _status(resource.get("clinicalStatus")) or "active"
    code = resource.get("code")
    substance = concept_text(code)
    if substance is None:
        reactions = as_list(resource.get("reaction"), "AllergyIntolerance.reaction")
        substance = next(
            (
                concept_text(r.get("substance"))
                for r in reactions
                if isinstance(r, dict) and concept_text(r.get("substance"))
            ),
            None,
        )
    if substance is None:
        raise Invalid("wrong shape: the AllergyIntolerance names no substance")
    none_known = any(has_code(code, c) for c in NO_KNOWN_ALLERGY_CODES) or _says_none(substance)
    manifestations = []
    for reaction in as_list(resource.get("reaction"), "AllergyIntolerance.reaction"):
        if isinstance(reaction, dict):
            text = concepts_text(reaction.get("manifestation"))
            if text:
                manifestations.append(text)
    # A criticality outside FHIR's codes ("moderate" is common) must not cost the allergy:
    # it is kept with no criticality, and the importer notes it in the report.
    criticality = resource.get("criticality")
    odd_criticality = None
    if criticality is not None and criticality not in ("low", "high", "unable-to-assess"):
        odd_criticality = str(criticality)[:40]
        criticality = None
    return AllergyDraft(
        id=ident,
        where=where,
        patient=parse_reference(resource.get("patient"), "AllergyIntolerance.patient"),
        substance=substance,
        code=first_code(code),
        criticality=criticality,
        reaction="; ".join(dict.fromkeys(manifestations)) or None,
        status=status,
        none_known=none_known,
        odd_criticality=odd_criticality,
    )


def _says_none(text: str) -> bool:
    folded = fold(text)
    return folded in ("nka", "nkda", "aucune", "none") or any(
        marker in folded for marker in _NO_KNOWN_TEXTS if len(marker) > 4
    )
