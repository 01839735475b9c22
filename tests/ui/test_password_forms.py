"""The log-in page and the lock screen ask for a user and a password the same way: a
forgotten user name is refused at once, the typed password never stays on screen, and the
keyboard alone gets from one field to the next."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.conftest import NURSE_PASSWORD, PHARMACIST_PASSWORD
from tests.ui.conftest import log_in


def test_a_log_in_without_user_name_is_refused_and_the_password_wiped(qtbot, window):
    page = window.login_page
    qtbot.keyClicks(page.password_edit, NURSE_PASSWORD)
    qtbot.mouseClick(page.login_button, Qt.MouseButton.LeftButton)
    assert window.session is None
    assert page.message.isVisible() and page.message.text() == "⚠ Saisissez votre identifiant."
    assert page.password_edit.text() == ""
    assert QApplication.focusWidget() is page.user_edit


def test_a_colleague_at_the_lock_screen_without_user_name_is_refused(qtbot, window):
    log_in(qtbot, window, "nurse")
    window.lock()
    page = window.lock_page
    qtbot.keyClicks(page.other_password, PHARMACIST_PASSWORD)
    qtbot.keyClick(page.other_password, Qt.Key.Key_Return)
    assert window.stack.currentWidget() is page
    assert window.session.user.login == "nurse"
    assert page.message.isVisible() and "Saisissez votre identifiant" in page.message.text()
    assert page.other_password.text() == "" and page.password_edit.text() == ""
    assert QApplication.focusWidget() is page.other_user


def test_return_in_the_colleague_s_user_name_moves_to_the_password(qtbot, window):
    log_in(qtbot, window, "nurse")
    window.lock()
    page = window.lock_page
    page.other_user.setFocus()
    qtbot.keyClicks(page.other_user, "pharma")
    qtbot.keyClick(page.other_user, Qt.Key.Key_Return)
    assert QApplication.focusWidget() is page.other_password
    assert window.session.user.login == "nurse"  # nothing sent before the password


def test_the_underlined_letters_reach_their_fields(qtbot, window):
    page = window.login_page
    page.login_button.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_I, Qt.KeyboardModifier.AltModifier)  # &Identifiant
    assert QApplication.focusWidget() is page.user_edit
    qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)  # Mot de &passe
    assert QApplication.focusWidget() is page.password_edit
    log_in(qtbot, window, "nurse")
    window.lock()
    window.lock_page.unlock_button.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is window.lock_page.password_edit
