"""A synthetic French clinic written as a FHIR R4 Bulk Data export folder.

Trainers, testers and benchmarks need a hospital that looks real (French names with accents,
INS and IPP, wards with rooms and beds, a busy drug chart, operating-room lists) without any
real patient. The output goes through the same importer as a real export, so it is plain
FHIR R4 NDJSON with a `manifest.json`. The same seed and "as of" time give byte-identical
files, so a demo can be regenerated for a training session and tests can rely on it.

Resources are written patient by patient as they are generated: 5,000 patients (about
50,000 MedicationRequests) are never held in memory at once.
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from continuity.core.errors import BadInput
from continuity.core.i18n import _
from continuity.demo import people
from continuity.demo.clinical import ALLERGIES, NO_KNOWN_ALLERGY, REASONS
from continuity.demo.drugs import MAT, MED, NN, USC
from continuity.demo.fhir_parts import (
    FINESS_SYSTEM,
    INS_NIR_SYSTEM,
    IPP_SYSTEM,
    PARIS,
    PHYSICAL_TYPE,
    SNOMED,
    STAY_SYSTEM,
    V2_0203,
    V3_ACT_CODE,
    V3_PARTICIPATION,
    NdjsonFolder,
    Resource,
    coding,
    concept,
    iso,
    meta,
    ref,
)
from continuity.demo.locations import Bed, location_resources, plan_layout
from continuity.demo.orders import OrderContext, catalogue_medications, patient_orders
from continuity.demo.schedule import Inpatient, appointments
from continuity.demo.vitals import vital_signs

DEFAULT_SITE_NAME = "Clinique Sainte-Anne (démo)"
ORGANIZATION_ID = "org-clinique"
EXPORT_REQUEST = "https://fhir.clinique-demo.invalid/R4/$export"
INS_TYPE_SYSTEM = "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203"
CLINICAL_STATUS = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
VERIFICATION_STATUS = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification"

# The order of the files in the manifest (and of the resources a reader meets first).
RESOURCE_TYPES: tuple[str, ...] = (
    "Organization",
    "Location",
    "Practitioner",
    "Medication",
    "Patient",
    "Encounter",
    "AllergyIntolerance",
    "MedicationRequest",
    "Observation",
    "Appointment",
)
MANIFEST = "manifest.json"
MAX_PATIENTS = 50_000


@dataclass(frozen=True)
class DemoSummary:
    """What was written: counts per resource type, the wards, and patients worth looking at."""

    counts: Mapping[str, int]
    ward_codes: tuple[str, ...]
    ipps: tuple[str, ...] = field(repr=False)  # every patient's IPP, in Patient.ndjson order
    many_orders_ipps: tuple[str, ...]  # patients with 16-20 active orders (sheet overflow)
    long_order_ipp: str | None  # the patient with a very long drug name and instruction
    medication_forms: Mapping[str, int]  # concept / ref / contained: orders per form

    @property
    def patients(self) -> int:
        return self.counts.get("Patient", 0)


def _check_arguments(folder: Path, patients: int, as_of: datetime) -> None:
    if as_of.tzinfo is None or as_of.utcoffset() is None:
        raise BadInput(_("The 'as of' time of the demo must include a time zone."))
    if not 1 <= patients <= MAX_PATIENTS:
        raise BadInput(_("The demo needs between 1 and 50,000 patients."))
    if folder.exists() and not folder.is_dir():
        raise BadInput(_("The demo must be written to a folder, not to a file."))
    ours = {MANIFEST} | {NdjsonFolder.file_name(kind) for kind in RESOURCE_TYPES}
    if folder.is_dir() and any(entry.name not in ours for entry in folder.iterdir()):
        raise BadInput(_("The demo folder must be empty or hold a previous demo."))


def _birth_date(rng: random.Random, today: date, low: int, high: int, mode: int) -> date:
    age_days = int(rng.triangular(low, high + 1, mode) * 365.25)
    return today - timedelta(days=age_days)


def _age(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


@dataclass(frozen=True)
class _Stay:
    person: people.Person
    kind: str  # ward kind; NN for a newborn lying in Maternité
    admitted: datetime


def _new_stay(
    rng: random.Random, bed: Bed, as_of: datetime, today: date, mother: _Stay | None
) -> _Stay:
    """Who lies in this bed, and since when; a Maternité B bed may hold the A bed's baby."""
    kind = bed.ward.kind
    if mother is not None:
        born = mother.admitted + (as_of - mother.admitted) * rng.uniform(0.1, 0.8)
        born = born.replace(second=0, microsecond=0)
        gender = rng.choice(("female", "male"))
        birth = born.astimezone(PARIS).date()
        given = people.given_name(rng, gender, birth, newborn=True)
        return _Stay(people.Person(mother.person.family, given, gender, birth), NN, born)
    if kind == MAT:
        gender, birth = "female", _birth_date(rng, today, 18, 42, 31)
        hours = rng.uniform(3, 96)
    elif kind == MED:
        gender = rng.choice(("female", "male"))
        old = rng.random() < 0.7
        birth = _birth_date(rng, today, 65, 98, 82) if old else _birth_date(rng, today, 19, 64, 50)
        hours = rng.uniform(4, 240)
    elif kind == USC:
        gender = rng.choice(("female", "male"))
        birth, hours = _birth_date(rng, today, 35, 90, 68), rng.uniform(2, 144)
    else:
        gender = rng.choice(("female", "male"))
        birth, hours = _birth_date(rng, today, 18, 92, 62), rng.uniform(2, 240)
    admitted = (as_of - timedelta(hours=hours)).replace(second=0, microsecond=0)
    return _Stay(people.make_person(rng, gender, birth), kind, admitted)


