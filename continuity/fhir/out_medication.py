"""Doses, infusions and manual orders as FHIR R4 MedicationAdministration / MedicationRequest.

A dose refers to its order by the order's source id (`MedicationRequest/<id>`), the very id the
central system exported in the snapshot; a dose on a prescription written on paper during the
outage refers to the MedicationRequest made from that manual order. The scheduled time a dose
answered has no element in R4 MedicationAdministration: it travels in an extension, and the
performer list names the nurse and the witness of a high-alert drug.
"""

from __future__ import annotations

from typing import Any

from continuity.fhir.fhir_out import (
    ERROR,
    IDNATPS_SYSTEM,
    MANUAL_ORDER_SYSTEM,
    N_,
    PAPER_REF_SYSTEM,
    UCUM,
    Made,
    References,
    fhir_datetime,
    fr,
)

SCHEDULED_EXTENSION = "urn:continuity:fhir:scheduled-time"
NOT_GIVEN_SYSTEM = "urn:continuity:not-given-reason"
_PERFORM = "http://terminology.hl7.org/CodeSystem/med-admin-perform-function"

NOT_GIVEN_LABELS = {
    "refused": N_("patient refused"),
    "held": N_("held by the prescriber"),
    "absent": N_("patient absent"),
    "unavailable": N_("drug unavailable"),
    "nil_by_mouth": N_("nil by mouth"),
    "other": N_("other reason"),
}

#: Units as typed on wards -> UCUM codes; anything else is kept as text only.
_UCUM = {
    "mg": "mg",
    "g": "g",
    "µg": "ug",
    "mcg": "ug",
    "ug": "ug",
    "ml": "mL",
    "l": "L",
    "ui": "[iU]",
    "iu": "[iU]",
    "u": "[U]",
    "mmol": "mmol",
    "meq": "meq",
    "ng": "ng",
    "ml/h": "mL/h",
    "kg": "kg",
    "%": "%",
}


def quantity(value: Any, unit: str | None) -> dict[str, Any] | None:
    if value is None:
        return None
    out: dict[str, Any] = {"value": value}
    if unit:
        out["unit"] = unit
        code = _UCUM.get(unit.strip().lower())
        if code:
            out.update(system=UCUM, code=code)
    return out


def _text(value: Any) -> dict[str, str] | None:
    return {"text": str(value)} if value not in (None, "") else None


def _notes(*texts: str | None) -> list[dict[str, str]]:
    return [{"text": t} for t in texts if t]


def _performers(row: dict[str, Any], refs: References) -> list[dict[str, Any]]:
    out = []
    author = refs.user(row.get("author"))
    if author:
        out.append(
            {"function": {"coding": [{"system": _PERFORM, "code": "performer"}]}, "actor": author}
        )
    witness = refs.user(row.get("witness"))
    if witness:
        out.append(
            {"function": {"coding": [{"system": _PERFORM, "code": "witness"}]}, "actor": witness}
        )
    return out


def dose(row: dict[str, Any], refs: References, in_error: bool) -> list[Made]:
    p = row["payload"]
    tz = row.get("tz") or ""
    given = p.get("status") == "given"
    resource: dict[str, Any] = {
        "resourceType": "MedicationAdministration",
        "status": ERROR if in_error else ("completed" if given else "not-done"),
        "medicationCodeableConcept": {"text": p.get("drug") or fr(N_("drug"))},
        "subject": refs.patient(row.get("patient_id")),
        "effectiveDateTime": fhir_datetime(row["clinical_time"], tz),
        "performer": _performers(row, refs),
        "request": refs.order(row.get("order_id")),
    }
    if p.get("scheduled"):
        resource["extension"] = [
            {"url": SCHEDULED_EXTENSION, "valueDateTime": fhir_datetime(p["scheduled"], tz)}
        ]
    if not given:
        code = p.get("reason") or "other"
        label = fr(NOT_GIVEN_LABELS.get(code, NOT_GIVEN_LABELS["other"]))
        resource["statusReason"] = [
            {
                "coding": [{"system": NOT_GIVEN_SYSTEM, "code": code, "display": label}],
                "text": p.get("reason_text") or label,
            }
        ]
    else:
        dosage = {
            "site": _text(p.get("site")),
            "route": _text(p.get("route")),
            "dose": quantity(p.get("dose_value"), p.get("dose_unit")),
        }
        resource["dosage"] = {k: v for k, v in dosage.items() if v}
        if p.get("prn_reason"):
            resource["reasonCode"] = [{"text": p["prn_reason"]}]
    change = p.get("dose_change_reason")
    resource["note"] = _notes(
        p.get("comment"),
        fr(N_("Dose different from the order: {why}")).format(why=change) if change else None,
    )
    return [Made(resource)]


