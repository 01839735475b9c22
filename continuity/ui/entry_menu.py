"""The Record menu: every kind of entry of the entries issue, for the open patient."""

from __future__ import annotations

from typing import TYPE_CHECKING

from continuity.store.session import Session

if TYPE_CHECKING:
    from continuity.ui.main_window import MainWindow


def build(window: MainWindow, session: Session) -> None:
    """Nothing yet: the entries core (issue 5) has not landed."""
