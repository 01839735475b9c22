"""Exporting a laptop's manual entries as one encrypted .ccx package (IT only).

What goes in: by default every entry not yet in any package ("what is new"); or everything
after a sequence number (`since_seq`); or everything (`all_entries`). The entries a new
correction supersedes come along even if they left in an earlier package, so a package's
correction chains are complete on their own (the merge drops the duplicates by UUID).
Training entries (`entries.drill = 1`) never travel with real ones: when only drill entries
are pending they make a "drill" package, which the merge refuses.

The file is written beside its destination, fsynced, then renamed into place inside the
transaction that marks its entries as exported (`entry_exports`) and audits the export: a
crash leaves either no package and nothing marked, or both. Entries stay in the cache.
"""

from __future__ import annotations

import json
import os
import uuid as uuid_module
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from continuity.core.clock import to_utc_iso
from continuity.core.errors import BadInput
from continuity.core.i18n import _
from continuity.core.roles import Permission
from continuity.fhir.fhir_out import BundleWriter, References, bundle_entries
from continuity.reconcile import snapshot_context
from continuity.reconcile.chains import Chains
from continuity.reconcile.entry_tables import KindTables, PayloadFields
from continuity.reconcile.package_contents import (
    BUNDLE,
    CONTEXT,
    CSV_FOLDER,
    ENTRIES,
    ENTRY_COLUMNS,
    ContentsWriter,
    entry_line,
    row_from_db,
)
from continuity.reconcile.package_format import (
    FORMAT,
    FORMAT_VERSION,
    Header,
    check_passphrase,
    new_package_id,
    seal,
)
from continuity.reconcile.progress import CancelledFn, Progress, Steps
from continuity.store import census
from continuity.store.drill import is_drill
from continuity.store.files import fsync_dir
from continuity.store.session import Session

_SELECT = f"SELECT {', '.join(ENTRY_COLUMNS)} FROM entries ORDER BY seq"


@dataclass(frozen=True)
class ExportResult:
    path: Path
    package_id: str
    entry_count: int
    counts: dict[str, int]
    seq_first: int | None
    seq_last: int | None
    drill: bool
    drill_left_out: int  # drill entries pending, not in this (real) package
    already_exported: int  # entries that were in an earlier package too (chains, --all)
    size: int


def seq_ranges(seqs: list[int]) -> list[list[int]]:
    """[1, 2, 3, 7, 8] -> [[1, 3], [7, 8]]: what a package accounts for, compactly."""
    out: list[list[int]] = []
    for s in sorted(set(seqs)):
        if out and s == out[-1][1] + 1:
            out[-1][1] = s
        else:
            out.append([s, s])
    return out


def _select(
    session: Session, since_seq: int | None, all_entries: bool
) -> tuple[set[str], bool, int, list[int], Chains]:
    """The uuids to export, whether it is a drill package, drill entries left out, the drill
    seqs (accounted for by a real package), and the cache's correction chains."""
    rows = session.conn.execute(
        "SELECT e.uuid, e.seq, e.drill, EXISTS (SELECT 1 FROM entry_exports x"
        " WHERE x.uuid = e.uuid) FROM entries e ORDER BY e.seq"
    ).fetchall()
    pending = [
        (u, seq, bool(drill))
        for u, seq, drill, exported in rows
        if all_entries or (seq > since_seq if since_seq is not None else not exported)
    ]
    real = {u for u, _s, drill in pending if not drill}
    drill_pending = {u for u, _s, drill in pending if drill}
    drill_seqs = [seq for _u, seq, drill, _x in rows if drill]
    if not real and not drill_pending:
        raise BadInput(
            _(
                "There is nothing new to export: every entry is already in a package. Use "
                "--all to export everything again."
            )
        )
    drill = not real or is_drill(session)
    chosen = (drill_pending | real) if drill else real
    chains = Chains.from_links(snapshot_context.chain_links(session))
    by_uuid = {u: bool(d) for u, _s, d, _x in rows}
    # Complete the chains: what a chosen correction supersedes, back to its first entry.
    changed = True
    while changed:
        changed = False
        for earlier, later in chains.superseded_by.items():
            fits = drill or not by_uuid.get(earlier, True)  # drill never joins real entries
            if later in chosen and earlier not in chosen and earlier in by_uuid and fits:
                chosen.add(earlier)
                changed = True
    left_out = 0 if drill else len(drill_pending)
    return chosen, drill, left_out, drill_seqs, chains


