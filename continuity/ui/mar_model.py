"""Today's electronic MAR as a grid: one row per order, one column per dose time of the day.

The core (`continuity.store.emar`) gives each order's dose times and each time's state;
this model only lays them out. Columns are the day's distinct dose times across all orders
(a ward's rounds: 08:00, 12:00, 18:00...), then one column for as-needed doses and doses
recorded outside the schedule. Every cell says its state in a word and a symbol, its colour
only repeats it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from continuity.core.clock import local
from continuity.core.i18n import _
from continuity.core.mar import CellState, DoseRecord, MarCell, state_label
from continuity.store.emar import MarDay, MarRow
from continuity.ui.style import HIGH_ALERT, MAR_TONES, NEUTRAL, Tone

Index = QModelIndex | QPersistentModelIndex

COL_ORDER = 0  # then one column per dose time, then the as-needed / other column
CELL_ROLE = Qt.ItemDataRole.UserRole + 20


def state_word(state: str) -> str:
    return state_label(state)


def is_held(row: MarRow) -> bool:
    """An order on hold: nothing is to be given, so the screen offers no entry (as on paper)."""
    return row.order is not None and row.order.status == "on-hold"


#: Held orders are hatched grey, as the paper MAR hatches them: visible, plainly not to give.
HELD_BACKGROUND = QBrush(QColor(150, 150, 150), Qt.BrushStyle.BDiagPattern)
HELD_FOREGROUND = QColor(90, 90, 90)


def hhmm(moment: datetime) -> str:
    return local(moment).strftime("%H:%M")


@dataclass(frozen=True)
class CellTarget:
    """What a click on a cell is about: an order, a dose time (None: as needed) and what was
    recorded there already."""

    row: MarRow
    scheduled: datetime | None
    doses: tuple[DoseRecord, ...]
    state: str | None


class MarModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.day: MarDay | None = None
        self.rows: list[MarRow] = []
        self.times: list[datetime] = []
        self._cells: list[dict[datetime, MarCell]] = []
        self._bold = QFont()
        self._bold.setBold(True)

    def set_day(self, day: MarDay | None) -> None:
        self.beginResetModel()
        self.day = day
        self.rows = list(day.rows) if day else []
        self._cells = [{c.scheduled: c for c in row.cells} for row in self.rows]
        self.times = sorted({t for cells in self._cells for t in cells})
        self.endResetModel()

    @property
    def extra_column(self) -> int:
        return 1 + len(self.times)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 2 + len(self.times)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        if section == COL_ORDER:
            return _("Order")
        if 1 <= section <= len(self.times):
            return hhmm(self.times[section - 1])
        if section == self.extra_column:
            return _("As needed / other")
        return None

    def column_of(self, moment: datetime) -> int:
        """The column of a dose time (tests and keyboard navigation)."""
        return 1 + self.times.index(moment)

    def target(self, index: Index) -> CellTarget | None:
        """What the cell at `index` stands for, or None when there is nothing to record."""
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        column = index.column()
        if is_held(row):
            return None
        if 1 <= column <= len(self.times):
            cell = self._cells[index.row()].get(self.times[column - 1])
            if cell is None:
                return None
            return CellTarget(row, cell.scheduled, cell.doses, str(cell.state))
        if column == self.extra_column and row.order is not None and row.order.as_needed:
            return CellTarget(row, None, row.prn_doses, None)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        if not 0 <= index.column() < self.columnCount():
            return None
        row = self.rows[index.row()]
        column = index.column()
        if column == COL_ORDER:
            return self._order_data(row, role)
        if column == self.extra_column:
            return self._extra_data(row, role)
        cell = self._cells[index.row()].get(self.times[column - 1])
        if is_held(row):
            return self._held_data(cell, role)
        if cell is None:
            if role == Qt.ItemDataRole.BackgroundRole:
                return NEUTRAL.qbackground()
            return None
        return self._cell_data(cell, role)

    # -- the order column ----------------------------------------------------------------
    def _order_data(self, row: MarRow, role: int) -> Any:
        order = row.order
        if role == Qt.ItemDataRole.DisplayRole:
            mark = "▲ " if order is not None and order.high_alert else ""
            lines = [f"{mark}{row.drug}"]
            if order is not None:
                dose = " ".join(x for x in (order.dose_text, order.route) if x)
                lines.append(" · ".join(x for x in (dose, row.schedule) if x))
                if order.status == "on-hold":
                    lines.append(_("ON HOLD"))
                if order.manual:
                    lines.append(_("handwritten order ({ref})").format(ref=order.paper_ref or "?"))
            else:
                lines.append(_("order no longer in the cache"))
            if not row.expandable:
                text = order.instructions if order is not None else ""
                lines.append(_("see instructions: {text}").format(text=text or "?"))
            return "\n".join(lines)
        if role == Qt.ItemDataRole.FontRole:
            return self._bold
        if role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole):
            if row.order is not None and row.order.high_alert:
                return self._tone_role(HIGH_ALERT, role)
            return None
        if role == Qt.ItemDataRole.ToolTipRole and row.order is not None:
            order = row.order
            parts = [order.drug]
            if order.instructions:
                parts.append(order.instructions)
            if order.prescriber_name:
                parts.append(_("Prescriber: {name}").format(name=order.prescriber_name))
            if order.high_alert:
                parts.append(_("High-alert drug: a second person checks and signs"))
            return "\n".join(parts)
        return None

    # -- a dose time ---------------------------------------------------------------------
    def _cell_data(self, cell: MarCell, role: int) -> Any:
        tone = MAR_TONES.get(str(cell.state), NEUTRAL)
        if role == Qt.ItemDataRole.DisplayRole:
            text = f"{tone.symbol} {state_word(cell.state)}"
            if cell.doses:
                text += " " + ", ".join(hhmm(d.at) for d in cell.doses)
            if cell.double:
                text = "‼ " + _("DOUBLE DOSE") + "\n" + text
            return text
        if role == CELL_ROLE:
            return str(cell.state)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._doses_tooltip(cell.doses) or state_word(cell.state)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.FontRole:
            urgent = cell.double or cell.state in (CellState.DUE, CellState.LATE, CellState.MISSED)
            return self._bold if urgent else None
        if role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole):
            if cell.double:
                return self._tone_role(MAR_TONES["missed"], role)
            return self._tone_role(tone, role)
        return None

    # -- an order on hold -----------------------------------------------------------------
    def _held_data(self, cell: MarCell | None, role: int) -> Any:
        """Hatched and greyed, "ON HOLD", doses already recorded still listed; no entry."""
        if role == Qt.ItemDataRole.DisplayRole:
            text = _("ON HOLD")
            if cell is not None and cell.doses:
                text += "\n" + ", ".join(hhmm(d.at) for d in cell.doses)
            return text
        if role == CELL_ROLE:
            return "held"
        if role == Qt.ItemDataRole.ToolTipRole:
            doses = self._doses_tooltip(cell.doses) if cell is not None else None
            return "\n".join(x for x in (_("Order on hold: do not give"), doses) if x)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.BackgroundRole:
            return HELD_BACKGROUND
        if role == Qt.ItemDataRole.ForegroundRole:
            return HELD_FOREGROUND
        return None

    # -- as needed, and doses outside the schedule -----------------------------------------
    def _extra_data(self, row: MarRow, role: int) -> Any:
        doses = row.prn_doses + row.other_doses
        prn = row.order is not None and row.order.as_needed
        if is_held(row):
            if role == Qt.ItemDataRole.DisplayRole:
                times = ", ".join(hhmm(d.at) for d in doses)
                return "\n".join(x for x in (times, _("ON HOLD") if prn else "") if x)
            if role == Qt.ItemDataRole.BackgroundRole and prn:
                return HELD_BACKGROUND
            if role == Qt.ItemDataRole.ForegroundRole:
                return HELD_FOREGROUND
        if role == Qt.ItemDataRole.DisplayRole:
            parts = []
            for dose in doses:
                symbol = "✔" if dose.status == "given" else "⊘"
                parts.append(f"{symbol} {hhmm(dose.at)}")
            text = ", ".join(parts)
            if prn:
                text = (text + "\n" if text else "") + _("+ record a dose")
            return text
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._doses_tooltip(doses)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    @staticmethod
    def _doses_tooltip(doses: tuple[DoseRecord, ...]) -> str | None:
        lines = []
        for dose in doses:
            entry = dose.entry
            author = getattr(entry, "author", "")
            payload = getattr(entry, "payload", {}) or {}
            amount = payload.get("dose_value")
            what = state_word(dose.status)
            if amount is not None:
                what += f" {amount:g} {payload.get('dose_unit') or ''}".rstrip()
            witness = getattr(entry, "witness", None)
            line = f"{hhmm(dose.at)} — {what} — {author}"
            if witness:
                line += " / " + _("witness {login}").format(login=witness)
            lines.append(line)
        return "\n".join(lines) or None

    @staticmethod
    def _tone_role(tone: Tone, role: int) -> Any:
        return tone.qbackground() if role == Qt.ItemDataRole.BackgroundRole else tone.qforeground()
