"""IT imports a snapshot from the app: it runs on the worker, and the report says what
came in; a cancelled import leaves the previous snapshot exactly as it was."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt

from continuity.demo.hospital import write_demo_snapshot
from continuity.store import census
from continuity.ui import it_menu
from continuity.ui.import_dialog import ImportDialog, ImportOptions, ImportReportDialog
from continuity.ui.jobs import Job
from tests.ui.conftest import log_in


@pytest.fixture
def snapshot_folder(tmp_path):
    folder = tmp_path / "snapshot"
    folder.mkdir()
    write_demo_snapshot(folder, patients=6, as_of=datetime(2026, 11, 28, 8, 0, tzinfo=UTC))
    return folder


def _report(qtbot, window) -> ImportReportDialog:
    qtbot.waitUntil(
        lambda: window.import_flow is not None and window.import_flow.report_dialog is not None,
        timeout=20_000,
    )
    return window.import_flow.report_dialog


def test_it_imports_a_snapshot_through_the_dialog_and_sees_the_report(
    qtbot, qtmodeltester, window, snapshot_folder
):
    log_in(qtbot, window, "admin")
    dialog = it_menu.ask_import(window)
    assert isinstance(dialog, ImportDialog)
    qtbot.keyClicks(dialog.path_edit, str(snapshot_folder))
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    report = _report(qtbot, window)
    assert report.isVisible()
    assert "Instantané importé" in report.verdict.text()
    kinds = {
        report.counts.rows[i].kind: report.counts.rows[i] for i in range(report.counts.rowCount())
    }
    assert kinds["Patient"].imported == 6
    qtmodeltester.check(report.counts)
    assert window.jobs.wait()
    assert len(census.list_patients(window.session)) == 6
    assert window.census_page.model.rowCount() == 6
    assert "09:00" in window.banner.freshness.text()


def test_a_cancelled_import_changes_nothing(qtbot, window, snapshot_folder, monkeypatch):
    log_in(qtbot, window, "admin")
    before = [p.id for p in census.list_patients(window.session)]
    original_start = window.jobs.start

    def cancel_first(job: Job) -> Job:
        job.cancel()  # as if Cancel were pressed before the first resource was read
        return original_start(job)

    monkeypatch.setattr(window.jobs, "start", cancel_first)
    it_menu.start_import(window, ImportOptions(snapshot_folder, None, False, False))
    report = _report(qtbot, window)
    assert "Rien n'a été importé" in report.verdict.text()
    assert window.jobs.wait()
    assert [p.id for p in census.list_patients(window.session)] == before


def test_older_data_goes_in_only_with_the_dialogs_option(qtbot, window, tmp_path):
    """The ward's data is as of 28/11 08:00 (Paris): a snapshot of the day before is refused,
    and goes in when IT ticks the option on purpose (audited)."""
    older = tmp_path / "older"
    older.mkdir()
    write_demo_snapshot(older, patients=6, as_of=datetime(2026, 11, 27, 8, 0, tzinfo=UTC))
    log_in(qtbot, window, "admin")
    dialog = it_menu.ask_import(window)
    qtbot.keyClicks(dialog.path_edit, str(older))
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    report = _report(qtbot, window)
    assert "plus anciennes que les données en service" in report.verdict.text()
    assert window.jobs.wait()
    assert len(census.list_patients(window.session)) == 4  # the ward, unchanged
    window.import_flow = None
    dialog = it_menu.ask_import(window)
    qtbot.keyClicks(dialog.path_edit, str(older))
    dialog.allow_older.setChecked(True)
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    report = _report(qtbot, window)
    assert "Instantané importé" in report.verdict.text()
    assert window.jobs.wait()
    assert len(census.list_patients(window.session)) == 6
