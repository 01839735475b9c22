"""The lock screen: no patient data, the same person's password, or someone else logs in.

Shown after idle minutes or on Ctrl+L. It names the locked session's person (so a colleague
knows whose session it is) and nothing about any patient.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from continuity.core.i18n import _
from continuity.ui.password_form import ErrorLine, UserAndPassword, centred_card, password_field
from continuity.ui.style import set_role


class LockPage(QWidget):
    unlock_requested = Signal(str)  # password of the locked session's user
    switch_requested = Signal(str, str)  # another user's login and password

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        box = centred_card(self, "lockcard", width=540, spacing=10)

        self.title = QLabel(_("Session locked"))
        set_role(self.title, "title")
        box.addWidget(self.title)
        self.who = QLabel()
        self.who.setObjectName("lock_who")
        self.who.setWordWrap(True)
        box.addWidget(self.who)

        form = QFormLayout()
        self.password_edit = password_field("unlock_password")
        form.addRow(_("&Password"), self.password_edit)
        box.addLayout(form)
        self.unlock_button = QPushButton(_("Unlock"))
        self.unlock_button.setObjectName("unlock_button")
        self.unlock_button.setDefault(True)
        unlock_row = QHBoxLayout()
        unlock_row.addStretch(1)
        unlock_row.addWidget(self.unlock_button)
        box.addLayout(unlock_row)

        self.message = ErrorLine("lock_message")
        box.addWidget(self.message)

        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        box.addWidget(line)
        other = QLabel(
            _(
                "Someone else? Log in with your own account (the screen's unsaved "
                "entries are discarded)."
            )
        )
        other.setWordWrap(True)
        set_role(other, "hint")
        box.addWidget(other)
        other_form = QFormLayout()
        self.other_fields = UserAndPassword(
            other_form, (_("User name"), _("Password")), ("switch_user", "switch_password")
        )
        self.other_user = self.other_fields.user_edit
        self.other_password = self.other_fields.password_edit
        box.addLayout(other_form)
        self.switch_button = QPushButton(_("Log in as this user"))
        self.switch_button.setObjectName("switch_button")
        switch_row = QHBoxLayout()
        switch_row.addStretch(1)
        switch_row.addWidget(self.switch_button)
        box.addLayout(switch_row)

        self.unlock_button.clicked.connect(self._unlock)
        self.password_edit.returnPressed.connect(self._unlock)
        self.switch_button.clicked.connect(self._switch)
        self.other_password.returnPressed.connect(self._switch)

    def show_for(self, display_name: str, role_label: str) -> None:
        self.who.setText(
            _("In use by {name} ({role}). Type your password to continue.").format(
                name=display_name, role=role_label
            )
        )
        self.password_edit.clear()
        self.other_user.clear()
        self.other_password.clear()
        self.message.hide()
        self.password_edit.setFocus()

    def _unlock(self) -> None:
        self.unlock_requested.emit(self.password_edit.text())

    def _switch(self) -> None:
        typed = self.other_fields.typed(self.show_error)
        if typed is not None:
            self.switch_requested.emit(*typed)

    def show_error(self, text: str) -> None:
        self.message.say(text)
        self.password_edit.clear()
        self.other_password.clear()
