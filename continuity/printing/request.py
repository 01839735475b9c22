"""What a user asks to print, and what comes back: the printing layer's public vocabulary.

A `SheetRequest` names the sheet kind and its scope (a ward, some patients, or the whole site),
a day or time window, and the few options a sheet has. `render_sheet` turns it into a
`RenderedSheet` (PDF bytes in memory: the caller decides whether they reach a printer, a
preview or a file the user chose). Nothing here touches the disk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from continuity.core.errors import BadInput
from continuity.core.i18n import _
from continuity.core.roles import Permission
from continuity.core.text import fold
from continuity.store import census
from continuity.store.census import Patient
from continuity.store.session import Session


class SheetKind(StrEnum):
    MAR = "mar"
    PRESCRIPTIONS = "prescriptions"
    PICK_LIST = "pick-list"
    CENSUS = "census"
    OR_LIST = "or-list"
    APPOINTMENTS = "appointments"
    LABELS = "labels"
    VITALS_CHART = "vitals-chart"
    NURSING_NOTES = "nursing-notes"
    ADMISSION_FORM = "admission-form"


#: Who may print what (issue: nurses print MARs, census, schedules and forms; pharmacists and
#: IT every sheet). The roles' permissions themselves live in `continuity.core.roles`.
PERMISSION: dict[SheetKind, Permission] = {
    SheetKind.MAR: Permission.PRINT_WARD_SHEETS,
    SheetKind.PRESCRIPTIONS: Permission.PRINT_PHARMACY_SHEETS,
    SheetKind.PICK_LIST: Permission.PRINT_PHARMACY_SHEETS,
    SheetKind.CENSUS: Permission.PRINT_WARD_SHEETS,
    SheetKind.OR_LIST: Permission.PRINT_WARD_SHEETS,
    SheetKind.APPOINTMENTS: Permission.PRINT_WARD_SHEETS,
    SheetKind.LABELS: Permission.PRINT_WARD_SHEETS,
    SheetKind.VITALS_CHART: Permission.PRINT_WARD_SHEETS,
    SheetKind.NURSING_NOTES: Permission.PRINT_WARD_SHEETS,
    SheetKind.ADMISSION_FORM: Permission.PRINT_WARD_SHEETS,
}


@dataclass(frozen=True)
class LabelGrid:
    """A sheet of A4 label stock: columns x rows and the stock's margins and pitch (mm).

    The default is the common 3 x 8 stock of 63.5 x 33.9 mm labels (e.g. Avery L7159);
    any other grid is spread evenly over the same margins.
    """

    columns: int = 3
    rows: int = 8
    top_mm: float = 12.9
    side_mm: float = 7.2
    gap_mm: float = 2.5  # between columns

    def __post_init__(self) -> None:
        if not (1 <= self.columns <= 6 and 1 <= self.rows <= 16):
            raise BadInput(_("A label grid has 1 to 6 columns and 1 to 16 rows."))


@dataclass(frozen=True)
class SheetRequest:
    """One print order. Scope: `patient_ids` (IPP, source id or temporary id), else `ward`,
    else the whole site. `day` defaults to today (Paris time), `start` to now."""

    kind: SheetKind
    ward: str | None = None
    patient_ids: tuple[str, ...] = ()
    day: date | None = None
    hours: int = 24  # MAR: 24 or 72 (three days, one page each); pick list: window length
    start: datetime | None = None  # pick list window start
    labels: LabelGrid = field(default_factory=LabelGrid)
    labels_per_patient: int | None = None  # None: a full sheet each
    copies: int = 1  # blank forms: how many (admission forms reserve that many ids)
    drill: bool = False  # prints the "EXERCICE" band: a training sheet, not for care

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", SheetKind(self.kind))
        object.__setattr__(self, "patient_ids", tuple(self.patient_ids))
        if self.kind is SheetKind.MAR and self.hours not in (24, 72):
            raise BadInput(_("A medication record covers 24 or 72 hours."))
        if not 1 <= self.hours <= 168:
            raise BadInput(_("A time window is 1 to 168 hours long."))
        if not 1 <= self.copies <= 100:
            raise BadInput(_("Print 1 to 100 copies of a form."))
        if self.labels_per_patient is not None and not 1 <= self.labels_per_patient <= 96:
            raise BadInput(_("Print 1 to 96 labels per patient."))


@dataclass(frozen=True)
class RenderedSheet:
    """A finished sheet: the PDF and what was registered and audited about it."""

    pdf: bytes
    sheet_id: str
    kind: SheetKind
    pages: int
    patients: tuple[str, ...]  # patient source ids (or temporary ids), in print order


@dataclass(frozen=True)
class SheetChunk:
    """Part of a batch as a complete PDF of its own, ready for the printer while the rest is
    drawn. Page numbers and the sheet id are those of the whole batch."""

    pdf: bytes
    sheet_id: str
    index: int
    pages: int
    patients: tuple[str, ...]
    last: bool


@dataclass(frozen=True)
class PageEvent:
    """Progress of a rendering, for a progress bar; raising from the callback cancels."""

    done: int
    total: int
    patient_id: str | None


def resolve_patients(session: Session, request: SheetRequest) -> list[Patient]:
    """The patients a request covers, in ward/room/bed order (the order of the paper stack).

    Named patients keep the order given; an unknown id is refused by name rather than
    silently skipped (a missing MAR is noticed too late). An unknown ward is refused too; a
    known ward with nobody in it gives an empty list.
    """
    if request.patient_ids:
        found: list[Patient] = []
        for wanted in request.patient_ids:
            patient = census.get_patient(session, wanted)
            if patient is None:
                raise BadInput(_("No patient with the id {id} in this cache.").format(id=wanted))
            if all(p.id != patient.id for p in found):
                found.append(patient)
        return found
    if request.ward is not None:
        ward = canonical_ward(session, request.ward)
        patients = census.list_patients(session, ward=ward)
        if not patients and not ward_exists(session, ward):
            known = ", ".join(census.wards(session)) or "-"
            raise BadInput(
                _("No ward named {ward}; known wards: {known}.").format(
                    ward=request.ward, known=known
                )
            )
        return patients
    return census.list_patients(session)


def canonical_ward(session: Session, ward: str) -> str:
    """The ward's name as the snapshot spells it, from what a user typed: "medecine" or
    "MÉDECINE" is Médecine (a terminal keyboard seldom has the accent at hand). A name that
    matches no ward is given back unchanged, to be refused by name."""
    wanted = fold(ward)
    names = {
        row[0]
        for row in session.conn.execute("SELECT name FROM locations WHERE kind = 'wa'")
        if row[0]
    }
    names.update(census.wards(session))
    if ward in names:
        return ward
    matches = sorted(name for name in names if fold(name) == wanted)
    return matches[0] if matches else ward


def ward_exists(session: Session, ward: str) -> bool:
    """A ward is known from the snapshot's locations even when nobody lies there today."""
    row = session.conn.execute(
        "SELECT 1 FROM locations WHERE name = ? AND kind = 'wa' LIMIT 1", (ward,)
    ).fetchone()
    return row is not None or ward in census.wards(session)
