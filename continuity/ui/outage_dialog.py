"""Record menu > "The outage started at…": when the central system went down on this ward.

Doses scheduled before that moment with nothing recorded on this laptop are shown "before the
outage: check" instead of late or missed (`continuity.store.outage`). The core validates and
audits; the dialog only asks, shows the core's sentence when refused, and reloads the screens.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from continuity.core.clock import format_local
from continuity.core.errors import UserError
from continuity.core.i18n import _
from continuity.store.census import snapshot_info
from continuity.store.outage import (
    declare_outage_start,
    latest_possible_start,
    outage_started,
    withdraw_outage_start,
)
from continuity.store.session import Session
from continuity.ui.entry_dialog import from_qdatetime, to_qdatetime
from continuity.ui.style import grow_to_fit, hold_dialog_size, message_line, set_role

if TYPE_CHECKING:
    from continuity.ui.main_window import MainWindow


class OutageDialog(QDialog):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle(_("When did the outage start?"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        layout = QVBoxLayout(self)
        hold_dialog_size(layout, 560)
        intro = QLabel(
            _(
                "Doses scheduled before this time with nothing recorded on this laptop may "
                "have been recorded in the central system before it went down: they are "
                "shown \u201cbefore the outage: check\u201d, never late or missed. Give your "
                "best estimate; it can be changed later and is kept in the audit log."
            )
        )
        intro.setWordWrap(True)
        set_role(intro, "hint")
        layout.addWidget(intro)
        current = outage_started(session)
        info = snapshot_info(session)
        latest = latest_possible_start(session)
        # Offered first: the present declaration, else just after the data in force, which
        # turns no late dose into "check" if saved as is; the nurse moves it later.
        earliest = info.as_of + timedelta(minutes=1) if info is not None else latest
        self.when_edit = QDateTimeEdit()
        self.when_edit.setObjectName("outage_when")
        self.when_edit.setDisplayFormat("dd/MM/yyyy HH:mm")
        self.when_edit.setCalendarPopup(True)
        self.when_edit.setDateTime(to_qdatetime(current or min(earliest, latest)))
        form = QFormLayout()
        label = QLabel(_("The central system went down at"))
        label.setBuddy(self.when_edit)
        form.addRow(label, self.when_edit)
        layout.addLayout(form)
        if info is not None:
            bounds = QLabel(
                _("Between {as_of} (data on this laptop) and {latest}.").format(
                    as_of=format_local(info.as_of), latest=format_local(latest)
                )
            )
            bounds.setObjectName("outage_bounds")
            bounds.setWordWrap(True)
            layout.addWidget(bounds)
        if current is not None:
            now_label = QLabel(_("Declared at present: {when}.").format(when=format_local(current)))
            now_label.setObjectName("outage_current")
            layout.addWidget(now_label)
        self.error = message_line("outage_error", "error")
        layout.addWidget(self.error)
        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton(_("Save"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("outage_save")
        self.withdraw_button = None
        if current is not None:
            self.withdraw_button = buttons.addButton(
                _("Withdraw the declaration"), QDialogButtonBox.ButtonRole.DestructiveRole
            )
            self.withdraw_button.setObjectName("outage_withdraw")
            self.withdraw_button.clicked.connect(self.withdraw)
        buttons.addButton(_("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def save(self) -> bool:
        try:
            declare_outage_start(self.session, from_qdatetime(self.when_edit.dateTime()))
        except UserError as exc:
            self.error.setText("⚠ " + exc.message)
            self.error.show()
            grow_to_fit(self)
            return False
        self.accept()
        return True

    def withdraw(self) -> None:
        try:
            withdraw_outage_start(self.session)
        except UserError as exc:
            self.error.setText("⚠ " + exc.message)
            self.error.show()
            return
        self.accept()


def open_outage(window: MainWindow) -> OutageDialog | None:
    session = window.session
    if session is None or session.locked:
        return None
    dialog = window.call(lambda: OutageDialog(session, window))
    if dialog is None:
        return None
    dialog.accepted.connect(window.refresh_data)
    window.outage_dialog = dialog
    dialog.open()
    return dialog
