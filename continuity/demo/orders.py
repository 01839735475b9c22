"""MedicationRequests of the demo clinic: which drugs a patient gets and how each is written.

Every timing shape a real French prescribing system emits appears here on purpose, each in
its pure form, so that the importer and the administration schedule meet all of them:
frequency/period, fixed times of day (`timeOfDay`), moments of the day (`when`: MORN, NOON,
EVE, HS), abbreviation codes (BID, TID, QID, Q6H, Q8H), courses bounded in time (antibiotics),
a counted number of doses, infusions lasting until the next bag or syringe (`duration`), and
"as needed" orders with their condition. The three ways of naming the drug (coded concept,
reference to a Medication, contained Medication) are mixed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from continuity.demo.drugs import ATC_SYSTEM, CATALOGUE, LONG_ORDER, ROUTES, Drug, ward_pool
from continuity.demo.fhir_parts import (
    ORDER_SYSTEM,
    PARIS,
    SNOMED,
    UCUM,
    Resource,
    coding,
    french_number,
    iso,
    meta,
    quantity,
    ref,
)
from continuity.demo.people import Prescriber

GTS_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-GTSAbbreviation"
CATEGORY_SYSTEM = "http://terminology.hl7.org/CodeSystem/medicationrequest-category"


def _every(hours: int) -> dict[str, Any]:
    return {"frequency": 1, "period": hours, "periodUnit": "h"}


def _per_day(times: int) -> dict[str, Any]:
    return {"frequency": times, "period": 1, "periodUnit": "d"}


def _at(*hours: int) -> dict[str, Any]:
    return {"timeOfDay": [f"{hour % 24:02d}:00:00" for hour in hours]}


def _lasting(repeat: dict[str, Any], hours: int) -> dict[str, Any]:
    return {**repeat, "duration": hours, "durationUnit": "h"}


# regimen -> (Timing.repeat, French text)
REPEATS: dict[str, tuple[dict[str, Any], str]] = {
    "F1D": (_per_day(1), "1 fois par jour"),
    "F2D": (_per_day(2), "2 fois par jour"),
    "F3D": (_per_day(3), "3 fois par jour"),
    "Q4H": (_every(4), "toutes les 4 h"),
    "Q6H": (_every(6), "toutes les 6 h"),
    "Q8H": (_every(8), "toutes les 8 h"),
    "Q12H": (_every(12), "toutes les 12 h"),
    "Q24H": (_every(24), "toutes les 24 h"),
    # An infusion bag or syringe renewed every 12 / 24 h: Timing.repeat.duration says how long
    # each one runs, as a real prescribing system writes "sur 24 h".
    "CONT12": (_lasting(_every(12), 12), "sur 12 h"),
    "CONT24": (_lasting(_every(24), 24), "sur 24 h"),
    "T06": (_at(6), "à 6 h"),
    "T08": (_at(8), "à 8 h"),
    "T20": (_at(20), "à 20 h"),
    "T22": (_at(22), "à 22 h"),
    "T08_20": (_at(8, 20), "à 8 h et 20 h"),
    "T06_14_22": (_at(6, 14, 22), "à 6 h, 14 h et 22 h"),
    "T08_12_19": (_at(8, 12, 19), "à 8 h, 12 h et 19 h"),
    "T06_12_18_24": (_at(6, 12, 18, 24), "à 6 h, 12 h, 18 h et minuit"),
    "W_MORN": ({"when": ["MORN"]}, "le matin"),
    "W_NOON": ({"when": ["NOON"]}, "le midi"),
    "W_EVE": ({"when": ["EVE"]}, "le soir"),
    "W_HS": ({"when": ["HS"]}, "au coucher"),
    "W_MORN_EVE": ({"when": ["MORN", "EVE"]}, "matin et soir"),
    "W_MORN_NOON_EVE": ({"when": ["MORN", "NOON", "EVE"]}, "matin, midi et soir"),
    "N1": ({"count": 1}, "en dose unique"),  # written with Timing.event, see _dosage
    "N3_Q8H": ({"count": 3, **_every(8)}, "toutes les 8 h, 3 doses au total"),
}

# regimen -> (GTS abbreviation, French text); written as Timing.code alone
CODES: dict[str, tuple[str, str]] = {
    "C_BID": ("BID", "2 fois par jour"),
    "C_TID": ("TID", "3 fois par jour"),
    "C_QID": ("QID", "4 fois par jour"),
    "C_Q6H": ("Q6H", "toutes les 6 h"),
    "C_Q8H": ("Q8H", "toutes les 8 h"),
}

# regimen -> (Timing.repeat giving the shortest interval, French text)
AS_NEEDED: dict[str, tuple[dict[str, Any], str]] = {
    "PRN_Q4H": (_every(4), "au plus toutes les 4 h"),
    "PRN_Q6H": (_every(6), "au plus toutes les 6 h"),
    "PRN_Q8H": (_every(8), "au plus toutes les 8 h"),
    "PRN_Q24H": (_per_day(1), "au plus 1 fois par jour"),
    "PRN_HS": ({"when": ["HS"]}, "au coucher"),
}

ON_HOLD_REASONS = (
    "Suspendu : à jeun pour le bloc opératoire",
    "Suspendu : glycémie capillaire basse",
    "Suspendu : en attente du bilan biologique",
    "Suspendu : pression artérielle basse",
)
STOP_REASONS = (
    "Arrêté : relais per os",
    "Arrêté : effet indésirable (nausées)",
    "Arrêté : fin de traitement",
    "Arrêté : changement de molécule",
    "Arrêté : erreur de prescription",
)

_POOLS: dict[str, tuple[Drug, ...]] = {}


def _pool(kind: str) -> tuple[Drug, ...]:
    if kind not in _POOLS:
        _POOLS[kind] = ward_pool(kind)
    return _POOLS[kind]


def medication_id(drug: Drug) -> str:
    return f"med-{drug.key}"


def medication_code(drug: Drug) -> dict[str, Any]:
    if drug.atc is None:
        return {"text": drug.label}
    return {"coding": [coding(ATC_SYSTEM, drug.atc, drug.dci)], "text": drug.label}


def medication_resource(drug: Drug, ident: str, updated: datetime | None) -> Resource:
    """A Medication; contained ones carry no meta (FHIR forbids lastUpdated there)."""
    resource: Resource = {"resourceType": "Medication", "id": ident}
    if updated is not None:
        resource["meta"] = meta(updated)
    resource["code"] = medication_code(drug)
    resource["status"] = "active"
    resource["form"] = {"text": drug.form}
    resource["ingredient"] = [{"itemCodeableConcept": {"text": drug.dci}, "isActive": True}]
    return resource


def catalogue_medications(updated: datetime) -> list[Resource]:
    """Medication.ndjson: one resource per catalogue entry, for the referenced form."""
    return [medication_resource(drug, medication_id(drug), updated) for drug in CATALOGUE] + [
        medication_resource(LONG_ORDER, medication_id(LONG_ORDER), updated)
    ]


@dataclass
class OrderContext:
    """What orders of every patient share: the clock, the prescribers, a running count."""

    as_of: datetime
    prescribers: dict[str, list[Prescriber]]
    written: int = 0
    forms: dict[str, int] = field(default_factory=lambda: {"concept": 0, "ref": 0, "contained": 0})

    def medication_form(self, rng: random.Random) -> str:
        """Mostly coded concepts; the first three orders show each form for tiny demos."""
        if self.written < 3:
            form = ("concept", "ref", "contained")[self.written]
        else:
            draw = rng.random()
            form = "concept" if draw < 0.75 else "ref" if draw < 0.9 else "contained"
        self.written += 1
        self.forms[form] += 1
        return form


@dataclass(frozen=True)
class PatientOrders:
    resources: list[Resource]
    active: int
    on_insulin: bool


def _choose(rng: random.Random, pool: tuple[Drug, ...], count: int, taken: set[str]) -> list[Drug]:
    """Weighted sampling without replacement, one drug per family (Efraimidis-Spirakis)."""
    keyed = sorted(
        ((rng.random() ** (1.0 / d.weight), i) for i, d in enumerate(pool)), reverse=True
    )
    chosen: list[Drug] = []
    for _, i in keyed:
        drug = pool[i]
        if drug.group in taken:
            continue
        taken.add(drug.group)
        chosen.append(drug)
        if len(chosen) == count:
            break
    return chosen


def _dosage(
    rng: random.Random, drug: Drug, start: datetime, bounds_end: datetime | None
) -> dict[str, Any]:
    regimen = rng.choice(drug.regimens)
    dose = rng.choice(drug.doses)
    route_code, route_display, route_text, route_short = ROUTES[drug.route]
    dose_text = f"{french_number(dose)} {drug.unit} {route_short}"
    dosage: dict[str, Any] = {"sequence": 1}
    timing: dict[str, Any]
    if regimen in CODES:
        code, timing_text = CODES[regimen]
        timing = {"code": {"coding": [coding(GTS_SYSTEM, code)], "text": timing_text}}
        text = f"{dose_text} {timing_text}"
    elif regimen in AS_NEEDED:
        repeat, timing_text = AS_NEEDED[regimen]
        timing = {"repeat": dict(repeat)}
        text = f"{dose_text} {drug.prn}, {timing_text}"
    elif regimen == "N1":
        # A single dose is given at a stated moment: Timing.event plus count 1.
        at = (start + timedelta(minutes=rng.randrange(15, 125, 5))).astimezone(PARIS)
        at = at.replace(minute=at.minute - at.minute % 5, second=0, microsecond=0)
        timing = {"event": [iso(at)], "repeat": {"count": 1}}
        clock = f"{at.hour} h {at:%M}" if at.minute else f"{at.hour} h"
        text = f"{dose_text} en dose unique le {at:%d/%m} à {clock}"
    else:
        repeat, timing_text = REPEATS[regimen]
        timing = {"repeat": dict(repeat)}
        text = f"{dose_text} {timing_text}"
    if drug.days and bounds_end is None:
        text += f" pendant {drug.days} jours"
        bounds_end = start + timedelta(days=drug.days)
    if bounds_end is not None:
        timing.setdefault("repeat", {})["boundsPeriod"] = {
            "start": iso(start),
            "end": iso(bounds_end),
        }
    if regimen in AS_NEEDED and drug.max_per_day:
        text += f" (max {french_number(drug.max_per_day)} {drug.unit}/24 h)"
    text += drug.note
    dosage["text"] = text
    dosage["timing"] = timing
    if regimen in AS_NEEDED:
        if rng.random() < 0.15:
            dosage["asNeededBoolean"] = True  # the condition is then in the text only
        else:
            dosage["asNeededCodeableConcept"] = {"text": drug.prn}
    dosage["route"] = {"coding": [coding(SNOMED, route_code, route_display)], "text": route_text}
    dosage["doseAndRate"] = [{"doseQuantity": quantity(dose, drug.unit, drug.ucum)}]
    if regimen in AS_NEEDED and drug.max_per_day:
        dosage["maxDosePerPeriod"] = {
            "numerator": quantity(drug.max_per_day, drug.unit, drug.ucum),
            "denominator": {"value": 1, "unit": "j", "system": UCUM, "code": "d"},
        }
    return dosage


def patient_orders(
    rng: random.Random,
    ctx: OrderContext,
    *,
    number: int,
    patient: dict[str, str],
    encounter_id: str,
    kind: str,
    admitted: datetime,
    active_count: int,
    excluded: set[str],
    long_order: bool = False,
) -> PatientOrders:
    """The patient's active orders, plus sometimes one on hold and past ones stopped/completed."""
    as_of = ctx.as_of
    pool = _pool(kind)
    taken = set(excluded)
    plan: list[tuple[Drug, str]] = []
    if long_order:
        taken.add(LONG_ORDER.group)
        plan.append((LONG_ORDER, "active"))
    plan += [(d, "active") for d in _choose(rng, pool, active_count - len(plan), taken)]
    active = len(plan)
    if rng.random() < 0.15:
        plan += [(d, "on-hold") for d in _choose(rng, pool, 1, taken)]
    past_pool = tuple(d for d in pool if d.group not in excluded)
    for status, chance in (("stopped", 0.35), ("completed", 0.25)):
        if rng.random() < chance:
            plan.append((rng.choice(past_pool), status))
    resources: list[Resource] = []
    stay = as_of - admitted
    on_insulin = False
    for k, (drug, status) in enumerate(plan, start=1):
        bounds_end = None
        if status in ("stopped", "completed"):
            authored = admitted + stay * rng.uniform(0.0, 0.3)
            bounds_end = authored + (as_of - authored) * rng.uniform(0.2, 0.9)
            updated = bounds_end
        else:
            if rng.random() < 0.6:
                authored = admitted + timedelta(minutes=rng.randint(10, 90))
            else:
                authored = admitted + stay * rng.uniform(0.05, 0.9)
            if "N1" in drug.regimens or "N3_Q8H" in drug.regimens:
                authored = as_of - timedelta(minutes=rng.randint(60, 600))
            if drug.days:
                latest_start = (
                    as_of - timedelta(days=drug.days) + timedelta(hours=rng.randint(8, 60))
                )
                authored = max(authored, latest_start)
            authored = max(min(authored, as_of - timedelta(minutes=15)), admitted)
            updated = authored + timedelta(minutes=rng.randint(1, 20))
            if status == "on-hold":
                updated = as_of - timedelta(minutes=rng.randint(20, 360))
            updated = max(min(updated, as_of), authored)
            on_insulin = on_insulin or drug.key.startswith("insuline")
        prescriber = rng.choice(ctx.prescribers[kind])
        resource: Resource = {
            "resourceType": "MedicationRequest",
            "id": f"mr-{number:05d}-{k:02d}",
            "meta": meta(updated),
        }
        form = ctx.medication_form(rng)
        if form == "contained":
            resource["contained"] = [medication_resource(drug, "med1", None)]
        resource["identifier"] = [{"system": ORDER_SYSTEM, "value": f"PR{number:05d}{k:02d}"}]
        resource["status"] = status
        if status == "on-hold":
            resource["statusReason"] = {"text": rng.choice(ON_HOLD_REASONS)}
        elif status == "stopped":
            resource["statusReason"] = {"text": rng.choice(STOP_REASONS)}
        resource["intent"] = "order"
        resource["category"] = [
            {
                "coding": [coding(CATEGORY_SYSTEM, "inpatient", "Inpatient")],
                "text": "Hospitalisation",
            }
        ]
        if form == "concept":
            resource["medicationCodeableConcept"] = medication_code(drug)
        elif form == "ref":
            resource["medicationReference"] = ref("Medication", medication_id(drug), drug.label)
        else:
            resource["medicationReference"] = {"reference": "#med1", "display": drug.label}
        resource["subject"] = patient
        resource["encounter"] = ref("Encounter", encounter_id)
        resource["authoredOn"] = iso(authored)
        resource["requester"] = ref("Practitioner", prescriber.id, prescriber.display)
        resource["dosageInstruction"] = [_dosage(rng, drug, authored, bounds_end)]
        draw = rng.random()
        if status != "completed" and draw < 0.35:
            if draw < 0.06:
                end = as_of + timedelta(hours=rng.randint(6, 72))  # to renew in the coming days
            else:
                end = authored + timedelta(days=rng.choice((7, 14, 30)))
                if end <= as_of:
                    end = authored + timedelta(days=30)
            resource["dispenseRequest"] = {
                "validityPeriod": {"start": iso(authored), "end": iso(end)}
            }
        resources.append(resource)
    return PatientOrders(resources, active, on_insulin)
