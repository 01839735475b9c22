"""Patient labels on A4 label stock: specimen tubes, forms and downtime wristbands.

Each label carries the name (family name in capitals), birth date and sex, the IPP or the
temporary id of a downtime admission, the ward and bed, and a Code 128 bar code of the id.
The grid (3 x 8 by default) and margins follow the stock (`LabelGrid`). The page is the
product, so the continuity footer and QR code go in the stock's top and bottom margins.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from reportlab.lib.units import mm

from continuity.printing import furniture
from continuity.printing.barcodes import code128_fits, draw_code128
from continuity.printing.fonts import BOLD, REGULAR
from continuity.printing.render import Unit
from continuity.printing.request import LabelGrid, SheetRequest, resolve_patients
from continuity.printing.text_fit import Fitted, draw_lines, fit
from continuity.store.census import Patient
from continuity.store.session import Session

PAD = 2.2 * mm


@dataclass
class LabelText:
    name: Fitted
    line2: Fitted
    ident: Fitted
    code: str


@dataclass
class LabelPage:
    count: int  # labels on this page


class LabelSheet:
    landscape = False
    own_furniture = True

    def title(self, ctx: furniture.SheetContext, request: SheetRequest) -> str:
        _ = ctx.tr
        return _("Patient labels")

    def empty_message(self, ctx: furniture.SheetContext) -> str:
        _ = ctx.tr
        return _("No patient in this selection: nothing to print.")

    @staticmethod
    def geometry(ctx: furniture.SheetContext, grid: LabelGrid) -> tuple[float, float, float]:
        """(label width, label height, side margin) in points."""
        side = grid.side_mm * mm
        width = (ctx.page_width - 2 * side - (grid.columns - 1) * grid.gap_mm * mm) / grid.columns
        height = (ctx.page_height - 2 * grid.top_mm * mm) / grid.rows
        return width, height, side

    def build(
        self, session: Session, request: SheetRequest, ctx: furniture.SheetContext
    ) -> list[Unit]:
        grid = request.labels
        per_page = grid.columns * grid.rows
        wanted = request.labels_per_patient or per_page
        width, height, _side = self.geometry(ctx, grid)
        ctx.extra["grid"] = grid
        units = []
        for patient in resolve_patients(session, request):
            ctx.extra.setdefault("labels", {})[patient.id] = self._text(ctx, patient, width, height)
            pages = [
                LabelPage(min(per_page, wanted - i * per_page))
                for i in range(math.ceil(wanted / per_page))
            ]
            units.append(Unit(pages=pages, patient=patient, covers=(patient.id,)))
        return units

    def _text(
        self, ctx: furniture.SheetContext, patient: Patient, width: float, height: float
    ) -> LabelText:
        _ = ctx.tr
        room = width - 2 * PAD
        big = height > 28 * mm
        name = fit(patient.display_name or "—", BOLD, 10 if big else 8, room, 2, min_size=5.5)
        age = patient.age(ctx.day)
        born = furniture.format_date(patient.birth_date)
        line2 = " · ".join(
            x
            for x in (
                _("born {date}").format(date=born) + (f" ({age})" if age is not None else ""),
                furniture.sex_label(patient.sex, ctx.tr),
                " ".join(x for x in (patient.ward, patient.room, patient.bed) if x),
            )
            if x
        )
        ident_text = (
            _("IPP {ipp}").format(ipp=patient.ipp)
            if patient.ipp and not patient.temporary
            else _("temporary id {id}").format(id=patient.id)
        )
        return LabelText(
            name,
            fit(line2, REGULAR, 7, room, 2, min_size=5),
            fit(ident_text, BOLD, 8, room, 1, min_size=5),
            patient.label_id,
        )

    def draw_page(self, canvas, ctx: furniture.SheetContext, unit: Unit, plan: LabelPage) -> None:
        grid: LabelGrid = ctx.extra["grid"]
        width, height, side = self.geometry(ctx, grid)
        text: LabelText = ctx.extra["labels"][unit.patient.id]
        top0 = ctx.page_height - grid.top_mm * mm
        canvas.setLineWidth(0.2)
        canvas.setStrokeGray(0.75)
        for index in range(plan.count):
            row, col = divmod(index, grid.columns)
            x = side + col * (width + grid.gap_mm * mm)
            top = top0 - row * height
            # A faint outline helps check alignment on plain paper; label stock hides it.
            canvas.roundRect(x, top - height, width, height, 6, stroke=1, fill=0)
            y = draw_lines(canvas, text.name, x + PAD, top - PAD + 1)
            y = draw_lines(canvas, text.line2, x + PAD, y - 0.5)
            y = draw_lines(canvas, text.ident, x + PAD, y - 0.5)
            bar_height = min(8 * mm, y - (top - height) - PAD - 1)
            room = width - 2 * PAD
            if bar_height >= 4 * mm and code128_fits(text.code, room):
                draw_code128(canvas, text.code, x + PAD, top - height + PAD, room, bar_height)
        canvas.setStrokeGray(0)

    def draw_furniture(
        self, canvas, ctx: furniture.SheetContext, unit: Unit, number: int, count: int
    ) -> None:
        grid: LabelGrid = ctx.extra["grid"]
        margin = grid.top_mm * mm
        furniture.draw_compact_furniture(canvas, ctx, number, count, margin, margin)


SHEET = LabelSheet()
