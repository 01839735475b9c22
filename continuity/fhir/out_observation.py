"""Vital signs as FHIR R4 Observations following the vital-signs profiles (LOINC, UCUM).

One Observation per measurement, as the profiles define them: blood pressure is the panel
85354-9 with systolic 8480-6 and diastolic 8462-4 as components; SpO2 carries both 2708-6 (the
profile's code) and 59408-5 (pulse oximetry), with the oxygen flow (3151-8) as a component, as
the US Core pulse-oximetry profile does. Values outside the normal range that the entry
flagged become an interpretation (L / H). The entry's comment goes on its first Observation.
"""

from __future__ import annotations

from typing import Any

from continuity.fhir.fhir_out import ERROR, LOINC, N_, UCUM, Made, References, fhir_datetime, fr

_CATEGORY = [
    {
        "coding": [
            {
                "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                "code": "vital-signs",
                "display": "Vital Signs",
            }
        ],
    }
]
_PROFILE = "http://hl7.org/fhir/StructureDefinition/"
_INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"

# key -> (codes [(LOINC, display)], UCUM unit, profile or None)
SIGNS: dict[str, tuple[list[tuple[str, str]], str, str | None]] = {
    "hr": ([("8867-4", "Heart rate")], "/min", "heartrate"),
    "rr": ([("9279-1", "Respiratory rate")], "/min", "resprate"),
    "temp": ([("8310-5", "Body temperature")], "Cel", "bodytemp"),
    "spo2": (
        [
            ("2708-6", "Oxygen saturation in Arterial blood"),
            ("59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry"),
        ],
        "%",
        "oxygensat",
    ),
    "pain": (
        [("72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported")],
        "{score}",
        None,
    ),
    "weight": ([("29463-7", "Body weight")], "kg", "bodyweight"),
    "glucose": ([("2339-0", "Glucose [Mass/volume] in Blood")], "g/L", None),
}
BP_PANEL = ("85354-9", "Blood pressure panel with all children optional")
SYSTOLIC = ("8480-6", "Systolic blood pressure")
DIASTOLIC = ("8462-4", "Diastolic blood pressure")
O2_FLOW = ("3151-8", "Inhaled oxygen flow rate")
AVPU = ("67775-7", "Level of responsiveness")
AVPU_SYSTEM = "urn:continuity:acvpu"
AVPU_LABELS = {
    "A": N_("alert"),
    "C": N_("new confusion"),
    "V": N_("responds to voice"),
    "P": N_("responds to pain"),
    "U": N_("unresponsive"),
}
#: The order the parts are made in, so a Bundle is the same from one run to the next.
PARTS = ("bp", "hr", "rr", "temp", "spo2", "pain", "weight", "glucose", "avpu")


def _code(*codes: tuple[str, str]) -> dict[str, Any]:
    return {"coding": [{"system": LOINC, "code": c, "display": d} for c, d in codes]}


def _quantity(value: Any, unit: str) -> dict[str, Any]:
    return {"value": value, "unit": unit, "system": UCUM, "code": unit}


def _flag(flags: dict[str, str], key: str) -> list[dict[str, Any]] | None:
    level = flags.get(key)
    if level not in ("low", "high"):
        return None
    code = "L" if level == "low" else "H"
    return [{"coding": [{"system": _INTERPRETATION, "code": code}]}]


def vitals(row: dict[str, Any], refs: References, in_error: bool) -> list[Made]:
    p = row["payload"]
    flags = p.get("flags") or {}
    base = {
        "resourceType": "Observation",
        "status": ERROR if in_error else "final",
        "category": _CATEGORY,
        "subject": refs.patient(row.get("patient_id")),
        "effectiveDateTime": fhir_datetime(row["clinical_time"], row.get("tz") or ""),
        "issued": row["recorded_time"],
        "performer": [u for u in (refs.user(row.get("author")),) if u],
    }
    made: list[Made] = []
    for part in PARTS:
        resource = _measurement(part, p, flags)
        if resource is None:
            continue
        made.append(Made({**base, **resource}, part=part))
    if made and p.get("comment"):
        made[0].resource["note"] = [{"text": p["comment"]}]
    return made


def _measurement(part: str, p: dict[str, Any], flags: dict[str, str]) -> dict[str, Any] | None:
    if part == "bp":
        if p.get("bp_sys") is None or p.get("bp_dia") is None:
            return None
        return {
            "meta": {"profile": [_PROFILE + "bp"]},
            "code": _code(BP_PANEL),
            "component": [
                _component(SYSTOLIC, p["bp_sys"], "mm[Hg]", _flag(flags, "bp_sys")),
                _component(DIASTOLIC, p["bp_dia"], "mm[Hg]", _flag(flags, "bp_dia")),
            ],
        }
    if part == "avpu":
        letter = p.get("avpu")
        if not letter:
            return None
        label = fr(AVPU_LABELS.get(letter, letter))
        return {
            "code": {**_code(AVPU), "text": "ACVPU"},
            "valueCodeableConcept": {
                "coding": [{"system": AVPU_SYSTEM, "code": letter, "display": label}],
                "text": f"{letter} ({label})",
            },
            "interpretation": None
            if letter == "A"
            else [{"coding": [{"system": _INTERPRETATION, "code": "A"}]}],
        }
    value = p.get(part)
    if value is None:
        return None
    codes, unit, profile = SIGNS[part]
    out: dict[str, Any] = {
        "code": _code(*codes),
        "valueQuantity": _quantity(value, unit),
        "interpretation": _flag(flags, part),
    }
    if profile:
        out["meta"] = {"profile": [_PROFILE + profile]}
    if part == "spo2" and p.get("o2_flow") is not None:
        out["component"] = [_component(O2_FLOW, p["o2_flow"], "L/min", None)]
    return out


def _component(code: tuple[str, str], value: Any, unit: str, flag: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"code": _code(code), "valueQuantity": _quantity(value, unit)}
    if flag:
        out["interpretation"] = flag
    return out
