"""Paper that still has to be entered: sheets printed during the outage, returned, transcribed.

Every printed sheet is in `printed_sheets` (the printing layer registers it with its id, kind,
ward and patients). Here IT marks a sheet as returned, then as transcribed, by typing its id or
scanning a page's QR code (`CONTINUITY|<sheet id>|<patient>|<page>`, or the bare sheet id on
label stock, whose margin has room for no more); each mark is a new row of
`sheet_returns` (never edited) and an audit row. What is printed but not yet transcribed forms
the back-entry worklist, most important first:

1. allergies and medication changes (hand-written orders on MARs and prescription sheets,
   downtime admission forms, which carry allergies and must exist before anything else about
   the patient);
2. doses, infusions and lines (MARs);
3. vital signs and notes (charts and note sheets).

Sheets that hold nothing to transcribe (census, pick lists, schedules, labels) are listed with
the others but never enter the worklist. "During the outage" means printed since the snapshot's
"data as of" time, unless the caller says from when.

A downtime admission form carries the temporary id reserved for it; when a nurse already
admitted that patient on the laptop under that id, typing the form in again would create a
second admission. Such an item stays on the list, marked "already entered on the laptop", and
is not counted in what remains. Patients are shown as staff know them (name and IPP, or the
temporary id), never by the snapshot's internal ids.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime

from continuity.core.clock import from_iso, to_utc_iso
from continuity.core.errors import BadInput
from continuity.core.i18n import _
from continuity.core.roles import Permission
from continuity.store import census
from continuity.store.session import Session

RETURNED, TRANSCRIBED = "returned", "transcribed"

ALLERGIES_AND_CHANGES, DOSES, VITALS_AND_NOTES = 1, 2, 3

#: What each kind of sheet brings back to transcribe: (priority, what), in worklist order.
WORK_BY_KIND: dict[str, list[tuple[int, str]]] = {
    "admission-form": [(ALLERGIES_AND_CHANGES, "downtime admissions and allergies")],
    "mar": [
        (ALLERGIES_AND_CHANGES, "allergies and medication changes written on the MAR"),
        (DOSES, "doses, infusions and lines"),
    ],
    "prescriptions": [(ALLERGIES_AND_CHANGES, "medication changes")],
    "vitals-chart": [(VITALS_AND_NOTES, "vital signs")],
    "nursing-notes": [(VITALS_AND_NOTES, "notes")],
}


def N_(message: str) -> str:
    return message


#: The heading of each priority group, as IT reads it above the numbered items.
PRIORITY_LABELS = {
    ALLERGIES_AND_CHANGES: N_("allergies and medication changes"),
    DOSES: N_("doses, infusions and lines"),
    VITALS_AND_NOTES: N_("vital signs and notes"),
}

WORK_LABELS = {
    "downtime admissions and allergies": N_("downtime admissions and allergies"),
    "allergies and medication changes written on the MAR": N_(
        "allergies and medication changes written on the MAR"
    ),
    "doses, infusions and lines": N_("doses, infusions and lines"),
    "medication changes": N_("medication changes"),
    "vital signs": N_("vital signs"),
    "notes": N_("notes"),
}


@dataclass(frozen=True)
class SheetStatus:
    sheet_id: str
    kind: str
    printed_at: datetime
    printed_by: str
    ward: str | None
    patients: list[str]
    pages: int
    returned_at: datetime | None
    transcribed_at: datetime | None
    #: The patients as staff know them (name and IPP, or temporary id), in `patients` order.
    who: tuple[str, ...] = ()

    @property
    def returned(self) -> bool:
        return self.returned_at is not None

    @property
    def transcribed(self) -> bool:
        return self.transcribed_at is not None

    @property
    def to_transcribe(self) -> bool:
        return self.kind in WORK_BY_KIND and not self.transcribed


@dataclass(frozen=True)
class WorkItem:
    priority: int
    what: str  # translated
    sheet_id: str
    kind: str
    ward: str | None
    patient_id: str | None
    patient: str  # name and IPP, or "" for a sheet about no one yet (blank form)
    printed_at: datetime
    returned: bool
    #: An admission form whose patient was already admitted on the laptop: not to type in.
    already_entered: bool = False


_SELECT = (
    "SELECT s.sheet_id, s.kind, s.printed_at, s.printed_by, s.ward, s.patients, s.pages,"
    " (SELECT min(r.returned_at) FROM sheet_returns r WHERE r.sheet_id = s.sheet_id),"
    " (SELECT r.returned_at FROM sheet_returns r WHERE r.sheet_id = s.sheet_id"
    "  AND r.status = 'transcribed')"
    " FROM printed_sheets s"
)


def _status(row: tuple) -> SheetStatus:
    return SheetStatus(
        sheet_id=row[0],
        kind=row[1],
        printed_at=from_iso(row[2]),
        printed_by=row[3],
        ward=row[4],
        patients=json.loads(row[5] or "[]"),
        pages=int(row[6]),
        returned_at=from_iso(row[7]) if row[7] else None,
        transcribed_at=from_iso(row[8]) if row[8] else None,
    )


def _outage_start(session: Session, since: datetime | None) -> datetime | None:
    if since is not None:
        return since
    info = census.snapshot_info(session)
    return info.as_of if info else None


def _people(session: Session) -> dict[str, census.Patient]:
    return {
        p.id: p for p in census.list_patients(session, include_discharged=True, include_absent=True)
    }


def patient_label(patient: census.Patient) -> str:
    """How IT and the ward name a patient on paper: name, then IPP (or temporary id)."""
    return f"{patient.display_name} ({patient.label_id})"


def _labels(session: Session, people: dict[str, census.Patient], ids: set[str]) -> dict[str, str]:
    """Labels for patient ids; a patient the census leaves out (deceased since the snapshot)
    is read from the snapshot table, and an id nobody holds (a reserved temporary id whose
    form was never typed in) stays as it is: that is what the paper shows."""
    labels = {pid: patient_label(people[pid]) for pid in ids if pid in people}
    others = sorted(ids - set(labels))
    if others:
        marks = ",".join("?" * len(others))
        for pid, ipp, family, given in session.conn.execute(
            f"SELECT source_id, ipp, family, given FROM patients WHERE source_id IN ({marks})",
            others,
        ):
            name = f"{(family or '').upper()} {given or ''}".strip()
            labels[pid] = f"{name} ({ipp or pid})"
    return {pid: labels.get(pid, pid) for pid in ids}


def outage_sheets(session: Session, *, since: datetime | None = None) -> list[SheetStatus]:
    """Sheets printed during the outage, by ward, then first patient, then time printed."""
    session.require(Permission.EXPORT_ENTRIES)
    start = _outage_start(session, since)
    sql, params = _SELECT, []
    if start is not None:
        sql += " WHERE s.printed_at >= ?"
        params.append(to_utc_iso(start))
    found = [_status(r) for r in session.conn.execute(sql, params)]
    labels = _labels(session, _people(session), {p for s in found for p in s.patients})
    found = [replace(s, who=tuple(labels[p] for p in s.patients)) for s in found]
    found.sort(key=lambda s: (s.ward or "~", s.patients[:1], s.printed_at, s.sheet_id))
    return found


def admitted_on_the_laptop(session: Session) -> set[str]:
    """Temporary ids with an admission entry here (a correction keeps the same id)."""
    return {
        r[0]
        for r in session.conn.execute(
            "SELECT DISTINCT patient_id FROM entries WHERE kind = 'admission'"
        )
    }


def sheet_id_from_scan(text: str) -> str:
    """A typed sheet id, or the text a scanner reads from a page's QR code."""
    value = (text or "").strip()
    if value.upper().startswith("CONTINUITY|"):
        parts = value.split("|")
        value = parts[1] if len(parts) > 1 else ""
    return value.strip().upper()


