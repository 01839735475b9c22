"""The review report of a merge, for the clinical lead's sign-off: PDF (A4) and CSV.

What the lead must see before anything is loaded: which laptops and packages were merged,
missing packages (sequence gaps), every conflict with all its sides (who, when, on which
laptop, what), the temporary patients still without a real IPP and what was held back. The
PDF ends with a sign-off block; the CSV has the same items, one line per side, with empty
"decision" and "initials" columns to fill in. Texts follow the app's language (French by
default); times are ward time, dd/mm/yyyy.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from continuity.core.clock import format_local
from continuity.core.i18n import _
from continuity.reconcile.conflicts import Conflict
from continuity.reconcile.entry_tables import write_rows
from continuity.reconcile.merge_index import Gap


@dataclass
class EntrySide:
    uuid: str
    device: str
    seq: int
    kind: str
    patient: str  # name and IPP or temporary id
    clinical: str
    recorded: str
    author: str
    summary: str


@dataclass
class PackageLine:
    file: str
    device: str
    package_id: str
    seq_first: int | None
    seq_last: int | None
    entries: int
    created_at: str
    exported_by: str
    snapshot_as_of: str


@dataclass
class ReviewData:
    created_at: datetime
    packages: list[PackageLine]
    totals: dict[str, int]
    gaps: list[Gap]
    conflicts: list[Conflict]
    sides: dict[str, EntrySide]
    unmapped: dict[str, int]
    unknown_mapping: list[str]
    held_reasons: dict[str, int]
    accepted: list[str] = field(default_factory=list)


def conflict_label(kind: str) -> str:
    return {
        "double_dose": _("Possible double dose"),
        "stopped_order": _("Dose on a stopped order"),
        "temporary_patient": _("Temporary patient"),
        "clock": _("Clock anomaly"),
        "altered": _("Altered entry"),
    }.get(kind, kind)


def total_labels() -> list[tuple[str, str]]:
    return [
        ("read", _("entries read")),
        ("unique", _("distinct entries")),
        ("duplicates", _("duplicates dropped (same UUID)")),
        ("in_bundle", _("entries in the FHIR bundle")),
        ("held_back", _("entries held back")),
        ("already_present", _("entries already in the central record")),
    ]


def gap_text(gap: Gap) -> str:
    if gap.before_first:
        return _(
            "{device}: entries 1 to {last} are in none of these packages (merged before, "
            "or a package is missing)."
        ).format(device=gap.device_name, last=gap.last)
    return _("{device}: entries {first} to {last} are missing (a package is missing).").format(
        device=gap.device_name, first=gap.first, last=gap.last
    )


# -- CSV -------------------------------------------------------------------------------------
def review_csv(data: ReviewData) -> str:
    headers = [
        _("section"),
        _("item"),
        _("kind"),
        _("blocking"),
        _("laptop"),
        _("sequence"),
        _("entry id"),
        _("entry kind"),
        _("patient"),
        _("clinical time"),
        _("recorded time"),
        _("author"),
        _("what"),
        _("detail"),
        _("decision"),
        _("initials"),
    ]
    rows = [
        _csv_row(
            _("gap"),
            blocking=True,
            laptop=gap.device_name,
            sequence=f"{gap.first}-{gap.last}",
            detail=gap_text(gap),
        )
        for gap in data.gaps
    ]
    for conflict in data.conflicts:
        line = partial(
            _csv_row,
            _("conflict"),
            item=conflict.id,
            kind=conflict_label(conflict.kind),
            blocking=conflict.blocking,
            detail=conflict.detail,
        )
        for entry_uuid in conflict.uuids:
            side = data.sides.get(entry_uuid)
            if side is None:
                rows.append(line(entry=entry_uuid))
                continue
            rows.append(
                line(
                    laptop=side.device,
                    sequence=side.seq,
                    entry=side.uuid,
                    entry_kind=side.kind,
                    patient=side.patient,
                    clinical=side.clinical,
                    recorded=side.recorded,
                    author=side.author,
                    what=side.summary,
                )
            )
    for temp_id, count in sorted(data.unmapped.items()):
        rows.append(
            _csv_row(
                _("unmapped temporary id"),
                item=temp_id,
                blocking=True,
                patient=temp_id,
                detail=_("{n} entries held back").format(n=count),
            )
        )
    for temp_id in data.unknown_mapping:
        rows.append(
            _csv_row(
                _("mapping"),
                item=temp_id,
                blocking=False,
                patient=temp_id,
                detail=_("in the mapping file but in no package"),
            )
        )
    return write_rows(headers, rows)


def _csv_row(
    section: str,
    *,
    blocking: bool,
    item: str = "",
    kind: str = "",
    laptop: str = "",
    sequence: int | str = "",
    entry: str = "",
    entry_kind: str = "",
    patient: str = "",
    clinical: str = "",
    recorded: str = "",
    author: str = "",
    what: str = "",
    detail: str = "",
) -> list[object]:
    """One line of the CSV, in the order of its headers: each kind of item fills only its
    own columns, and the decision and initials are left for the lead to write in."""
    return [section, item, kind, blocking, laptop, sequence, entry, entry_kind, patient,
            clinical, recorded, author, what, detail, "", ""]  # fmt: skip


# -- PDF -------------------------------------------------------------------------------------
def _styles() -> dict[str, ParagraphStyle]:
    from continuity.printing.fonts import BOLD, REGULAR, register_fonts

    register_fonts()
    return {
        "title": ParagraphStyle("t", fontName=BOLD, fontSize=15, leading=19, spaceAfter=4),
        "h": ParagraphStyle(
            "h", fontName=BOLD, fontSize=11, leading=14, spaceBefore=8, spaceAfter=4
        ),
        "p": ParagraphStyle("p", fontName=REGULAR, fontSize=8.5, leading=11),
        "cell": ParagraphStyle("c", fontName=REGULAR, fontSize=7, leading=8.6),
        "bold": ParagraphStyle("b", fontName=BOLD, fontSize=8.5, leading=11),
    }


def _esc(text: object) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _table(
    rows: list[list[str]], widths: list[float], style: ParagraphStyle, head: bool = True
) -> Table:
    cells = [[Paragraph(_esc(c), style) for c in row] for row in rows]
    table = Table(cells, colWidths=widths, repeatRows=1 if head else 0, hAlign="LEFT")
    commands = [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
    ]
    if head:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.85, 0.85, 0.85)))
    table.setStyle(TableStyle(commands))
    return table


def review_pdf(data: ReviewData, *, max_conflicts: int = 1000) -> bytes:
    """The report as PDF bytes (the caller writes them where the merge's output goes)."""
    st = _styles()
    width = A4[0] - 30 * mm
    story: list[object] = [
        Paragraph(_esc(_("Reconciliation review report")), st["title"]),
        Paragraph(
            _esc(
                _(
                    "Merged on {time}. Nothing in this report has been loaded into the "
                    "central record yet."
                ).format(time=format_local(data.created_at))
            ),
            st["p"],
        ),
        Spacer(1, 3 * mm),
        Paragraph(_esc(_("Packages")), st["h"]),
    ]
    rows = [[_("file"), _("laptop"), _("entries"), _("sequences"), _("exported"), _("data as of")]]
    for p in data.packages:
        seqs = f"{p.seq_first}–{p.seq_last}" if p.seq_first is not None else "—"
        rows.append(
            [
                p.file,
                p.device,
                str(p.entries),
                seqs,
                f"{p.created_at} ({p.exported_by})",
                p.snapshot_as_of,
            ]
        )
    story.append(_table(rows, [w * width for w in (0.22, 0.2, 0.1, 0.12, 0.2, 0.16)], st["cell"]))
    story.append(Paragraph(_esc(_("Totals")), st["h"]))
    totals = [[label, str(data.totals.get(key, 0))] for key, label in total_labels()]
    story.append(_table(totals, [0.6 * width, 0.15 * width], st["cell"], head=False))

    story.append(Paragraph(_esc(_("Missing packages (sequence gaps)")), st["h"]))
    if data.gaps:
        story.extend(Paragraph(_esc(gap_text(g)), st["p"]) for g in data.gaps)
    else:
        story.append(Paragraph(_esc(_("None: every laptop's sequence is complete.")), st["p"]))

    story.append(Paragraph(_esc(_("Conflicts ({n})").format(n=len(data.conflicts))), st["h"]))
    if not data.conflicts:
        story.append(Paragraph(_esc(_("None.")), st["p"]))
    shown = data.conflicts[:max_conflicts]
    for start in range(0, len(shown), _CONFLICTS_PER_TABLE):
        story.append(_conflict_table(data, shown[start : start + _CONFLICTS_PER_TABLE], width))
    if len(data.conflicts) > max_conflicts:
        story.append(
            Paragraph(
                _esc(
                    _("… and {n} more: see the CSV report.").format(
                        n=len(data.conflicts) - max_conflicts
                    )
                ),
                st["p"],
            )
        )

    story += _count_section(
        _("Temporary patients without a real IPP"),
        [_("temporary id"), _("entries held back")],
        data.unmapped,
        [0.4 * width, 0.2 * width],
        st,
    )
    story += _id_list(_("In the mapping file but in no package: {ids}"), data.unknown_mapping, st)
    story += _count_section(
        _("Held back"),
        [_("reason"), _("entries")],
        data.held_reasons,
        [0.6 * width, 0.15 * width],
        st,
    )
    story += _id_list(_("Accepted after review: {ids}"), data.accepted, st)

    story.append(Spacer(1, 6 * mm))
    sign = [
        [_("Reviewed by (clinical lead)"), ""],
        [_("Date"), ""],
        [_("Signature"), ""],
    ]
    story.append(
        KeepTogether(
            [
                Paragraph(_esc(_("Sign-off")), st["h"]),
                _table(sign, [0.35 * width, 0.55 * width], st["p"], head=False),
            ]
        )
    )

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=_("Reconciliation review report"),
        author="Continuity",
    )
    doc.build(story, onFirstPage=_page_number, onLaterPages=_page_number)
    return buffer.getvalue()


