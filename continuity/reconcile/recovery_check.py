"""After recovery: which entries does the central record already hold? (so none is loaded twice)

The central system's fresh snapshot is read in the same formats as any snapshot (a Bulk Data
folder, a zip of one, or a Bundle: `continuity.fhir.sources`), now also for the resources our
Bundles create. An entry is already present when:
- a resource carries its identifier `urn:continuity:entry|<uuid>` (an earlier Bundle posted);
- or, for doses and vital signs typed in by hand from paper: the same patient, the same order
  (for a manual order, the same drug name) and the same status, within 15 minutes for a dose;
  the same patient and LOINC code within 15 minutes for each measurement of a vital-signs
  entry. Matching is one to one (`match_by_hand`): a hand-typed administration accounts for
  one laptop dose only, a hand-typed measurement for one laptop vital-signs entry only, the
  closest in time; two doses given (or two readings taken) and one typed in leave the other to
  load. A vital-signs entry of which only some measurements are found is *partly* present: it
  is held back for a person to decide, as loading it would duplicate the others.

Only the resources' identifiers, subjects, orders, codes and times are kept in memory.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from continuity.core.clock import from_iso
from continuity.core.text import fold
from continuity.fhir.errors import Invalid
from continuity.fhir.fhir_out import ENTRY_SYSTEM, ITEM_SYSTEM
from continuity.fhir.identifiers import ipp as ipp_of
from continuity.fhir.references import parse_reference
from continuity.fhir.sources import open_source
from continuity.reconcile.progress import Progress

TOLERANCE = timedelta(minutes=15)
PRESENT, BY_HAND, PARTLY = "identifier", "by_hand", "partly"

#: The code each vital-signs measurement is looked for under (then its alternatives).
VITAL_CODES = {
    "bp": ("85354-9", "8480-6"),
    "hr": ("8867-4",),
    "rr": ("9279-1",),
    "temp": ("8310-5",),
    "spo2": ("2708-6", "59408-5"),
    "pain": ("72514-3",),
    "weight": ("29463-7",),
    "glucose": ("2339-0",),
    "avpu": ("67775-7",),
}
_VITAL_KEYS = {
    "bp": "bp_sys",
    "hr": "hr",
    "rr": "rr",
    "temp": "temp",
    "spo2": "spo2",
    "pain": "pain",
    "weight": "weight",
    "glucose": "glucose",
    "avpu": "avpu",
}


@dataclass
class CentralRecord:
    """What the central snapshot holds, indexed for matching."""

    source: str
    present: set[str] = field(default_factory=set)
    doses: dict[tuple[str, str, str], list[datetime]] = field(
        default_factory=lambda: defaultdict(list)
    )
    #: (patient, measurement) -> times: one time per central Observation, even when it is
    #: coded under several of the measurement's codes (SpO2), so it is counted once.
    vitals: dict[tuple[str, str], list[datetime]] = field(default_factory=lambda: defaultdict(list))
    patients_by_ipp: dict[str, str] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def sort(self) -> None:
        for times in self.doses.values():
            times.sort()
        for times in self.vitals.values():
            times.sort()


def _ref_id(value: Any, element: str, kind: str) -> str | None:
    try:
        ref = parse_reference(value, element)
    except Invalid:
        return None
    if ref is None:
        return None
    if ref.id and (ref.type in (None, kind)):
        return ref.id
    return None


def _when(resource: dict[str, Any]) -> datetime | None:
    text = resource.get("effectiveDateTime")
    if not text:
        period = resource.get("effectivePeriod") or {}
        text = period.get("start") or period.get("end")
    if not isinstance(text, str):
        return None
    try:
        return from_iso(text)
    except ValueError:
        return None


def _dose_status(status: Any) -> str | None:
    return {"completed": "given", "in-progress": "given", "not-done": "not_given"}.get(status)


def load_central(
    path: Path, *, since: datetime | None = None, progress: Progress | None = None
) -> CentralRecord:
    """Read the central snapshot once; SnapshotFormatError (one sentence) if it is unreadable.

    `since` leaves out doses and measurements older than any entry could be (a hospital's
    record holds years of them; only the outage's weeks can match)."""
    record = CentralRecord(str(path))
    counts: dict[str, int] = defaultdict(int)
    with open_source(Path(path)) as source:
        for number, raw in enumerate(source.resources(), 1):
            resource = raw.resource
            if not isinstance(resource, dict):
                continue
            kind = resource.get("resourceType")
            counts[str(kind)] += 1
            for ident in resource.get("identifier") or []:
                if not isinstance(ident, dict):
                    continue
                if ident.get("system") == ENTRY_SYSTEM and ident.get("value"):
                    record.present.add(str(ident["value"]))
                elif ident.get("system") == ITEM_SYSTEM and ident.get("value"):
                    record.present.add(str(ident["value"]).split("/", 1)[0])
            if resource.get("status") == "entered-in-error":
                continue
            if kind in ("MedicationAdministration", "Observation"):
                when = _when(resource)
                if when is None or (since is not None and when < since):
                    continue
                if kind == "MedicationAdministration":
                    _index_dose(record, resource, when)
                else:
                    _index_observation(record, resource, when)
            elif kind == "Patient":
                found = ipp_of(resource.get("identifier"))
                if found and isinstance(resource.get("id"), str):
                    record.patients_by_ipp[found] = resource["id"]
            if progress and number % 5000 == 0:
                progress(number, 0, "")
    record.counts = dict(counts)
    record.sort()
    return record


def _index_dose(record: CentralRecord, resource: dict[str, Any], when: datetime) -> None:
    patient = _ref_id(resource.get("subject"), "subject", "Patient")
    status = _dose_status(resource.get("status"))
    if patient is None or status is None:
        return
    order = _ref_id(resource.get("request"), "request", "MedicationRequest")
    if order:
        record.doses[(patient, "order:" + order, status)].append(when)
    concept = resource.get("medicationCodeableConcept") or {}
    name = concept.get("text") or next(
        (c.get("display") for c in concept.get("coding") or [] if c.get("display")), None
    )
    if name:
        record.doses[(patient, "drug:" + fold(name), status)].append(when)


def _index_observation(record: CentralRecord, resource: dict[str, Any], when: datetime) -> None:
    patient = _ref_id(resource.get("subject"), "subject", "Patient")
    if patient is None:
        return
    codes = {
        str(coding["code"])
        for coding in (resource.get("code") or {}).get("coding") or []
        if isinstance(coding, dict) and coding.get("code")
    }
    for part, alternatives in VITAL_CODES.items():
        if codes.intersection(alternatives):
            record.vitals[(patient, part)].append(when)


def _near(times: list[datetime], when: datetime) -> bool:
    i = bisect.bisect_left(times, when - TOLERANCE)
    return i < len(times) and times[i] <= when + TOLERANCE


def central_patient(record: CentralRecord, patient_id: str | None, ipp: str | None) -> str | None:
    """The central id of an entry's patient: its snapshot id, or its mapped IPP's."""
    if ipp:
        return record.patients_by_ipp.get(ipp)
    return patient_id


def dose_key(row: dict[str, Any], patient: str, manual_drug: str | None) -> tuple[str, str, str]:
    """What a dose is matched on: the central patient, the order (or a manual order's drug
    name) and the status."""
    status = str((row.get("payload") or {}).get("status"))
    key = "drug:" + fold(manual_drug) if manual_drug else "order:" + str(row.get("order_id"))
    return (patient, key, status)


def _vital_parts(payload: dict[str, Any]) -> list[str]:
    """The measurements a vital-signs entry holds (each is looked for on its own)."""
    return [part for part, key in _VITAL_KEYS.items() if payload.get(key) is not None]


@dataclass(frozen=True, slots=True)
class ByHand:
    """One thing of a laptop entry that a hand-typed central resource may account for: a dose
    (`kind` "dose", `key` its `dose_key`) or one measurement of a vital-signs entry (`kind`
    "vitals", `key` (central patient, measurement)). Only this is kept per entry until every
    package is read, as the matching is one to one across all of them."""

    uuid: str
    kind: str
    key: tuple[str, ...]
    when: datetime


def by_hand_candidates(
    record: CentralRecord,
    row: dict[str, Any],
    *,
    ipp: str | None = None,
    manual_drug: str | None = None,
) -> list[ByHand]:
    """What `match_by_hand` needs of an entry `find_in_central` found BY_HAND or PARTLY:
    arguments as for `find_in_central`."""
    patient = central_patient(record, row.get("patient_id"), ipp)
    if patient is None:
        return []
    when = from_iso(row["clinical_time"])
    if row["kind"] == "dose":
        return [ByHand(row["uuid"], "dose", dose_key(row, patient, manual_drug), when)]
    if row["kind"] == "vitals":
        parts = _vital_parts(row.get("payload") or {})
        return [ByHand(row["uuid"], "vitals", (patient, part), when) for part in parts]
    return []


def match_by_hand(record: CentralRecord, candidates: list[ByHand]) -> dict[str, str]:
    """Entry UUID -> BY_HAND or PARTLY, matching one to one: a hand-typed central
    administration accounts for one laptop dose only, a hand-typed central measurement for the
    same measurement of one laptop vital-signs entry only; each goes to the closest laptop
    entry in time (ties: the earlier entry, then the smaller UUID, so the result does not depend
    on the order the packages were given in). A real second dose or reading (a PRN given twice
    within 15 minutes, two readings ten minutes apart, one of them typed in) is thus still
    loaded rather than silently dropped. The measurements of one reading share its time, so a
    hand-typed set goes to one entry as a whole; an entry left with only some of its
    measurements accounted for is PARTLY (held back for a person)."""
    wanted: dict[str, int] = defaultdict(int)
    by_slot: dict[tuple[str, tuple[str, ...]], list[ByHand]] = defaultdict(list)
    for candidate in candidates:
        wanted[candidate.uuid] += 1
        by_slot[(candidate.kind, candidate.key)].append(candidate)
    found: dict[str, int] = defaultdict(int)
    for (kind, key), group in by_slot.items():
        index: dict[Any, list[datetime]] = record.doses if kind == "dose" else record.vitals
        central = index.get(key) or []
        pairs = []
        for candidate in group:
            low = bisect.bisect_left(central, candidate.when - TOLERANCE)
            high = bisect.bisect_right(central, candidate.when + TOLERANCE)
            for i in range(low, high):
                gap = abs(central[i] - candidate.when)
                pairs.append((gap, candidate.when, candidate.uuid, i))
        pairs.sort()
        used: set[int] = set()
        matched: set[str] = set()
        for _gap, _when, entry_uuid, i in pairs:
            if i in used or entry_uuid in matched:
                continue
            used.add(i)
            matched.add(entry_uuid)
            found[entry_uuid] += 1
    return {
        entry_uuid: BY_HAND if count == wanted[entry_uuid] else PARTLY
        for entry_uuid, count in found.items()
    }


def find_in_central(
    record: CentralRecord,
    row: dict[str, Any],
    *,
    ipp: str | None = None,
    manual_drug: str | None = None,
) -> str | None:
    """PRESENT, BY_HAND, PARTLY or None for one entry on its own. `ipp` is the mapped IPP of a
    temporary patient; `manual_drug` the drug name when the dose is on a manual order (its id
    is ours only). BY_HAND and PARTLY only say a hand-typed resource is near: several entries
    may be near the same one, so the merge settles them together with `match_by_hand`."""
    if row["uuid"] in record.present:
        return PRESENT
    kind = row["kind"]
    if kind not in ("dose", "vitals"):
        return None
    patient = central_patient(record, row.get("patient_id"), ipp)
    if patient is None:
        return None
    when = from_iso(row["clinical_time"])
    payload = row.get("payload") or {}
    if kind == "dose":
        times = record.doses.get(dose_key(row, patient, manual_drug))
        return BY_HAND if times and _near(times, when) else None
    parts = _vital_parts(payload)
    if not parts:
        return None
    found = sum(_near(record.vitals.get((patient, part), []), when) for part in parts)
    if found == len(parts):
        return BY_HAND
    return PARTLY if found else None
