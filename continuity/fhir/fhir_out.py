"""Manual entries out as FHIR R4: one transaction Bundle that can be posted twice safely.

Every resource made from an entry carries the identifier `urn:continuity:entry|<entry uuid>`,
and its Bundle entry is a conditional create (`POST` with `ifNoneExist`): posting the same
Bundle again, or a later Bundle that repeats an entry, creates nothing twice. Two exceptions,
both idempotent by construction too:

- an entry that a later correction or retraction superseded is sent as a *conditional update*
  (`PUT Type?identifier=urn:continuity:entry|<uuid>`) with status `entered-in-error`, so it is
  marked so whether the central record got it earlier (a first reconciliation round) or not;
- R4 Provenance has no identifier: it gets a deterministic id (`continuity-<entry uuid>`) and
  is `PUT` by id.

A vital-signs entry makes one Observation per measurement (the FHIR vital-signs profiles are
one measurement each); `ifNoneExist` searches within one resource type, so those also carry an
item identifier (`urn:continuity:entry-item|<uuid>/<part>`) that their conditional create uses.
A downtime admission's Patient is created on its temporary identifier (or, once mapped, on its
real IPP), not on the entry's: one person, however many corrections of their admission.

Which resource each kind becomes is decided in the `out_*` modules; this module holds the
identifiers, the references between resources and the Bundle wrapping. Texts that reach the
central record are French whatever the app's language, so that two runs make the same Bundle.
Entries come in their lossless JSON form (`continuity.reconcile.package_contents`), which is
also what the merge reads.
"""

from __future__ import annotations

import hashlib
import json
import uuid as uuid_module
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import IO, Any
from zoneinfo import ZoneInfo

import orjson

from continuity.core.i18n import translate_to

ENTRY_SYSTEM = "urn:continuity:entry"
ITEM_SYSTEM = "urn:continuity:entry-item"
TEMP_ID_SYSTEM = "urn:continuity:temporary-id"
MANUAL_ORDER_SYSTEM = "urn:continuity:manual-order"
PAPER_REF_SYSTEM = "urn:continuity:paper-prescription"
USER_SYSTEM = "urn:continuity:user"
DEVICE_SYSTEM = "urn:continuity:device"
TAG_SYSTEM = "urn:continuity:tag"
IDNATPS_SYSTEM = "urn:oid:1.2.250.1.71.4.2.1"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
ERROR = "entered-in-error"

#: A fixed namespace, so that the same entry always gets the same fullUrls and Provenance id.
_NAMESPACE = uuid_module.UUID("6f1c9a52-4d3e-4f0b-9a1e-3c2d5b7e8f10")
_NAMESPACE_SHA1 = hashlib.sha1(_NAMESPACE.bytes, usedforsecurity=False)


def N_(message: str) -> str:
    """Mark a French-bound label for the catalogue; `fr()` translates it where used."""
    return message


def fr(message: str) -> str:
    """The French of a label: what the central record shows, whatever the app's language."""
    return translate_to(message, "fr")


TAG = {"system": TAG_SYSTEM, "code": "downtime-entry"}
TAG_DISPLAY = N_("Recorded during the outage (Continuity)")


# -- times -----------------------------------------------------------------------------------
@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name or "Europe/Paris")


@lru_cache(maxsize=4096)
def fhir_datetime(utc_iso: str | None, tz: str = "Europe/Paris") -> str | None:
    """A stored UTC time as a FHIR dateTime in the ward's own offset (+01:00 / +02:00).
    Cached: an entry's time is written on its resources and its Provenance, and the same
    scheduled dose times recur through a whole merge."""
    if not utc_iso:
        return None
    moment = datetime.fromisoformat(utc_iso.replace("Z", "+00:00"))
    return moment.astimezone(_zone(tz)).isoformat(timespec="seconds")


# -- identities ------------------------------------------------------------------------------
def full_url(entry_uuid: str, resource_type: str, part: str = "") -> str:
    """The deterministic `urn:uuid:` of one resource made from one entry (a name-based UUID,
    RFC 4122 version 5, built without `uuid.UUID` objects: a merge makes 150,000 of them)."""
    sha = _NAMESPACE_SHA1.copy()
    sha.update(f"{entry_uuid}/{resource_type}/{part}".encode())
    raw = bytearray(sha.digest()[:16])
    raw[6] = (raw[6] & 0x0F) | 0x50
    raw[8] = (raw[8] & 0x3F) | 0x80
    h = raw.hex()
    return f"urn:uuid:{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def provenance_id(entry_uuid: str) -> str:
    return f"continuity-{entry_uuid}"


