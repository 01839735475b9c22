"""From raw resources to the cache's rows: validate each one, then resolve references.

Reading is one streaming pass: each resource is checked and reduced to a small draft (its
references still unresolved), so the raw JSON is dropped at once. Once everything is read,
references are resolved in dependency order (places and people, medications, patients, then
what refers to patients). A resource that fails is rejected with its place and reason; one that
is valid but not needed (a finished encounter, an older vital sign) is counted as skipped.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from continuity.core.clock import from_iso
from continuity.core.high_alert import is_high_alert
from continuity.core.text import fold
from continuity.fhir import directory, patients, prescriptions, schedules, vitals
from continuity.fhir.datatypes import identifiers, utc, valid_id
from continuity.fhir.errors import Invalid
from continuity.fhir.identifiers import rpps_from_system
from continuity.fhir.references import Ref, ResourceIndex, parse_reference
from continuity.fhir.report import ImportReport
from continuity.fhir.sources import RawResource

#: Types whose identifiers are indexed, for conditional and logical references.
_BY_IDENTIFIER = frozenset(
    {"Patient", "Practitioner", "PractitionerRole", "Location", "Medication", "Encounter"}
)
#: Location words (folded) that mark an operating room; services use schedules' wider list.
_OPERATING_PLACE_WORDS = ("bloc", "operat", "theatre")

Mapper = Callable[[dict[str, Any], str, str], Any]


def _contained(resource: dict[str, Any]) -> dict[str, dict[str, Any]]:
    items = resource.get("contained")
    if not isinstance(items, list):
        return {}
    return {c["id"]: c for c in items if isinstance(c, dict) and isinstance(c.get("id"), str)}


def _map_order(resource: dict[str, Any], ident: str, where: str) -> Any:
    return prescriptions.map_order(resource, ident, where, _contained(resource))


#: resource type -> (keep it? else skipped, mapper returning a draft or None = skipped)
HANDLERS: dict[str, tuple[Callable[[dict[str, Any]], bool] | None, Mapper]] = {
    "Location": (None, directory.map_location),
    "Practitioner": (None, directory.map_practitioner),
    "PractitionerRole": (None, directory.map_role),
    "Medication": (None, prescriptions.map_medication),
    "Patient": (None, patients.map_patient),
    "Encounter": (patients.encounter_is_current, patients.map_encounter),
    "AllergyIntolerance": (None, patients.map_allergy),
    "MedicationRequest": (prescriptions.is_order, _map_order),
    "Appointment": (lambda r: r.get("status") != "entered-in-error", schedules.map_appointment),
    "Procedure": (schedules.procedure_is_planned, schedules.map_procedure),
    "Observation": (
        lambda r: vitals.is_vital_sign(r) and vitals.is_kept(r),
        vitals.map_observation,
    ),
}


def _is_allergy(raw: RawResource) -> bool:
    resource = raw.resource
    kind = resource.get("resourceType") if isinstance(resource, dict) else None
    return kind == "AllergyIntolerance" or (
        not isinstance(kind, str) and raw.expected_type == "AllergyIntolerance"
    )


def _patient_ref(resource: Any) -> Ref | None:
    """The patient a (rejected) AllergyIntolerance names, or None when it cannot be read."""
    if not isinstance(resource, dict):
        return None
    try:
        return parse_reference(resource.get("patient"), "AllergyIntolerance.patient")
    except Invalid:
        return None


@dataclass
class SnapshotRows:
    """Rows for each snapshot table, as tuples in the tables' column order."""

    locations: list[tuple[Any, ...]] = field(default_factory=list)
    practitioners: list[tuple[Any, ...]] = field(default_factory=list)
    patients: list[tuple[Any, ...]] = field(default_factory=list)
    allergies: list[tuple[Any, ...]] = field(default_factory=list)
    orders: list[tuple[Any, ...]] = field(default_factory=list)
    appointments: list[tuple[Any, ...]] = field(default_factory=list)
    observations: list[tuple[Any, ...]] = field(default_factory=list)


