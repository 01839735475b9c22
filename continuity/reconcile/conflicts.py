"""What a person must look at before anything is loaded: conflicts between entries.

Found from the merge index, each with every side it involves:
- `double_dose`: the same order and scheduled time given on two laptops (a possible double
  dose: one laptop cannot see the other's doses during the outage);
- `stopped_order`: a dose given on an order that was stopped (or ended) before the dose time,
  as the laptop's snapshot, or a manual order's later correction, says;
- `temporary_patient`: one temporary patient with entries from two laptops, or two downtime
  admissions on two laptops that look like the same person (name, birth date, sex); and,
  blocking, one temporary id admitted on two devices (laptops sharing a name): two people;
- `clock`: a clinical time after the time it was recorded, or more than 7 days before it (the
  same limit as when recording), or a laptop whose clock went backwards between two entries;
- `altered`: one UUID with two different contents in two packages;
- `wrong_mapping`: the mapping file gives a temporary patient the IPP of a patient the merge
  knows (the packages' snapshot, the central record) who is clearly someone else (another
  birth date or sex, or a name that does not match): blocking and not acceptable, as loading
  would put one person's care on another's record; the mapping must be corrected.

Blocking conflicts hold their entries back from the FHIR Bundle until the clinical lead has
reviewed them (and accepted them, by conflict id or entry UUID, in a later merge). Entries of
temporary patients are shown but not blocked on that account: their mapping decides (except
for an id that two devices handed out, which no mapping can split).
Conflict ids are derived from their entries, so they stay the same from one merge to the next.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import combinations
from typing import Any

from continuity.core.clock import format_local, from_iso
from continuity.core.i18n import _
from continuity.core.identity import SIMILAR_NAME, Person, match, name_similarity
from continuity.core.text import fold
from continuity.reconcile.merge_index import MergeIndex, Seen

FUTURE_TOLERANCE = timedelta(minutes=10)
FAR_BEFORE = timedelta(days=7)
CLOCK_BACKWARDS = timedelta(minutes=5)
STOPPED = ("stopped", "cancelled", "completed", "entered-in-error")
KINDS = (
    "double_dose",
    "stopped_order",
    "temporary_patient",
    "clock",
    "altered",
    "wrong_mapping",
)


@dataclass
class Conflict:
    id: str
    kind: str
    blocking: bool
    uuids: list[str]  # the sides, in the order shown
    detail: str  # one sentence for the report
    #: False where no review can make the entries loadable as they are (two people under one
    #: temporary id): `--accept` cannot release them; the laptops must be sorted out first.
    acceptable: bool = True

    def holds(self) -> list[str]:
        """The entries held back until review: for a dose on a stopped order, the dose only
        (the other side is the order's own stop); otherwise every side."""
        if not self.blocking:
            return []
        return self.uuids[:1] if self.kind == "stopped_order" else list(self.uuids)


def conflict_id(kind: str, uuids: list[str]) -> str:
    digest = hashlib.sha256((kind + "|" + "|".join(sorted(uuids))).encode()).hexdigest()
    return f"C-{digest[:8].upper()}"


def _make(kind: str, uuids: list[str], detail: str, *, blocking: bool = True) -> Conflict:
    return Conflict(conflict_id(kind, uuids), kind, blocking, uuids, detail)


def _t(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return from_iso(text)
    except ValueError:
        return None


def find_conflicts(
    index: MergeIndex,
    device_names: dict[str, str],
    *,
    mapping: dict[str, str] | None = None,
    known: dict[str, list[KnownPatient]] | None = None,
) -> list[Conflict]:
    """Every conflict; `mapping` (temporary id -> IPP) and `known` (IPP -> the patients the
    merge has under it) for `wrong_mappings`."""
    found = (
        double_doses(index)
        + stopped_orders(index)
        + temporary_patients(index, device_names)
        + clock_anomalies(index, device_names)
        + altered(index)
        + wrong_mappings(index, mapping or {}, known or {})
    )
    found.sort(key=lambda c: (KINDS.index(c.kind), c.id))
    return found


def double_doses(index: MergeIndex) -> list[Conflict]:
    groups: dict[tuple[str, str], list[Seen]] = defaultdict(list)
    for seen in index.entries.values():
        if (
            seen.kind == "dose"
            and seen.status == "given"
            and seen.scheduled
            and seen.order_id
            and index.effective(seen)
        ):
            groups[(seen.order_id, seen.scheduled)].append(seen)
    out = []
    for (order_id, scheduled), doses in groups.items():
        if len({d.device_id for d in doses}) < 2:
            continue
        doses.sort(key=lambda d: (d.clinical, d.device_id, d.seq))
        date, hour = format_local(from_iso(scheduled)).split(" ")
        detail = _(
            "Order {order} for {date} at {hour} was given on {n} laptops: possible double dose."
        ).format(order=order_id, date=date, hour=hour, n=len({d.device_id for d in doses}))
        out.append(_make("double_dose", [d.uuid for d in doses], detail))
    return out


def _manual_order_states(index: MergeIndex) -> dict[str, Seen]:
    """Manual order id -> the entry that says its current state (the chain's head)."""
    states: dict[str, Seen] = {}
    for seen in index.entries.values():
        if seen.kind == "manual_order" and index.effective(seen):
            states[seen.order_id or seen.uuid] = seen
    return states


def stopped_orders(index: MergeIndex) -> list[Conflict]:
    manual = _manual_order_states(index)
    out = []
    for seen in index.entries.values():
        if seen.kind != "dose" or seen.status != "given" or not index.effective(seen):
            continue
        when = _t(seen.clinical)
        if when is None or not seen.order_id:
            continue
        sides = [seen.uuid]
        state = manual.get(seen.order_id)
        if state is not None:
            stopped_at = None
            if state.status == "stopped":
                stopped_at = _t(state.clinical)
                sides.append(state.uuid)
            elif state.scheduled:  # the manual order's end
                stopped_at = _t(state.scheduled)
            stopped = stopped_at is not None and stopped_at <= when
        else:
            order = index.orders.get(seen.order_id)
            if order is None:
                continue
            end = _t(order.get("end"))
            if order.get("status") in STOPPED:
                stopped_at = end
                stopped = end is None or end <= when
            else:
                stopped_at = end
                stopped = end is not None and end <= when
        if not stopped:
            continue
        since = format_local(stopped_at) if stopped_at else _("an unknown time")
        detail = _(
            "A dose was given at {time} on order {order}, stopped or ended at {since}."
        ).format(time=format_local(when), order=seen.order_id, since=since)
        out.append(_make("stopped_order", sides, detail))
    return out


def temporary_id_collisions(index: MergeIndex) -> dict[str, set[str]]:
    """Temporary id -> the device ids that admitted a patient under it, when more than one.

    Temporary ids are `DT-<device name>-NNNN`: two laptops with the same name (a cloned
    image) hand out the same ids to different people. Admissions under one id from two
    devices are two people, whatever the names say."""
    out: dict[str, set[str]] = {}
    for temp_id, admissions in index.admissions.items():
        devices = {index.entries[entry_uuid].device_id for entry_uuid, _person in admissions}
        if len(devices) > 1:
            out[temp_id] = devices
    return out


def _collision(
    index: MergeIndex, temp_id: str, devices: set[str], device_names: dict[str, str]
) -> Conflict:
    """A blocking conflict holding every entry about the id: loading them would put two
    people's care on one patient (the mapping CSV cannot tell them apart)."""
    about = sorted(
        (s for s in index.entries.values() if s.patient_id == temp_id),
        key=lambda s: (s.kind != "admission", s.device_id, s.seq),
    )
    laptops = ", ".join(
        f"{device_names.get(d, d)} [{d}]"
        for d in sorted(devices, key=lambda d: (device_names.get(d, d), d))
    )
    detail = _(
        "Temporary id {id} was given to different patients on several laptops with the same "
        "name ({devices}): none of its entries can be loaded until each patient is identified."
    ).format(id=temp_id, devices=laptops)
    conflict = _make("temporary_patient", [s.uuid for s in about], detail)
    conflict.acceptable = False
    return conflict


def temporary_patients(index: MergeIndex, device_names: dict[str, str]) -> list[Conflict]:
    out = []
    collisions = temporary_id_collisions(index)
    for temp_id, devices in sorted(collisions.items()):
        out.append(_collision(index, temp_id, devices, device_names))
    by_patient: dict[str, dict[str, Seen]] = defaultdict(dict)
    for seen in index.entries.values():
        if seen.patient_id in collisions:
            continue
        if seen.patient_id in index.temporary and index.effective(seen):
            first = by_patient[seen.patient_id]
            if seen.device_id not in first or seen.kind == "admission":
                first[seen.device_id] = seen
    for patient_id, per_device in sorted(by_patient.items()):
        if len(per_device) < 2:
            continue
        names = ", ".join(sorted(device_names.get(d, d) for d in per_device))
        detail = _("Temporary patient {id} has entries from several laptops ({devices}).").format(
            id=patient_id, devices=names
        )
        sides = [s.uuid for s in sorted(per_device.values(), key=lambda s: s.clinical)]
        out.append(_make("temporary_patient", sides, detail, blocking=False))
    out.extend(_same_person_twice(index))
    return out


def person_of(fields: dict[str, Any]) -> Person:
    """An identity (family, given, birth date, sex) from an admission's payload or a snapshot
    patient; an unreadable birth date counts as unknown."""
    birth = None
    if fields.get("birth_date"):
        try:
            birth = date.fromisoformat(str(fields["birth_date"])[:10])
        except ValueError:
            birth = None
    return Person(fields.get("family") or "", fields.get("given") or "", birth, fields.get("sex"))


def _latest_admission(index: MergeIndex, temp_id: str) -> tuple[Seen, Person] | None:
    """The admission in force under `temp_id` (corrections applied) and who it names."""
    for entry_uuid, person in reversed(index.admissions.get(temp_id, [])):
        seen = index.entries[entry_uuid]
        if index.effective(seen):
            return seen, person_of(person)
    return None


def _same_person_twice(index: MergeIndex) -> list[Conflict]:
    """Two admissions on two laptops that look like one person registered twice."""
    latest: list[tuple[str, Seen, Person]] = []
    for temp_id in index.admissions:
        found = _latest_admission(index, temp_id)
        if found is not None:
            latest.append((temp_id, *found))
    latest.sort(key=lambda x: x[0])
    out = []
    for i, j in _candidate_pairs([person for _t, _s, person in latest]):
        (id_a, a, pa), (id_b, b, pb) = latest[i], latest[j]
        if a.device_id == b.device_id or id_a == id_b:
            continue
        result = match(pa, pb)
        if result is None or "homonym" in result[1]:
            continue
        detail = _(
            "Temporary patients {a} and {b}, admitted on two laptops, may be the same person."
        ).format(a=id_a, b=id_b)
        out.append(_make("temporary_patient", [a.uuid, b.uuid], detail, blocking=False))
    return out


@dataclass(frozen=True)
class KnownPatient:
    """A patient the merge knows under an IPP, and where from (shown in the conflict)."""

    person: Person
    source: str  # "context" (a package's snapshot) or "central" (the central record)


def _describe(person: Person) -> str:
    sex = {"female": _("F"), "male": _("M"), "other": _("other")}.get(person.sex or "")
    born = person.birth_date.strftime("%d/%m/%Y") if person.birth_date else _("birth date unknown")
    name = " ".join(x for x in (person.family.upper(), person.given) if x)
    return f"{name} ({sex or _('sex unknown')}, {born})"


def _another_person(admitted: Person, known: Person) -> str | None:
    """ "clear" when `known` is clearly not the person `admitted` names, by the same matching
    that warns at admission time (`core.identity.match`: no match, or only a homonym, same
    name and another birth date); "unsure" when only the names differ and the admission has
    no birth date (an unconscious stranger is registered under a made-up name, then mapped
    to who they turned out to be: shown, not blocked); None when they may be one person."""
    if not fold(admitted.family) or not fold(known.family):
        # a record without a name (a central Patient known by IPP only): the birth date and
        # sex alone decide, by the same rules (the same made-up name on both sides)
        admitted = Person("?", "", admitted.birth_date, admitted.sex)
        known = Person("?", "", known.birth_date, known.sex)
    result = match(admitted, known)
    if result is not None and "homonym" not in result[1]:
        return None
    sexes = ("male", "female")
    other_sex = admitted.sex in sexes and known.sex in sexes and admitted.sex != known.sex
    other_birth = (
        admitted.birth_date is not None
        and known.birth_date is not None
        and admitted.birth_date != known.birth_date
    )
    if not (admitted.birth_date is not None or other_sex):
        return "unsure"
    # One field alone may be a typing slip or a married name (a birth-date digit, the sex, a
    # family name under marriage): blocking, but the clinical lead may accept it after
    # checking. Name and birth date or sex all different: another person, no acceptance.
    same_name = name_similarity(admitted, known) >= SIMILAR_NAME
    if same_name or not (other_birth or other_sex):
        return "check"
    return "clear"


def wrong_mappings(
    index: MergeIndex, mapping: dict[str, str], known: dict[str, list[KnownPatient]]
) -> list[Conflict]:
    """A temporary patient mapped to the IPP of someone else the merge knows: one blocking,
    non-acceptable conflict per temporary id, holding every entry about it (its admission
    first); only shown when nothing but the name differs and the admission has no birth date
    (`_another_person`). An IPP the merge does not know is the usual case (the central
    record has it) and is not checked here."""
    out = []
    for temp_id, ipp in sorted(mapping.items()):
        if temp_id not in index.temporary or ipp not in known:
            continue
        admitted = _latest_admission(index, temp_id)
        if admitted is None:
            continue
        _seen, person = admitted
        verdicts = [(_another_person(person, k.person), k) for k in known[ipp]]
        if any(v is None for v, _k in verdicts):
            continue  # one of the IPP's records is this person (a maiden and a married name)
        verdict, other = next(
            (v for v in verdicts if v[0] == "clear"),
            next(
                (v for v in verdicts if v[0] == "check"),
                next((v for v in verdicts if v[0] == "unsure"), (None, None)),
            ),
        )
        if verdict is None or other is None:
            continue
        about = sorted(
            (s for s in index.entries.values() if s.patient_id == temp_id),
            key=lambda s: (s.kind != "admission", s.device_id, s.seq),
        )
        where = _("the central record") if other.source == "central" else _("the packages")
        values = {
            "id": temp_id,
            "admitted": _describe(person),
            "ipp": ipp,
            "other": _describe(other.person),
            "where": where,
        }
        if verdict == "check":
            detail = _(
                "Temporary patient {id}, {admitted}, is mapped to IPP {ipp}, which is {other} "
                "in {where}: only one of name, birth date or sex differs (a typing slip, a "
                "married name?); check, then accept or correct the mapping."
            ).format(**values)
            out.append(_make("wrong_mapping", [s.uuid for s in about], detail))
            continue
        if verdict == "unsure":
            detail = _(
                "Temporary patient {id}, {admitted}, is mapped to IPP {ipp}, which is {other} "
                "in {where}: check that they are the same person (the admission gives no birth "
                "date)."
            ).format(**values)
            out.append(_make("wrong_mapping", [about[0].uuid], detail, blocking=False))
            continue
        detail = _(
            "Temporary patient {id}, {admitted}, is mapped to IPP {ipp}, which is {other} in "
            "{where}: correct the mapping file, none of the entries of {id} can be loaded "
            "until then."
        ).format(**values)
        conflict = _make("wrong_mapping", [s.uuid for s in about], detail)
        conflict.acceptable = False
        out.append(conflict)
    return out


def _candidate_pairs(people: list[Person]) -> list[tuple[int, int]]:
    """Pairs worth comparing, without comparing every pair (that grows with the square of
    admissions): the same birth date (or day and month swapped, the commonest typing error);
    or, when a birth date is unknown, names starting alike (family or given: they may be
    swapped). Two known, different birth dates can only make a homonym, which is not shown."""
    births: dict[object, list[int]] = defaultdict(list)
    letters: dict[str, list[int]] = defaultdict(list)
    unknown: dict[str, list[int]] = defaultdict(list)
    for i, person in enumerate(people):
        for letter in {fold(person.family)[:1], fold(person.given)[:1]}:
            letters[letter].append(i)
            if person.birth_date is None:
                unknown[letter].append(i)
        born = person.birth_date
        if born is not None:
            births[born].append(i)
            if born.day <= 12 and born.day != born.month:
                births[date(born.year, born.day, born.month)].append(i)
    pairs: set[tuple[int, int]] = set()
    for members in births.values():
        pairs.update(combinations(sorted(set(members)), 2))
    for letter, vague in unknown.items():
        for i in vague:
            pairs.update((min(i, j), max(i, j)) for j in letters[letter] if j != i)
    return sorted(pairs)


def clock_anomalies(index: MergeIndex, device_names: dict[str, str]) -> list[Conflict]:
    out = []
    per_device: dict[str, list[Seen]] = defaultdict(list)
    for seen in index.entries.values():
        per_device[seen.device_id].append(seen)
        clinical, recorded = _t(seen.clinical), _t(seen.recorded)
        if clinical is None or recorded is None:
            continue
        if clinical - recorded > FUTURE_TOLERANCE:
            detail = _(
                "Clinical time {clinical} is after the time it was recorded ({recorded})."
            ).format(clinical=format_local(clinical), recorded=format_local(recorded))
            out.append(_make("clock", [seen.uuid], detail))
        elif recorded - clinical > FAR_BEFORE:
            detail = _(
                "Clinical time {clinical} is more than 7 days before the time it was "
                "recorded ({recorded})."
            ).format(clinical=format_local(clinical), recorded=format_local(recorded))
            out.append(_make("clock", [seen.uuid], detail))
    for device_id, entries in per_device.items():
        entries.sort(key=lambda s: s.seq)
        latest: Seen | None = None
        for seen in entries:
            recorded = _t(seen.recorded)
            if recorded is None:
                continue
            if latest is not None and _t(latest.recorded) - recorded > CLOCK_BACKWARDS:
                detail = _(
                    "The clock of {device} went backwards: entry {seq} was recorded at "
                    "{time}, before entry {prev} ({prev_time})."
                ).format(
                    device=device_names.get(device_id, device_id),
                    seq=seen.seq,
                    time=format_local(recorded),
                    prev=latest.seq,
                    prev_time=format_local(_t(latest.recorded)),
                )
                out.append(_make("clock", [latest.uuid, seen.uuid], detail))
            if latest is None or seen.recorded >= latest.recorded:
                latest = seen
    return out


def altered(index: MergeIndex) -> list[Conflict]:
    out = []
    for mismatch in index.mismatches:
        detail = _("Entry {uuid} differs between two packages: one of them was altered.").format(
            uuid=mismatch.uuid
        )
        out.append(_make("altered", [mismatch.uuid], detail))
    return out
