"""Which dialog records or corrects which kind of entry, and withdrawing an entry.

One table from entry kind to dialog, so the chart's buttons, the Record menu and the
Correct button of the entries list all open the same dialogs.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from continuity.core.clock import from_iso
from continuity.core.entries import Kind
from continuity.core.errors import BadInput, UserError
from continuity.core.i18n import _
from continuity.store import census, entries
from continuity.store.census import Patient
from continuity.store.entry_log import StoredEntry
from continuity.store.session import Session
from continuity.ui.care_dialogs import AllergyDialog, NoteDialog, VitalsDialog
from continuity.ui.dose_dialog import DoseDialog
from continuity.ui.entries_view import entry_summary, kind_label
from continuity.ui.entry_dialog import EntryDialog
from continuity.ui.movement_dialogs import AdmissionDialog, DischargeDialog, TransferDialog
from continuity.ui.order_dialogs import InfusionDialog, LineDialog, ManualOrderDialog
from continuity.ui.style import grow_to_fit, hold_dialog_size, set_role

#: Entry kind -> the dialog that records (and corrects) it; doses need their order too.
DIALOGS: dict[str, type[EntryDialog]] = {
    Kind.VITALS: VitalsDialog,
    Kind.NOTE: NoteDialog,
    Kind.ALLERGY: AllergyDialog,
    Kind.TRANSFER: TransferDialog,
    Kind.DISCHARGE: DischargeDialog,
    Kind.ADMISSION: AdmissionDialog,
    Kind.MANUAL_ORDER: ManualOrderDialog,
    Kind.INFUSION: InfusionDialog,
    Kind.LINE: LineDialog,
}


def correction_dialog(session: Session, entry: StoredEntry, parent: QWidget | None) -> EntryDialog:
    """The kind's own dialog, opened on the earlier values, asking for the reason."""
    patient = census.get_patient(session, entry.patient_id) if entry.patient_id else None
    if entry.kind == Kind.DOSE:
        order = census.get_order(session, entry.order_id or "")
        if order is None or patient is None:
            raise BadInput(
                _(
                    "The order of this dose is no longer in the cache: withdraw the "
                    "entry and record it again."
                )
            )
        scheduled = entry.payload.get("scheduled")
        return DoseDialog(
            session,
            patient,
            order,
            from_iso(scheduled) if scheduled else None,
            parent,
            replacing=entry,
        )
    dialog_class = DIALOGS.get(entry.kind)
    if dialog_class is None:
        raise BadInput(_("This entry cannot be corrected; withdraw it instead."))
    return dialog_class(session, patient, parent, replacing=entry)


class RetractDialog(QDialog):
    """Withdraw an entry made in error: it stays in the cache, marked, with the reason."""

    saved = Signal(object)

    def __init__(
        self,
        session: Session,
        entry: StoredEntry,
        patient: Patient | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.entry = entry
        self.setWindowTitle(_("Withdraw an entry"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        layout = QVBoxLayout(self)
        hold_dialog_size(layout, 520)
        who = f" — {patient.display_name}" if patient is not None else ""
        what = QLabel(
            f"{_('No. {seq}').format(seq=entry.seq)} · {kind_label(entry.kind)}"
            f" · {entry_summary(entry)}{who}"
        )
        what.setWordWrap(True)
        layout.addWidget(what)
        form = QFormLayout()
        self.reason = QLineEdit()
        self.reason.setObjectName("retract_reason")
        self.reason.setPlaceholderText(_("wrong patient, never happened…"))
        form.addRow(_("Reason"), self.reason)
        layout.addLayout(form)
        self.error = QLabel()
        self.error.setWordWrap(True)
        set_role(self.error, "error")
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton(_("Withdraw"), QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(_("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def save(self) -> None:
        try:
            stored = entries.retract_entry(self.session, self.entry.uuid, self.reason.text())
        except UserError as exc:
            self.error.setText("⚠ " + exc.message)
            self.error.show()
            grow_to_fit(self)
            return
        self.saved.emit(stored)
        self.accept()
