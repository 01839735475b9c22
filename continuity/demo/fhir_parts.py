"""Small FHIR R4 JSON shapes shared by the demo generator, and its NDJSON writer.

The demo writes plain dicts rather than model objects: 5,000 patients mean ~150,000 resources,
and building them as dicts and dumping them straight to disk keeps generation within seconds.
Times are written in Europe/Paris with their offset, as a French hospital's export would be.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, TextIO
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")

UCUM = "http://unitsofmeasure.org"
SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
PHYSICAL_TYPE = "http://terminology.hl7.org/CodeSystem/location-physical-type"
V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203"
V3_ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
V3_ROLE_CODE = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
V3_PARTICIPATION = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"

# French identifier systems (ANS) and the demo site's local OIDs under a reserved-looking arc.
INS_NIR_SYSTEM = "urn:oid:1.2.250.1.213.1.4.8"
RPPS_SYSTEM = "urn:oid:1.2.250.1.71.4.2.1"
FINESS_SYSTEM = "urn:oid:1.2.250.1.71.4.2.2"
IPP_SYSTEM = "urn:oid:1.2.250.1.999.1.1"
LOCATION_SYSTEM = "urn:oid:1.2.250.1.999.1.3"
ORDER_SYSTEM = "urn:oid:1.2.250.1.999.1.4"
STAY_SYSTEM = "urn:oid:1.2.250.1.999.1.5"
APPOINTMENT_SYSTEM = "urn:oid:1.2.250.1.999.1.6"

Resource = dict[str, Any]


def iso(moment: datetime) -> str:
    """A FHIR dateTime/instant in Paris time, to the second, with its offset."""
    return moment.astimezone(PARIS).isoformat(timespec="seconds")


def meta(last_updated: datetime) -> dict[str, str]:
    return {"lastUpdated": iso(last_updated)}


def ref(kind: str, ident: str, display: str | None = None) -> dict[str, str]:
    reference = {"reference": f"{kind}/{ident}"}
    if display:
        reference["display"] = display
    return reference


def coding(system: str, code: str, display: str | None = None) -> dict[str, str]:
    result = {"system": system, "code": code}
    if display:
        result["display"] = display
    return result


def concept(system: str, code: str, display: str | None, text: str) -> dict[str, Any]:
    return {"coding": [coding(system, code, display)], "text": text}


def quantity(value: float, unit: str, ucum: str | None) -> dict[str, Any]:
    """A Quantity; units that are not UCUM (comprimé, dosette) are written as text only."""
    result: dict[str, Any] = {"value": number(value), "unit": unit}
    if ucum:
        result["system"] = UCUM
        result["code"] = ucum
    return result


def number(value: float) -> int | float:
    """Whole numbers as JSON integers (4000, not 4000.0), others rounded for display."""
    return int(value) if float(value).is_integer() else round(value, 2)


def french_number(value: float) -> str:
    """2.5 -> "2,5": French decimal comma in instruction texts."""
    return str(number(value)).replace(".", ",")


class NdjsonFolder:
    """One open NDJSON file per resource type, written line by line and counted.

    Files are opened lazily in the order resources arrive and listed in `order` for the
    manifest, so the output never depends on dict or set iteration of the caller.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.counts: dict[str, int] = {}
        self._files: dict[str, TextIO] = {}
        self._dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode

    @staticmethod
    def file_name(resource_type: str) -> str:
        return f"{resource_type}.ndjson"

    def write(self, resource: Resource) -> None:
        kind = resource["resourceType"]
        handle = self._files.get(kind)
        if handle is None:
            path = self.folder / self.file_name(kind)
            handle = path.open("w", encoding="utf-8", newline="\n", buffering=1 << 20)
            self._files[kind] = handle
            self.counts[kind] = 0
        handle.write(self._dumps(resource))
        handle.write("\n")
        self.counts[kind] += 1

    def close(self) -> None:
        for handle in self._files.values():
            handle.close()
        self._files.clear()

    def __enter__(self) -> NdjsonFolder:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
