"""The temporary-id mapping: `temporary_id,real_ipp`, one downtime admission per line.

Written by the admissions office once the central system is back and each downtime patient
has their real patient number (IPP). The file is often saved by a French spreadsheet, so `;`
and tab work as well as `,`, and Windows-1252 as well as UTF-8. Two temporary ids may map to
the same IPP (the same person registered on two laptops); one temporary id mapped to two IPPs
is refused, naming the line.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from continuity.core.errors import BadInput
from continuity.core.i18n import _

HEADER = ("temporary_id", "real_ipp")


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_mapping(path: Path) -> dict[str, str]:
    """temporary id -> real IPP; lines with an empty IPP are left out (still unmapped)."""
    try:
        text = _text(Path(path).read_bytes())
    except OSError:
        raise BadInput(_("The mapping file cannot be read: {file}").format(file=path)) from None
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = max(",;\t", key=first.count) if first else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader, [])]
    if tuple(header[:2]) != HEADER:
        raise BadInput(_("The mapping file must start with the line temporary_id,real_ipp."))
    mapping: dict[str, str] = {}
    for lineno, row in enumerate(reader, start=2):
        if not row or not any(c.strip() for c in row):
            continue
        temp = row[0].strip()
        ipp = row[1].strip() if len(row) > 1 else ""
        if not temp:
            raise BadInput(
                _("Mapping file, line {line}: the temporary id is missing.").format(line=lineno)
            )
        if not ipp:
            continue
        if temp in mapping and mapping[temp] != ipp:
            raise BadInput(
                _("Mapping file, line {line}: {temp} is already mapped to {ipp}.").format(
                    line=lineno, temp=temp, ipp=mapping[temp]
                )
            )
        mapping[temp] = ipp
    return mapping
