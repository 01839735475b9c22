"""Exporting this laptop's entries for reconciliation (IT): where, and the passphrase.

The package itself is the reconciliation core's (`continuity.reconcile.export`): encrypted,
written only where IT says, and its entries marked exported. This dialog asks for the file
and the passphrase (typed twice: a package nobody can open is lost care); the export runs on
the worker with progress and cancel.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from continuity.core.clock import local
from continuity.core.i18n import _
from continuity.store.session import Session
from continuity.ui import attempts
from continuity.ui.attempts import Attempt
from continuity.ui.jobs import Job, ProgressDialog, on_own_session
from continuity.ui.style import grow_to_fit, hold_dialog_size, set_role

if TYPE_CHECKING:
    from continuity.ui.main_window import MainWindow


@dataclass(frozen=True)
class ExportOptions:
    path: Path
    passphrase: str
    all_entries: bool


class ExportDialog(QDialog):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Export entries for reconciliation"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        layout = QVBoxLayout(self)
        hold_dialog_size(layout, 600)
        intro = QLabel(
            _(
                "The package is encrypted with the passphrase; give it to the "
                "reconciliation team separately from the file."
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        row = QHBoxLayout()
        stamp = local(session.now()).strftime("%Y%m%d-%H%M")
        default = Path.home() / f"continuity-{session.device.name}-{stamp}.ccx"
        self.path_edit = QLineEdit(str(default))
        self.path_edit.setObjectName("export_path")
        choose = QPushButton(_("Choose…"))
        choose.setAutoDefault(False)
        row.addWidget(self.path_edit, 1)
        row.addWidget(choose)
        form.addRow(_("Package file"), row)
        self.passphrase = QLineEdit()
        self.passphrase.setObjectName("export_passphrase")
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.again = QLineEdit()
        self.again.setObjectName("export_passphrase_again")
        self.again.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(_("Passphrase"), self.passphrase)
        form.addRow(_("Passphrase again"), self.again)
        self.all_entries = QCheckBox(_("Every entry, also those already exported"))
        form.addRow("", self.all_entries)
        layout.addLayout(form)
        self.message = QLabel()
        self.message.setWordWrap(True)
        set_role(self.message, "error")
        self.message.hide()
        layout.addWidget(self.message)
        buttons = QDialogButtonBox()
        self.export_button = buttons.addButton(_("Export"), QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(_("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        choose.clicked.connect(self._choose)

    def _choose(self) -> None:
        name, _filter = QFileDialog.getSaveFileName(
            self,
            _("Package file"),
            self.path_edit.text(),
            _("Export packages (*.ccx)"),
            options=QFileDialog.Option.DontUseNativeDialog,
        )
        if name:
            self.path_edit.setText(name)

    def _check(self) -> None:
        if self.passphrase.text() != self.again.text():
            self.message.setText("⚠ " + _("The two passphrases differ."))
            self.message.show()
            grow_to_fit(self)
            return
        self.accept()

    def options(self) -> ExportOptions:
        return ExportOptions(
            Path(self.path_edit.text().strip()),
            self.passphrase.text(),
            self.all_entries.isChecked(),
        )


class ExportFlow(QObject):
    """Tells its owner what was written (or why nothing was), on the GUI thread."""

    def __init__(self, window: MainWindow, job: Job, owner: str) -> None:
        super().__init__(window)
        self.window = window
        self.owner = owner
        self.result: Any = None
        self.message: str | None = None
        job.succeeded.connect(self.succeeded)
        job.failed.connect(self.failed)

    def succeeded(self, result: Any) -> None:
        self.result = result
        self._tell(
            _("Package written: {path} — {n} entries.").format(
                path=result.path, n=result.entry_count
            )
        )

    def failed(self, message: str) -> None:
        self._tell(message)

    def _tell(self, text: str) -> None:
        self.message = text
        window = self.window
        if window.session is None or window.session.user.login != self.owner:
            return
        if window.session.locked:
            window.after_unlock.append(lambda: window.warn(text))
        else:
            window.warn(text)


def ask_export(window: MainWindow) -> ExportDialog | None:
    if window.session is None:
        return None
    if window.jobs.busy:
        window.warn(_("Wait for the running task to finish or cancel it first."))
        return None
    dialog = ExportDialog(window.session, window)
    attempt = window.begin_attempt(attempts.EXPORT)  # ends when the package is written
    dialog.rejected.connect(attempt.cancel)
    dialog.accepted.connect(lambda: start_export(window, dialog.options(), attempt))
    dialog.open()
    return dialog


def start_export(
    window: MainWindow, options: ExportOptions, attempt: Attempt | None = None
) -> Job | None:
    session = window.session
    if session is None:
        return None

    def work(worker, progress, cancelled) -> Any:
        from continuity.reconcile.export import export_entries

        return export_entries(
            worker,
            options.path,
            options.passphrase,
            all_entries=options.all_entries,
            progress=progress,
            cancelled=cancelled,
        )

    job = Job(_("Exporting the entries…"), on_own_session(session, work))
    window.export_flow = ExportFlow(window, job, session.user.login)
    if attempt is not None:
        job.succeeded.connect(attempt.succeed)
        job.failed.connect(attempt.fail)
    ProgressDialog(job, window).show()
    window.jobs.start(job)
    return job
