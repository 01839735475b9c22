"""Record menu > "The outage started at…": the nurse in charge says when the system went down.

UI ward: "data as of" 08:00 Paris, clock 10:00 Paris; the insulin is scheduled at 08:00.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import QMenu

from continuity.core.clock import PARIS
from continuity.core.mar import CellState
from continuity.store import emar
from continuity.store.outage import outage_started
from continuity.ui.census_model import COL_DOSES
from continuity.ui.outage_dialog import OutageDialog
from tests.ui.conftest import log_in


def _trigger(window, name: str) -> None:
    for menu in window.menuBar().findChildren(QMenu):
        for action in menu.actions():
            if action.objectName() == name:
                action.trigger()
                return
    raise AssertionError(f"no action {name}")


def _insulin_at_eight(session) -> CellState:
    mar = emar.mar_for_patient(session, "pat-1")
    row = next(r for r in mar.rows if r.drug.startswith("Insuline"))
    return next(c.state for c in row.cells if c.scheduled.astimezone(PARIS).hour == 8)


def test_a_nurse_declares_the_outage_and_the_banner_and_emar_follow(qtbot, window):
    log_in(qtbot, window, "nurse")
    assert _insulin_at_eight(window.session) == CellState.LATE
    _trigger(window, "action_outage")
    dialog = window.outage_dialog
    assert isinstance(dialog, OutageDialog) and dialog.isVisible()
    # Offered first: just after the data (08:00), which hides no late dose if saved as is.
    assert dialog.when_edit.dateTime() == QDateTime(2026, 11, 28, 8, 1, 0)
    dialog.when_edit.setDateTime(QDateTime(2026, 11, 28, 9, 0, 0))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert outage_started(window.session) == datetime(2026, 11, 28, 9, 0, tzinfo=PARIS)
    assert window.banner.outage.isVisible()
    assert "panne depuis le 28/11/2026 09:00" in window.banner.outage.text()
    assert _insulin_at_eight(window.session) == CellState.BEFORE_SNAPSHOT


def test_a_start_in_the_future_is_refused_in_the_dialog(qtbot, window):
    log_in(qtbot, window, "nurse")
    _trigger(window, "action_outage")
    dialog = window.outage_dialog
    dialog.when_edit.setDateTime(QDateTime(2026, 11, 28, 15, 0, 0))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.error.isVisible()
    assert "futur" in dialog.error.text()
    assert outage_started(window.session) is None
    assert not window.banner.outage.isVisible()


def test_the_census_still_counts_the_doses_to_check_after_a_declaration(qtbot, window):
    """Declared at 09:00, the 08:00 insulin is no longer late: the census says "to check"
    instead of dropping it."""
    log_in(qtbot, window, "nurse")
    model = window.census_page.model
    column = COL_DOSES
    row = next(i for i, r in enumerate(model.rows) if r.patient.id == "pat-1")
    assert "en retard" in model.index(row, column).data()
    _trigger(window, "action_outage")
    dialog = window.outage_dialog
    dialog.when_edit.setDateTime(QDateTime(2026, 11, 28, 9, 0, 0))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    window.show_census()
    assert "à vérifier" in model.index(row, column).data()
