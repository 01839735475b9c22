"""Choosing what to print: the sheet, for whom (this patient, a ward, the site), which day.

The sheet is drawn by the printing core on the worker (a ward batch takes a moment), then
shown in the preview, from which it is printed or saved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from continuity.core.i18n import _
from continuity.printing.request import SheetKind, SheetRequest
from continuity.store.census import Patient
from continuity.ui.style import hold_dialog_size

#: How each sheet may be scoped: per patient, per ward, or the whole site.
PATIENT_SHEETS = {
    SheetKind.MAR,
    SheetKind.PRESCRIPTIONS,
    SheetKind.LABELS,
    SheetKind.VITALS_CHART,
    SheetKind.NURSING_NOTES,
}
WARD_SHEETS = {
    SheetKind.MAR,
    SheetKind.PRESCRIPTIONS,
    SheetKind.LABELS,
    SheetKind.PICK_LIST,
    SheetKind.CENSUS,
}
DAY_SHEETS = {SheetKind.MAR, SheetKind.OR_LIST, SheetKind.APPOINTMENTS}
BLANK_FORMS = {SheetKind.VITALS_CHART, SheetKind.NURSING_NOTES}
COPY_SHEETS = {SheetKind.ADMISSION_FORM, SheetKind.VITALS_CHART, SheetKind.NURSING_NOTES}


def sheet_title(kind: SheetKind) -> str:
    return {
        SheetKind.MAR: _("Medication administration record (MAR)"),
        SheetKind.PRESCRIPTIONS: _("Prescription sheet"),
        SheetKind.PICK_LIST: _("Pharmacy pick list"),
        SheetKind.CENSUS: _("Ward census"),
        SheetKind.OR_LIST: _("Operating-room list"),
        SheetKind.APPOINTMENTS: _("Appointments"),
        SheetKind.LABELS: _("Patient labels"),
        SheetKind.VITALS_CHART: _("Vital-signs chart (blank)"),
        SheetKind.NURSING_NOTES: _("Nursing notes sheet (blank)"),
        SheetKind.ADMISSION_FORM: _("Downtime admission form (blank)"),
    }[kind]


@dataclass(frozen=True)
class PrintContext:
    """Where the user is: the patient on screen and the ward chosen in the census."""

    patient: Patient | None
    ward: str | None
    wards: tuple[str, ...]
    today: date


SCOPE_PATIENT, SCOPE_WARD, SCOPE_SITE, SCOPE_NONE = "patient", "ward", "site", "none"


class PrintDialog(QDialog):
    def __init__(
        self, kind: SheetKind, context: PrintContext, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.kind = kind
        self.context = context
        self.setWindowTitle(_("Print: {sheet}").format(sheet=sheet_title(kind)))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        layout = QVBoxLayout(self)
        hold_dialog_size(layout, 480)
        title = QLabel(sheet_title(kind))
        title.setStyleSheet("font-size: 13pt; font-weight: bold;")
        layout.addWidget(title)
        form = QFormLayout()
        layout.addLayout(form)

        self.scope_group = QButtonGroup(self)
        self.scope_buttons: dict[str, QRadioButton] = {}
        holder = QWidget()
        scope_layout = QVBoxLayout(holder)
        scope_layout.setContentsMargins(0, 0, 0, 0)
        if kind in PATIENT_SHEETS and context.patient is not None:
            self._scope(
                scope_layout,
                SCOPE_PATIENT,
                _("This patient: {name} ({id})").format(
                    name=context.patient.display_name, id=context.patient.label_id
                ),
            )
        if kind in WARD_SHEETS:
            self._scope(scope_layout, SCOPE_WARD, _("A ward:"))
        if kind in (PATIENT_SHEETS | WARD_SHEETS) - BLANK_FORMS:
            self._scope(scope_layout, SCOPE_SITE, _("The whole site"))
        if kind in BLANK_FORMS:
            self._scope(scope_layout, SCOPE_NONE, _("Blank, for a patient not in the cache"))
        self.ward_combo = QComboBox()
        self.ward_combo.setObjectName("print_ward")
        for ward in context.wards:
            self.ward_combo.addItem(ward, ward)
        if context.ward:
            self.ward_combo.setCurrentIndex(max(0, self.ward_combo.findData(context.ward)))
        if self.scope_buttons:
            form.addRow(_("For"), holder)
            if SCOPE_WARD in self.scope_buttons:
                form.addRow(_("Ward"), self.ward_combo)
            first = next(iter(self.scope_buttons.values()))
            first.setChecked(True)
            if SCOPE_WARD in self.scope_buttons and context.patient is None and context.ward:
                self.scope_buttons[SCOPE_WARD].setChecked(True)

        self.day_edit = QDateEdit()
        self.day_edit.setObjectName("print_day")
        self.day_edit.setDisplayFormat("dd/MM/yyyy")
        self.day_edit.setCalendarPopup(True)
        today = context.today
        self.day_edit.setDate(QDate(today.year, today.month, today.day))
        if kind in DAY_SHEETS:
            form.addRow(_("Day"), self.day_edit)
        self.hours_combo = QComboBox()
        self.hours_combo.addItem(_("24 hours (one day)"), 24)
        self.hours_combo.addItem(_("72 hours (three days, one page each)"), 72)
        if kind is SheetKind.MAR:
            form.addRow(_("Period"), self.hours_combo)
        self.copies = QSpinBox()
        self.copies.setRange(1, 100)
        if kind in COPY_SHEETS:
            form.addRow(_("Copies"), self.copies)

        buttons = QDialogButtonBox()
        self.preview_button = buttons.addButton(
            _("Preview"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.preview_button.setObjectName("print_preview")
        buttons.addButton(_("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        for button in self.scope_buttons.values():
            button.toggled.connect(self._scope_changed)
        self._scope_changed()

    def _scope(self, layout: QVBoxLayout, key: str, text: str) -> None:
        button = QRadioButton(text)
        button.setObjectName(f"print_scope_{key}")
        self.scope_group.addButton(button)
        layout.addWidget(button)
        self.scope_buttons[key] = button

    def scope(self) -> str:
        for key, button in self.scope_buttons.items():
            if button.isChecked():
                return key
        return SCOPE_SITE

    def _scope_changed(self, *_args: object) -> None:
        self.ward_combo.setEnabled(self.scope() == SCOPE_WARD)

    def request(self) -> SheetRequest:
        scope = self.scope()
        patient_ids: tuple[str, ...] = ()
        ward = None
        if scope == SCOPE_PATIENT and self.context.patient is not None:
            patient_ids = (self.context.patient.id,)
        elif scope == SCOPE_WARD:
            ward = self.ward_combo.currentData()
        q = self.day_edit.date()
        return SheetRequest(
            self.kind,
            ward=ward,
            patient_ids=patient_ids,
            day=date(q.year(), q.month(), q.day()) if self.kind in DAY_SHEETS else None,
            hours=self.hours_combo.currentData() if self.kind is SheetKind.MAR else 24,
            copies=self.copies.value() if self.kind in COPY_SHEETS else 1,
        )
