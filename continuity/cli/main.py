"""Entry point: parse, dispatch, and turn failures into one sentence and an exit code."""

from __future__ import annotations

import argparse
import getpass
import importlib
import os
import pkgutil
import sys
import traceback
import warnings
from collections.abc import Sequence

from continuity.core.errors import UserError
from continuity.core.i18n import _

EXIT_OK, EXIT_OTHER, EXIT_USAGE, EXIT_REFUSED, EXIT_BAD_INPUT = 0, 1, 2, 3, 4


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="continuity",
        description=_("Continuity: hospital care during an outage of the central systems."),
        formatter_class=argparse.RawDescriptionHelpFormatter,  # keeps --version's lines apart
    )
    parser.add_argument("--version", action="version", version=version_text())
    parser.add_argument("--debug", action="store_true", help=_("show tracebacks of our bugs"))
    parser.add_argument("--lang", choices=("fr", "en"), help=_("language (default: system)"))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    import continuity.cli as package

    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.name in ("main", "common"):
            continue
        module = importlib.import_module(f"continuity.cli.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(sub)
    return parser


def version_text() -> str:
    from continuity.about import about_lines

    return "\n".join(about_lines())


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--lang" in argv:
        from continuity.core.i18n import set_language

        i = argv.index("--lang")
        if i + 1 < len(argv):
            set_language(argv[i + 1])
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args([*argv, "gui"])
    try:
        with warnings.catch_warnings():
            # getpass called without a terminal: refused before it asks (see `ask_hidden`)
            warnings.simplefilter("error", getpass.GetPassWarning)
            code = int(args.handler(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, not at exit as an ignored exception
        return code
    except BrokenPipeError:
        return reader_gone()
    except getpass.GetPassWarning:
        from continuity.cli.common import no_terminal

        refusal = no_terminal()
        print(str(refusal), file=sys.stderr)
        return refusal.exit_code
    except UserError as exc:
        print(str(exc), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(_("Interrupted; nothing half-done was kept."), file=sys.stderr)
        return 130
    except Exception:
        if args.debug:
            traceback.print_exc()
        else:
            print(
                _("Unexpected error (a bug in Continuity); run again with --debug for details."),
                file=sys.stderr,
            )
        return EXIT_OTHER


def reader_gone() -> int:
    """The reader of our output left (`continuity status | head -1`): stop quietly, as Unix
    tools do, instead of reporting a bug. Standard output is pointed at the null device so
    Python's last flush at exit cannot fail again (the Python docs' note on SIGPIPE)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return EXIT_OTHER


if __name__ == "__main__":
    sys.exit(main())