def _references(
    session: Session, chains: Chains, chosen_current: set[str], users: dict[str, Any]
) -> References:
    admissions: dict[str, str] = {}
    manual: dict[str, str] = {}
    labels: dict[str, str] = {}
    for entry_uuid, kind, patient_id, order_id, payload in session.conn.execute(
        "SELECT uuid, kind, patient_id, order_id, payload FROM entries"
        " WHERE kind IN ('admission', 'manual_order', 'infusion') ORDER BY seq"
    ):
        if kind == "admission":
            admissions.setdefault(patient_id, entry_uuid)
        elif kind == "manual_order":
            manual[order_id or entry_uuid] = chains.head(entry_uuid)
        elif '"start"' in payload:
            p = json.loads(payload)
            if p.get("action") == "start":
                labels[entry_uuid] = " + ".join(
                    x for x in (p.get("solution"), p.get("additive")) if x
                )
    return References(
        current=chosen_current,
        head=chains.head_map(),
        temporary=set(admissions),
        admission_of=admissions,
        manual_orders=set(manual),
        manual_order_head=manual,
        infusion_labels=labels,
        users=users,
        devices={session.device.id: session.device.name},
    )


def export_entries(
    session: Session,
    out_path: Path,
    passphrase: str,
    *,
    since_seq: int | None = None,
    all_entries: bool = False,
    progress: Progress | None = None,
    cancelled: CancelledFn | None = None,
) -> ExportResult:
    """Write the package to `out_path` (which must not exist) and mark its entries exported."""
    session.require(Permission.EXPORT_ENTRIES)
    check_passphrase(passphrase)
    out_path = Path(out_path)
    if out_path.exists():
        raise BadInput(
            _(
                "{file} already exists: choose another name (an earlier package is never "
                "overwritten)."
            ).format(file=out_path.name)
        )
    if not out_path.parent.is_dir():
        raise BadInput(_("The folder for the package does not exist."))
    steps = Steps(progress, cancelled)
    steps.report(0, 0, _("Selecting the entries"))
    chosen, drill, left_out, drill_seqs, chains = _select(session, since_seq, all_entries)
    exported_before = {
        r[0] for r in session.conn.execute("SELECT DISTINCT uuid FROM entry_exports")
    }
    package_id = new_package_id()
    payload, summary = _build_payload(session, package_id, chosen, drill, drill_seqs, chains, steps)
    header = Header(
        package_id=package_id,
        device_id=session.device.id,
        device_name=session.device.name,
        created_at=summary["created_at"],
        seq_first=summary["seq_first"],
        seq_last=summary["seq_last"],
        entry_count=len(chosen),
        counts=summary["counts"],
        drill=drill,
    )
    steps.report(len(chosen), len(chosen), _("Encrypting the package"))
    data = seal(header, payload, passphrase)
    del payload
    _write_and_mark(session, out_path, data, package_id, chosen, header)
    return ExportResult(
        path=out_path,
        package_id=package_id,
        entry_count=len(chosen),
        counts=summary["counts"],
        seq_first=summary["seq_first"],
        seq_last=summary["seq_last"],
        drill=drill,
        drill_left_out=left_out,
        already_exported=len(chosen & exported_before),
        size=len(data),
    )


def _rows(session: Session, chosen: set[str]):
    for values in session.conn.execute(_SELECT):
        if values[0] in chosen:
            yield row_from_db(values)