def entry_identifier(entry_uuid: str) -> dict[str, str]:
    return {"system": ENTRY_SYSTEM, "value": entry_uuid}


def conditional(resource_type: str, system: str | None, value: str) -> str:
    token = f"{system}|{value}" if system else value
    return f"{resource_type}?identifier={token}"


# -- references ------------------------------------------------------------------------------
@dataclass
class References:
    """How the ids inside entries become references in one particular Bundle.

    The export of one laptop and the merge of several build different ones: the merge knows
    the temporary-id mapping and the whole correction chains. `current` holds the uuids whose
    resources are created in this Bundle (so they are referred to by fullUrl, which the server
    resolves even when the conditional create found the resource already there); anything
    else is referred to by a conditional reference on its identifier.
    """

    current: set[str] = field(default_factory=set)
    head: dict[str, str] = field(default_factory=dict)  # uuid -> latest uuid of its chain
    temporary: set[str] = field(default_factory=set)  # temporary patient ids
    admission_of: dict[str, str] = field(default_factory=dict)  # temp id -> admission uuid
    ipp_of: dict[str, str] = field(default_factory=dict)  # temp id -> real IPP (mapping)
    ipp_system: str | None = None
    manual_orders: set[str] = field(default_factory=set)  # manual order ids (first uuid)
    manual_order_head: dict[str, str] = field(default_factory=dict)  # order id -> head uuid
    infusion_labels: dict[str, str] = field(default_factory=dict)  # start uuid -> solution
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    devices: dict[str, str] = field(default_factory=dict)

    def latest(self, entry_uuid: str) -> str:
        return self.head.get(entry_uuid, entry_uuid)

    def is_temporary(self, patient_id: str | None) -> bool:
        return bool(patient_id) and (
            patient_id in self.temporary or patient_id in self.admission_of
        )

    def patient(self, patient_id: str | None) -> dict[str, Any]:
        if not patient_id:
            return {"display": fr(N_("unknown patient"))}
        if not self.is_temporary(patient_id):
            return {"reference": f"Patient/{patient_id}"}
        admission = self.admission_of.get(patient_id)
        if admission is not None and self.latest(admission) in self.current:
            return {"reference": full_url(self.latest(admission), "Patient")}
        ipp = self.ipp_of.get(patient_id)
        if ipp is not None:
            return {"reference": conditional("Patient", self.ipp_system, ipp)}
        return {"reference": conditional("Patient", TEMP_ID_SYSTEM, patient_id)}

    def patient_condition(self, patient_id: str) -> str:
        """What a downtime admission's Patient is conditionally created on."""
        ipp = self.ipp_of.get(patient_id)
        if ipp is not None:
            return (
                f"identifier={self.ipp_system}|{ipp}" if self.ipp_system else (f"identifier={ipp}")
            )
        return f"identifier={TEMP_ID_SYSTEM}|{patient_id}"

    def order(self, order_id: str | None) -> dict[str, Any] | None:
        if not order_id:
            return None
        if order_id in self.manual_orders or order_id in self.manual_order_head:
            head = self.manual_order_head.get(order_id)
            if head is not None and head in self.current:
                return {"reference": full_url(head, "MedicationRequest")}
            return {"reference": conditional("MedicationRequest", MANUAL_ORDER_SYSTEM, order_id)}
        return {"reference": f"MedicationRequest/{order_id}"}

    def entry(self, resource_type: str, entry_uuid: str) -> dict[str, Any]:
        """A reference to the resource another entry made (an infusion's start...)."""
        latest = self.latest(entry_uuid)
        if latest in self.current:
            return {"reference": full_url(latest, resource_type)}
        return {"reference": conditional(resource_type, ENTRY_SYSTEM, latest)}

    def user(self, login: str | None) -> dict[str, Any] | None:
        if not login:
            return None
        info = self.users.get(login) or {}
        ref: dict[str, Any] = {"display": info.get("display_name") or login}
        rpps = info.get("professional_id")
        if rpps and str(rpps).isdigit() and len(str(rpps)) == 11:
            ref["identifier"] = {"system": IDNATPS_SYSTEM, "value": f"8{rpps}"}
        else:
            ref["identifier"] = {"system": USER_SYSTEM, "value": login}
        return ref

    def device(self, device_id: str) -> dict[str, Any]:
        return {
            "display": self.devices.get(device_id) or device_id,
            "identifier": {"system": DEVICE_SYSTEM, "value": device_id},
        }


