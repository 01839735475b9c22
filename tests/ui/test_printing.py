"""Printing from the menu: the role's sheets only, a preview, then a PDF where the user says."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QMenu

from continuity.ui.pdf_preview import PreviewDialog
from continuity.ui.print_dialog import PrintDialog
from tests.ui.conftest import log_in


def _action(window, name: str):
    for menu in window.menuBar().findChildren(QMenu):
        for action in menu.actions():
            if action.objectName() == name:
                return action
    return None


def _text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(str(path)).pages)


def _preview_mar(qtbot, window) -> PreviewDialog:
    log_in(qtbot, window, "nurse")
    window.open_chart("pat-1")
    qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    dialog = window.findChild(PrintDialog)
    assert dialog is not None and dialog.isVisible()
    assert dialog.scope() == "patient"
    qtbot.mouseClick(dialog.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: window.print_flow is not None and window.print_flow.preview is not None,
        timeout=15_000,
    )
    preview = window.print_flow.preview
    assert preview.isVisible()
    assert preview.document.pageCount() >= 1
    return preview


def test_a_nurse_prints_the_mar_to_a_pdf_file_from_the_menu(qtbot, window, tmp_path, monkeypatch):
    preview = _preview_mar(qtbot, window)
    target = tmp_path / "mar-lefevre.pdf"
    monkeypatch.setattr(preview, "ask_save_path", lambda: target)
    qtbot.mouseClick(preview.save_button, Qt.MouseButton.LeftButton)
    assert target.read_bytes().startswith(b"%PDF")
    assert target.stat().st_mode & 0o077 == 0
    text = _text(target)
    assert "LEFÈVRE" in text and "IPP0001" in text and "Paracétamol" in text


def test_the_print_path_sends_every_page_to_the_printer(qtbot, window, tmp_path):
    preview = _preview_mar(qtbot, window)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    sent = preview.print_to(printer)
    assert sent == preview.document.pageCount()
    reader = PdfReader(str(tmp_path / "printed.pdf"))
    assert len(reader.pages) == sent
    box = reader.pages[0].mediabox
    assert box.width > box.height  # the MAR is landscape


def test_nothing_of_the_sheet_is_left_in_the_temporary_folder(qtbot, window, tmp_path):
    import tempfile

    before = set(Path(tempfile.gettempdir()).iterdir())
    _preview_mar(qtbot, window)
    after = set(Path(tempfile.gettempdir()).iterdir())
    assert not [p for p in after - before if p.suffix.lower() == ".pdf"]


def test_the_print_menu_lists_only_the_role_s_sheets(qtbot, window):
    log_in(qtbot, window, "nurse")
    assert _action(window, "action_print_mar") is not None
    assert _action(window, "action_print_census") is not None
    assert _action(window, "action_print_prescriptions") is None
    assert _action(window, "action_print_pick-list") is None
    window.log_out()
    log_in(qtbot, window, "pharma")
    assert _action(window, "action_print_prescriptions") is not None
    assert _action(window, "action_print_pick-list") is not None