def _build_payload(
    session: Session,
    package_id: str,
    chosen: set[str],
    drill: bool,
    drill_seqs: list[int],
    chains: Chains,
    steps: Steps,
) -> tuple[bytes, dict[str, Any]]:
    total = len(chosen)
    writer = ContentsWriter()
    counts: dict[str, int] = {}
    seqs: list[int] = []
    order_ids: set[str] = set()
    patient_ids: set[str] = set()
    logins: set[str] = set()
    fields = PayloadFields()
    with writer.member(ENTRIES) as stream:
        for done, row in enumerate(_rows(session, chosen), 1):
            stream.write(entry_line(row))
            counts[row["kind"]] = counts.get(row["kind"], 0) + 1
            seqs.append(row["seq"])
            order_ids.add(row["order_id"] or "")
            patient_ids.add(row["patient_id"] or "")
            logins.update((row["author"], row["witness"] or ""))
            fields.add(row)
            steps.tick(done, total, _("Writing the entries"))
    users = snapshot_context.users(session, logins)
    patients = snapshot_context.patients(session, patient_ids)
    context = {
        "orders": snapshot_context.orders(session, order_ids),
        "patients": patients,
        "users": users,
        "ipp_system": snapshot_context.ipp_system(session),
        "temporary_ids": sorted(snapshot_context.temporary_ids(session) & patient_ids),
    }
    writer.add(CONTEXT, json.dumps(context, ensure_ascii=False, sort_keys=True).encode("utf-8"))
    del context
    current = {u for u in chosen if not chains.is_superseded(u)}
    refs = _references(session, chains, current, users)
    now = to_utc_iso(session.now())
    with writer.member(BUNDLE) as stream:
        bundle = BundleWriter(stream, timestamp=now, bundle_id=package_id)
        for done, row in enumerate(_rows(session, chosen), 1):
            bundle.add(bundle_entries(row, refs, in_error=chains.is_superseded(row["uuid"])))
            steps.tick(done, total, _("Writing the FHIR bundle"))
        bundle.close()
    tables = KindTables(fields, refs.devices, patients)
    for row in _rows(session, chosen):
        tables.add(row)
    for kind in tables.kinds():
        writer.add(f"{CSV_FOLDER}{kind}.csv", tables.csv_text(kind).encode("utf-8"))
    del tables
    if seqs:
        accounted = seqs + ([s for s in drill_seqs if s <= max(seqs)] if not drill else [])
    else:
        accounted = []
    snapshot = census.snapshot_info(session)
    summary = {
        "created_at": now,
        "seq_first": min(seqs) if seqs else None,
        "seq_last": max(seqs) if seqs else None,
        "counts": dict(sorted(counts.items())),
    }
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "package_id": package_id,
        "created_at": now,
        "device": {"id": session.device.id, "name": session.device.name},
        "site": session.device.site_name,
        "user": {"login": session.user.login, "display_name": session.user.display_name},
        "snapshot": {
            "as_of": to_utc_iso(snapshot.as_of),
            "source": snapshot.source,
        }
        if snapshot
        else None,
        "seq_first": summary["seq_first"],
        "seq_last": summary["seq_last"],
        "seq_ranges": seq_ranges(accounted),
        "entry_count": total,
        "counts": summary["counts"],
        "drill": drill,
    }
    return writer.finish(manifest), summary


def _write_and_mark(
    session: Session, out_path: Path, data: bytes, package_id: str, chosen: set[str], header: Header
) -> None:
    tmp = out_path.with_name(f".{out_path.name}.{uuid_module.uuid4().hex[:8]}.partial")
    placed = False
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        now = to_utc_iso(session.now())
        with session.transaction() as conn:
            conn.executemany(
                "INSERT OR IGNORE INTO entry_exports (uuid, package_id, exported_at)"
                " VALUES (?, ?, ?)",
                [(u, package_id, now) for u in sorted(chosen)],
            )
            session.audit(
                "export",
                {
                    "package_id": package_id,
                    "file": out_path.name,
                    "entries": len(chosen),
                    "seq_first": header.seq_first,
                    "seq_last": header.seq_last,
                    "counts": header.counts,
                    "drill": header.drill,
                },
            )
            os.replace(tmp, out_path)
            placed = True
        placed = False  # committed: the package and its marks stand together
        fsync_dir(out_path.parent)
    except BaseException:
        tmp.unlink(missing_ok=True)
        if placed:  # the marks did not commit: a package nobody knows of must not stay
            out_path.unlink(missing_ok=True)
        raise
