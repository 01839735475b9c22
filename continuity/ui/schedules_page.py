"""Operating-room lists and appointments, one day at a time, by room or place."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from continuity.core.clock import PARIS, local
from continuity.core.i18n import _
from continuity.store import census
from continuity.store.session import Session
from continuity.ui.chart_columns import appointment_columns
from continuity.ui.row_table import RowTableModel, table_view

SCHED_START, SCHED_END, SCHED_KIND, SCHED_PLACE, SCHED_PATIENT, SCHED_WHAT = range(6)
SCHED_STAFF, SCHED_STATUS = 6, 7

KIND_ALL, KIND_OPERATING, KIND_APPOINTMENT = None, "operating", "appointment"


class SchedulesPage(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session: Session | None = None
        self.names: dict[str, str] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        bar = QHBoxLayout()
        self.previous = QPushButton(_("◀ Previous day"))
        self.previous.setAutoDefault(False)
        self.day_edit = QDateEdit()
        self.day_edit.setObjectName("schedule_day")
        self.day_edit.setDisplayFormat("dd/MM/yyyy")
        self.day_edit.setCalendarPopup(True)
        self.next = QPushButton(_("Next day ▶"))
        self.next.setAutoDefault(False)
        self.today_button = QPushButton(_("Today"))
        self.today_button.setAutoDefault(False)
        kind_label = QLabel(_("&Show"))
        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("schedule_kind")
        self.kind_combo.addItem(_("Everything"), KIND_ALL)
        self.kind_combo.addItem(_("Operating rooms"), KIND_OPERATING)
        self.kind_combo.addItem(_("Appointments"), KIND_APPOINTMENT)
        kind_label.setBuddy(self.kind_combo)
        place_label = QLabel(_("&Room / place"))
        self.place_combo = QComboBox()
        self.place_combo.setObjectName("schedule_place")
        self.place_combo.setMinimumWidth(200)
        place_label.setBuddy(self.place_combo)
        for widget in (self.previous, self.day_edit, self.next, self.today_button):
            bar.addWidget(widget)
        bar.addSpacing(16)
        bar.addWidget(kind_label)
        bar.addWidget(self.kind_combo)
        bar.addWidget(place_label)
        bar.addWidget(self.place_combo)
        bar.addStretch(1)
        layout.addLayout(bar)
        self.count_label = QLabel()
        layout.addWidget(self.count_label)

        self.model: RowTableModel = RowTableModel(appointment_columns(self.names))
        self.table = table_view(self.model, name="schedule_table")
        layout.addWidget(self.table, 1)

        self.previous.clicked.connect(lambda: self._shift(-1))
        self.next.clicked.connect(lambda: self._shift(1))
        self.today_button.clicked.connect(self._today)
        self.day_edit.dateChanged.connect(self.reload)
        self.kind_combo.currentIndexChanged.connect(self.reload)
        self.place_combo.currentIndexChanged.connect(self._filter_place)
        self._day_rows: list[census.Appointment] = []

    def start(self, session: Session) -> None:
        self.session = session
        self.names.clear()
        self.names.update(
            {
                p.id: f"{p.display_name} ({p.label_id})"
                for p in census.list_patients(session, include_discharged=True)
            }
        )
        self._today()

    def clear(self) -> None:
        self.session = None
        self.names.clear()
        self.model.set_rows([])
        self._day_rows = []

    def day(self) -> date:
        q = self.day_edit.date()
        return date(q.year(), q.month(), q.day())

    def _today(self) -> None:
        if self.session is None:
            return
        today = local(self.session.now()).date()
        self.day_edit.setDate(QDate(today.year, today.month, today.day))
        self.reload()

    def _shift(self, days: int) -> None:
        self.day_edit.setDate(self.day_edit.date().addDays(days))

    def reload(self) -> None:
        if self.session is None:
            return
        day = self.day()
        start = datetime(day.year, day.month, day.day, tzinfo=PARIS)
        end = start + timedelta(days=1)
        self._day_rows = census.appointments(
            self.session, start, end, kind=self.kind_combo.currentData()
        )
        chosen = self.place_combo.currentData()
        places = sorted({a.location for a in self._day_rows if a.location})
        self.place_combo.blockSignals(True)
        self.place_combo.clear()
        self.place_combo.addItem(_("All"), None)
        for place in places:
            self.place_combo.addItem(place, place)
        index = self.place_combo.findData(chosen) if chosen else 0
        self.place_combo.setCurrentIndex(max(index, 0))
        self.place_combo.blockSignals(False)
        self._filter_place()

    def _filter_place(self) -> None:
        place = self.place_combo.currentData()
        rows = [a for a in self._day_rows if place is None or a.location == place]
        rows.sort(key=lambda a: (a.location or "", a.start or datetime.min.replace(tzinfo=PARIS)))
        self.model.set_rows(rows)
        day = self.day().strftime("%d/%m/%Y")
        count = (_("1 booking on {day}") if len(rows) == 1 else _("{n} bookings on {day}")).format(
            n=len(rows), day=day
        )
        self.count_label.setText(count)
        self.count_label.setAlignment(Qt.AlignmentFlag.AlignLeft)