def _count_section(
    title: str,
    headers: list[str],
    counts: dict[str, int],
    widths: list[float],
    st: dict[str, ParagraphStyle],
) -> list[object]:
    """A heading, then how many entries each item holds back, in item order (or "None."):
    the temporary ids without an IPP and the reasons for holding back read the same way."""
    heading = Paragraph(_esc(title), st["h"])
    if not counts:
        return [heading, Paragraph(_esc(_("None.")), st["p"])]
    rows = [headers, *([item, str(n)] for item, n in sorted(counts.items()))]
    return [heading, _table(rows, widths, st["cell"])]


def _id_list(text: str, ids: list[str], st: dict[str, ParagraphStyle]) -> list[object]:
    """A line naming ids (`text` has an {ids} field), or nothing when there are none."""
    if not ids:
        return []
    return [Paragraph(_esc(text.format(ids=", ".join(ids))), st["p"])]


#: Conflicts per table: ReportLab's span handling grows with the square of a table's spans.
_CONFLICTS_PER_TABLE = 25


def _wrapped(text: object, width: float, font: str, size: float, max_lines: int = 4) -> str:
    """Text broken to a column's width (plain strings draw several times faster than
    Paragraphs, which matters with a thousand conflicts)."""
    lines = simpleSplit(str(text or ""), font, size, width - 4)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1] + " …"
    return "\n".join(lines)


