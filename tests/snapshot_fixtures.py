"""A small hand-made French ward, written as the central EHR would export it.

It covers what the public Synthea sample does not: a site > ward > room > bed hierarchy,
INS/IPP/RPPS identifiers, contained and referenced Medication, `timeOfDay` and `when` timings,
a conditional reference, appointments and an OR list, vital signs, and a manifest.json.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

AS_OF = "2026-11-28T06:00:00Z"
INS_NIR = "urn:oid:1.2.250.1.213.1.4.8"
INS_TEST = "urn:oid:1.2.250.1.213.1.4.10"
IDNATPS = "urn:oid:1.2.250.1.71.4.2.1"
IPP_SYSTEM = "urn:oid:1.2.250.1.999.1.1"
LOCATION_SYSTEM = "urn:oid:1.2.250.1.999.1.3"
PHYSICAL = "http://terminology.hl7.org/CodeSystem/location-physical-type"
V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203"
LOINC = "http://loinc.org"

Resources = dict[str, list[dict[str, Any]]]


def _place(ident: str, name: str, kind: str, part_of: str | None, value: str) -> dict[str, Any]:
    place: dict[str, Any] = {
        "resourceType": "Location",
        "id": ident,
        "name": name,
        "status": "active",
        "identifier": [{"system": LOCATION_SYSTEM, "value": value}],
        "physicalType": {"coding": [{"system": PHYSICAL, "code": kind}]},
    }
    if part_of:
        place["partOf"] = {"reference": f"Location/{part_of}"}
    return place


def _patient(
    ident: str, family: str, given: str, ipp: str, ins: tuple[str, str], sex: str, born: str
) -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "id": ident,
        "meta": {"lastUpdated": "2026-11-27T10:00:00+01:00"},
        "identifier": [
            {
                "type": {"coding": [{"system": V2_0203, "code": "PI"}], "text": "IPP"},
                "system": IPP_SYSTEM,
                "value": ipp,
            },
            {"system": ins[0], "value": ins[1]},
        ],
        "name": [{"use": "official", "family": family, "given": given.split()}],
        "gender": sex,
        "birthDate": born,
    }


def _order(ident: str, patient: str, **fields: Any) -> dict[str, Any]:
    order = {
        "resourceType": "MedicationRequest",
        "id": ident,
        "status": "active",
        "intent": "order",
        "subject": {"reference": f"Patient/{patient}"},
        "authoredOn": "2026-11-27T09:00:00+01:00",
        "requester": {
            "reference": f"Practitioner?identifier={IDNATPS}|810001234567",
            "display": "Dr Jeanne Martin",
        },
    }
    order.update(fields)
    return order


def _dose(
    value: float, unit: str, timing: dict[str, Any], text: str, **extra: Any
) -> dict[str, Any]:
    dosage = {
        "text": text,
        "timing": timing,
        "doseAndRate": [{"doseQuantity": {"value": value, "unit": unit}}],
    }
    dosage.update(extra)
    return dosage


def hospital() -> Resources:
    """The ward's resources by type (a fresh copy each call: tests may change it)."""
    resources: Resources = {
        "Location": [
            _place("site", "Clinique Sainte-Anne", "si", None, "SITE"),
            _place("ward-med", "Médecine", "wa", "site", "MED"),
            _place("room-104", "Chambre 104", "ro", "ward-med", "104"),
            _place("bed-104a", "104-A", "bd", "room-104", "104-A"),
            _place("bed-104b", "104-B", "bd", "room-104", "104-B"),
            {
                **_place("bloc-1", "Bloc 1", "ro", "site", "BLOC1"),
                "type": [{"coding": [{"code": "OR"}], "text": "Salle d'opération"}],
            },
            _place("radio", "Radiologie", "ro", "site", "RADIO"),
        ],
        "Practitioner": [
            {
                "resourceType": "Practitioner",
                "id": "dr-martin",
                "identifier": [{"system": IDNATPS, "value": "810001234567"}],
                "name": [{"family": "Martin", "given": ["Jeanne"], "prefix": ["Dr"]}],
            },
            {
                "resourceType": "Practitioner",
                "id": "dr-roux",
                "identifier": [{"system": "http://rpps.fr", "value": "10009876543"}],
                "name": [{"family": "Roux", "given": ["Paul"], "prefix": ["Dr"]}],
            },
        ],
        "Patient": [
            _patient(
                "p-eloise",
                "Dupont-Lefèvre",
                "Éloïse Marie",
                "8000123",
                (INS_NIR, "290017512345678"),
                "female",
                "1990-01-17",
            ),
            _patient(
                "p-jean",
                "Martin",
                "Jean",
                "8000124",
                (INS_TEST, "190017512345699"),
                "male",
                "1948-03-02",
            ),
            _patient(
                "p-lucie",
                "Bernard",
                "Lucie",
                "8000125",
                (INS_NIR, "296037512345611"),
                "female",
                "1996-03-30",
            ),
        ],
        "Encounter": [
            {
                "resourceType": "Encounter",
                "id": "stay-1",
                "status": "in-progress",
                "class": {"code": "IMP"},
                "subject": {"reference": "Patient/p-eloise"},
                "period": {"start": "2026-11-25T14:30:00+01:00"},
                "location": [{"location": {"reference": "Location/bed-104a"}, "status": "active"}],
            },
            {
                "resourceType": "Encounter",
                "id": "stay-2",
                "status": "in-progress",
                "class": {"code": "IMP"},
                "subject": {"reference": "Patient/p-jean"},
                "period": {"start": "2026-11-26T08:00:00+01:00"},
                "location": [
                    {"location": {"reference": f"Location?identifier={LOCATION_SYSTEM}|104-B"}}
                ],
            },
            {
                "resourceType": "Encounter",
                "id": "stay-old",
                "status": "finished",
                "subject": {"reference": "Patient/p-lucie"},
                "period": {
                    "start": "2025-01-01T08:00:00+01:00",
                    "end": "2025-01-03T08:00:00+01:00",
                },
            },
        ],
        "AllergyIntolerance": [
            {
                "resourceType": "AllergyIntolerance",
                "id": "al-1",
                "clinicalStatus": {"coding": [{"code": "active"}]},
                "criticality": "high",
                "code": {"text": "Pénicilline"},
                "patient": {"reference": "Patient/p-eloise"},
                "reaction": [{"manifestation": [{"text": "Urticaire"}]}],
            },
            {
                "resourceType": "AllergyIntolerance",
                "id": "al-2",
                "clinicalStatus": {"coding": [{"code": "active"}]},
                "code": {
                    "coding": [{"system": "http://snomed.info/sct", "code": "716186003"}],
                    "text": "Aucune allergie connue",
                },
                "patient": {"reference": "Patient/p-jean"},
            },
        ],
        "Medication": [
            {
                "resourceType": "Medication",
                "id": "med-enox",
                "code": {
                    "coding": [{"system": "http://www.whocc.no/atc", "code": "B01AB05"}],
                    "text": "Énoxaparine 4000 UI/0,4 mL",
                },
                "form": {"text": "solution injectable"},
            },
        ],
        "MedicationRequest": [
            _order(
                "o-enox",
                "p-eloise",
                medicationReference={"reference": "Medication/med-enox"},
                dosageInstruction=[
                    _dose(
                        4000,
                        "UI",
                        {"repeat": {"when": ["EVE"]}},
                        "4000 UI SC le soir",
                        route={"text": "sous-cutanée"},
                    )
                ],
            ),
            _order(
                "o-para",
                "p-eloise",
                contained=[
                    {
                        "resourceType": "Medication",
                        "id": "m1",
                        "code": {"text": "Paracétamol 1 g comprimé"},
                        "form": {"text": "comprimé"},
                    }
                ],
                medicationReference={"reference": "#m1"},
                dosageInstruction=[
                    _dose(
                        1,
                        "g",
                        {
                            "repeat": {
                                "timeOfDay": ["08:00:00", "14:00:00", "20:00:00"],
                                "boundsPeriod": {
                                    "start": "2026-11-26T08:00:00+01:00",
                                    "end": "2026-12-05",
                                },
                            }
                        },
                        "1 g à 8 h, 14 h, 20 h",
                    )
                ],
                dispenseRequest={"validityPeriod": {"start": "2026-11-26", "end": "2026-12-10"}},
            ),
            _order(
                "o-morph",
                "p-eloise",
                medicationCodeableConcept={"text": "Morphine 2,5 mg injectable"},
                dosageInstruction=[
                    _dose(
                        2.5,
                        "mg",
                        {"repeat": {"frequency": 1, "period": 4, "periodUnit": "h"}},
                        "si douleur",
                        asNeededCodeableConcept={"text": "douleur EVA > 4"},
                    )
                ],
            ),
            _order(
                "o-amox",
                "p-jean",
                medicationCodeableConcept={"text": "Amoxicilline 1 g"},
                dosageInstruction=[
                    _dose(1, "g", {"code": {"coding": [{"code": "BID"}]}}, "1 g matin et soir")
                ],
            ),
            _order(
                "o-stopped",
                "p-jean",
                status="stopped",
                medicationCodeableConcept={"text": "Furosémide 40 mg"},
            ),
            _order(
                "o-two-doses",
                "p-jean",
                medicationCodeableConcept={"text": "Prednisone 5 mg"},
                dosageInstruction=[
                    _dose(1, "comprimé", {"repeat": {"when": ["MORN"]}}, "1 le matin"),
                    _dose(2, "comprimés", {"repeat": {"when": ["EVE"]}}, "2 le soir"),
                ],
            ),
            _order(
                "o-contained-dr",
                "p-jean",
                medicationCodeableConcept={"text": "Oméprazole 20 mg"},
                contained=[
                    {
                        "resourceType": "Practitioner",
                        "id": "pr",
                        "name": [{"family": "Petit", "given": ["Anne"]}],
                        "identifier": [{"system": "http://rpps.fr", "value": "10001111111"}],
                    }
                ],
                requester={"reference": "#pr"},
            ),
        ],
        "Appointment": [
            {
                "resourceType": "Appointment",
                "id": "apt-bloc",
                "status": "booked",
                "serviceType": [{"text": "Cholécystectomie"}],
                "description": "Cholécystectomie coelioscopique",
                "start": "2026-11-28T08:30:00+01:00",
                "end": "2026-11-28T10:00:00+01:00",
                "participant": [
                    {"actor": {"reference": "Patient/p-eloise"}, "status": "accepted"},
                    {
                        "actor": {"reference": "Practitioner/dr-roux"},
                        "status": "accepted",
                        "type": [{"text": "Chirurgien"}],
                    },
                    {"actor": {"reference": "Location/bloc-1"}, "status": "accepted"},
                ],
            },
            {
                "resourceType": "Appointment",
                "id": "apt-radio",
                "status": "booked",
                "serviceType": [{"text": "Scanner thoracique"}],
                "start": "2026-11-28T14:00:00+01:00",
                "end": "2026-11-28T14:20:00+01:00",
                "participant": [
                    {"actor": {"reference": "Patient/p-jean"}, "status": "accepted"},
                    {"actor": {"reference": "Location/radio"}, "status": "accepted"},
                ],
            },
        ],
        "Observation": [
            _vital(
                "w-old", "p-eloise", "29463-7", "Poids", 61.0, "kg", "2026-11-25T15:00:00+01:00"
            ),
            _vital(
                "w-new", "p-eloise", "29463-7", "Poids", 60.2, "kg", "2026-11-27T07:00:00+01:00"
            ),
            {
                **_vital(
                    "bp",
                    "p-eloise",
                    "85354-9",
                    "Pression artérielle",
                    None,
                    None,
                    "2026-11-27T07:00:00+01:00",
                ),
                "component": [
                    {
                        "code": {"coding": [{"system": LOINC, "code": "8480-6"}]},
                        "valueQuantity": {"value": 120, "unit": "mmHg"},
                    },
                    {
                        "code": {"coding": [{"system": LOINC, "code": "8462-4"}]},
                        "valueQuantity": {"value": 80, "unit": "mmHg"},
                    },
                ],
            },
            {
                "resourceType": "Observation",
                "id": "lab-1",
                "status": "final",
                "category": [{"coding": [{"code": "laboratory"}]}],
                "code": {"coding": [{"system": LOINC, "code": "2345-7"}]},
                "subject": {"reference": "Patient/p-eloise"},
                "valueQuantity": {"value": 5.2},
            },
        ],
        "Organization": [{"resourceType": "Organization", "id": "org", "name": "Clinique"}],
    }
    return copy.deepcopy(resources)


