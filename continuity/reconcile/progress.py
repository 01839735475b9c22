"""Progress and cancellation for the long reconciliation actions, as plain callables.

The app's worker (`continuity.ui.jobs`) hands every long core function `progress(done, total,
text)` and `cancelled() -> bool`; the CLI passes nothing. A cancelled export or merge raises
`Cancelled` and leaves nothing behind (no package, no output folder, no entry marked).
"""

from __future__ import annotations

from collections.abc import Callable

from continuity.core.errors import UserError
from continuity.core.i18n import _

Progress = Callable[[int, int, str], None]
CancelledFn = Callable[[], bool]


class Cancelled(UserError):
    """The user cancelled; nothing was written and nothing was marked."""


class Steps:
    """Reports progress at most every `every` items and checks for cancellation there."""

    def __init__(
        self, progress: Progress | None, cancelled: CancelledFn | None, *, every: int = 2000
    ) -> None:
        self.progress = progress
        self.cancelled = cancelled
        self.every = every

    def report(self, done: int, total: int, text: str) -> None:
        if self.cancelled is not None and self.cancelled():
            raise Cancelled(_("Cancelled; nothing was written."))
        if self.progress is not None:
            self.progress(done, total, text)

    def tick(self, done: int, total: int, text: str) -> None:
        if done % self.every == 0:
            self.report(done, total, text)
