"""Timing a drill's steps by watching what people do in the app, with no stopwatch.

The window announces every attempt (see `attempts.py`): log-in from the log-in page shown to
success, finding a patient from the census shown after log-in to a chart opened, printing a
MAR from its print dialog to the PDF produced, recording a dose from the dose dialog to the
stored entry, exporting from the export dialog to the file written. When the open cache is a
drill, the first outcome of each step in each log-in session is recorded with the core's
`record_step` (failed or cancelled ones with ok=False and a note), so every participant who
logs in gets their own timings in the report. Attempts never finished (the person logged out
first) record nothing: the report lists the step as not done. On a real cache nothing happens.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from continuity.store.drill import DrillStep, is_drill, is_finished, record_step
from continuity.store.session import Session
from continuity.ui import attempts
from continuity.ui.attempts import Attempt

if TYPE_CHECKING:
    from continuity.ui.main_window import MainWindow

#: Which attempts are drill steps.
STEPS = {
    attempts.LOGIN: DrillStep.LOGIN,
    attempts.FIND_PATIENT: DrillStep.FIND_PATIENT,
    attempts.print_action("mar"): DrillStep.PRINT_MAR,
    attempts.RECORD_DOSE: DrillStep.RECORD_DOSE,
    attempts.EXPORT: DrillStep.EXPORT,
}


class DrillTimer(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.session: Session | None = None  # the drill session being timed, if any
        self.done: set[DrillStep] = set()
        window.attempt_started.connect(self.watch)
        window.session_started.connect(self.session_started)

    def session_started(self, session: Session) -> None:
        """A new person: their steps are timed afresh (only if this cache is a drill)."""
        self.session = session if is_drill(session) else None
        self.done = set()

    def watch(self, attempt: Attempt) -> None:
        if attempt.action in STEPS:
            attempt.ended.connect(self.ended)

    def ended(self, attempt: Attempt) -> None:
        session = self.session
        step = STEPS[attempt.action]
        if session is None or step in self.done or self.window.session is not session:
            return
        if attempt.session is not None and attempt.session is not session:
            return  # started by someone who has logged out since
        if is_finished(session):
            return  # the report was written: the drill is over, nothing more is timed
        self.done.add(step)
        self.window.call(
            lambda: record_step(session, step, attempt.seconds, ok=attempt.ok, note=attempt.note)
        )
