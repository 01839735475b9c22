"""One patient's chart: identity and allergies on top, then eMAR, orders, vitals, notes,
appointments and the entries recorded on this laptop.
"""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from continuity.core.clock import local
from continuity.core.i18n import _
from continuity.store import census
from continuity.store.census import Patient
from continuity.store.session import Session
from continuity.ui.chart_columns import appointment_columns, observation_columns, order_columns
from continuity.ui.patient_banner import PatientBanner
from continuity.ui.row_table import RowTableModel, table_view
from continuity.ui.style import set_role


class ChartPage(QWidget):
    back_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.patient: Patient | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        top = QHBoxLayout()
        self.back_button = QPushButton(_("← Patient list (Esc)"))
        self.back_button.setObjectName("chart_back")
        self.back_button.setAutoDefault(False)
        self.back_button.clicked.connect(self.back_requested)
        top.addWidget(self.back_button)
        top.addStretch(1)
        self.actions_bar = QHBoxLayout()
        top.addLayout(self.actions_bar)
        layout.addLayout(top)

        self.banner = PatientBanner(self)
        layout.addWidget(self.banner)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("chart_tabs")
        layout.addWidget(self.tabs, 1)

        self.mar_holder = QWidget()
        self.mar_layout = QVBoxLayout(self.mar_holder)
        self.mar_layout.setContentsMargins(4, 4, 4, 4)
        self.mar_missing = QLabel(
            _("The electronic MAR is not available in this version: use the printed MAR (Ctrl+P).")
        )
        set_role(self.mar_missing, "warning")
        self.mar_missing.setWordWrap(True)
        self.mar_layout.addWidget(self.mar_missing)
        self.mar_layout.addStretch(1)
        self.tabs.addTab(self.mar_holder, _("&MAR (today)"))

        self.orders_model: RowTableModel = RowTableModel(())
        self.orders_view = table_view(self.orders_model, name="chart_orders")
        self.tabs.addTab(self.orders_view, _("&Orders"))

        vitals = QWidget()
        vitals_layout = QVBoxLayout(vitals)
        vitals_layout.setContentsMargins(4, 4, 4, 4)
        snapshot_title = QLabel(_("Latest values from the central record (snapshot)"))
        snapshot_title.setStyleSheet("font-weight: bold;")
        vitals_layout.addWidget(snapshot_title)
        self.obs_model: RowTableModel = RowTableModel(())
        self.obs_view = table_view(self.obs_model, name="chart_observations")
        vitals_layout.addWidget(self.obs_view, 1)
        self.vitals_layout = vitals_layout
        self.tabs.addTab(vitals, _("&Vital signs"))

        self.appt_model: RowTableModel = RowTableModel(appointment_columns())
        self.appt_view = table_view(self.appt_model, name="chart_appointments")
        self.tabs.addTab(self.appt_view, _("Appoint&ments"))

    def show_patient(self, session: Session, patient_id: str) -> bool:
        """Load the chart; False if the patient is not in the cache (any more)."""
        patient = census.get_patient(session, patient_id)
        if patient is None:
            self.patient = None
            return False
        self.patient = patient
        now = session.now()
        today = local(now).date()
        self.banner.show_patient(patient, census.allergies(session, patient.id), today)

        orders = census.orders(session, patient.id)
        self.orders_model.set_rows(orders, order_columns(now))
        high = sum(1 for o in orders if o.high_alert)
        self.tabs.setTabText(
            self.tabs.indexOf(self.orders_view),
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
        return True

    def clear(self) -> None:
        """Forget the patient (lock, change of user): nothing of them stays in a widget."""
        self.patient = None
        for model in (self.orders_model, self.obs_model, self.appt_model):
            model.set_rows([])
        self.banner.name.clear()
        self.banner.identity.clear()
        self.banner.allergy.clear()
        self.banner.flags.clear()
