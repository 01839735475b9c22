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

from continuity.core.clock import format_local, from_iso, to_utc_iso
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
#: A "data as of" further ahead of the laptop's clock than this is refused: one of the clocks
#: (or the stated time) is wrong, and the banner would call the data fresh until that date.
#: Wide enough for a laptop clock a few minutes behind the central system's, so the hourly
#: unattended refresh is not refused for ordinary drift.
_CLOCK_SKEW = timedelta(minutes=15)


class OlderSnapshotRefused(BadInput):
    """The snapshot's data is older than the one in force: importing it would bring back
    prescriptions stopped since, so it needs an explicit, audited override."""


class FutureSnapshotRefused(BadInput):
    """The "data as of" is ahead of this laptop's clock: one of them is wrong."""


def import_snapshot(
    session: Session,
    path: Path,
    *,
    as_of: datetime | str | None = None,
    accept_partial: bool = False,
    allow_unsigned: bool = False,
    allow_older: bool = False,
    progress: Callable[[int, int | None], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> ImportReport:
    """Replace the cache's snapshot with the one at `path`; returns what was done.

    `as_of` is the "data as of" time the user states, used only when the snapshot does not
    say it (no manifest, no meta.lastUpdated): never silently "now". `progress(done, total)`
    counts bytes read; `cancel()` is polled while reading. Rejected resources abort the import
    unless `accept_partial`; an unsigned or wrongly signed snapshot (when this laptop trusts a
    key) is refused unless `allow_unsigned`, which needs the override permission and is logged.
    Data older than the snapshot in force is refused unless `allow_older` (logged): it would
    silently bring back orders stopped since. A "data as of" ahead of the clock is refused.
    """
    session.require(Permission.IMPORT_SNAPSHOT)
    if allow_unsigned:
        session.require(Permission.OVERRIDE_SIGNATURE)
    path = Path(path)
    report = ImportReport(source=str(path))
    try:
        stated = _stated_as_of(as_of)
        if stated is not None:
            _check_not_ahead(session, stated)
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
        _check_not_ahead(session, report.as_of)
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
            # Checked inside the transaction: another import cannot slip in between.
            _check_not_older(session, report, allow_older)
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


def _current_as_of(session: Session) -> datetime | None:
    """The "data as of" of the snapshot in force, if any."""
    row = session.conn.execute("SELECT as_of FROM snapshot WHERE singleton = 1").fetchone()
    return from_iso(row[0]) if row is not None and row[0] else None


def _check_not_older(session: Session, report: ImportReport, allow_older: bool) -> None:
    """Refuse going back in time, unless IT says so explicitly (then it is in the audit log).

    An unattended refresh skips older packages itself; this guards the manual import, where
    an old USB stick or the wrong folder would otherwise replace newer data without a word.
    """
    assert report.as_of is not None
    current = _current_as_of(session)
    if current is None or report.as_of >= current:
        return
    if not allow_older:
        raise OlderSnapshotRefused(
            _(
                "Snapshot refused: its data as of {new} is older than the data in force "
                "({current}); to import it anyway, on purpose, choose the option for older "
                "data (--allow-older)."
            ).format(new=_when(report.as_of, current), current=_when(current, report.as_of))
        )
    report.notes.append(
        _("older data imported on purpose: the data in force was as of {current}").format(
            current=format_local(current)
        )
    )
    session.audit(
        "snapshot_older_override",
        {
            "source": report.source,
            "as_of": to_utc_iso(report.as_of),
            "replaced_as_of": to_utc_iso(current),
        },
    )


def _when(moment: datetime, other: datetime) -> str:
    """Local time as shown everywhere, with seconds when minutes would not tell them apart."""
    seconds = format_local(moment) == format_local(other) and moment != other
    return format_local(moment, seconds=seconds)


def _check_not_ahead(session: Session, moment: datetime) -> None:
    """A "data as of" in the future would show the data as fresh until that date."""
    now = session.now()
    if moment - now > _CLOCK_SKEW:
        raise FutureSnapshotRefused(
            _(
                "Snapshot refused: its data as of {as_of} is ahead of this laptop's clock "
                "({now}); correct the date given, or this laptop's clock."
            ).format(as_of=_when(moment, now), now=_when(now, moment))
        )


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
    """The snapshot's "data as of": the manifest, else the Bundle's own time, else the newest
    lastUpdated of the resources, else the stated one. The Bundle's timestamp (or its own
    meta.lastUpdated) says when the whole set was taken, which its resources' dates cannot."""
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
    elif source.bundle_time is not None:
        chosen = (source.bundle_time, "bundle")
    elif builder.last_updated is not None:
        chosen = (builder.last_updated, "lastUpdated")
    elif stated is not None:
        chosen = (stated, "stated")
    if chosen is None:
        raise BadInput(
            _(
                "This snapshot does not say when its data was taken (no manifest.json, no Bundle "
                "timestamp, no meta.lastUpdated): state it with --as-of, e.g. --as-of "
                "2024-08-06T18:12:57Z."
            )
        )
    if stated is not None and chosen[1] != "stated" and stated != chosen[0]:
        report.notes.append(
            _("--as-of {stated} not used: the snapshot itself says {as_of}").format(
                stated=_when(stated, chosen[0]), as_of=_when(chosen[0], stated)
            )
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