def _conflict_table(data: ReviewData, conflicts: list[Conflict], width: float) -> Table:
    """Every conflict: a heading line (id, kind, blocking or not, what it is about), then one
    line per side: laptop and sequence, patient, times, author, what was recorded."""
    from continuity.printing.fonts import BOLD, REGULAR

    size = 7
    fractions = (0.15, 0.21, 0.12, 0.12, 0.13, 0.27)
    widths = [f * width for f in fractions]
    titles = [_("laptop / seq."), _("patient"), _("clinical time"), _("recorded time"),
              _("author"), _("what")]  # fmt: skip
    rows: list[list[str]] = [
        [_wrapped(t, w, BOLD, size, 2) for t, w in zip(titles, widths, strict=True)]
    ]
    commands: list[tuple] = [
        ("FONT", (0, 0), (-1, -1), REGULAR, size, size * 1.2),
        ("FONT", (0, 0), (-1, 0), BOLD, size, size * 1.2),
        ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.85, 0.85, 0.85)),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    for conflict in conflicts:
        flag = _("blocking") if conflict.blocking else _("for information")
        title = f"{conflict.id} — {conflict_label(conflict.kind)} ({flag}). {conflict.detail}"
        at = len(rows)
        rows.append([_wrapped(title, width, BOLD, size, 3), "", "", "", "", ""])
        commands += [
            ("SPAN", (0, at), (-1, at)),
            ("FONT", (0, at), (-1, at), BOLD, size, size * 1.2),
            ("BACKGROUND", (0, at), (-1, at), colors.Color(0.93, 0.93, 0.93)),
        ]
        for entry_uuid in conflict.uuids:
            side = data.sides.get(entry_uuid)
            if side is None:
                rows.append(["", "", "", "", "", entry_uuid])
                continue
            cells = [f"{side.device} / {side.seq}", side.patient, side.clinical, side.recorded,
                     side.author, side.summary]  # fmt: skip
            rows.append([_wrapped(c, w, REGULAR, size) for c, w in zip(cells, widths, strict=True)])
    table = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle(commands))
    return table


def _page_number(canvas, doc) -> None:
    from continuity.printing.fonts import REGULAR

    canvas.saveState()
    canvas.setFont(REGULAR, 7)
    canvas.drawRightString(A4[0] - 15 * mm, 9 * mm, _("page {n}").format(n=doc.page))
    canvas.drawString(15 * mm, 9 * mm, "Continuity")
    canvas.restoreState()