def _patient_resource(
    rng: random.Random, number: int, stay: _Stay, ipp: str, as_of: datetime
) -> Resource:
    person = stay.person
    resource: Resource = {
        "resourceType": "Patient",
        "id": f"pat-{number:05d}",
        "meta": meta(min(stay.admitted + timedelta(minutes=rng.randint(1, 30)), as_of)),
        "identifier": [
            {
                "use": "usual",
                "type": {
                    "coding": [coding(V2_0203, "PI", "Patient internal identifier")],
                    "text": "IPP",
                },
                "system": IPP_SYSTEM,
                "value": ipp,
            },
            {
                "use": "official",
                "type": {"coding": [coding(INS_TYPE_SYSTEM, "INS-NIR")], "text": "INS-NIR"},
                "system": INS_NIR_SYSTEM,
                "value": people.make_nir(rng, person.gender, person.birth),
            },
        ],
        "active": True,
        "name": [{"use": "official", "family": person.family, "given": [person.given]}],
        "gender": person.gender,
        "birthDate": person.birth.isoformat(),
    }
    if stay.kind != NN:
        resource["telecom"] = [
            {"system": "phone", "value": people.mobile_phone(rng), "use": "mobile"}
        ]
        resource["address"] = [people.address(rng)]
    return resource


def _encounter_resource(
    rng: random.Random, number: int, stay: _Stay, bed: Bed, patient: dict[str, str], doctor: str
) -> Resource:
    start = iso(stay.admitted)
    return {
        "resourceType": "Encounter",
        "id": f"enc-{number:05d}",
        "meta": meta(stay.admitted + timedelta(minutes=5)),
        "identifier": [{"system": STAY_SYSTEM, "value": f"NDA{number:07d}"}],
        "status": "in-progress",
        "class": coding(V3_ACT_CODE, "IMP", "inpatient encounter"),
        "subject": patient,
        "participant": [
            {
                "type": [concept(V3_PARTICIPATION, "ATND", "attender", "Médecin responsable")],
                "individual": ref("Practitioner", doctor),
            }
        ],
        "period": {"start": start},
        "reasonCode": [{"text": rng.choice(REASONS[stay.kind])}],
        "location": [
            {
                "location": ref("Location", bed.id, bed.name),
                "status": "active",
                "physicalType": {"coding": [coding(PHYSICAL_TYPE, "bd", "Bed")]},
                "period": {"start": start},
            },
            {
                "location": ref("Location", bed.ward.id, bed.ward.name),
                "status": "active",
                "physicalType": {"coding": [coding(PHYSICAL_TYPE, "wa", "Ward")]},
                "period": {"start": start},
            },
        ],
        "serviceProvider": ref("Organization", ORGANIZATION_ID),
    }


