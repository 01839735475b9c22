"""The main window: who is logged in, which page shows, and what locking does.

Pages: first run (no cache), log-in, work (banner + census, chart, schedules) and lock. The
window holds at most one `Session`; every action goes through the core with it. Locking
discards open dialogs (they only write on their own Save button, so nothing is half-written),
hides every patient screen and removes the menus until someone proves who they are.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from continuity.core.clock import Clock, SystemClock
from continuity.core.errors import UserError
from continuity.core.i18n import _
from continuity.core.roles import Permission, role_label
from continuity.store import cache
from continuity.store.session import Session
from continuity.ui.banner import Banner
from continuity.ui.census_page import CensusPage
from continuity.ui.chart_page import ChartPage
from continuity.ui.idle_lock import SETTING, IdleLock, minutes_from_setting
from continuity.ui.jobs import JobRunner
from continuity.ui.lock_page import LockPage
from continuity.ui.login_page import FirstRunPage, LoginPage, RecoveryDialog
from continuity.ui.schedules_page import SchedulesPage
from continuity.ui.style import set_role

SECTION_CENSUS, SECTION_CHART, SECTION_SCHEDULES = range(3)


class MainWindow(QMainWindow):
    def __init__(
        self, db_path: Path, clock: Clock | None = None, *, idle_check_ms: int = 10_000
    ) -> None:
        super().__init__()
        self.db_path = db_path
        self.clock = clock or SystemClock()
        self.session: Session | None = None
        self.setWindowTitle(_("Continuity"))
        self.setMinimumSize(1024, 600)

        self.stack = QStackedWidget()
        self.setCentralWidget(self.stack)
        self.first_run_page = FirstRunPage(db_path)
        self.login_page = LoginPage()
        self.lock_page = LockPage()
        self.work_page = QWidget()
        for page in (self.first_run_page, self.login_page, self.lock_page, self.work_page):
            self.stack.addWidget(page)

        work = QVBoxLayout(self.work_page)
        work.setContentsMargins(0, 0, 0, 0)
        work.setSpacing(0)
        self.banner = Banner()
        work.addWidget(self.banner)
        self.sections = QTabWidget()
        self.sections.setObjectName("sections")
        self.sections.setDocumentMode(True)
        self.census_page = CensusPage()
        self.chart_page = ChartPage()
        self.schedules_page = SchedulesPage()
        self.sections.addTab(self.census_page, _("&Patients"))
        self.sections.addTab(self.chart_page, _("Chart"))
        self.sections.addTab(self.schedules_page, _("Sche&dules"))
        self.emergency_page = QLabel(
            _(
                "Emergency access: only the IT menu is available. Set up a named user, then log "
                "in as that person to use the app."
            )
        )
        self.emergency_page.setWordWrap(True)
        self.emergency_page.setAlignment(Qt.AlignmentFlag.AlignCenter)
        set_role(self.emergency_page, "warning")
        work.addWidget(self.sections, 1)
        work.addWidget(self.emergency_page, 1)

        self.idle = IdleLock(self.clock, self, check_every_ms=idle_check_ms)
        self.jobs = JobRunner(self)
        self._hidden_on_lock: list[QWidget] = []
        #: What to show once the same person unlocks (e.g. a report that came while locked).
        self.after_unlock: list[Callable[[], Any]] = []
        self.import_flow: Any = None
        self.print_flow: Any = None
        self.export_flow: Any = None
        self._banner_timer = QTimer(self)
        self._banner_timer.setInterval(60_000)
        self._banner_timer.timeout.connect(self._tick)

        self.first_run_page.retry.connect(self.show_start)
        self.login_page.submitted.connect(self.log_in)
        self.login_page.recovery_requested.connect(self._emergency_access)
        self.lock_page.unlock_requested.connect(self.unlock)
        self.lock_page.switch_requested.connect(self.switch_user)
        self.banner.lock_clicked.connect(self.lock)
        self.idle.idle.connect(self.lock)
        self.census_page.patient_chosen.connect(self.open_chart)
        self.chart_page.back_requested.connect(self.show_census)
        self.chart_page.changed.connect(self._entry_stored)
        self.chart_page.problem.connect(self.warn)
        self.sections.currentChanged.connect(self._section_changed)
        back = QShortcut(QKeySequence(Qt.Key.Key_Escape), self.chart_page)
        back.activated.connect(self.show_census)

        self.show_start()

    # -- pages ---------------------------------------------------------------------------
    def show_start(self) -> None:
        """First run if there is no cache here, the log-in page otherwise."""
        self.menuBar().clear()
        if not self.db_path.exists():
            self.stack.setCurrentWidget(self.first_run_page)
        else:
            self.stack.setCurrentWidget(self.login_page)
            self.login_page.reset()

    def show_census(self) -> None:
        if self._usable():
            self.sections.setCurrentIndex(SECTION_CENSUS)
            self.census_page.table.setFocus()

    def focus_search(self) -> None:
        if self._usable():
            self.sections.setCurrentIndex(SECTION_CENSUS)
            self.census_page.focus_search()

    def show_schedules(self) -> None:
        if self._usable():
            self.sections.setCurrentIndex(SECTION_SCHEDULES)

    def open_chart(self, patient_id: str) -> None:
        if not self._usable():
            return
        if not self.call(lambda: self.chart_page.show_patient(self.session, patient_id)):
            self.warn(_("This patient is no longer in the cache."))
            return
        patient = self.chart_page.patient
        self.sections.setTabEnabled(SECTION_CHART, True)
        self.sections.setTabText(SECTION_CHART, f"{patient.display_name} ({patient.label_id})")
        self.sections.setCurrentIndex(SECTION_CHART)
        self.chart_page.tabs.setFocus()

    def admitted(self, patient_id: str) -> None:
        """A downtime admission was stored: show the new patient's chart."""
        self._entry_stored()
        self.open_chart(patient_id)

    def _entry_stored(self) -> None:
        if self._usable():
            self.census_page.refresh(self.session)

    def refresh_data(self) -> None:
        """Reload what the screens show (after an import or an entry)."""
        if not self._usable():
            return
        self.banner.refresh(self.session)
        if not self.session.can(Permission.VIEW_PATIENTS):
            return
        self.census_page.refresh(self.session)
        self.schedules_page.start(self.session)
        if self.chart_page.patient is not None:
            self.chart_page.show_patient(self.session, self.chart_page.patient.id)

    def _section_changed(self, index: int) -> None:
        """Back on the census: fresh dose counts (time has passed), cursor on the patient."""
        if index == SECTION_CENSUS and self._usable():
            self.call(lambda: self.census_page.refresh(self.session))
            if self.chart_page.patient is not None:
                self.census_page.select(self.chart_page.patient.id)
            self.census_page.table.setFocus()

    def _usable(self) -> bool:
        return self.session is not None and not self.session.locked

    def _tick(self) -> None:
        if self._usable():
            self.banner.refresh(self.session)

    # -- logging in and out ----------------------------------------------------------------
    def log_in(self, user: str, password: str) -> bool:
        try:
            with _busy_cursor():
                session = cache.login(self.db_path, user, password, clock=self.clock)
        except UserError as exc:
            self.login_page.show_error(exc.message)
            return False
        self._start(session)
        return True

    def _emergency_access(self) -> RecoveryDialog:
        dialog = RecoveryDialog(self)
        dialog.accepted.connect(lambda: self.log_in_with_recovery(dialog.recovery_key()))
        dialog.open()
        return dialog

    def log_in_with_recovery(self, recovery_key: str) -> bool:
        """Break-glass: the core logs it loudly and allows only setting up named users."""
        try:
            with _busy_cursor():
                session = cache.login_with_recovery(self.db_path, recovery_key, clock=self.clock)
        except UserError as exc:
            self.login_page.show_error(exc.message)
            return False
        self._start(session)
        return True

    def _start(self, session: Session) -> None:
        if self.session is not None:
            self.session.close()
        self.session = session
        self.login_page.reset()
        self.chart_page.clear()
        self.sections.setTabEnabled(SECTION_CHART, False)
        self.sections.setTabText(SECTION_CHART, _("Chart"))
        sees_patients = session.can(Permission.VIEW_PATIENTS)
        self.sections.setVisible(sees_patients)
        self.emergency_page.setVisible(not sees_patients)
        self.setWindowTitle(f"{_('Continuity')} — {session.device.name}")
        self.stack.setCurrentWidget(self.work_page)
        self.build_menus()
        self.refresh_data()
        self.sections.setCurrentIndex(SECTION_CENSUS)
        self.census_page.focus_search()
        self.idle.arm(minutes_from_setting(session.setting(SETTING)))
        self._banner_timer.start()

    def log_out(self) -> None:
        self._discard_dialogs()
        self._forget_patients()
        if self.session is not None:
            self.session.close()
        self.session = None
        self.idle.disarm()
        self._banner_timer.stop()
        self.setWindowTitle(_("Continuity"))
        self.show_start()

    # -- locking ---------------------------------------------------------------------------
    def lock(self) -> None:
        """Hide everything about patients until the same person or someone else logs in."""
        if self.session is None or self.session.locked:
            return
        self._discard_dialogs()
        self.call(lambda: cache.lock(self.session))
        self.session.locked = True  # even if the audit row could not be written
        self.idle.disarm()
        self._banner_timer.stop()
        self.menuBar().clear()
        self.setWindowTitle(_("Continuity — locked"))
        self.stack.setCurrentWidget(self.lock_page)
        self.lock_page.show_for(self.session.user.display_name, role_label(self.session.user.role))

    def unlock(self, password: str) -> bool:
        if self.session is None:
            return False
        try:
            with _busy_cursor():
                cache.unlock(self.session, password)
        except UserError as exc:
            self.lock_page.show_error(exc.message)
            return False
        self.setWindowTitle(f"{_('Continuity')} — {self.session.device.name}")
        self.stack.setCurrentWidget(self.work_page)
        self.build_menus()
        self.refresh_data()
        for widget in self._hidden_on_lock:
            widget.show()
        self._hidden_on_lock.clear()
        pending, self.after_unlock = self.after_unlock, []
        for show in pending:
            show()
        self.idle.arm(minutes_from_setting(self.session.setting(SETTING)))
        self._banner_timer.start()
        return True

    def switch_user(self, user: str, password: str) -> bool:
        """Another person logs in at the lock screen; the first session ends."""
        try:
            with _busy_cursor():
                session = cache.login(self.db_path, user, password, clock=self.clock)
        except UserError as exc:
            self.lock_page.show_error(exc.message)
            return False
        self._forget_patients()
        for widget in self._hidden_on_lock:
            widget.close()
        self._hidden_on_lock.clear()
        self.after_unlock.clear()
        self._start(session)
        return True

    def _discard_dialogs(self) -> None:
        """Close every open dialog without saving; long-job progress windows only hide."""
        popup = QApplication.activePopupWidget()
        if popup is not None:
            popup.close()
        for widget in QApplication.topLevelWidgets():
            if not isinstance(widget, QDialog) or not widget.isVisible():
                continue
            if getattr(widget, "keep_on_lock", False):
                widget.hide()
                self._hidden_on_lock.append(widget)
            else:
                widget.reject()

    def _forget_patients(self) -> None:
        self.census_page.clear()
        self.chart_page.clear()
        self.schedules_page.clear()

    # -- menus -----------------------------------------------------------------------------
    def build_menus(self) -> None:
        """The menus this person's role allows (the core checks again on every action)."""
        from continuity.ui import menus

        self.menuBar().clear()
        if self.session is not None:
            menus.build(self, self.session)

    def add_action(
        self,
        menu,
        text: str,
        slot: Callable[[], Any],
        *,
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
        name: str = "",
    ) -> QAction:
        action = QAction(text, self)
        if name:
            action.setObjectName(name)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(lambda _checked=False: slot())
        menu.addAction(action)
        return action

    # -- errors ----------------------------------------------------------------------------
    def call(self, work: Callable[[], Any]) -> Any:
        """Run a core call; a refusal is shown in one sentence and None returned."""
        try:
            return work()
        except UserError as exc:
            self.warn(exc.message)
            return None

    def warn(self, text: str) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            _("Continuity"),
            text,
            QMessageBox.StandardButton.NoButton,
            self,
        )
        box.addButton(_("OK"), QMessageBox.ButtonRole.AcceptRole)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.open()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.jobs.busy:
            self.warn(_("Wait for the running task to finish or cancel it first."))
            event.ignore()
            return
        self.idle.detach()
        if self.session is not None:
            self.session.close()
            self.session = None
        super().closeEvent(event)


class _busy_cursor:
    """A wait cursor for the fraction of a second a password check takes."""

    def __enter__(self) -> None:
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)

    def __exit__(self, *exc: object) -> None:
        QGuiApplication.restoreOverrideCursor()
