"""The command line: IT staff, scripts and tests call the same core functions as the app.

Each module of this package that defines `register(subparsers)` adds its subcommands; `main`
discovers them, so a new capability adds a module here without touching the others.
"""

from __future__ import annotations

from continuity.cli.main import main

__all__ = ["main"]
