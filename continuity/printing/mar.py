"""The medication administration record (feuille d'administration), landscape A4.

One row per active order, a column per hour of the chosen day (23 or 25 on the days the clocks
change), the scheduled times printed in their cells and every other cell of a scheduled order
greyed, so the nurse initials where a time is printed and nowhere else. "As needed" orders
follow with white cells and free rows, then blank rows for orders written by hand during the
outage. Doses already recorded in the app are printed in their cells ("✓ NI 08:05"), so a
sheet printed mid-shift is current. A 72-hour sheet is three day grids, one page each.

Signals never rely on colour: high-alert drugs carry a black "⚠ HIGH ALERT" tag and a thick
bar, held orders a hatched grid with the word, recorded doses a tick or a cross.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from continuity.core.clock import PARIS, format_local
from continuity.printing import furniture
from continuity.printing.dose_times import due_times, order_limit, schedule_config
from continuity.printing.fonts import BOLD, REGULAR
from continuity.printing.order_words import prescriber_texts, schedule_words
from continuity.printing.recorded_doses import RecordedDose, recorded_doses
from continuity.printing.render import Unit
from continuity.printing.request import SheetRequest, resolve_patients
from continuity.printing.text_fit import Fitted, draw_lines, fit
from continuity.store import census
from continuity.store.census import Order
from continuity.store.session import Session

DRUG_WIDTH = 152.0
RHYTHM_WIDTH = 118.0
GRID_HEADER = 24.0
LEGEND_HEIGHT = 11.0
MIN_ROW = 27.0
HEADING_ROW = 12.0
BLANK_PRN_ROWS = 2
BLANK_NEW_ROWS = 3
TIME_SIZE = 6.0
DOSE_SIZE = 5.5


def day_columns(day: date) -> list[datetime]:
    """The UTC start of each local hour of `day`, plus the end: 24 hours, 23 or 25 on DST days."""
    start = datetime(day.year, day.month, day.day, tzinfo=PARIS).astimezone(UTC)
    nxt = day + timedelta(days=1)
    end = datetime(nxt.year, nxt.month, nxt.day, tzinfo=PARIS).astimezone(UTC)
    columns = []
    moment = start
    while moment < end:
        columns.append(moment)
        moment += timedelta(hours=1)
    columns.append(end)
    return columns


def column_of(columns: list[datetime], moment: datetime) -> int | None:
    index = bisect_right(columns, moment.astimezone(UTC)) - 1
    return index if 0 <= index < len(columns) - 1 else None


@dataclass
class OrderText:
    """The left part of an order's row, laid out once for every day of the sheet."""

    order: Order
    tags: list[tuple[str, bool]]  # (text, inverted)
    drug: Fitted
    dose: Fitted
    rhythm: Fitted
    detail: Fitted
    expandable: bool
    spec: object

    @property
    def height(self) -> float:
        tags = 9.0 if self.tags else 0.0
        left = self.drug.height + 1 + self.dose.height
        right = self.rhythm.height + 1 + self.detail.height
        return tags + max(left, right) + 6


@dataclass
class Cell:
    times: list[str] = field(default_factory=list)
    doses: list[RecordedDose] = field(default_factory=list)

    @property
    def height(self) -> float:
        return 4 + len(self.times) * (TIME_SIZE + 1) + len(self.doses) * 2 * (DOSE_SIZE + 1) + 11


@dataclass
class Row:
    kind: str  # order | heading | blank_prn | blank_new
    height: float
    text: OrderText | None = None
    heading: str = ""
    cells: dict[int, Cell] = field(default_factory=dict)
    shaded: bool = False  # grey every cell without a scheduled time
    held: bool = False
    expired: bool = False
    unscheduled: bool = False  # times that cannot be computed: never a blank, silent row


@dataclass
class DayPage:
    day: date
    columns: list[datetime]
    rows: list[Row]
    day_index: int
    day_count: int