def _allergies(
    rng: random.Random, number: int, stay: _Stay, patient: dict[str, str], as_of: datetime
) -> tuple[list[Resource], set[str]]:
    """~35 % allergic, ~12 % "no known allergy" recorded, the rest: nothing recorded."""
    draw = rng.random()
    recorded = min(stay.admitted + timedelta(minutes=rng.randint(5, 60)), as_of)
    common = {
        "clinicalStatus": concept(CLINICAL_STATUS, "active", "Active", "Active"),
        "verificationStatus": concept(VERIFICATION_STATUS, "confirmed", "Confirmed", "Confirmée"),
    }
    if stay.kind == NN or draw >= 0.47:
        if stay.kind == NN and draw >= 0.5:
            draw = 0.4  # half the newborns: "no known allergy" checked at birth
        else:
            return [], set()
    if draw >= 0.35:
        code, display, text = NO_KNOWN_ALLERGY
        return [
            {
                "resourceType": "AllergyIntolerance",
                "id": f"alg-{number:05d}-1",
                "meta": meta(recorded),
                **common,
                "code": concept(SNOMED, code, display, text),
                "patient": patient,
                "recordedDate": iso(recorded),
            }
        ], set()
    resources: list[Resource] = []
    excluded: set[str] = set()
    for k, allergy in enumerate(rng.sample(ALLERGIES, rng.choice((1, 1, 1, 2))), start=1):
        manifestation = rng.choice(allergy.manifestations)
        severe = "choc" in manifestation.lower() or "quincke" in manifestation.lower()
        code: dict[str, object] = {"text": allergy.text}
        if allergy.snomed:
            code = concept(SNOMED, allergy.snomed, allergy.snomed_display, allergy.text)
        resources.append(
            {
                "resourceType": "AllergyIntolerance",
                "id": f"alg-{number:05d}-{k}",
                "meta": meta(recorded),
                **common,
                "type": "allergy" if allergy.category != "food" or severe else "intolerance",
                "category": [allergy.category],
                "criticality": "high" if severe or rng.random() < 0.3 else "low",
                "code": code,
                "patient": patient,
                "recordedDate": iso(recorded),
                "reaction": [
                    {
                        "manifestation": [{"text": manifestation}],
                        "severity": "severe" if severe else rng.choice(("mild", "moderate")),
                    }
                ],
            }
        )
        excluded.update(allergy.excludes)
    return resources, excluded


def _organization(site_name: str, updated: datetime) -> Resource:
    return {
        "resourceType": "Organization",
        "id": ORGANIZATION_ID,
        "meta": meta(updated),
        "identifier": [{"system": FINESS_SYSTEM, "value": "449999990"}],
        "active": True,
        "type": [
            concept(
                "http://terminology.hl7.org/CodeSystem/organization-type",
                "prov",
                "Healthcare Provider",
                "Établissement de santé",
            )
        ],
        "name": site_name,
        "address": [{"line": ["12 rue de la Clinique"], "city": "Nantes", "postalCode": "44000"}],
    }


def _manifest(folder: Path, as_of: datetime, counts: Mapping[str, int]) -> None:
    manifest = {
        "transactionTime": as_of.isoformat(),
        "request": EXPORT_REQUEST,
        "requiresAccessToken": False,
        "output": [
            {"type": kind, "url": NdjsonFolder.file_name(kind), "count": counts[kind]}
            for kind in RESOURCE_TYPES
            if counts.get(kind)
        ],
        "error": [],
    }
    text = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
    (folder / MANIFEST).write_text(text, encoding="utf-8", newline="\n")