def infusion(row: dict[str, Any], refs: References, in_error: bool) -> list[Made]:
    """Start (in progress, rate and volume), rate change (part of the start) or stop."""
    p = row["payload"]
    tz = row.get("tz") or ""
    action = p.get("action")
    when = fhir_datetime(row["clinical_time"], tz)
    if action == "start":
        label = " + ".join(x for x in (p.get("solution"), p.get("additive")) if x)
    else:
        label = refs.infusion_labels.get(refs.latest(p.get("infusion") or ""), "")
    resource: dict[str, Any] = {
        "resourceType": "MedicationAdministration",
        "status": ERROR if in_error else ("completed" if action == "stop" else "in-progress"),
        "medicationCodeableConcept": {"text": label or fr(N_("infusion"))},
        "subject": refs.patient(row.get("patient_id")),
        "effectivePeriod": {"end": when} if action == "stop" else {"start": when},
        "performer": _performers(row, refs),
        "request": refs.order(row.get("order_id")),
    }
    dosage: dict[str, Any] = {}
    if action == "start":
        dosage["dose"] = quantity(p.get("volume"), "mL")
    if action in ("start", "rate_change"):
        dosage["rateQuantity"] = quantity(p.get("rate"), "mL/h")
    if action == "stop":
        dosage["dose"] = quantity(p.get("volume_infused"), "mL")
    resource["dosage"] = {k: v for k, v in dosage.items() if v}
    if action != "start" and p.get("infusion"):
        resource["partOf"] = [refs.entry("MedicationAdministration", p["infusion"])]
    labels = {
        "start": N_("Infusion started"),
        "rate_change": N_("Infusion rate changed"),
        "stop": N_("Infusion stopped"),
    }
    resource["note"] = _notes(fr(labels.get(action, N_("infusion"))), p.get("comment"))
    return [Made(resource)]


def manual_order(row: dict[str, Any], refs: References, in_error: bool) -> list[Made]:
    """A paper prescription transcribed during the outage, marked as such (tag and note)."""
    p = row["payload"]
    tz = row.get("tz") or ""
    order_id = row.get("order_id") or row["uuid"]
    status = p.get("status") or "active"
    instruction: dict[str, Any] = {
        "text": p.get("instructions"),
        "timing": p.get("timing"),
        "route": _text(p.get("route")),
    }
    if p.get("as_needed"):
        if p.get("prn_reason"):
            instruction["asNeededCodeableConcept"] = {"text": p["prn_reason"]}
        else:
            instruction["asNeededBoolean"] = True
    dose_qty = quantity(p.get("dose_value"), p.get("dose_unit"))
    if dose_qty:
        instruction["doseAndRate"] = [{"doseQuantity": dose_qty}]
    requester: dict[str, Any] = {"display": p.get("prescriber_name") or "?"}
    if p.get("prescriber_rpps"):
        requester["identifier"] = {"system": IDNATPS_SYSTEM, "value": f"8{p['prescriber_rpps']}"}
    period = {"start": fhir_datetime(p.get("start"), tz), "end": fhir_datetime(p.get("end"), tz)}
    period = {k: v for k, v in period.items() if v}
    resource: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "meta": {
            "tag": [
                {
                    "system": "urn:continuity:tag",
                    "code": "manual-order",
                    "display": fr(N_("Paper prescription transcribed during the outage")),
                }
            ]
        },
        "status": ERROR if in_error else status,
        "intent": "order",
        "medicationCodeableConcept": {"text": p.get("drug") or fr(N_("drug"))},
        "subject": refs.patient(row.get("patient_id")),
        "authoredOn": fhir_datetime(row["clinical_time"], tz),
        "requester": requester,
        "recorder": refs.user(row.get("author")),
        "dosageInstruction": [{k: v for k, v in instruction.items() if v}],
        "dispenseRequest": {"validityPeriod": period} if period else None,
        "note": _notes(
            fr(N_("Written on paper during the outage; paper reference: {ref}")).format(
                ref=p.get("paper_ref") or "?"
            ),
            fr(N_("High-alert drug")) if p.get("high_alert") else None,
        ),
    }
    extra = []
    if p.get("paper_ref"):
        extra.append({"system": PAPER_REF_SYSTEM, "value": str(p["paper_ref"])})
    if not in_error:  # only the current version answers to the order's stable id
        extra.append({"system": MANUAL_ORDER_SYSTEM, "value": order_id})
    return [Made(resource, extra_identifiers=extra)]