def _order_text(ctx: furniture.SheetContext, order: Order, day_end: datetime) -> OrderText:
    _ = ctx.tr
    spec = order.timing
    tags: list[tuple[str, bool]] = []
    if order.high_alert:
        tags.append((_("⚠ HIGH ALERT"), True))
    if order.status == "on-hold":
        tags.append((_("ON HOLD"), True))
    limit = order_limit(order)
    if limit is not None and limit < day_end:
        tags.append((_("ENDS {date}").format(date=format_local(limit)), False))
    if order.manual:
        tags.append((_("HANDWRITTEN ORDER"), False))
    if order.absent_from_snapshot:
        tags.append((_("not in latest snapshot"), False))
    drug_room = DRUG_WIDTH - 8
    drug = fit(order.drug or "—", BOLD, 8, drug_room, 3, min_size=6)
    dose_parts = [order.dose_text, order.route or "", order.form or ""]
    dose_text = " · ".join(p for p in dose_parts if p and p.lower() not in order.drug.lower())
    if order.as_needed and order.prn_reason:  # already worded "si douleur" by prescribers
        dose_text += (" · " if dose_text else "") + order.prn_reason
    dose = fit(dose_text or " ", REGULAR, 7, drug_room, 3, min_size=5.5)
    rhythm_room = RHYTHM_WIDTH - 8
    if spec.expandable:
        rhythm_text = schedule_words(spec, ctx.lang, ctx.tr)
    else:
        rhythm_text = _("see instructions")
    rhythm = fit(rhythm_text, BOLD, 7, rhythm_room, 2, min_size=5.5)
    # The prescriber's words always, each once ("max 4 g/24 h" is nowhere else).
    details = prescriber_texts(order)
    if order.start is not None:
        details.append(_("from {date}").format(date=format_local(order.start)))
    if order.manual and order.paper_ref:
        details.append(_("paper ref. {ref}").format(ref=order.paper_ref))
    if order.prescriber_name:
        details.append(order.prescriber_name)
    detail = fit(" · ".join(details) or " ", REGULAR, 6.5, rhythm_room, 4, min_size=5.5)
    return OrderText(order, tags, drug, dose, rhythm, detail, spec.expandable, spec)


