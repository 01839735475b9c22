"""The Print menu: each sheet the role may print, drawn on the worker, then previewed.

Which sheets a role may print is the printing core's table (`request.PERMISSION`); the menu
only lists those, and the core refuses the others anyway.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

from continuity.core.clock import local
from continuity.core.i18n import _, language
from continuity.printing.render import render_sheet
from continuity.printing.request import PERMISSION, RenderedSheet, SheetKind, SheetRequest
from continuity.store import census
from continuity.store.session import Session
from continuity.ui.attempts import Attempt, print_action
from continuity.ui.jobs import Job, ProgressDialog, on_own_session
from continuity.ui.pdf_preview import PreviewDialog
from continuity.ui.print_dialog import PrintContext, PrintDialog, sheet_title

if TYPE_CHECKING:
    from continuity.ui.main_window import MainWindow

#: The menu's order: the ward's everyday sheets first, pharmacy next, blank forms last.
MENU_ORDER = (
    SheetKind.MAR, SheetKind.CENSUS, SheetKind.OR_LIST, SheetKind.APPOINTMENTS,
    SheetKind.LABELS, None, SheetKind.PRESCRIPTIONS, SheetKind.PICK_LIST, None,
    SheetKind.VITALS_CHART, SheetKind.NURSING_NOTES, SheetKind.ADMISSION_FORM,
)  # fmt: skip


def printable(session: Session) -> list[SheetKind]:
    return [k for k in SheetKind if session.can(PERMISSION[k])]


def build(window: MainWindow, session: Session) -> None:
    allowed = set(printable(session))
    if not allowed:
        return
    menu = window.menuBar().addMenu(_("&Print"))
    menu.setObjectName("menu_print")
    separator_due = False
    for kind in MENU_ORDER:
        if kind is None:
            separator_due = True
            continue
        if kind not in allowed:
            continue
        if separator_due and menu.actions():
            menu.addSeparator()
        separator_due = False
        window.add_action(
            menu,
            sheet_title(kind) + "…",
            lambda k=kind: ask(window, k),
            shortcut="Ctrl+P" if kind is SheetKind.MAR else None,
            name=f"action_print_{kind}",
        )


def context(window: MainWindow) -> PrintContext:
    """The patient on screen (open chart, else the census row selected) and the ward."""
    session = window.session
    assert session is not None
    patient = None
    if window.sections.currentWidget() is window.chart_page:
        patient = window.chart_page.patient
    else:
        page = window.census_page
        row = page.model.row_at(page.proxy.mapToSource(page.table.currentIndex()))
        patient = row.patient if row is not None else window.chart_page.patient
    return PrintContext(
        patient,
        window.census_page.proxy.ward,
        tuple(census.wards(session)),
        local(session.now()).date(),
    )


def ask(window: MainWindow, kind: SheetKind) -> PrintDialog | None:
    if not window._usable():
        return None
    if window.jobs.busy:
        window.warn(_("Wait for the running task to finish or cancel it first."))
        return None
    dialog = PrintDialog(kind, context(window), window)
    attempt = window.begin_attempt(print_action(kind))  # ends when the PDF is drawn
    dialog.rejected.connect(attempt.cancel)
    dialog.accepted.connect(lambda: start(window, dialog.request(), attempt))
    dialog.open()
    return dialog


class PrintFlow(QObject):
    """Receives the drawn sheet on the GUI thread and opens its preview for its owner."""

    def __init__(self, window: MainWindow, job: Job, owner: str, title: str) -> None:
        super().__init__(window)
        self.window = window
        self.job = job
        self.owner = owner
        self.title = title
        self.preview: PreviewDialog | None = None
        job.succeeded.connect(self.succeeded)
        job.failed.connect(self.failed)

    def succeeded(self, sheet: RenderedSheet) -> None:
        window = self.window
        if window.session is None or window.session.user.login != self.owner:
            return
        details = _("{pages} page(s), {patients} patient(s), sheet {sheet}.").format(
            pages=sheet.pages, patients=len(sheet.patients), sheet=sheet.sheet_id
        )
        self.preview = PreviewDialog(sheet.pdf, self.title, details, window)
        if window.session.locked:
            window.after_unlock.append(self.preview.open)  # the same person, once back
            return
        self.preview.open()

    def failed(self, message: str) -> None:
        if self.window.session is not None and self.window.session.user.login == self.owner:
            self.window.warn(message)


class Cancelled(Exception):
    """Raised from the page callback to stop drawing (the core then registers nothing)."""


def start(window: MainWindow, request: SheetRequest, attempt: Attempt | None = None) -> Job | None:
    """Draw the sheet on the worker, on its own connection; preview it when done."""
    session = window.session
    if session is None:
        return None
    lang = language()

    def work(worker, progress, cancelled) -> Any:
        def on_page(event) -> None:
            if cancelled():
                raise Cancelled
            progress(event.done, event.total)

        try:
            return render_sheet(worker, request, lang=lang, on_page=on_page)
        except Cancelled:
            from continuity.core.errors import UserError

            raise UserError(_("Printing cancelled; nothing was registered.")) from None

    title = sheet_title(request.kind)
    job = Job(_("Preparing: {sheet}…").format(sheet=title), on_own_session(session, work))
    window.print_flow = PrintFlow(window, job, session.user.login, title)
    if attempt is not None:
        job.succeeded.connect(attempt.succeed)
        job.failed.connect(attempt.fail)
    ProgressDialog(job, window).show()
    window.jobs.start(job)
    return job
