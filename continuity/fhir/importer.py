"""Importing a snapshot: the one way central data gets into the cache.

    report = import_snapshot(session, Path("/media/usb/export-2024-08-06"))

All-or-nothing: everything is read, checked and resolved in memory first; only then does one
transaction replace the previous snapshot. Any failure before or during that transaction (a
truncated file, a rejected resource without --accept-partial, a refused signature, a cancel)
leaves the previous snapshot exactly as it was. Refusals are written to the audit log.
"""

from __future__ import annotations

import contextlib
import gc
import json
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

from continuity.core.clock import to_utc_iso
from continuity.core.errors import BadInput, UserError
from continuity.core.i18n import _
from continuity.core.roles import Permission
from continuity.fhir.assembly import SnapshotBuilder
from continuity.fhir.datatypes import fhir_datetime
from continuity.fhir.errors import (
    ImportCancelled,
    Invalid,
    SignatureRefused,
    SnapshotFormatError,
    SnapshotRejected,
)
from continuity.fhir.report import ImportReport
from continuity.fhir.signing import trusted_key
from continuity.fhir.snapshot_writer import replace_snapshot
from continuity.fhir.sources import Source, open_source
from continuity.store.session import Session

_CANCEL_EVERY = 500
#: A "data as of" this far ahead of the laptop's clock gets a note: one of the clocks is wrong.
_CLOCK_SKEW = timedelta(minutes=10)


