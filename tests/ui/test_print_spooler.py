"""The app's print path through a real spooler: CUPS with the cups-pdf virtual printer.

Installs nothing: `.ci/run` and the README's test command start CUPS and add the `PDF`
printer (scripts/start_cups.sh). Without them the test is skipped, not failed.
"""

from __future__ import annotations

import os
import pwd
import uuid
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

from continuity.ui.print_dialog import PrintDialog
from tests.ui.conftest import log_in

pytestmark = pytest.mark.spooler

PRINTER = "PDF"


def _cups_pdf_folder() -> Path:
    """cups-pdf writes to ~/PDF of the job's owner, from the password database (not $HOME)."""
    return Path(pwd.getpwuid(os.getuid()).pw_dir) / "PDF"


def test_a_mar_printed_from_the_app_comes_out_of_the_spooler(qtbot, window):
    if QPrinterInfo.printerInfo(PRINTER).isNull():
        pytest.skip("no CUPS printer named PDF (run scripts/start_cups.sh)")
    log_in(qtbot, window, "nurse")
    window.open_chart("pat-1")
    qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    dialog = window.findChild(PrintDialog)
    qtbot.mouseClick(dialog.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: window.print_flow is not None and window.print_flow.preview is not None,
        timeout=15_000,
    )
    preview = window.print_flow.preview

    title = f"continuity-spooler-{uuid.uuid4().hex[:10]}"
    printer = QPrinter(QPrinterInfo.printerInfo(PRINTER), QPrinter.PrinterMode.HighResolution)
    printer.setDocName(title)
    sent = preview.print_to(printer)
    assert sent == preview.document.pageCount()

    folder = _cups_pdf_folder()
    qtbot.waitUntil(lambda: any(folder.glob(f"{title}*.pdf")), timeout=60_000)
    (out,) = folder.glob(f"{title}*.pdf")
    try:
        qtbot.waitUntil(
            lambda: out.stat().st_size > 0 and out.read_bytes().rstrip().endswith(b"%%EOF"),
            timeout=30_000,
        )
        reader = PdfReader(str(out))
        assert len(reader.pages) == sent
        box = reader.pages[0].mediabox
        assert sorted((round(box.width), round(box.height))) == [595, 842]  # A4
        (drawn,) = reader.pages[0].images  # the landscape sheet, turned onto the A4 page
        image = drawn.image.convert("L")
        inked = sum(image.resize((200, 280)).histogram()[:128])  # dark pixels
        assert inked > 200 * 280 * 0.01  # text and grid lines, not a blank page
    finally:
        out.unlink(missing_ok=True)  # a patient sheet never stays on disk
