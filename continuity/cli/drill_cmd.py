"""`continuity drill start|step|report`: rehearse the outage on a separate drill cache (IT)."""

from __future__ import annotations

import argparse
from pathlib import Path

from continuity.cli.common import add_db_arguments, open_session, secrets_for
from continuity.core.i18n import _, language
from continuity.demo.provision import DEMO_USERS
from continuity.store.drill import DrillStep, finish_drill, record_step, start_drill
from continuity.store.files import write_atomically


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("drill", help=_("downtime drills on a separate drill cache (IT)"))
    verbs = p.add_subparsers(dest="verb", metavar="VERB", required=True)

    start = verbs.add_parser("start", help=_("build a drill cache from the demo hospital"))
    add_db_arguments(start)
    start.add_argument("--folder", type=Path, required=True, help=_("the drill cache's folder"))
    start.add_argument(
        "--participant",
        action="append",
        default=[],
        required=True,
        help=_("a person taking part (repeat for each)"),
    )
    start.add_argument("--patients", type=int, default=60)
    start.set_defaults(handler=run_start)

    step = verbs.add_parser("step", help=_("record a timed step of the drill"))
    add_db_arguments(step)
    step.add_argument("step", choices=[s.value for s in DrillStep])
    step.add_argument("seconds", type=float)
    step.add_argument("--failed", action="store_true", help=_("the step could not be done"))
    step.add_argument("--note", default="", help=_("what happened"))
    step.set_defaults(handler=run_step)

    report = verbs.add_parser("report", help=_("finish the drill and write its report (PDF)"))
    add_db_arguments(report)
    report.add_argument("--out", type=Path, required=True, help=_("the PDF file to write"))
    report.set_defaults(handler=run_report)


def run_start(args: argparse.Namespace) -> int:
    with open_session(args, secrets_for(args)) as session:
        drill = start_drill(
            session, args.folder, participants=args.participant, patients=args.patients
        )
    print(_("Drill cache ready: {path}").format(path=drill.path))
    print(_("Drill users (exercise data only):"))
    for user in DEMO_USERS:
        print(f"  {user.login:<14} {user.role:<11} {user.password}")
    return 0


def run_step(args: argparse.Namespace) -> int:
    with open_session(args, secrets_for(args)) as session:
        record_step(session, args.step, args.seconds, ok=not args.failed, note=args.note)
    print(_("Step recorded."))
    return 0


def run_report(args: argparse.Namespace) -> int:
    with open_session(args, secrets_for(args)) as session:
        pdf = finish_drill(session, lang=language())
    write_atomically(args.out, pdf)
    print(_("Drill report written: {path}").format(path=args.out))
    return 0
