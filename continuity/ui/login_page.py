"""The first screens: log-in, emergency access, and the laptop that was never set up.

The page only collects the user name and password and hands them to the core's `login`: the
core decides what is wrong and how long to wait after repeated failures, and says so in one
sentence that the page shows as it is.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from continuity.core.i18n import _
from continuity.ui.password_form import ErrorLine, UserAndPassword, centred_card
from continuity.ui.style import set_role


class LoginPage(QWidget):
    """User name + password; `submitted(login, password)` is handled by the main window."""

    submitted = Signal(str, str)
    recovery_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        box = centred_card(self, "card", width=520, spacing=12)
        title = QLabel(_("Continuity"))
        set_role(title, "title")
        subtitle = QLabel(_("Care records during an outage of the hospital's systems"))
        set_role(subtitle, "subtitle")
        subtitle.setWordWrap(True)
        box.addWidget(title)
        box.addWidget(subtitle)

        form = QFormLayout()
        self.fields = UserAndPassword(
            form, (_("&User name"), _("&Password")), ("login_user", "login_password")
        )
        self.user_edit = self.fields.user_edit
        self.password_edit = self.fields.password_edit
        self.user_edit.setPlaceholderText(_("e.g. ines.martin"))
        box.addLayout(form)

        self.message = ErrorLine("login_message", selectable=True)
        box.addWidget(self.message)

        buttons = QHBoxLayout()
        self.recovery_button = QPushButton(_("Emergency access…"))
        self.recovery_button.setToolTip(_("IT only: open with the recovery key"))
        self.recovery_button.setAutoDefault(False)
        self.login_button = QPushButton(_("Log in"))
        self.login_button.setObjectName("login_button")
        self.login_button.setDefault(True)
        self.login_button.setAutoDefault(True)
        buttons.addWidget(self.recovery_button)
        buttons.addStretch(1)
        buttons.addWidget(self.login_button)
        box.addLayout(buttons)

        self.login_button.clicked.connect(self._submit)
        self.password_edit.returnPressed.connect(self._submit)
        self.recovery_button.clicked.connect(self.recovery_requested)
        self.setTabOrder(self.user_edit, self.password_edit)
        self.setTabOrder(self.password_edit, self.login_button)
        self.setTabOrder(self.login_button, self.recovery_button)

    def _submit(self) -> None:
        typed = self.fields.typed(self.show_error)
        if typed is not None:
            self.submitted.emit(*typed)

    def show_error(self, text: str) -> None:
        self.message.say(text)
        self.password_edit.clear()
        self.password_edit.setFocus()

    def reset(self) -> None:
        """Back to an empty form (after log-out or a change of user): no password kept."""
        self.password_edit.clear()
        self.user_edit.clear()
        self.message.hide()
        self.user_edit.setFocus()


class FirstRunPage(QWidget):
    """No cache on this laptop yet: say what IT must do, in words and as a command."""

    retry = Signal()

    def __init__(self, db_path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        box = centred_card(self, "card", width=520, spacing=12)
        title = QLabel(_("This laptop is not set up yet"))
        set_role(title, "title")
        title.setWordWrap(True)
        box.addWidget(title)
        text = QLabel(
            _(
                "There is no Continuity cache on this computer. Ask the IT team to set it up: they "
                "create the cache and the first IT account with this command, then import a "
                "snapshot and add the ward's users."
            )
        )
        text.setWordWrap(True)
        box.addWidget(text)
        command = QLabel(
            f'continuity init --db "{db_path}" --device-name {_("LAPTOP-NAME")}'
            f" --admin {_('LOGIN')}"
        )
        command.setObjectName("first_run_command")
        command.setWordWrap(True)
        command.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        command.setStyleSheet("font-family: monospace; background: #eceff1; padding: 8px;")
        box.addWidget(command)
        hint = QLabel(_("To try the app on a fictitious hospital: continuity demo"))
        set_role(hint, "hint")
        hint.setWordWrap(True)
        box.addWidget(hint)
        again = QPushButton(_("Try again"))
        again.clicked.connect(self.retry)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(again)
        box.addLayout(row)


class RecoveryDialog(QDialog):
    """Emergency access: the recovery key printed at set-up; the core logs it loudly."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Emergency access"))
        layout = QVBoxLayout(self)
        warning = QLabel(
            _(
                "For IT only. Opening with the recovery key is recorded in the audit log as an "
                "emergency access. It only allows setting up named users and checking the audit log."
            )
        )
        warning.setWordWrap(True)
        set_role(warning, "warning")
        layout.addWidget(warning)
        form = QFormLayout()
        self.key_edit = QLineEdit()
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setMinimumWidth(360)
        form.addRow(_("Recovery key"), self.key_edit)
        layout.addLayout(form)
        buttons = QDialogButtonBox()
        buttons.addButton(_("Open"), QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(_("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def recovery_key(self) -> str:
        return self.key_edit.text()
