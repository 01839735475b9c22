"""`continuity orders | record ... | entries list | mar`: recording care from the command line.

The same core functions as the app (`continuity.store.entries`, `continuity.store.emar`), for
scripts, tests and IT staff back-entering a pile of paper sheets. Patients are named by IPP,
snapshot id or temporary id, orders by their source id, times in ISO 8601 (Paris time when
no offset is given). A witness's password is the next line of standard input after the
user's. A safety check that needs confirmation exits 4 with its reason unless `--confirm`.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from continuity.cli.common import add_db_arguments, open_session, secrets_for
from continuity.core.clock import format_local, local
from continuity.core.entries import (
    INFUSION_ACTIONS,
    KIND_LABELS,
    LINE_ACTIONS,
    LINE_KINDS,
    NOT_GIVEN_REASONS,
    NOTE_CATEGORIES,
    summary,
    timing_at_times,
    timing_every_hours,
)
from continuity.core.errors import BadInput, NeedsConfirmation
from continuity.core.i18n import _
from continuity.core.mar import state_label
from continuity.store import entries
from continuity.store.emar import MarDay, mar_for_patient, upcoming_doses
from continuity.store.entry_log import StoredEntry
from continuity.store.session import Session

Handler = Callable[[Session, argparse.Namespace, Any], StoredEntry]


# -- parsers --------------------------------------------------------------------------------
def register(sub: argparse._SubParsersAction) -> None:
    orders = sub.add_parser("orders", help=_("a patient's active orders and their next doses"))
    add_db_arguments(orders)
    orders.add_argument("--patient", required=True, help=_("IPP, patient id or temporary id"))
    orders.add_argument("--hours", type=int, default=72, help=_("how far ahead (default 72 h)"))
    orders.add_argument("--json", action="store_true", help=_("print JSON"))
    orders.set_defaults(handler=run_orders)

    record = sub.add_parser("record", help=_("record care given during the outage"))
    kinds = record.add_subparsers(dest="kind", metavar="KIND", required=True)
    for name, help_text, add, handler in _KINDS:
        p = kinds.add_parser(name, help=help_text())
        add_db_arguments(p)
        add(p)
        p.add_argument("--json", action="store_true", help=_("print the stored entry as JSON"))
        p.set_defaults(handler=lambda args, h=handler: run_record(args, h))

    listing = sub.add_parser("entries", help=_("the entries recorded on this laptop"))
    verbs = listing.add_subparsers(dest="verb", metavar="VERB", required=True)
    ls = verbs.add_parser("list", help=_("list entries in sequence order"))
    add_db_arguments(ls)
    ls.add_argument("--patient", help=_("IPP, patient id or temporary id"))
    ls.add_argument("--since", type=int, help=_("only entries after this sequence number"))
    ls.add_argument("--json", action="store_true", help=_("print JSON"))
    ls.set_defaults(handler=run_list)

    mar = sub.add_parser("mar", help=_("a patient's medication administration record for a day"))
    add_db_arguments(mar)
    mar.add_argument("--patient", required=True, help=_("IPP, patient id or temporary id"))
    mar.add_argument("--date", help=_("the day, YYYY-MM-DD (default: today)"))
    mar.add_argument("--json", action="store_true", help=_("print JSON"))
    mar.set_defaults(handler=run_mar)


def _common(p: argparse.ArgumentParser, *, patient: bool = True) -> None:
    if patient:
        p.add_argument("--patient", required=True, help=_("IPP, patient id or temporary id"))
    p.add_argument("--at", help=_("when it happened, ISO 8601 (default: now)"))
    _confirm_arg(p)


def _confirm_arg(p: argparse.ArgumentParser) -> None:
    """--confirm, the same for every kind and for corrections: the exit-4 message names it."""
    p.add_argument(
        "--confirm",
        action="store_true",
        help=_("record even if a safety check asks for confirmation"),
    )


def _witness_arg(p: argparse.ArgumentParser) -> None:
    """--witness, for a dose and for its correction (a high-alert dose needs one again)."""
    p.add_argument("--witness", help=_("a second user's login (password: next stdin line)"))


def _dose_args(p: argparse.ArgumentParser) -> None:
    _common(p)
    p.add_argument("--order", required=True, help=_("the order's source id"))
    p.add_argument("--scheduled", help=_("the scheduled time of the dose (none for as-needed)"))
    p.add_argument("--status", required=True, choices=("given", "not-given"))
    p.add_argument(
        "--reason",
        choices=[c.replace("_", "-") for c in NOT_GIVEN_REASONS],
        help=_("why the dose was not given"),
    )
    p.add_argument("--reason-text", help=_("the other reason, in words"))
    p.add_argument("--dose", help=_("the dose given, if not the ordered one"))
    p.add_argument("--unit", help=_("the unit of --dose"))
    p.add_argument("--dose-reason", help=_("why the dose differs from the order"))
    p.add_argument("--route", help=_("route, if not the ordered one"))
    p.add_argument("--site", help=_("injection site"))
    p.add_argument("--prn-reason", help=_("why an as-needed dose was given"))
    p.add_argument("--comment")
    _witness_arg(p)


#: The vital signs typed as plain numbers: option -> keyword of `entries.record_vitals`.
_VITAL_FLAGS = {
    "--hr": "hr",
    "--rr": "rr",
    "--temp": "temp",
    "--spo2": "spo2",
    "--o2": "o2_flow",
    "--pain": "pain",
    "--weight": "weight",
    "--glucose": "glucose",
}


def _vitals_args(p: argparse.ArgumentParser) -> None:
    _common(p)
    p.add_argument("--bp", help=_("blood pressure, systolic/diastolic (120/80)"))
    for flag, key in _VITAL_FLAGS.items():
        p.add_argument(flag, dest=key)
    p.add_argument("--avpu", help=_("consciousness: A, C, V, P or U"))
    p.add_argument("--comment")


def _note_args(p: argparse.ArgumentParser) -> None:
    _common(p)
    p.add_argument("--text", required=True)
    p.add_argument("--category", default="observation", choices=tuple(NOTE_CATEGORIES))


def _admit_args(p: argparse.ArgumentParser) -> None:
    _common(p, patient=False)
    p.add_argument("--family", required=True, help=_("family name"))
    p.add_argument("--given", help=_("given name"))
    p.add_argument("--birth-date", help=_("dd/mm/yyyy or YYYY-MM-DD"))
    p.add_argument("--sex", help=_("male, female, other or unknown"))
    p.add_argument("--ward", required=True)
    p.add_argument("--room")
    p.add_argument("--bed")
    p.add_argument("--temp-id", help=_("the temporary id printed on a blank admission form"))


def _transfer_args(p: argparse.ArgumentParser) -> None:
    _common(p)
    p.add_argument("--ward", required=True)
    p.add_argument("--room")
    p.add_argument("--bed")


def _discharge_args(p: argparse.ArgumentParser) -> None:
    _common(p)
    p.add_argument("--destination", help=_("home, another facility..."))
    p.add_argument("--comment")


def _order_args(p: argparse.ArgumentParser) -> None:
    _common(p)
    p.add_argument("--drug", required=True)
    p.add_argument("--dose", required=True)
    p.add_argument("--unit", required=True)
    p.add_argument("--route")
    p.add_argument("--form")
    p.add_argument("--instructions")
    when = p.add_mutually_exclusive_group(required=True)
    when.add_argument("--times", help=_("dose times each day, e.g. 08:00,20:00"))
    when.add_argument("--every", help=_("a dose every N hours"))
    when.add_argument("--prn", action="store_true", help=_("as needed"))
    p.add_argument("--prn-reason", help=_("when an as-needed dose may be given"))
    p.add_argument("--start", help=_("ISO 8601 (default: --at)"))
    p.add_argument("--end", help=_("ISO 8601"))
    p.add_argument("--prescriber", required=True, help=_("the prescriber's name"))
    p.add_argument("--rpps", help=_("the prescriber's RPPS number"))
    p.add_argument("--paper-ref", required=True, help=_("the reference of the paper sheet"))
    p.add_argument("--high-alert", action="store_true", help=_("needs a witness for each dose"))


def _infusion_args(p: argparse.ArgumentParser) -> None:
    _common(p)
    p.add_argument(
        "--action", required=True, choices=[a.replace("_", "-") for a in INFUSION_ACTIONS]
    )
    p.add_argument("--solution")
    p.add_argument("--additive")
    p.add_argument("--rate", help=_("mL/h"))
    p.add_argument("--volume", help=_("mL"))
    p.add_argument("--infusion", help=_("the uuid of the infusion's start entry"))
    p.add_argument("--volume-infused", help=_("mL"))
    p.add_argument("--comment")


def _line_args(p: argparse.ArgumentParser) -> None:
    _common(p)
    p.add_argument("--action", required=True, choices=LINE_ACTIONS)
    p.add_argument("--kind", required=True, choices=[k.replace("_", "-") for k in LINE_KINDS])
    p.add_argument("--site")
    p.add_argument("--line", help=_("the uuid of the insertion entry, for a removal"))
    p.add_argument("--comment")


def _allergy_args(p: argparse.ArgumentParser) -> None:
    _common(p)
    p.add_argument("--substance", required=True)
    p.add_argument("--reaction")
    p.add_argument("--criticality", choices=("low", "high", "unable-to-assess"))
    p.add_argument("--code")


def _correct_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--entry", required=True, help=_("the uuid of the entry to correct"))
    p.add_argument("--reason", required=True, help=_("why it is corrected"))
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help=_("a corrected field, e.g. dose_value=500 (repeatable)"),
    )
    p.add_argument("--patient", help=_("the right patient"))
    p.add_argument("--order", help=_("the right order"))
    p.add_argument("--at", help=_("the right time, ISO 8601"))
    _witness_arg(p)
    _confirm_arg(p)


def _retract_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--entry", required=True, help=_("the uuid of the entry made in error"))
    p.add_argument("--reason", required=True, help=_("why it is withdrawn"))


# -- recording ------------------------------------------------------------------------------
def run_record(args: argparse.Namespace, handler: Handler) -> int:
    secrets = secrets_for(args)
    with open_session(args, secrets) as session:
        try:
            entry = handler(session, args, secrets)
        except NeedsConfirmation as exc:
            print(
                _("{reason} Add --confirm to record it anyway.").format(reason=exc.message),
                file=sys.stderr,
            )
            return exc.exit_code
    if args.json:
        print(json.dumps(entry.as_dict(), ensure_ascii=False, indent=2))
    else:
        print(
            _("Recorded: {kind} no. {seq} for {patient} ({uuid}).").format(
                kind=_(KIND_LABELS.get(entry.kind, entry.kind)),
                seq=entry.seq,
                patient=entry.patient_id or "-",
                uuid=entry.uuid,
            )
        )
        if entry.kind == "manual_order":
            print(_("Order id, for recording its doses: {id}").format(id=entry.order_id))
    return 0


def _witness(session: Session, args: argparse.Namespace, secrets: Any) -> dict[str, Any]:
    if not getattr(args, "witness", None):
        return {}
    password = secrets.next(_("Password of the witness {login}: ").format(login=args.witness))
    return {"witness": args.witness, "witness_password": password}


def _forwarding(
    record: Callable[..., StoredEntry], *options: str, witness: bool = False
) -> Handler:
    """The handler of a kind whose options go to its core function as typed, only renamed.

    Each option is `keyword=dest` (`--dose` goes in as `dose_value`) or `keyword` when the
    option has the keyword's name; `witness` adds the second user's login and password. One
    line per kind in a table, instead of a function per kind spelling every keyword again.
    """
    dests: dict[str, str] = {}
    for option in options:
        keyword, _eq, dest = option.partition("=")
        dests[keyword] = dest or keyword

    def handler(session: Session, args: argparse.Namespace, secrets: Any) -> StoredEntry:
        given = {keyword: getattr(args, dest) for keyword, dest in dests.items()}
        if witness:
            given.update(_witness(session, args, secrets))
        return record(session, **given)

    return handler


#: What `_common` adds to a kind's options, as `_forwarding` hands them over.
_COMMON_OPTIONS = ("patient_id=patient", "at", "confirm")

_dose = _forwarding(
    entries.record_dose, *_COMMON_OPTIONS, "order_id=order", "scheduled", "status", "reason",
    "reason_text", "dose_value=dose", "dose_unit=unit", "dose_change_reason=dose_reason",
    "route", "site", "prn_reason", "comment", witness=True,
)  # fmt: skip
_note = _forwarding(entries.record_note, *_COMMON_OPTIONS, "text", "category")
_admit = _forwarding(
    entries.admit_patient, "at", "confirm", "family", "given", "birth_date", "sex", "ward",
    "room", "bed", "temp_id",
)  # fmt: skip
_transfer = _forwarding(entries.transfer_patient, *_COMMON_OPTIONS, "ward", "room", "bed")
_discharge = _forwarding(entries.discharge_patient, *_COMMON_OPTIONS, "destination", "comment")
_infusion = _forwarding(
    entries.record_infusion, *_COMMON_OPTIONS, "action", "solution", "additive", "rate", "volume",
    "infusion", "volume_infused", "comment",
)  # fmt: skip
_line = _forwarding(
    entries.record_line, *_COMMON_OPTIONS, "action", "line_kind=kind", "site", "line", "comment"
)
_allergy = _forwarding(
    entries.record_allergy, *_COMMON_OPTIONS, "substance", "reaction", "criticality", "code"
)


def _vitals(session: Session, args: argparse.Namespace, secrets: Any) -> StoredEntry:
    values = {k: getattr(args, k) for k in (*_VITAL_FLAGS.values(), "avpu", "comment")}
    if args.bp:
        parts = args.bp.split("/")
        if len(parts) != 2:
            raise BadInput(_("Write the blood pressure as systolic/diastolic, e.g. 120/80."))
        values["bp_sys"], values["bp_dia"] = parts
    return entries.record_vitals(
        session, patient_id=args.patient, at=args.at, confirm=args.confirm, **values
    )


def _order(session: Session, args: argparse.Namespace, secrets: Any) -> StoredEntry:
    timing = None
    if args.times:
        timing = timing_at_times(args.times.split(","))
    elif args.every:
        timing = timing_every_hours(args.every)
    return entries.record_manual_order(
        session, patient_id=args.patient, at=args.at, confirm=args.confirm, drug=args.drug,
        dose_value=args.dose, dose_unit=args.unit, route=args.route, form=args.form,
        instructions=args.instructions, timing=timing, as_needed=args.prn,
        prn_reason=args.prn_reason, start=args.start or args.at, end=args.end,
        prescriber_name=args.prescriber, prescriber_rpps=args.rpps, paper_ref=args.paper_ref,
        high_alert=args.high_alert,
    )  # fmt: skip


def parse_assignment(text: str) -> tuple[str, Any]:
    """FIELD=VALUE from --set: null, true/false and JSON objects are read as such."""
    field, sep, value = text.partition("=")
    if not sep or not field.strip():
        raise BadInput(_("Write a corrected field as FIELD=VALUE."))
    lowered = value.strip().lower()
    if lowered in ("null", "true", "false") or value.strip()[:1] in ("{", "["):
        try:
            return field.strip(), json.loads(
                lowered if lowered in ("null", "true", "false") else value
            )
        except ValueError:
            raise BadInput(
                _("The value of {field} is not valid JSON.").format(field=field.strip())
            ) from None
    return field.strip(), value


def _correct(session: Session, args: argparse.Namespace, secrets: Any) -> StoredEntry:
    changes = dict(parse_assignment(a) for a in args.set)
    for key, value in (("patient_id", args.patient), ("order_id", args.order), ("at", args.at)):
        if value:
            changes[key] = value
    return entries.correct_entry(
        session,
        args.entry,
        args.reason,
        confirm=args.confirm,
        **_witness(session, args, secrets),
        **changes,
    )


def _retract(session: Session, args: argparse.Namespace, secrets: Any) -> StoredEntry:
    return entries.retract_entry(session, args.entry, args.reason)


_KINDS: list[tuple[str, Callable[[], str], Callable[[argparse.ArgumentParser], None], Handler]] = [
    ("dose", lambda: _("a dose given or not given"), _dose_args, _dose),
    ("vitals", lambda: _("vital signs"), _vitals_args, _vitals),
    ("note", lambda: _("a nursing note"), _note_args, _note),
    ("admit", lambda: _("a downtime admission under a temporary id"), _admit_args, _admit),
    ("transfer", lambda: _("a move to another ward, room or bed"), _transfer_args, _transfer),
    ("discharge", lambda: _("a discharge"), _discharge_args, _discharge),
    ("order", lambda: _("a paper prescription transcribed"), _order_args, _order),
    ("infusion", lambda: _("an infusion started, changed or stopped"), _infusion_args, _infusion),
    ("line", lambda: _("a line or device inserted or removed"), _line_args, _line),
    ("allergy", lambda: _("an allergy learnt during the outage"), _allergy_args, _allergy),
    ("correct", lambda: _("correct an entry (a new entry supersedes it)"), _correct_args, _correct),
    ("retract", lambda: _("withdraw an entry made in error"), _retract_args, _retract),
]


# -- reading --------------------------------------------------------------------------------
def run_orders(args: argparse.Namespace) -> int:
    with open_session(args, secrets_for(args)) as session:
        found = upcoming_doses(session, args.patient, max(1, min(args.hours, 24 * 14)))
        now = session.now()
    if args.json:
        print(json.dumps([_order_json(o, t, now) for o, t in found], ensure_ascii=False, indent=2))
        return 0
    for order, times in found:
        flags = _state_words(order, now)
        flags += [_("as needed")] if order.as_needed else []
        flags += [_("HIGH ALERT")] if order.high_alert else []
        flags += [_("manual order")] if order.manual else []
        print(
            f"{order.id}\t{order.drug}\t{order.dose_text}\t{order.route or ''}\t{' '.join(flags)}"
        )
        if times is None:
            print("\t" + _("see the prescription's instructions"))
        elif times:
            print("\t" + " ".join(local(t).strftime("%d/%m %H:%M") for t in times))
    return 0


def _state_words(order: Any, now: datetime) -> list[str]:
    """The same words as the chart's order list: an order not to give as usual says so."""
    words = [_("ON HOLD")] if order.status == "on-hold" else []
    words += [_("EXPIRED")] if order.expired(now) else []
    words += [_("absent from latest snapshot")] if order.absent_from_snapshot else []
    return words


