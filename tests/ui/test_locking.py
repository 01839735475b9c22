"""The screen locks itself after idle minutes, hides every patient, and lets the right
person back in (or another person log in)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from continuity.store import audit
from tests.conftest import NURSE_PASSWORD, PHARMACIST_PASSWORD
from tests.ui.conftest import log_in


def _visible_texts(window) -> str:
    from PySide6.QtWidgets import QLabel

    return " ".join(w.text() for w in window.findChildren(QLabel) if w.isVisible())


def test_five_idle_minutes_lock_the_screen_and_hide_the_patient(qtbot, window, ward):
    log_in(qtbot, window, "nurse")
    window.open_chart("pat-1")
    ward.clock.advance(minutes=4, seconds=59)
    window.idle.check()
    assert window.stack.currentWidget() is window.work_page
    ward.clock.advance(seconds=1)
    window.idle.check()
    assert window.stack.currentWidget() is window.lock_page
    assert window.session.locked
    assert "LEFÈVRE" not in _visible_texts(window)
    assert "LEFÈVRE" not in window.windowTitle()
    assert not window.work_page.isVisible()
    assert window.menuBar().actions() == []


def test_activity_postpones_the_lock(qtbot, window, ward):
    log_in(qtbot, window, "nurse")
    ward.clock.advance(minutes=4)
    qtbot.keyClick(window.census_page.search_edit, Qt.Key.Key_A)
    ward.clock.advance(minutes=4)
    window.idle.check()
    assert window.stack.currentWidget() is window.work_page


def test_the_same_nurse_unlocks_with_her_password_and_finds_her_place(qtbot, window):
    log_in(qtbot, window, "nurse")
    window.open_chart("pat-1")
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.stack.currentWidget() is window.lock_page
    page = window.lock_page
    qtbot.keyClicks(page.password_edit, "wrong-password-1A")
    qtbot.mouseClick(page.unlock_button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.lock_page
    assert "incorrect" in page.message.text()
    qtbot.keyClicks(page.password_edit, NURSE_PASSWORD)
    qtbot.mouseClick(page.unlock_button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.work_page
    assert window.chart_page.banner.name.text() == "LEFÈVRE Éloïse"
    actions = [a["action"] for a in audit.recent(window.session.conn, 10)]
    assert actions[:2] == ["unlock", "lock"]


def test_another_user_logs_in_at_the_lock_screen_and_starts_afresh(qtbot, window):
    log_in(qtbot, window, "nurse")
    window.open_chart("pat-1")
    window.lock()
    page = window.lock_page
    qtbot.keyClicks(page.other_user, "pharma")
    qtbot.keyClicks(page.other_password, PHARMACIST_PASSWORD)
    qtbot.mouseClick(page.switch_button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.work_page
    assert window.session.user.login == "pharma"
    assert window.chart_page.patient is None
    assert "Paul Pharmacien" in window.banner.user.text()


def test_it_sets_the_idle_minutes_in_the_settings(qtbot, window, ward):
    from continuity.store.cache import login
    from tests.conftest import ADMIN_PASSWORD

    with login(ward.path, "admin", ADMIN_PASSWORD, clock=ward.clock) as admin:
        with admin.transaction() as conn:
            conn.execute("INSERT INTO settings (key, value) VALUES ('idle_lock_minutes', '2')")
    log_in(qtbot, window, "nurse")
    ward.clock.advance(minutes=2)
    window.idle.check()
    assert window.stack.currentWidget() is window.lock_page


def test_nothing_of_the_patient_is_readable_on_the_lock_screen(qtbot, window):
    log_in(qtbot, window, "nurse")
    window.open_chart("pat-1")
    window.lock()
    assert window.stack.currentWidget() is window.lock_page
    texts = _visible_texts(window)
    for secret in ("LEFÈVRE", "IPP0001", "Pénicilline", "Paracétamol"):
        assert secret not in texts