def import_snapshot(
    session: Session,
    path: Path,
    *,
    as_of: datetime | str | None = None,
    accept_partial: bool = False,
    allow_unsigned: bool = False,
    progress: Callable[[int, int | None], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> ImportReport:
    """Replace the cache's snapshot with the one at `path`; returns what was done.

    `as_of` is the "data as of" time the user states, used only when the snapshot does not
    say it (no manifest, no meta.lastUpdated): never silently "now". `progress(done, total)`
    counts bytes read; `cancel()` is polled while reading. Rejected resources abort the import
    unless `accept_partial`; an unsigned or wrongly signed snapshot (when this laptop trusts a
    key) is refused unless `allow_unsigned`, which needs the override permission and is logged.
    """
    session.require(Permission.IMPORT_SNAPSHOT)
    if allow_unsigned:
        session.require(Permission.OVERRIDE_SIGNATURE)
    path = Path(path)
    report = ImportReport(source=str(path))
    try:
        stated = _stated_as_of(as_of)
        with open_source(path) as source:
            report.source_kind = "package" if source.package else source.kind
            report.notes.extend(source.notes)
            _check_signature(session, source, report, allow_unsigned)
            builder = SnapshotBuilder(report)
            with _collector_paused():
                for n, raw in enumerate(source.resources(progress)):
                    if cancel is not None and n % _CANCEL_EVERY == 0 and cancel():
                        raise ImportCancelled(_("Import cancelled; nothing was changed."))
                    builder.add(raw)
                _check_members(session, source, report, allow_unsigned)
                rows = builder.build()
            report.as_of, report.as_of_origin = _as_of(source, builder, stated, report)
        if report.as_of - session.now() > _CLOCK_SKEW:
            report.notes.append("data as of is ahead of this laptop's clock: check both clocks")
        if report.rejections and not accept_partial:
            raise SnapshotRejected(
                _(
                    "{count} resource(s) rejected, nothing was imported (first: {first}). Fix the "
                    "export, or accept a partial snapshot explicitly."
                ).format(count=len(report.rejections), first=report.rejections[0].describe()),
                report,
            )
        if cancel is not None and cancel():
            raise ImportCancelled(_("Import cancelled; nothing was changed."))
        report.imported = True
        snapshot = {
            "source": str(path),
            "as_of": to_utc_iso(report.as_of),
            "as_of_origin": report.as_of_origin,
            "imported_at": to_utc_iso(session.now()),
            "imported_by": session.user.login,
            "signature": report.signature,
            "report": json.dumps(report.as_dict(), ensure_ascii=False),
        }
        with session.transaction() as conn:
            absent = replace_snapshot(conn, rows, snapshot)
            session.audit("snapshot_imported", _audit_detail(report, absent))
    except UserError as exc:
        report.imported = False
        _audit_failure(session, report, exc)
        raise
    except BaseException:
        report.imported = False
        raise
    return report


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while the snapshot is read.

    Reading keeps ~150,000 small objects alive, and each collection walks all of them: about a
    quarter of the reading time for nothing, since parsed JSON and drafts form no cycles. The
    collector is process-wide, so it is paused only for these few seconds and always resumed.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _stated_as_of(value: datetime | str | None) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise BadInput(_("The stated 'data as of' time needs a time zone."))
        value = value.isoformat()
    try:
        return fhir_datetime(value.strip(), "--as-of")
    except Invalid:
        raise BadInput(
            _(
                "--as-of must be a date and time such as 2024-08-06T18:12:57Z or "
                "2024-08-06T20:12:57+02:00."
            )
        ) from None


def _as_of(
    source: Source, builder: SnapshotBuilder, stated: datetime | None, report: ImportReport
) -> tuple[datetime, str]:
    """The snapshot's "data as of": the manifest, else the newest lastUpdated, else stated."""
    chosen: tuple[datetime, str] | None = None
    text = (source.manifest or {}).get("transactionTime")
    if text is not None:
        try:
            moment = fhir_datetime(text, "transactionTime")
        except Invalid:
            moment = None
        if moment is None:
            raise SnapshotFormatError(
                _("manifest.json: its transactionTime is not a valid time; nothing was imported.")
            )
        chosen = (moment, "manifest")
    elif builder.last_updated is not None:
        chosen = (builder.last_updated, "lastUpdated")
    elif stated is not None:
        chosen = (stated, "stated")
    if chosen is None:
        raise BadInput(
            _(
                "This snapshot does not say when its data was taken (no manifest.json, no "
                "meta.lastUpdated): state it with --as-of, e.g. --as-of 2024-08-06T18:12:57Z."
            )
        )
    if stated is not None and chosen[1] != "stated" and stated != chosen[0]:
        report.notes.append(
            f"--as-of {to_utc_iso(stated)} not used: the {chosen[1]} says {to_utc_iso(chosen[0])}"
        )
    return chosen


def _check_signature(
    session: Session, source: Source, report: ImportReport, allow_unsigned: bool
) -> None:
    """Before reading anything: is the package signed by the key this laptop trusts?"""
    key = trusted_key(session)
    package = source.package
    if package is not None:
        report.package = package.describe()
    if key is None:
        report.signature = "not-required"
        if package is not None:
            report.notes.append(
                "signed package, but this laptop trusts no key yet: signature not checked"
            )
        return
    if package is not None and package.signed_by(key):
        report.signature = "verified"
        return
    why = "unsigned" if package is None else "signed by another key"
    _refuse_or_override(session, report, why, allow_unsigned)


def _check_members(
    session: Session, source: Source, report: ImportReport, allow_unsigned: bool
) -> None:
    """After reading: do the files match the signed list exactly?"""
    package = source.package
    if package is None or report.signature != "verified":
        return
    source.hash_unread()
    problems = package.mismatches(source.digests, source.present)
    if problems:
        _refuse_or_override(session, report, problems[0], allow_unsigned)


def _refuse_or_override(
    session: Session, report: ImportReport, why: str, allow_unsigned: bool
) -> None:
    if not allow_unsigned:
        raise SignatureRefused(
            _(
                "Snapshot refused: it is not signed by the key this laptop trusts ({why}). An IT "
                "user may override this explicitly (--allow-unsigned)."
            ).format(why=why)
        )
    report.signature = "unsigned-override"
    session.audit("snapshot_signature_overridden", {"source": report.source, "why": why})


def _audit_detail(report: ImportReport, absent: dict[str, int]) -> dict[str, object]:
    totals = report.totals()
    return {
        "source": report.source,
        "as_of": to_utc_iso(report.as_of) if report.as_of else None,
        "as_of_origin": report.as_of_origin,
        "signature": report.signature,
        "package": report.package["digest"] if report.package else None,
        "read": totals.read,
        "imported": totals.imported,
        "rejected": totals.rejected,
        "skipped": totals.skipped,
        "partial": report.partial,
        "kept_absent": absent,
    }


def _audit_failure(session: Session, report: ImportReport, exc: UserError) -> None:
    action = "snapshot_refused" if isinstance(exc, SignatureRefused) else "snapshot_import_failed"
    # The refusal itself must reach the user even if logging it fails.
    with contextlib.suppress(Exception):
        session.audit(
            action,
            {
                "source": report.source,
                "error": type(exc).__name__,
                "reason": str(exc)[:300],
                "rejected": len(report.rejections),
            },
        )
