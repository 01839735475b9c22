"""The one entry point of the printing layer: check, lay out, draw, register, audit.

    sheet = render_sheet(session, SheetRequest(SheetKind.MAR, ward="Médecine"))
    printer.print(sheet.pdf)

or, for a long batch, `iter_sheet(...)` hands out the same pages as several complete PDFs (the
first with a single patient), so the first pages reach the printer while the rest is drawn: a
ward laser printer does 30-40 pages a minute, a 300-patient batch should not wait for its last
page to start printing.

Every sheet is laid out completely before it is drawn (each sheet module turns its data into
page plans first), which is how "page n / m" is known on page 1 and how a sheet can be
registered with its exact page count before its first page leaves this function. Pages are
drawn straight on a ReportLab canvas into memory: nothing is written to disk here.
"""

from __future__ import annotations

import importlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen.canvas import Canvas

from continuity.core.clock import PARIS
from continuity.core.i18n import translate_to
from continuity.printing import furniture, registry
from continuity.printing.fonts import BOLD, register_fonts
from continuity.printing.request import (
    PERMISSION,
    PageEvent,
    RenderedSheet,
    SheetChunk,
    SheetKind,
    SheetRequest,
)
from continuity.printing.text_fit import fit
from continuity.store import audit, census
from continuity.store.census import Patient
from continuity.store.drill import is_drill
from continuity.store.session import Session


@dataclass
class Unit:
    """A stack of paper with its own page numbering: one patient, one ward, one list."""

    pages: list[Any]  # page plans, understood only by the sheet that made them
    patient: Patient | None = None
    block: furniture.PatientBlock | None = None
    subtitle: str = ""
    covers: tuple[str, ...] = ()  # patient ids this unit shows (registered with the sheet)


class SheetLayout(Protocol):
    """What a sheet module provides (one per kind: `mar.MAR_SHEET`, `census_sheet.SHEET`...)."""

    landscape: bool

    def title(self, ctx: furniture.SheetContext, request: SheetRequest) -> str: ...

    def build(
        self, session: Session, request: SheetRequest, ctx: furniture.SheetContext
    ) -> list[Unit]: ...

    def draw_page(
        self, canvas: Canvas, ctx: furniture.SheetContext, unit: Unit, plan: Any
    ) -> None: ...

    def empty_message(self, ctx: furniture.SheetContext) -> str: ...


_LAYOUTS = {
    SheetKind.MAR: ("mar", "SHEET"),
    SheetKind.PRESCRIPTIONS: ("prescriptions", "SHEET"),
    SheetKind.PICK_LIST: ("pick_list", "SHEET"),
    SheetKind.CENSUS: ("census_sheet", "SHEET"),
    SheetKind.OR_LIST: ("schedules", "OR_SHEET"),
    SheetKind.APPOINTMENTS: ("schedules", "APPOINTMENTS_SHEET"),
    SheetKind.LABELS: ("labels", "SHEET"),
    SheetKind.VITALS_CHART: ("blank_forms", "VITALS_SHEET"),
    SheetKind.NURSING_NOTES: ("blank_forms", "NOTES_SHEET"),
    SheetKind.ADMISSION_FORM: ("blank_forms", "ADMISSION_SHEET"),
}


def layout_for(kind: SheetKind) -> SheetLayout:
    """The sheet module of a kind, imported on first use (each imports this module)."""
    module, name = _LAYOUTS[kind]
    return getattr(importlib.import_module(f"continuity.printing.{module}"), name)


@dataclass
class Prepared:
    request: SheetRequest
    layout: SheetLayout
    ctx: furniture.SheetContext
    units: list[Unit] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return sum(len(u.pages) for u in self.units)

    @property
    def patients(self) -> list[str]:
        seen: dict[str, None] = {}
        for unit in self.units:
            for pid in unit.covers:
                seen.setdefault(pid, None)
        return list(seen)


def prepare(session: Session, request: SheetRequest, lang: str = "fr") -> Prepared:
    """Permission, data and layout: everything but drawing (no page count is a guess)."""
    session.require(PERMISSION[request.kind])
    register_fonts()
    layout = layout_for(request.kind)
    now = session.now()
    snapshot = census.snapshot_info(session)
    as_of = snapshot.as_of if snapshot else None
    lang = "en" if lang.lower().startswith("en") else "fr"

    def tr(message: str) -> str:
        return translate_to(message, lang)

    size = landscape(A4) if layout.landscape else A4
    if request.ward:
        scope = request.ward
    elif request.patient_ids:
        scope = ""
    else:
        _ = tr
        scope = _("whole site")
    ctx = furniture.SheetContext(
        tr=tr,
        lang=lang,
        title="",
        sheet_id=registry.unused_sheet_id(session, request.kind),
        site_name=session.device.site_name,
        device_name=session.device.name,
        printed_by=session.user.display_name,
        printed_at=now,
        as_of=as_of,
        freshness=furniture.snapshot_freshness(as_of, now, session.setting),
        chain_head=audit.short_head(session.conn),
        drill=request.drill or is_drill(session),
        page_width=size[0],
        page_height=size[1],
        scope=scope,
        day=request.day or now.astimezone(PARIS).date(),
    )
    ctx.title = layout.title(ctx, request)
    units = layout.build(session, request, ctx)
    if not units:
        units = [Unit(pages=[_EMPTY])]
    return Prepared(request, layout, ctx, units)


