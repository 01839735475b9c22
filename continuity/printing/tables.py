"""Ruled tables drawn straight on the canvas: the prescription sheet, pick list, census, schedules.

ReportLab's platypus Table would do, at a third of the speed, and it cuts or overflows a cell
whose text does not fit. Here every cell is wrapped then shrunk (`text_fit`), each row is as
tall as its fullest cell, the column titles repeat on every page, and a section heading never
ends a page alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from continuity.printing.fonts import BOLD, REGULAR
from continuity.printing.text_fit import Fitted, draw_lines, fit

PAD = 2.5


@dataclass(frozen=True)
class Column:
    title: str
    width: float  # points
    size: float = 7.5
    bold: bool = False
    align: str = "left"
    max_lines: int = 4


@dataclass
class TableRow:
    cells: list[str]
    heading: bool = False  # one text across the table, greyed
    bold: bool = False
    marker: bool = False  # thick bar at the left: high alert, allergy...
    min_height: float = 0.0
    fitted: list[Fitted] = field(default_factory=list)
    height: float = 0.0


@dataclass
class TablePage:
    rows: list[TableRow]
    caption: str = ""  # printed above the table (e.g. the room of an OR list)


def header_height(columns: list[Column]) -> float:
    return (
        max(fit(c.title, BOLD, 7, c.width - 2 * PAD, 3, min_size=5).height for c in columns)
        + 2 * PAD
    )


def measure(columns: list[Column], rows: list[TableRow]) -> list[TableRow]:
    total = sum(c.width for c in columns)
    for row in rows:
        if row.heading:
            row.fitted = [fit(row.cells[0], BOLD, 8, total - 2 * PAD, 3, min_size=5.5)]
        else:
            row.fitted = [
                fit(
                    text or "",
                    BOLD if (row.bold or col.bold) else REGULAR,
                    col.size,
                    col.width - 2 * PAD - (3 if i == 0 and row.marker else 0),
                    col.max_lines,
                    min_size=5.5,
                )
                for i, (text, col) in enumerate(zip(row.cells, columns, strict=True))
            ]
        row.height = max(row.min_height, max(f.height for f in row.fitted) + 2 * PAD + 1)
    return rows


def paginate(
    rows: list[TableRow], first_room: float, room: float | None = None
) -> list[list[TableRow]]:
    """Split measured rows into pages (`first_room` on the first page, then `room`)."""
    room = first_room if room is None else room
    pages: list[list[TableRow]] = []
    current: list[TableRow] = []
    used, limit = 0.0, first_room
    for i, row in enumerate(rows):
        need = row.height
        if row.heading and i + 1 < len(rows):
            need += rows[i + 1].height
        if current and used + need > limit:
            pages.append(current)
            current, used, limit = [], 0.0, room
        current.append(row)
        used += row.height
    if current or not pages:
        pages.append(current)
    return pages


def draw(canvas, columns: list[Column], rows: list[TableRow], left: float, top: float) -> float:
    """Draw the column titles then the rows; returns the y below the table."""
    total = sum(c.width for c in columns)
    head = header_height(columns)
    canvas.setFillGray(0.85)
    canvas.setLineWidth(0.8)
    canvas.rect(left, top - head, total, head, stroke=1, fill=1)
    canvas.setFillGray(0)
    x = left
    for col in columns:
        titled = fit(col.title, BOLD, 7, col.width - 2 * PAD, 3, min_size=5)
        draw_lines(canvas, titled, x + PAD, top - PAD, align=col.align, room=col.width - 2 * PAD)
        x += col.width
    y = top - head
    canvas.setLineWidth(0.5)
    for row in rows:
        bottom = y - row.height
        if row.heading:
            canvas.setFillGray(0.92)
            canvas.rect(left, bottom, total, row.height, stroke=1, fill=1)
            canvas.setFillGray(0)
            draw_lines(canvas, row.fitted[0], left + PAD, y - PAD)
        else:
            canvas.rect(left, bottom, total, row.height, stroke=1, fill=0)
            if row.marker:
                canvas.rect(left, bottom, 3, row.height, stroke=0, fill=1)
            x = left
            lines = []
            for i, (col, fitted) in enumerate(zip(columns, row.fitted, strict=True)):
                if i:
                    lines.append((x, y, x, bottom))
                shift = 3 if i == 0 and row.marker else 0
                draw_lines(
                    canvas,
                    fitted,
                    x + PAD + shift,
                    y - PAD,
                    align=col.align,
                    room=col.width - 2 * PAD - shift,
                )
                x += col.width
            canvas.lines(lines)
        y = bottom
    x = left
    lines = []
    for col in columns[:-1]:
        x += col.width
        lines.append((x, top, x, top - head))
    canvas.lines(lines)
    return y


def draw_bar_legend(canvas, ctx, text: str) -> None:
    """At the foot of a page, what the rows' thick left bar means: a page read alone (page 7
    of a pick list, a census page taped to a door) must still explain its own marks."""
    y = ctx.body_bottom + 3
    canvas.rect(ctx.left, y - 1.5, 3, 9, stroke=0, fill=1)
    canvas.setFont(REGULAR, 7)
    canvas.drawString(ctx.left + 7, y, text)


def scale(columns: list[Column], width: float) -> list[Column]:
    """Columns given in relative widths, stretched to the page's content width."""
    total = sum(c.width for c in columns)
    return [
        Column(c.title, c.width * width / total, c.size, c.bold, c.align, c.max_lines)
        for c in columns
    ]


class TableSheet:
    """A sheet whose pages are `TablePage`s: subclasses give the columns and the rows."""

    landscape = False

    def columns(self, ctx) -> list[Column]:
        raise NotImplementedError

    def room(self, ctx, block, caption: bool) -> float:
        return (
            ctx.body_top(block)
            - ctx.body_bottom
            - header_height(self.columns(ctx))
            - (14 if caption else 0)
            - self.reserve(ctx)
        )

    def reserve(self, ctx) -> float:
        """Room kept under the table on the last page (a signature box...)."""
        return 0.0

    def pages(self, ctx, block, rows: list[TableRow], caption: str = "") -> list[TablePage]:
        measure(self.columns(ctx), rows)
        room = self.room(ctx, block, bool(caption))
        return [TablePage(chunk, caption) for chunk in paginate(rows, room)]

    def draw_page(self, canvas, ctx, unit, plan: TablePage) -> None:
        top = ctx.body_top(unit.block)
        if plan.caption:
            fitted = fit(plan.caption, BOLD, 9.5, ctx.content_width, 1, min_size=6)
            canvas.setFont(BOLD, fitted.size)
            canvas.drawString(ctx.left, top - 10, fitted.lines[0])
            top -= 14
        bottom = draw(canvas, self.columns(ctx), plan.rows, ctx.left, top)
        if plan is unit.pages[-1]:
            self.after_table(canvas, ctx, unit, bottom)

    def after_table(self, canvas, ctx, unit, y: float) -> None:
        """Drawn under the table on the unit's last page."""


def number(value: float) -> str:
    """French decimal comma, no useless zeros: 1,5 / 4000 / 0,25."""
    return f"{value:g}".replace(".", ",")
