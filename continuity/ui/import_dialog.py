"""Importing a snapshot (IT): choose the file, run it on the worker, show the report.

The import itself is the core's `import_snapshot`, all-or-nothing; this module asks for its
options, hands it the worker's progress and cancel callables, and shows what it reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from continuity.core.clock import PARIS, format_local
from continuity.core.i18n import _
from continuity.core.roles import Permission
from continuity.store.session import Session
from continuity.ui.row_table import Column, RowTableModel, table_view
from continuity.ui.style import DANGER, OK, grow_to_fit, hold_dialog_size, set_role


@dataclass(frozen=True)
class ImportOptions:
    path: Path
    as_of: datetime | None
    accept_partial: bool
    allow_unsigned: bool
    allow_older: bool = False


class ImportDialog(QDialog):
    """Asks what to import and how; nothing happens until Import is pressed."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Import a snapshot"))
        layout = QVBoxLayout(self)
        hold_dialog_size(layout, 620)
        intro = QLabel(
            _(
                "A snapshot replaces the previous one as a whole; if anything goes "
                "wrong, the previous one stays exactly as it was. Entries recorded on "
                "this laptop are never touched."
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        row = QHBoxLayout()
        self.path_edit = QLineEdit()
        self.path_edit.setObjectName("import_path")
        self.path_edit.setPlaceholderText(_("a Bulk Data folder, a .zip or a Bundle .json"))
        folder_button = QPushButton(_("Folder…"))
        file_button = QPushButton(_("File…"))
        folder_button.setAutoDefault(False)
        file_button.setAutoDefault(False)
        row.addWidget(self.path_edit, 1)
        row.addWidget(folder_button)
        row.addWidget(file_button)
        form.addRow(_("Snapshot"), row)
        self.state_as_of = QCheckBox(_('State the "data as of" time myself'))
        self.as_of_edit = QDateTimeEdit()
        self.as_of_edit.setDisplayFormat("dd/MM/yyyy HH:mm")
        self.as_of_edit.setCalendarPopup(True)
        self.as_of_edit.setDateTime(QDateTime.currentDateTime())
        self.as_of_edit.setEnabled(False)
        form.addRow(self.state_as_of, self.as_of_edit)
        self.accept_partial = QCheckBox(
            _("Accept a partial import (rejected resources are listed in the report)")
        )
        form.addRow("", self.accept_partial)
        self.allow_unsigned = QCheckBox(
            _("Allow an unsigned snapshot (IT override, recorded in the audit log)")
        )
        self.allow_unsigned.setObjectName("import_allow_unsigned")
        self.allow_unsigned.setVisible(session.can(Permission.OVERRIDE_SIGNATURE))
        form.addRow("", self.allow_unsigned)
        self.allow_older = QCheckBox(
            _("Import even if it is older than the data in force (recorded in the audit log)")
        )
        self.allow_older.setObjectName("import_allow_older")
        form.addRow("", self.allow_older)
        layout.addLayout(form)
        self.message = QLabel()
        set_role(self.message, "error")
        self.message.hide()
        layout.addWidget(self.message)
        buttons = QDialogButtonBox()
        self.import_button = buttons.addButton(_("Import"), QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(_("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        folder_button.clicked.connect(self._pick_folder)
        file_button.clicked.connect(self._pick_file)
        self.state_as_of.toggled.connect(self.as_of_edit.setEnabled)

    def _pick_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, _("Snapshot folder"), "", QFileDialog.Option.DontUseNativeDialog
        )
        if folder:
            self.path_edit.setText(folder)

    def _pick_file(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(
            self,
            _("Snapshot file"),
            "",
            _("Snapshots (*.zip *.json *.ndjson);;All files (*)"),
            options=QFileDialog.Option.DontUseNativeDialog,
        )
        if name:
            self.path_edit.setText(name)

    def _check(self) -> None:
        text = self.path_edit.text().strip()
        if not text or not Path(text).exists():
            self.message.setText("⚠ " + _("Choose an existing folder or file."))
            self.message.show()
            grow_to_fit(self)
            return
        self.accept()

    def options(self) -> ImportOptions:
        as_of = None
        if self.state_as_of.isChecked():
            stamp = self.as_of_edit.dateTime().toPython()
            as_of = stamp.replace(tzinfo=PARIS)
        return ImportOptions(
            Path(self.path_edit.text().strip()),
            as_of,
            self.accept_partial.isChecked(),
            self.allow_unsigned.isChecked() and self.allow_unsigned.isVisible(),
            self.allow_older.isChecked(),
        )


@dataclass(frozen=True)
class CountRow:
    kind: str
    read: int
    imported: int
    rejected: int
    skipped: int


COUNT_KIND, COUNT_READ, COUNT_IMPORTED, COUNT_REJECTED, COUNT_SKIPPED = range(5)
COUNT_COLUMNS: tuple[Column[CountRow], ...] = (
    Column(lambda: _("Resource"), lambda r: r.kind, stretch=True),
    Column(lambda: _("Read"), lambda r: str(r.read)),
    Column(lambda: _("Imported"), lambda r: str(r.imported)),
    Column(
        lambda: _("Rejected"),
        lambda r: str(r.rejected),
        tone=lambda r: DANGER if r.rejected else None,
    ),
    Column(lambda: _("Skipped"), lambda r: str(r.skipped)),
)


def report_dict(report: Any) -> dict[str, Any]:
    """The core's report as plain data (`ImportReport.as_dict`, or a dict already)."""
    if report is None:
        return {}
    if isinstance(report, dict):
        return report
    return report.as_dict(rejections=None)


class ImportReportDialog(QDialog):
    """What was read, imported, rejected and skipped, per type, and why anything was left."""

    def __init__(
        self, report: Any, parent: QWidget | None = None, *, failure: str | None = None
    ) -> None:
        super().__init__(parent)
        data = report_dict(report)
        self.setWindowTitle(_("Import report"))
        self.resize(760, 560)
        layout = QVBoxLayout(self)
        self.verdict = QLabel()
        self.verdict.setObjectName("import_verdict")
        self.verdict.setWordWrap(True)
        imported = failure is None and data.get("imported", True)
        tone = OK if imported else DANGER
        if imported:
            text = _("Snapshot imported.")
            if data.get("as_of"):
                from continuity.core.clock import from_iso

                text += " " + _("Data as of {when}.").format(
                    when=format_local(from_iso(data["as_of"]))
                )
        else:
            text = _("Nothing was imported; the previous snapshot is unchanged.")
            if failure:
                text += " " + failure
        self.verdict.setText(f"{tone.symbol} {text}")
        self.verdict.setStyleSheet(
            f"{tone.css()} padding: 8px; font-weight: bold; border: 2px solid {tone.foreground};"
        )
        layout.addWidget(self.verdict)
        if data.get("source"):
            source = QLabel(_("Source: {source}").format(source=data["source"]))
            source.setWordWrap(True)
            layout.addWidget(source)
        if data.get("signature"):
            layout.addWidget(
                QLabel(_("Signature: {state}").format(state=signature_word(data["signature"])))
            )
        self.counts = RowTableModel(COUNT_COLUMNS, self)
        self.counts.set_rows(
            [
                CountRow(
                    kind,
                    c.get("read", 0),
                    c.get("imported", 0),
                    c.get("rejected", 0),
                    c.get("skipped", 0),
                )
                for kind, c in sorted((data.get("counts") or {}).items())
            ]
        )
        layout.addWidget(table_view(self.counts, name="import_counts"), 2)
        lines = [
            f"{r.get('where', '')}: {r.get('type', '')}/{r.get('id') or '?'}: {r.get('reason', '')}"
            for r in data.get("rejections") or []
        ] + list(data.get("notes") or [])
        if lines:
            layout.addWidget(QLabel(_("Rejected resources and notes")))
            details = QPlainTextEdit("\n".join(lines))
            details.setReadOnly(True)
            details.setObjectName("import_rejections")
            layout.addWidget(details, 1)
        buttons = QDialogButtonBox()
        buttons.addButton(_("Close"), QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)


def signature_word(state: str) -> str:
    return {
        "verified": _("verified"),
        "unsigned-override": _("UNSIGNED, accepted by IT override"),
        "not-required": _("not required on this laptop"),
    }.get(state, state)