class SnapshotBuilder:
    def __init__(self, report: ImportReport) -> None:
        self.report = report
        self.index = ResourceIndex()
        self.drafts: dict[str, list[Any]] = {kind: [] for kind in HANDLERS}
        self._last_updated: str | None = None
        self._high_alert: dict[tuple[str, ...], bool] = {}
        # Patients of rejected AllergyIntolerance resources; None: one names no readable patient.
        self._lost_allergies: list[Ref | None] = []

    # ------------------------------------------------------------------ reading
    def add(self, raw: RawResource) -> None:
        before = len(self.report.rejections)
        self._add(raw)
        if len(self.report.rejections) > before and _is_allergy(raw):
            self._lost_allergies.append(_patient_ref(raw.resource))

    def _add(self, raw: RawResource) -> None:
        resource = raw.resource
        if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
            kind = raw.expected_type or "(unknown)"
            self.report.count(kind).read += 1
            self.report.reject(
                raw.where, kind, None, "wrong shape: not a FHIR resource (no resourceType)"
            )
            return
        kind = resource["resourceType"]
        counts = self.report.count(kind)
        counts.read += 1
        ident = resource.get("id")
        if not valid_id(ident):
            if raw.full_url and raw.full_url.startswith("urn:uuid:") and ident is None:
                ident = raw.full_url[9:]
            else:
                self.report.reject(raw.where, kind, None, "wrong shape: no valid id")
                return
        if raw.expected_type and kind != raw.expected_type:
            self.report.reject(
                raw.where, kind, ident, f"wrong shape: a {kind} in the {raw.expected_type} file"
            )
            return
        try:
            self._note_last_updated(resource)
        except Invalid as exc:
            self.report.reject(raw.where, kind, ident, str(exc))
            return
        handler = HANDLERS.get(kind)
        if handler is None:
            counts.skipped += 1
            return
        keep, mapper = handler
        if keep is not None and not keep(resource):
            counts.skipped += 1
            return
        try:
            found = identifiers(resource) if kind in _BY_IDENTIFIER else None
        except Invalid as exc:
            self.report.reject(raw.where, kind, ident, str(exc))
            return
        previous = self.index.add(kind, ident, raw.where, raw.full_url, found)
        if previous is not None:
            self.report.reject(
                raw.where,
                kind,
                ident,
                f"duplicate id: {kind}/{ident} was already read at {previous}",
            )
            return
        try:
            draft = mapper(resource, ident, raw.where)
        except Invalid as exc:
            self.report.reject(raw.where, kind, ident, str(exc))
            return
        if draft is None:
            counts.skipped += 1
            return
        self.drafts[kind].append(draft)

    def _note_last_updated(self, resource: dict[str, Any]) -> None:
        meta = resource.get("meta")
        if isinstance(meta, dict) and meta.get("lastUpdated") is not None:
            text = utc(meta["lastUpdated"], "meta.lastUpdated")  # UTC ISO text sorts as time
            if text is not None and (self._last_updated is None or text > self._last_updated):
                self._last_updated = text

    @property
    def last_updated(self) -> datetime | None:
        """The newest meta.lastUpdated seen (a "data as of" when there is no manifest)."""
        return from_iso(self._last_updated) if self._last_updated else None

    # ------------------------------------------------------------------ resolving
    def _reject(self, kind: str, draft: Any, reason: str) -> None:
        self.report.reject(draft.where, kind, draft.id, reason)

    def _imported(self, kind: str, n: int = 1) -> None:
        self.report.count(kind).imported += n

    def build(self) -> SnapshotRows:
        rows = SnapshotRows()
        self._places(rows)
        self._people(rows)
        self.medications = {d.id: d for d in self.drafts["Medication"]}
        self._imported("Medication", len(self.medications))
        self.patients = {d.id: d for d in self.drafts["Patient"]}
        self._where_now()
        self._allergies(rows)
        self._orders(rows)
        self._schedules(rows)
        self._vitals(rows)
        self._patient_rows(rows)
        for kind in [k for k, c in self.report.counts.items() if not c.read]:
            del self.report.counts[kind]  # types the snapshot does not hold
        return rows

    def _resolve(
        self, ref: Ref | None, expected: str | tuple[str, ...] | None = None
    ) -> tuple[str, str] | None:
        return self.index.resolve(ref, expected)

    def _patient_of(self, ref: Ref | None) -> str:
        if ref is None:
            raise Invalid("no patient (subject) is given")
        target = self._resolve(ref, "Patient")
        if target is None or target[1] not in self.patients:
            raise Invalid(f"reference to a missing patient: {ref.label()}")
        return target[1]

    def _places(self, rows: SnapshotRows) -> None:
        self.locations = {d.id: d for d in self.drafts["Location"]}
        self.parent: dict[str, str | None] = {}
        for d in self.locations.values():
            try:
                target = self._resolve(d.part_of, "Location")
            except Invalid as exc:
                self._reject("Location", d, str(exc))
                continue
            parent = target[1] if target and target[1] in self.locations else None
            self.parent[d.id] = parent
            rows.locations.append((d.id, d.name, d.kind, parent, d.identifier))
        self._imported("Location", len(rows.locations))
        self.locations = {k: v for k, v in self.locations.items() if k in self.parent}

    def _people(self, rows: SnapshotRows) -> None:
        self.practitioners = {d.id: d for d in self.drafts["Practitioner"]}
        for d in self.practitioners.values():
            rows.practitioners.append((d.id, d.name, d.rpps, d.identifiers))
        self._imported("Practitioner", len(rows.practitioners))
        self.roles: dict[str, str] = {}
        for d in self.drafts["PractitionerRole"]:
            try:
                target = self._resolve(d.practitioner, "Practitioner")
            except Invalid as exc:
                self._reject("PractitionerRole", d, str(exc))
                continue
            if target is not None:
                self.roles[d.id] = target[1]
            self._imported("PractitionerRole")

    def _where_now(self) -> None:
        """Each patient's current stay: the latest in-progress Encounter, as ward/room/bed."""
        self.stays: dict[str, tuple[str | None, str | None, str | None, str | None]] = {}
        chosen: dict[str, Any] = {}
        rejected = 0
        for d in self.drafts["Encounter"]:
            try:
                patient = self._patient_of(d.patient)
                place = self._place_names(d)
            except Invalid as exc:
                self._reject("Encounter", d, str(exc))
                rejected += 1
                continue
            previous = chosen.get(patient)
            if previous is None or (d.start or "") > (previous[0].start or ""):
                chosen[patient] = (d, place)
        for patient, (d, (ward, room, bed)) in chosen.items():
            self.stays[patient] = (ward, room, bed, d.start)
        counts = self.report.count("Encounter")
        counts.imported += len(chosen)
        counts.skipped += len(self.drafts["Encounter"]) - len(chosen) - rejected

    def _place_names(self, encounter: Any) -> tuple[str | None, str | None, str | None]:
        """Ward, room and bed names up the Location.partOf chain (bd -> ro -> wa).

        Without a ward in the chain, the nearest place that is not a bed or a room stands for
        it (a source with facility-level locations still tells where the patient is).
        """
        found: dict[str, str] = {}
        fallback = None
        for ref, given_kind in encounter.locations:
            target = self._resolve(ref, "Location")
            if target is None or target[1] not in self.locations:
                if ref.display:
                    if given_kind in ("bd", "ro", "wa"):
                        found.setdefault(given_kind, ref.display)
                    else:
                        fallback = fallback or ref.display
                continue
            current: str | None = target[1]
            seen: set[str] = set()
            while current is not None and current not in seen:
                seen.add(current)
                place = self.locations[current]
                kind = place.kind or (given_kind if current == target[1] else "") or ""
                if kind in ("bd", "ro", "wa"):
                    found.setdefault(kind, place.name)
                elif fallback is None:
                    fallback = place.name
                current = self.parent.get(current)
        return found.get("wa") or fallback, found.get("ro"), found.get("bd")

    def _allergies(self, rows: SnapshotRows) -> None:
        self.allergy_state: dict[str, str] = {}
        odd: list[str] = []
        for d in self.drafts["AllergyIntolerance"]:
            try:
                patient = self._patient_of(d.patient)
            except Invalid as exc:
                self._reject("AllergyIntolerance", d, str(exc))
                continue
            self._imported("AllergyIntolerance")
            if d.odd_criticality is not None:
                odd.append(f"AllergyIntolerance/{d.id} ({d.odd_criticality!r})")
            if d.none_known:
                if d.status == "active":
                    self.allergy_state.setdefault(patient, "none_known")
                continue
            if d.status == "active":
                self.allergy_state[patient] = "recorded"
            rows.allergies.append(
                (patient, d.substance, d.code, d.criticality, d.reaction, d.status)
            )
        if odd:
            self.report.notes.append(
                f"criticality not a FHIR code, kept as empty in {len(odd)} allergies: "
                + ", ".join(odd[:5])
                + (" ..." if len(odd) > 5 else "")
            )
        self._unknown_where_allergies_were_lost()

    def _unknown_where_allergies_were_lost(self) -> None:
        """A patient with a rejected allergy is 'unknown', never 'no known allergy'.

        The rejected record may be the patient's real allergy, next to a "no known allergy"
        statement: showing "none known" would turn an allergy into its opposite. A rejected
        allergy whose patient cannot be read could be anyone's, so then nobody is "none known".
        """
        if not self._lost_allergies:
            return
        if any(ref is None for ref in self._lost_allergies):
            lost = set(self.patients)
        else:
            lost = set()
            for ref in self._lost_allergies:
                target = self._resolve(ref, "Patient")
                if target is not None:
                    lost.add(target[1])
        for patient in lost:
            self.allergy_state[patient] = "unknown"

    def _flag(self, names: tuple[str, ...], codes: tuple[str, ...]) -> bool:
        key = (*names, "|", *codes)
        found = self._high_alert.get(key)
        if found is None:
            found = any(is_high_alert(n) for n in names if n) or any(
                is_high_alert(None, c) for c in codes
            )
            self._high_alert[key] = found
        return found

    def _orders(self, rows: SnapshotRows) -> None:
        for d in self.drafts["MedicationRequest"]:
            try:
                patient = self._patient_of(d.patient)
                drug, code, codes, form, ingredients = self._drug(d)
                prescriber = self._prescriber(d)
            except Invalid as exc:
                self._reject("MedicationRequest", d, str(exc))
                continue
            rows.orders.append(
                (
                    d.id,
                    patient,
                    drug,
                    code,
                    form,
                    d.dose_value,
                    d.dose_unit,
                    d.route,
                    d.instructions,
                    d.timing,
                    int(d.as_needed),
                    d.prn_reason,
                    d.start,
                    d.end,
                    d.validity_end,
                    d.status,
                    *prescriber,
                    d.authored_on,
                    int(self._flag((drug, *ingredients), codes)),
                    0,
                )
            )
        self._imported("MedicationRequest", len(rows.orders))

    def _drug(self, d: Any) -> tuple[str, str | None, tuple[str, ...], str | None, tuple[str, ...]]:
        if d.medication is None:
            return d.drug, d.drug_code, d.codes, d.form, d.ingredients
        target = self._resolve(d.medication, "Medication")
        med = self.medications.get(target[1]) if target else None
        if med is not None:
            return med.name, med.code, med.codes, med.form, med.ingredients
        if d.medication.display:
            return d.medication.display, None, (), None, ()
        raise Invalid(
            f"medication {d.medication.label()} is not in the snapshot and its "
            "reference gives no name"
        )

    def _prescriber(self, d: Any) -> tuple[str | None, str | None, str | None]:
        ref = d.requester
        if ref is None:
            return None, None, None
        if ref.contained is not None:
            return None, d.requester_name, d.requester_rpps
        target = self._resolve(ref, ("Practitioner", "PractitionerRole"))
        ident = None
        if target is not None:
            ident = self.roles.get(target[1]) if target[0] == "PractitionerRole" else target[1]
        person = self.practitioners.get(ident) if ident else None
        if person is not None:
            return person.id, person.name, person.rpps
        rpps = rpps_from_system(ref.system, ref.value) if ref.type == "Practitioner" else None
        return None, ref.label() or None, rpps

    def _schedules(self, rows: SnapshotRows) -> None:
        for kind in ("Appointment", "Procedure"):
            for d in self.drafts[kind]:
                try:
                    rows.appointments.append(self._appointment(d))
                except Invalid as exc:
                    self._reject(kind, d, str(exc))
                    continue
                self._imported(kind)

    def _appointment(self, d: Any) -> tuple[Any, ...]:
        patient = location = None
        operating = d.surgical_service
        participants = []
        actors = list(d.participants)
        if d.location is not None:
            actors.append((d.location, None, None))
        for ref, role, status in actors:
            target = self._resolve(ref)
            kind = target[0] if target else ref.type
            ident = target[1] if target else None
            if kind == "Patient":
                if patient is None:
                    patient = self._patient_of(ref)
                continue
            if kind == "Location":
                place = self.locations.get(ident) if ident else None
                name = place.name if place else ref.label()
                location = location or name
                if place is not None and self._is_operating_room(place):
                    operating = True
                continue
            name = ref.label()
            if kind == "PractitionerRole" and ident in self.roles:
                kind, ident = "Practitioner", self.roles[ident]
            if kind == "Practitioner" and ident in self.practitioners:
                name = self.practitioners[ident].name
            participants.append(
                {
                    "type": kind,
                    "id": ident if ident in self.practitioners else None,
                    "name": name,
                    "role": role,
                    "status": status,
                }
            )
        return (
            d.id,
            "operating" if operating else "appointment",
            d.start,
            d.end,
            location,
            d.service,
            d.description,
            d.status,
            patient,
            json.dumps(participants, ensure_ascii=False),
        )

    @staticmethod
    def _is_operating_room(place: Any) -> bool:
        if "OR" in place.type_codes:
            return True
        text = fold(f"{place.name} {place.type_text or ''}")
        return any(word in text for word in _OPERATING_PLACE_WORDS)

    def _vitals(self, rows: SnapshotRows) -> None:
        latest: dict[tuple[str, str], tuple[str, Any, str]] = {}
        valid = 0
        for d in self.drafts["Observation"]:
            try:
                patient = self._patient_of(d.patient)
            except Invalid as exc:
                self._reject("Observation", d, str(exc))
                continue
            valid += 1
            for row in d.rows:
                key = (patient, row.code)
                previous = latest.get(key)
                if previous is None or (d.effective or "") > previous[0]:
                    latest[key] = (d.effective or "", row, d.id)
        used = {draft_id for _e, _r, draft_id in latest.values()}
        for (patient, code), (effective, row, _id) in latest.items():
            rows.observations.append(
                (patient, code, row.display, row.value, row.value_text, row.unit, effective or None)
            )
        counts = self.report.count("Observation")
        counts.imported += len(used)
        counts.skipped += valid - len(used)

    def _patient_rows(self, rows: SnapshotRows) -> None:
        for d in self.patients.values():
            ward, room, bed, admitted = self.stays.get(d.id, (None, None, None, None))
            search = fold(" ".join(p for p in (d.family, d.given, d.ipp, bed) if p))
            rows.patients.append(
                (
                    d.id,
                    d.ipp,
                    d.ins,
                    d.family,
                    d.given,
                    d.birth_date,
                    d.sex,
                    ward,
                    room,
                    bed,
                    admitted,
                    d.identifiers,
                    self.allergy_state.get(d.id, "unknown"),
                    int(d.deceased),
                    search,
                    0,
                )
            )
        self._imported("Patient", len(rows.patients))
