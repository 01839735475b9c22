"""The laptop checks itself at log-in and IT tunes it: readiness line and panel, settings."""

from __future__ import annotations

import io

from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QMenu, QMessageBox

from continuity.core.freshness import AGEING_SETTING, STALE_SETTING
from continuity.core.readiness import summary_line
from continuity.store import audit
from continuity.store.readiness import startup_items
from continuity.store.settings import idle_lock_minutes
from continuity.ui.printer_probe import default_printer_status
from continuity.ui.readiness_panel import ReadinessPanel
from continuity.ui.settings_dialog import SettingsDialog, open_settings
from tests.ui.conftest import log_in


def _action(window, name: str):
    for menu in window.menuBar().findChildren(QMenu):
        for action in menu.actions():
            if action.objectName() == name:
                return action
    return None


def _audited(window, action: str) -> int:
    return sum(1 for row in audit.recent(window.session.conn, 500) if row["action"] == action)


def test_a_nurse_sees_the_readiness_summary_in_the_banner_after_log_in(qtbot, window):
    log_in(qtbot, window, "nurse")
    line = window.banner.readiness
    assert line.isVisible()
    expected = summary_line(startup_items(window.session, default_printer_status))
    assert expected in line.text()
    assert line.text()[0] in "✔⚠✖"  # a symbol, not colour alone
    assert _audited(window, "readiness_check") == 0  # the start-up check is not the audited one


def test_a_nurse_has_no_readiness_panel_and_reads_the_findings_instead(qtbot, window):
    log_in(qtbot, window, "nurse")
    assert _action(window, "action_readiness") is None
    assert _action(window, "action_settings") is None
    assert _action(window, "action_drill_start") is None
    qtbot.mouseClick(window.banner.readiness, Qt.MouseButton.LeftButton)
    assert window.readiness_panel is None
    box = next(w for w in window.findChildren(QMessageBox) if w.isVisible())
    assert box.windowTitle() == "Préparation de ce poste"


def test_it_opens_the_readiness_panel_from_the_banner_and_runs_it_again(qtbot, window):
    log_in(qtbot, window, "admin")
    qtbot.mouseClick(window.banner.readiness, Qt.MouseButton.LeftButton)
    panel = window.readiness_panel
    assert isinstance(panel, ReadinessPanel) and panel.isVisible()
    model = panel.model
    keys = [item.key for item in model.rows]
    assert keys[:4] == ["snapshot", "users", "recovery", "audit"] and len(keys) == 10
    assert model.index(0, 0).data() == "✔ ok"  # the ward's snapshot is two hours old
    assert model.index(0, 1).data() == "Instantané"
    assert "Données au" in model.index(0, 2).data()
    assert _audited(window, "readiness_check") == 1
    qtbot.mouseClick(panel.run_button, Qt.MouseButton.LeftButton)
    assert _audited(window, "readiness_check") == 2
    assert summary_line(panel.items) in window.banner.readiness.text()


def test_it_prints_a_test_page_with_no_patient_data(qtbot, window, tmp_path):
    log_in(qtbot, window, "admin")
    _action(window, "action_readiness").trigger()
    panel = window.readiness_panel
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    target = tmp_path / "test-page.pdf"
    printer.setOutputFileName(str(target))
    assert panel.print_test_page(printer)
    text = " ".join(PdfReader(io.BytesIO(target.read_bytes())).pages[0].extract_text().split())
    assert "page de test" in text and "SAGESSE-3A-PC1" in text
    assert "LEFÈVRE" not in text and "Lefèvre" not in text
    assert "Page de test envoyée" in panel.message.text()


def test_it_shortens_the_idle_lock_in_the_settings_and_it_applies_at_once(qtbot, window, ward):
    log_in(qtbot, window, "admin")
    _action(window, "action_settings").trigger()
    dialog = window.settings_dialog
    assert isinstance(dialog, SettingsDialog) and dialog.isVisible()
    field = dialog.fields["idle_lock_minutes"]
    assert field.text() == "5"
    field.clear()
    qtbot.keyClicks(field, "2")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert idle_lock_minutes(window.session) == 2
    assert _audited(window, "setting_changed") == 1
    ward.clock.advance(minutes=1, seconds=59)
    window.idle.check()
    assert window.stack.currentWidget() is window.work_page
    ward.clock.advance(seconds=1)
    window.idle.check()
    assert window.stack.currentWidget() is window.lock_page


def test_the_settings_refuse_zero_minutes_with_the_cores_sentence(qtbot, window):
    log_in(qtbot, window, "admin")
    dialog = open_settings(window)
    field = dialog.fields["idle_lock_minutes"]
    field.clear()
    qtbot.keyClicks(field, "0")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.error.isVisible()
    assert "choisissez entre 1 et 240" in dialog.error.text()
    assert "Verrouillage après" in dialog.error.text()
    assert idle_lock_minutes(window.session) == 5
    assert window.idle.limit.total_seconds() == 5 * 60


def test_the_settings_take_a_new_pair_of_thresholds_in_either_order(qtbot, window):
    log_in(qtbot, window, "admin")
    dialog = open_settings(window)
    ageing, stale = (dialog.fields[k] for k in (AGEING_SETTING, STALE_SETTING))
    assert (ageing.text(), stale.text()) == ("4", "24")
    ageing.setText("30")  # above the current stale threshold: only valid with the new one
    stale.setText("48")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible(), dialog.error.text()
    assert window.session.setting(AGEING_SETTING) == "30"
