"""Prescriptions: MedicationRequest with its Medication, dose, route, timing and prescriber.

Choices made here, for safety first:

- One order carries one schedule. When a prescription has several dosage instructions (a
  morning and an evening dose of different strengths, a taper), no single schedule is right, so
  its timing is stored as not expandable with all the instructions as text: the MAR prints
  "see instructions" and the full text, never one half of it.
- Proposals, plans and options are not orders: counted and skipped.
- A Medication that is not in the snapshot keeps the reference's display text as the drug's
  name; with no text at all the order is rejected (a drug without a name cannot be given).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from continuity.core.timing import describe, parse_timing
from continuity.fhir.datatypes import (
    as_dict,
    as_list,
    as_str,
    codings,
    concept_text,
    display_name,
    first_code,
    period,
    utc,
)
from continuity.fhir.errors import Invalid
from continuity.fhir.identifiers import rpps
from continuity.fhir.references import Ref, parse_reference

STATUSES = (
    "active",
    "on-hold",
    "cancelled",
    "completed",
    "entered-in-error",
    "stopped",
    "draft",
    "unknown",
)
NOT_ORDERS = ("proposal", "plan", "option")
_TIMING_MEMO: dict[tuple[str, bool, str | None], str] = {}
_MEMO_LIMIT = 20000


@dataclass(slots=True)
class MedicationDraft:
    id: str
    where: str
    name: str
    code: str | None
    codes: tuple[str, ...]
    form: str | None
    ingredients: tuple[str, ...]


@dataclass(slots=True)
class OrderDraft:
    id: str
    where: str
    patient: Ref | None
    medication: Ref | None  # None when given inline (drug already set)
    drug: str | None
    drug_code: str | None
    codes: tuple[str, ...]
    form: str | None
    ingredients: tuple[str, ...]
    dose_value: float | None
    dose_unit: str | None
    route: str | None
    instructions: str | None
    timing: str
    as_needed: bool
    prn_reason: str | None
    start: str | None
    end: str | None
    validity_end: str | None
    status: str
    requester: Ref | None
    requester_name: str | None  # from a contained Practitioner
    requester_rpps: str | None
    authored_on: str | None


def map_medication(resource: dict[str, Any], ident: str, where: str) -> MedicationDraft:
    code = resource.get("code")
    ingredients = []
    for i, item in enumerate(as_list(resource.get("ingredient"), "Medication.ingredient")):
        item = as_dict(item, f"Medication.ingredient[{i}]") or {}
        name = concept_text(item.get("itemCodeableConcept"))
        if name is None and isinstance(item.get("itemReference"), dict):
            name = as_str(item["itemReference"].get("display"), "ingredient.itemReference")
        if name:
            ingredients.append(name)
    name = concept_text(code) or " + ".join(ingredients)
    if not name:
        raise Invalid("wrong shape: the Medication names no drug")
    return MedicationDraft(
        id=ident,
        where=where,
        name=name,
        code=first_code(code),
        codes=tuple(c for _s, c in codings(code)),
        form=concept_text(resource.get("form")),
        ingredients=tuple(ingredients),
    )


def is_order(resource: dict[str, Any]) -> bool:
    return resource.get("intent") not in NOT_ORDERS


def map_order(
    resource: dict[str, Any], ident: str, where: str, contained: dict[str, dict[str, Any]]
) -> OrderDraft:
    status = resource.get("status")
    if status not in STATUSES:
        raise Invalid(f"wrong shape: MedicationRequest.status {status!r} is not a FHIR status")
    drug = drug_code = form = None
    codes: tuple[str, ...] = ()
    ingredients: tuple[str, ...] = ()
    medication = None
    if resource.get("medicationCodeableConcept") is not None:
        concept = as_dict(resource["medicationCodeableConcept"], "medicationCodeableConcept")
        drug = concept_text(concept)
        drug_code = first_code(concept)
        codes = tuple(c for _s, c in codings(concept))
        if drug is None:
            raise Invalid("wrong shape: medicationCodeableConcept names no drug")
    else:
        medication = parse_reference(resource.get("medicationReference"), "medicationReference")
        if medication is None:
            raise Invalid("wrong shape: the MedicationRequest names no medication")
        if medication.contained is not None:
            inner = contained.get(medication.contained)
            if inner is None or inner.get("resourceType") != "Medication":
                raise Invalid(f"contained Medication #{medication.contained} is missing")
            med = map_medication(inner, medication.contained, where)
            drug, drug_code, codes, form = med.name, med.code, med.codes, med.form
            ingredients = med.ingredients
            medication = None

    dosages = [
        as_dict(d, "dosageInstruction") or {}
        for d in as_list(resource.get("dosageInstruction"), "dosageInstruction")
    ]
    first = dosages[0] if dosages else {}
    dose_value, dose_unit = _dose(first)
    as_needed, prn_reason = _as_needed(first)
    if len(dosages) > 1 and len({_shape(d) for d in dosages}) > 1:
        text = " ; ".join(_dosage_text(d) for d in dosages)
        as_needed = all(_as_needed(d)[0] for d in dosages)
        if len({_dose(d) for d in dosages}) > 1:
            dose_value, dose_unit = None, None
        timing = parse_timing(None, as_needed=False, text=text).to_json()
        instructions: str | None = text
    else:
        instructions = as_str(first.get("text"), "dosageInstruction.text")
        timing = _timing_json(first.get("timing"), as_needed, instructions)
    start, end = _bounds(dosages)
    validity = (
        as_dict(
            (as_dict(resource.get("dispenseRequest"), "dispenseRequest") or {}).get(
                "validityPeriod"
            ),
            "dispenseRequest.validityPeriod",
        )
        or {}
    )
    if start is None:
        start = utc(validity.get("start"), "dispenseRequest.validityPeriod.start")
    validity_end = utc(validity.get("end"), "dispenseRequest.validityPeriod.end", end=True)

    requester = parse_reference(resource.get("requester"), "MedicationRequest.requester")
    requester_name = requester_rpps = None
    if requester is not None and requester.contained is not None:
        inner = contained.get(requester.contained) or {}
        requester_name = display_name(inner.get("name")) or requester.display
        requester_rpps = rpps(inner.get("identifier"))
    return OrderDraft(
        id=ident,
        where=where,
        patient=parse_reference(resource.get("subject"), "MedicationRequest.subject"),
        medication=medication,
        drug=drug,
        drug_code=drug_code,
        codes=codes,
        form=form,
        ingredients=ingredients,
        dose_value=dose_value,
        dose_unit=dose_unit,
        route=concept_text(first.get("route")),
        instructions=instructions,
        timing=timing,
        as_needed=as_needed,
        prn_reason=prn_reason,
        start=start,
        end=end,
        validity_end=validity_end,
        status=status,
        requester=requester,
        requester_name=requester_name,
        requester_rpps=requester_rpps,
        authored_on=utc(resource.get("authoredOn"), "MedicationRequest.authoredOn"),
    )


def _timing_json(timing: Any, as_needed: bool, text: str | None) -> str:
    """parse_timing(...).to_json(), memoised: 50,000 orders share a few hundred schedules."""
    # repr() of the parsed JSON is exact and cheap; a different key order only misses.
    key = (repr(timing), as_needed, text)
    found = _TIMING_MEMO.get(key)
    if found is None:
        found = parse_timing(timing, as_needed=as_needed, text=text).to_json()
        if len(_TIMING_MEMO) >= _MEMO_LIMIT:
            _TIMING_MEMO.clear()
        _TIMING_MEMO[key] = found
    return found


def _dose(dosage: dict[str, Any]) -> tuple[float | None, str | None]:
    rates = as_list(dosage.get("doseAndRate"), "dosageInstruction.doseAndRate")
    if not rates or not isinstance(rates[0], dict):
        return None, None
    quantity = as_dict(rates[0].get("doseQuantity"), "doseAndRate.doseQuantity")
    if not quantity:
        return None, None
    value = quantity.get("value")
    if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
        raise Invalid("wrong shape: doseQuantity.value must be a number")
    if value is not None and value < 0:
        raise Invalid("impossible dose: doseQuantity.value is negative")
    unit = quantity.get("unit") or quantity.get("code")
    return (
        float(value) if value is not None else None,
        unit if isinstance(unit, str) and unit.strip() else None,
    )


def _as_needed(dosage: dict[str, Any]) -> tuple[bool, str | None]:
    concept = dosage.get("asNeededCodeableConcept")
    if concept is not None:
        return True, concept_text(concept)
    return dosage.get("asNeededBoolean") is True, None


def _shape(dosage: dict[str, Any]) -> str:
    """A dosage without its sequence number, to tell repeated copies from real differences."""
    return json.dumps({k: v for k, v in dosage.items() if k != "sequence"}, sort_keys=True)


def _dosage_text(dosage: dict[str, Any]) -> str:
    text = dosage.get("text")
    if isinstance(text, str) and text.strip():
        return text.strip()
    value, unit = _dose(dosage)
    as_needed, _reason = _as_needed(dosage)
    timing = parse_timing(dosage.get("timing"), as_needed=as_needed)
    amount = f"{value:g} {unit or ''}".strip() if value is not None else ""
    return " ".join(p for p in (amount, describe(timing)) if p)


def _bounds(dosages: list[dict[str, Any]]) -> tuple[str | None, str | None]:
    """The span of the dosages' boundsPeriods (start of the first, end of the last)."""
    starts, ends = [], []
    for d in dosages:
        timing = as_dict(d.get("timing"), "dosageInstruction.timing") or {}
        repeat = as_dict(timing.get("repeat"), "timing.repeat") or {}
        start, end = period(repeat.get("boundsPeriod"), "timing.repeat.boundsPeriod")
        starts.append(start)
        ends.append(end)
    start = min(starts) if starts and all(starts) else None
    end = max(ends) if ends and all(ends) else None
    return start, end
