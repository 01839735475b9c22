"""Merging the packages of several laptops into one FHIR transaction Bundle and a review report.

Needs no cache: it runs on any IT machine with the app. Every package is checked before
anything is written (passphrase, integrity, format version, the same package given twice, a
drill or an empty package: each refused with one sentence). Then two streaming passes:

1. index every entry (`merge_index`): duplicates by UUID dropped, correction chains built
   across packages, each laptop's sequence numbers accounted for (a gap means a missing
   package), and, given the central system's fresh snapshot, the entries it already holds
   (`recovery_check`);
2. decide and write: conflicts (`conflicts`) and temporary patients without a real IPP hold
   their entries back (a whole correction chain is held together); everything else goes into
   the Bundle, superseded entries as entered-in-error.

Output, in a new folder `reconciliation-<date>-<time>` inside `out_dir`: `bundle.json` (only
what is clean and mapped), `held-back.csv`, `review.pdf` and `review.csv` for the clinical
lead's sign-off, and `merge-summary.json`. Everything is written to a hidden temporary folder
first and renamed at the very end, so a failure or a cancel never leaves half an output.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid as uuid_module
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from continuity.core.clock import Clock, SystemClock, format_local, from_iso, local, to_utc_iso
from continuity.core.errors import BadInput
from continuity.core.i18n import _
from continuity.fhir.fhir_out import BundleWriter, References, bundle_entries
from continuity.reconcile.conflicts import Conflict, find_conflicts
from continuity.reconcile.entry_tables import local_time, write_rows
from continuity.reconcile.mapping import read_mapping
from continuity.reconcile.merge_index import Gap, MergeIndex
from continuity.reconcile.package_contents import PackageContents
from continuity.reconcile.package_format import (
    Header,
    OpenedPackage,
    PackageError,
    open_package,
    read_header,
)
from continuity.reconcile.progress import CancelledFn, Progress, Steps
from continuity.reconcile.recovery_check import PARTLY, CentralRecord, find_in_central
from continuity.reconcile.review_report import (
    EntrySide,
    PackageLine,
    ReviewData,
    review_csv,
    review_pdf,
)
from continuity.store.files import fsync_dir

BUNDLE_FILE = "bundle.json"
HELD_FILE = "held-back.csv"
REVIEW_PDF = "review.pdf"
REVIEW_CSV = "review.csv"
SUMMARY_FILE = "merge-summary.json"


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


@dataclass
class _Package:
    opened: OpenedPackage
    contents: PackageContents

    @property
    def header(self) -> Header:
        return self.opened.header


# -- checking the input ----------------------------------------------------------------------
def _passphrase_list(paths: list[Path], passphrases: Sequence[str]) -> list[str]:
    phrases = list(passphrases)
    if len(phrases) == 1:
        return phrases * len(paths)
    if len(phrases) != len(paths):
        raise BadInput(_("Give one passphrase for every package, or one for all of them."))
    return phrases


def _check_headers(paths: list[Path]) -> None:
    """What the clear headers already tell, before any passphrase is tried."""
    seen_paths: dict[Path, str] = {}
    seen_ids: dict[str, str] = {}
    for path in paths:
        if not path.is_file():
            raise BadInput(_("No package was found at this place: {path}").format(path=path))
        resolved = path.resolve()
        if resolved in seen_paths:
            raise PackageError(
                _("The same package was given twice: {file}.").format(file=path.name)
            )
        seen_paths[resolved] = path.name
        header = read_header(path)
        if header.package_id in seen_ids:
            raise PackageError(
                _("The same package was given twice: {a} and {b}.").format(
                    a=seen_ids[header.package_id], b=path.name
                )
            )
        seen_ids[header.package_id] = path.name
        if header.drill:
            raise PackageError(
                _(
                    "{file} is a drill (training) package: its entries are not real care and "
                    "are never merged."
                ).format(file=path.name)
            )
        if header.entry_count == 0:
            raise PackageError(_("{file} holds no entries.").format(file=path.name))


def _check_manifest(contents: PackageContents, header: Header) -> None:
    m = contents.manifest
    same = (
        m.get("package_id") == header.package_id
        and (m.get("device") or {}).get("id") == header.device_id
        and m.get("entry_count") == header.entry_count
        and dict(m.get("counts") or {}) == header.counts
        and not m.get("drill")
    )
    if not same:
        raise PackageError(
            _("{file}: this package is damaged or altered; it cannot be used.").format(
                file=contents.name
            )
        )


def open_packages(
    paths: Sequence[Path], passphrases: Sequence[str], steps: Steps | None = None
) -> list[_Package]:
    """Every package authenticated and decrypted, or one clear refusal (nothing written)."""
    paths = [Path(p) for p in paths]
    if not paths:
        raise BadInput(_("Give at least one package to merge."))
    phrases = _passphrase_list(paths, passphrases)
    _check_headers(paths)
    packages: list[_Package] = []
    digests: dict[str, str] = {}
    for number, (path, phrase) in enumerate(zip(paths, phrases, strict=True)):
        if steps is not None:
            steps.report(number, len(paths), _("Opening {file}").format(file=path.name))
        opened = open_package(path, phrase)
        if opened.file_sha256 in digests:
            raise PackageError(
                _("The same package was given twice: {a} and {b}.").format(
                    a=digests[opened.file_sha256], b=path.name
                )
            )
        digests[opened.file_sha256] = path.name
        contents = PackageContents(opened.payload, path.name)
        _check_manifest(contents, opened.header)
        packages.append(_Package(opened, contents))
    return packages


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
    mapping = read_mapping(Path(mapping_csv)) if mapping_csv else {}
    central = None
    if central_snapshot is not None:
        from continuity.reconcile.recovery_check import load_central

        steps.report(0, 0, _("Reading the central record's snapshot"))
        central = load_central(Path(central_snapshot))
    out_dir = Path(out_dir)
    created = not out_dir.exists()
    if not created and not out_dir.is_dir():
        raise BadInput(_("{path} is not a folder.").format(path=out_dir))
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = out_dir / f".merge-{uuid_module.uuid4().hex[:12]}.partial"
    tmp.mkdir(mode=0o700)
    try:
        result = _Merge(packages, mapping, central, set(accept), steps, clock).run(tmp)
        final = _final_folder(out_dir, clock)
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


def _final_folder(out_dir: Path, clock: Clock) -> Path:
    stamp = local(clock.now()).strftime("%Y%m%d-%H%M%S")
    candidate = out_dir / f"reconciliation-{stamp}"
    n = 2
    while candidate.exists():
        candidate = out_dir / f"reconciliation-{stamp}-{n}"
        n += 1
    return candidate


def _create(path: Path) -> BinaryIO:
    """A new output file readable by its owner only: it names patients."""
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")


def _write(path: Path, data: bytes) -> None:
    with _create(path) as stream:
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())


def _file_sha256(path: Path) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(1 << 20):
            sha.update(chunk)
    return sha.hexdigest()


class _Merge:
    def __init__(
        self,
        packages: list[_Package],
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
                row = json.loads(line)
                if self.index.add_entry(number, line, row) and self.central is not None:
                    self._check_central(row)
                self._tick(_("Reading the entries"))
        self.index.finish()

    def _check_central(self, row: dict[str, Any]) -> None:
        patient_id = row.get("patient_id")
        ipp = self.mapping.get(patient_id) if patient_id in self.index.temporary else None
        order = self.index.orders.get(row.get("order_id") or "") or {}
        manual_drug = (row.get("payload") or {}).get("drug") if order.get("manual") else None
        found = find_in_central(self.central, row, ipp=ipp, manual_drug=manual_drug)
        if found is not None:
            self.present[row["uuid"]] = found

    # -- decisions -----------------------------------------------------------------------
    def decide(self, conflicts: list[Conflict]) -> tuple[dict[str, Held], dict[str, int]]:
        """Which entries are held back, and why; temporary id -> entries held for it."""
        held: dict[str, Held] = {}
        for conflict in conflicts:
            if conflict.id in self.accept:
                continue
            for entry_uuid in conflict.holds():
                if entry_uuid not in self.accept:
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
    def run(self, tmp: Path) -> MergeResult:
        self.index_all()
        index = self.index
        device_names = {d.device_id: d.name for d in index.devices.values()}
        conflicts = find_conflicts(index, device_names)
        held, unmapped = self.decide(conflicts)
        refs = self.references(held, device_names)
        wanted_sides = {u for c in conflicts for u in c.uuids}
        sides: dict[str, EntrySide] = {}
        emitted: set[str] = set()
        in_bundle = skipped_present = 0
        now = to_utc_iso(self.clock.now())
        held_rows: list[list[Any]] = []
        self.steps.report(self.done, self.total, _("Writing the FHIR bundle"))
        with _create(tmp / BUNDLE_FILE) as stream:
            bundle = BundleWriter(stream, timestamp=now, bundle_id=str(uuid_module.uuid4()))
            for package in self.packages:
                for line in package.contents.entry_lines():
                    self._tick(_("Writing the FHIR bundle"))
                    row = json.loads(line)
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
        _write(tmp / HELD_FILE, write_rows(_held_headers(), held_rows).encode("utf-8"))
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
        _write(tmp / REVIEW_CSV, review_csv(review).encode("utf-8"))
        _write(tmp / REVIEW_PDF, review_pdf(review))
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
        _write(
            tmp / SUMMARY_FILE,
            json.dumps(self._summary_json(result, now), indent=1, ensure_ascii=False).encode(
                "utf-8"
            ),
        )
        return result

    # -- presentation --------------------------------------------------------------------
    def _patient_label(self, patient_id: str | None) -> str:
        if not patient_id:
            return ""
        p = self.index.patients.get(patient_id) or {}
        name = " ".join(x for x in ((p.get("family") or "").upper(), p.get("given") or "") if x)
        number = p.get("ipp") or self.mapping.get(patient_id) or patient_id
        return f"{name} ({number})" if name else number

    def _side(self, row: dict[str, Any], device_names: dict[str, str]) -> EntrySide:
        author = (self.index.users.get(row["author"]) or {}).get("display_name") or row["author"]
        return EntrySide(
            uuid=row["uuid"],
            device=device_names.get(row["device_id"], row["device_id"]),
            seq=int(row["seq"]),
            kind=_kind_label(row["kind"]),
            patient=self._patient_label(row.get("patient_id")),
            clinical=local_time(row["clinical_time"]),
            recorded=local_time(row["recorded_time"]),
            author=author,
            summary=_summary(row),
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

    def _package_line(self, package: _Package) -> PackageLine:
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

    def _summary(self, package: _Package) -> PackageSummary:
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
                files[path.name] = _file_sha256(path)
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


def _held_headers() -> list[str]:
    return [
        _("entry id"),
        _("laptop"),
        _("sequence"),
        _("entry kind"),
        _("patient id"),
        _("patient"),
        _("clinical time"),
        _("recorded time"),
        _("author"),
        _("what"),
        _("reason"),
    ]


def _kind_label(kind: str) -> str:
    try:
        from continuity.core.entries import KIND_LABELS

        return _(KIND_LABELS.get(kind, kind))
    except ImportError:  # pragma: no cover - entries module absent
        return kind


def _summary(row: dict[str, Any]) -> str:
    try:
        from continuity.core.entries import summary

        return summary(row["kind"], row.get("payload") or {})
    except Exception:  # an unexpected payload must not stop the merge: show the raw fields
        payload = row.get("payload") or {}
        return ", ".join(f"{k}={v}" for k, v in sorted(payload.items()) if v not in (None, ""))
