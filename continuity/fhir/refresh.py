"""One unattended refresh pass: import the newest signed package dropped in a folder.

Central IT drops a signed package on a share every hour or so; a scheduler runs this pass on
each laptop. Only packages signed by the trusted key are considered (unattended means nobody is
there to judge an unsigned one), the newest by its signed creation time wins, and a package
that is not newer than the one already imported is left alone: re-importing the same data
every hour would only churn, and an older package replayed from a share must not roll the
ward back in time.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from continuity.core.errors import BadInput, UserError
from continuity.core.i18n import _
from continuity.core.roles import Permission
from continuity.fhir.importer import OlderSnapshotRefused, import_snapshot
from continuity.fhir.report import ImportReport
from continuity.fhir.signing import PackageInfo, read_package, trusted_key
from continuity.store.session import Session


@dataclass
class RefreshResult:
    outcome: str  # imported | up-to-date | nothing
    package: Path | None = None
    report: ImportReport | None = None
    ignored: list[tuple[str, str]] = field(default_factory=list)  # (file name, why)


def _current_package(session: Session) -> dict[str, str] | None:
    row = session.conn.execute("SELECT report FROM snapshot WHERE singleton = 1").fetchone()
    if row is None:
        return None
    try:
        package = json.loads(row[0]).get("package")
    except (ValueError, AttributeError):
        return None
    return package if isinstance(package, dict) else None


def refresh_from_folder(
    session: Session,
    folder: Path,
    *,
    progress: Callable[[int, int | None], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> RefreshResult:
    """Import the newest package in `folder` signed by the trusted key, if it is new."""
    session.require(Permission.IMPORT_SNAPSHOT)
    key = trusted_key(session)
    if key is None:
        raise BadInput(
            _(
                "No trusted snapshot key is set on this laptop, and an unattended refresh only "
                "imports signed snapshots (IT: continuity trust set-key)."
            )
        )
    if not folder.is_dir():
        raise BadInput(_("The watched folder does not exist: {folder}").format(folder=folder))
    result = RefreshResult("nothing")
    candidates: list[tuple[str, str, Path, PackageInfo]] = []
    for path in sorted(p for p in folder.glob("*.zip") if p.is_file()):
        try:
            with zipfile.ZipFile(path) as zf:
                info = read_package(zf)
        except (zipfile.BadZipFile, OSError, UserError):
            result.ignored.append((path.name, "unreadable (still being copied?)"))
            continue
        if info is None:
            result.ignored.append((path.name, "not a signed package"))
        elif not info.signed_by(key):
            result.ignored.append((path.name, "not signed by the trusted key"))
        else:
            candidates.append((info.created_at, path.name, path, info))
    if not candidates:
        return result
    created_at, _name, path, info = max(candidates)
    result.package = path
    current = _current_package(session)
    if current is not None and (
        current.get("digest") == info.digest or str(current.get("created_at", "")) >= created_at
    ):
        result.outcome = "up-to-date"
        return result
    try:
        result.report = import_snapshot(session, path, progress=progress, cancel=cancel)
    except OlderSnapshotRefused:
        # Signed later but holding older data (or newer data was imported by hand since):
        # the cache already has more recent data; an unattended run must not fail every hour.
        result.outcome = "up-to-date"
        return result
    result.outcome = "imported"
    return result
