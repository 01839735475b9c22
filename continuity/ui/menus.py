"""The menu bar for one logged-in person, built from the role's permissions.

Hiding an action is only a courtesy: each core function checks the permission again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QKeySequence

from continuity.core.i18n import _
from continuity.core.roles import Permission
from continuity.store.session import Session

if TYPE_CHECKING:
    from continuity.ui.main_window import MainWindow


def build(window: MainWindow, session: Session) -> None:
    bar = window.menuBar()
    sees_patients = session.can(Permission.VIEW_PATIENTS)

    general = bar.addMenu(_("&Continuity"))
    general.setObjectName("menu_general")
    if sees_patients:
        window.add_action(
            general,
            _("Find a patient"),
            window.focus_search,
            shortcut="Ctrl+F",
            name="action_search",
        )
        window.add_action(
            general, _("Patient list"), window.show_census, shortcut="F2", name="action_census"
        )
        window.add_action(
            general, _("Schedules"), window.show_schedules, shortcut="F3", name="action_schedules"
        )
        general.addSeparator()
    window.add_action(
        general, _("Lock the screen"), window.lock, shortcut="Ctrl+L", name="action_lock"
    )
    window.add_action(general, _("Log out"), window.log_out, name="action_logout")
    window.add_action(
        general, _("Quit"), window.close, shortcut=QKeySequence.StandardKey.Quit, name="action_quit"
    )

    if session.can(Permission.RECORD_CARE):
        from continuity.ui import entry_menu

        entry_menu.build(window, session)

    if session.can(Permission.PRINT_WARD_SHEETS) or session.can(Permission.PRINT_PHARMACY_SHEETS):
        from continuity.ui import print_menu

        print_menu.build(window, session)

    it_permissions = (
        Permission.IMPORT_SNAPSHOT,
        Permission.MANAGE_USERS,
        Permission.VERIFY_AUDIT,
        Permission.MANAGE_DEVICE,
    )
    if any(session.can(p) for p in it_permissions):
        from continuity.ui import it_menu

        it_menu.build(window, session)

    help_menu = bar.addMenu(_("&Help"))
    help_menu.setObjectName("menu_help")
    window.add_action(help_menu, _("About Continuity"), lambda: _about(window), name="action_about")


def _about(window: MainWindow) -> None:
    from continuity.ui.about_box import AboutBox

    window.about_box = AboutBox(window)
    window.about_box.open()