def write_demo_snapshot(
    folder: Path,
    *,
    patients: int = 60,
    seed: int = 20241001,
    as_of: datetime,
    site_name: str = DEFAULT_SITE_NAME,
) -> DemoSummary:
    """Write the demo clinic as a Bulk Data export folder; the manifest comes last.

    Writing the manifest last means that an interrupted run leaves a folder the importer
    refuses (no manifest) rather than a half snapshot that looks complete.
    """
    folder = Path(folder)
    _check_arguments(folder, patients, as_of)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MANIFEST).unlink(missing_ok=True)
    for kind in RESOURCE_TYPES:
        (folder / NdjsonFolder.file_name(kind)).unlink(missing_ok=True)

    rng = random.Random(f"{seed}:patients")
    today = as_of.astimezone(PARIS).date()
    reference_updated = (as_of - timedelta(days=30)).replace(microsecond=0)
    layout = plan_layout(patients)
    occupied_indexes = sorted(rng.sample(range(len(layout.beds)), patients))
    occupied = [layout.beds[i] for i in occupied_indexes]
    occupied_ids = {bed.id for bed in occupied}
    ipps = tuple(f"80{value:05d}" for value in rng.sample(range(100, 100_000), patients))
    medicine = [n for n, bed in enumerate(occupied) if bed.ward.kind == MED]
    handful = 0 if patients < 20 else min(len(medicine), 5, max(2, patients // 20))
    many_orders = set(rng.sample(medicine, handful))

    staff = people.make_staff(random.Random(f"{seed}:staff"), 15 + max(0, patients - 120) // 40, 3)
    prescribers = [person for person in staff if person.specialty != "pharmacie"]
    by_kind: dict[str, list[people.Prescriber]] = {}
    for person in prescribers:
        for kind in person.kinds:
            by_kind.setdefault(kind, []).append(person)
    ctx = OrderContext(as_of, by_kind)

    inpatients: list[Inpatient] = []
    long_order_ipp: str | None = None
    with NdjsonFolder(folder) as out:
        out.write(_organization(site_name, reference_updated))
        for resource in location_resources(
            layout,
            site_name=site_name,
            organization_id=ORGANIZATION_ID,
            occupied=occupied_ids,
            updated=reference_updated,
        ):
            out.write(resource)
        for person in staff:
            out.write(people.practitioner_resource(person, reference_updated))
        for resource in catalogue_medications(reference_updated):
            out.write(resource)

        previous: tuple[Bed, _Stay] | None = None
        for index, bed in enumerate(occupied):
            number = index + 1
            mother = None
            if (
                previous is not None
                and bed.letter == "B"
                and bed.ward.kind == MAT
                and previous[0].room is bed.room
                and previous[1].kind == MAT
                and as_of - previous[1].admitted > timedelta(hours=6)
                and rng.random() < 0.35
            ):
                mother = previous[1]
            stay = _new_stay(rng, bed, as_of, today, mother)
            previous = (bed, stay)
            ipp = ipps[index]
            patient_resource = _patient_resource(rng, number, stay, ipp, as_of)
            out.write(patient_resource)
            subject = ref("Patient", patient_resource["id"], stay.person.display)
            doctor = rng.choice(by_kind[stay.kind])
            encounter = _encounter_resource(rng, number, stay, bed, subject, doctor.id)
            out.write(encounter)
            allergies, excluded = _allergies(rng, number, stay, subject, as_of)
            for resource in allergies:
                out.write(resource)
            if stay.kind == NN:
                active = rng.randint(6, 8)
            elif index in many_orders:
                active = rng.randint(16, 20)
            else:
                active = rng.randint(6, 12)
            long_order = (
                long_order_ipp is None
                and stay.kind == MED
                and index not in many_orders
                and "penicilline" not in excluded
            )
            if long_order:
                long_order_ipp = ipp
            orders = patient_orders(
                rng,
                ctx,
                number=number,
                patient=subject,
                encounter_id=encounter["id"],
                kind=stay.kind,
                admitted=stay.admitted,
                active_count=active,
                excluded=excluded,
                long_order=long_order,
            )
            for resource in orders.resources:
                out.write(resource)
            for resource in vital_signs(
                rng,
                number_=number,
                patient=subject,
                encounter_id=encounter["id"],
                kind=stay.kind,
                newborn=stay.kind == NN,
                age=_age(stay.person.birth, today),
                female=stay.person.gender == "female",
                on_insulin=orders.on_insulin,
                admitted=stay.admitted,
                as_of=as_of,
            ):
                out.write(resource)
            if stay.kind != NN:
                inpatients.append(Inpatient(patient_resource["id"], stay.person.display, stay.kind))

        for resource in appointments(
            random.Random(f"{seed}:schedule"),
            layout=layout,
            inpatients=inpatients,
            staff=prescribers,
            as_of=as_of,
        ):
            out.write(resource)
        counts = dict(out.counts)

    ordered = {kind: counts[kind] for kind in RESOURCE_TYPES if kind in counts}
    _manifest(folder, as_of, ordered)
    return DemoSummary(
        counts=ordered,
        ward_codes=tuple(ward.code for ward in layout.wards),
        ipps=ipps,
        many_orders_ipps=tuple(ipps[i] for i in sorted(many_orders)),
        long_order_ipp=long_order_ipp,
        medication_forms=dict(ctx.forms),
    )


def summary_lines(summary: DemoSummary) -> list[str]:
    """Human-readable lines for the CLI: one per resource type, then the wards."""
    lines = [f"{kind}: {count}" for kind, count in summary.counts.items()]
    lines.append("Wards: " + ", ".join(summary.ward_codes))
    return lines


__all__ = ["DEFAULT_SITE_NAME", "DemoSummary", "summary_lines", "write_demo_snapshot"]
