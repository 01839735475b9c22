"""Reconciliation commands (IT): export a laptop's entries, merge packages, paper worklist.

continuity export --db DB --user LOGIN --out FILE [--since SEQ | --all] [--password-stdin]
    (with --password-stdin: line 1 the user's password, line 2 the export passphrase; on a
    terminal the passphrase is typed twice)
continuity reconcile merge FILE.ccx ... --out DIR [--mapping CSV] [--central SNAPSHOT]
    [--accept ID ...] [--passphrase-stdin] [--json]
    (one passphrase per file, or one for all: on standard input, one line per file or a single
    line; on a terminal, Enter reuses the previous one)
continuity reconcile sheets --db DB --user LOGIN [--mark-returned ID] [--mark-transcribed ID]
    [--since ISO] [--json]
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from continuity.cli.common import add_db_arguments, open_session, secrets_for
from continuity.core.clock import format_local, from_iso
from continuity.core.errors import BadInput
from continuity.core.i18n import _
from continuity.reconcile.merge_files import counted

if TYPE_CHECKING:
    from continuity.reconcile.paper import SheetStatus, WorkItem


def register(sub: argparse._SubParsersAction) -> None:
    exp = sub.add_parser(
        "export", help=_("export this laptop's entries as an encrypted package (IT)")
    )
    add_db_arguments(exp)
    exp.add_argument("--out", type=Path, required=True, help=_("the package file to write (.ccx)"))
    which = exp.add_mutually_exclusive_group()
    which.add_argument(
        "--since", type=int, metavar="SEQ", help=_("entries after this sequence number")
    )
    which.add_argument(
        "--all", action="store_true", help=_("every entry again, even those already exported")
    )
    exp.set_defaults(handler=run_export)

    rec = sub.add_parser("reconcile", help=_("merge exported packages; paper still to enter (IT)"))
    verbs = rec.add_subparsers(dest="verb", metavar="VERB", required=True)

    merge = verbs.add_parser("merge", help=_("merge packages into a FHIR bundle and a review"))
    merge.add_argument("packages", nargs="+", type=Path, metavar="FILE.ccx")
    merge.add_argument("--out", type=Path, required=True, help=_("the folder for the results"))
    merge.add_argument(
        "--mapping", type=Path, help=_("CSV temporary_id,real_ipp for downtime admissions")
    )
    merge.add_argument(
        "--central", type=Path, help=_("the central system's fresh snapshot, to skip what it has")
    )
    merge.add_argument(
        "--accept",
        action="append",
        default=[],
        metavar="ID",
        help=_("a conflict id or entry id reviewed and accepted (repeat as needed)"),
    )
    merge.add_argument(
        "--passphrase-stdin",
        action="store_true",
        help=_("read the passphrases from standard input: one per file, or one for all"),
    )
    merge.add_argument("--json", action="store_true", help=_("print the result as JSON"))
    merge.set_defaults(handler=run_merge)

    sheets = verbs.add_parser("sheets", help=_("sheets printed during the outage; worklist"))
    add_db_arguments(sheets)
    sheets.add_argument("--mark-returned", metavar="ID", help=_("mark a sheet as returned"))
    sheets.add_argument("--mark-transcribed", metavar="ID", help=_("mark a sheet as transcribed"))
    sheets.add_argument("--since", help=_("printed since (ISO 8601; default: data as of)"))
    sheets.add_argument("--json", action="store_true", help=_("print the result as JSON"))
    sheets.set_defaults(handler=run_sheets)


# -- export ----------------------------------------------------------------------------------
def run_export(args: argparse.Namespace) -> int:
    from continuity.reconcile.export import export_entries

    secrets = secrets_for(args)
    with open_session(args, secrets) as session:
        from continuity.core.roles import Permission

        session.require(Permission.EXPORT_ENTRIES)
        passphrase = secrets.new_secret(_("Export passphrase: "), _("Again: "))
        result = export_entries(
            session, args.out, passphrase, since_seq=args.since, all_entries=args.all
        )
    from continuity.core.entries import KIND_LABELS

    counts = ", ".join(f"{_(KIND_LABELS.get(k, k))} {n}" for k, n in result.counts.items())
    print(
        counted(
            result.entry_count,
            _("{n} entry exported to {file} (sequence {first} to {last}): {counts}."),
            _("{n} entries exported to {file} (sequence {first} to {last}): {counts}."),
            file=result.path,
            first=result.seq_first,
            last=result.seq_last,
            counts=counts,
        )
    )
    if result.drill:
        print(_("This is a drill package: it will not be merged."))
    if result.drill_left_out:
        print(
            counted(
                result.drill_left_out,
                _("{n} drill entry was left out (export it separately)."),
                _("{n} drill entries were left out (export them separately)."),
            )
        )
    return 0


# -- merge -----------------------------------------------------------------------------------
def _merge_passphrases(args: argparse.Namespace) -> list[str]:
    files = args.packages
    if args.passphrase_stdin:
        lines = [line.rstrip("\r\n") for line in sys.stdin.read().splitlines()]
        lines = [line for line in lines if line]
        if len(lines) not in (1, len(files)):
            raise BadInput(
                _(
                    "Give one passphrase per package ({n}), or one for all, on standard input."
                ).format(n=len(files))
            )
        return lines
    phrases: list[str] = []
    for path in files:
        if phrases:
            typed = getpass.getpass(
                _("Passphrase for {file} (Enter: the same as the previous one): ").format(
                    file=path.name
                )
            )
            phrases.append(typed or phrases[-1])
        else:
            phrases.append(getpass.getpass(_("Passphrase for {file}: ").format(file=path.name)))
    return phrases


def run_merge(args: argparse.Namespace) -> int:
    from continuity.reconcile.merge import merge_packages

    phrases = _merge_passphrases(args)
    result = merge_packages(
        args.packages,
        phrases,
        args.out,
        mapping_csv=args.mapping,
        central_snapshot=args.central,
        accept=args.accept,
    )
    if args.json:
        print(
            json.dumps(
                {
                    "output_dir": str(result.output_dir),
                    "files": {k: str(v) for k, v in result.files.items()},
                    "totals": result.totals,
                    "conflicts": [c.__dict__ for c in result.conflicts],
                    "gaps": [g.__dict__ for g in result.gaps],
                    "unmapped": result.unmapped,
                    "bundle_entries": result.bundle_entries,
                },
                ensure_ascii=False,
                indent=1,
            )
        )
        return 0
    print(_("Merged into {folder}").format(folder=result.output_dir))
    print(totals_line(result.totals))
    from continuity.reconcile.review_report import conflict_label, gap_text

    for gap in result.gaps:
        print(_("Gap: {text}").format(text=gap_text(gap)))
    for conflict in result.conflicts:
        print(f"{conflict.id} [{conflict_label(conflict.kind)}] {conflict.detail}")
    if result.unmapped:
        print(
            _("Temporary ids without a real IPP (entries held back): {ids}").format(
                ids=", ".join(sorted(result.unmapped))
            )
        )
    print(_("Review report for the clinical lead: {file}").format(file=result.files["review_pdf"]))
    return 0


def totals_line(t: dict[str, int]) -> str:
    """The merge's counts in one sentence, each noun and adjective agreeing with its number
    ("1 entry read", "1 saisie retenue")."""
    from continuity.reconcile.review_report import held_back_text

    return _("{read}, {unique} ({dup}); {bundle}, {held}, {present}.").format(
        read=counted(t["read"], _("{n} entry read"), _("{n} entries read")),
        unique=counted(t["unique"], _("{n} distinct entry"), _("{n} distinct entries")),
        dup=counted(t["duplicates"], _("{n} duplicate dropped"), _("{n} duplicates dropped")),
        bundle=_("{n} in the FHIR bundle").format(n=t["in_bundle"]),
        held=held_back_text(t["held_back"]),
        present=_("{n} already in the central record").format(n=t["already_present"]),
    )


# -- sheets ----------------------------------------------------------------------------------
def run_sheets(args: argparse.Namespace) -> int:
    from continuity.reconcile import paper

    since = _since(args.since)
    with open_session(args, secrets_for(args)) as session:
        if args.mark_returned:
            sheet = paper.mark_returned(session, args.mark_returned)
            if not args.json:
                print(_("Sheet {id} marked as returned.").format(id=sheet.sheet_id))
        if args.mark_transcribed:
            sheet = paper.mark_transcribed(session, args.mark_transcribed)
            if not args.json:
                print(_("Sheet {id} marked as transcribed.").format(id=sheet.sheet_id))
        sheets = paper.outage_sheets(session, since=since)
        work = paper.back_entry_worklist(session, since=since)
    if args.json:
        print(
            json.dumps(
                {
                    "sheets": [
                        {
                            "sheet_id": s.sheet_id,
                            "kind": s.kind,
                            "ward": s.ward,
                            "patients": s.patients,
                            "printed_at": s.printed_at.isoformat(),
                            "returned": s.returned,
                            "transcribed": s.transcribed,
                        }
                        for s in sheets
                    ],
                    "worklist": [
                        {
                            "priority": w.priority,
                            "what": w.what,
                            "sheet_id": w.sheet_id,
                            "ward": w.ward,
                            "patient_id": w.patient_id,
                            "patient": w.patient,
                            "returned": w.returned,
                            "already_entered": w.already_entered,
                        }
                        for w in work
                    ],
                },
                ensure_ascii=False,
                indent=1,
            )
        )
        return 0
    if args.mark_returned or args.mark_transcribed:
        return 0
    _print_sheets(sheets)
    _print_worklist(work)
    return 0


def _since(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return from_iso(text.strip())
    except ValueError:
        raise BadInput(
            _("'{value}' is not a date and time (ISO 8601, e.g. 2026-11-28T14:30).").format(
                value=text
            )
        ) from None


def _state(sheet: SheetStatus) -> str:
    if sheet.transcribed:
        return _("transcribed")
    if sheet.returned:
        return _("returned")
    return _("on the ward")


def _print_sheets(sheets: list[SheetStatus]) -> None:
    print(_("Sheets printed during the outage: {n}").format(n=len(sheets)))
    ward = None
    for s in sheets:
        if s.ward != ward:
            ward = s.ward
            print(f"== {ward or _('no ward')}")
        who = ", ".join(s.who) if s.who else "—"
        print(f"  {s.sheet_id}\t{s.kind}\t{format_local(s.printed_at)}\t{who}\t{_state(s)}")


def _print_worklist(items: list[WorkItem]) -> None:
    from continuity.reconcile.paper import worklist_lines

    work = [w for w in items if not w.already_entered]  # what remains to type in
    print(
        counted(
            len(work),
            _("Back-entry worklist: {n} item"),
            _("Back-entry worklist: {n} items, most important first"),
        )
    )
    for line in worklist_lines(items):
        print(line)