def _order_json(order: Any, times: list | None, now: datetime) -> dict[str, Any]:
    return {
        "id": order.id, "drug": order.drug, "drug_code": order.drug_code,
        "dose_value": order.dose_value, "dose_unit": order.dose_unit, "route": order.route,
        "status": order.status, "as_needed": order.as_needed, "prn_reason": order.prn_reason,
        "high_alert": order.high_alert, "manual": order.manual, "paper_ref": order.paper_ref,
        "absent_from_snapshot": order.absent_from_snapshot, "expired": order.expired(now),
        "next_doses": None if times is None else [local(t).isoformat() for t in times],
    }  # fmt: skip


def run_list(args: argparse.Namespace) -> int:
    with open_session(args, secrets_for(args)) as session:
        found = entries.list_entries(session, args.patient, args.since)
    if args.json:
        print(json.dumps([e.as_dict() for e in found], ensure_ascii=False, indent=2))
        return 0
    for e in found:
        print(
            f"{e.seq}\t{format_local(e.clinical_time)}\t{e.kind}\t{e.patient_id or '-'}\t"
            f"{e.author}\t{e.state}\t{summary(e.kind, e.payload)}"
        )
    return 0


def run_mar(args: argparse.Namespace) -> int:
    try:
        day = date.fromisoformat(args.date) if args.date else None
    except ValueError:
        raise BadInput(_("Give the day as YYYY-MM-DD.")) from None
    with open_session(args, secrets_for(args)) as session:
        mar = mar_for_patient(session, args.patient, day)
    if args.json:
        print(json.dumps(mar_json(mar), ensure_ascii=False, indent=2))
        return 0
    print(f"{mar.patient.display_name} ({mar.patient.label_id}) - {mar.day:%d/%m/%Y}")
    for row in mar.rows:
        print(f"{row.drug} - {row.schedule}")
        for cell in row.cells:
            mark = " !!" if cell.double else ""
            print(f"\t{local(cell.scheduled):%H:%M}\t{state_label(cell.state)}{mark}")
        for dose in (*row.prn_doses, *row.other_doses):
            print(f"\t{local(dose.at):%H:%M}\t{dose.status}")
    return 0


def mar_json(mar: MarDay) -> dict[str, Any]:
    def dose(d: Any) -> dict[str, Any]:
        return {
            "uuid": d.uuid,
            "status": d.status,
            "at": local(d.at).isoformat(),
            "scheduled": local(d.scheduled).isoformat() if d.scheduled else None,
        }

    return {
        "patient": {"id": mar.patient.id, "ipp": mar.patient.ipp,
                    "name": mar.patient.display_name},
        "day": mar.day.isoformat(), "now": local(mar.now).isoformat(),
        "rows": [
            {"order_id": r.order.id if r.order else None, "drug": r.drug,
             "schedule": r.schedule, "expandable": r.expandable,
             "cells": [{"scheduled": local(c.scheduled).isoformat(), "state": c.state.value,
                        "double": c.double, "doses": [dose(d) for d in c.doses]}
                       for c in r.cells],
             "prn_doses": [dose(d) for d in r.prn_doses],
             "other_doses": [dose(d) for d in r.other_doses]}
            for r in mar.rows
        ],
    }  # fmt: skip
