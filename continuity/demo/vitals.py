"""Vital-sign Observations of the demo clinic: two or three rounds in the last 24 hours.

Each patient gets a baseline (by age and ward) and small variations between rounds, so that
trends look plausible and a few patients stand out (fever, low saturation in Soins continus).
Capillary glucose is charted only for patients on insulin, as on a real ward.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from continuity.demo.drugs import USC
from continuity.demo.fhir_parts import LOINC, UCUM, Resource, coding, iso, meta, number, ref

CATEGORY = {
    "coding": [
        coding(
            "http://terminology.hl7.org/CodeSystem/observation-category",
            "vital-signs",
            "Vital Signs",
        )
    ],
    "text": "Signes vitaux",
}

# key -> (LOINC code, LOINC display, French text, UCUM code, printed unit)
SIGNS: dict[str, tuple[str, str, str, str, str]] = {
    "bp": ("85354-9", "Blood pressure panel with all children optional", "Pression artérielle",
           "mm[Hg]", "mmHg"),
    "sys": ("8480-6", "Systolic blood pressure", "Pression artérielle systolique", "mm[Hg]",
            "mmHg"),
    "dia": ("8462-4", "Diastolic blood pressure", "Pression artérielle diastolique", "mm[Hg]",
            "mmHg"),
    "hr": ("8867-4", "Heart rate", "Fréquence cardiaque", "/min", "/min"),
    "rr": ("9279-1", "Respiratory rate", "Fréquence respiratoire", "/min", "/min"),
    "temp": ("8310-5", "Body temperature", "Température", "Cel", "°C"),
    "spo2": ("2708-6", "Oxygen saturation in Arterial blood", "Saturation en oxygène (SpO2)",
             "%", "%"),
    "weight": ("29463-7", "Body weight", "Poids", "kg", "kg"),
    "glucose": ("2339-0", "Glucose [Mass/volume] in Blood", "Glycémie capillaire", "mg/dL",
                "mg/dL"),
}  # fmt: skip


def _code(key: str) -> dict[str, Any]:
    loinc, display, text, _, _ = SIGNS[key]
    return {"coding": [coding(LOINC, loinc, display)], "text": text}


def _value(key: str, value: float) -> dict[str, Any]:
    _, _, _, ucum, unit = SIGNS[key]
    return {"value": number(value), "unit": unit, "system": UCUM, "code": ucum}


def _baseline(rng: random.Random, *, newborn: bool, kind: str, age: int, female: bool) -> dict:
    if newborn:
        return {
            "hr": rng.uniform(120, 155),
            "rr": rng.uniform(36, 52),
            "temp": rng.uniform(36.6, 37.3),
            "spo2": rng.uniform(96, 100),
            "weight": rng.uniform(2.6, 4.2),
        }
    sbp = rng.gauss(122 + max(age - 50, 0) * 0.4, 12)
    base = {
        "sys": sbp,
        "dia": sbp * 0.6 + rng.gauss(0, 6),
        "hr": rng.uniform(60, 95),
        "rr": rng.uniform(13, 19),
        "temp": rng.uniform(36.3, 37.3),
        "spo2": rng.uniform(94, 99.4),
        "weight": rng.uniform(50, 88) if female else rng.uniform(60, 105),
        "glucose": rng.uniform(95, 230),
    }
    if rng.random() < 0.12:
        base["temp"] = rng.uniform(38.2, 39.4)
        base["hr"] += 15
    if kind == USC:
        base["hr"] += rng.uniform(5, 25)
        base["rr"] += rng.uniform(3, 9)
        base["spo2"] -= rng.uniform(1, 6)
    return base


def _clip(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def vital_signs(
    rng: random.Random,
    *,
    number_: int,
    patient: dict[str, str],
    encounter_id: str,
    kind: str,
    newborn: bool,
    age: int,
    female: bool,
    on_insulin: bool,
    admitted: datetime,
    as_of: datetime,
) -> Iterator[Resource]:
    """Two or three rounds between admission (or 24 h ago) and ten minutes before as_of."""
    base = _baseline(rng, newborn=newborn, kind=kind, age=age, female=female)
    start = max(admitted + timedelta(minutes=15), as_of - timedelta(hours=24))
    end = as_of - timedelta(minutes=10)
    rounds = rng.choice((2, 3))
    span = (end - start) / rounds
    counter = 0
    encounter = ref("Encounter", encounter_id)

    def observation(key: str, when: datetime) -> Resource:
        nonlocal counter
        counter += 1
        updated = min(when + timedelta(minutes=rng.randint(2, 20)), as_of)
        return {
            "resourceType": "Observation",
            "id": f"obs-{number_:05d}-{counter:03d}",
            "meta": meta(updated),
            "status": "final",
            "category": [CATEGORY],
            "code": _code(key),
            "subject": patient,
            "encounter": encounter,
            "effectiveDateTime": iso(when),
        }

    for r in range(rounds):
        when = start + span * (r + rng.uniform(0.1, 0.9))
        when = when.replace(second=0, microsecond=0)
        if not newborn:
            panel = observation("bp", when)
            panel["component"] = [
                {"code": _code("sys"), "valueQuantity": _value("sys", round(_clip(
                    base["sys"] + rng.gauss(0, 6), 80, 200)))},
                {"code": _code("dia"), "valueQuantity": _value("dia", round(_clip(
                    base["dia"] + rng.gauss(0, 4), 40, 120)))},
            ]  # fmt: skip
            yield panel
        for key, spread, low, high, digits in (
            ("hr", 6, 40, 190, 0),
            ("rr", 2, 8, 70, 0),
            ("temp", 0.2, 35.0, 41.0, 1),
            ("spo2", 1, 82, 100, 0),
        ):
            obs = observation(key, when)
            value = _clip(base[key] + rng.gauss(0, spread), low, high)
            obs["valueQuantity"] = _value(key, round(value, digits) if digits else round(value))
            yield obs
        if r == 0 and (newborn or rng.random() < 0.6):
            obs = observation("weight", when)
            obs["valueQuantity"] = _value("weight", round(base["weight"], 2 if newborn else 1))
            yield obs
        if on_insulin and not newborn:
            obs = observation("glucose", when)
            glucose = _clip(base["glucose"] + rng.gauss(0, 30), 55, 420)
            obs["valueQuantity"] = _value("glucose", round(glucose))
            yield obs
