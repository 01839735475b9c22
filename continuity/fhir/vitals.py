"""Vital signs: the latest value per code per patient (weight matters for dosing).

A blood pressure panel is kept as "120/80" under its panel code, and each component (systolic,
diastolic) also under its own code, so a screen can ask for either.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from continuity.fhir.datatypes import as_dict, as_list, concept_text, first_code, utc
from continuity.fhir.errors import Invalid
from continuity.fhir.references import Ref, parse_reference

LOINC = "http://loinc.org"
KEPT_STATUSES = ("final", "amended", "corrected", "preliminary")


@dataclass(slots=True)
class VitalRow:
    code: str
    display: str
    value: float | None
    value_text: str | None
    unit: str | None


@dataclass(slots=True)
class ObservationDraft:
    id: str
    where: str
    patient: Ref | None
    effective: str | None
    rows: list[VitalRow]


def is_vital_sign(resource: dict[str, Any]) -> bool:
    categories = resource.get("category")
    if not isinstance(categories, list):
        return False
    for concept in categories:
        codings = concept.get("coding") if isinstance(concept, dict) else None
        if isinstance(codings, list):
            for coding in codings:
                if isinstance(coding, dict) and coding.get("code") == "vital-signs":
                    return True
    return False


def is_kept(resource: dict[str, Any]) -> bool:
    return resource.get("status") in KEPT_STATUSES


def _value(holder: dict[str, Any], element: str) -> tuple[float | None, str | None, str | None]:
    """(number, text, unit) of an Observation's or a component's value[x]."""
    quantity = as_dict(holder.get("valueQuantity"), f"{element}.valueQuantity")
    if quantity is not None:
        value = quantity.get("value")
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise Invalid(f"wrong shape: {element}.valueQuantity.value must be a number")
        unit = quantity.get("unit") or quantity.get("code")
        return (
            float(value) if value is not None else None,
            None,
            unit if isinstance(unit, str) else None,
        )
    for key in ("valueInteger", "valueDecimal"):
        if isinstance(holder.get(key), int | float) and not isinstance(holder.get(key), bool):
            return float(holder[key]), None, None
    if isinstance(holder.get("valueString"), str):
        return None, holder["valueString"], None
    if holder.get("valueCodeableConcept") is not None:
        return None, concept_text(holder["valueCodeableConcept"]), None
    if isinstance(holder.get("valueBoolean"), bool):
        return None, "yes" if holder["valueBoolean"] else "no", None
    return None, None, None


def _number_text(value: float | None) -> str:
    return "?" if value is None else f"{value:g}"


def map_observation(resource: dict[str, Any], ident: str, where: str) -> ObservationDraft | None:
    """None when the Observation holds no value (e.g. a dataAbsentReason)."""
    code = resource.get("code")
    loinc = first_code(code, (LOINC,))
    if loinc is None:
        raise Invalid("wrong shape: the Observation has no code")
    display = concept_text(code) or loinc
    effective = utc(
        resource.get("effectiveDateTime") or resource.get("effectiveInstant"),
        "Observation.effective",
    )
    if effective is None:
        effective_period = as_dict(resource.get("effectivePeriod"), "effectivePeriod") or {}
        effective = utc(
            effective_period.get("start") or resource.get("issued"), "Observation.effectivePeriod"
        )
    value, text, unit = _value(resource, "Observation")
    rows: list[VitalRow] = []
    parts = []
    for i, component in enumerate(as_list(resource.get("component"), "Observation.component")):
        component = as_dict(component, f"Observation.component[{i}]") or {}
        c_code = first_code(component.get("code"), (LOINC,))
        c_value, c_text, c_unit = _value(component, f"Observation.component[{i}]")
        if c_code is None or (c_value is None and c_text is None):
            continue
        rows.append(
            VitalRow(c_code, concept_text(component.get("code")) or c_code, c_value, c_text, c_unit)
        )
        parts.append(c_text if c_value is None else _number_text(c_value))
        unit = unit or c_unit
    if value is None and text is None and parts:
        text = "/".join(parts)
    if value is None and text is None:
        return None  # dataAbsentReason, or nothing measured: nothing to show

    rows.insert(0, VitalRow(loinc, display, value, text, unit))
    return ObservationDraft(
        id=ident,
        where=where,
        patient=parse_reference(resource.get("subject"), "Observation.subject"),
        effective=effective,
        rows=rows,
    )
