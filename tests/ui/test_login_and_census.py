"""A nurse logs in, finds her patient by typing, and opens the chart."""

from __future__ import annotations

from PySide6.QtCore import Qt

from continuity.ui.census_model import COL_ALLERGY, COL_NAME, COL_STATUS
from tests.ui.conftest import log_in


def test_a_nurse_logs_in_and_sees_the_census_with_the_banner(qtbot, window):
    assert window.stack.currentWidget() is window.login_page
    log_in(qtbot, window, "nurse")
    assert window.stack.currentWidget() is window.work_page
    banner = window.banner
    assert "Clinique Test" in banner.place.text()
    assert "SAGESSE-3A-PC1" in banner.place.text()
    assert "Nadia Infirmière" in banner.user.text()
    assert "infirmière" in banner.user.text().lower()
    assert "28/11/2026 08:00" in banner.freshness.text()
    assert "2 h 00" in banner.freshness.text()
    assert window.census_page.proxy.rowCount() == 4


def test_a_wrong_password_says_so_without_saying_which(qtbot, window):
    log_in(qtbot, window, "nurse", "not-the-password-1A")
    assert window.stack.currentWidget() is window.login_page
    message = window.login_page.message
    assert message.isVisible()
    assert "Utilisateur ou mot de passe incorrect" in message.text()
    assert window.login_page.password_edit.text() == ""
    assert window.session is None


def test_typing_a_name_without_accents_finds_the_patient_and_enter_opens_her_chart(qtbot, window):
    log_in(qtbot, window, "nurse")
    page = window.census_page
    qtbot.keyClicks(page.search_edit, "eloise")
    assert page.proxy.rowCount() == 1
    assert page.proxy.index(0, COL_NAME).data() == "LEFÈVRE Éloïse"
    qtbot.keyClick(page.search_edit, Qt.Key.Key_Return)
    chart = window.chart_page
    assert window.sections.currentWidget() is chart
    assert chart.banner.name.text() == "LEFÈVRE Éloïse"
    allergy = chart.banner.allergy.text()
    assert "ALLERGIES" in allergy and "Pénicilline" in allergy and "⚠" in allergy
    assert "IPP0001" in chart.banner.identity.text()
    assert "02/03/1948" in chart.banner.identity.text()
    drugs = [chart.orders_model.rows[i].drug for i in range(chart.orders_model.rowCount())]
    assert set(drugs) == {"Paracétamol 1 g cp", "Insuline glargine", "Morphine 10 mg/ml"}


def test_search_by_ipp_or_bed_and_filter_by_ward(qtbot, window):
    log_in(qtbot, window, "nurse")
    page = window.census_page
    qtbot.keyClicks(page.search_edit, "IPP0002")
    assert [page.proxy.index(r, COL_NAME).data() for r in range(page.proxy.rowCount())] == [
        "MARTIN Jean"
    ]
    page.search_edit.clear()
    qtbot.keyClicks(page.search_edit, "202-a")
    assert page.proxy.index(0, COL_NAME).data() == "DUPONT Hélène"
    page.search_edit.clear()
    page.ward_combo.setCurrentIndex(page.ward_combo.findData("Chirurgie"))
    names = {page.proxy.index(r, COL_NAME).data() for r in range(page.proxy.rowCount())}
    assert names == {"N'DIAYE Awa", "DUPONT Hélène"}
    assert "2" in page.count_label.text() and "4" in page.count_label.text()


def test_allergy_states_are_told_apart_in_words_not_only_colour(qtbot, window):
    log_in(qtbot, window, "nurse")
    page = window.census_page
    text = {
        page.proxy.index(r, COL_NAME).data(): page.proxy.index(r, COL_ALLERGY).data()
        for r in range(page.proxy.rowCount())
    }
    assert text["LEFÈVRE Éloïse"].startswith("⚠ Pénicilline")
    assert text["MARTIN Jean"] == "aucune connue"
    assert "non renseignée" in text["N'DIAYE Awa"]
    assert all(page.proxy.index(r, COL_STATUS).data() == "" for r in range(4))


def test_every_item_model_passes_the_model_tester(qtbot, qtmodeltester, window):
    from continuity.store import entries
    from continuity.ui.audit_dialog import AuditDialog
    from continuity.ui.users_dialog import UsersDialog

    log_in(qtbot, window, "nurse")
    qtmodeltester.check(window.census_page.model)
    qtmodeltester.check(window.census_page.proxy)
    entries.record_note(window.session, patient_id="pat-1", text="Bonne nuit.")
    entries.record_vitals(window.session, patient_id="pat-1", hr="88")
    window.open_chart("pat-1")
    chart = window.chart_page
    for model in (
        chart.mar_view.model,
        chart.orders_model,
        chart.obs_model,
        chart.notes_model,
        chart.vitals_model,
        chart.entries_view.model,
    ):
        assert model.rowCount() > 0
        qtmodeltester.check(model)
    window.open_chart("pat-4")
    qtmodeltester.check(chart.appt_model)
    window.show_schedules()
    qtmodeltester.check(window.schedules_page.model)
    assert window.schedules_page.model.rowCount() == 2
    window.log_out()
    log_in(qtbot, window, "admin")
    qtmodeltester.check(UsersDialog(window.session, window).model)
    qtmodeltester.check(AuditDialog(window.session, window).model)
