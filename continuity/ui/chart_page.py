"""One patient's chart: identity and allergies on top, then today's eMAR, orders, vital
signs, notes, appointments and every entry recorded on this laptop with its corrections.

The chart opens the entry dialogs for its patient; after a dialog's entry is stored (and only
then) the chart reloads from the cache and tells the window, so the census follows.
"""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from continuity.core.clock import local
from continuity.core.entries import Kind
from continuity.core.errors import UserError
from continuity.core.i18n import _
from continuity.core.roles import Permission
from continuity.store import census, entries
from continuity.store.census import Patient
from continuity.store.entry_log import StoredEntry
from continuity.store.session import Session
from continuity.ui.chart_columns import appointment_columns, observation_columns, order_columns
from continuity.ui.dose_dialog import DoseDialog
from continuity.ui.entries_view import (
    NOTE_COLUMNS,
    VITALS_COLUMNS,
    EntriesView,
    note_columns,
    vitals_columns,
)
from continuity.ui.entry_actions import DIALOGS, RetractDialog, correction_dialog
from continuity.ui.entry_dialog import EntryDialog
from continuity.ui.mar_model import CellTarget
from continuity.ui.mar_view import MarView
from continuity.ui.patient_banner import PatientBanner
from continuity.ui.row_table import RowTableModel, table_view

TAB_MAR, TAB_ORDERS, TAB_VITALS, TAB_NOTES, TAB_APPOINTMENTS, TAB_ENTRIES = range(6)


def other_entry_kinds() -> list[tuple[str, str]]:
    """The entry kinds of the "More" menu, in the order a nurse looks for them."""
    return [
        (Kind.ALLERGY, _("Allergy…")),
        (Kind.INFUSION, _("Infusion…")),
        (Kind.LINE, _("Line or device…")),
        (Kind.MANUAL_ORDER, _("Handwritten order…")),
        (Kind.TRANSFER, _("Transfer…")),
        (Kind.DISCHARGE, _("Discharge…")),
    ]


