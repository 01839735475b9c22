"""Locking the screen after a few idle minutes, on the injected clock.

Idle time is measured with the app's `Clock` (not with a Qt timer's own notion of time), so a
test moves a `FixedClock` forward and calls `check()`; no test sleeps. The Qt timer only decides
how often to look. Any key press, click or wheel turn anywhere in the app counts as activity.
How many minutes is IT's setting, read by the core (`continuity.store.settings`).
"""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

from continuity.core.clock import Clock
from continuity.store.settings import ADJUSTABLE, IDLE_LOCK_MINUTES

_ACTIVITY = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseButtonDblClick,
    QEvent.Type.Wheel,
    QEvent.Type.MouseMove,
    QEvent.Type.TouchBegin,
}


class IdleLock(QObject):
    """Emits `idle` once when no input came for `minutes`; `arm()` starts watching again."""

    idle = Signal()

    def __init__(
        self, clock: Clock, parent: QObject | None = None, *, check_every_ms: int = 10_000
    ) -> None:
        super().__init__(parent)
        self.clock = clock
        self.limit = timedelta(minutes=ADJUSTABLE[IDLE_LOCK_MINUTES].default)
        self.last_activity = clock.now()
        self.armed = False
        self._timer = QTimer(self)
        self._timer.setInterval(check_every_ms)
        self._timer.timeout.connect(self.check)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def arm(self, minutes: int) -> None:
        """Start (or restart) watching, from now."""
        self.limit = timedelta(minutes=minutes)
        self.last_activity = self.clock.now()
        self.armed = True
        self._timer.start()

    def set_minutes(self, minutes: int) -> None:
        """A new limit at once, counted from the last activity (IT just changed it)."""
        self.limit = timedelta(minutes=minutes)

    def disarm(self) -> None:
        self.armed = False
        self._timer.stop()

    def touch(self) -> None:
        self.last_activity = self.clock.now()

    def check(self) -> None:
        if self.armed and self.clock.now() - self.last_activity >= self.limit:
            self.disarm()
            self.idle.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self.armed and event.type() in _ACTIVITY:
            self.last_activity = self.clock.now()
        return False

    def detach(self) -> None:
        """Stop filtering the application's events (the window is going away)."""
        self.disarm()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
