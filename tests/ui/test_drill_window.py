"""A downtime drill in the app: IT builds it, EXERCICE stays on screen, the app times the steps
by itself, and the report lists them."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMenu

from continuity.core.clock import FixedClock
from continuity.demo.provision import DEMO_USERS
from continuity.printing.request import SheetKind
from continuity.store import census
from continuity.store.cache import login
from continuity.store.drill import DrillStep, start_drill
from continuity.ui import print_menu
from continuity.ui.drill_dialogs import (
    DRILL_WINDOW_ENV,
    DrillReadyDialog,
    StartDrillDialog,
    drill_window_command,
)
from continuity.ui.main_window import MainWindow
from tests.conftest import ADMIN_PASSWORD
from tests.ui.conftest import NOW, log_in

NURSE = next(u for u in DEMO_USERS if u.role == "nurse")
IT = DEMO_USERS[0]


@pytest.fixture(scope="session")
def drill_template(ward_template, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A drill cache (12 demo patients) started from a copy of the ward, built once."""
    from continuity.store import key_slots

    real_folder = tmp_path_factory.mktemp("drill-real")
    for source in ward_template[0].parent.glob("ward.db*"):
        shutil.copy2(source, real_folder / source.name)
    clock = FixedClock(NOW)
    folder = tmp_path_factory.mktemp("drill-template") / "drill"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(key_slots, "DEFAULT_SCRYPT", {"n": 2**12, "r": 8, "p": 1})
        with login(real_folder / "ward.db", "admin", ADMIN_PASSWORD, clock=clock) as real:
            drill = start_drill(
                real, folder, participants=["Inès Martin", "Hugo Petit"], patients=12
            )
    return drill.path


@pytest.fixture
def drill_window(qtbot, drill_template: Path, tmp_path: Path):
    from continuity.ui.app import application

    for source in drill_template.parent.glob("demo.db*"):
        shutil.copy2(source, tmp_path / source.name)
    application()
    clock = FixedClock(NOW)
    win = MainWindow(tmp_path / "demo.db", clock, idle_check_ms=3_600_000, drill_hint=True)
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    return win


def _steps(window) -> list[dict]:
    rows = window.session.conn.execute(
        "SELECT actor, detail FROM audit_log WHERE action = 'drill_step' ORDER BY id"
    )
    return [{"by": actor, **json.loads(detail)} for actor, detail in rows]


def _action(window, name: str):
    for menu in window.menuBar().findChildren(QMenu):
        for action in menu.actions():
            if action.objectName() == name:
                return action
    return None


def _first_dose(window):
    """The first ordinary (not high-alert) dose due or late on the open chart's eMAR."""
    model = window.chart_page.mar_view.model
    for wanted in ("late", "due", "missed", "future"):
        for r in range(model.rowCount()):
            for c in range(model.columnCount()):
                target = model.target(model.index(r, c))
                if (
                    target is not None
                    and target.state == wanted
                    and target.row.order is not None
                    and not target.row.order.high_alert
                ):
                    return target
    return None


def _patient_with_a_dose(window) -> str:
    for row in window.census_page.model.rows:
        window.chart_page.show_patient(window.session, row.patient.id)
        if _first_dose(window) is not None:
            window.chart_page.clear()
            return row.patient.id
    raise AssertionError("no patient with an ordinary dose in the drill hospital")


def _save_dose(qtbot, dialog) -> None:
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    if dialog.isVisible() and dialog.warning.isVisible():  # a safety check asks to confirm
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible(), dialog.error.text()


def test_a_real_cache_shows_no_drill_bar(qtbot, window):
    log_in(qtbot, window, "nurse")
    assert not window.drill_bar.isVisible()
    assert "EXERCICE" not in window.windowTitle()


def test_the_drill_window_says_exercice_on_every_page(qtbot, drill_window):
    window = drill_window
    assert window.drill_bar.isVisible()  # on the log-in page already
    assert "EXERCICE" in window.drill_bar.text() and "fictives" in window.drill_bar.text()
    assert window.windowTitle().startswith("EXERCICE")
    log_in(qtbot, window, NURSE.login, NURSE.password)
    assert window.stack.currentWidget() is window.work_page
    assert window.drill_bar.isVisible() and window.in_drill
    assert window.windowTitle().startswith("EXERCICE")
    window.lock()
    assert window.drill_bar.isVisible() and window.windowTitle().startswith("EXERCICE")


