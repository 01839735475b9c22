"""The files a merge writes: owner-only, fsynced, in a folder that appears whole at the end.

They name patients, so each is created readable by its owner only (the IT user chose where
they go). The helpers that turn an entry into a line of the held-back list live here too, with
`counted()`, which picks the singular or plural wording of a count for the reports and the CLI.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any, BinaryIO

from continuity.core.clock import Clock, local
from continuity.core.i18n import _, language

BUNDLE_FILE = "bundle.json"
HELD_FILE = "held-back.csv"
REVIEW_PDF = "review.pdf"
REVIEW_CSV = "review.csv"
SUMMARY_FILE = "merge-summary.json"


def final_folder(out_dir: Path, clock: Clock) -> Path:
    stamp = local(clock.now()).strftime("%Y%m%d-%H%M%S")
    candidate = out_dir / f"reconciliation-{stamp}"
    n = 2
    while candidate.exists():
        candidate = out_dir / f"reconciliation-{stamp}-{n}"
        n += 1
    return candidate


def create_private(path: Path) -> BinaryIO:
    """A new output file readable by its owner only: it names patients."""
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")


def write_private(path: Path, data: bytes) -> None:
    with create_private(path) as stream:
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())


def file_sha256(path: Path) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(1 << 20):
            sha.update(chunk)
    return sha.hexdigest()


def held_headers() -> list[str]:
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


def kind_label(kind: str) -> str:
    try:
        from continuity.core.entries import KIND_LABELS

        return _(KIND_LABELS.get(kind, kind))
    except ImportError:  # pragma: no cover - entries module absent
        return kind


def entry_summary(row: dict[str, Any]) -> str:
    try:
        from continuity.core.entries import summary

        return summary(row["kind"], row.get("payload") or {})
    except Exception:  # an unexpected payload must not stop the merge: show the raw fields
        payload = row.get("payload") or {}
        return ", ".join(f"{k}={v}" for k, v in sorted(payload.items()) if v not in (None, ""))


def counted(n: int, one: str, other: str, **fields: object) -> str:
    """`one` or `other` (translated templates with an {n} field, and any other `fields`) for
    the count `n`: "1 entry held back", never "1 entries". The catalogues have no plural
    forms, so the rule lives here: French takes the singular for 0 and 1 ("0 saisie
    retenue"), English for 1 only."""
    singular = n in (0, 1) if language() == "fr" else n == 1
    return (one if singular else other).format(n=n, **fields)
