"""People of the demo clinic: patients' and prescribers' names and French identifiers.

Identifiers follow the real formats so that validation code meets realistic values: the
INS-NIR has 13 digits and the 2-digit key (97 - n mod 97), the RPPS number has 11 digits
ending with a Luhn check digit, the local IPP ("identifiant permanent du patient") is a
7-digit number of the demo site.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime

from continuity.demo import names
from continuity.demo.clinical import PRESCRIBER_CYCLE, SPECIALTIES
from continuity.demo.fhir_parts import RPPS_SYSTEM, Resource, meta


@dataclass(frozen=True)
class Person:
    family: str
    given: str
    gender: str  # FHIR administrative gender: "female" | "male"
    birth: date

    @property
    def display(self) -> str:
        """As printed on French ward lists: family name in capitals, then given name."""
        return f"{self.family.upper()} {self.given}"


def nir_key(first13: str) -> str:
    return f"{97 - int(first13) % 97:02d}"


def make_nir(rng: random.Random, gender: str, birth: date) -> str:
    """An INS-NIR: sex, year, month, place of birth, order number, then the control key."""
    sex = "2" if gender == "female" else "1"
    if rng.random() < 0.1:
        place = "99" + rng.choice(names.BIRTH_COUNTRIES)
    else:
        place = rng.choice(names.BIRTH_DEPARTMENTS) + f"{rng.randint(1, 350):03d}"
    first13 = f"{sex}{birth.year % 100:02d}{birth.month:02d}{place}{rng.randint(1, 999):03d}"
    return first13 + nir_key(first13)


def luhn_digit(digits: str) -> str:
    """The Luhn check digit that completes `digits` (as used by the RPPS number)."""
    total = 0
    for i, char in enumerate(reversed(digits)):
        value = int(char) * (2 if i % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return str((10 - total % 10) % 10)


def make_rpps(rng: random.Random) -> str:
    first10 = "10" + f"{rng.randrange(10**8):08d}"
    return first10 + luhn_digit(first10)


def given_name(rng: random.Random, gender: str, birth: date, newborn: bool = False) -> str:
    if newborn:
        return rng.choice(names.NEWBORN_FEMALE if gender == "female" else names.NEWBORN_MALE)
    older = birth.year < 1970
    if gender == "female":
        return rng.choice(names.FEMALE_OLDER if older else names.FEMALE_YOUNGER)
    return rng.choice(names.MALE_OLDER if older else names.MALE_YOUNGER)


def make_person(rng: random.Random, gender: str, birth: date) -> Person:
    return Person(rng.choice(names.SURNAMES), given_name(rng, gender, birth), gender, birth)


def address(rng: random.Random) -> dict[str, object]:
    city, postal_code = rng.choice(names.CITIES)
    line = f"{rng.randint(1, 120)} {rng.choice(names.STREETS)}"
    return {"use": "home", "line": [line], "city": city, "postalCode": postal_code, "country": "FR"}


def mobile_phone(rng: random.Random) -> str:
    digits = [rng.randrange(100) for _ in range(4)]
    return f"0{rng.choice('67')} " + " ".join(f"{d:02d}" for d in digits)


@dataclass(frozen=True)
class Prescriber:
    id: str
    person: Person
    specialty: str  # key of clinical.SPECIALTIES, or "pharmacie"
    rpps: str

    @property
    def title(self) -> str:
        if self.specialty == "pharmacie":
            return "Pharmacien" if self.person.gender == "male" else "Pharmacienne"
        return SPECIALTIES[self.specialty][0]

    @property
    def display(self) -> str:
        prefix = "" if self.specialty == "sage-femme" else "Dr "
        return f"{prefix}{self.person.given} {self.person.family.upper()}"

    @property
    def kinds(self) -> tuple[str, ...]:
        return SPECIALTIES[self.specialty][1] if self.specialty in SPECIALTIES else ()


def make_staff(rng: random.Random, prescribers: int, pharmacists: int) -> list[Prescriber]:
    """Prescribers cycling through the specialties (every ward covered), then pharmacists."""
    staff: list[Prescriber] = []
    specialties = [PRESCRIBER_CYCLE[i % len(PRESCRIBER_CYCLE)] for i in range(prescribers)]
    specialties += ["pharmacie"] * pharmacists
    for number, specialty in enumerate(specialties, start=1):
        gender = "female" if specialty == "sage-femme" or rng.random() < 0.55 else "male"
        birth = date(rng.randint(1960, 1994), rng.randint(1, 12), rng.randint(1, 28))
        person = make_person(rng, gender, birth)
        staff.append(Prescriber(f"pra-{number:03d}", person, specialty, make_rpps(rng)))
    return staff


def practitioner_resource(prescriber: Prescriber, updated: datetime) -> Resource:
    person = prescriber.person
    name: dict[str, object] = {"use": "official", "family": person.family, "given": [person.given]}
    if prescriber.specialty != "sage-femme":
        name["prefix"] = ["Dr"]
    return {
        "resourceType": "Practitioner",
        "id": prescriber.id,
        "meta": meta(updated),
        "identifier": [{"system": RPPS_SYSTEM, "value": prescriber.rpps}],
        "active": True,
        "name": [name],
        "gender": person.gender,
        "qualification": [{"code": {"text": prescriber.title}}],
    }
