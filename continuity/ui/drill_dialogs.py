"""Starting a drill from the real cache (IT), opening it, and finishing it with its report.

The drill cache is built by the core (`continuity.store.drill.start_drill`, from the demo
hospital, in a folder of its own) on the worker, since it builds a whole hospital.

It then opens in a NEW PROCESS of the app (`continuity gui --db <drill cache>`), not in this
window: the real session stays logged in, locked by its own idle timer, untouched; the two
caches are never open in the same window, so nobody can record real care into the drill or
drill care into the real cache by confusing screens; closing or crashing the drill window
cannot lose anything of the real one; and the drill window needs no mode of its own, since
the EXERCICE bar comes from the drill cache itself (`is_drill`). The new process is told it
is a drill window (`DRILL_WINDOW_ENV`) only so that its log-in page shows EXERCICE before
anyone has logged in; after log-in the cache decides.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs
from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from continuity.core.clock import local
from continuity.core.i18n import _, language
from continuity.core.roles import Role, role_label
from continuity.demo.provision import DEMO_USERS
from continuity.store.drill import DrillCache, finish_drill, start_drill
from continuity.store.session import Session
from continuity.ui.jobs import Job, ProgressDialog, on_own_session
from continuity.ui.pdf_preview import PreviewDialog
from continuity.ui.style import grow_to_fit, hold_dialog_size, message_line, set_role

if TYPE_CHECKING:
    from continuity.ui.main_window import MainWindow

#: Set to "1" in the environment of a drill window started from here.
DRILL_WINDOW_ENV = "CONTINUITY_DRILL_WINDOW"


def default_drill_folder(moment: datetime) -> Path:
    """A new folder per drill under the user's data folder, named after the local time."""
    base = Path(platformdirs.user_data_dir("Continuity", appauthor=False)) / "drills"
    return base / local(moment).strftime("%Y-%m-%d-%H%M%S")


def drill_window_command(path: Path) -> tuple[str, list[str]]:
    """The program and arguments that open the app on `path` (venv or standalone bundle)."""
    if getattr(sys, "frozen", False):  # the bundle's executable is the `continuity` command
        return sys.executable, ["gui", "--db", str(path)]
    return sys.executable, ["-m", "continuity", "gui", "--db", str(path)]


def launch_drill_window(path: Path) -> bool:
    """Start the drill window as its own process; it outlives this one if need be."""
    program, arguments = drill_window_command(path)
    process = QProcess()
    process.setProgram(program)
    process.setArguments(arguments)
    environment = QProcessEnvironment.systemEnvironment()
    environment.insert(DRILL_WINDOW_ENV, "1")
    process.setProcessEnvironment(environment)
    started, _pid = process.startDetached()
    return bool(started)


