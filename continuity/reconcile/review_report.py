"""The review report of a merge, for the clinical lead's sign-off: PDF (A4) and CSV.

What the lead must see before anything is loaded: which laptops and packages were merged,
missing packages (sequence gaps), every conflict with all its sides (who, when, on which
laptop, what), the temporary patients still without a real IPP and what was held back. The
PDF ends with a sign-off block; the CSV has the same items, one line per side, with empty
"decision" and "initials" columns to fill in. Texts follow the app's language (French by
default); times are ward time, dd/mm/yyyy.

A conflict the lead already accepted (`--accept`) reads as accepted in its own heading and in
the CSV's status column, never as blocking: its entries go into the bundle. Table cells wrap
long laptop names and temporary ids (at their hyphens first) so nothing runs into the next
column, and the sign-off block is kept with the last section and a summary line, so it never
stands alone on a page.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
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
from continuity.printing.text_fit import wrap
from continuity.reconcile.conflicts import Conflict
from continuity.reconcile.entry_tables import write_rows
from continuity.reconcile.merge_files import counted
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
        "wrong_mapping": _("Mapping to another person"),
    }.get(kind, kind)


#: A conflict's state in the report: still holding its entries back, accepted by the lead
#: (its entries go into the bundle), partly accepted (some sides released by entry id), or
#: accepted in vain (`acceptable` is False: the laptops must be sorted out first).
BLOCKING, ACCEPTED, PARTLY_ACCEPTED, NOT_ACCEPTABLE, INFORMATION = (
    "blocking",
    "accepted",
    "partly_accepted",
    "not_acceptable",
    "information",
)


def conflict_status(conflict: Conflict, accepted: list[str]) -> str:
    """Where the lead's acceptance left this conflict, by the rule the merge applies
    (`merge._Merge.decide`): by conflict id, or entry by entry for the sides it holds back."""
    if not conflict.blocking:
        return INFORMATION
    given = set(accepted)
    held = conflict.holds()
    named = conflict.id in given or bool(given & set(conflict.uuids))
    if not conflict.acceptable:
        return NOT_ACCEPTABLE if named else BLOCKING
    if conflict.id in given or (held and set(held) <= given):
        return ACCEPTED
    if given & set(held):
        return PARTLY_ACCEPTED
    return BLOCKING


def status_label(status: str) -> str:
    return {
        BLOCKING: _("blocking"),
        ACCEPTED: _("accepted after review: goes into the bundle"),
        PARTLY_ACCEPTED: _("blocking: only the entries accepted by id go into the bundle"),
        NOT_ACCEPTABLE: _("blocking: acceptance has no effect on this conflict"),
        INFORMATION: _("for information"),
    }.get(status, status)


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
    if gap.before_first and gap.last == 1:
        return _(
            "{device}: entry 1 is in none of these packages (merged before, or a package is "
            "missing)."
        ).format(device=gap.device_name)
    if gap.before_first:
        return _(
            "{device}: entries 1 to {last} are in none of these packages (merged before, "
            "or a package is missing)."
        ).format(device=gap.device_name, last=gap.last)
    if gap.first == gap.last:
        return _("{device}: entry {first} is missing (a package is missing).").format(
            device=gap.device_name, first=gap.first
        )
    return _("{device}: entries {first} to {last} are missing (a package is missing).").format(
        device=gap.device_name, first=gap.first, last=gap.last
    )


def held_back_text(n: int) -> str:
    return counted(n, _("{n} entry held back"), _("{n} entries held back"))


# -- CSV -------------------------------------------------------------------------------------
def review_csv(data: ReviewData) -> str:
    headers = [
        _("section"),
        _("item"),
        _("kind"),
        _("status"),
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
            status=status_label(BLOCKING),
            laptop=gap.device_name,
            sequence=f"{gap.first}-{gap.last}",
            detail=gap_text(gap),
        )
        for gap in data.gaps
    ]
    for conflict in data.conflicts:
        status = conflict_status(conflict, data.accepted)
        line = partial(
            _csv_row,
            _("conflict"),
            item=conflict.id,
            kind=conflict_label(conflict.kind),
            detail=conflict.detail,
        )
        for entry_uuid in conflict.uuids:
            # Partly accepted: each side says whether it goes in or stays held back.
            side_status = status
            if status == PARTLY_ACCEPTED:
                side_status = ACCEPTED if entry_uuid in data.accepted else BLOCKING
            side = data.sides.get(entry_uuid)
            if side is None:
                rows.append(line(entry=entry_uuid, status=status_label(side_status)))
                continue
            rows.append(
                line(
                    status=status_label(side_status),
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
                status=status_label(BLOCKING),
                patient=temp_id,
                detail=held_back_text(count),
            )
        )
    for temp_id in data.unknown_mapping:
        rows.append(
            _csv_row(
                _("mapping"),
                item=temp_id,
                status=status_label(INFORMATION),
                patient=temp_id,
                detail=_("in the mapping file but in no package"),
            )
        )
    return write_rows(headers, rows)


def _csv_row(
    section: str,
    *,
    status: str,
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
    return [section, item, kind, status, laptop, sequence, entry, entry_kind, patient,
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
    # Broken beforehand like the conflict table's cells: a laptop name or a temporary id
    # breaks at its hyphens, where a Paragraph would cut it anywhere or let it spill over.
    cells = [
        [
            Paragraph(
                "<br/>".join(
                    _esc(line)
                    for line in _wrapped(c, w, style.fontName, style.fontSize).split("\n")
                ),
                style,
            )
            for c, w in zip(row, widths, strict=True)
        ]
        for row in rows
    ]
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
    story.append(_table(rows, [w * width for w in (0.2, 0.24, 0.08, 0.1, 0.22, 0.16)], st["cell"]))
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
    last_section = _count_section(
        _("Held back"),
        [_("reason"), _("entries")],
        data.held_reasons,
        [0.6 * width, 0.15 * width],
        st,
    )
    took, refused, unknown = _acceptances(data)
    last_section += _id_list(_("Accepted after review: {ids}"), took, st)
    last_section += _id_list(
        _("Accepted, but without effect (the conflict cannot be accepted): {ids}"), refused, st
    )
    last_section += _id_list(
        _("Given to --accept but matching no blocking conflict: {ids}"), unknown, st
    )
    # The signature is worth only what it signs: never alone at the top of a page, it goes
    # with the last section and says which merge it is for.
    story.append(KeepTogether([*last_section, Spacer(1, 6 * mm), *_sign_off(data, width, st)]))

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
    furniture = partial(_page_furniture, merged=format_local(data.created_at))
    doc.build(story, onFirstPage=furniture, onLaterPages=furniture)
    return buffer.getvalue()


def _acceptances(data: ReviewData) -> tuple[list[str], list[str], list[str]]:
    """The ids given to `--accept`, split three ways: those that released entries, those a
    conflict refused (two people under one temporary id), those that match no blocking
    conflict (a typo, or a conflict of another merge). Listing them all as "accepted" would
    tell the lead that something was loaded when it was not."""
    took: list[str] = []
    refused: list[str] = []
    unknown: list[str] = []
    for item in data.accepted:
        matched = [c for c in data.conflicts if c.blocking and item in (c.id, *c.uuids)]
        if not matched:
            unknown.append(item)
        elif any(c.acceptable for c in matched):
            took.append(item)
        else:
            refused.append(item)
    return took, refused, unknown


def _sign_off(data: ReviewData, width: float, st: dict[str, ParagraphStyle]) -> list[object]:
    """The block the clinical lead signs, opened by one line that sums up what is signed."""
    blocking = sum(
        conflict_status(c, data.accepted) in (BLOCKING, PARTLY_ACCEPTED, NOT_ACCEPTABLE)
        for c in data.conflicts
    )
    accepted = sum(conflict_status(c, data.accepted) == ACCEPTED for c in data.conflicts)
    summary = _("Reconciliation merged on {time}: {blocking}, {accepted}, {held}.").format(
        time=format_local(data.created_at),
        blocking=counted(blocking, _("{n} blocking conflict"), _("{n} blocking conflicts")),
        accepted=counted(
            accepted,
            _("{n} conflict accepted after review"),
            _("{n} conflicts accepted after review"),
        ),
        held=held_back_text(data.totals.get("held_back", 0)),
    )
    sign = [
        [_("Reviewed by (clinical lead)"), ""],
        [_("Date"), ""],
        [_("Signature"), ""],
    ]
    return [
        Paragraph(_esc(_("Sign-off")), st["h"]),
        Paragraph(_esc(summary), st["p"]),
        Spacer(1, 2 * mm),
        _table(sign, [0.35 * width, 0.55 * width], st["p"], head=False),
    ]


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

#: A conflict's heading starts with a sign that survives a black-and-white photocopy, and is
#: shaded by status: what still blocks must not look like what the lead already accepted.
_STATUS_MARK = {BLOCKING: "⚠ ", PARTLY_ACCEPTED: "⚠ ", NOT_ACCEPTABLE: "⚠ ", ACCEPTED: "✓ "}
_INFO_SHADE = colors.Color(0.93, 0.93, 0.93)
_STATUS_SHADE = {
    BLOCKING: colors.Color(1, 0.86, 0.86),
    PARTLY_ACCEPTED: colors.Color(1, 0.86, 0.86),
    NOT_ACCEPTABLE: colors.Color(1, 0.86, 0.86),
    ACCEPTED: colors.Color(0.86, 0.95, 0.86),
}


#: Horizontal padding of every cell of the conflict table, each side (points).
_PAD = 2


def _word_pieces(word: str, font: str, size: float, room: float) -> list[str]:
    """A word too wide for its column, in pieces that fit: after its hyphens first (a laptop
    name, a temporary id such as DT-SAGESSE-3A-PC1-0001), then between letters (a UUID)."""
    if stringWidth(word, font, size) <= room:
        return [word]
    pieces: list[str] = []
    for part in re.findall(r"[^-]*-|[^-]+$", word):
        pieces.extend(wrap(part, font, size, room))
    return pieces


def _wrapped(text: object, width: float, font: str, size: float, max_lines: int = 0) -> str:
    """Text broken to a column's width, long words included, so that nothing runs into the
    next column (plain strings draw several times faster than Paragraphs, which matters with
    a thousand conflicts). Past `max_lines` (0: no limit) the cell ends with "…": the CSV
    holds the whole text."""
    room = width - 2 * _PAD
    lines: list[str] = []
    for paragraph in str(text or "").split("\n"):
        current = ""
        for word in paragraph.split():
            for n, piece in enumerate(_word_pieces(word, font, size, room)):
                candidate = current + (" " if current and n == 0 else "") + piece
                if not current or stringWidth(candidate, font, size) <= room:
                    current = candidate
                else:
                    lines.append(current)
                    current = piece
        lines.append(current)
    if max_lines and len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and stringWidth(last + " …", font, size) > room:
            last = last[:-1]
        lines[-1] = last + " …"
    return "\n".join(lines)


def _conflict_table(data: ReviewData, conflicts: list[Conflict], width: float) -> Table:
    """Every conflict: a heading line (id, kind, blocking or not, what it is about), then one
    line per side: laptop and sequence, patient, times, author, what was recorded."""
    from continuity.printing.fonts import BOLD, REGULAR

    size = 7
    # Laptop names (DEMO-MEDECINE-PC1) and temporary ids wrap at their hyphens; the times
    # take two short lines (date, then time).
    fractions = (0.16, 0.22, 0.1, 0.1, 0.13, 0.29)
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
        ("LEFTPADDING", (0, 0), (-1, -1), _PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), _PAD),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    for conflict in conflicts:
        status = conflict_status(conflict, data.accepted)
        title = (
            f"{_STATUS_MARK.get(status, '')}{conflict.id} — {conflict_label(conflict.kind)} "
            f"({status_label(status)}). {conflict.detail}"
        )
        at = len(rows)
        rows.append([_wrapped(title, width, BOLD, size), "", "", "", "", ""])
        commands += [
            ("SPAN", (0, at), (-1, at)),
            ("FONT", (0, at), (-1, at), BOLD, size, size * 1.2),
            ("BACKGROUND", (0, at), (-1, at), _STATUS_SHADE.get(status, _INFO_SHADE)),
        ]
        for entry_uuid in conflict.uuids:
            side = data.sides.get(entry_uuid)
            if side is None:
                rows.append(["", "", "", "", "", _wrapped(entry_uuid, widths[-1], REGULAR, size)])
                continue
            cells = [f"{side.device} / {side.seq}", side.patient, side.clinical, side.recorded,
                     side.author, side.summary]  # fmt: skip
            rows.append(
                [_wrapped(c, w, REGULAR, size, 8) for c, w in zip(cells, widths, strict=True)]
            )
    table = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle(commands))
    return table


def _page_furniture(canvas, doc, *, merged: str) -> None:
    """Page number, and from page 2 on a running title: a page read on its own (the sign-off
    page above all) still says which report and which merge it belongs to."""
    from continuity.printing.fonts import REGULAR

    canvas.saveState()
    canvas.setFont(REGULAR, 7)
    canvas.drawRightString(A4[0] - 15 * mm, 9 * mm, _("page {n}").format(n=doc.page))
    canvas.drawString(15 * mm, 9 * mm, "Continuity")
    if doc.page > 1:
        title = _("Reconciliation review report — merged on {time}").format(time=merged)
        canvas.drawString(15 * mm, A4[1] - 10 * mm, title)
    canvas.restoreState()
