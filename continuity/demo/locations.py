"""The demo clinic's floor plan: site, wards, rooms, beds, operating rooms, consultation places.

The plan depends only on the number of patients (no randomness), so the same ward codes and
bed names come back for every seed: a trainer can say "Chambre 101" whatever demo is loaded.
Wards split into "Médecine 2", "Chirurgie 2"... when a ward would exceed 40 beds.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from continuity.demo.clinical import CONSULTATION_PLACES
from continuity.demo.drugs import CHIR, MAT, MED, USC
from continuity.demo.fhir_parts import (
    LOCATION_SYSTEM,
    PHYSICAL_TYPE,
    V3_ROLE_CODE,
    Resource,
    coding,
    concept,
    meta,
    ref,
)

OCCUPANCY = 0.9
MAX_BEDS_PER_WARD = 40

# kind -> (share of the beds, name, code, beds per room)
WARD_KINDS: tuple[tuple[str, float, str, str, int], ...] = (
    (MAT, 0.25, "Maternité", "MAT", 2),
    (CHIR, 0.30, "Chirurgie", "CHIR", 2),
    (MED, 0.33, "Médecine", "MED", 2),
    (USC, 0.12, "Soins continus", "USC", 1),
)

PHYSICAL_TYPES = {"si": "Site", "wa": "Ward", "ro": "Room", "bd": "Bed"}
SITE_ID = "loc-site"


@dataclass(frozen=True)
class Ward:
    id: str
    code: str
    name: str
    kind: str


@dataclass(frozen=True)
class Room:
    id: str
    number: str
    ward: Ward


@dataclass(frozen=True)
class Bed:
    id: str
    name: str  # "101-A"
    room: Room
    letter: str  # "A" or "B"

    @property
    def ward(self) -> Ward:
        return self.room.ward


@dataclass(frozen=True)
class Place:
    """A location that is not a bed: an operating room or a consultation/imaging room."""

    id: str
    key: str
    name: str
    role_code: str | None
    type_text: str


@dataclass(frozen=True)
class Layout:
    wards: tuple[Ward, ...]
    rooms: tuple[Room, ...]
    beds: tuple[Bed, ...]
    blocs: tuple[Place, ...]
    places: tuple[Place, ...]

    def place(self, key: str) -> Place:
        return next(place for place in self.places if place.key == key)


def _split(total: int, shares: list[float]) -> list[int]:
    """Largest-remainder rounding: integer parts of `total` in proportion, summing to it."""
    raw = [total * share / sum(shares) for share in shares]
    parts = [math.floor(value) for value in raw]
    by_remainder = sorted(range(len(raw)), key=lambda i: (parts[i] - raw[i], i))
    for i in by_remainder[: total - sum(parts)]:
        parts[i] += 1
    return parts


def plan_layout(patients: int) -> Layout:
    """Enough beds for `patients` at ~90 % occupancy, and operating rooms in proportion."""
    total_beds = max(math.ceil(patients / OCCUPANCY), len(WARD_KINDS))
    per_kind = _split(total_beds, [share for _, share, *_ in WARD_KINDS])
    wards: list[Ward] = []
    rooms: list[Room] = []
    beds: list[Bed] = []
    floor = 0
    for (kind, _share, name, code, per_room), kind_beds in zip(WARD_KINDS, per_kind, strict=True):
        kind_beds = max(kind_beds, 1)
        units = math.ceil(kind_beds / MAX_BEDS_PER_WARD)
        for unit, unit_beds in enumerate(_split(kind_beds, [1.0] * units), start=1):
            floor += 1
            unit_code = code if unit == 1 else f"{code}{unit}"
            unit_name = name if unit == 1 else f"{name} {unit}"
            ward = Ward(f"loc-ward-{unit_code.lower()}", unit_code, unit_name, kind)
            wards.append(ward)
            for r in range(math.ceil(unit_beds / per_room)):
                number = str(floor * 100 + r + 1)
                room = Room(f"loc-room-{number}", number, ward)
                rooms.append(room)
                for letter in "AB"[: min(per_room, unit_beds - r * per_room)]:
                    beds.append(
                        Bed(f"loc-bed-{number}-{letter}", f"{number}-{letter}", room, letter)
                    )
    bloc_count = 2 if patients <= 120 else math.ceil(patients / 60)
    blocs = tuple(
        Place(f"loc-bloc-{i}", f"bloc-{i}", f"Bloc {i}", "OR", "Salle d'opération")
        for i in range(1, bloc_count + 1)
    )
    places = tuple(
        Place(f"loc-{key}", key, name, role, text) for key, name, role, text in CONSULTATION_PLACES
    )
    return Layout(tuple(wards), tuple(rooms), tuple(beds), blocs, places)


def _physical(code: str) -> dict[str, object]:
    return {"coding": [coding(PHYSICAL_TYPE, code, PHYSICAL_TYPES[code])]}


def _location(
    ident: str,
    value: str,
    name: str,
    physical: str,
    part_of: str | None,
    updated: datetime,
) -> Resource:
    resource: Resource = {
        "resourceType": "Location",
        "id": ident,
        "meta": meta(updated),
        "identifier": [{"system": LOCATION_SYSTEM, "value": value}],
        "status": "active",
        "name": name,
        "mode": "instance",
        "physicalType": _physical(physical),
    }
    if part_of:
        resource["partOf"] = ref("Location", part_of)
    return resource


def location_resources(
    layout: Layout,
    *,
    site_name: str,
    organization_id: str,
    occupied: set[str],
    updated: datetime,
) -> Iterator[Resource]:
    """Site first, then each ward followed by its rooms and beds, then blocs and places."""
    site = _location(SITE_ID, "SITE", site_name, "si", None, updated)
    site["managingOrganization"] = ref("Organization", organization_id, site_name)
    site["address"] = {"line": ["12 rue de la Clinique"], "city": "Nantes", "postalCode": "44000"}
    yield site
    rooms_of: dict[str, list[Room]] = {ward.id: [] for ward in layout.wards}
    for room in layout.rooms:
        rooms_of[room.ward.id].append(room)
    beds_of: dict[str, list[Bed]] = {room.id: [] for room in layout.rooms}
    for bed in layout.beds:
        beds_of[bed.room.id].append(bed)
    for ward in layout.wards:
        resource = _location(ward.id, ward.code, ward.name, "wa", SITE_ID, updated)
        resource["type"] = [concept(V3_ROLE_CODE, "HU", "Hospital unit", "Unité de soins")]
        resource["managingOrganization"] = ref("Organization", organization_id)
        yield resource
        for room in rooms_of[ward.id]:
            yield _location(room.id, room.number, f"Chambre {room.number}", "ro", ward.id, updated)
            for bed in beds_of[room.id]:
                resource = _location(bed.id, bed.name, bed.name, "bd", room.id, updated)
                status = ("O", "Occupied") if bed.id in occupied else ("U", "Unoccupied")
                resource["operationalStatus"] = coding(
                    "http://terminology.hl7.org/CodeSystem/v2-0116", *status
                )
                yield resource
    for place in (*layout.blocs, *layout.places):
        resource = _location(place.id, place.key.upper(), place.name, "ro", SITE_ID, updated)
        if place.role_code:
            resource["type"] = [
                concept(V3_ROLE_CODE, place.role_code, None, place.type_text),
            ]
        else:
            resource["type"] = [{"text": place.type_text}]
        yield resource
