"""The census table: one row per patient, and the filter that finds a patient as you type.

Rows are plain objects built from the core's read model (`continuity.store.census`); the
model only decides how each column looks. Column numbers are named constants, so the view,
the filter and the tests never count columns by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QFont

from continuity.core.i18n import _
from continuity.core.text import fold
from continuity.store.census import Allergy, Patient
from continuity.ui.style import ALLERGY, DANGER, DOWNTIME, HIGH_ALERT, NEUTRAL, WARN

COL_WARD, COL_ROOM, COL_BED, COL_NAME, COL_AGE, COL_SEX, COL_IPP = range(7)
COL_ALLERGY, COL_HIGH_ALERT, COL_DOSES, COL_STATUS = range(7, 11)
COLUMN_COUNT = 11

SORT_ROLE = Qt.ItemDataRole.UserRole
PATIENT_ID_ROLE = Qt.ItemDataRole.UserRole + 1

Index = QModelIndex | QPersistentModelIndex


def column_titles() -> list[str]:
    return [
        _("Ward"),
        _("Room"),
        _("Bed"),
        _("Patient"),
        _("Age"),
        _("Sex"),
        _("IPP / id"),
        _("Allergies"),
        _("High-alert"),
        _("Doses now / within 1 h"),
        _("Status"),
    ]


def sex_label(sex: str | None) -> str:
    return {"female": _("F"), "male": _("M"), "other": _("other")}.get(sex or "", "?")


@dataclass(frozen=True)
class DoseCounts:
    """Doses needing attention now: late (overdue, nothing recorded) and due now or within the
    next hour, from the core's eMAR states. Missed doses (past the late window) are left to
    the chart's eMAR: on the first morning of an outage every patient has some, and a census
    column red for everyone would hide the patient whose dose is due now."""

    late: int = 0
    due: int = 0
    check: int = 0  # in the late window but before the outage: check the central record

    @property
    def any(self) -> bool:
        return bool(self.late or self.due or self.check)


@dataclass(frozen=True)
class CensusRow:
    patient: Patient
    allergies: tuple[Allergy, ...]
    today: date
    doses: DoseCounts | None = None  # None: the eMAR is not available

    @property
    def age(self) -> int | None:
        return self.patient.age(self.today)

    @property
    def search_text(self) -> str:
        p = self.patient
        parts = [p.family, p.given, p.ipp or "", p.id, p.bed or "", p.room or ""]
        return fold(" ".join(parts))


def allergy_text(status: str, allergies: tuple[Allergy, ...]) -> str:
    """What the allergy column says: the substances, or which kind of 'none' it is."""
    if allergies:
        return "⚠ " + ", ".join(a.substance for a in allergies)
    if status == "none_known":
        return _("none known")
    return _("? not recorded")


def _natural(text: str | None) -> tuple:
    """Sort 'Lit 2' before 'Lit 10', and empty values last."""
    if not text:
        return (1, ())
    import re

    return (0, tuple(int(p) if p.isdigit() else p.lower() for p in re.split(r"(\d+)", text)))


class CensusModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[CensusRow] = []
        self._sort_keys: dict[tuple[int, int], Any] = {}  # computed once per set_rows
        self._titles = column_titles()
        self._bold = QFont()
        self._bold.setBold(True)

    def set_rows(self, rows: list[CensusRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self._sort_keys = {}
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else COLUMN_COUNT

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < COLUMN_COUNT
        ):
            return self._titles[section]
        return None

    def row_at(self, index: Index) -> CensusRow | None:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        return self.rows[index.row()]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row_at(index)
        if row is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == SORT_ROLE:  # asked twice per comparison while sorting 5,000 rows: cached
            key = (index.row(), column)
            if key not in self._sort_keys:
                self._sort_keys[key] = self._sort_key(row, column)
            return self._sort_keys[key]
        if role == PATIENT_ID_ROLE:
            return row.patient.id
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, column)
        if role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole):
            tone = self._tone(row, column)
            if tone is None:
                return None
            return (
                tone.qbackground() if role == Qt.ItemDataRole.BackgroundRole else tone.qforeground()
            )
        if role == Qt.ItemDataRole.FontRole and (
            column == COL_NAME or (column == COL_ALLERGY and row.allergies)
        ):
            return self._bold
        return None

    def _display(self, row: CensusRow, column: int) -> str:
        p = row.patient
        if column == COL_WARD:
            return p.ward or ""
        if column == COL_ROOM:
            return p.room or ""
        if column == COL_BED:
            return p.bed or ""
        if column == COL_NAME:
            return p.display_name
        if column == COL_AGE:
            return "" if row.age is None else str(row.age)
        if column == COL_SEX:
            return sex_label(p.sex)
        if column == COL_IPP:
            return p.label_id
        if column == COL_ALLERGY:
            return allergy_text(p.allergy_status, row.allergies)
        if column == COL_HIGH_ALERT:
            return f"▲ {p.high_alert_orders}" if p.high_alert_orders else ""
        if column == COL_DOSES:
            return self._doses_text(row.doses)
        if column == COL_STATUS:
            return self._status_text(p)
        return ""

    @staticmethod
    def _doses_text(doses: DoseCounts | None) -> str:
        if doses is None or not doses.any:
            return ""
        parts = []
        if doses.late:
            parts.append(_("⚑ {n} late").format(n=doses.late))
        if doses.due:
            parts.append(_("● {n} due").format(n=doses.due))
        if doses.check:
            parts.append(_("? {n} to check").format(n=doses.check))
        return " · ".join(parts)

    @staticmethod
    def _status_text(p: Patient) -> str:
        if p.temporary:
            return "✚ " + _("Downtime admission")
        if p.absent_from_snapshot:
            return _("Absent from latest snapshot")
        return ""

    @staticmethod
    def _tone(row: CensusRow, column: int):
        p = row.patient
        if column == COL_ALLERGY:
            if row.allergies:
                return ALLERGY
            return None if p.allergy_status == "none_known" else NEUTRAL
        if column == COL_HIGH_ALERT and p.high_alert_orders:
            return HIGH_ALERT
        if column == COL_DOSES and row.doses is not None and row.doses.any:
            return DANGER if row.doses.late else WARN
        if column == COL_STATUS and (p.temporary or p.absent_from_snapshot):
            return DOWNTIME
        return None

    def _tooltip(self, row: CensusRow, column: int) -> str | None:
        if column == COL_ALLERGY and row.allergies:
            return "\n".join(
                f"{a.substance}"
                + (f" — {a.reaction}" if a.reaction else "")
                + (f" ({_('high criticality')})" if a.criticality == "high" else "")
                for a in row.allergies
            )
        if column == COL_HIGH_ALERT and row.patient.high_alert_orders:
            return _("{n} active high-alert order(s): a witness is needed").format(
                n=row.patient.high_alert_orders
            )
        return None

    def _sort_key(self, row: CensusRow, column: int) -> Any:
        p = row.patient
        bed = (_natural(p.ward), _natural(p.room), _natural(p.bed))
        if column == COL_NAME:
            return str((fold(p.family), fold(p.given)))
        if column == COL_AGE:
            return -1 if row.age is None else row.age
        if column == COL_HIGH_ALERT:
            return p.high_alert_orders
        if column == COL_DOSES:
            doses = row.doses or DoseCounts()
            return doses.late * 1_000_000 + doses.due * 1000 + doses.check
        if column in (COL_WARD, COL_ROOM, COL_BED):
            order = {COL_WARD: bed, COL_ROOM: bed[1:] + bed[:1], COL_BED: bed[2:] + bed[:2]}
            return str(order[column])
        return self._display(row, column)


class CensusFilter(QSortFilterProxyModel):
    """Ward filter plus search as you type in name, IPP, temporary id, room or bed.

    The search folds accents and case (the core's `fold`), so "helene" finds "Hélène"; every
    word typed must match somewhere ("dupont 12" finds Dupont in bed 12).
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ward: str | None = None
        self.words: list[str] = []
        self.setSortRole(SORT_ROLE)
        self.setDynamicSortFilter(True)

    def set_ward(self, ward: str | None) -> None:
        self._refilter(lambda: setattr(self, "ward", ward or None))

    def set_search(self, text: str) -> None:
        self._refilter(lambda: setattr(self, "words", fold(text).split()))

    def _refilter(self, change) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt >= 6.9
            self.beginFilterChange()
            change()
            self.endFilterChange()
        else:  # pragma: no cover - older Qt
            change()
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        if not isinstance(model, CensusModel) or not 0 <= source_row < len(model.rows):
            return False
        row = model.rows[source_row]
        if self.ward is not None and row.patient.ward != self.ward:
            return False
        if not self.words:
            return True
        haystack = row.search_text
        return all(word in haystack for word in self.words)

    def lessThan(self, left: Index, right: Index) -> bool:
        a = left.data(SORT_ROLE)
        b = right.data(SORT_ROLE)
        if type(a) is not type(b):
            return str(a) < str(b)
        return a < b
