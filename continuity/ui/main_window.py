"""The main window: who is logged in, which page shows, and what locking does.

Pages: first run (no cache), log-in, work (banner + census, chart, schedules) and lock. The
window holds at most one `Session`; every action goes through the core with it. Locking
discards open dialogs (they only write on their own Save button, so nothing is half-written),
hides every patient screen and removes the menus until someone proves who they are.

On a drill cache, a bar above every page and the window title say EXERCICE, and the drill
timer (`drill_timer.py`) times the steps from the attempts the window announces.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
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
from continuity.core.readiness import Item
from continuity.core.roles import Permission, role_label
from continuity.store import cache
from continuity.store.drill import is_drill
from continuity.store.readiness import startup_items
from continuity.store.session import Session
from continuity.store.settings import idle_lock_minutes
from continuity.ui import attempts
from continuity.ui.attempts import Attempt
from continuity.ui.banner import Banner
from continuity.ui.census_page import CensusPage
from continuity.ui.chart_page import ChartPage
from continuity.ui.drill_timer import DrillTimer
from continuity.ui.idle_lock import IdleLock
from continuity.ui.jobs import JobRunner
from continuity.ui.lock_page import LockPage
from continuity.ui.login_page import FirstRunPage, LoginPage, RecoveryDialog
from continuity.ui.schedules_page import SchedulesPage
from continuity.ui.style import set_role

SECTION_CENSUS, SECTION_CHART, SECTION_SCHEDULES = range(3)


class MainWindow(QMainWindow):
    #: An action began (log-in, find a patient, print, record a dose, export): its Attempt.
    attempt_started = Signal(object)
    #: Someone logged in (or another person took over at the lock screen): the new Session.
    session_started = Signal(object)

    def __init__(
        self,
        db_path: Path,
        clock: Clock | None = None,
        *,
        idle_check_ms: int = 10_000,
        drill_hint: bool = False,
    ) -> None:
        super().__init__()
        self.db_path = db_path
        self.clock = clock or SystemClock()
        self.session: Session | None = None
        #: This window's cache is a drill: said by whoever opened it until a log-in, then by
        #: the cache itself (`is_drill`), and kept for the log-in page after a log-out.
        self.in_drill = drill_hint
        self.readiness: list[Item] = []
        self.setMinimumSize(1024, 600)

        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        self.drill_bar = QLabel("⚠  " + _("DRILL — fictitious data, nothing here is real") + "  ⚠")
        self.drill_bar.setObjectName("drill_bar")
        self.drill_bar.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.drill_bar.setStyleSheet(
            "#drill_bar { background: #ffd600; color: #000000; font-size: 14pt;"
            " font-weight: bold; padding: 5px; border-top: 4px solid #000000;"
            " border-bottom: 4px solid #000000; }"
        )
        outer.addWidget(self.drill_bar)
        self.stack = QStackedWidget()
        outer.addWidget(self.stack, 1)
        self.setCentralWidget(central)
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
        self.drill_flow: Any = None
        self.drill_report: Any = None
        self.readiness_panel: Any = None
        self.settings_dialog: Any = None
        self.outage_dialog: Any = None
        self.about_box: Any = None
        self._login_attempt: Attempt | None = None
        self._find_attempt: Attempt | None = None
        self.drill_timer = DrillTimer(self)
        self._banner_timer = QTimer(self)
        self._banner_timer.setInterval(60_000)
        self._banner_timer.timeout.connect(self._tick)

        self.first_run_page.retry.connect(self.show_start)
        self.login_page.submitted.connect(self.log_in)
        self.login_page.recovery_requested.connect(self._emergency_access)
        self.lock_page.unlock_requested.connect(self.unlock)
        self.lock_page.switch_requested.connect(self.switch_user)
        self.banner.lock_clicked.connect(self.lock)
        self.banner.readiness_clicked.connect(self._readiness_clicked)
        self.chart_page.dose_dialog_opened.connect(self._dose_dialog_opened)
        self.idle.idle.connect(self.lock)
        self.census_page.patient_chosen.connect(self.open_chart)
        self.chart_page.back_requested.connect(self.show_census)
        self.chart_page.changed.connect(self._entry_stored)
        self.chart_page.problem.connect(self.warn)
        self.sections.currentChanged.connect(self._section_changed)
        back = QShortcut(QKeySequence(Qt.Key.Key_Escape), self.chart_page)
        back.activated.connect(self.show_census)

        self._show_drill_state()
        self.set_title()
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
            if self._login_attempt is None or self._login_attempt.done:
                self._login_attempt = self.begin_attempt(attempts.LOGIN)

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
        if self._find_attempt is not None:
            self._find_attempt.succeed()
            self._find_attempt = None
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
        self.refresh_readiness()
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
            if self._login_attempt is not None:
                self._login_attempt.setback(exc.message)
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
        self.in_drill = self.call(lambda: is_drill(session)) or False
        self._show_drill_state()
        self.session_started.emit(session)
        if self._login_attempt is not None:
            self._login_attempt.succeed()
            self._login_attempt = None
        self.login_page.reset()
        self.chart_page.clear()
        self.sections.setTabEnabled(SECTION_CHART, False)
        self.sections.setTabText(SECTION_CHART, _("Chart"))
        sees_patients = session.can(Permission.VIEW_PATIENTS)
        self.sections.setVisible(sees_patients)
        self.emergency_page.setVisible(not sees_patients)
        self.set_title(session.device.name)
        self.stack.setCurrentWidget(self.work_page)
        self.build_menus()
        self.refresh_data()
        self.sections.setCurrentIndex(SECTION_CENSUS)
        self.census_page.focus_search()
        # The census is on screen: finding a patient starts now (a drill times it).
        self._find_attempt = self.begin_attempt(attempts.FIND_PATIENT) if sees_patients else None
        self.idle.arm(idle_lock_minutes(session))
        self._banner_timer.start()

    def log_out(self) -> None:
        self._discard_dialogs()
        self._forget_patients()
        if self.session is not None:
            self.session.close()
        self.session = None
        self._find_attempt = None
        self.idle.disarm()
        self._banner_timer.stop()
        self.set_title()
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
        self.set_title(_("locked"))
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
        self.set_title(self.session.device.name)
        self.stack.setCurrentWidget(self.work_page)
        self.build_menus()
        self.refresh_data()
        for widget in self._hidden_on_lock:
            widget.show()
        self._hidden_on_lock.clear()
        pending, self.after_unlock = self.after_unlock, []
        for show in pending:
            show()
        self.idle.arm(idle_lock_minutes(self.session))
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

    # -- drill, readiness, settings --------------------------------------------------------
    def set_title(self, detail: str | None = None) -> None:
        """ "Continuity — <detail>", with EXERCICE first in a drill (seen in the task bar)."""
        title = _("Continuity") + (f" — {detail}" if detail else "")
        self.setWindowTitle(f"{_('DRILL')} — {title}" if self.in_drill else title)

    def _show_drill_state(self) -> None:
        self.drill_bar.setVisible(self.in_drill)

    def begin_attempt(self, action: str) -> Attempt:
        """Announce that an action starts now; the page that owns it ends it."""
        attempt = Attempt(action, self.clock, self.session, self)
        self.attempt_started.emit(attempt)
        return attempt

    def _dose_dialog_opened(self, dialog: QDialog) -> None:
        attempt = self.begin_attempt(attempts.RECORD_DOSE)
        dialog.saved.connect(attempt.succeed)  # the stored entry came back
        dialog.finished.connect(attempt.cancel)  # closed without saving (no-op after saved)

    def refresh_readiness(self) -> list[Item]:
        """The start-up checks for the banner (any role; ~5 ms on the demo, so on this thread)."""
        from continuity.ui.printer_probe import default_printer_status

        if self.session is None:
            return []
        session = self.session
        items = self.call(lambda: startup_items(session, default_printer_status))
        if items:
            self.show_readiness(items)
        return self.readiness

    def show_readiness(self, items: list[Item]) -> None:
        self.readiness = list(items)
        self.banner.show_readiness(self.readiness)

    def _readiness_clicked(self) -> None:
        from continuity.ui.readiness_panel import open_panel

        open_panel(self)

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
        self._message(QMessageBox.Icon.Warning, _("Continuity"), text)

    def inform(self, title: str, text: str) -> None:
        self._message(QMessageBox.Icon.Information, title, text)

    def _message(self, icon: QMessageBox.Icon, title: str, text: str) -> None:
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.NoButton, self)
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
