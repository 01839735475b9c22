"""A held order on the screen eMAR offers no entry (as the paper MAR); the planning says what."""

from __future__ import annotations

from PySide6.QtCore import Qt

from continuity.ui.mar_model import CELL_ROLE
from continuity.ui.mar_view import legend_text
from tests.ui.conftest import log_in


def test_an_order_on_hold_is_hatched_suspended_and_offers_no_entry(qtbot, window):
    log_in(qtbot, window, "nurse")
    window.open_chart("pat-3")
    model = window.chart_page.mar_view.model
    row = next(i for i, r in enumerate(model.rows) if r.drug.startswith("Enoxaparine"))
    for column in range(1, model.columnCount()):
        index = model.index(row, column)
        assert model.target(index) is None  # a click opens nothing
        text = model.data(index) or ""
        assert "saisir" not in text
    cells = [model.index(row, c) for c in range(1, model.extra_column)]
    shown = [c for c in cells if model.data(c)]
    assert shown and all(model.data(c) == "SUSPENDU" for c in shown)
    assert all(model.data(c, CELL_ROLE) == "held" for c in shown)
    brush = model.data(shown[0], Qt.ItemDataRole.BackgroundRole)
    assert brush.style() == Qt.BrushStyle.BDiagPattern
    assert "▨ SUSPENDU" in legend_text()


def test_the_planning_says_how_many_interventions(qtbot, window):
    log_in(qtbot, window, "nurse")
    window.show_schedules()
    text = window.schedules_page.count_label.text()
    assert "2 interventions le " in text
