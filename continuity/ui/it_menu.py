"""The IT menu: import a snapshot, manage users, export entries, verify the audit log, the
readiness check, the laptop's settings, and drills (start one here; finish it in its window).

Merging packages from several laptops is done on IT's workstation with
`continuity reconcile` (a command-line tool: it works on files, not on this laptop's cache).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

from continuity.core.i18n import _
from continuity.core.roles import Permission
from continuity.store.session import Session
from continuity.ui.audit_dialog import AuditDialog
from continuity.ui.import_dialog import ImportDialog, ImportOptions, ImportReportDialog
from continuity.ui.jobs import Job, ProgressDialog, on_own_session
from continuity.ui.users_dialog import UsersDialog

if TYPE_CHECKING:
    from continuity.ui.main_window import MainWindow


def build(window: MainWindow, session: Session) -> None:
    menu = window.menuBar().addMenu(_("&IT"))
    menu.setObjectName("menu_it")
    if session.can(Permission.IMPORT_SNAPSHOT):
        window.add_action(
            menu, _("Import a snapshot…"), lambda: ask_import(window), name="action_import"
        )
    if session.can(Permission.MANAGE_USERS):
        window.add_action(
            menu, _("Users…"), lambda: UsersDialog(session, window).open(), name="action_users"
        )
    if session.can(Permission.EXPORT_ENTRIES):
        from continuity.ui.export_dialog import ask_export

        window.add_action(
            menu,
            _("Export entries for reconciliation…"),
            lambda: ask_export(window),
            name="action_export",
        )
    if session.can(Permission.VERIFY_AUDIT):
        window.add_action(
            menu, _("Verify the audit log…"), lambda: _audit(window), name="action_audit"
        )
    if session.can(Permission.MANAGE_DEVICE):
        menu.addSeparator()
        from continuity.ui.readiness_panel import open_panel
        from continuity.ui.settings_dialog import open_settings

        window.add_action(
            menu, _("Readiness check…"), lambda: open_panel(window), name="action_readiness"
        )
        window.add_action(
            menu, _("Settings…"), lambda: open_settings(window), name="action_settings"
        )
        _drill_actions(window, menu)


def _drill_actions(window: MainWindow, menu) -> None:
    from continuity.ui import drill_dialogs

    menu.addSeparator()
    if window.in_drill:
        window.add_action(
            menu,
            _("Finish the drill and save the report…"),
            lambda: drill_dialogs.finish(window),
            name="action_drill_finish",
        )
    else:
        window.add_action(
            menu,
            _("Start a drill…"),
            lambda: drill_dialogs.ask_start(window),
            name="action_drill_start",
        )


def _audit(window: MainWindow) -> None:
    dialog = window.call(lambda: AuditDialog(window.session, window))
    if dialog is not None:
        dialog.open()


def ask_import(window: MainWindow) -> ImportDialog | None:
    if window.session is None:
        return None
    if window.jobs.busy:
        window.warn(_("Wait for the running task to finish or cancel it first."))
        return None
    dialog = ImportDialog(window.session, window)
    dialog.accepted.connect(lambda: start_import(window, dialog.options()))
    dialog.open()
    return dialog


class ImportFlow(QObject):
    """Receives the worker's result on the GUI thread and shows the report to its owner."""

    def __init__(self, window: MainWindow, job: Job, owner: str) -> None:
        super().__init__(window)
        self.window = window
        self.job = job
        self.owner = owner
        self.report_dialog: ImportReportDialog | None = None
        job.succeeded.connect(self.succeeded)
        job.failed.connect(self.failed)

    def succeeded(self, report: Any) -> None:
        self._show(report, None)

    def failed(self, message: str) -> None:
        self._show(getattr(self.job.exception, "report", None), message)

    def _show(self, report: Any, failure: str | None) -> None:
        window = self.window
        if window.session is None or window.session.user.login != self.owner:
            return  # someone else is logged in now: the report stays in the audit log
        dialog = ImportReportDialog(report, window, failure=failure)
        self.report_dialog = dialog
        if window.session.locked:
            window.after_unlock.append(dialog.open)
        else:
            window.refresh_data()
            dialog.open()


def start_import(window: MainWindow, options: ImportOptions) -> Job | None:
    """Run the core's import on the worker, on a connection of its own."""
    session = window.session
    if session is None:
        return None

    def work(worker, progress, cancelled) -> Any:
        from continuity.fhir.importer import import_snapshot

        return import_snapshot(
            worker,
            options.path,
            as_of=options.as_of,
            accept_partial=options.accept_partial,
            allow_unsigned=options.allow_unsigned,
            allow_older=options.allow_older,
            progress=progress,
            cancel=cancelled,
        )

    job = Job(_("Importing the snapshot…"), on_own_session(session, work))
    window.import_flow = ImportFlow(window, job, session.user.login)
    progress = ProgressDialog(job, window)
    progress.show()
    window.jobs.start(job)
    return job
