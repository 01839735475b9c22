"""The readiness panel (IT): every check with its verdict and what to do, run again, test page.

The checks and their verdicts are the core's (`continuity.store.readiness.run_check`, audited
each time it runs); this panel only lists them. Each verdict is a symbol and a word beside
its colour. The banner's one-line summary comes from the same items.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from continuity.core.clock import format_local
from continuity.core.i18n import _
from continuity.core.readiness import Item, PrinterStatus, Status, overall, summary_line
from continuity.core.roles import Permission
from continuity.store.readiness import run_check
from continuity.store.session import Session
from continuity.ui.row_table import Column, RowTableModel, table_view
from continuity.ui.style import DANGER, OK, WARN, Tone, set_role

if TYPE_CHECKING:
    from PySide6.QtPrintSupport import QPrinter

    from continuity.ui.main_window import MainWindow

STATUS_TONES: dict[Status, Tone] = {Status.OK: OK, Status.WARNING: WARN, Status.FAILURE: DANGER}


def status_word(status: Status) -> str:
    return {Status.OK: _("ok"), Status.WARNING: _("warning"), Status.FAILURE: _("failure")}[status]


def status_text(status: Status) -> str:
    """The verdict as a symbol and a word (never colour alone)."""
    return f"{STATUS_TONES[status].symbol} {status_word(status)}"


def check_name(key: str) -> str:
    return {
        "snapshot": _("Snapshot"),
        "users": _("Users"),
        "recovery": _("Recovery key slot"),
        "audit": _("Audit log"),
        "integrity": _("Encrypted file"),
        "disk": _("Disk space"),
        "printer": _("Printer"),
        "clock": _("Clock"),
        "temp_ids": _("Temporary ids"),
        "exports": _("Exports"),
    }.get(key, key)


def summary_text(items: list[Item]) -> str:
    """The banner's line: the core's summary, then the worst item's message."""
    state = overall(items)
    text = f"{STATUS_TONES[state].symbol} {summary_line(items)}"
    worst = next((i for i in items if i.status == state), None)
    if state != Status.OK and worst is not None:
        text += f" {worst.message}"
    return text


def details_text(items: list[Item]) -> str:
    """Every item that is not ok, with what to do (a tooltip for those who cannot click)."""
    lines = [
        f"{status_text(i.status)} — {i.message}" + (f" {i.action}" if i.action else "")
        for i in items
        if i.status != Status.OK
    ]
    return "\n".join(lines) or summary_line(items)


ITEM_COLUMNS: tuple[Column[Item], ...] = (
    Column(
        lambda: _("State"), lambda i: status_text(i.status), tone=lambda i: STATUS_TONES[i.status]
    ),
    Column(lambda: _("Check"), lambda i: check_name(i.key)),
    Column(lambda: _("Finding"), lambda i: i.message, stretch=True),
    Column(lambda: _("What to do"), lambda i: i.action, stretch=True),
)


class ReadinessPanel(QDialog):
    """Runs the audited check on opening and on "Run again"; `checked` carries the items."""

    checked = Signal(object)  # list[Item]

    def __init__(
        self,
        session: Session,
        printer_probe: Callable[[], PrinterStatus],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.printer_probe = printer_probe
        self.items: list[Item] = []
        self.setWindowTitle(_("Readiness of this laptop"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.resize(1100, 560)
        layout = QVBoxLayout(self)
        self.verdict = QLabel()
        self.verdict.setObjectName("readiness_verdict")
        self.verdict.setWordWrap(True)
        layout.addWidget(self.verdict)
        self.model: RowTableModel[Item] = RowTableModel(ITEM_COLUMNS, self)
        self.table = table_view(self.model, name="readiness_table")
        layout.addWidget(self.table, 1)
        self.message = QLabel()
        self.message.setObjectName("readiness_message")
        self.message.setWordWrap(True)
        set_role(self.message, "hint")
        layout.addWidget(self.message)
        row = QHBoxLayout()
        self.run_button = QPushButton(_("&Run the checks again"))
        self.run_button.setObjectName("readiness_run")
        self.test_page_button = QPushButton(_("Print a &test page"))
        self.test_page_button.setObjectName("readiness_test_page")
        close = QPushButton(_("Close"))
        close.setDefault(True)
        row.addWidget(self.run_button)
        row.addWidget(self.test_page_button)
        row.addStretch(1)
        row.addWidget(close)
        layout.addLayout(row)
        self.run_button.clicked.connect(self.run)
        self.test_page_button.clicked.connect(self.print_test_page)
        close.clicked.connect(self.accept)
        self.run()

    def run(self) -> list[Item]:
        """The audited check (IT only: the core refuses other roles)."""
        self.items = run_check(self.session, self.printer_probe)
        self.model.set_rows(self.items)
        state = overall(self.items)
        tone = STATUS_TONES[state]
        when = format_local(self.session.now(), seconds=True)
        self.verdict.setText(
            f"{tone.symbol} {summary_line(self.items)} " + _("Checked at {when}.").format(when=when)
        )
        self.verdict.setStyleSheet(
            f"{tone.css()} padding: 8px; font-weight: bold; border: 2px solid {tone.foreground};"
        )
        self.checked.emit(self.items)
        return self.items

    def print_test_page(self, printer: QPrinter | None = None) -> bool:
        """A page with no patient data on the default printer (or the one given)."""
        from continuity.ui.printer_probe import default_printer, print_test_page

        printer = printer or default_printer()
        if printer is None:
            self.message.setText("⚠ " + _("No default printer is configured: nothing was sent."))
            return False
        device = self.session.device
        sent = print_test_page(
            printer,
            site=device.site_name or "—",
            device=device.name,
            when=format_local(self.session.now()),
        )
        target = printer.printerName() or printer.outputFileName()
        if sent:
            self.message.setText(_("Test page sent to {printer}.").format(printer=target))
        else:
            self.message.setText(
                "⚠ " + _("The printer {printer} could not be opened.").format(printer=target)
            )
        return sent


def open_panel(window: MainWindow) -> ReadinessPanel | None:
    """IT: the panel (audited check); others: the start-up findings, read-only."""
    session = window.session
    if session is None or session.locked:
        return None
    if not session.can(Permission.MANAGE_DEVICE):
        window.inform(_("Readiness of this laptop"), details_text(window.readiness))
        return None
    from continuity.ui.printer_probe import default_printer_status

    panel = window.call(lambda: ReadinessPanel(session, default_printer_status, window))
    if panel is None:
        return None
    panel.checked.connect(window.show_readiness)
    window.show_readiness(panel.items)
    window.readiness_panel = panel
    panel.open()
    return panel
