"""Previewing a printed sheet, printing it, or saving it where the user says.

The PDF stays in memory: Qt's PDF module reads it from a QBuffer, the printer gets pages
drawn from that document, and the only file ever written is the one the user names in the
Save dialog. No patient PDF is left in a temporary folder.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QKeySequence, QPageLayout, QPainter, QShortcut
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from continuity.core.i18n import _
from continuity.ui.style import set_role

#: Resolution of the page images sent to the printer: sharp text, bounded memory per page.
PRINT_DPI = 300


def load_pdf(data: bytes, parent: QWidget) -> tuple[QPdfDocument, QBuffer]:
    """A QPdfDocument reading from memory; keep the buffer alive as long as the document."""
    buffer = QBuffer(parent)
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument(parent)
    document.load(buffer)
    return document, buffer


def print_document(document: QPdfDocument, printer: QPrinter) -> int:
    """Draw every page (or the range the user chose) on the printer; returns pages sent."""
    count = document.pageCount()
    first, last = 1, count
    if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
        first, last = printer.fromPage(), min(printer.toPage() or count, count)
    size = document.pagePointSize(0)
    orientation = (
        QPageLayout.Orientation.Landscape
        if size.width() > size.height()
        else QPageLayout.Orientation.Portrait
    )
    printer.setPageOrientation(orientation)
    painter = QPainter()
    if not painter.begin(printer):
        return 0
    sent = 0
    try:
        for number in range(first - 1, last):
            if sent:
                printer.newPage()
            target = QRectF(printer.pageLayout().paintRectPixels(printer.resolution()))
            target.moveTo(QPointF(0, 0))
            points = document.pagePointSize(number)
            scale = min(target.width() / points.width(), target.height() / points.height())
            width, height = points.width() * scale, points.height() * scale
            pixels = QSize(
                round(points.width() / 72 * PRINT_DPI), round(points.height() / 72 * PRINT_DPI)
            )
            image = document.render(number, pixels)
            painter.drawImage(QRectF(0, 0, width, height), image)
            sent += 1
    finally:
        painter.end()
    return sent


class PreviewDialog(QDialog):
    """The sheet as it will print; Print… and Save as PDF… act on this very document."""

    def __init__(self, pdf: bytes, title: str, details: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pdf = pdf
        self.setWindowTitle(title)
        self.resize(1000, 700)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        layout = QVBoxLayout(self)
        info = QLabel(details)
        info.setObjectName("preview_details")
        info.setWordWrap(True)
        layout.addWidget(info)
        self.document, self._buffer = load_pdf(pdf, self)
        self.view = QPdfView(self)
        self.view.setObjectName("preview_view")
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        layout.addWidget(self.view, 1)
        self.message = QLabel()
        self.message.setObjectName("preview_message")
        self.message.setWordWrap(True)
        set_role(self.message, "hint")
        layout.addWidget(self.message)
        row = QHBoxLayout()
        self.print_button = QPushButton(_("&Print…"))
        self.print_button.setObjectName("preview_print")
        self.print_button.setDefault(True)
        self.save_button = QPushButton(_("&Save as PDF…"))
        self.save_button.setObjectName("preview_save")
        close = QPushButton(_("Close"))
        row.addWidget(self.print_button)
        row.addWidget(self.save_button)
        row.addStretch(1)
        row.addWidget(close)
        layout.addLayout(row)
        self.print_button.clicked.connect(self.ask_print)
        self.save_button.clicked.connect(self.ask_save)
        close.clicked.connect(self.accept)
        QShortcut(QKeySequence("Ctrl+P"), self, activated=self.ask_print)
        QShortcut(QKeySequence("Ctrl+S"), self, activated=self.ask_save)

    def ask_print(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self.windowTitle())
        dialog = QPrintDialog(printer, self)
        dialog.setOption(QPrintDialog.PrintDialogOption.PrintToFile, False)
        dialog.setMinMax(1, self.document.pageCount())
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.print_to(printer)

    def print_to(self, printer: QPrinter) -> int:
        sent = print_document(self.document, printer)
        if sent:
            self.message.setText(
                _("{n} page(s) sent to {printer}.").format(
                    n=sent, printer=printer.printerName() or printer.outputFileName()
                )
            )
        else:
            self.message.setText("⚠ " + _("The printer could not be opened; nothing was sent."))
        return sent

    def ask_save_path(self) -> Path | None:
        name, _filter = QFileDialog.getSaveFileName(
            self,
            _("Save as PDF"),
            str(Path.home() / f"{self.windowTitle()}.pdf"),
            _("PDF files (*.pdf)"),
            options=QFileDialog.Option.DontUseNativeDialog,
        )
        if not name:
            return None
        path = Path(name)
        return path if path.suffix.lower() == ".pdf" else path.with_suffix(".pdf")

    def ask_save(self) -> Path | None:
        path = self.ask_save_path()
        if path is None:
            return None
        try:
            # Owner-only permissions: the file holds patients' data.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(self.pdf)
        except OSError as exc:
            self.message.setText(
                "⚠ " + _("The PDF could not be saved: {error}").format(error=exc.strerror or exc)
            )
            return None
        self.message.setText(_("Saved: {path}").format(path=path))
        return path
