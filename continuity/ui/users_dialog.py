"""Managing this laptop's users (IT, or emergency access): list, add, disable, set password."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from continuity.core.errors import UserError
from continuity.core.i18n import _
from continuity.core.roles import STAFF_ROLES, role_label
from continuity.store import users
from continuity.store.session import Session
from continuity.store.users import UserRow
from continuity.ui.row_table import Column, RowTableModel, table_view
from continuity.ui.style import NEUTRAL, WARN, grow_to_fit, hold_dialog_size, set_role

USER_LOGIN, USER_NAME, USER_ROLE, USER_PRO_ID, USER_STATE = range(5)


def user_state(row: UserRow) -> str:
    if row.user.disabled:
        return _("disabled (key revoked)")
    if not row.has_slot:
        return _("no key: set a password")
    return _("active")


USER_COLUMNS: tuple[Column[UserRow], ...] = (
    Column(lambda: _("User name"), lambda r: r.user.login),
    Column(lambda: _("Full name"), lambda r: r.user.display_name, stretch=True),
    Column(lambda: _("Role"), lambda r: role_label(r.user.role)),
    Column(lambda: _("RPPS / professional id"), lambda r: r.user.professional_id or ""),
    Column(
        lambda: _("State"),
        user_state,
        tone=lambda r: NEUTRAL if r.user.disabled else (None if r.has_slot else WARN),
    ),
)


class _Form(QDialog):
    """A small form whose Save runs a core call and stays open with the refusal if any."""

    def __init__(self, title: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.layout_ = QVBoxLayout(self)
        hold_dialog_size(self.layout_, 460)
        self.form = QFormLayout()
        self.layout_.addLayout(self.form)
        self.message = QLabel()
        self.message.setWordWrap(True)
        set_role(self.message, "error")
        self.message.hide()
        self.layout_.addWidget(self.message)
        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton(_("Save"), QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(_("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        self.layout_.addWidget(buttons)

    def password_pair(self) -> tuple[QLineEdit, QLineEdit]:
        first, second = QLineEdit(), QLineEdit()
        for edit in (first, second):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.form.addRow(_("Password (12 characters or more)"), first)
        self.form.addRow(_("Password again"), second)
        return first, second

    def _save(self) -> None:
        try:
            self.save()
        except UserError as exc:
            self.message.setText("⚠ " + exc.message)
            self.message.show()
            grow_to_fit(self)
            return
        self.accept()

    def save(self) -> None:  # pragma: no cover - each form defines it
        raise NotImplementedError


def _same(first: QLineEdit, second: QLineEdit) -> str:
    from continuity.core.errors import BadInput

    if first.text() != second.text():
        raise BadInput(_("The two passwords differ."))
    return first.text()


class AddUserDialog(_Form):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(_("Add a user"), parent)
        self.session = session
        self.login_edit = QLineEdit()
        self.login_edit.setObjectName("add_login")
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("add_name")
        self.role_combo = QComboBox()
        self.role_combo.setObjectName("add_role")
        for role in STAFF_ROLES:
            self.role_combo.addItem(role_label(role), role.value)
        self.pro_edit = QLineEdit()
        self.form.addRow(_("User name"), self.login_edit)
        self.form.addRow(_("Full name"), self.name_edit)
        self.form.addRow(_("Role"), self.role_combo)
        self.form.addRow(_("RPPS / professional id"), self.pro_edit)
        self.password, self.again = self.password_pair()
        self.password.setObjectName("add_password")
        self.again.setObjectName("add_password_again")

    def save(self) -> None:
        users.add_user(
            self.session,
            self.login_edit.text(),
            self.name_edit.text(),
            self.role_combo.currentData(),
            _same(self.password, self.again),
            self.pro_edit.text().strip() or None,
        )


class PasswordDialog(_Form):
    def __init__(self, session: Session, login: str, parent: QWidget | None = None) -> None:
        super().__init__(_("New password for {login}").format(login=login), parent)
        self.session = session
        self.login = login
        self.password, self.again = self.password_pair()

    def save(self) -> None:
        users.set_password(self.session, self.login, _same(self.password, self.again))


class UsersDialog(QDialog):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle(_("Users of this laptop"))
        self.resize(820, 460)
        layout = QVBoxLayout(self)
        self.model: RowTableModel[UserRow] = RowTableModel(USER_COLUMNS, self)
        self.view = table_view(self.model, name="users_table")
        layout.addWidget(self.view, 1)
        row = QHBoxLayout()
        self.add_button = QPushButton(_("Add…"))
        self.password_button = QPushButton(_("Set password…"))
        self.disable_button = QPushButton(_("Disable"))
        close = QPushButton(_("Close"))
        for button in (self.add_button, self.password_button, self.disable_button):
            button.setAutoDefault(False)
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(close)
        layout.addLayout(row)
        self.add_button.clicked.connect(self._add)
        self.password_button.clicked.connect(self._password)
        self.disable_button.clicked.connect(self._disable)
        close.clicked.connect(self.accept)
        self.reload()

    def reload(self) -> None:
        self.model.set_rows(users.list_users(self.session))

    def _selected(self) -> UserRow | None:
        return self.model.row_at(self.view.currentIndex())

    def _add(self) -> None:
        if AddUserDialog(self.session, self).exec() == QDialog.DialogCode.Accepted:
            self.reload()

    def _password(self) -> None:
        row = self._selected()
        if row is not None and PasswordDialog(self.session, row.user.login, self).exec():
            self.reload()

    def _disable(self) -> None:
        row = self._selected()
        if row is None:
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            _("Disable a user"),
            _(
                "Disable {name} ({login})? Their key is destroyed: they can no "
                "longer open this laptop until IT sets a new password."
            ).format(name=row.user.display_name, login=row.user.login),
            QMessageBox.StandardButton.NoButton,
            self,
        )
        yes = box.addButton(_("Disable"), QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(_("Cancel"), QMessageBox.ButtonRole.RejectRole)
        box.exec()
        if box.clickedButton() is not yes:
            return
        try:
            users.disable_user(self.session, row.user.login)
        except UserError as exc:
            QMessageBox.warning(self, _("Disable a user"), exc.message)
        self.reload()
