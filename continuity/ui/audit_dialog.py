"""Checking the audit log's hash chain (IT), with its most recent rows."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from continuity.core.clock import format_local, from_iso
from continuity.core.i18n import _
from continuity.core.roles import Permission
from continuity.store import audit
from continuity.store.session import Session
from continuity.ui.row_table import Column, RowTableModel, table_view
from continuity.ui.style import DANGER, OK

AUDIT_ID, AUDIT_AT, AUDIT_ACTOR, AUDIT_ACTION, AUDIT_DETAIL = range(5)
AUDIT_COLUMNS: tuple[Column[dict[str, Any]], ...] = (
    Column(lambda: _("Row"), lambda r: str(r["id"])),
    Column(lambda: _("When"), lambda r: format_local(from_iso(r["at"]), seconds=True)),
    Column(lambda: _("Who"), lambda r: r["actor"]),
    Column(
        lambda: _("Action"),
        lambda r: r["action"],
        tone=lambda r: DANGER if r["action"] in ("break_glass", "login_failed") else None,
    ),
    Column(
        lambda: _("Detail"),
        lambda r: ", ".join(f"{k}={v}" for k, v in r["detail"].items()),
        stretch=True,
    ),
)


def verify(session: Session) -> audit.ChainReport:
    """The same steps as `continuity audit verify`: check, then record that it was checked."""
    session.require(Permission.VERIFY_AUDIT)
    report = audit.verify_chain(session.conn)
    session.audit("audit_verified", {"ok": report.ok, "rows": report.rows})
    return report


class AuditDialog(QDialog):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Audit log"))
        self.resize(900, 520)
        layout = QVBoxLayout(self)
        report = verify(session)
        self.verdict = QLabel()
        self.verdict.setObjectName("audit_verdict")
        self.verdict.setWordWrap(True)
        if report.ok:
            tone = OK
            text = _("Audit log intact: {rows} rows, chain verified.").format(rows=report.rows)
        else:
            tone = DANGER
            text = _("Audit log BROKEN at row {row}: it was altered, removed or inserted.").format(
                row=report.first_broken
            )
        self.verdict.setText(f"{tone.symbol} {text}")
        self.verdict.setStyleSheet(
            f"{tone.css()} padding: 8px; font-weight: bold; border: 2px solid {tone.foreground};"
        )
        layout.addWidget(self.verdict)
        head = QLabel(
            _("Chain head (printed on every sheet): {head}").format(
                head=audit.short_head(session.conn)
            )
        )
        layout.addWidget(head)
        self.model: RowTableModel = RowTableModel(AUDIT_COLUMNS, self)
        self.model.set_rows(audit.recent(session.conn, 200))
        layout.addWidget(table_view(self.model, name="audit_table"), 1)
        buttons = QDialogButtonBox()
        buttons.addButton(_("Close"), QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)
        self.report = report
