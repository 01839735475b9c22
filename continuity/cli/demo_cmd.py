"""`continuity demo` and `continuity gui`: start the app (on the demo hospital for `demo`)."""

from __future__ import annotations

import argparse
from pathlib import Path

import platformdirs

from continuity.cli.common import add_db_arguments, db_path
from continuity.core.i18n import _
from continuity.demo.provision import DEMO_USERS, build_demo_cache, demo_db_path


def register(sub: argparse._SubParsersAction) -> None:
    demo = sub.add_parser("demo", help=_("build (or reuse) the demo hospital and open the app"))
    demo.add_argument(
        "--folder",
        type=Path,
        default=None,
        help=_("where the demo cache lives (default: the user's data folder)"),
    )
    demo.add_argument("--patients", type=int, default=60)
    demo.add_argument("--rebuild", action="store_true", help=_("start again from scratch"))
    demo.add_argument("--no-gui", action="store_true", help=_("only build the demo cache"))
    demo.set_defaults(handler=run_demo)

    gui = sub.add_parser("gui", help=_("open the desktop app"))
    add_db_arguments(gui, user=False)
    gui.set_defaults(handler=run_gui)


def default_demo_folder() -> Path:
    return Path(platformdirs.user_data_dir("Continuity", appauthor=False)) / "demo"


def run_demo(args: argparse.Namespace) -> int:
    folder = args.folder or default_demo_folder()
    path = demo_db_path(folder)
    if args.rebuild and folder.exists():
        for leftover in folder.glob("demo.db*"):
            leftover.unlink()
    if not path.exists():
        if args.patients < 1 or args.patients > 20000:
            from continuity.core.errors import BadInput

            raise BadInput(_("Choose between 1 and 20000 demo patients."))
        build_demo_cache(folder, patients=args.patients)
        print(_("Demo hospital built: {path}").format(path=path))
    else:
        print(_("Demo hospital reused: {path}").format(path=path))
    print(_("Demo users (synthetic data only):"))
    for user in DEMO_USERS:
        print(f"  {user.login:<14} {user.role:<11} {user.password}")
    if args.no_gui:
        return 0
    from continuity.ui.app import run_app

    return run_app(path)


def run_gui(args: argparse.Namespace) -> int:
    from continuity.ui.app import run_app

    return run_app(db_path(args))