# -- what the out_* builders return ---------------------------------------------------------
@dataclass
class Made:
    """One resource made from an entry, before identifiers, tag and request are added."""

    resource: dict[str, Any]
    part: str = ""  # set when an entry makes several resources of the same type
    extra_identifiers: list[dict[str, Any]] = field(default_factory=list)
    create_on: str | None = None  # ifNoneExist query, when not the entry's identifier
    update_on: str | None = None  # conditional-update query for the entered-in-error form


Builder = Callable[[dict[str, Any], References, bool], list[Made]]


def _builders() -> dict[str, Builder]:
    from continuity.fhir import out_clinical, out_medication, out_observation

    return {
        "dose": out_medication.dose,
        "infusion": out_medication.infusion,
        "manual_order": out_medication.manual_order,
        "vitals": out_observation.vitals,
        "note": out_clinical.note,
        "allergy": out_clinical.allergy,
        "line": out_clinical.line,
        "admission": out_clinical.admission,
        "transfer": out_clinical.transfer,
        "discharge": out_clinical.discharge,
    }


_BUILDERS: dict[str, Builder] = {}


def builder_for(kind: str) -> Builder | None:
    if not _BUILDERS:
        _BUILDERS.update(_builders())
    return _BUILDERS.get(kind)


def bundle_entries(
    row: dict[str, Any], refs: References, *, in_error: bool = False
) -> list[dict[str, Any]]:
    """The Bundle entries for one entry: its resources and their Provenance.

    `in_error` makes the entered-in-error form of a superseded entry. A retraction makes only
    a Provenance (the retracted entry itself is sent `in_error` by the caller).
    """
    kind = row["kind"]
    made: list[Made] = []
    builder = builder_for(kind)
    if builder is not None:
        made = builder(row, refs, in_error)
    out = [_wrap(row, m, in_error) for m in made]
    targets = [e["fullUrl"] for e in out]
    if kind == "retraction" and row.get("supersedes"):
        targets = []  # filled from the retracted entry's own identifier below
    out.append(provenance(row, refs, targets))
    return out


_HEAD = ("resourceType", "id", "meta", "identifier")


def _wrap(row: dict[str, Any], made: Made, in_error: bool) -> dict[str, Any]:
    resource = made.resource
    rtype = resource["resourceType"]
    entry_uuid = row["uuid"]
    identifiers = [entry_identifier(entry_uuid)]
    if made.part:
        identifiers.append({"system": ITEM_SYSTEM, "value": f"{entry_uuid}/{made.part}"})
    identifiers.extend(made.extra_identifiers)
    identifiers.extend(resource.get("identifier") or ())
    meta = dict(resource.get("meta") or {})
    meta["tag"] = [*meta.get("tag", ()), _tag()]
    own = (
        f"identifier={ITEM_SYSTEM}|{entry_uuid}/{made.part}"
        if made.part
        else f"identifier={ENTRY_SYSTEM}|{entry_uuid}"
    )
    if in_error:
        request = {"method": "PUT", "url": f"{rtype}?{made.update_on or own}"}
    else:
        request = {"method": "POST", "url": rtype, "ifNoneExist": made.create_on or own}
    # resourceType, id, meta and identifier first (easier to read in a file); empty elements
    # dropped (FHIR forbids them)
    ordered: dict[str, Any] = {"resourceType": rtype}
    if "id" in resource:
        ordered["id"] = resource["id"]
    ordered["meta"] = meta
    ordered["identifier"] = identifiers
    for key, value in resource.items():
        if key not in _HEAD and value is not None and value != [] and value != {}:
            ordered[key] = value
    return {
        "fullUrl": full_url(entry_uuid, rtype, made.part),
        "resource": ordered,
        "request": request,
    }