def test_the_app_times_a_nurses_drill_steps_and_the_report_lists_them(qtbot, drill_window):
    window, clock = drill_window, drill_window.clock
    clock.advance(seconds=12)
    log_in(qtbot, window, "ines.martni", NURSE.password)  # a typo first
    clock.advance(seconds=6)
    log_in(qtbot, window, NURSE.login, NURSE.password)
    patient_id = _patient_with_a_dose(window)

    clock.advance(seconds=25)
    window.open_chart(patient_id)
    dialog = window.chart_page.open_dose(_first_dose(window))
    clock.advance(seconds=40)
    _save_dose(qtbot, dialog)

    dialog = print_menu.ask(window, SheetKind.MAR)
    clock.advance(seconds=15)
    dialog.accept()
    qtbot.waitUntil(lambda: window.print_flow.preview is not None, timeout=20_000)
    window.print_flow.preview.accept()
    assert window.jobs.wait()

    steps = _steps(window)
    assert [(s["step"], s["seconds"], s["ok"], s["by"]) for s in steps] == [
        (DrillStep.LOGIN, 18.0, True, NURSE.login),
        (DrillStep.FIND_PATIENT, 25.0, True, NURSE.login),
        (DrillStep.RECORD_DOSE, 40.0, True, NURSE.login),
        (DrillStep.PRINT_MAR, 15.0, True, NURSE.login),
    ]
    assert "incorrect" in steps[0]["note"]  # the wrong password is in the note

    window.open_chart(patient_id)  # a second time: not timed again
    assert len(_steps(window)) == 4

    window.log_out()
    assert window.drill_bar.isVisible()  # still a drill window on the log-in page
    log_in(qtbot, window, IT.login, IT.password)
    assert _action(window, "action_drill_start") is None
    _action(window, "action_drill_finish").trigger()
    preview = window.drill_report
    assert preview is not None and preview.isVisible()
    pdf = preview.pdf
    text = " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages
    )
    for expected in (
        "Inès Martin",
        "Hugo Petit",
        "Saisir une administration",
        "Imprimer un plan d'administration",
        "40 s",
        "25 s",
        NURSE.login,
        "EXERCICE",
    ):
        assert expected in text, expected


def test_a_dose_dialog_closed_without_saving_is_a_failed_step(qtbot, drill_window):
    window = drill_window
    log_in(qtbot, window, NURSE.login, NURSE.password)
    patient_id = _patient_with_a_dose(window)
    window.open_chart(patient_id)
    dialog = window.chart_page.open_dose(_first_dose(window))
    window.clock.advance(seconds=30)
    dialog.reject()
    dose = next(s for s in _steps(window) if s["step"] == DrillStep.RECORD_DOSE)
    assert (dose["ok"], dose["seconds"]) == (False, 30.0)
    assert "annulé" in dose["note"]


def test_it_starts_a_drill_from_the_real_laptop(qtbot, window, tmp_path, monkeypatch):
    from continuity.store import audit, key_slots

    monkeypatch.setattr(key_slots, "DEFAULT_SCRYPT", {"n": 2**12, "r": 8, "p": 1})
    log_in(qtbot, window, "admin")
    assert _action(window, "action_drill_finish") is None
    _action(window, "action_drill_start").trigger()
    dialog = window.findChild(StartDrillDialog)
    assert dialog is not None and dialog.isVisible()
    assert "drills" in dialog.folder_edit.text()  # under the user's data folder by default
    dialog.folder_edit.setText(str(tmp_path / "drill"))

    qtbot.mouseClick(dialog.build_button, Qt.MouseButton.LeftButton)  # nobody named yet
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=20_000)
    assert "participant" in dialog.error.text()
    assert dialog.isVisible() and dialog.build_button.isEnabled()

    qtbot.keyClicks(dialog.participants, "Jean Martin")
    qtbot.mouseClick(dialog.build_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.drill_flow.ready is not None, timeout=60_000)
    assert window.jobs.wait()
    ready = window.drill_flow.ready
    assert isinstance(ready, DrillReadyDialog) and ready.isVisible()
    assert not dialog.isVisible()
    assert (tmp_path / "drill" / "demo.db").exists()
    accounts = ready.findChild(type(ready.message), "drill_accounts").text()
    assert NURSE.login in accounts and NURSE.password in accounts
    actions = [row["action"] for row in audit.recent(window.session.conn, 20)]
    assert "drill_started" in actions
    assert census.list_patients(window.session)[0].id.startswith("pat-")  # real data untouched


def test_the_drill_window_command_opens_the_app_on_the_drill_cache(drill_template, tmp_path):
    program, arguments = drill_window_command(drill_template)
    assert program == sys.executable
    assert arguments[-2:] == ["--db", str(drill_template)]
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        DRILL_WINDOW_ENV: "1",
        "CONTINUITY_EXIT_AFTER_SHOW": "1",
    }
    done = subprocess.run(
        [program, *arguments],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
