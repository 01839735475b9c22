"""A user's attempt at one action (log in, find a patient, print a MAR…), from start to outcome.

The pages say when an action starts and how it ended (done, failed, cancelled); whoever wants
to time actions listens to the window's `attempt_started` signal. Today that is the drill
timer (`drill_timer.py`); the pages know nothing of drills, and the timer knows nothing of
dialogs and workers. Times come from the window's injected clock, so tests move a FixedClock
instead of sleeping.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QObject, Signal

from continuity.core.clock import Clock
from continuity.core.i18n import _

LOGIN = "login"
FIND_PATIENT = "find_patient"
RECORD_DOSE = "record_dose"
EXPORT = "export"


def print_action(kind: str) -> str:
    """The action name of printing one kind of sheet ("print_mar" for the MAR)."""
    return f"print_{kind}"


class Attempt(QObject):
    """Ends once: the first `succeed`, `fail` or `cancel` counts, later calls are ignored."""

    ended = Signal(object)  # this attempt, with ok, note and ended_at set

    def __init__(self, action: str, clock: Clock, session: object, parent: QObject) -> None:
        super().__init__(parent)
        self.action = action
        self.clock = clock
        #: The session open when the attempt started (None before log-in).
        self.session = session
        self.started_at: datetime = clock.now()
        self.ended_at: datetime | None = None
        self.ok = False
        self.note = ""
        self.setbacks: list[str] = []

    @property
    def done(self) -> bool:
        return self.ended_at is not None

    @property
    def seconds(self) -> float:
        end = self.ended_at or self.clock.now()
        return max(0.0, (end - self.started_at).total_seconds())

    def setback(self, message: str) -> None:
        """A refusal on the way that the user got past (a wrong password): kept for the note."""
        if not self.done:
            self.setbacks.append(message)

    # The outcomes take and ignore extra arguments so that any signal can end an attempt
    # (a dialog's `finished(int)`, a job's `succeeded(result)`); connect them as bound methods,
    # which Qt disconnects once the attempt is deleted.
    def succeed(self, *_args: object) -> None:
        notes = sorted(set(self.setbacks), key=self.setbacks.index)
        self._end(True, "; ".join(f"{self.setbacks.count(n)} × {n}" for n in notes))

    def fail(self, note: str) -> None:
        self._end(False, note)

    def cancel(self, *_args: object) -> None:
        self._end(False, _("cancelled by the user"))

    def _end(self, ok: bool, note: str) -> None:
        if self.done:
            return
        self.ended_at = self.clock.now()
        self.ok = ok
        self.note = note
        self.ended.emit(self)
        self.deleteLater()
