"""Merging the packages of several laptops into one FHIR transaction Bundle and a review report.

Needs no cache: it runs on any IT machine with the app. Every package is checked before
anything is written (`merge_input`: passphrase, integrity, format version, the same package
given twice, a drill or an empty package: each refused with one sentence). Then two streaming
passes:

1. index every entry (`merge_index`): duplicates by UUID dropped, correction chains built
   across packages, each laptop's sequence numbers accounted for (a gap means a missing
   package), and, given the central system's fresh snapshot, the entries it already holds
   (`recovery_check`);
2. decide and write: conflicts (`conflicts`) and temporary patients without a real IPP hold
   their entries back (a whole correction chain is held together); everything else goes into
   the Bundle, superseded entries as entered-in-error.

Output, in a new folder `reconciliation-<date>-<time>` inside `out_dir`: `bundle.json` (only
what is clean and mapped), `held-back.csv`, `review.pdf` and `review.csv` for the clinical
lead's sign-off, and `merge-summary.json` (`merge_files`). Everything is written to a hidden
temporary folder first and renamed at the very end, so a failure or a cancel never leaves half
an output.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid as uuid_module
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from continuity.core.clock import Clock, SystemClock, format_local, from_iso, to_utc_iso
from continuity.core.errors import BadInput
from continuity.core.i18n import _
from continuity.fhir.fhir_out import BundleWriter, References, bundle_entries
from continuity.reconcile.conflicts import (
    Conflict,
    KnownPatient,
    find_conflicts,
    person_of,
    temporary_id_collisions,
)
from continuity.reconcile.entry_tables import local_time, write_rows
from continuity.reconcile.mapping import read_mapping_lines
from continuity.reconcile.merge_files import (
    BUNDLE_FILE,
    HELD_FILE,
    REVIEW_CSV,
    REVIEW_PDF,
    SUMMARY_FILE,
    create_private,
    entry_summary,
    file_sha256,
    final_folder,
    held_headers,
    kind_label,
    write_private,
)
from continuity.reconcile.merge_index import Gap, MergeIndex
from continuity.reconcile.merge_input import MergePackage, open_packages
from continuity.reconcile.progress import CancelledFn, Progress, Steps
from continuity.reconcile.recovery_check import (
    BY_HAND,
    PARTLY,
    ByHand,
    CentralRecord,
    by_hand_candidates,
    find_in_central,
    match_by_hand,
)
from continuity.reconcile.review_report import (
    EntrySide,
    PackageLine,
    ReviewData,
    review_csv,
    review_pdf,
)
from continuity.store.files import fsync_dir


@dataclass(frozen=True)
class PackageSummary:
    file: str
    package_id: str
    device_id: str
    device_name: str
    entries: int
    seq_first: int | None
    seq_last: int | None
    sha256: str


@dataclass
class MergeResult:
    output_dir: Path
    files: dict[str, Path]
    packages: list[PackageSummary]
    totals: dict[str, int]
    conflicts: list[Conflict]
    gaps: list[Gap]
    unmapped: dict[str, int]
    held_reasons: dict[str, int] = field(default_factory=dict)
    bundle_entries: int = 0


@dataclass(frozen=True)
class Held:
    category: str  # what the report counts by
    detail: str  # what the held-back list says for this entry


# -- the merge -------------------------------------------------------------------------------
def merge_packages(
    paths: Sequence[Path],
    passphrases: Sequence[str],
    out_dir: Path,
    *,
    mapping_csv: Path | None = None,
    central_snapshot: Path | None = None,
    accept: Collection[str] = (),
    progress: Progress | None = None,
    cancelled: CancelledFn | None = None,
    clock: Clock | None = None,
) -> MergeResult:
    """Merge packages into `out_dir`; `accept` lists conflict ids or entry UUIDs that the
    clinical lead reviewed and accepted (they then go into the Bundle)."""
    clock = clock or SystemClock()
    steps = Steps(progress, cancelled)
    packages = open_packages(paths, passphrases, steps)
    lines = read_mapping_lines(Path(mapping_csv)) if mapping_csv else {}
    _check_ipp_shape(packages, lines)
    mapping = {temp: ipp for temp, (ipp, _line) in lines.items()}
    central = None
    central_people: dict[str, list[KnownPatient]] = {}
    if central_snapshot is not None:
        from continuity.reconcile.recovery_check import load_central

        steps.report(0, 0, _("Reading the central record's snapshot"))
        central = load_central(Path(central_snapshot), since=_earliest_possible(packages))
        if mapping:
            central_people = _central_patients(Path(central_snapshot), set(mapping.values()))
    out_dir = Path(out_dir)
    created = not out_dir.exists()
    if not created and not out_dir.is_dir():
        raise BadInput(_("{path} is not a folder.").format(path=out_dir))
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = out_dir / f".merge-{uuid_module.uuid4().hex[:12]}.partial"
    tmp.mkdir(mode=0o700)
    try:
        result = _Merge(packages, mapping, central, set(accept), steps, clock).run(
            tmp, central_people
        )
        final = final_folder(out_dir, clock)
        os.replace(tmp, final)
        fsync_dir(out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if created:
            shutil.rmtree(out_dir, ignore_errors=True)
        raise
    result.output_dir = final
    result.files = {name: final / path.name for name, path in result.files.items()}
    return result


def _check_ipp_shape(packages: list[MergePackage], lines: dict[str, tuple[str, int]]) -> None:
    """Where every IPP the packages' snapshots hold is made of digits, an IPP with anything
    else is a typing or spreadsheet error: BadInput naming its line (`mapping` checks the rest;
    this needs the packages)."""
    known = [
        str(p["ipp"])
        for package in packages
        for p in ((package.contents.context().get("patients") or {}).values())
        if p.get("ipp") and not p.get("temporary")
    ]
    if not known or not all(ipp.isdigit() for ipp in known):
        return
    for temp, (ipp, line) in sorted(lines.items(), key=lambda item: item[1][1]):
        if not ipp.isdigit():
            raise BadInput(
                _(
                    "Mapping file, line {line}: the IPP {ipp} of {temp} is not made of digits "
                    "like the hospital's IPPs."
                ).format(line=line, ipp=ipp, temp=temp)
            )


def _central_patients(path: Path, ipps: set[str]) -> dict[str, list[KnownPatient]]:
    """The central record's patients under the mapped IPPs, to check each mapping names the
    admitted person. A second, short read: only the Patient files of a Bulk Data export (a
    Bundle is read whole); `load_central` keeps only ids."""
    from continuity.fhir.errors import Invalid
    from continuity.fhir.patients import map_patient
    from continuity.fhir.sources import open_source

    found: dict[str, list[KnownPatient]] = {}
    with open_source(path) as source:
        source.bulk_files = [(m, kind) for m, kind in source.bulk_files if kind == "Patient"]
        for raw in source.resources():
            resource = raw.resource
            if not isinstance(resource, dict) or resource.get("resourceType") != "Patient":
                continue
            try:
                draft = map_patient(resource, str(resource.get("id") or ""), raw.where)
            except Invalid:
                continue  # a broken Patient cannot be compared; load_central read the rest
            if draft.ipp in ipps:
                fields = ("family", "given", "birth_date", "sex")
                person = person_of({k: getattr(draft, k) for k in fields})
                found.setdefault(draft.ipp, []).append(KnownPatient(person, "central"))
    return found


def _earliest_possible(packages: list[MergePackage]) -> datetime | None:
    """How far back the central record is worth reading: entries older than their snapshot
    minus 7 days need an explicit confirmation; a month back leaves room for those."""
    found = [
        from_iso(p.contents.manifest["snapshot"]["as_of"])
        for p in packages
        if (p.contents.manifest.get("snapshot") or {}).get("as_of")
    ]
    return min(found) - timedelta(days=31) if found else None


class _Merge:
    def __init__(
        self,
        packages: list[MergePackage],
        mapping: dict[str, str],
        central: CentralRecord | None,
        accept: set[str],
        steps: Steps,
        clock: Clock,
    ) -> None:
        self.packages = packages
        self.mapping = mapping
        self.central = central
        self.accept = accept
        self.steps = steps
        self.clock = clock
        self.index = MergeIndex()
        self.present: dict[str, str] = {}
        self.collisions: dict[str, set[str]] = {}
        self.by_hand: list[ByHand] = []
        self.total = 2 * sum(p.header.entry_count for p in packages)
        self.done = 0

    def _tick(self, text: str) -> None:
        self.done += 1
        self.steps.tick(self.done, self.total, text)

    # -- pass 1 --------------------------------------------------------------------------
    def index_all(self) -> None:
        self.steps.report(0, self.total, _("Reading the entries"))
        for number, package in enumerate(self.packages):
            self.index.add_package(number, package.contents.manifest, package.contents.context())
        for number, package in enumerate(self.packages):
            for line in package.contents.entry_lines():
                row = orjson.loads(line)
                if self.index.add_entry(number, line, row) and self.central is not None:
                    self._check_central(row)
                self._tick(_("Reading the entries"))
        self.index.finish()
        self._match_by_hand()

    def _check_central(self, row: dict[str, Any]) -> None:
        patient_id = row.get("patient_id")
        ipp = self.mapping.get(patient_id) if patient_id in self.index.temporary else None
        order = self.index.orders.get(row.get("order_id") or "") or {}
        manual_drug = (row.get("payload") or {}).get("drug") if order.get("manual") else None
        found = find_in_central(self.central, row, ipp=ipp, manual_drug=manual_drug)
        if found in (BY_HAND, PARTLY):
            # settled once every package is read: one hand-typed resource, one entry
            self.by_hand += by_hand_candidates(self.central, row, ipp=ipp, manual_drug=manual_drug)
        elif found is not None:
            self.present[row["uuid"]] = found

    def _match_by_hand(self) -> None:
        """Hand-typed central doses and measurements account for one laptop entry each
        (corrected-away entries do not compete: they go in as entered-in-error whatever the
        central record holds, and must not take a measurement from their correction)."""
        if self.central is None:
            return
        index = self.index
        live = [c for c in self.by_hand if index.effective(index.entries[c.uuid])]
        self.present.update(match_by_hand(self.central, live))

    # -- decisions -----------------------------------------------------------------------
    def decide(self, conflicts: list[Conflict]) -> tuple[dict[str, Held], dict[str, int]]:
        """Which entries are held back, and why; temporary id -> entries held for it."""
        held: dict[str, Held] = {}
        for conflict in conflicts:
            if conflict.id in self.accept and conflict.acceptable:
                continue
            for entry_uuid in conflict.holds():
                if entry_uuid not in self.accept or not conflict.acceptable:
                    held.setdefault(
                        entry_uuid,
                        Held(_("conflict under review"), _("conflict {id}").format(id=conflict.id)),
                    )
        unmapped: Counter[str] = Counter()
        for seen in self.index.entries.values():
            pid = seen.patient_id
            if pid and pid in self.index.temporary and pid not in self.mapping:
                unmapped[pid] += 1
                held.setdefault(
                    seen.uuid,
                    Held(
                        _("temporary patient without a real IPP"),
                        _("temporary id {id} not mapped").format(id=pid),
                    ),
                )
            if self.present.get(seen.uuid) == PARTLY:
                label = _("partly in the central record already")
                held.setdefault(seen.uuid, Held(label, label))
        chains = self.index.chains
        groups: dict[str, list[str]] = {}
        for earlier in chains.superseded_by:
            head = chains.head(earlier)
            groups.setdefault(head, [head]).append(earlier)
        for members in groups.values():
            reason = next((held[m] for m in members if m in held), None)
            if reason is not None:
                for m in members:
                    if m in self.index.entries:
                        held.setdefault(m, reason)
        return held, dict(unmapped)

    def references(self, held: dict[str, Held], device_names: dict[str, str]) -> References:
        index = self.index
        chains = index.chains
        current = {
            u
            for u, s in index.entries.items()
            if index.effective(s) and u not in held and u not in self.present
        }
        admission_of = {temp: adm[0][0] for temp, adm in index.admissions.items()}
        manual_head: dict[str, str] = {}
        for seen in index.entries.values():
            if seen.kind == "manual_order" and not seen.supersedes:
                manual_head[seen.order_id or seen.uuid] = chains.head(seen.uuid)
        manual = set(manual_head) | {o for o, d in index.orders.items() if d.get("manual")}
        return References(
            current=current,
            head=chains.head_map(),
            temporary=set(index.temporary),
            admission_of=admission_of,
            ipp_of={t: i for t, i in self.mapping.items() if t in index.temporary},
            ipp_system=index.ipp_system(),
            manual_orders=manual,
            manual_order_head=manual_head,
            infusion_labels=index.infusion_labels,
            users=index.users,
            devices=device_names,
        )

    # -- pass 2 --------------------------------------------------------------------------
    def known_patients(
        self, central_people: dict[str, list[KnownPatient]]
    ) -> dict[str, list[KnownPatient]]:
        """IPP -> the patients the merge knows under it (the central record first, then the
        packages' snapshots), for the mapped IPPs only."""
        wanted = set(self.mapping.values())
        known = {ipp: list(people) for ipp, people in central_people.items() if ipp in wanted}
        for patient in self.index.patients.values():
            ipp = patient.get("ipp")
            if ipp and not patient.get("temporary") and str(ipp) in wanted:
                known.setdefault(str(ipp), []).append(KnownPatient(person_of(patient), "context"))
        return known

    def run(
        self, tmp: Path, central_people: dict[str, list[KnownPatient]] | None = None
    ) -> MergeResult:
        self.index_all()
        index = self.index
        device_names = {d.device_id: d.name for d in index.devices.values()}
        conflicts = find_conflicts(
            index,
            device_names,
            mapping=self.mapping,
            known=self.known_patients(central_people or {}),
        )
        self.collisions = temporary_id_collisions(index)
        held, unmapped = self.decide(conflicts)
        refs = self.references(held, device_names)
        wanted_sides = {u for c in conflicts for u in c.uuids}
        sides: dict[str, EntrySide] = {}
        emitted: set[str] = set()
        in_bundle = skipped_present = 0
        now = to_utc_iso(self.clock.now())
        held_rows: list[list[Any]] = []
        self.steps.report(self.done, self.total, _("Writing the FHIR bundle"))
        with create_private(tmp / BUNDLE_FILE) as stream:
            bundle = BundleWriter(stream, timestamp=now, bundle_id=str(uuid_module.uuid4()))
            for package in self.packages:
                for line in package.contents.entry_lines():
                    self._tick(_("Writing the FHIR bundle"))
                    row = orjson.loads(line)
                    entry_uuid = row["uuid"]
                    if entry_uuid in emitted:
                        continue
                    emitted.add(entry_uuid)
                    if entry_uuid in wanted_sides or entry_uuid in held:
                        side = self._side(row, device_names)
                        if entry_uuid in wanted_sides:
                            sides[entry_uuid] = side
                        if entry_uuid in held:
                            held_rows.append(self._held_row(side, row, held[entry_uuid].detail))
                        if entry_uuid in held:
                            continue
                    superseded = index.chains.is_superseded(entry_uuid)
                    if not superseded and entry_uuid in self.present:
                        skipped_present += 1
                        continue
                    bundle.add(bundle_entries(row, refs, in_error=superseded))
                    in_bundle += 1
            bundle.close()
            stream.flush()
            os.fsync(stream.fileno())
        write_private(tmp / HELD_FILE, write_rows(held_headers(), held_rows).encode("utf-8"))
        totals = {
            "read": index.read,
            "unique": len(index.entries),
            "duplicates": index.duplicates,
            "in_bundle": in_bundle,
            "held_back": len(held),
            "already_present": skipped_present,
        }
        held_reasons = dict(Counter(h.category for h in held.values()))
        review = ReviewData(
            created_at=self.clock.now(),
            packages=[self._package_line(p) for p in self.packages],
            totals=totals,
            gaps=index.gaps(),
            conflicts=conflicts,
            sides=sides,
            unmapped=unmapped,
            unknown_mapping=sorted(set(self.mapping) - index.temporary),
            held_reasons=held_reasons,
            accepted=sorted(self.accept),
        )
        self.steps.report(self.total, self.total, _("Writing the review report"))
        write_private(tmp / REVIEW_CSV, review_csv(review).encode("utf-8"))
        write_private(tmp / REVIEW_PDF, review_pdf(review))
        result = MergeResult(
            output_dir=tmp,
            files={
                "bundle": tmp / BUNDLE_FILE,
                "held_back": tmp / HELD_FILE,
                "review_pdf": tmp / REVIEW_PDF,
                "review_csv": tmp / REVIEW_CSV,
                "summary": tmp / SUMMARY_FILE,
            },
            packages=[self._summary(p) for p in self.packages],
            totals=totals,
            conflicts=conflicts,
            gaps=review.gaps,
            unmapped=unmapped,
            held_reasons=held_reasons,
            bundle_entries=bundle.count,
        )
        write_private(
            tmp / SUMMARY_FILE,
            json.dumps(self._summary_json(result, now), indent=1, ensure_ascii=False).encode(
                "utf-8"
            ),
        )
        return result

    # -- presentation --------------------------------------------------------------------
    def _patient_label(self, patient_id: str | None, device_id: str = "") -> str:
        if not patient_id:
            return ""
        p = self.index.patients.get(patient_id) or {}
        number = p.get("ipp") or self.mapping.get(patient_id) or patient_id
        if patient_id in self.collisions:  # one id, two people: the one this laptop admitted
            p, number = self._admitted_on(patient_id, device_id), patient_id
        name = " ".join(x for x in ((p.get("family") or "").upper(), p.get("given") or "") if x)
        return f"{name} ({number})" if name else number

    def _admitted_on(self, temp_id: str, device_id: str) -> dict[str, Any]:
        """The person the latest admission under `temp_id` on this device names."""
        found: dict[str, Any] = {}
        for entry_uuid, person in self.index.admissions.get(temp_id, []):
            seen = self.index.entries[entry_uuid]
            if seen.device_id == device_id and self.index.effective(seen):
                found = person
        return found

    def _side(self, row: dict[str, Any], device_names: dict[str, str]) -> EntrySide:
        author = (self.index.users.get(row["author"]) or {}).get("display_name") or row["author"]
        return EntrySide(
            uuid=row["uuid"],
            device=device_names.get(row["device_id"], row["device_id"]),
            seq=int(row["seq"]),
            kind=kind_label(row["kind"]),
            patient=self._patient_label(row.get("patient_id"), row["device_id"]),
            clinical=local_time(row["clinical_time"]),
            recorded=local_time(row["recorded_time"]),
            author=author,
            summary=entry_summary(row),
        )

    def _held_row(self, side: EntrySide, row: dict[str, Any], reason: str) -> list[Any]:
        return [
            side.uuid,
            side.device,
            side.seq,
            side.kind,
            row.get("patient_id"),
            side.patient,
            side.clinical,
            side.recorded,
            side.author,
            side.summary,
            reason,
        ]

    def _package_line(self, package: MergePackage) -> PackageLine:
        m = package.contents.manifest
        h = package.header
        as_of = (m.get("snapshot") or {}).get("as_of")
        return PackageLine(
            file=package.opened.path.name,
            device=h.device_name,
            package_id=h.package_id,
            seq_first=h.seq_first,
            seq_last=h.seq_last,
            entries=h.entry_count,
            created_at=format_local(from_iso(h.created_at)),
            exported_by=(m.get("user") or {}).get("display_name") or "",
            snapshot_as_of=format_local(from_iso(as_of)) if as_of else "—",
        )

    def _summary(self, package: MergePackage) -> PackageSummary:
        h = package.header
        return PackageSummary(
            package.opened.path.name,
            h.package_id,
            h.device_id,
            h.device_name,
            h.entry_count,
            h.seq_first,
            h.seq_last,
            package.opened.file_sha256,
        )

    def _summary_json(self, result: MergeResult, now: str) -> dict[str, Any]:
        files = {}
        for name, path in result.files.items():
            if path.exists() and name != "summary":
                files[path.name] = file_sha256(path)
        return {
            "merged_at": now,
            "packages": [p.__dict__ for p in result.packages],
            "totals": result.totals,
            "bundle_entries": result.bundle_entries,
            "gaps": [g.__dict__ for g in result.gaps],
            "conflicts": [c.__dict__ for c in result.conflicts],
            "unmapped": result.unmapped,
            "held_reasons": result.held_reasons,
            "files_sha256": files,
        }