class ChartPage(QWidget):
    back_requested = Signal()
    changed = Signal()  # an entry was stored: the census may differ now
    problem = Signal(str)  # a refusal to show in one sentence
    dose_dialog_opened = Signal(object)  # a new dose (not a correction): its DoseDialog

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session: Session | None = None
        self.patient: Patient | None = None
        self.dialog: QWidget | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 4)
        top = QHBoxLayout()
        self.back_button = QPushButton(_("← Patient list (Esc)"))
        self.back_button.setObjectName("chart_back")
        self.back_button.setAutoDefault(False)
        self.back_button.clicked.connect(self.back_requested)
        top.addWidget(self.back_button)
        top.addStretch(1)
        self.vitals_button = QPushButton(_("Vital &signs…"))
        self.vitals_button.setObjectName("chart_record_vitals")
        self.note_button = QPushButton(_("N&ote…"))
        self.note_button.setObjectName("chart_record_note")
        self.more_button = QToolButton()
        self.more_button.setObjectName("chart_record_more")
        self.more_button.setText(_("More entries ▾"))
        self.more_button.setStyleSheet(
            "QToolButton::menu-indicator { image: none; } QToolButton { padding: 5px 14px; }"
        )
        self.more_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        more = QMenu(self.more_button)
        for kind, label in other_entry_kinds():
            action = QAction(label, more)
            action.setObjectName(f"record_{kind}")
            action.triggered.connect(lambda _c=False, k=kind: self.record(k))
            more.addAction(action)
        self.more_button.setMenu(more)
        for button in (self.vitals_button, self.note_button):
            button.setAutoDefault(False)
            top.addWidget(button)
        top.addWidget(self.more_button)
        self.vitals_button.clicked.connect(lambda: self.record(Kind.VITALS))
        self.note_button.clicked.connect(lambda: self.record(Kind.NOTE))
        layout.addLayout(top)

        self.banner = PatientBanner(self)
        layout.addWidget(self.banner)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("chart_tabs")
        layout.addWidget(self.tabs, 1)

        self.mar_view = MarView()
        self.mar_view.cell_chosen.connect(self.open_dose)
        self.tabs.addTab(self.mar_view, _("&MAR (today)"))

        self.orders_model: RowTableModel = RowTableModel(())
        self.orders_view = table_view(self.orders_model, name="chart_orders")
        self.tabs.addTab(self.orders_view, _("&Orders"))

        vitals = QWidget()
        vitals_layout = QVBoxLayout(vitals)
        vitals_layout.setContentsMargins(4, 4, 4, 4)
        recorded_title = QLabel(_("Recorded on this laptop"))
        recorded_title.setStyleSheet("font-weight: bold;")
        vitals_layout.addWidget(recorded_title)
        self.vitals_model: RowTableModel[StoredEntry] = RowTableModel(VITALS_COLUMNS)
        vitals_layout.addWidget(table_view(self.vitals_model, name="chart_vitals"), 2)
        snapshot_title = QLabel(_("Latest values from the central record (snapshot)"))
        snapshot_title.setStyleSheet("font-weight: bold;")
        vitals_layout.addWidget(snapshot_title)
        self.obs_model: RowTableModel = RowTableModel(())
        self.obs_view = table_view(self.obs_model, name="chart_observations")
        vitals_layout.addWidget(self.obs_view, 1)
        self.tabs.addTab(vitals, _("&Vital signs"))

        self.notes_model: RowTableModel[StoredEntry] = RowTableModel(NOTE_COLUMNS)
        self.tabs.addTab(table_view(self.notes_model, name="chart_notes"), _("&Notes"))

        self.appt_model: RowTableModel = RowTableModel(appointment_columns())
        self.appt_view = table_view(self.appt_model, name="chart_appointments")
        self.tabs.addTab(self.appt_view, _("Appoint&ments"))

        self.entries_view = EntriesView()
        self.entries_view.correct_requested.connect(self.correct)
        self.entries_view.retract_requested.connect(self.retract)
        self.tabs.addTab(self.entries_view, _("&Entries"))

    # -- showing ---------------------------------------------------------------------------
    def show_patient(self, session: Session, patient_id: str) -> bool:
        """Load the chart; False if the patient is not in the cache (any more)."""
        patient = census.get_patient(session, patient_id)
        if patient is None:
            self.patient = None
            return False
        first_time = self.patient is None or self.patient.id != patient.id
        self.session = session
        self.patient = patient
        now = session.now()
        today = local(now).date()
        self.banner.show_patient(patient, census.allergies(session, patient.id), today)
        can_record = session.can(Permission.RECORD_CARE)
        for widget in (self.vitals_button, self.note_button, self.more_button):
            widget.setVisible(can_record)
        self.entries_view.correct_button.setVisible(can_record)
        self.entries_view.retract_button.setVisible(can_record)

        if first_time:
            self.mar_view.show_patient(session, patient.id)
        else:
            self.mar_view.session = session
            self.mar_view.reload()

        orders = census.orders(session, patient.id)
        self.orders_model.set_rows(orders, order_columns(now))
        high = sum(1 for o in orders if o.high_alert)
        self.tabs.setTabText(
            TAB_ORDERS,
            _("&Orders ({n})").format(n=len(orders)) + (f" ▲{high}" if high else ""),
        )
        self.obs_model.set_rows(
            census.latest_observations(session, patient.id), observation_columns(now)
        )
        start = local(now).replace(hour=0, minute=0, second=0, microsecond=0)
        self.appt_model.set_rows(
            census.appointments(
                session,
                start - timedelta(days=1),
                start + timedelta(days=15),
                patient_id=patient.id,
            )
        )

        found = entries.list_entries(session, patient.id)
        effective = [e for e in found if e.effective]
        names = census.staff_names(session)
        self.entries_view.set_entries(found, names)
        notes = [e for e in effective if e.kind == Kind.NOTE]
        vitals = [e for e in effective if e.kind == Kind.VITALS]
        self.notes_model.set_rows(
            sorted(notes, key=lambda e: e.clinical_time, reverse=True), note_columns(names)
        )
        self.vitals_model.set_rows(
            sorted(vitals, key=lambda e: e.clinical_time, reverse=True), vitals_columns(names)
        )
        self.tabs.setTabText(TAB_NOTES, _("&Notes ({n})").format(n=len(notes)))
        self.tabs.setTabText(TAB_ENTRIES, _("&Entries ({n})").format(n=len(found)))
        if first_time:
            self.tabs.setCurrentIndex(TAB_MAR)
        return True

    def reload(self) -> None:
        if self.session is not None and self.patient is not None:
            self.show_patient(self.session, self.patient.id)

    def clear(self) -> None:
        """Forget the patient (lock, change of user): nothing of them stays in a widget."""
        self.patient = None
        self.session = None
        self.mar_view.clear()
        for model in (
            self.orders_model,
            self.obs_model,
            self.appt_model,
            self.notes_model,
            self.vitals_model,
            self.entries_view.model,
        ):
            model.set_rows([])
        for label in (
            self.banner.name,
            self.banner.identity,
            self.banner.allergy,
            self.banner.flags,
        ):
            label.clear()

    # -- recording -------------------------------------------------------------------------
    def open_dose(self, target: CellTarget) -> DoseDialog | None:
        """A click on a dose time: record it, or correct what was recorded there."""
        if self.session is None or self.patient is None or target.row.order is None:
            return None
        if not self.session.can(Permission.RECORD_CARE) or self._busy():
            return None
        recorded = [d.entry for d in target.doses if d.entry is not None]
        if target.scheduled is not None and recorded:
            dialog = correction_dialog(self.session, recorded[-1], self)
            self._open(dialog)
        else:
            dialog = DoseDialog(
                self.session, self.patient, target.row.order, target.scheduled, self
            )
            self._open(dialog)
            self.dose_dialog_opened.emit(dialog)
        return dialog  # type: ignore[return-value]

    def record(self, kind: str) -> EntryDialog | None:
        if self.session is None or self.patient is None or self._busy():
            return None
        dialog = DIALOGS[kind](self.session, self.patient, self)
        self._open(dialog)
        return dialog

    def correct(self, entry: StoredEntry) -> EntryDialog | None:
        if self.session is None or self._busy():
            return None
        try:
            dialog = correction_dialog(self.session, entry, self)
        except UserError as exc:
            self.problem.emit(exc.message)
            return None
        self._open(dialog)
        return dialog

    def retract(self, entry: StoredEntry) -> RetractDialog | None:
        if self.session is None or self._busy():
            return None
        dialog = RetractDialog(self.session, entry, self.patient, self)
        self._open(dialog)
        return dialog

    def _busy(self) -> bool:
        return self.dialog is not None and self.dialog.isVisible()

    def _open(self, dialog) -> None:
        self.dialog = dialog
        dialog.saved.connect(self._saved)
        dialog.finished.connect(self._closed)
        dialog.open()

    def _closed(self, *_args: object) -> None:
        self.dialog = None

    def _saved(self, _entry: StoredEntry) -> None:
        self.reload()
        self.changed.emit()
