"""The census screen: filter by ward, type a name, IPP or bed, press Enter to open the chart."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from continuity.core.clock import local
from continuity.core.i18n import _
from continuity.store import census
from continuity.store.session import Session
from continuity.ui import mar_access
from continuity.ui.census_model import (
    COL_ALLERGY,
    COL_NAME,
    COL_WARD,
    PATIENT_ID_ROLE,
    CensusFilter,
    CensusModel,
    CensusRow,
)


def load_rows(session: Session) -> list[CensusRow]:
    """The census as the core reads it, with each patient's allergies and imminent doses."""
    today = local(session.now()).date()
    patients = census.list_patients(session)
    doses = mar_access.due_soon(session, [p.id for p in patients])
    allergies = census.allergies_for(session, [p.id for p in patients])
    return [
        CensusRow(
            p,
            tuple(allergies.get(p.id, ())),
            today,
            doses.get(p.id) if doses is not None else None,
        )
        for p in patients
    ]


class CensusPage(QWidget):
    patient_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        bar = QHBoxLayout()
        ward_label = QLabel(_("&Ward"))
        self.ward_combo = QComboBox()
        self.ward_combo.setObjectName("census_ward")
        self.ward_combo.setMinimumWidth(200)
        ward_label.setBuddy(self.ward_combo)
        search_label = QLabel(_("&Search"))
        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("census_search")
        self.search_edit.setPlaceholderText(_("Name, IPP or bed (Ctrl+F)"))
        self.search_edit.setClearButtonEnabled(True)
        search_label.setBuddy(self.search_edit)
        self.count_label = QLabel()
        self.count_label.setObjectName("census_count")
        bar.addWidget(ward_label)
        bar.addWidget(self.ward_combo)
        bar.addSpacing(16)
        bar.addWidget(search_label)
        bar.addWidget(self.search_edit, 1)
        bar.addWidget(self.count_label)
        layout.addLayout(bar)

        self.model = CensusModel(self)
        self.proxy = CensusFilter(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setObjectName("census_table")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(COL_WARD, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(28)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # Widths from a sample of rows: measuring all 5,000 rows of a site takes a second.
        header.setResizeContentsPrecision(300)
        # The name is never cut; the allergy list takes what is left (full list in its tooltip).
        header.setSectionResizeMode(COL_ALLERGY, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        hint = QLabel(
            _(
                "Enter or double-click opens the chart. ⚠ allergy · ▲ high-alert drug · "
                "⚑ dose late · ● dose due within the hour · ? dose to check (before the outage) · "
                "✚ downtime admission"
            )
        )
        hint.setProperty("role", "hint")
        layout.addWidget(hint)

        self.ward_combo.currentIndexChanged.connect(self._ward_changed)
        self.search_edit.textChanged.connect(self._search_changed)
        self.search_edit.returnPressed.connect(self._open_first)
        self.table.activated.connect(self._activated)
        self.proxy.rowsInserted.connect(self._update_count)
        self.proxy.rowsRemoved.connect(self._update_count)
        self.proxy.modelReset.connect(self._update_count)
        self.proxy.layoutChanged.connect(self._update_count)
        down = QShortcut(QKeySequence(Qt.Key.Key_Down), self.search_edit)
        down.activated.connect(self._focus_table)
        self.setTabOrder(self.ward_combo, self.search_edit)
        self.setTabOrder(self.search_edit, self.table)

    def refresh(self, session: Session) -> None:
        """Reload from the cache, keeping the ward chosen, the search typed and the row."""
        current_ward = self.proxy.ward
        current = self.table.currentIndex().data(PATIENT_ID_ROLE)
        self.model.set_rows(load_rows(session))
        wards = sorted({r.patient.ward for r in self.model.rows if r.patient.ward})
        self.ward_combo.blockSignals(True)
        self.ward_combo.clear()
        self.ward_combo.addItem(_("All wards"), None)
        for ward in wards:
            self.ward_combo.addItem(ward, ward)
        position = self.ward_combo.findData(current_ward) if current_ward else 0
        self.ward_combo.setCurrentIndex(max(position, 0))
        self.ward_combo.blockSignals(False)
        self.proxy.set_ward(self.ward_combo.currentData())
        self._update_count()
        if current:
            self.select(current)

    def select(self, patient_id: str) -> None:
        """Put the cursor on a patient's row (coming back from their chart)."""
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, COL_NAME)
            if index.data(PATIENT_ID_ROLE) == patient_id:
                self.table.setCurrentIndex(index)
                self.table.scrollTo(index)
                return

    def clear(self) -> None:
        """Forget every patient (lock, change of user)."""
        self.model.set_rows([])
        self.search_edit.clear()
        self.ward_combo.clear()

    def focus_search(self) -> None:
        self.search_edit.setFocus()
        self.search_edit.selectAll()

    def _ward_changed(self) -> None:
        self.proxy.set_ward(self.ward_combo.currentData())
        self._update_count()

    def _search_changed(self, text: str) -> None:
        self.proxy.set_search(text)
        if self.proxy.rowCount() and not self.table.currentIndex().isValid():
            self.table.setCurrentIndex(self.proxy.index(0, COL_NAME))
        self._update_count()

    def _update_count(self, *_args: object) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        self.count_label.setText(_("{shown} / {total} patients").format(shown=shown, total=total))

    def _focus_table(self) -> None:
        self.table.setFocus()
        if self.proxy.rowCount():
            self.table.selectRow(0)

    def _open_first(self) -> None:
        if self.proxy.rowCount() == 1:
            self._activated(self.proxy.index(0, COL_NAME))
        elif self.proxy.rowCount():
            self._focus_table()

    def _activated(self, index: QModelIndex) -> None:
        patient_id = index.data(PATIENT_ID_ROLE)
        if patient_id:
            self.patient_chosen.emit(patient_id)
