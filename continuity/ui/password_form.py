"""What the log-in page and the lock screen share: the centred card, the user-name and
password fields, and the line where a refusal appears.

Both pages only collect what is typed and hand it to the main window, which asks the core;
keeping the pieces here means a password field is built, checked and cleared the same way on
every screen that asks for one.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from continuity.core.i18n import _
from continuity.ui.style import set_role


def centred_card(page: QWidget, name: str, *, width: int, spacing: int) -> QVBoxLayout:
    """A white box of fixed width centred on an otherwise empty page (nothing else on the
    screen to read over a shoulder); returns the layout to fill it with."""
    outer = QVBoxLayout(page)
    outer.addStretch(1)
    row = QHBoxLayout()
    row.addStretch(1)
    card = QFrame(page)
    card.setObjectName(name)
    card.setStyleSheet(f"#{name} {{ background: #ffffff; border: 1px solid #b0bec5; }}")
    card.setFixedWidth(width)
    row.addWidget(card)
    row.addStretch(1)
    outer.addLayout(row)
    outer.addStretch(2)
    inner = QVBoxLayout(card)
    inner.setContentsMargins(28, 24, 28, 24)
    inner.setSpacing(spacing)
    return inner


def password_field(name: str) -> QLineEdit:
    """A field whose text is never shown on screen."""
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


class ErrorLine(QLabel):
    """The hidden line where the core's one-sentence refusal is shown as it is."""

    def __init__(self, name: str, *, selectable: bool = False) -> None:
        super().__init__()
        self.setObjectName(name)
        self.setWordWrap(True)
        if selectable:
            self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        set_role(self, "error")
        self.hide()

    def say(self, text: str) -> None:
        self.setText(f"⚠ {text}")
        self.show()


class UserAndPassword:
    """A user-name row and a password row added to a form; Return in the first moves on.

    Not a widget of its own: the rows stay in the page's form, so the page looks as if it
    had built them itself.
    """

    def __init__(
        self,
        form: QFormLayout,
        labels: tuple[str, str],
        names: tuple[str, str],
    ) -> None:
        self.user_edit = QLineEdit()
        self.user_edit.setObjectName(names[0])
        self.password_edit = password_field(names[1])
        form.addRow(labels[0], self.user_edit)  # the label's buddy is the field
        form.addRow(labels[1], self.password_edit)
        self.user_edit.returnPressed.connect(self.password_edit.setFocus)

    def typed(self, refuse: Callable[[str], None]) -> tuple[str, str] | None:
        """The user name (trimmed) and password, or None after `refuse` was told that the
        user name is empty: asking the core for a blank user would only cost a wait."""
        user = self.user_edit.text().strip()
        if not user:
            refuse(_("Type your user name."))
            self.user_edit.setFocus()
            return None
        return user, self.password_edit.text()
