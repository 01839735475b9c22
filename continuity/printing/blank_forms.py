"""Blank forms for care on paper: vital-signs chart, nursing notes, downtime admission form.

The chart and the notes come pre-filled with a patient's identity and allergies when patients
are chosen, or with boxes to write them in for a patient who is not in the cache yet. The
admission form comes pre-filled with a temporary patient id reserved for this laptop (the paper
keeps it, so the patient keeps it when the form is typed in later): printing N forms reserves
N ids, and they are never handed to anyone else.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.graphics.barcode.code128 import Code128
from reportlab.pdfbase.pdfmetrics import stringWidth

from continuity.printing import furniture
from continuity.printing.barcodes import draw_code128
from continuity.printing.fonts import BOLD, REGULAR
from continuity.printing.render import Unit
from continuity.printing.request import SheetRequest, resolve_patients
from continuity.printing.text_fit import Fitted, draw_lines, fit
from continuity.store.session import Session
from continuity.store.temp_ids import reserve_temp_ids


@dataclass
class FormPage:
    temp_id: str | None = None


def _box_field(canvas, label: str, x: float, y: float, width: float, height: float = 18) -> None:
    """A labelled box to write in: the label small at the top left, room below."""
    canvas.setLineWidth(0.6)
    canvas.rect(x, y - height, width, height)
    canvas.setFont(REGULAR, 6.5)
    canvas.drawString(x + 2.5, y - 7.5, label)


def _checkbox(canvas, label: str, x: float, y: float) -> float:
    canvas.setLineWidth(0.7)
    canvas.rect(x, y - 1, 7, 7)
    canvas.setFont(REGULAR, 8)
    canvas.drawString(x + 10, y, label)
    return x + 16 + canvas.stringWidth(label, REGULAR, 8)


def draw_blank_identity(canvas, ctx: furniture.SheetContext, top: float) -> float:
    """Identity and allergy boxes for a patient the sheet does not know; returns the y below."""
    _ = ctx.tr
    left, width = ctx.left, ctx.content_width
    w = width / 4
    _box_field(canvas, _("Family name"), left, top, w)
    _box_field(canvas, _("Given name"), left + w, top, w)
    _box_field(canvas, _("Born (dd/mm/yyyy)"), left + 2 * w, top, w * 0.6)
    _box_field(canvas, _("Sex"), left + 2.6 * w, top, w * 0.4)
    _box_field(canvas, _("IPP or temporary id"), left + 3 * w, top, w)
    y = top - 22
    canvas.setLineWidth(1.4)
    canvas.rect(left, y - 16, width, 16)
    canvas.setFont(BOLD, 8)
    canvas.drawString(left + 4, y - 11, _("ALLERGIES"))
    x = left + 70
    x = _checkbox(canvas, _("none known"), x, y - 11)
    x = _checkbox(canvas, _("not documented"), x, y - 11)
    _checkbox(canvas, _("yes:"), x, y - 11)
    return y - 22


def _shaded_rect(canvas, x: float, y: float, width: float, height: float) -> None:
    """A header band: light grey under the titles, outlined like the rows below it."""
    canvas.setFillGray(0.88)
    canvas.rect(x, y, width, height, stroke=1, fill=1)
    canvas.setFillGray(0)


class _PatientForm:
    """The vitals chart and the notes: printed once per chosen patient, whose block heads
    each page, or blank, with boxes to write the identity and allergies in by hand."""

    landscape: bool

    def empty_message(self, ctx: furniture.SheetContext) -> str:
        return ""

    def build(
        self, session: Session, request: SheetRequest, ctx: furniture.SheetContext
    ) -> list[Unit]:
        return _patient_units(session, request, ctx)

    def body_top(self, canvas, ctx: furniture.SheetContext, unit: Unit) -> float:
        """Where the form's own grid starts: below the patient's block, or below the boxes
        to write the identity and allergies in when no patient was chosen."""
        top = ctx.body_top(unit.block)
        if unit.block is None:
            top = draw_blank_identity(canvas, ctx, top)
        return top


class VitalsChart(_PatientForm):
    """Vital signs over several rounds: a row per measure, a column per round."""

    landscape = True
    ROUNDS = 16

    def title(self, ctx: furniture.SheetContext, request: SheetRequest) -> str:
        _ = ctx.tr
        return _("Vital signs chart")

    def measures(self, ctx: furniture.SheetContext) -> list[str]:
        _ = ctx.tr
        return [
            _("Blood pressure (mmHg) systolic / diastolic"),
            _("Heart rate (/min)"),
            _("Respiratory rate (/min)"),
            _("Temperature (°C)"),
            _("SpO2 (%)"),
            _("Oxygen (L/min)"),
            _("Pain (0-10)"),
            _("Consciousness (AVPU)"),
            _("Blood glucose (g/L)"),
            _("Weight (kg)"),
            _("Urine output (mL)"),
            _("Initials"),
        ]

    def draw_page(self, canvas, ctx: furniture.SheetContext, unit: Unit, plan: FormPage) -> None:
        _ = ctx.tr
        top = self.body_top(canvas, ctx, unit)
        label_w = 150.0
        left = ctx.left
        col_w = (ctx.content_width - label_w) / self.ROUNDS
        measures = self.measures(ctx)
        head = 2
        row_h = (top - ctx.body_bottom) / (len(measures) + head)
        canvas.setLineWidth(0.5)
        for i, label in enumerate([_("Date"), _("Time"), *measures]):
            y = top - (i + 1) * row_h
            if i < head:
                _shaded_rect(canvas, left, y, ctx.content_width, row_h)
            else:
                canvas.rect(left, y, ctx.content_width, row_h, stroke=1, fill=0)
            fitted = fit(label, BOLD, 7.5, label_w - 6, 2, min_size=5.5)
            canvas.setFont(BOLD, fitted.size)
            ly = y + row_h / 2 + (len(fitted.lines) - 1) * fitted.leading / 2 - 2.5
            for line in fitted.lines:
                canvas.drawString(left + 3, ly, line)
                ly -= fitted.leading
        canvas.lines(
            [
                (
                    left + label_w + k * col_w,
                    top,
                    left + label_w + k * col_w,
                    top - (len(measures) + head) * row_h,
                )
                for k in range(self.ROUNDS)
            ]
        )


class NursingNotes(_PatientForm):
    """Notes written by hand, one line each: when, what kind, the note, who."""

    landscape = False
    ROWS = 24

    def title(self, ctx: furniture.SheetContext, request: SheetRequest) -> str:
        _ = ctx.tr
        return _("Nursing notes")

    def draw_page(self, canvas, ctx: furniture.SheetContext, unit: Unit, plan: FormPage) -> None:
        _ = ctx.tr
        top = self.body_top(canvas, ctx, unit)
        left, width = ctx.left, ctx.content_width
        widths = [70.0, 62.0, width - 70 - 62 - 45, 45.0]
        titles = [_("Date · time"), _("Kind (O / H / I)"), _("Note"), _("Initials")]
        head = 14.0
        _shaded_rect(canvas, left, top - head, width, head)
        x = left
        for w, t in zip(widths, titles, strict=True):
            titled = fit(t, BOLD, 7.5, w - 6, 1, min_size=5)
            canvas.setFont(BOLD, titled.size)
            canvas.drawString(x + 3, top - 10, titled.lines[0])
            x += w
        row_h = (top - head - ctx.body_bottom - 10) / self.ROWS
        canvas.setLineWidth(0.5)
        for i in range(self.ROWS):
            y = top - head - (i + 1) * row_h
            canvas.rect(left, y, width, row_h)
        bottom = top - head - self.ROWS * row_h
        x = left
        for w in widths[:-1]:
            x += w
            canvas.line(x, top, x, bottom)
        canvas.setFont(REGULAR, 6.5)
        canvas.drawString(
            left,
            bottom - 8,
            _("O = observation, H = handover, I = incident. One line per note; sign each note."),
        )


#: Widest room given to the temporary id's bar code on the admission form.
_BAR_ROOM = 190.0
#: Gap kept between the printed id and its bar code.
_BAR_GAP = 12.0
#: Room the id text always keeps; a bar code that would leave less is not printed.
_MIN_TEXT_ROOM = 150.0


@dataclass(frozen=True)
class TempIdLayout:
    """Where the temporary id and its bar code go: side by side, never overlapping.

    A digit hidden under the bars of a temporary id is an identity error waiting to happen
    (a nurse copies "...-000" for "...-0001"), so the text is fitted into the room left of
    the bar code as actually drawn, shrinking and then wrapping rather than running under it.
    """

    text: Fitted
    text_right: float
    bar_x: float
    bar_width: float

    def text_top(self, box_top: float) -> float:
        """The top of the id's first line, centred in the 36 pt below the box's caption."""
        return box_top - 16 - max(0.0, (36 - self.text.height) / 2)


def _narrowest_code128(value: str) -> float:
    """The width `draw_code128` uses at its narrowest bars: it never prints narrower."""
    return Code128(value, barHeight=10, barWidth=0.5, quiet=False).width


def temp_id_layout(temp_id: str, left: float, width: float) -> TempIdLayout:
    """Bar code at the right (its real width, which may exceed the planned room for a long
    device name), id text fitted into what is left."""
    bar_width = max(_BAR_ROOM, _narrowest_code128(temp_id))
    if bar_width > width - _MIN_TEXT_ROOM:
        # No scannable bar code fits beside the id: the id alone, which is what staff copy.
        bar_width = 0.0
    bar_x = left + width - 10 - bar_width
    room = bar_x - (_BAR_GAP if bar_width else 0.0) - (left + 6)
    text = fit(temp_id, BOLD, 20, room, 1, min_size=10)
    if len(text.lines) > 1:
        # Two lines, broken after a hyphen (a part of the id), never inside a part.
        cut = temp_id.rfind("-", 0, len(temp_id) // 2 + 1)
        cut = cut if cut > 0 else temp_id.find("-")
        if cut > 0:
            temp_id = f"{temp_id[: cut + 1]}\n{temp_id[cut + 1 :]}"
        text = fit(temp_id, BOLD, 16, room, 2, min_size=9)
    text_right = left + 6 + max(stringWidth(line, BOLD, text.size) for line in text.lines)
    return TempIdLayout(text, text_right, bar_x, bar_width)


class AdmissionForm:
    landscape = False

    def title(self, ctx: furniture.SheetContext, request: SheetRequest) -> str:
        _ = ctx.tr
        return _("Downtime admission form")

    def empty_message(self, ctx: furniture.SheetContext) -> str:
        return ""

    def build(
        self, session: Session, request: SheetRequest, ctx: furniture.SheetContext
    ) -> list[Unit]:
        ids = reserve_temp_ids(session, request.copies)
        return [Unit(pages=[FormPage(temp_id)], covers=(temp_id,)) for temp_id in ids]

    def draw_page(self, canvas, ctx: furniture.SheetContext, unit: Unit, plan: FormPage) -> None:
        _ = ctx.tr
        left, width = ctx.left, ctx.content_width
        top = ctx.body_top(None)
        canvas.setLineWidth(2)
        canvas.rect(left, top - 58, width, 58)
        canvas.setFont(REGULAR, 8)
        canvas.drawString(
            left + 6,
            top - 12,
            _("Temporary patient id (keep it on every sheet, label and wristband)"),
        )
        temp_id = plan.temp_id or ""
        layout = temp_id_layout(temp_id, left, width)
        draw_lines(canvas, layout.text, left + 6, layout.text_top(top))
        if layout.bar_width:
            draw_code128(canvas, temp_id, layout.bar_x, top - 52, layout.bar_width, 34)
        y = top - 70
        half = width / 2
        for row in (
            ((_("Birth family name"), half), (_("Used family name"), half)),
            (
                (_("Given names"), half),
                (_("Born (dd/mm/yyyy)"), half / 2),
                (_("Place of birth"), half / 2),
            ),
            ((_("Ward"), half / 2), (_("Room · bed"), half / 2), (_("Arrived on · at"), half)),
            (
                (_("Coming from (home, other hospital, emergency...)"), half),
                (_("Person to contact · phone"), half),
            ),
            ((_("Attending doctor"), half), (_("Reason for admission"), half)),
            (
                (_("Weight (kg)"), half / 2),
                (_("Height (cm)"), half / 2),
                (_("Identity checked with (ID card, passport, family...)"), half),
            ),
        ):
            x = left
            for label, w in row:
                _box_field(canvas, label, x, y, w, 30)
                x += w
            y -= 34
        canvas.setFont(BOLD, 9)
        canvas.drawString(left, y - 12, _("Sex:"))
        x = _checkbox(canvas, _("female"), left + 40, y - 12)
        x = _checkbox(canvas, _("male"), x, y - 12)
        _checkbox(canvas, _("other / unknown"), x, y - 12)
        y -= 26
        canvas.setLineWidth(1.4)
        canvas.rect(left, y - 60, width, 60)
        canvas.setFont(BOLD, 9)
        canvas.drawString(left + 5, y - 13, _("ALLERGIES"))
        x = _checkbox(canvas, _("none known"), left + 80, y - 13)
        x = _checkbox(canvas, _("not documented"), x, y - 13)
        _checkbox(canvas, _("yes (substance, reaction):"), x, y - 13)
        y -= 70
        _box_field(canvas, _("Treatments the patient takes at home"), left, y, width, 90)
        y -= 100
        _box_field(canvas, _("Admitted by (name, initials, signature)"), left, y, half, 40)
        _box_field(canvas, _("Typed into Continuity on · by"), left + half, y, half, 40)
        canvas.setFont(REGULAR, 7)
        canvas.drawString(
            left,
            y - 52,
            _(
                "Before registering, look for the patient in the "
                "census and in earlier downtime admissions."
            ),
        )


def _patient_units(
    session: Session, request: SheetRequest, ctx: furniture.SheetContext
) -> list[Unit]:
    """A form per chosen patient (identity printed), or blank forms to fill in by hand."""
    from continuity.store import census

    if not (request.patient_ids or request.ward):
        return [Unit(pages=[FormPage() for _i in range(request.copies)])]
    units = []
    for patient in resolve_patients(session, request):
        block = furniture.patient_block(
            ctx,
            patient,
            census.allergies(session, patient.id),
            census.latest_weight(session, patient.id),
        )
        units.append(
            Unit(
                pages=[FormPage() for _i in range(request.copies)],
                patient=patient,
                block=block,
                covers=(patient.id,),
            )
        )
    return units


VITALS_SHEET = VitalsChart()
NOTES_SHEET = NursingNotes()
ADMISSION_SHEET = AdmissionForm()