def get_sheet_status(session: Session, sheet_id: str) -> SheetStatus:
    session.require(Permission.EXPORT_ENTRIES)
    wanted = sheet_id_from_scan(sheet_id)
    row = session.conn.execute(_SELECT + " WHERE s.sheet_id = ?", (wanted,)).fetchone()
    if row is None:
        raise BadInput(_("No printed sheet has the id {id}.").format(id=wanted or sheet_id))
    return _status(row)


def _mark(session: Session, sheet_id: str, status: str) -> SheetStatus:
    sheet = get_sheet_status(session, sheet_id)
    wanted = [RETURNED] if status == RETURNED else [RETURNED, TRANSCRIBED]
    done = {RETURNED: sheet.returned, TRANSCRIBED: sheet.transcribed}
    new = [s for s in wanted if not done[s]]
    if new:
        with session.transaction() as conn:
            for state in new:
                conn.execute(
                    "INSERT INTO sheet_returns (sheet_id, returned_at, returned_by, status)"
                    " VALUES (?, ?, ?, ?)",
                    (sheet.sheet_id, to_utc_iso(session.now()), session.user.login, state),
                )
                session.audit("sheet_" + state, {"sheet_id": sheet.sheet_id, "kind": sheet.kind})
    return get_sheet_status(session, sheet.sheet_id)


