"""Schedules: the operating-room list per room and the appointments per location, for a day.

During an outage the theatre and the consultations go on from paper: who comes when, to which
room, for what, with whom. Grouped by room or location (one heading each), by start time.
With a ward or patients chosen, only their bookings are listed (a ward prints its own
patients' trips to theatre); without, the whole site's.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from continuity.core.clock import PARIS
from continuity.printing import furniture
from continuity.printing.render import Unit
from continuity.printing.request import SheetRequest, resolve_patients
from continuity.printing.tables import Column, TableRow, TableSheet, scale
from continuity.store import census
from continuity.store.census import Appointment, Patient
from continuity.store.session import Session


class ScheduleSheet(TableSheet):
    landscape = False

    def __init__(self, kind: str) -> None:
        self.kind = kind  # "operating" | "appointment"

    def title(self, ctx: furniture.SheetContext, request: SheetRequest) -> str:
        _ = ctx.tr
        day = ctx.day.strftime("%d/%m/%Y")
        if self.kind == "operating":
            return _("Operating room list — {day}").format(day=day)
        return _("Appointments — {day}").format(day=day)

    def empty_message(self, ctx: furniture.SheetContext) -> str:
        _ = ctx.tr
        return _("Nothing booked on this day for this selection.")

    def columns(self, ctx: furniture.SheetContext) -> list[Column]:
        _ = ctx.tr
        return scale(
            [
                Column(_("Time"), 9, 8, bold=True),
                Column(_("Patient"), 24, 7.5, bold=True),
                Column(_("Ward · bed"), 12, 7),
                Column(
                    _("Procedure · reason") if self.kind == "operating" else _("Reason"),
                    25,
                    7,
                    max_lines=5,
                ),
                Column(_("Team") if self.kind == "operating" else _("With"), 19, 6.5, max_lines=5),
                Column(_("Status"), 11, 6.5),
            ],
            ctx.content_width,
        )

    def build(
        self, session: Session, request: SheetRequest, ctx: furniture.SheetContext
    ) -> list[Unit]:
        _ = ctx.tr
        start = datetime(ctx.day.year, ctx.day.month, ctx.day.day, tzinfo=PARIS)
        end = start + timedelta(days=1)
        booked = census.appointments(session, start, end, kind=self.kind)
        everyone = {
            p.id: p
            for p in census.list_patients(session, include_discharged=True, include_absent=True)
        }
        if request.ward or request.patient_ids:
            chosen = {p.id for p in resolve_patients(session, request)}
            booked = [a for a in booked if a.patient_id in chosen]
        if not booked:
            return []
        rooms: dict[str, list[Appointment]] = {}
        for appointment in booked:
            rooms.setdefault(appointment.location or _("no room given"), []).append(appointment)
        rows: list[TableRow] = []
        for room in sorted(rooms):
            rows.append(TableRow([room], heading=True))
            rows.extend(self._row(ctx, a, everyone.get(a.patient_id or "")) for a in rooms[room])
        covers = tuple(dict.fromkeys(a.patient_id for a in booked if a.patient_id))
        return [Unit(pages=self.pages(ctx, None, rows), covers=covers)]

    def _row(
        self, ctx: furniture.SheetContext, a: Appointment, patient: Patient | None
    ) -> TableRow:
        _ = ctx.tr
        when = a.start.astimezone(PARIS).strftime("%H:%M") if a.start else "—"
        if a.end:
            when += " – " + a.end.astimezone(PARIS).strftime("%H:%M")
        if patient is not None:
            who = (
                f"{patient.display_name}\n{patient.label_id} · "
                f"{furniture.format_date(patient.birth_date)}"
            )
            where = " ".join(x for x in (patient.ward, patient.room, patient.bed) if x) or "—"
        else:
            who, where = (a.patient_id or "—"), "—"
        what = "\n".join(_distinct(a.description, a.service)) or "—"
        status = status_label(a.status, ctx.tr)
        return TableRow([when, who, where, what, ", ".join(a.participants) or "—", status])


def _distinct(*texts: str | None) -> list[str]:
    """Non-empty texts, each once: sources often repeat the procedure as its service."""
    seen: set[str] = set()
    kept = []
    for text in texts:
        key = " ".join((text or "").split()).casefold()
        if key and key not in seen:
            seen.add(key)
            kept.append(text.strip())
    return kept


def status_label(status: str | None, tr) -> str:
    """FHIR Appointment.status in the sheet's language (unknown codes as they came)."""
    _ = tr
    return {
        "proposed": _("proposed"),
        "pending": _("pending"),
        "booked": _("booked"),
        "arrived": _("arrived"),
        "fulfilled": _("done"),
        "cancelled": _("CANCELLED"),
        "noshow": _("did not come"),
        "checked-in": _("arrived"),
        "waitlist": _("waiting list"),
        "entered-in-error": _("entered in error"),
    }.get(status or "", status or "—")


OR_SHEET = ScheduleSheet("operating")
APPOINTMENTS_SHEET = ScheduleSheet("appointment")
