"""What an import did, per resource type, and why anything was left out.

The same object answers the CLI (a table), the UI (a dialog), the audit log (counts only) and
the `snapshot.report` column (counts and the first rejections), so IT staff always see the same
numbers wherever they look.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from continuity.core.clock import to_utc_iso

#: How many rejections the cache keeps in `snapshot.report` (the CLI shows them all).
STORED_REJECTIONS = 200


@dataclass
class TypeCounts:
    """Per resource type: read = imported + rejected + skipped, always."""

    read: int = 0
    imported: int = 0
    rejected: int = 0
    skipped: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "read": self.read,
            "imported": self.imported,
            "rejected": self.rejected,
            "skipped": self.skipped,
        }


@dataclass(frozen=True)
class Rejection:
    """One resource left out: where it is (file:line or Bundle entry), what it is, and why."""

    where: str
    resource_type: str
    resource_id: str | None
    reason: str

    def describe(self) -> str:
        what = (
            f"{self.resource_type}/{self.resource_id}"
            if self.resource_id
            else (self.resource_type or "?")
        )
        return f"{self.where}: {what}: {self.reason}"


@dataclass
class ImportReport:
    source: str
    source_kind: str = ""  # bulk-folder | bulk-zip | bundle | package
    as_of: datetime | None = None
    as_of_origin: str = ""  # manifest | lastUpdated | stated
    signature: str = ""  # verified | unsigned-override | not-required
    package: dict[str, Any] | None = None  # digest, created_at, key of a signed package
    counts: dict[str, TypeCounts] = field(default_factory=dict)
    rejections: list[Rejection] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    imported: bool = False

    # -- filled while reading ------------------------------------------------------------
    def count(self, resource_type: str) -> TypeCounts:
        counts = self.counts.get(resource_type)
        if counts is None:
            counts = self.counts[resource_type] = TypeCounts()
        return counts

    def reject(self, where: str, resource_type: str, resource_id: str | None, reason: str) -> None:
        self.rejections.append(Rejection(where, resource_type, resource_id, reason))
        self.count(resource_type).rejected += 1

    # -- read by callers -----------------------------------------------------------------
    @property
    def partial(self) -> bool:
        return bool(self.rejections)

    def totals(self) -> TypeCounts:
        total = TypeCounts()
        for c in self.counts.values():
            total.read += c.read
            total.imported += c.imported
            total.rejected += c.rejected
            total.skipped += c.skipped
        return total

    def counts_dict(self) -> dict[str, dict[str, int]]:
        return {kind: self.counts[kind].as_dict() for kind in sorted(self.counts)}

    def as_dict(self, *, rejections: int | None = STORED_REJECTIONS) -> dict[str, Any]:
        """JSON-ready; `rejections` caps the list (None: all of them)."""
        listed = self.rejections if rejections is None else self.rejections[:rejections]
        return {
            "source": self.source,
            "source_kind": self.source_kind,
            "as_of": to_utc_iso(self.as_of) if self.as_of else None,
            "as_of_origin": self.as_of_origin,
            "signature": self.signature,
            "package": self.package,
            "counts": self.counts_dict(),
            "rejected": len(self.rejections),
            "rejections": [
                {"where": r.where, "type": r.resource_type, "id": r.resource_id, "reason": r.reason}
                for r in listed
            ],
            "partial": self.partial,
            "notes": list(self.notes),
            "imported": self.imported,
        }
