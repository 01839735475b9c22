"""Everything a nurse needs works from the keyboard: log in, find, open, record, go back."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from continuity.store import entries
from continuity.ui.dose_dialog import DoseDialog
from tests.conftest import NURSE_PASSWORD

EIGHT = datetime(2026, 11, 28, 7, 0, tzinfo=UTC)


def test_a_nurse_records_a_dose_without_touching_the_mouse(qtbot, window):
    page = window.login_page
    page.user_edit.setFocus()
    qtbot.keyClicks(page.user_edit, "nurse")
    qtbot.keyClick(page.user_edit, Qt.Key.Key_Return)  # to the password
    qtbot.keyClicks(page.password_edit, NURSE_PASSWORD)
    qtbot.keyClick(page.password_edit, Qt.Key.Key_Return)
    assert window.session is not None

    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    search = window.census_page.search_edit
    assert QApplication.focusWidget() is search
    qtbot.keyClicks(search, "lefevre")
    qtbot.keyClick(search, Qt.Key.Key_Return)
    assert window.chart_page.patient.id == "pat-1"

    mar = window.chart_page.mar_view
    model = mar.model
    row = next(i for i, r in enumerate(model.rows) if r.drug == "Paracétamol 1 g cp")
    mar.table.setFocus()
    mar.table.setCurrentIndex(model.index(row, model.column_of(EIGHT)))
    qtbot.keyClick(mar.table, Qt.Key.Key_Return)
    dialog = window.chart_page.dialog
    assert isinstance(dialog, DoseDialog)
    dialog.activateWindow()  # a window manager does this; the offscreen platform does not
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)  # Save is the default
    assert [e.payload["status"] for e in entries.list_entries(window.session, "pat-1")] == ["given"]

    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    assert window.sections.currentWidget() is window.census_page


def test_the_login_form_tabs_from_user_to_password_to_the_button(qtbot, window):
    page = window.login_page
    page.user_edit.setFocus()
    qtbot.keyClick(page.user_edit, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is page.password_edit
    qtbot.keyClick(page.password_edit, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is page.login_button