class MarSheet:
    landscape = True

    def title(self, ctx: furniture.SheetContext, request: SheetRequest) -> str:
        _ = ctx.tr
        return _("Medication administration record")

    def empty_message(self, ctx: furniture.SheetContext) -> str:
        _ = ctx.tr
        return _("No patient in this selection: nothing to print.")

    def build(
        self, session: Session, request: SheetRequest, ctx: furniture.SheetContext
    ) -> list[Unit]:
        patients = resolve_patients(session, request)
        days = [ctx.day + timedelta(days=i) for i in range(request.hours // 24)]
        window_start = day_columns(days[0])[0]
        window_end = day_columns(days[-1])[-1]
        by_patient = census.active_orders_for(session, [p.id for p in patients])
        all_ids = [o.id for orders in by_patient.values() for o in orders]
        recorded = recorded_doses(session, all_ids, window_start, window_end)
        cfg = schedule_config()
        units = []
        for patient in patients:
            orders = by_patient.get(patient.id, [])
            block = furniture.patient_block(
                ctx,
                patient,
                census.allergies(session, patient.id),
                census.latest_weight(session, patient.id),
            )
            texts = [_order_text(ctx, o, window_end) for o in orders]
            pages: list[DayPage] = []
            for index, day in enumerate(days):
                columns = day_columns(day)
                rows = self._rows(ctx, texts, columns, recorded, cfg)
                for page_rows in _paginate(rows, self._room(ctx, block)):
                    pages.append(DayPage(day, columns, page_rows, index, len(days)))
            units.append(Unit(pages=pages, patient=patient, block=block, covers=(patient.id,)))
        return units

    @staticmethod
    def _room(ctx: furniture.SheetContext, block: furniture.PatientBlock) -> float:
        return ctx.body_top(block) - ctx.body_bottom - GRID_HEADER - LEGEND_HEIGHT

    def _rows(
        self,
        ctx,
        texts: list[OrderText],
        columns: list[datetime],
        recorded: dict[str, list[RecordedDose]],
        cfg,
    ) -> list[Row]:
        _ = ctx.tr
        start, end = columns[0], columns[-1]
        scheduled: list[Row] = []
        prn: list[Row] = []
        for text in texts:
            order = text.order
            cells: dict[int, Cell] = {}
            held = order.status == "on-hold"
            times = due_times(order, text.spec, start, end, cfg) if not held else []
            for moment in times or []:
                col = column_of(columns, moment)
                if col is not None:
                    cells.setdefault(col, Cell()).times.append(
                        moment.astimezone(PARIS).strftime("%H:%M")
                    )
            for dose in recorded.get(order.id, []):
                col = column_of(columns, dose.scheduled or dose.at)
                if col is not None:
                    cells.setdefault(col, Cell()).doses.append(dose)
            height = max(MIN_ROW, text.height, *(c.height for c in cells.values()))
            limit = order_limit(order)
            row = Row(
                "order",
                height,
                text,
                cells=cells,
                shaded=bool(times is not None and not order.as_needed and not held),
                held=held,
                expired=limit is not None and limit <= start,
                unscheduled=times is None and not order.as_needed and not held,
            )
            (prn if order.as_needed else scheduled).append(row)
        rows = scheduled
        rows.append(
            Row(
                "heading",
                HEADING_ROW,
                heading=_("AS NEEDED (PRN): write the time, dose and initials in the hour given"),
            )
        )
        rows.extend(prn)
        rows.extend(Row("blank_prn", MIN_ROW) for _i in range(BLANK_PRN_ROWS))
        rows.append(
            Row(
                "heading",
                HEADING_ROW,
                heading=_("NEW ORDERS WRITTEN BY HAND (prescriber's name and signature required)"),
            )
        )
        rows.extend(Row("blank_new", MIN_ROW) for _i in range(BLANK_NEW_ROWS))
        return rows

    # -- drawing ---------------------------------------------------------------------------
    def draw_page(self, canvas, ctx: furniture.SheetContext, unit: Unit, plan: DayPage) -> None:
        _ = ctx.tr
        left = ctx.left
        grid_left = left + DRUG_WIDTH + RHYTHM_WIDTH
        hours = len(plan.columns) - 1
        col_w = (ctx.right - grid_left) / hours
        top = ctx.body_top(unit.block)
        # Grid header: the day and the hours.
        canvas.setLineWidth(0.9)
        canvas.rect(left, top - GRID_HEADER, ctx.content_width, GRID_HEADER)
        day_text = f"{furniture.weekday_name(plan.day, ctx.tr)} {plan.day:%d/%m/%Y}"
        if plan.day_count > 1:
            day_text += "  " + _("(day {n} of {m})").format(n=plan.day_index + 1, m=plan.day_count)
        canvas.setFont(BOLD, 9)
        canvas.drawString(left + 3, top - 10, day_text)
        canvas.setFont(REGULAR, 6.5)
        canvas.drawString(left + 3, top - 20, _("Drug · dose · route"))
        canvas.drawString(left + DRUG_WIDTH + 3, top - 20, _("Schedule · start · prescriber"))
        canvas.setFont(BOLD, 8)
        for i in range(hours):
            label = plan.columns[i].astimezone(PARIS).strftime("%H")
            canvas.drawCentredString(grid_left + (i + 0.5) * col_w, top - 15, label)
        y = top - GRID_HEADER
        for row in plan.rows:
            self._draw_row(canvas, ctx, row, left, grid_left, col_w, hours, y)
            y -= row.height
        for i in range(1, hours):
            x = grid_left + i * col_w
            canvas.setLineWidth(0.9 if i % 6 == 0 else 0.4)
            canvas.line(x, top, x, top - GRID_HEADER)
        canvas.setLineWidth(0.9)
        canvas.line(grid_left, top, grid_left, top - GRID_HEADER)
        canvas.line(left + DRUG_WIDTH, top - GRID_HEADER, left + DRUG_WIDTH, top - 12)
        legend = _(
            "Grey cell: no dose due. Printed time: dose due, initial the cell. "
            "✓ AB 08:05: given, recorded in the app. ✗: not given. "
            "⚠ HIGH ALERT: double check before giving."
        )
        fitted = fit(legend, REGULAR, 6.5, ctx.content_width, 1, min_size=4.5)
        canvas.setFont(REGULAR, fitted.size)
        canvas.drawString(left, ctx.body_bottom + 1, fitted.lines[0])

    def _draw_row(
        self,
        canvas,
        ctx,
        row: Row,
        left: float,
        grid_left: float,
        col_w: float,
        hours: int,
        y: float,
    ) -> None:
        _ = ctx.tr
        right = ctx.right
        bottom = y - row.height
        if row.kind == "heading":
            canvas.setFillGray(0.82)
            canvas.rect(left, bottom, right - left, row.height, stroke=1, fill=1)
            canvas.setFillGray(0)
            fitted = fit(row.heading, BOLD, 7.5, right - left - 6, 1, min_size=5)
            canvas.setFont(BOLD, fitted.size)
            canvas.drawString(left + 3, bottom + 3.2, fitted.lines[0])
            return
        canvas.setLineWidth(0.5)
        if row.shaded:
            canvas.setFillGray(0.86)
            canvas.rect(grid_left, bottom, right - grid_left, row.height, stroke=0, fill=1)
            canvas.setFillGray(1)
            for col in row.cells:
                if row.cells[col].times:
                    canvas.rect(
                        grid_left + col * col_w, bottom, col_w, row.height, stroke=0, fill=1
                    )
            canvas.setFillGray(0)
        canvas.rect(left, bottom, right - left, row.height, stroke=1, fill=0)
        lines = [
            (left + DRUG_WIDTH, y, left + DRUG_WIDTH, bottom),
            (grid_left, y, grid_left, bottom),
        ]
        lines.extend(
            (grid_left + i * col_w, y, grid_left + i * col_w, bottom) for i in range(1, hours)
        )
        canvas.lines(lines)
        if row.kind == "order":
            self._draw_order_text(canvas, row, left, y, bottom)
            if row.held:
                _hatch(canvas, grid_left, bottom, right - grid_left, row.height)
                canvas.setFillGray(1)
                label = _("ON HOLD — do not give without the prescriber's word")
                width = canvas.stringWidth(label, BOLD, 8) + 10
                mid = (grid_left + right) / 2
                canvas.rect(
                    mid - width / 2, bottom + row.height / 2 - 6, width, 12, stroke=1, fill=1
                )
                canvas.setFillGray(0)
                canvas.setFont(BOLD, 8)
                canvas.drawCentredString(mid, bottom + row.height / 2 - 3, label)
            elif row.expired:
                canvas.setFont(BOLD, 7)
                canvas.drawCentredString(
                    (grid_left + right) / 2,
                    bottom + row.height / 2 - 2,
                    _("Order ended: ask the prescriber"),
                )
            elif row.unscheduled and not row.cells:
                canvas.setFont(BOLD, 7)
                canvas.drawCentredString(
                    (grid_left + right) / 2,
                    bottom + row.height / 2 - 2,
                    _("Times not computed: see the prescription, write them in by hand"),
                )
            for col, cell in row.cells.items():
                _draw_cell(canvas, cell, grid_left + col * col_w, y, col_w, _)
        else:
            canvas.setFont(REGULAR, 6)
            canvas.setFillGray(0.35)
            if row.kind == "blank_prn":
                canvas.drawString(left + 3, y - 8, _("Drug, dose, route:"))
                canvas.drawString(left + DRUG_WIDTH + 3, y - 8, _("If / max per 24 h:"))
            else:
                canvas.drawString(left + 3, y - 8, _("Drug, dose, route:"))
                canvas.drawString(left + DRUG_WIDTH + 3, y - 8, _("Schedule, prescriber:"))
            canvas.setFillGray(0)

    @staticmethod
    def _draw_order_text(canvas, row: Row, left: float, y: float, bottom: float) -> None:
        text = row.text
        assert text is not None
        if text.order.high_alert:
            canvas.rect(left, bottom, 3.2, row.height, stroke=0, fill=1)
        x = left + 5
        top = y - 2
        if text.tags:
            tx = x
            canvas.setFont(BOLD, 6)
            for label, inverted in text.tags:
                w = canvas.stringWidth(label, BOLD, 6) + 4
                if tx + w > left + DRUG_WIDTH + RHYTHM_WIDTH - 2:
                    break
                if inverted:
                    canvas.rect(tx, top - 8, w, 8, stroke=0, fill=1)
                    canvas.setFillGray(1)
                    canvas.drawString(tx + 2, top - 6.2, label)
                    canvas.setFillGray(0)
                else:
                    canvas.rect(tx, top - 8, w, 8, stroke=1, fill=0)
                    canvas.drawString(tx + 2, top - 6.2, label)
                tx += w + 3
            top -= 9
        below = draw_lines(canvas, text.drug, x, top)
        draw_lines(canvas, text.dose, x, below - 1)
        rhythm_top = y - 2 - (9 if text.tags else 0)
        below = draw_lines(canvas, text.rhythm, left + DRUG_WIDTH + 3, rhythm_top)
        draw_lines(canvas, text.detail, left + DRUG_WIDTH + 3, below - 1)


def _draw_cell(canvas, cell: Cell, x: float, top: float, width: float, tr) -> None:
    """A recorded dose: given is "✓ I.N." over its time; not given is "✗ NON" in bold over
    the initials and time, so the two never blur into each other on a photocopy. Initials get
    dots: "IM" beside a route would read as intramuscular."""
    y = top - 2
    for time_text in cell.times:
        canvas.setFont(BOLD, TIME_SIZE)
        canvas.drawCentredString(x + width / 2, y - TIME_SIZE, time_text)
        y -= TIME_SIZE + 1
    for dose in cell.doses:
        dotted = "".join(f"{c}." for c in dose.initials)
        when = dose.at.astimezone(PARIS).strftime("%H:%M")
        if dose.given:
            first, second = f"✓ {dotted}", when
        else:
            first, second = "✗ " + tr("NO"), f"{dotted} {when}"
        canvas.setFont(BOLD, DOSE_SIZE)
        canvas.drawCentredString(x + width / 2, y - DOSE_SIZE - 1, first)
        canvas.setFont(REGULAR, DOSE_SIZE)
        fitted = fit(second, REGULAR, DOSE_SIZE, width - 1, 1, min_size=3.5)
        canvas.setFont(REGULAR, fitted.size)
        canvas.drawCentredString(x + width / 2, y - 2 * DOSE_SIZE - 2, fitted.lines[0])
        y -= 2 * (DOSE_SIZE + 1)


def _hatch(canvas, x: float, y: float, width: float, height: float) -> None:
    """Diagonal hatching: visible on any photocopy, unlike a tint."""
    canvas.saveState()
    path = canvas.beginPath()
    path.rect(x, y, width, height)
    canvas.clipPath(path, stroke=0, fill=0)
    canvas.setLineWidth(0.5)
    step = 6.0
    lines = []
    offset = -height
    while offset < width:
        lines.append((x + offset, y, x + offset + height, y + height))
        offset += step
    canvas.lines(lines)
    canvas.restoreState()


def _paginate(rows: list[Row], room: float) -> list[list[Row]]:
    """Fill pages with rows; a heading never ends a page; a row taller than a page still gets
    a page of its own (text is shrunk before, never cut)."""
    pages: list[list[Row]] = []
    current: list[Row] = []
    used = 0.0
    for i, row in enumerate(rows):
        need = row.height
        if row.kind == "heading" and i + 1 < len(rows):
            need += rows[i + 1].height
        if current and used + need > room:
            pages.append(current)
            current, used = [], 0.0
        current.append(row)
        used += row.height
    if current:
        pages.append(current)
    return pages


SHEET = MarSheet()
