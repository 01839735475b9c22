"""Each role sees the menus it may use (the core refuses the rest anyway)."""

from __future__ import annotations

from PySide6.QtWidgets import QMenu

from tests.ui.conftest import log_in


def _action_names(window) -> set[str]:
    names = set()
    for menu in window.menuBar().findChildren(QMenu):
        names.update(a.objectName() for a in menu.actions() if a.objectName())
    return names


def _menu_names(window) -> set[str]:
    return {a.menu().objectName() for a in window.menuBar().actions() if a.menu()}


def test_a_nurse_has_no_it_menu(qtbot, window):
    log_in(qtbot, window, "nurse")
    assert "menu_it" not in _menu_names(window)
    assert {"action_search", "action_lock", "action_schedules"} <= _action_names(window)
    assert not {"action_import", "action_users", "action_audit"} & _action_names(window)


def test_it_staff_import_manage_users_and_verify_the_audit_log(qtbot, window):
    log_in(qtbot, window, "admin")
    assert "menu_it" in _menu_names(window)
    assert {"action_import", "action_users", "action_audit"} <= _action_names(window)


def test_it_verifies_the_audit_log_from_the_menu(qtbot, window):
    log_in(qtbot, window, "admin")
    action = next(
        a
        for m in window.menuBar().findChildren(QMenu)
        for a in m.actions()
        if a.objectName() == "action_audit"
    )
    action.trigger()
    from continuity.ui.audit_dialog import AuditDialog

    dialog = window.findChild(AuditDialog)
    assert dialog is not None and dialog.isVisible()
    assert dialog.report.ok
    assert "intact" in dialog.verdict.text()


def test_it_adds_a_nurse_through_the_users_dialog(qtbot, window, ward):
    from PySide6.QtCore import Qt

    from continuity.store import users
    from continuity.ui.users_dialog import AddUserDialog, UsersDialog

    log_in(qtbot, window, "admin")
    dialog = UsersDialog(window.session, window)
    form = AddUserDialog(window.session, dialog)
    qtbot.keyClicks(form.login_edit, "lea.roux")
    form.name_edit.setText("Léa Roux")  # QTest types ASCII only
    qtbot.keyClicks(form.password, "Cerise-Orage-2026")
    qtbot.keyClicks(form.again, "Cerise-Orage-2026")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert form.result() == form.DialogCode.Accepted
    logins = {row.user.login for row in users.list_users(window.session)}
    assert "lea.roux" in logins


def test_emergency_access_shows_no_patient_and_only_it_tools(qtbot, window, ward):
    assert window.log_in_with_recovery(ward.recovery_key)
    assert window.emergency_page.isVisible()
    assert not window.sections.isVisible()
    assert {"action_users", "action_audit"} <= _action_names(window)
    assert not {"action_import", "action_search", "action_print_mar"} & _action_names(window)
    assert window.census_page.model.rowCount() == 0


def test_a_wrong_recovery_key_is_refused(qtbot, window):
    assert not window.log_in_with_recovery("AAAA-BBBB-CCCC-DDDD")
    assert window.session is None
    assert window.login_page.message.isVisible()


def test_about_says_what_the_app_is_for_and_its_version(qtbot, window):
    import continuity

    log_in(qtbot, window, "nurse")
    action = next(
        a
        for m in window.menuBar().findChildren(QMenu)
        for a in m.actions()
        if a.objectName() == "action_about"
    )
    action.trigger()
    box = window.about_box
    assert box is not None and box.isVisible()
    assert f"Continuity {continuity.__version__}" in box.facts.text()
    assert "SQLCipher" in box.facts.text() and "Qt" in box.facts.text()