_EMPTY = object()


def _draw(
    prepared: Prepared,
    units: list[Unit],
    on_page: Callable[[PageEvent], None] | None,
    done_before: int = 0,
) -> bytes:
    ctx = prepared.ctx
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(ctx.page_width, ctx.page_height), pageCompression=1)
    canvas.setTitle(f"{ctx.title} — {ctx.sheet_id}")
    canvas.setAuthor(ctx.printed_by)
    canvas.setCreator("Continuity")
    canvas.setSubject(ctx.sheet_id)
    total = prepared.pages
    done = done_before
    for unit in units:
        count = len(unit.pages)
        for number, plan in enumerate(unit.pages, start=1):
            own = getattr(prepared.layout, "own_furniture", False) and plan is not _EMPTY
            if own:
                prepared.layout.draw_page(canvas, ctx, unit, plan)
                prepared.layout.draw_furniture(canvas, ctx, unit, number, count)
            else:
                # A ward census of one ward: "Médecine" once, not as scope and subtitle.
                subtitle = "" if unit.subtitle == ctx.scope else unit.subtitle
                furniture.draw_header(canvas, ctx, unit.block, subtitle)
                if plan is _EMPTY:
                    _draw_empty(canvas, ctx, prepared.layout.empty_message(ctx))
                else:
                    prepared.layout.draw_page(canvas, ctx, unit, plan)
                furniture.draw_footer(canvas, ctx, number, count, unit.patient)
            canvas.showPage()
            done += 1
            if on_page is not None:
                on_page(PageEvent(done, total, unit.patient.id if unit.patient else None))
    canvas.save()
    return buffer.getvalue()


def _draw_empty(canvas: Canvas, ctx: furniture.SheetContext, message: str) -> None:
    top = ctx.body_top()
    fitted = fit(message, BOLD, 13, ctx.content_width - 40, 3)
    canvas.setFont(BOLD, fitted.size)
    y = top - 60
    for line in fitted.lines:
        canvas.drawCentredString(ctx.page_width / 2, y, line)
        y -= fitted.leading


def _register(session: Session, prepared: Prepared) -> None:
    registry.register_sheet(
        session,
        sheet_id=prepared.ctx.sheet_id,
        kind=str(prepared.request.kind),
        ward=prepared.request.ward,
        patients=prepared.patients,
        pages=prepared.pages,
        chain_head=prepared.ctx.chain_head,
    )


def render_sheet(
    session: Session,
    request: SheetRequest,
    *,
    lang: str = "fr",
    on_page: Callable[[PageEvent], None] | None = None,
) -> RenderedSheet:
    """The whole sheet as one PDF in memory, registered and audited once it exists.

    Raises `PermissionDenied` for a role that may not print this kind and `BadInput` for an
    unknown ward or patient. `on_page` is called after each page (progress); an exception
    raised from it cancels the sheet, and nothing is registered.
    """
    prepared = prepare(session, request, lang)
    pdf = _draw(prepared, prepared.units, on_page)
    _register(session, prepared)
    return RenderedSheet(
        pdf, prepared.ctx.sheet_id, request.kind, prepared.pages, tuple(prepared.patients)
    )


def iter_sheet(
    session: Session,
    request: SheetRequest,
    *,
    lang: str = "fr",
    first_chunk: int = 1,
    chunk_size: int = 10,
) -> Iterator[SheetChunk]:
    """The same sheet as successive complete PDFs: `first_chunk` units, then `chunk_size`.

    Checks, lays out and registers the sheet (with its exact page count) before returning,
    because its first pages may be on paper before the last are drawn. Send each chunk to the
    printer as it comes; the pages carry the numbering and sheet id of the whole batch.
    """
    prepared = prepare(session, request, lang)
    _register(session, prepared)
    groups: list[list[Unit]] = []
    units = prepared.units
    head, rest = units[: max(1, first_chunk)], units[max(1, first_chunk) :]
    groups.append(head)
    for i in range(0, len(rest), max(1, chunk_size)):
        groups.append(rest[i : i + max(1, chunk_size)])
    return _chunks(prepared, groups)


def _chunks(prepared: Prepared, groups: list[list[Unit]]) -> Iterator[SheetChunk]:
    done = 0
    for index, group in enumerate(groups):
        pdf = _draw(prepared, group, None, done)
        pages = sum(len(u.pages) for u in group)
        done += pages
        covers = tuple(dict.fromkeys(pid for u in group for pid in u.covers))
        yield SheetChunk(pdf, prepared.ctx.sheet_id, index, pages, covers, index == len(groups) - 1)
