"""Appointments of the demo clinic: operating-room lists and inpatients' exams, for two days.

The lists cover the "as of" day and the next one (Europe/Paris), which is what the paper
fallback must print when the systems go down in the morning: today's remaining operations and
tomorrow's. Operations in one Bloc follow each other with a turnover gap, from 08:00.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from continuity.demo.clinical import EXAMS, SURGERIES, Exam
from continuity.demo.drugs import CHIR, MAT, MED, USC
from continuity.demo.fhir_parts import (
    APPOINTMENT_SYSTEM,
    PARIS,
    V3_PARTICIPATION,
    Resource,
    concept,
    iso,
    meta,
    ref,
)
from continuity.demo.locations import Layout, Place
from continuity.demo.people import Prescriber


@dataclass(frozen=True)
class Inpatient:
    """What the schedule needs to know of a patient (kept for every patient: a few fields)."""

    id: str
    display: str
    kind: str


def _participant(actor: dict[str, str], role: tuple[str, str, str] | None = None) -> Resource:
    participant: Resource = {}
    if role:
        participant["type"] = [concept(V3_PARTICIPATION, *role)]
    participant["actor"] = actor
    participant["required"] = "required"
    participant["status"] = "accepted"
    return participant


SURGEON = ("PPRF", "primary performer", "Chirurgien")
ANESTHETIST = ("SPRF", "secondary performer", "Anesthésiste")


class _Appointments:
    def __init__(self, as_of: datetime, rng: random.Random) -> None:
        self.as_of = as_of
        self.rng = rng
        self.count = 0

    def make(
        self,
        *,
        value: str,
        text: str,
        category: str,
        start: datetime,
        end: datetime,
        participants: list[Resource],
    ) -> Resource:
        self.count += 1
        updated = self.as_of - timedelta(hours=self.rng.randint(2, 96))
        return {
            "resourceType": "Appointment",
            "id": f"apt-{self.count:05d}",
            "meta": meta(updated),
            "identifier": [{"system": APPOINTMENT_SYSTEM, "value": value}],
            "status": "booked",
            "serviceCategory": [{"text": category}],
            "serviceType": [{"text": text}],
            "description": text,
            "start": iso(start),
            "end": iso(end),
            "minutesDuration": int((end - start).total_seconds() // 60),
            "created": iso(updated),
            "participant": participants,
        }


def _days(as_of: datetime) -> tuple[date, date]:
    today = as_of.astimezone(PARIS).date()
    return today, today + timedelta(days=1)


def _surgery_queue(rng: random.Random, inpatients: Sequence[Inpatient]) -> list[Inpatient]:
    """Surgical patients first, then maternity (caesareans), then the others."""
    queue: list[Inpatient] = []
    for kind in (CHIR, MAT, MED, USC):
        group = [p for p in inpatients if p.kind == kind]
        rng.shuffle(group)
        queue += group
    return queue


def appointments(
    rng: random.Random,
    *,
    layout: Layout,
    inpatients: Sequence[Inpatient],
    staff: Sequence[Prescriber],
    as_of: datetime,
) -> Iterator[Resource]:
    """Operating-room lists per Bloc and day, then exams of the patients not operated on.

    Each patient is operated on at most once over the two days, so a tiny demo (fewer
    patients than operating slots) has shorter lists rather than double-booked patients.
    """
    book = _Appointments(as_of, rng)
    by_specialty: dict[str, list[Prescriber]] = {}
    for person in staff:
        by_specialty.setdefault(person.specialty, []).append(person)
    anesthetists = by_specialty.get("anesthesie") or list(staff)
    queue = _surgery_queue(rng, inpatients)
    operated: set[str] = set()
    for day in _days(as_of):
        for bloc in layout.blocs:
            start = datetime.combine(day, time(8, 0), PARIS)
            start += timedelta(minutes=rng.choice((0, 0, 15, 30)))
            anesthetist = rng.choice(anesthetists)
            for slot in range(1, rng.randint(4, 6) + 1):
                if len(operated) == len(queue):
                    break  # a tiny demo: nobody is operated on twice
                patient = queue[len(operated)]
                operated.add(patient.id)
                surgery = rng.choice(SURGERIES[patient.kind])
                surgeon = rng.choice(by_specialty.get(surgery.specialty) or list(staff))
                minutes = rng.randrange(surgery.minutes[0], surgery.minutes[1] + 1, 5)
                end = start + timedelta(minutes=minutes)
                yield book.make(
                    value=f"BLOC-{day:%Y%m%d}-{bloc.key.split('-')[1]}-{slot}",
                    text=surgery.text,
                    category="Chirurgie",
                    start=start,
                    end=end,
                    participants=[
                        _participant(ref("Patient", patient.id, patient.display)),
                        _participant(ref("Practitioner", surgeon.id, surgeon.display), SURGEON),
                        _participant(
                            ref("Practitioner", anesthetist.id, anesthetist.display), ANESTHETIST
                        ),
                        _participant(ref("Location", bloc.id, bloc.name)),
                    ],
                )
                start = end + timedelta(minutes=rng.choice((15, 20, 30)))
    others = [patient for patient in inpatients if patient.id not in operated]
    yield from _exams(rng, book, layout, others, by_specialty, as_of)


def _exams(
    rng: random.Random,
    book: _Appointments,
    layout: Layout,
    inpatients: Sequence[Inpatient],
    by_specialty: dict[str, list[Prescriber]],
    as_of: datetime,
) -> Iterator[Resource]:
    """About one inpatient in six has an exam; each place works 08:30-18:00 without overlap."""
    days = _days(as_of)
    next_free: dict[tuple[str, date], datetime] = {}
    for patient in inpatients:
        if rng.random() >= 0.17:
            continue
        choices = [exam for exam in EXAMS if patient.kind in exam.wards]
        if not choices:
            continue
        exam: Exam = rng.choice(choices)
        day = rng.choice(days)
        place: Place = layout.place(exam.place)
        start = next_free.get((place.key, day), datetime.combine(day, time(8, 30), PARIS))
        end = start + timedelta(minutes=exam.minutes)
        if end.astimezone(PARIS).time() > time(18, 0):
            continue  # the place is fully booked that day
        next_free[(place.key, day)] = end + timedelta(minutes=rng.choice((0, 5, 10, 15)))
        participants = [_participant(ref("Patient", patient.id, patient.display))]
        if exam.specialty and by_specialty.get(exam.specialty):
            doctor = rng.choice(by_specialty[exam.specialty])
            participants.append(_participant(ref("Practitioner", doctor.id, doctor.display)))
        participants.append(_participant(ref("Location", place.id, place.name)))
        yield book.make(
            value=f"RDV-{day:%Y%m%d}-{book.count + 1:05d}",
            text=exam.text,
            category="Imagerie" if place.key != "consultation" else "Consultation",
            start=start,
            end=end,
            participants=participants,
        )
