"""IT exports the laptop's entries from the app: an encrypted package where IT says."""

from __future__ import annotations

from continuity.store import entries
from continuity.store.cache import login
from continuity.ui.export_dialog import ExportOptions, start_export
from tests.conftest import NURSE_PASSWORD
from tests.ui.conftest import log_in


def test_it_exports_the_entries_to_an_encrypted_package(qtbot, window, ward, tmp_path):
    with login(ward.path, "nurse", NURSE_PASSWORD, clock=ward.clock) as nurse:
        entries.record_note(nurse, patient_id="pat-2", text="Patient calme, a bien dormi.")
    log_in(qtbot, window, "admin")
    target = tmp_path / "ward.ccx"
    start_export(window, ExportOptions(target, "correct horse battery staple", False))
    qtbot.waitUntil(lambda: window.export_flow.message is not None, timeout=20_000)
    assert window.jobs.wait()
    assert window.export_flow.result is not None, window.export_flow.message
    assert window.export_flow.result.entry_count == 1
    data = target.read_bytes()
    assert b"calme" not in data  # encrypted
    assert str(target) in window.export_flow.message


def test_a_passphrase_too_short_is_refused_and_nothing_is_written(qtbot, window, tmp_path):
    log_in(qtbot, window, "admin")
    target = tmp_path / "ward.ccx"
    start_export(window, ExportOptions(target, "short", False))
    qtbot.waitUntil(lambda: window.export_flow.message is not None, timeout=20_000)
    assert window.jobs.wait()
    assert window.export_flow.result is None
    assert not target.exists()
