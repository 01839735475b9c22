"""Places and people: Location (site > ward > room > bed) and Practitioner (with PractitionerRole).

They are read first and looked up later: an Encounter's bed gives the patient's ward, room and
bed names; a MedicationRequest's requester gives the prescriber's name and RPPS number.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from continuity.fhir.datatypes import (
    as_list,
    as_str,
    concept_text,
    display_name,
    first_code,
    identifiers,
)
from continuity.fhir.identifiers import rpps
from continuity.fhir.references import Ref, parse_reference

PHYSICAL_TYPE = "http://terminology.hl7.org/CodeSystem/location-physical-type"


@dataclass(slots=True)
class LocationDraft:
    id: str
    where: str
    name: str
    kind: str  # physicalType code: si, bu, wi, wa, ro, bd... ('' when not given)
    part_of: Ref | None
    identifier: str | None
    type_codes: tuple[str, ...]  # Location.type codes (v3 RoleCode: OR = operating room)
    type_text: str | None


@dataclass(slots=True)
class PractitionerDraft:
    id: str
    where: str
    name: str
    rpps: str | None
    identifiers: str  # JSON


@dataclass(slots=True)
class RoleDraft:
    id: str
    where: str
    practitioner: Ref | None


def map_location(resource: dict[str, Any], ident: str, where: str) -> LocationDraft:
    aliases = [a for a in as_list(resource.get("alias"), "Location.alias") if isinstance(a, str)]
    name = as_str(resource.get("name"), "Location.name") or (aliases[0] if aliases else None)
    kind = first_code(resource.get("physicalType"), (PHYSICAL_TYPE,)) or ""
    found = identifiers(resource)
    types = resource.get("type") if isinstance(resource.get("type"), list) else []
    codes = tuple(code for t in types for code in _codes(t))
    type_text = next((concept_text(t) for t in types if concept_text(t)), None)
    return LocationDraft(
        id=ident,
        where=where,
        name=name or (found[0]["value"] if found else ident),
        kind=kind,
        part_of=parse_reference(resource.get("partOf"), "Location.partOf"),
        identifier=found[0]["value"] if found else None,
        type_codes=codes,
        type_text=type_text,
    )


def _codes(concept: Any) -> list[str]:
    if not isinstance(concept, dict) or not isinstance(concept.get("coding"), list):
        return []
    return [
        c["code"]
        for c in concept["coding"]
        if isinstance(c, dict) and isinstance(c.get("code"), str)
    ]


def map_practitioner(resource: dict[str, Any], ident: str, where: str) -> PractitionerDraft:
    found = identifiers(resource)
    name = display_name(resource.get("name"), "Practitioner.name")
    return PractitionerDraft(
        id=ident,
        where=where,
        name=name or (found[0]["value"] if found else ident),
        rpps=rpps(resource.get("identifier")),
        identifiers=json.dumps(found, ensure_ascii=False),
    )


def map_role(resource: dict[str, Any], ident: str, where: str) -> RoleDraft:
    return RoleDraft(
        ident, where, parse_reference(resource.get("practitioner"), "PractitionerRole.practitioner")
    )
