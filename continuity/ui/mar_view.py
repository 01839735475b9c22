"""The eMAR tab: the grid, its legend and the day shown; a click on a dose time records it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from continuity.core.clock import local
from continuity.core.i18n import _
from continuity.store import emar
from continuity.store.session import Session
from continuity.ui.mar_model import COL_ORDER, CellTarget, MarModel, state_word
from continuity.ui.style import MAR_TONES


def legend_text() -> str:
    order = ("due", "late", "missed", "given", "not_given", "future", "before_snapshot")
    words = [f"{MAR_TONES[s].symbol} {state_word(s)}" for s in order]
    return "   ".join([*words, "▨ " + _("ON HOLD")])


class MarView(QWidget):
    cell_chosen = Signal(object)  # a CellTarget

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session: Session | None = None
        self.patient_id: str | None = None
        self.day: date | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        bar = QHBoxLayout()
        self.previous = QPushButton(_("◀ Previous day"))
        self.previous.setAutoDefault(False)
        self.day_label = QLabel()
        self.day_label.setObjectName("mar_day")
        self.day_label.setStyleSheet("font-weight: bold; font-size: 11pt;")
        self.next = QPushButton(_("Next day ▶"))
        self.next.setAutoDefault(False)
        self.today_button = QPushButton(_("Today"))
        self.today_button.setAutoDefault(False)
        bar.addWidget(self.previous)
        bar.addWidget(self.day_label)
        bar.addWidget(self.next)
        bar.addWidget(self.today_button)
        bar.addSpacing(20)
        bar.addStretch(1)
        layout.addLayout(bar)
        # On its own line: beside the day buttons it squeezed their labels at 1366 px.
        legend = QLabel(legend_text())
        legend.setObjectName("mar_legend")
        legend.setWordWrap(True)
        layout.addWidget(legend)

        self.model = MarModel(self)
        self.table = QTableView()
        self.table.setObjectName("mar_table")
        # The selected cell keeps its state colour under a light tint and a thick frame.
        self.table.setStyleSheet(
            "#mar_table { selection-background-color: rgba(21, 101, 192, 70);"
            " selection-color: #000000; }"
        )
        self.table.setModel(self.model)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.verticalHeader().setMinimumSectionSize(44)
        header = self.table.horizontalHeader()
        header.setMinimumSectionSize(96)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.model.modelReset.connect(self._fit)
        layout.addWidget(self.table, 1)
        hint = QLabel(_("Click a dose time (or select it and press Enter) to record the dose."))
        hint.setProperty("role", "hint")
        layout.addWidget(hint)

        self.table.clicked.connect(self._clicked)
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            shortcut = QShortcut(QKeySequence(key), self.table)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(lambda: self._clicked(self.table.currentIndex()))
        self.previous.clicked.connect(lambda: self._shift(-1))
        self.next.clicked.connect(lambda: self._shift(1))
        self.today_button.clicked.connect(self._today)

    #: The prescription column never narrower than the first; wider when the dose columns
    #: leave room, so drug names and schedules do not wrap onto four lines beside empty space,
    #: but never so wide that the eye loses the row between a drug and its dose cells.
    ORDER_MIN_WIDTH, ORDER_MAX_WIDTH = 330, 560

    def _fit(self) -> None:
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_ORDER, QHeaderView.ResizeMode.Interactive)
        self._widen_order_column()

    def _widen_order_column(self) -> None:
        header = self.table.horizontalHeader()
        others = sum(
            header.sectionSize(c) for c in range(self.model.columnCount()) if c != COL_ORDER
        )
        room = self.table.viewport().width() - others
        header.resizeSection(COL_ORDER, min(max(self.ORDER_MIN_WIDTH, room), self.ORDER_MAX_WIDTH))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._widen_order_column()

    def show_patient(self, session: Session, patient_id: str, day: date | None = None) -> None:
        self.session = session
        self.patient_id = patient_id
        self.day = day or local(session.now()).date()
        self.reload()

    def reload(self) -> None:
        if self.session is None or self.patient_id is None:
            return
        mar_day = emar.mar_for_patient(self.session, self.patient_id, self.day)
        place = self._current_place()
        self.model.set_day(mar_day)
        self._restore_place(place)
        today = local(self.session.now()).date()
        text = self.day.strftime("%d/%m/%Y") if self.day else ""
        if self.day == today:
            text = _("Today {date}").format(date=text)
        self.day_label.setText(text)
        self.today_button.setEnabled(self.day != today)

    def _current_place(self) -> tuple[Any, Any] | None:
        """The selected cell as (row's order or drug, dose time or place from the right), so
        that a reload after a dose keeps the keyboard where the nurse was."""
        index = self.table.currentIndex()
        model = self.model
        if not index.isValid() or not 0 <= index.row() < len(model.rows):
            return None
        row = model.rows[index.row()]
        row_key = row.order.id if row.order is not None else row.drug
        column = index.column()
        if 1 <= column <= len(model.times):
            return row_key, model.times[column - 1]
        return row_key, column - model.columnCount()

    def _restore_place(self, place: tuple[Any, Any] | None) -> None:
        if place is None:
            return
        row_key, column_key = place
        model = self.model
        rows = [r.order.id if r.order is not None else r.drug for r in model.rows]
        if row_key not in rows:
            return
        if isinstance(column_key, int):
            column = model.columnCount() + column_key
        elif column_key in model.times:
            column = 1 + model.times.index(column_key)
        else:
            return
        self.table.setCurrentIndex(model.index(rows.index(row_key), column))

    def clear(self) -> None:
        self.session = None
        self.patient_id = None
        self.model.set_day(None)

    def _shift(self, days: int) -> None:
        if self.day is not None:
            self.day += timedelta(days=days)
            self.reload()

    def _today(self) -> None:
        if self.session is not None:
            self.day = local(self.session.now()).date()
            self.reload()

    def _clicked(self, index: QModelIndex) -> None:
        target: CellTarget | None = self.model.target(index)
        if target is not None and target.row.order is not None:
            self.cell_chosen.emit(target)
