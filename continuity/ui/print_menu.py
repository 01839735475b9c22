"""The Print menu: each sheet the role may print, previewed, printed or saved."""

from __future__ import annotations

from typing import TYPE_CHECKING

from continuity.store.session import Session

if TYPE_CHECKING:
    from continuity.ui.main_window import MainWindow


def build(window: MainWindow, session: Session) -> None:
    """Nothing yet: the printing core (issue 4) has not landed."""
