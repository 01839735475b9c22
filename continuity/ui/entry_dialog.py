"""What every care-recording dialog shares: who it is for, when, Save, and the core's answer.

A dialog writes nothing until Save, and then makes exactly one core call. The core answers
with the stored entry (shown only once committed), a refusal (one sentence, the dialog stays
open with what was typed), or a safety check asking for confirmation: the dialog then shows
the warning in place and its Save button becomes "Confirm and save"; changing any field
withdraws that confirmation, so what is confirmed is what was shown. A dialog discarded by
the screen lock has written nothing.

The same dialog corrects an earlier entry (`replacing`): it opens with the earlier values,
asks for the reason, and calls the core's `correct_entry`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QDateTime, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from continuity.core.clock import PARIS, format_local, local
from continuity.core.errors import NeedsConfirmation, UserError
from continuity.core.i18n import _
from continuity.store import census, entries
from continuity.store.census import Patient
from continuity.store.entry_log import StoredEntry
from continuity.store.session import Session
from continuity.ui.patient_banner import PatientBanner
from continuity.ui.style import grow_to_fit, hold_dialog_size, message_line


def to_qdatetime(moment: datetime) -> QDateTime:
    """A wall-clock QDateTime in Paris time (what the nurse reads on the ward clock)."""
    here = local(moment)
    return QDateTime(here.year, here.month, here.day, here.hour, here.minute, 0)


def from_qdatetime(value: QDateTime) -> datetime:
    return value.toPython().replace(second=0, microsecond=0, tzinfo=PARIS)


def combo(items: dict[str, str], *, name: str = "") -> QComboBox:
    """A drop-down of (code -> English label), labels translated, codes as data."""
    box = QComboBox()
    if name:
        box.setObjectName(name)
    for code, label in items.items():
        box.addItem(_(label), code)
    return box


def text_of(widget: QLineEdit | QPlainTextEdit) -> str | None:
    text = widget.toPlainText() if isinstance(widget, QPlainTextEdit) else widget.text()
    return text.strip() or None


class EntryDialog(QDialog):
    """Base of every entry dialog; subclasses add their fields and say which core call."""

    saved = Signal(object)  # the StoredEntry, once committed

    title = ""

    def __init__(
        self,
        session: Session,
        patient: Patient | None,
        parent: QWidget | None = None,
        *,
        replacing: StoredEntry | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.patient = patient
        self.replacing = replacing
        self.stored: StoredEntry | None = None
        self.confirming = False
        self.setWindowTitle(self.window_title())
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        layout = QVBoxLayout(self)
        hold_dialog_size(layout, 560)
        if patient is not None:
            banner = PatientBanner(self, compact=True)
            banner.show_patient(
                patient, census.allergies(session, patient.id), local(session.now()).date()
            )
            layout.addWidget(banner)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        layout.addLayout(self.form)
        self.build()

        self.when_edit = QDateTimeEdit()
        self.when_edit.setObjectName("entry_when")
        self.when_edit.setDisplayFormat("dd/MM/yyyy HH:mm")
        self.when_edit.setCalendarPopup(True)
        start = replacing.clinical_time if replacing is not None else session.now()
        self.when_edit.setDateTime(to_qdatetime(start))
        self.when_touched = replacing is not None
        self.when_edit.dateTimeChanged.connect(self._when_changed)
        self.add_row(self.when_label(), self.when_edit)

        self.reason_edit: QLineEdit | None = None
        if replacing is not None:
            self.reason_edit = QLineEdit()
            self.reason_edit.setObjectName("correction_reason")
            self.reason_edit.setPlaceholderText(_("wrong patient, wrong time, wrong value…"))
            self.add_row(_("Reason for the correction"), self.reason_edit)
            self.fill(replacing.payload)

        self.error = message_line("entry_error", "error")
        layout.addWidget(self.error)
        self.warning = message_line("entry_confirmation", "warning")
        layout.addWidget(self.warning)

        buttons = QDialogButtonBox()
        self.save_button = QPushButton(self.save_text())
        self.save_button.setObjectName("entry_save")
        self.save_button.setDefault(True)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = buttons.addButton(_("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        cancel.setObjectName("entry_cancel")
        self.save_button.clicked.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._watch_inputs()

    # -- what subclasses provide ---------------------------------------------------------
    def window_title(self) -> str:
        if self.replacing is not None:
            return _("Correct: {what}").format(what=self.title)
        return self.title

    def build(self) -> None:
        """Add the kind's own fields with `add_row`."""

    def fields(self) -> dict[str, Any]:
        """The payload fields as typed (the core validates them)."""
        return {}

    def fill(self, payload: dict[str, Any]) -> None:
        """Show an earlier entry's values (correction)."""

    def record(self, *, at: datetime | None, confirm: bool, **fields: Any) -> StoredEntry:
        """The core call that records a new entry of this kind."""
        raise NotImplementedError

    def correction_extras(self) -> dict[str, Any]:
        return {}

    def when_label(self) -> str:
        return _("When")

    def save_text(self) -> str:
        return _("Save correction") if self.replacing is not None else _("Save")

    # -- shared behaviour ------------------------------------------------------------------
    def add_row(self, label: str, widget: QWidget) -> None:
        self.form.addRow(label, widget)
        item = self.form.labelForField(widget)
        if isinstance(item, QLabel):
            item.setBuddy(widget)

    def when(self) -> datetime | None:
        """None when the time was left alone: the core then takes the moment of saving."""
        return from_qdatetime(self.when_edit.dateTime()) if self.when_touched else None

    def _when_changed(self) -> None:
        self.when_touched = True

    def submit(self, confirm: bool) -> StoredEntry:
        fields = self.fields()
        at = self.when()
        if self.replacing is not None:
            if at is not None:
                fields["at"] = at
            return entries.correct_entry(
                self.session,
                self.replacing.uuid,
                text_of(self.reason_edit) or "",
                confirm=confirm,
                **self.correction_extras(),
                **fields,
            )
        return self.record(at=at, confirm=confirm, **fields)

    def save(self) -> None:
        self.error.hide()
        try:
            stored = self.submit(self.confirming)
        except NeedsConfirmation as exc:
            self._ask_confirmation(exc.message)
            return
        except UserError as exc:
            self.error.setText("⚠ " + exc.message)
            self.error.show()
            grow_to_fit(self)
            return
        self.stored = stored
        self.saved.emit(stored)
        self.accept()

    def _ask_confirmation(self, message: str) -> None:
        self.confirming = True
        self.warning.setText(
            "⚠ "
            + message
            + "\n"
            + _("Check, then confirm to save anyway; the confirmation is recorded with the entry.")
        )
        self.warning.show()
        self.save_button.setText(_("Confirm and save"))
        grow_to_fit(self)

    def _withdraw_confirmation(self, *_args: object) -> None:
        if self.confirming:
            self.confirming = False
            self.warning.hide()
            self.save_button.setText(self.save_text())

    def showEvent(self, event) -> None:
        super().showEvent(event)
        grow_to_fit(self)

    def _watch_inputs(self) -> None:
        for edit in self.findChildren(QLineEdit):
            if edit.echoMode() != QLineEdit.EchoMode.Password:  # a witness typing is no change
                edit.textEdited.connect(self._withdraw_confirmation)
        for text in self.findChildren(QPlainTextEdit):
            text.textChanged.connect(self._withdraw_confirmation)
        for box in self.findChildren(QComboBox):
            box.currentIndexChanged.connect(self._withdraw_confirmation)
        for button in self.findChildren(QAbstractButton):
            if isinstance(button, QCheckBox) or button.isCheckable():
                button.toggled.connect(self._withdraw_confirmation)
        self.when_edit.dateTimeChanged.connect(self._withdraw_confirmation)


def describe_time(moment: datetime | None) -> str:
    return format_local(moment) if moment else _("as needed")
