"""What every page carries, whatever the sheet: header, identity, allergies, footer, QR, bands.

Paper leaves the laptop and lives its own life on a ward: it is photocopied, carried from room
to room, found in a drawer a week later. So each page says on its own who it is about (name,
birth date, IPP), what the patient is allergic to (in a box that a black-and-white photocopy
keeps), how old its data is, who printed it where and when, which page of how many it is, and
which sheet it belongs to (id, QR code, and the head of the audit chain that anchors the log).
No signal relies on colour: stale data and drills get black bands with words in them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from continuity.core import freshness
from continuity.core.clock import PARIS, format_age, format_local
from continuity.core.text import fold
from continuity.printing import text_fit
from continuity.printing.barcodes import draw_qr
from continuity.printing.fonts import BOLD, REGULAR
from continuity.printing.text_fit import Fitted, fit, fit_height
from continuity.store.census import Allergy, Observation, Patient

MARGIN_X = 24.0
MARGIN_TOP = 22.0
MARGIN_BOTTOM = 16.0
FOOTER_HEIGHT = 42.0
TITLE_HEIGHT = 17.0
BAND_HEIGHT = 14.0
GAP = 5.0
#: What office printers leave blank at the edges of the sheet (4.2 mm): a QR code cut there is
#: lost, so none is drawn in it.
PRINTER_MARGIN = 12.0


def snapshot_freshness(
    as_of: datetime | None,
    now: datetime,
    setting: Callable[[str, str | None], str | None] | None = None,
) -> str:
    """'fresh', 'ageing', 'stale' (core's levels, site thresholds) or 'missing' (no snapshot)."""
    if as_of is None:
        return "missing"
    thresholds = freshness.thresholds_from_settings(setting) if setting else None
    return str(freshness.freshness(as_of, now, thresholds).level)


@dataclass
class SheetContext:
    """Everything a page needs that does not depend on the page: built once per sheet."""

    tr: Callable[[str], str]
    lang: str
    title: str
    sheet_id: str
    site_name: str
    device_name: str
    printed_by: str
    printed_at: datetime
    as_of: datetime | None
    freshness: str
    chain_head: str
    drill: bool
    page_width: float
    page_height: float
    scope: str  # "Médecine", "tout l'établissement"...
    day: date
    extra: dict = field(default_factory=dict)

    @property
    def content_width(self) -> float:
        return self.page_width - 2 * MARGIN_X

    @property
    def left(self) -> float:
        return MARGIN_X

    @property
    def right(self) -> float:
        return self.page_width - MARGIN_X

    def bands(self) -> list[str]:
        """The warning bands of every page, in order (empty for a fresh, real sheet)."""
        _ = self.tr
        out = []
        if self.drill:
            out.append(_("TRAINING (DRILL) — NOT FOR PATIENT CARE"))
        if self.freshness == "stale" and self.as_of is not None:
            out.append(
                _(
                    "OLD DATA: snapshot of {as_of} ({age} ago). Check any recent prescription "
                    "with the prescriber."
                ).format(
                    as_of=format_local(self.as_of), age=format_age(self.printed_at - self.as_of)
                )
            )
        if self.freshness == "missing":
            out.append(_("NO DATA IMPORTED: this sheet holds no prescription."))
        return out

    def header_top_height(self) -> float:
        """Title bar and bands: the part of the header common to every page of the sheet."""
        bands = len(self.bands())
        return TITLE_HEIGHT + bands * (BAND_HEIGHT + 2) + GAP

    def body_top(self, patient_block: PatientBlock | None = None) -> float:
        top = self.page_height - MARGIN_TOP - self.header_top_height()
        if patient_block is not None:
            top -= patient_block.height + GAP
        return top

    @property
    def body_bottom(self) -> float:
        return MARGIN_BOTTOM + FOOTER_HEIGHT + GAP


# -- patient identity and allergies ------------------------------------------------------------
def sex_label(sex: str | None, tr: Callable[[str], str]) -> str:
    _ = tr
    return {
        "female": _("F"),
        "male": _("M"),
        "other": _("other"),
    }.get(sex or "", _("unknown"))


def weekday_name(day: date, tr: Callable[[str], str]) -> str:
    _ = tr
    names = (
        _("Monday"),
        _("Tuesday"),
        _("Wednesday"),
        _("Thursday"),
        _("Friday"),
        _("Saturday"),
        _("Sunday"),
    )
    return names[day.weekday()]


def format_date(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "—"


def room_label(room: str | None, tr: Callable[[str], str]) -> str:
    """ "ch. 12", but "Chambre 301" as is: some sources put the word in the room's name, and
    "ch. Chambre 301" reads as a typo on every page."""
    _ = tr
    if not room:
        return ""
    if fold(room).split(" ", 1)[0].rstrip(".") in ("chambre", "ch", "room", "rm"):
        return room
    return _("room {room}").format(room=room)


def identity_line(
    patient: Patient, on: date, tr: Callable[[str], str], weight: Observation | None = None
) -> str:
    """The identity and location facts in one line (birth date, sex, IPP, ward, weight)."""
    _ = tr
    parts = []
    age = patient.age(on)
    born = format_date(patient.birth_date)
    parts.append(
        _("born {date} ({age} y)").format(date=born, age=age)
        if age is not None
        else _("born {date}").format(date=born)
    )
    parts.append(_("sex {sex}").format(sex=sex_label(patient.sex, tr)))
    if patient.temporary or not patient.ipp:
        parts.append(_("temporary id {id}").format(id=patient.id))
    else:
        parts.append(_("IPP {ipp}").format(ipp=patient.ipp))
    if patient.ins:
        parts.append(_("INS {ins}").format(ins=patient.ins))
    place = " ".join(
        x
        for x in (
            patient.ward or "",
            room_label(patient.room, tr),
            _("bed {bed}").format(bed=patient.bed) if patient.bed else "",
        )
        if x
    )
    if place:
        parts.append(place)
    if weight is not None and weight.value is not None:
        when = f" ({weight.effective.astimezone(PARIS):%d/%m/%Y})" if weight.effective else ""
        value = f"{weight.value:g}".replace(".", ",")
        parts.append(
            _("weight {value} {unit}").format(value=value, unit=weight.unit or "kg") + when
        )
    return " · ".join(parts)


def allergy_text(
    patient: Patient, found: list[Allergy], tr: Callable[[str], str]
) -> tuple[str, str]:
    """(box title, box text). "None known" and "not documented" are different facts."""
    _ = tr
    if found:
        items = []
        for allergy in found:
            detail = [
                d
                for d in (
                    _("high risk") if allergy.criticality == "high" else "",
                    allergy.reaction or "",
                )
                if d
            ]
            items.append(
                f"{allergy.substance} ({', '.join(detail)})" if detail else allergy.substance
            )
        return _("ALLERGIES"), " ; ".join(items)
    if patient.allergy_status in ("none_known", "recorded"):
        return _("Allergies"), _("No known allergy")
    return _("ALLERGIES NOT DOCUMENTED"), _("Ask the patient or the family before any drug.")


@dataclass
class PatientBlock:
    """The identity and allergy area of a patient's pages, laid out once for all its pages."""

    patient: Patient
    name: Fitted
    details: Fitted
    flags: str
    allergy_title: str
    allergy: Fitted
    documented: bool  # allergies listed or "none known" (False: not documented)
    has_allergies: bool
    height: float


def patient_block(
    ctx: SheetContext, patient: Patient, found: list[Allergy], weight: Observation | None = None
) -> PatientBlock:
    _ = ctx.tr
    width = ctx.content_width
    id_room = width * 0.56 - 8
    allergy_room = width * 0.44 - 12
    name = fit(patient.display_name or "—", BOLD, 13, id_room, 2, min_size=8)
    details = fit(
        identity_line(patient, ctx.day, ctx.tr, weight), REGULAR, 8.5, id_room, 3, min_size=6.5
    )
    flags = []
    if patient.temporary:
        flags.append(_("DOWNTIME ADMISSION (temporary id)"))
    if patient.absent_from_snapshot:
        flags.append(_("absent from the latest snapshot"))
    flags_text = " · ".join(flags)
    title, text = allergy_text(patient, found, ctx.tr)
    has = bool(found)
    allergy = fit(text, BOLD if has else REGULAR, 9.5 if has else 8.5, allergy_room, 3, min_size=6)
    left_height = name.height + 2 + details.height + (10 if flags_text else 0)
    right_height = 11 + allergy.height + 4
    height = max(left_height, right_height, 34) + 4
    documented = has or patient.allergy_status in ("none_known", "recorded")
    return PatientBlock(patient, name, details, flags_text, title, allergy, documented, has, height)


# -- drawing ---------------------------------------------------------------------------------
def draw_header(canvas, ctx: SheetContext, block: PatientBlock | None, subtitle: str = "") -> None:
    """Title bar, warning bands and (for a patient sheet) the identity and allergy block."""
    top = ctx.page_height - MARGIN_TOP
    left, right = ctx.left, ctx.right
    title = fit(ctx.title, BOLD, 12, ctx.content_width * 0.62, 1, min_size=8)
    canvas.setFont(BOLD, title.size)
    canvas.drawString(left, top - 12, title.lines[0])
    place = " · ".join(x for x in (ctx.site_name, ctx.scope, subtitle) if x)
    place_fit = fit(place, REGULAR, 9, ctx.content_width * 0.38 - 6, 1, min_size=6)
    canvas.setFont(REGULAR, place_fit.size)
    canvas.drawRightString(right, top - 11, place_fit.lines[0])
    canvas.setLineWidth(1)
    canvas.line(left, top - TITLE_HEIGHT + 2, right, top - TITLE_HEIGHT + 2)
    y = top - TITLE_HEIGHT
    for band in ctx.bands():
        y -= 2
        fitted = fit(band, BOLD, 8.5, ctx.content_width - 8, 1, min_size=5.5)
        canvas.setFillGray(0)
        canvas.rect(left, y - BAND_HEIGHT, ctx.content_width, BAND_HEIGHT, stroke=0, fill=1)
        canvas.setFillGray(1)
        canvas.setFont(BOLD, fitted.size)
        canvas.drawCentredString((left + right) / 2, y - BAND_HEIGHT + 4, fitted.lines[0])
        canvas.setFillGray(0)
        y -= BAND_HEIGHT
    if block is not None:
        draw_patient_block(canvas, ctx, block, y - GAP)


def draw_patient_block(canvas, ctx: SheetContext, block: PatientBlock, top: float) -> None:
    left = ctx.left
    width = ctx.content_width
    split = left + width * 0.56
    y = text_fit.draw_lines(canvas, block.name, left + 2, top - 1)
    y = text_fit.draw_lines(canvas, block.details, left + 2, y - 2)
    if block.flags:
        canvas.setFont(BOLD, 7.5)
        canvas.drawString(left + 2, y - 9, block.flags)
    # The allergy box: thick frame when allergies are listed, dashed when not documented.
    box_left, box_width = split + 4, left + width - split - 4
    canvas.saveState()
    if block.has_allergies:
        canvas.setLineWidth(2.2)
    elif not block.documented:
        canvas.setLineWidth(1.4)
        canvas.setDash(4, 2)
    else:
        canvas.setLineWidth(0.8)
    canvas.rect(box_left, top - block.height + 2, box_width, block.height - 2, stroke=1, fill=0)
    canvas.restoreState()
    canvas.setFont(BOLD, 7.5)
    canvas.drawString(box_left + 5, top - 9, block.allergy_title)
    text_fit.draw_lines(canvas, block.allergy, box_left + 5, top - 12)


def draw_footer(
    canvas, ctx: SheetContext, page_no: int, page_count: int, patient: Patient | None
) -> None:
    """The continuity footer and the page's QR code (sheet id, patient id, page)."""
    _ = ctx.tr
    left, right = ctx.left, ctx.right
    bottom = MARGIN_BOTTOM
    canvas.setLineWidth(0.6)
    canvas.line(left, bottom + FOOTER_HEIGHT + 1, right, bottom + FOOTER_HEIGHT + 1)
    qr_size = FOOTER_HEIGHT
    payload = f"CONTINUITY|{ctx.sheet_id}|{patient.id if patient else '-'}|{page_no}/{page_count}"
    # The modules fill the whole square (1.27 pt with a UUID patient id, 1.45 pt with a short
    # one: a 150 dpi scan needs 1.25); the quiet zone is the page margin on the left and below,
    # 5 pt of blank before the text and 3 pt under the footer rule, which readers tolerate.
    draw_qr(canvas, payload, left - 3, bottom - 2, qr_size)
    page_text = _("Page {n} / {m}").format(n=page_no, m=page_count)
    canvas.setFont(BOLD, 11)
    canvas.drawRightString(right, bottom + FOOTER_HEIGHT - 13, page_text)
    canvas.setFont(REGULAR, 6.5)
    canvas.drawRightString(right, bottom + FOOTER_HEIGHT - 23, ctx.sheet_id)
    text_left = left + qr_size + 2
    room = right - text_left - 80
    if ctx.as_of is not None:
        age = format_age(ctx.printed_at - ctx.as_of)
        first = _("CONTINUITY COPY — data as of {as_of} ({age} ago)").format(
            as_of=format_local(ctx.as_of), age=age
        )
    else:
        first = _("CONTINUITY COPY — no snapshot imported")
    second = _("Printed by {user} on {device} at {time}").format(
        user=ctx.printed_by, device=ctx.device_name, time=format_local(ctx.printed_at)
    )
    third = _("Sheet {sheet} · audit chain {head}").format(sheet=ctx.sheet_id, head=ctx.chain_head)
    if patient is not None:
        third += (
            " · "
            + patient.display_name
            + " · "
            + (
                _("IPP {ipp}").format(ipp=patient.ipp)
                if patient.ipp and not patient.temporary
                else patient.id
            )
        )
    y = bottom + FOOTER_HEIGHT - 10
    for text, font, size in ((first, BOLD, 8), (second, REGULAR, 6.5), (third, REGULAR, 6.5)):
        fitted = fit(text, font, size, room, 1, min_size=4.5)
        canvas.setFont(font, fitted.size)
        for line in fitted.lines:
            canvas.drawString(text_left, y, line)
            y -= fitted.leading + 1.5


def fit_cell(
    text: str, room_width: float, room_height: float, size: float = 8, *, bold: bool = False
) -> Fitted:
    """Convenience for table cells: the biggest legible size that fits the cell."""
    return fit_height(text, BOLD if bold else REGULAR, size, room_width, room_height)


def draw_compact_furniture(
    canvas,
    ctx: SheetContext,
    page_no: int,
    page_count: int,
    top_room: float,
    bottom_room: float,
) -> None:
    """Header and footer squeezed into label stock's narrow margins: same facts, small type.

    Used where the page itself is the product (a sheet of labels): title and warning bands in
    the top margin, the continuity line, sheet id, chain head, page and QR code in the bottom.
    """
    _ = ctx.tr
    left, right = ctx.left, ctx.right
    top = ctx.page_height
    title = fit(
        " · ".join(x for x in (ctx.title, ctx.site_name, ctx.scope) if x),
        BOLD,
        7.5,
        ctx.content_width,
        1,
        min_size=5,
    )
    canvas.setFont(BOLD, title.size)
    y = top - 9
    canvas.drawString(left, y, title.lines[0])
    bands = ctx.bands()
    if bands:
        band = fit(" / ".join(bands), BOLD, 6.5, ctx.content_width - 6, 2, min_size=4.5)
        height = band.height + 3
        if y - 2 - height > top - top_room:
            canvas.rect(left, y - 2 - height, ctx.content_width, height, stroke=0, fill=1)
            canvas.setFillGray(1)
            text_fit.draw_lines(canvas, band, left + 3, y - 3.5)
            canvas.setFillGray(0)
    # The code stands on the edge of what printers print and stops short of the labels: so
    # little room that it holds only the sheet id, as IT would type it (a version 1 code, with
    # modules of about 1.1 pt); the page's text gives the patient and the page.
    qr = min(bottom_room - PRINTER_MARGIN - 1.5, 34.0)
    draw_qr(canvas, ctx.sheet_id, right - qr, PRINTER_MARGIN, qr)
    if ctx.as_of is not None:
        first = _("CONTINUITY COPY — data as of {as_of} ({age} ago)").format(
            as_of=format_local(ctx.as_of), age=format_age(ctx.printed_at - ctx.as_of)
        )
    else:
        first = _("CONTINUITY COPY — no snapshot imported")
    lines = [
        (first + " · " + _("Page {n} / {m}").format(n=page_no, m=page_count), BOLD, 6.5),
        (
            _("Printed by {user} on {device} at {time}").format(
                user=ctx.printed_by, device=ctx.device_name, time=format_local(ctx.printed_at)
            ),
            REGULAR,
            5.5,
        ),
        (
            _("Sheet {sheet} · audit chain {head}").format(sheet=ctx.sheet_id, head=ctx.chain_head),
            REGULAR,
            5.5,
        ),
    ]
    # Laid out from the bottom up: the last line (the sheet id, what IT types when the code
    # will not scan) must stand above the strip printers leave blank, not in it.
    fitted = [
        (fit(t, font, size, right - left - qr - 6, 1, min_size=4.5), font)
        for t, font, size in lines
    ]
    y = PRINTER_MARGIN + 1.5
    placed = []
    for line, font in reversed(fitted):
        placed.append((line, font, y))
        y += line.size + 1.5
    for line, font, baseline in placed:
        canvas.setFont(font, line.size)
        canvas.drawString(left, baseline, line.lines[0])
