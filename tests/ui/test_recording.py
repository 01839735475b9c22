"""A nurse records care from the chart: the eMAR cell changes once the entry is stored."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt

from continuity.store import entries
from continuity.ui.dose_dialog import DoseDialog
from tests.conftest import PHARMACIST_PASSWORD
from tests.ui.conftest import log_in

EIGHT = datetime(2026, 11, 28, 7, 0, tzinfo=UTC)  # 08:00 in Paris


def _cell(window, drug: str, moment: datetime):
    model = window.chart_page.mar_view.model
    row = next(i for i, r in enumerate(model.rows) if r.drug == drug)
    return model.index(row, model.column_of(moment))


def _click(qtbot, window, index) -> DoseDialog:
    table = window.chart_page.mar_view.table
    qtbot.mouseClick(
        table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualRect(index).center()
    )
    dialog = window.chart_page.dialog
    assert isinstance(dialog, DoseDialog) and dialog.isVisible()
    return dialog


def _save(qtbot, dialog) -> None:
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)


def test_a_nurse_records_a_dose_from_the_emar_and_the_cell_turns_given(qtbot, window):
    log_in(qtbot, window, "nurse")
    window.open_chart("pat-1")
    index = _cell(window, "Paracétamol 1 g cp", EIGHT)
    assert "En retard" in index.data()
    dialog = _click(qtbot, window, index)
    assert dialog.dose_value.text() == "1" and dialog.dose_unit.text() == "g"
    assert dialog.route.text() == "orale"
    assert "LEFÈVRE" in dialog.findChild(type(window.chart_page.banner.name), "patient_name").text()
    _save(qtbot, dialog)
    assert not dialog.isVisible()
    index = _cell(window, "Paracétamol 1 g cp", EIGHT)
    assert index.data().startswith("✔ Donné 10:00")
    stored = entries.list_entries(window.session, "pat-1")
    assert [(e.kind, e.payload["status"], e.author) for e in stored] == [("dose", "given", "nurse")]


def test_a_high_alert_dose_needs_a_second_person_with_their_password(qtbot, window):
    log_in(qtbot, window, "nurse")
    window.open_chart("pat-1")
    dialog = _click(qtbot, window, _cell(window, "Insuline glargine", EIGHT))
    assert dialog.witness_box.isVisible()
    _save(qtbot, dialog)
    assert dialog.isVisible()
    assert "témoin" in dialog.error.text().lower() or "seconde personne" in dialog.error.text()
    qtbot.keyClicks(dialog.witness_login, "pharma")
    qtbot.keyClicks(dialog.witness_password, PHARMACIST_PASSWORD)
    _save(qtbot, dialog)
    assert not dialog.isVisible()
    (entry,) = entries.list_entries(window.session, "pat-1")
    assert entry.witness == "pharma"
    assert _cell(window, "Insuline glargine", EIGHT).data().startswith("✔")


def test_a_dose_far_from_its_time_asks_for_confirmation_in_the_dialog(qtbot, window, ward):
    log_in(qtbot, window, "nurse")
    ward.clock.advance(minutes=30)  # 10:30: the 08:00 dose is now missed
    window.open_chart("pat-1")
    index = _cell(window, "Paracétamol 1 g cp", EIGHT)
    assert "Manqué" in index.data()
    dialog = _click(qtbot, window, index)
    _save(qtbot, dialog)
    assert dialog.isVisible() and dialog.warning.isVisible()
    assert "08:00" in dialog.warning.text()
    assert entries.list_entries(window.session, "pat-1") == []
    assert dialog.save_button.text() == "Confirmer et enregistrer"
    _save(qtbot, dialog)
    assert not dialog.isVisible()
    (entry,) = entries.list_entries(window.session, "pat-1")
    assert [c["check"] for c in entry.confirmations] == ["far_from_schedule"]


def test_a_dose_not_given_says_why(qtbot, window):
    log_in(qtbot, window, "nurse")
    window.open_chart("pat-1")
    dialog = _click(qtbot, window, _cell(window, "Paracétamol 1 g cp", EIGHT))
    when_label = dialog.form.labelForField(dialog.when_edit)
    assert when_label.text() == "Heure d'administration"
    qtbot.mouseClick(dialog.not_given_radio, Qt.MouseButton.LeftButton)
    assert dialog.reason_combo.isVisible() and not dialog.dose_value.isVisible()
    assert when_label.text() == "Heure de la décision"  # nothing was administered
    dialog.reason_combo.setCurrentIndex(dialog.reason_combo.findData("refused"))
    _save(qtbot, dialog)
    assert _cell(window, "Paracétamol 1 g cp", EIGHT).data().startswith("⊘ Non donné")


def test_the_idle_lock_discards_an_open_dose_dialog_without_writing(qtbot, window, ward):
    log_in(qtbot, window, "nurse")
    window.open_chart("pat-1")
    dialog = _click(qtbot, window, _cell(window, "Paracétamol 1 g cp", EIGHT))
    dialog.comment.setPlainText("half typed")
    ward.clock.advance(minutes=6)
    window.idle.check()
    assert window.stack.currentWidget() is window.lock_page
    assert window.chart_page.dialog is None
    assert entries.list_entries(window.session, "pat-1") == []


def test_vital_signs_typed_in_the_dialog_appear_in_the_chart(qtbot, window):
    log_in(qtbot, window, "nurse")
    window.open_chart("pat-2")
    dialog = window.chart_page.record("vitals")
    qtbot.keyClicks(dialog.values["hr"], "112")
    qtbot.keyClicks(dialog.values["temp"], "38,4")
    _save(qtbot, dialog)
    assert not dialog.isVisible()
    model = window.chart_page.vitals_model
    assert model.rowCount() == 1
    text = model.index(0, 1).data()
    assert "112" in text and "38,4" in text and "▲" in text
    assert model.index(0, 2).data() == "Nadia Infirmière"  # who took them, by name
    entries = window.chart_page.entries_view.model
    assert entries.index(0, 4).data() == "Nadia Infirmière"


def test_a_downtime_admission_gets_a_temporary_id_and_shows_in_the_census(qtbot, window):
    from continuity.ui import entry_menu

    log_in(qtbot, window, "nurse")
    dialog = entry_menu.admit(window)
    qtbot.keyClicks(dialog.family, "Inconnu")
    dialog.ward.setCurrentText("Médecine")
    _save(qtbot, dialog)
    assert not dialog.isVisible()
    patient = window.chart_page.patient
    assert patient is not None and patient.temporary
    assert "✚" in window.chart_page.banner.flags.text()
    statuses = [
        window.census_page.model.rows[i].patient.temporary
        for i in range(window.census_page.model.rowCount())
    ]
    assert statuses.count(True) == 1


def test_a_nurse_corrects_her_dose_and_both_entries_stay_listed(qtbot, window):
    log_in(qtbot, window, "nurse")
    window.open_chart("pat-1")
    _save(qtbot, _click(qtbot, window, _cell(window, "Paracétamol 1 g cp", EIGHT)))
    dialog = _click(qtbot, window, _cell(window, "Paracétamol 1 g cp", EIGHT))
    assert dialog.replacing is not None
    dialog.dose_value.clear()
    qtbot.keyClicks(dialog.dose_value, "0,5")
    qtbot.keyClicks(dialog.dose_change_reason, "half tablet")
    qtbot.keyClicks(dialog.reason_edit, "wrong amount typed")
    _save(qtbot, dialog)
    assert not dialog.isVisible()
    view = window.chart_page.entries_view
    assert view.model.rowCount() == 2
    states = [view.model.index(r, 6).data() for r in range(2)]
    assert any("CORRIGÉE" in s or "CORRECTED" in s for s in states)


def test_changing_a_given_dose_to_not_given_says_to_withdraw_it(qtbot, window):
    log_in(qtbot, window, "nurse")
    window.open_chart("pat-1")
    _save(qtbot, _click(qtbot, window, _cell(window, "Paracétamol 1 g cp", EIGHT)))
    dialog = _click(qtbot, window, _cell(window, "Paracétamol 1 g cp", EIGHT))
    qtbot.mouseClick(dialog.not_given_radio, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.reason_edit, "wrong patient")
    _save(qtbot, dialog)
    assert dialog.isVisible()
    assert "retirez" in dialog.error.text().lower()
    assert len(entries.list_entries(window.session, "pat-1")) == 1


def test_the_dose_dialog_shows_what_the_prescriber_wrote_about_the_dose(qtbot, window, ward):
    """ "Adapt to capillary glucose" is what the insulin dose depends on: it is in the dialog
    where the dose is typed, not only in a tooltip of the eMAR."""
    log_in(qtbot, window, "nurse")
    with window.session.transaction() as conn:
        conn.execute(
            "UPDATE orders SET instructions = 'adapter selon glycémie capillaire'"
            " WHERE source_id = 'ord-2'"
        )
    window.open_chart("pat-1")
    dialog = _click(qtbot, window, _cell(window, "Insuline glargine", EIGHT))
    shown = dialog.findChild(type(dialog.error), "dose_instructions")
    assert shown is not None and shown.isVisible()
    assert shown.text() == "adapter selon glycémie capillaire"


def test_after_a_dose_the_keyboard_stays_on_the_cell_just_recorded(qtbot, window):
    log_in(qtbot, window, "nurse")
    window.open_chart("pat-1")
    table = window.chart_page.mar_view.table
    index = _cell(window, "Paracétamol 1 g cp", EIGHT)
    table.setCurrentIndex(index)
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Return)
    dialog = window.chart_page.dialog
    assert isinstance(dialog, DoseDialog) and dialog.isVisible()
    _save(qtbot, dialog)
    assert not dialog.isVisible()
    current = table.currentIndex()
    assert (current.row(), current.column()) == (index.row(), index.column())
    assert current.data().startswith("✔ Donné")


def test_an_as_needed_reason_written_with_its_if_is_not_doubled(qtbot, window):
    """The ward's morphine is "si besoin: douleur"; a prescriber who wrote "si EVA > 4"
    must not read "si : si EVA > 4"."""
    from dataclasses import replace

    from continuity.store import census
    from continuity.ui.chart_columns import schedule_text

    log_in(qtbot, window, "nurse")
    order = next(o for o in census.orders(window.session, "pat-1") if o.as_needed)
    assert "si : douleur" in schedule_text(order)
    written = schedule_text(replace(order, prn_reason="si EVA > 4"))
    assert "si EVA > 4" in written and "si : si" not in written


def test_a_central_glucose_in_mg_per_dl_is_also_shown_in_g_per_l():
    """The vital-signs form asks g/L: the central record's 198 mg/dL is shown 1,98 g/L too,
    and nothing else is converted."""
    from continuity.store.census import Observation
    from continuity.ui.chart_columns import observation_value

    glucose = Observation("2339-0", "Glycémie capillaire", 198, None, "mg/dL", None)
    assert observation_value(glucose) == "198 mg/dL (1,98 g/L)"
    sodium = Observation("2951-2", "Sodium", 140, None, "mmol/L", None)
    assert observation_value(sodium) == "140 mmol/L"


def test_the_emar_prescription_column_takes_room_the_dose_columns_leave(qtbot, window):
    """At 1366 px with three dose times, drug names need not wrap beside empty space."""
    log_in(qtbot, window, "nurse")
    window.open_chart("pat-1")
    view = window.chart_page.mar_view
    qtbot.waitUntil(lambda: view.table.horizontalHeader().sectionSize(0) > view.ORDER_MIN_WIDTH)
    assert view.table.horizontalHeader().sectionSize(0) <= view.ORDER_MAX_WIDTH
