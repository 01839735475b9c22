"""`continuity print KIND ... --out FILE.pdf`: the paper fallbacks from the command line.

The PDF is built in memory and written only to the file the user names (never a temporary
folder: a patient's sheet left in /tmp outlives the outage). Permissions, the printed-sheet
register and the audit row are the core's, exactly as for the app's print menu.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import replace
from datetime import date
from pathlib import Path

from continuity.cli.common import add_db_arguments, open_session, secrets_for
from continuity.core.errors import BadInput
from continuity.core.i18n import _, language
from continuity.printing.render import render_sheet
from continuity.printing.request import LabelGrid, SheetKind, SheetRequest, canonical_ward


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("print", help=_("print a paper fallback sheet to a PDF file"))
    add_db_arguments(p)
    p.add_argument("kind", choices=[k.value for k in SheetKind], help=_("which sheet to print"))
    scope = p.add_mutually_exclusive_group()
    scope.add_argument("--ward", help=_("the ward to print for (default: the whole site)"))
    scope.add_argument(
        "--patient",
        action="append",
        default=[],
        metavar="ID",
        help=_("a patient's IPP or temporary id (repeat for several)"),
    )
    p.add_argument("--date", type=_day, help=_("the day, YYYY-MM-DD (default: today)"))
    p.add_argument(
        "--hours", type=int, default=24, help=_("MAR: 24 or 72 hours; pick list: the window length")
    )
    p.add_argument("--labels", default="3x8", help=_("label grid, COLUMNSxROWS (default 3x8)"))
    p.add_argument(
        "--count", type=int, default=None, help=_("labels per patient, or number of blank forms")
    )
    p.add_argument(
        "--drill", action="store_true", help=_("print the TRAINING band (exercises, not for care)")
    )
    p.add_argument(
        "--lang",
        choices=("fr", "en"),
        default=argparse.SUPPRESS,
        help=_("language of the sheet (default: the app's)"),
    )
    p.add_argument("--out", type=Path, required=True, help=_("the PDF file to write"))
    p.set_defaults(handler=run_print)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("Write the date as YYYY-MM-DD.")) from None


def _grid(text: str) -> LabelGrid:
    try:
        columns, rows = (int(x) for x in text.lower().split("x"))
    except ValueError:
        raise BadInput(_("Write the label grid as COLUMNSxROWS, e.g. 3x8.")) from None
    return LabelGrid(columns=columns, rows=rows)


def run_print(args: argparse.Namespace) -> int:
    out: Path = args.out
    if out.exists() and out.is_dir():
        raise BadInput(_("--out names a folder; give a file name ending in .pdf."))
    if not out.parent.is_dir():
        raise BadInput(_("The folder for the PDF does not exist."))
    kind = SheetKind(args.kind)
    request = SheetRequest(
        kind,
        ward=args.ward,
        patient_ids=tuple(args.patient),
        day=args.date,
        hours=args.hours,
        labels=_grid(args.labels),
        labels_per_patient=args.count if kind is SheetKind.LABELS else None,
        copies=args.count if args.count and kind is not SheetKind.LABELS else 1,
        drill=args.drill,
    )
    with open_session(args, secrets_for(args)) as session:
        if request.ward is not None:
            # Typed without accents or capitals; the sheet and the register name it as the
            # snapshot does.
            request = replace(request, ward=canonical_ward(session, request.ward))
        sheet = render_sheet(session, request, lang=getattr(args, "lang", None) or language())
    # Written with owner-only permissions: the file holds patients' data.
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(sheet.pdf)
    pages = _("1 page") if sheet.pages == 1 else _("{n} pages").format(n=sheet.pages)
    count = len(sheet.patients)
    patients = _("1 patient") if count == 1 else _("{n} patients").format(n=count)
    print(
        _("Sheet {sheet}: {pages}, {patients}, written to {path}.").format(
            sheet=sheet.sheet_id, pages=pages, patients=patients, path=out
        )
    )
    return 0