def _tag() -> dict[str, str]:
    """The "recorded during the outage" tag every resource carries (a new dict each time: a
    resource's meta must never share a list with another's)."""
    return {**TAG, "display": fr(TAG_DISPLAY)}


# -- provenance ------------------------------------------------------------------------------
_ACTIVITY = "http://terminology.hl7.org/CodeSystem/v3-DataOperation"
_PARTICIPANT = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"


def provenance(row: dict[str, Any], refs: References, targets: list[str]) -> dict[str, Any]:
    """Who recorded the entry, on which laptop, when: PUT by a deterministic id.

    Agents: the author ("author"), the witness of a high-alert dose ("verifier") and the
    laptop ("custodian": it kept the original record until this export).
    """
    entry_uuid = row["uuid"]
    if row["kind"] == "retraction":
        activity = "DELETE"
    elif row.get("supersedes"):
        activity = "UPDATE"
    else:
        activity = "CREATE"
    target_refs: list[dict[str, Any]] = [{"reference": t} for t in targets]
    if not target_refs:
        target_refs = [{"identifier": entry_identifier(row.get("supersedes") or entry_uuid)}]
    agents = [_agent("author", refs.user(row.get("author")))]
    if row.get("witness"):
        agents.append(_agent("verifier", refs.user(row["witness"])))
    agents.append(_agent("custodian", refs.device(row["device_id"])))
    resource: dict[str, Any] = {
        "resourceType": "Provenance",
        "id": provenance_id(entry_uuid),
        "meta": {"tag": [_tag()]},
        "target": target_refs,
        "occurredDateTime": fhir_datetime(row.get("clinical_time"), row.get("tz") or ""),
        "recorded": row["recorded_time"],
        "activity": {"coding": [{"system": _ACTIVITY, "code": activity}]},
        "agent": agents,
    }
    if row.get("reason"):
        resource["reason"] = [{"text": row["reason"]}]
    if row.get("supersedes"):
        resource["entity"] = [
            {"role": "revision", "what": {"identifier": entry_identifier(row["supersedes"])}}
        ]
    return {
        "fullUrl": full_url(entry_uuid, "Provenance"),
        "resource": resource,
        "request": {"method": "PUT", "url": f"Provenance/{provenance_id(entry_uuid)}"},
    }


def _agent(code: str, who: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "type": {"coding": [{"system": _PARTICIPANT, "code": code}]},
        "who": who or {"display": "?"},
    }


# -- the Bundle ------------------------------------------------------------------------------
class BundleWriter:
    """Writes a transaction Bundle entry by entry, so 50,000 entries never sit in memory."""

    def __init__(self, stream: IO[bytes], *, timestamp: str, bundle_id: str | None = None):
        self.stream = stream
        self.count = 0
        head: dict[str, Any] = {"resourceType": "Bundle"}
        if bundle_id:
            head["id"] = bundle_id
        head.update(type="transaction", timestamp=timestamp)
        text = json.dumps(head, ensure_ascii=False, separators=(",", ":"))
        stream.write((text[:-1] + ',"entry":[').encode("utf-8"))

    def add(self, entries: Iterable[dict[str, Any]]) -> None:
        # orjson: compact UTF-8 bytes, ~5x faster than json (a merge writes 200 MB of them).
        lines = [orjson.dumps(entry) for entry in entries]
        if not lines:
            return
        self.stream.write((b"," if self.count else b"") + b"\n,".join(lines) + b"\n")
        self.count += len(lines)

    def close(self) -> None:
        self.stream.write(b"]}\n")


def transaction_bundle(
    rows: Iterable[tuple[dict[str, Any], bool]], refs: References, *, timestamp: str
) -> dict[str, Any]:
    """A whole Bundle in memory (tests, small exports): rows are (entry, in_error) pairs."""
    entries: list[dict[str, Any]] = []
    for row, in_error in rows:
        entries.extend(bundle_entries(row, refs, in_error=in_error))
    return {
        "resourceType": "Bundle",
        "type": "transaction",
        "timestamp": timestamp,
        "entry": entries,
    }
