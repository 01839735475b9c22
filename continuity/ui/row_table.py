"""A read-only table model over plain row objects, described column by column.

The chart's smaller tables (orders, vital signs, notes, appointments, entries) all show a
list of frozen dataclasses from the core. Each table declares its columns once (a title and
a function from the row to its text, with an optional tone and tooltip); the model does the
Qt plumbing. The census and the eMAR, which have more behaviour, have their own models.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from continuity.ui.style import Tone

RowT = TypeVar("RowT")
Index = QModelIndex | QPersistentModelIndex
ROW_ROLE = Qt.ItemDataRole.UserRole + 10


@dataclass(frozen=True)
class Column(Generic[RowT]):
    title: Callable[[], str]
    text: Callable[[RowT], str]
    tone: Callable[[RowT], Tone | None] | None = None
    tooltip: Callable[[RowT], str | None] | None = None
    stretch: bool = False


class RowTableModel(QAbstractTableModel, Generic[RowT]):
    def __init__(self, columns: Sequence[Column[RowT]], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self.rows: list[RowT] = []

    def set_rows(self, rows: Sequence[RowT], columns: Sequence[Column[RowT]] | None = None) -> None:
        """New rows (and, if given, new columns) in one reset, as views expect."""
        self.beginResetModel()
        self.rows = list(rows)
        if columns is not None:
            self.columns = list(columns)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self.columns)
        ):
            return self.columns[section].title()
        return None

    def row_at(self, index: Index) -> RowT | None:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        return self.rows[index.row()]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row_at(index)
        if row is None or not 0 <= index.column() < len(self.columns):
            return None
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(row)
        if role == ROW_ROLE:
            return index.row()
        if role == Qt.ItemDataRole.ToolTipRole and column.tooltip is not None:
            return column.tooltip(row)
        if (
            role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole)
            and column.tone is not None
        ):
            tone = column.tone(row)
            if tone is None:
                return None
            return (
                tone.qbackground() if role == Qt.ItemDataRole.BackgroundRole else tone.qforeground()
            )
        return None


def table_view(
    model: RowTableModel, parent: QWidget | None = None, *, name: str = ""
) -> QTableView:
    """A read-only, row-selecting, keyboard-friendly view with the model's stretch column."""
    view = QTableView(parent)
    if name:
        view.setObjectName(name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(True)
    view.verticalHeader().hide()
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.verticalHeader().setMinimumSectionSize(26)
    fit_columns(view, model)
    model.modelReset.connect(lambda: fit_columns(view, model))
    return view


def fit_columns(view: QTableView, model: RowTableModel) -> None:
    """Columns as wide as their content; the stretch column takes what is left."""
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    for number, column in enumerate(model.columns):
        if column.stretch:
            header.setSectionResizeMode(number, QHeaderView.ResizeMode.Stretch)