def mark_returned(session: Session, sheet_id: str) -> SheetStatus:
    """The paper sheet is back from the ward (marking it again changes nothing)."""
    return _mark(session, sheet_id, RETURNED)


def mark_transcribed(session: Session, sheet_id: str) -> SheetStatus:
    """Everything written on the sheet was entered (a transcribed sheet is also returned)."""
    return _mark(session, sheet_id, TRANSCRIBED)


def back_entry_worklist(session: Session, *, since: datetime | None = None) -> list[WorkItem]:
    """What is left to transcribe, most important first, then by ward, patient and time."""
    sheets = [s for s in outage_sheets(session, since=since) if s.to_transcribe]
    people = _people(session)
    admitted = admitted_on_the_laptop(session)
    items: list[WorkItem] = []
    for sheet in sheets:
        labels = dict(zip(sheet.patients, sheet.who, strict=True))
        for priority, what in WORK_BY_KIND[sheet.kind]:
            for patient_id in sheet.patients or [None]:
                patient = people.get(patient_id or "")
                items.append(
                    WorkItem(
                        priority=priority,
                        what=_(WORK_LABELS[what]),
                        sheet_id=sheet.sheet_id,
                        kind=sheet.kind,
                        ward=sheet.ward or (patient.ward if patient else None),
                        patient_id=patient_id,
                        patient=labels.get(patient_id or "", ""),
                        printed_at=sheet.printed_at,
                        returned=sheet.returned,
                        already_entered=sheet.kind == "admission-form" and patient_id in admitted,
                    )
                )
    admissions_first = {"admission-form": 0}
    items.sort(
        key=lambda i: (
            i.priority,
            admissions_first.get(i.kind, 1),
            i.ward or "~",
            i.patient,
            i.printed_at,
            i.sheet_id,
        )
    )
    return items


def worklist_lines(work: list[WorkItem]) -> list[str]:
    """The items under one heading per priority, those still to type in numbered 1, 2, 3...
    in the order to do them; an item already entered on the laptop is listed unnumbered, so
    nobody types it in twice and the numbers still count what remains."""
    lines: list[str] = []
    number, priority = 0, None
    for w in work:
        if w.priority != priority:
            priority = w.priority
            lines.append(
                _("Priority {n}: {what}").format(n=priority, what=_(PRIORITY_LABELS[priority]))
            )
        if w.already_entered:
            mark, state = "   -", _("already entered on the laptop")
        else:
            number += 1
            mark = f"{number:>3}."
            state = _("returned") if w.returned else _("not returned yet")
        lines.append(f"  {mark} {w.what}\t{w.sheet_id}\t{w.ward or ''}\t{w.patient}\t{state}")
    return lines