def _vital(
    ident: str,
    patient: str,
    code: str,
    display: str,
    value: float | None,
    unit: str | None,
    when: str,
) -> dict[str, Any]:
    observation: dict[str, Any] = {
        "resourceType": "Observation",
        "id": ident,
        "status": "final",
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": "vital-signs",
                    }
                ]
            }
        ],
        "code": {"coding": [{"system": LOINC, "code": code, "display": display}]},
        "subject": {"reference": f"Patient/{patient}"},
        "effectiveDateTime": when,
    }
    if value is not None:
        observation["valueQuantity"] = {"value": value, "unit": unit}
    return observation


def write_bulk(folder: Path, resources: Resources, *, as_of: str | None = AS_OF) -> Path:
    """One NDJSON file per type and, when `as_of` is given, a Bulk Data manifest."""
    folder.mkdir(parents=True, exist_ok=True)
    for kind, items in resources.items():
        with (folder / f"{kind}.ndjson").open("w", encoding="utf-8") as handle:
            for item in items:
                handle.write(json.dumps(item, ensure_ascii=False) + "\n")
    if as_of is not None:
        manifest = {
            "transactionTime": as_of,
            "request": "https://ehr.example/fhir/Group/ward/$export",
            "requiresAccessToken": True,
            "output": [
                {
                    "type": kind,
                    "url": f"https://ehr.example/files/{kind}.ndjson",
                    "count": len(items),
                }
                for kind, items in resources.items()
            ],
            "error": [],
        }
        (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


def bundle_of(resources: Resources, *, kind: str = "transaction") -> dict[str, Any]:
    """A Bundle whose entries refer to each other by urn:uuid, as a transaction would."""
    urls = {
        (r["resourceType"], r["id"]): f"urn:uuid:{r['id']}-0000"
        for items in resources.values()
        for r in items
    }

    def rewrite(value: Any) -> Any:
        if isinstance(value, dict):
            ref = value.get("reference")
            if isinstance(ref, str) and ref.count("/") == 1 and "?" not in ref:
                target = tuple(ref.split("/"))
                if target in urls:
                    value = {**value, "reference": urls[target]}
            return {k: rewrite(v) for k, v in value.items()}
        if isinstance(value, list):
            return [rewrite(v) for v in value]
        return value

    entries = []
    for items in resources.values():
        for r in items:
            entry: dict[str, Any] = {
                "fullUrl": urls[(r["resourceType"], r["id"])],
                "resource": rewrite(r),
            }
            if kind in ("transaction", "batch"):
                entry["request"] = {"method": "POST", "url": r["resourceType"]}
            entries.append(entry)
    return {"resourceType": "Bundle", "type": kind, "entry": entries}


# --------------------------------------------------------------------------- a test keyring

try:
    from keyring.backend import KeyringBackend
except ImportError:  # pragma: no cover - keyring is a dependency
    KeyringBackend = object  # type: ignore[assignment,misc]


class FileKeyring(KeyringBackend):  # type: ignore[misc,valid-type]
    """A stand-in for the OS secret store, kept in the JSON file named by
    CONTINUITY_TEST_KEYRING, so a `continuity` subprocess sees what the test stored.
    Test use only: a real laptop uses Credential Manager, Keychain or Secret Service."""

    priority = 1

    def _load(self) -> dict[str, str]:
        path = Path(os.environ["CONTINUITY_TEST_KEYRING"])
        return json.loads(path.read_text()) if path.exists() else {}

    def _save(self, data: dict[str, str]) -> None:
        Path(os.environ["CONTINUITY_TEST_KEYRING"]).write_text(json.dumps(data))

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}|{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data[f"{service}|{username}"] = password
        self._save(data)

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        data.pop(f"{service}|{username}", None)
        self._save(data)
