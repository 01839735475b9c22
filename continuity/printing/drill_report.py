"""The drill report: the evidence an auditor asks for (timings, who took part, what failed).

One or two A4 pages made with platypus (a short report with a table, not a ward grid), in
memory like every sheet. The "EXERCICE" band heads each page so the report can never be taken
for a record of care.
"""

from __future__ import annotations

import io

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from continuity.core.clock import format_local
from continuity.core.i18n import translate_to
from continuity.printing.fonts import register_fonts
from continuity.store.drill import STEP_TARGETS, DrillSummary, step_label


def _seconds(value: float) -> str:
    minutes, seconds = divmod(round(value), 60)
    return f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"


def render_drill_report(summary: DrillSummary, *, lang: str = "fr") -> bytes:
    regular, bold = register_fonts()

    def tr(text: str) -> str:
        return translate_to(text, lang)

    body = ParagraphStyle("body", fontName=regular, fontSize=10, leading=13)
    cell = ParagraphStyle("cell", parent=body, fontSize=9, leading=11)
    head = ParagraphStyle("head", parent=body, fontName=bold, fontSize=15, leading=19, spaceAfter=4)
    sub = ParagraphStyle(
        "sub", parent=body, fontName=bold, fontSize=11, leading=15, spaceBefore=8, spaceAfter=3
    )
    story = [
        Paragraph(tr("Downtime drill report"), head),
        Paragraph(
            tr("Site: {site} · drill laptop: {device} · started from: {origin}").format(
                site=summary.site, device=summary.device, origin=summary.origin_device or "—"
            ),
            body,
        ),
        Paragraph(
            tr("From {start} to {end}").format(
                start=format_local(summary.started_at), end=format_local(summary.finished_at)
            ),
            body,
        ),
        Paragraph(tr("Participants"), sub),
        Paragraph(", ".join(summary.participants) or "—", body),
        Paragraph(tr("Timed steps"), sub),
    ]
    rows = [[tr("Step"), tr("By"), tr("Duration"), tr("Target"), tr("Result"), tr("Note")]]
    for step in summary.steps:
        result = (
            tr("within target")
            if step.within_target
            else tr("FAILED")
            if not step.ok
            else tr("too slow")
        )
        rows.append(
            [
                Paragraph(step_label(step.step, tr), cell),
                step.by,
                _seconds(step.seconds),
                _seconds(STEP_TARGETS[step.step]),
                result,
                Paragraph(step.note or "", cell),
            ]
        )
    for missing in summary.missing_steps:
        rows.append(
            [
                Paragraph(step_label(missing, tr), cell),
                "—",
                "—",
                _seconds(STEP_TARGETS[missing]),
                tr("not done"),
                "",
            ]
        )
    table = Table(
        rows, colWidths=[38 * mm, 28 * mm, 22 * mm, 22 * mm, 26 * mm, 44 * mm], repeatRows=1
    )
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), regular, 9),
                ("FONT", (0, 0), (-1, 0), bold, 9),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story += [table, Spacer(1, 6)]
    failures = summary.failures
    story.append(Paragraph(tr("What failed"), sub))
    if failures or summary.missing_steps:
        for step in failures:
            story.append(
                Paragraph(f"• {step_label(step.step, tr)} — {step.note or tr('no note')}", body)
            )
        for missing in summary.missing_steps:
            story.append(Paragraph(f"• {step_label(missing, tr)} — {tr('not done')}", body))
    else:
        story.append(Paragraph(tr("Nothing: every step was done."), body))
    story += [
        Paragraph(tr("Activity during the drill"), sub),
        Paragraph(
            tr("{entries} entries recorded, {sheets} sheets printed (all marked as drill).").format(
                entries=summary.entries, sheets=summary.sheets
            ),
            body,
        ),
    ]

    def band(canvas, doc) -> None:
        canvas.saveState()
        width, height = A4
        canvas.setFillColor(colors.black)
        canvas.rect(15 * mm, height - 14 * mm, width - 30 * mm, 8 * mm, fill=1, stroke=0)
        canvas.setFillColor(colors.white)
        canvas.setFont(bold, 11)
        canvas.drawCentredString(width / 2, height - 11.5 * mm, tr("EXERCISE — NOT A CARE RECORD"))
        canvas.setFillColor(colors.black)
        canvas.setFont(regular, 8)
        canvas.drawRightString(width - 15 * mm, 10 * mm, tr("Page {n}").format(n=doc.page))
        canvas.restoreState()

    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        topMargin=22 * mm,
        bottomMargin=18 * mm,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        title=tr("Downtime drill report"),
    )
    doc.build(story, onFirstPage=band, onLaterPages=band)
    return out.getvalue()
