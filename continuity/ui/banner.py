"""The permanent banner: where we are, how old the data is, who is logged in, and Lock.

The age of the data is what a nurse must never lose sight of during an outage: an order
changed at the pharmacy after "data as of" is not on this laptop. The banner says the time,
the age and the core's verdict (fresh / ageing / stale) in words and with a symbol, not by
colour alone.

Under it, one line says whether the laptop passed its readiness checks at log-in (the core's
summary and the worst finding); IT click it to open the readiness panel. It sits on a line
of its own because the first line is full at 1366 px.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from continuity.core import freshness
from continuity.core.clock import format_age, format_local
from continuity.core.i18n import _
from continuity.core.readiness import Item, Status, overall
from continuity.core.roles import role_label
from continuity.store.census import snapshot_info
from continuity.store.outage import outage_started
from continuity.store.session import Session
from continuity.ui.readiness_panel import STATUS_TONES, details_text, summary_text
from continuity.ui.style import DANGER, FRESHNESS_TONES, NEUTRAL, Tone

FRESHNESS_WORDS = {
    "fresh": lambda: _("up to date"),
    "ageing": lambda: _("ageing: check recent changes"),
    "stale": lambda: _("OLD DATA: check every order on paper"),
}


def freshness_state(session: Session, as_of: datetime) -> str:
    """The core's verdict on the snapshot's age, with the site's thresholds."""
    thresholds = freshness.thresholds_from_settings(session.setting)
    return str(freshness.freshness(as_of, session.now(), thresholds).level)


class Banner(QFrame):
    lock_clicked = Signal()
    readiness_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.setStyleSheet("#banner { background: #263238; } #banner QLabel { color: #ffffff; }")
        rows = QVBoxLayout(self)
        rows.setContentsMargins(10, 6, 10, 4)
        rows.setSpacing(3)
        layout = QHBoxLayout()
        layout.setSpacing(14)
        rows.addLayout(layout)
        self.place = QLabel()
        self.place.setObjectName("banner_place")
        self.freshness = QLabel()
        self.freshness.setObjectName("banner_freshness")
        self.user = QLabel()
        self.user.setObjectName("banner_user")
        self.lock_button = QPushButton(_("Lock (Ctrl+L)"))
        self.lock_button.setObjectName("banner_lock")
        self.lock_button.setAutoDefault(False)
        self.lock_button.clicked.connect(self.lock_clicked)
        layout.addWidget(self.place)
        layout.addWidget(self.freshness, 1)
        layout.addWidget(self.user)
        layout.addWidget(self.lock_button)
        self.readiness = QPushButton()
        self.readiness.setObjectName("banner_readiness")
        self.readiness.setFlat(True)
        self.readiness.setAutoDefault(False)
        self.readiness.clicked.connect(self.readiness_clicked)
        self.readiness.hide()
        # On the second row, so the first keeps the data's age and the lock button in view at
        # 1366 px whatever the freshness words.
        self.outage = QLabel()
        self.outage.setObjectName("banner_outage")
        self.outage.hide()
        second = QHBoxLayout()
        second.addWidget(self.readiness)
        second.addWidget(self.outage)
        second.addStretch(1)
        rows.addLayout(second)
        self.state: str | None = None

    def refresh(self, session: Session) -> None:
        outage = outage_started(session)
        self.outage.setVisible(outage is not None)
        if outage is not None:
            self.outage.setText("⚡ " + _("outage since {when}").format(when=format_local(outage)))
        device = session.device
        place = f"<b>{device.site_name or _('Site not named')}</b> · {device.name}"
        self.place.setText(place)
        self.user.setText(f"{session.user.display_name} ({role_label(session.user.role)})")
        info = snapshot_info(session)
        if info is None:
            self.state = "stale"
            self._show(DANGER, _("No data imported yet: IT must import a snapshot"))
            return
        age = format_age(session.now() - info.as_of)
        self.state = freshness_state(session, info.as_of)
        text = _("Data as of {when} ({age} ago)").format(when=format_local(info.as_of), age=age)
        if self.state in FRESHNESS_TONES:
            text = f"{text} — {FRESHNESS_WORDS[self.state]()}"
        self._show(FRESHNESS_TONES.get(self.state or "", NEUTRAL), text)

    def _show(self, tone: Tone, text: str) -> None:
        self.freshness.setText(f"{tone.symbol} {text}")
        self.freshness.setStyleSheet(
            f"background-color: {tone.background}; color: {tone.foreground};"
            f" border: 2px solid {tone.foreground}; padding: 4px 8px; font-weight: bold;"
        )

    def show_readiness(self, items: list[Item]) -> None:
        """The start-up check's summary; a click shows the details (the panel, for IT)."""
        state = overall(items)
        tone = STATUS_TONES[state]
        text = summary_text(items)
        if state != Status.OK:
            text += " — " + _("details…")
        self.readiness.setText(text)
        self.readiness.setToolTip(details_text(items))
        self.readiness.setCursor(Qt.CursorShape.PointingHandCursor)
        self.readiness.setStyleSheet(
            f"QPushButton {{ background-color: {tone.background}; color: {tone.foreground};"
            f" border: 1px solid {tone.foreground}; padding: 1px 8px; text-align: left;"
            " min-width: 0; }"
        )
        self.readiness.show()

    def hide_readiness(self) -> None:
        self.readiness.hide()