class StartDrillDialog(QDialog):
    """Who takes part and where the drill cache goes; Build runs the core on the worker.

    The dialog stays open until the core answers, so a refusal (no participant, a folder
    already holding a drill) is shown in it with what was typed.
    """

    build_requested = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Start a drill"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        layout = QVBoxLayout(self)
        hold_dialog_size(layout, 640)
        intro = QLabel(
            _(
                "A drill rehearses the outage on a separate cache built from the fictitious demo "
                "hospital: nothing done in it touches this laptop's real data. The app times "
                "each step and writes a report at the end."
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.participants = QPlainTextEdit()
        self.participants.setObjectName("drill_participants")
        self.participants.setPlaceholderText(_("One name per line"))
        self.participants.setTabChangesFocus(True)
        self.participants.setFixedHeight(110)
        form.addRow(_("Participants"), self.participants)
        row = QHBoxLayout()
        self.folder_edit = QLineEdit(str(default_drill_folder(session.now())))
        self.folder_edit.setObjectName("drill_folder")
        choose = QPushButton(_("Choose…"))
        choose.setAutoDefault(False)
        choose.clicked.connect(self._choose)
        row.addWidget(self.folder_edit, 1)
        row.addWidget(choose)
        form.addRow(_("Drill folder"), row)
        layout.addLayout(form)
        self.error = message_line("drill_error", "error")
        layout.addWidget(self.error)
        buttons = QDialogButtonBox()
        self.build_button = buttons.addButton(
            _("Build the drill cache"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.build_button.setObjectName("drill_build")
        buttons.addButton(_("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.build_requested)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _choose(self) -> None:
        name = QFileDialog.getExistingDirectory(
            self,
            _("Drill folder"),
            str(Path(self.folder_edit.text()).parent),
            QFileDialog.Option.DontUseNativeDialog,
        )
        if name:
            self.folder_edit.setText(name)

    def names(self) -> list[str]:
        return self.participants.toPlainText().splitlines()

    def folder(self) -> Path:
        return Path(self.folder_edit.text().strip())

    def show_error(self, message: str) -> None:
        self.error.setText("⚠ " + message)
        self.error.show()
        grow_to_fit(self)


def demo_accounts_text() -> str:
    """The drill's fictitious accounts (public demo passwords: the drill holds no real data)."""
    rows = [(_("User name"), _("Role"), _("Password"))]
    rows += [(u.login, role_label(Role(u.role)), u.password) for u in DEMO_USERS]
    return "\n".join(f"{login:<14} {role:<14} {password}" for login, role, password in rows)


class DrillReadyDialog(QDialog):
    """The drill cache is built: who logs in with what, and a button to open its window."""

    def __init__(self, drill: DrillCache, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.drill = drill
        self.launched: bool | None = None
        self.setWindowTitle(_("The drill is ready"))
        layout = QVBoxLayout(self)
        hold_dialog_size(layout, 600)
        text = QLabel(
            _("Drill cache built for {names}: {path}").format(
                names=", ".join(drill.participants), path=drill.path
            )
        )
        text.setWordWrap(True)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(text)
        layout.addWidget(QLabel(_("Participants log in with these fictitious accounts:")))
        accounts = QLabel(demo_accounts_text())
        accounts.setObjectName("drill_accounts")
        accounts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        accounts.setStyleSheet("font-family: monospace; background: #eceff1; padding: 8px;")
        layout.addWidget(accounts)
        end = QLabel(
            _(
                "At the end, IT logs in to the drill window and chooses IT ▸ Finish the drill "
                "and save the report."
            )
        )
        end.setWordWrap(True)
        set_role(end, "hint")
        layout.addWidget(end)
        self.message = QLabel()
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        buttons = QDialogButtonBox()
        self.open_button = buttons.addButton(
            _("Open the drill window"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.open_button.setObjectName("drill_open")
        self.open_button.setDefault(True)
        buttons.addButton(_("Close"), QDialogButtonBox.ButtonRole.RejectRole)
        self.open_button.clicked.connect(self.open_window)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def open_window(self) -> bool:
        self.launched = launch_drill_window(self.drill.path)
        if self.launched:
            self.accept()
        else:
            self.message.setText(
                "⚠ "
                + _("The drill window could not be started; open it with: {command}").format(
                    command=" ".join(drill_window_command(self.drill.path)[1])
                )
            )
            grow_to_fit(self)
        return self.launched


class DrillStartFlow(QObject):
    """Receives the built drill cache on the GUI thread and shows it to its owner."""

    def __init__(self, window: MainWindow, job: Job, owner: str, dialog: StartDrillDialog):
        super().__init__(window)
        self.window = window
        self.owner = owner
        self.dialog = dialog
        self.drill: DrillCache | None = None
        self.ready: DrillReadyDialog | None = None
        job.succeeded.connect(self.succeeded)
        job.failed.connect(self.failed)

    def _mine(self) -> bool:
        session = self.window.session
        return session is not None and session.user.login == self.owner

    def succeeded(self, drill: DrillCache) -> None:
        self.drill = drill
        if self.dialog.isVisible():
            self.dialog.accept()
        if not self._mine():
            return
        self.ready = DrillReadyDialog(drill, self.window)
        if self.window.session.locked:
            self.window.after_unlock.append(self.ready.open)
        else:
            self.ready.open()

    def failed(self, message: str) -> None:
        if self.dialog.isVisible():
            self.dialog.build_button.setEnabled(True)
            self.dialog.show_error(message)
        elif self._mine():
            if self.window.session.locked:
                self.window.after_unlock.append(lambda: self.window.warn(message))
            else:
                self.window.warn(message)


def ask_start(window: MainWindow) -> StartDrillDialog | None:
    if window.session is None:
        return None
    if window.jobs.busy:
        window.warn(_("Wait for the running task to finish or cancel it first."))
        return None
    dialog = StartDrillDialog(window.session, window)
    dialog.build_requested.connect(lambda: start(window, dialog))
    dialog.open()
    return dialog


def start(window: MainWindow, dialog: StartDrillDialog) -> Job | None:
    """Build the drill cache on the worker, on a connection of its own to the real cache."""
    session = window.session
    if session is None or window.jobs.busy:
        return None
    names, folder = dialog.names(), dialog.folder()

    def work(real, progress, cancelled) -> Any:
        progress(0, 0, _("Building the drill hospital…"))
        return start_drill(real, folder, participants=names)

    dialog.error.hide()
    dialog.build_button.setEnabled(False)
    job = Job(_("Preparing the drill…"), on_own_session(session, work))
    window.drill_flow = DrillStartFlow(window, job, session.user.login, dialog)
    progress = ProgressDialog(job, dialog)
    progress.setCancelButton(None)  # the core builds the drill cache in one go
    progress.show()
    window.jobs.start(job)
    return job


def finish(window: MainWindow) -> PreviewDialog | None:
    """Finish the drill: the core's report, previewed from memory, then printed or saved."""
    session = window.session
    if session is None:
        return None
    pdf = window.call(lambda: finish_drill(session, lang=language()))
    if pdf is None:
        return None
    preview = PreviewDialog(
        pdf,
        _("Drill report"),
        _("Timings, participants and what failed: keep it as evidence of the drill."),
        window,
    )
    window.drill_report = preview
    preview.open()
    return preview
