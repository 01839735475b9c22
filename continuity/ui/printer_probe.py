"""The default printer as Qt sees it, and a test page that holds no patient data.

The readiness check needs to know whether a printer is configured and ready; the core takes
that as a plain `PrinterStatus` (the CLI asks CUPS, the app asks Qt, which also works on
Windows). The test page proves the whole path (driver, queue, paper) without printing anyone's
name: it shows only the site, the laptop and the time.
"""

from __future__ import annotations

from PySide6.QtCore import QMarginsF, QRectF, Qt
from PySide6.QtGui import QFont, QPageLayout, QPageSize, QPainter, QPen
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

from continuity.core.i18n import _
from continuity.core.readiness import PrinterStatus

_STATE_WORDS = {
    QPrinter.PrinterState.Idle: lambda: _("idle"),
    QPrinter.PrinterState.Active: lambda: _("printing"),
    QPrinter.PrinterState.Aborted: lambda: _("job aborted"),
    QPrinter.PrinterState.Error: lambda: _("in error or offline"),
}
_READY = {QPrinter.PrinterState.Idle, QPrinter.PrinterState.Active}


def default_printer_status() -> PrinterStatus:
    """What the readiness check needs to know (a few milliseconds, the first time ~10 ms)."""
    info = QPrinterInfo.defaultPrinter()
    if info.isNull():
        return PrinterStatus(configured=False)
    state = info.state()
    words = _STATE_WORDS.get(state)
    return PrinterStatus(
        configured=True,
        name=info.printerName(),
        ready=state in _READY,
        detail=words() if words else str(state),
    )


def default_printer() -> QPrinter | None:
    """A printer on the system's default queue, A4, or None when there is none."""
    info = QPrinterInfo.defaultPrinter()
    if info.isNull():
        return None
    printer = QPrinter(info, QPrinter.PrinterMode.HighResolution)
    printer.setDocName(_("Continuity test page"))
    return printer


def print_test_page(printer: QPrinter, *, site: str, device: str, when: str) -> bool:
    """Draw the test page on `printer`; False if the printer could not be opened."""
    printer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(15, 15, 15, 15),
            QPageLayout.Unit.Millimeter,
        )
    )
    painter = QPainter()
    if not painter.begin(printer):
        return False
    try:
        dpi = printer.resolution()
        page = QRectF(printer.pageLayout().paintRectPixels(dpi))
        page.moveTo(0, 0)

        def mm(value: float) -> float:
            return value / 25.4 * dpi

        painter.setPen(QPen(Qt.GlobalColor.black, mm(0.5)))
        painter.drawRect(page.adjusted(mm(1), mm(1), -mm(1), -mm(1)))
        title = QFont("DejaVu Sans", 20, QFont.Weight.Bold)
        body = QFont("DejaVu Sans", 12)
        y = mm(20)
        painter.setFont(title)
        painter.drawText(
            QRectF(mm(10), y, page.width() - mm(20), mm(14)),
            Qt.AlignmentFlag.AlignLeft,
            _("Continuity — printer test page"),
        )
        y += mm(20)
        painter.setFont(body)
        lines = [
            _("Site: {site}").format(site=site),
            _("Laptop: {device}").format(device=device),
            _("Printed on {when}").format(when=when),
            "",
            _("If you can read this page, this laptop can print the paper fallbacks."),
            _("This page holds no patient data; it can be thrown away."),
            "",
            _("The line below measures 100 mm: if not, check the paper size (A4)."),
        ]
        for line in lines:
            painter.drawText(
                QRectF(mm(10), y, page.width() - mm(20), mm(8)), Qt.AlignmentFlag.AlignLeft, line
            )
            y += mm(8)
        y += mm(4)
        painter.drawLine(int(mm(10)), int(y), int(mm(110)), int(y))
        for tick in range(11):
            x = int(mm(10 + tick * 10))
            painter.drawLine(x, int(y - mm(2)), x, int(y + mm(2)))
    finally:
        painter.end()
    return True
