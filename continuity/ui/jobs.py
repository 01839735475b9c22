"""Long work (import, batch printing, export) on one worker thread, with progress and cancel.

As in Anki's CollectionOp: the GUI hands a plain function to the worker and gets its result
back on the GUI thread. The function never touches a widget; it receives two plain callables,
`progress(done, total, text)` and `cancelled() -> bool`, which is exactly what the core's long
functions take. Only one job runs at a time (one writer), and it works on its own connection
to the cache (`on_own_session`), so the screens keep reading while an import commits.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from continuity.core.errors import UserError
from continuity.core.i18n import _

ProgressFn = Callable[..., None]
CancelledFn = Callable[[], bool]
Work = Callable[[ProgressFn, CancelledFn], Any]


def on_own_session(session: Any, task: Callable[[Any, ProgressFn, CancelledFn], Any]) -> Work:
    """A job's work: `task(worker_session, progress, cancelled)` on a session of its own, as
    the same person (a connection belongs to the thread that opened it; the screens keep
    theirs), closed when the task ends, however it ends."""
    from continuity.store import cache

    path, master, user, clock = session.path, session.master_key(), session.user, session.clock

    def work(progress: ProgressFn, cancelled: CancelledFn) -> Any:
        worker = cache.open_as(path, master, user, clock=clock)
        try:
            return task(worker, progress, cancelled)
        finally:
            worker.close()

    return work


class Job(QObject):
    """One piece of background work; its signals arrive on the GUI thread."""

    progressed = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(str)  # a user-facing sentence
    finished = Signal()

    def __init__(self, title: str, work: Work) -> None:
        super().__init__()
        self.title = title
        self.work = work
        self.cancel_requested = threading.Event()
        self.result: Any = None
        self.error: str | None = None
        self.exception: UserError | None = None
        self.done = False

    def cancel(self) -> None:
        self.cancel_requested.set()

    # Runs on the worker thread: only plain Python and signal emission.
    def _run(self) -> None:
        def progress(
            done: int = 0, total: int = 0, text: str = "", *_args: Any, **_kw: Any
        ) -> None:
            self.progressed.emit(int(done or 0), int(total or 0), str(text or ""))

        try:
            self.result = self.work(progress, self.cancel_requested.is_set)
        except UserError as exc:
            self.error = exc.message
            self.exception = exc
        except Exception:  # a bug: say so in one sentence, keep the details for --debug
            traceback.print_exc()
            self.error = _("Unexpected error (a bug in Continuity); nothing was changed.")
        self.done = True
        if self.error is None:
            self.succeeded.emit(self.result)
        else:
            self.failed.emit(self.error)
        self.finished.emit()


class _Runnable(QRunnable):
    def __init__(self, job: Job) -> None:
        super().__init__()
        self.job = job
        self.setAutoDelete(True)

    def run(self) -> None:
        self.job._run()


class JobRunner(QObject):
    """A single worker: a second job waits for the first (one writer at a time)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self.current: Job | None = None

    @property
    def busy(self) -> bool:
        return self.current is not None and not self.current.done

    def start(self, job: Job) -> Job:
        self.current = job
        self.pool.start(_Runnable(job))
        return job

    def wait(self, msecs: int = 30_000) -> bool:
        """Block until the worker is idle (tests, closing the window)."""
        return self.pool.waitForDone(msecs)


class ProgressDialog(QProgressDialog):
    """Shows a job's progress; Cancel asks the job to stop (the core leaves nothing half done).

    It survives the screen lock (it shows no patient data): the lock hides it, unlocking
    shows it again.
    """

    keep_on_lock = True

    def __init__(self, job: Job, parent: QWidget | None = None) -> None:
        super().__init__(job.title, _("Cancel"), 0, 0, parent)
        self.setWindowTitle(job.title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumDuration(0)
        self.setAutoClose(False)
        self.setAutoReset(False)
        self.setMinimumWidth(420)
        self.job = job
        self.canceled.connect(self._cancel)
        job.progressed.connect(self._progress)
        job.finished.connect(self.close)

    def _cancel(self) -> None:
        self.job.cancel()
        self.setLabelText(_("Cancelling: nothing will be half done…"))

    def _progress(self, done: int, total: int, text: str) -> None:
        if total > 0:
            self.setMaximum(total)
            self.setValue(min(done, total))
        if text:
            self.setLabelText(text)
