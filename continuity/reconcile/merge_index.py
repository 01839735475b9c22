"""The merge's first pass: a slim index of every entry of every package, read as a stream.

The merge reads the packages twice: this pass keeps, per entry, only what the decisions need
(ids, times, the dose's order and scheduled time, a digest of the line), plus the correction
chains, what each device's packages account for, the downtime admissions and the packages'
snapshot context; the second pass re-reads the entries and writes them out. 50,000 entries
then cost a few tens of megabytes, whatever their payloads.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from continuity.reconcile.chains import Chains


@dataclass(slots=True)
class Seen:
    uuid: str
    device_id: str
    seq: int
    kind: str
    author: str
    patient_id: str | None
    order_id: str | None
    supersedes: str | None
    clinical: str
    recorded: str
    status: str | None  # a dose's given / not_given; a manual order's status
    scheduled: str | None  # a dose's scheduled time; a manual order's end
    package: int
    digest: bytes


@dataclass
class DeviceSeen:
    device_id: str
    name: str
    accounted: set[int] = field(default_factory=set)
    packages: list[int] = field(default_factory=list)


@dataclass
class Gap:
    device_id: str
    device_name: str
    first: int
    last: int
    before_first: bool = False  # entries 1..first-1 are in none of the packages given


@dataclass
class Mismatch:
    """The same UUID with different content in two packages: one of them was altered."""

    uuid: str
    packages: tuple[int, int]


@dataclass
class MergeIndex:
    entries: dict[str, Seen] = field(default_factory=dict)
    chains: Chains = field(default_factory=Chains)
    devices: dict[str, DeviceSeen] = field(default_factory=dict)
    admissions: dict[str, list[tuple[str, dict[str, Any]]]] = field(default_factory=dict)
    infusion_labels: dict[str, str] = field(default_factory=dict)
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    order_as_of: dict[str, str] = field(default_factory=dict)
    patients: dict[str, dict[str, Any]] = field(default_factory=dict)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    temporary: set[str] = field(default_factory=set)
    ipp_systems: list[str] = field(default_factory=list)
    duplicates: int = 0
    read: int = 0
    mismatches: list[Mismatch] = field(default_factory=list)
    _interned: dict[str, str] = field(default_factory=dict)

    def _intern(self, value: str) -> str:
        return self._interned.setdefault(value, value)

    # -- per package ---------------------------------------------------------------------
    def add_package(self, number: int, manifest: dict[str, Any], context: dict[str, Any]) -> None:
        device = manifest["device"]
        seen = self.devices.setdefault(device["id"], DeviceSeen(device["id"], device["name"]))
        seen.packages.append(number)
        for first, last in manifest.get("seq_ranges") or []:
            seen.accounted.update(range(int(first), int(last) + 1))
        as_of = ((manifest.get("snapshot") or {}).get("as_of")) or ""
        for order_id, order in (context.get("orders") or {}).items():
            if order_id not in self.orders or as_of > self.order_as_of.get(order_id, ""):
                self.orders[order_id] = {**order, "snapshot_as_of": as_of or None}
                self.order_as_of[order_id] = as_of
        for patient_id, patient in (context.get("patients") or {}).items():
            self.patients.setdefault(patient_id, patient)
        for login, user in (context.get("users") or {}).items():
            self.users.setdefault(login, user)
        self.temporary.update(context.get("temporary_ids") or [])
        if context.get("ipp_system"):
            self.ipp_systems.append(context["ipp_system"])

    # -- per entry -----------------------------------------------------------------------
    def add_entry(self, number: int, line: bytes, row: dict[str, Any]) -> bool:
        """Index one entry; False when its UUID was already seen (a duplicate)."""
        self.read += 1
        digest = hashlib.blake2b(line.strip(), digest_size=16).digest()
        entry_uuid = row["uuid"]
        known = self.entries.get(entry_uuid)
        if known is not None:
            self.duplicates += 1
            if known.digest != digest:
                self.mismatches.append(Mismatch(entry_uuid, (known.package, number)))
            return False
        kind = self._intern(row["kind"])
        payload = row.get("payload") or {}
        status = scheduled = None
        if kind == "dose":
            status, scheduled = payload.get("status"), payload.get("scheduled")
        elif kind == "manual_order":
            status, scheduled = payload.get("status"), payload.get("end")
        elif kind == "admission" and row.get("patient_id"):
            person = {k: payload.get(k) for k in ("family", "given", "birth_date", "sex")}
            self.admissions.setdefault(row["patient_id"], []).append((entry_uuid, person))
            self.temporary.add(row["patient_id"])
        elif kind == "infusion" and payload.get("action") == "start":
            self.infusion_labels[entry_uuid] = " + ".join(
                x for x in (payload.get("solution"), payload.get("additive")) if x
            )
        device_id = self._intern(row["device_id"])
        self.entries[entry_uuid] = Seen(
            uuid=entry_uuid,
            device_id=device_id,
            seq=int(row["seq"]),
            kind=kind,
            author=self._intern(row["author"]),
            patient_id=row.get("patient_id"),
            order_id=row.get("order_id"),
            supersedes=row.get("supersedes"),
            clinical=row["clinical_time"],
            recorded=row["recorded_time"],
            status=status,
            scheduled=scheduled,
            package=number,
            digest=digest,
        )
        if device_id in self.devices:
            self.devices[device_id].accounted.add(int(row["seq"]))
        return True

    def finish(self) -> None:
        """Build the correction chains once every package was read (earliest first)."""
        for seen in sorted(self.entries.values(), key=lambda s: (s.device_id, s.seq)):
            if seen.supersedes:
                self.chains.add(seen.uuid, seen.supersedes, seen.kind)

    # -- questions -----------------------------------------------------------------------
    def effective(self, seen: Seen) -> bool:
        return seen.kind != "retraction" and not self.chains.is_superseded(seen.uuid)

    def gaps(self) -> list[Gap]:
        """Per device, the sequence numbers no package accounts for: a missing package."""
        found: list[Gap] = []
        for device in sorted(self.devices.values(), key=lambda d: d.name):
            if not device.accounted:
                continue
            low, high = min(device.accounted), max(device.accounted)
            if low > 1:
                found.append(Gap(device.device_id, device.name, 1, low - 1, before_first=True))
            start = None
            for seq in range(low, high + 2):
                if seq <= high and seq not in device.accounted:
                    start = seq if start is None else start
                elif start is not None:
                    found.append(Gap(device.device_id, device.name, start, seq - 1))
                    start = None
        return found

    def ipp_system(self) -> str | None:
        if not self.ipp_systems:
            return None
        return max(set(self.ipp_systems), key=self.ipp_systems.count)
