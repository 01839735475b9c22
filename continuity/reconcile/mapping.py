"""The temporary-id mapping: `temporary_id,real_ipp`, one downtime admission per line.

Written by the admissions office once the central system is back and each downtime patient
has their real patient number (IPP). The file is often saved by a French spreadsheet, so `;`
and tab work as well as `,`, and Windows-1252 as well as UTF-8. Two temporary ids may map to
the same IPP (the same person registered on two laptops); one temporary id mapped to two IPPs
is refused, naming the line.

Every IPP is written as is into the Bundle's `ifNoneExist`, so what a spreadsheet does to a
number is refused rather than loaded: scientific notation (`8.099001E+06`), spaces
(`80 99 001`), other characters; and so is a line without an IPP (a patient not yet
identified is left out of the file, not written with an empty IPP: an empty IPP is also what
a line written with another separator than the header's reads as). Whether an IPP has the
shape of the hospital's IPPs (all digits) needs the packages: `merge` checks that.

Temporary ids are matched whatever their case: they are `DT-<device name>-NNNN` and device
names are stored in capitals (`store.cache.create_cache`), so two ids differing only by case
cannot be two patients, while a spreadsheet's autocorrect or a typist easily lowers them.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from continuity.core.errors import BadInput
from continuity.core.i18n import _

HEADER = ("temporary_id", "real_ipp")
_IPP = re.compile(r"[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*")
_SCIENTIFIC = re.compile(r"[0-9]+(?:[.,][0-9]+)?[eE][+-]?[0-9]+")


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def check_ipp(ipp: str, lineno: int) -> None:
    """BadInput naming the line unless `ipp` can be an IPP as written (see the module)."""
    if _SCIENTIFIC.fullmatch(ipp):
        raise BadInput(
            _(
                "Mapping file, line {line}: the IPP {ipp} was turned into scientific notation "
                "by a spreadsheet; write the IPP as text."
            ).format(line=lineno, ipp=ipp)
        )
    if any(c.isspace() for c in ipp):
        raise BadInput(
            _("Mapping file, line {line}: the IPP {ipp} contains spaces.").format(
                line=lineno, ipp=ipp
            )
        )
    if not _IPP.fullmatch(ipp):
        raise BadInput(
            _(
                "Mapping file, line {line}: the IPP {ipp} may hold only letters, digits, '-', "
                "'_' and '.' (not first or last)."
            ).format(line=lineno, ipp=ipp)
        )


def read_mapping(path: Path) -> dict[str, str]:
    """temporary id (in capitals) -> real IPP; see the module for what is refused."""
    return {temp: ipp for temp, (ipp, _line) in read_mapping_lines(path).items()}


def read_mapping_lines(path: Path) -> dict[str, tuple[str, int]]:
    """temporary id (in capitals) -> (real IPP, line number), for checks that need the
    packages (`merge`) to name the line they refuse."""
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
    mapping: dict[str, tuple[str, int]] = {}
    for row in reader:
        lineno = reader.line_num
        if not row or not any(c.strip() for c in row):
            continue
        temp = row[0].strip().upper()
        ipp = row[1].strip() if len(row) > 1 else ""
        if not temp:
            raise BadInput(
                _("Mapping file, line {line}: the temporary id is missing.").format(line=lineno)
            )
        if not ipp:
            if any(sep in temp for sep in ",;\t" if sep != delimiter):
                raise BadInput(
                    _(
                        "Mapping file, line {line}: its separator is not the header's; use "
                        "the same one on every line."
                    ).format(line=lineno)
                )
            raise BadInput(
                _(
                    "Mapping file, line {line}: the IPP of {temp} is missing (leave out the "
                    "patients not yet identified)."
                ).format(line=lineno, temp=temp)
            )
        check_ipp(ipp, lineno)
        if temp in mapping and mapping[temp][0] != ipp:
            raise BadInput(
                _("Mapping file, line {line}: {temp} is already mapped to {ipp}.").format(
                    line=lineno, temp=temp, ipp=mapping[temp][0]
                )
            )
        mapping.setdefault(temp, (ipp, lineno))
    return mapping
