"""This laptop's adjustable settings (IT): idle lock, snapshot age thresholds.

One field per setting the core lists (`continuity.store.settings.ADJUSTABLE`), with its
translated label and limits. The fields are plain text boxes, not spin boxes: the core parses
and validates (one source of truth), and a refused value gets the core's one sentence in the
dialog rather than being silently clamped by the widget.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from continuity.core.errors import UserError
from continuity.core.i18n import _, language
from continuity.store.session import Session
from continuity.store.settings import (
    IDLE_LOCK_MINUTES,
    Adjustable,
    idle_lock_minutes,
    list_settings,
    set_setting,
)
from continuity.ui.style import grow_to_fit, hold_dialog_size, message_line, set_role

if TYPE_CHECKING:
    from continuity.ui.main_window import MainWindow


def number_text(value: float) -> str:
    """As people write it here: 0,5 in French."""
    text = f"{value:g}"
    return text.replace(".", ",") if language() == "fr" else text


class SettingsDialog(QDialog):
    """Save sets each changed value through the core; `changed` lists the keys stored."""

    changed = Signal(object)  # list[str]

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle(_("Settings of this laptop"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        layout = QVBoxLayout(self)
        hold_dialog_size(layout, 620)
        intro = QLabel(_("Changes apply at once and are recorded in the audit log."))
        intro.setWordWrap(True)
        set_role(intro, "hint")
        layout.addWidget(intro)
        form = QFormLayout()
        self.fields: dict[str, QLineEdit] = {}
        self.initial: dict[str, str] = {}
        self.specs: dict[str, Adjustable] = {}
        for spec, value in list_settings(session):
            edit = QLineEdit(number_text(value))
            edit.setObjectName(f"setting_{spec.key}")
            edit.setMaximumWidth(90)
            limits = QLabel(
                _("between {low} and {high}").format(
                    low=number_text(spec.minimum), high=number_text(spec.maximum)
                )
            )
            set_role(limits, "hint")
            row = QHBoxLayout()
            row.addWidget(edit)
            row.addWidget(limits, 1)
            label = QLabel(_(spec.label))
            label.setBuddy(edit)
            form.addRow(label, row)
            self.fields[spec.key] = edit
            self.initial[spec.key] = edit.text()
            self.specs[spec.key] = spec
        layout.addLayout(form)
        self.error = message_line("settings_error", "error")
        layout.addWidget(self.error)
        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton(_("Save"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("settings_save")
        buttons.addButton(_("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def pending(self) -> list[str]:
        return [k for k, edit in self.fields.items() if edit.text().strip() != self.initial[k]]

    def save(self) -> bool:
        """Store every changed value; stay open with the core's sentence if one is refused.

        Values that depend on each other (the ageing threshold must stay below the stale
        one) may only be accepted in a certain order, so refused ones are tried again while
        others get through; what is stored is shown as the new starting point.
        """
        self.error.hide()
        stored: list[str] = []
        waiting = self.pending()
        refusal = ""
        while waiting:
            refused = []
            for key in waiting:
                try:
                    value = set_setting(self.session, key, self.fields[key].text())
                except UserError as exc:
                    refused.append(key)
                    refusal = exc.message
                    continue
                self.fields[key].setText(number_text(value))
                self.initial[key] = self.fields[key].text()
                stored.append(key)
            if len(refused) == len(waiting):
                break
            waiting = refused
        if stored:
            self.changed.emit(stored)
        if self.pending():
            self.error.setText("⚠ " + refusal)
            self.error.show()
            self.fields[self.pending()[0]].setFocus()
            grow_to_fit(self)
            return False
        self.accept()
        return True


def open_settings(window: MainWindow) -> SettingsDialog | None:
    session = window.session
    if session is None or session.locked:
        return None
    dialog = window.call(lambda: SettingsDialog(session, window))
    if dialog is None:
        return None
    dialog.changed.connect(lambda keys: _apply(window, keys))
    window.settings_dialog = dialog
    dialog.open()
    return dialog


def _apply(window: MainWindow, keys: list[str]) -> None:
    """New values take effect at once: the idle lock's limit, the banner's thresholds."""
    if window.session is None:
        return
    if IDLE_LOCK_MINUTES in keys:
        window.idle.set_minutes(idle_lock_minutes(window.session))
    window.banner.refresh(window.session)
    window.refresh_readiness()
