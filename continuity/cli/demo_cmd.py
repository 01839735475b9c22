"""`continuity demo` and `continuity gui`: start the app (on the demo hospital for `demo`)."""

from __future__ import annotations

import argparse
from pathlib import Path

import platformdirs

from continuity.cli.common import add_db_arguments, db_path
from continuity.core.errors import BadInput
from continuity.core.i18n import _
from continuity.demo.provision import (
    DEMO_DEVICE,
    DEMO_USERS,
    build_demo_cache,
    demo_cache_device,
    demo_db_path,
    demo_device_name,
)


def register(sub: argparse._SubParsersAction) -> None:
    demo = sub.add_parser("demo", help=_("build (or reuse) the demo hospital and open the app"))
    demo.add_argument(
        "--folder",
        type=Path,
        default=None,
        help=_("where the demo cache lives (default: the user's data folder)"),
    )
    demo.add_argument("--patients", type=int, default=60)
    demo.add_argument(
        "--device-name",
        help=_(
            "this demo laptop's name (default: {name}); give each laptop of a rehearsal its own"
        ).format(name=DEMO_DEVICE),
    )
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
    # Checked before --rebuild removes anything: a typo never leaves the user without a demo.
    device = demo_device_name(args.device_name if args.device_name is not None else DEMO_DEVICE)
    building = args.rebuild or not path.exists()
    if building and not 1 <= args.patients <= 20000:
        raise BadInput(_("Choose between 1 and 20000 demo patients."))
    if not building and args.device_name is not None:
        current = demo_cache_device(folder)
        if current != device:
            # Reusing it would hand out the other laptop's temporary ids without a word.
            raise BadInput(
                _(
                    "The demo cache in {folder} is the laptop {current}; add --rebuild to make"
                    " it {wanted}."
                ).format(folder=folder, current=current, wanted=device)
            )
    if args.rebuild and folder.exists():
        for leftover in folder.glob("demo.db*"):
            leftover.unlink()
    if building:
        build_demo_cache(folder, patients=args.patients, device_name=device)
        print(_("Demo hospital built: {path}").format(path=path))
    else:
        print(_("Demo hospital reused: {path}").format(path=path))
    if building or args.device_name is not None:
        print(_("Laptop name: {name}").format(name=device))
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
