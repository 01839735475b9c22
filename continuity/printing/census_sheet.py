"""The ward census: who lies in which bed, with what the nurse must know at a glance.

Age, allergies (listed, "none known" or "not documented": three different facts), the number
of high-alert orders and the latest weight with its date. One stack of pages per ward, so a
site census can be handed out ward by ward.
"""

from __future__ import annotations

from dataclasses import dataclass

from continuity.core.clock import PARIS, format_local
from continuity.printing import furniture
from continuity.printing.fonts import BOLD
from continuity.printing.render import Unit
from continuity.printing.request import SheetRequest, resolve_patients
from continuity.printing.tables import (
    PAD,
    Column,
    TablePage,
    TableRow,
    TableSheet,
    draw_bar_legend,
    measure,
    number,
    paginate,
    scale,
)
from continuity.printing.text_fit import fit
from continuity.store import census
from continuity.store.census import Patient
from continuity.store.session import Session

#: The allergy column: its text is bold when allergies are listed.
ALLERGY_COLUMN = 7
#: Height of the legend line under the table on every page.
LEGEND_HEIGHT = 12.0


@dataclass
class CensusRow(TableRow):
    """A census line; `bold_allergies` when substances are listed.

    "NOT DOCUMENTED" is printed in capitals; regular-weight substances beside it looked the
    quieter fact of the two, when a listed allergy is the one that must stop a hand.
    """

    bold_allergies: bool = False


class CensusSheet(TableSheet):
    landscape = True

    def reserve(self, ctx: furniture.SheetContext) -> float:
        return LEGEND_HEIGHT

    def pages(
        self, ctx: furniture.SheetContext, block, rows: list[TableRow], caption: str = ""
    ) -> list[TablePage]:
        """As every table, with the listed allergies re-fitted in bold (the row may grow)."""
        columns = self.columns(ctx)
        measure(columns, rows)
        col = columns[ALLERGY_COLUMN]
        for row in rows:
            if isinstance(row, CensusRow) and row.bold_allergies:
                row.fitted[ALLERGY_COLUMN] = fit(
                    row.cells[ALLERGY_COLUMN],
                    BOLD,
                    col.size,
                    col.width - 2 * PAD,
                    col.max_lines,
                    min_size=5.5,
                )
                tallest = max(f.height for f in row.fitted)
                row.height = max(row.min_height, tallest + 2 * PAD + 1)
        room = self.room(ctx, block, bool(caption))
        return [TablePage(chunk, caption) for chunk in paginate(rows, room)]

    def draw_page(self, canvas, ctx: furniture.SheetContext, unit: Unit, plan: TablePage) -> None:
        """The table, then the legend of its thick left bar at the foot of every page."""
        super().draw_page(canvas, ctx, unit, plan)
        _ = ctx.tr
        draw_bar_legend(
            canvas,
            ctx,
            _("Thick bar at the left: the patient has known allergies (listed in bold)."),
        )

    def title(self, ctx: furniture.SheetContext, request: SheetRequest) -> str:
        _ = ctx.tr
        return _("Ward census")

    def empty_message(self, ctx: furniture.SheetContext) -> str:
        _ = ctx.tr
        return _("No patient in this selection: nothing to print.")

    def columns(self, ctx: furniture.SheetContext) -> list[Column]:
        _ = ctx.tr
        return scale(
            [
                Column(_("Room · bed"), 7, 8, bold=True),
                Column(_("Patient"), 17, 8, bold=True),
                Column(_("Sex"), 4, 7.5),
                Column(_("Age"), 4, 7.5, align="right"),
                Column(_("Born"), 8, 7.5),
                Column(_("IPP / id"), 10, 7.5),
                Column(_("Admitted"), 9, 7),
                Column(_("Allergies"), 22, 7, max_lines=5),
                Column(_("High-alert orders"), 7, 7.5),
                Column(_("Latest weight"), 10, 7),
            ],
            ctx.content_width,
        )

    def build(
        self, session: Session, request: SheetRequest, ctx: furniture.SheetContext
    ) -> list[Unit]:
        _ = ctx.tr
        patients = resolve_patients(session, request)
        wards: dict[str, list[Patient]] = {}
        for patient in patients:
            wards.setdefault(patient.ward or _("no ward"), []).append(patient)
        units = []
        for ward, people in wards.items():
            rows = [self._row(ctx, session, p) for p in people]
            caption = _("{ward}: {n} patients on {date}").format(
                ward=ward, n=len(people), date=format_local(ctx.printed_at)
            )
            units.append(
                Unit(
                    pages=self.pages(ctx, None, rows, caption),
                    subtitle=ward,
                    covers=tuple(p.id for p in people),
                )
            )
        return units

    def _row(self, ctx: furniture.SheetContext, session: Session, patient: Patient) -> TableRow:
        _ = ctx.tr
        found = census.allergies(session, patient.id)
        if found:
            allergy = _("YES: {list}").format(list=", ".join(a.substance for a in found))
        elif patient.allergy_status in ("none_known", "recorded"):
            allergy = _("No known allergy")
        else:
            allergy = _("NOT DOCUMENTED")
        weight = census.latest_weight(session, patient.id)
        weight_text = "—"
        if weight is not None and weight.value is not None:
            weight_text = f"{number(weight.value)} {weight.unit or 'kg'}"
            if weight.effective:
                weight_text += f"\n{weight.effective.astimezone(PARIS):%d/%m/%Y}"
        age = patient.age(ctx.day)
        name = patient.display_name
        if patient.temporary:
            name += "\n" + _("DOWNTIME ADMISSION (temporary id)")
        return CensusRow(
            [
                " ".join(x for x in (patient.room, patient.bed) if x) or "—",
                name,
                furniture.sex_label(patient.sex, ctx.tr),
                str(age) if age is not None else "—",
                furniture.format_date(patient.birth_date),
                patient.label_id,
                format_local(patient.admitted_at) if patient.admitted_at else "—",
                allergy,
                _("YES ({n})").format(n=patient.high_alert_orders)
                if patient.high_alert_orders
                else "—",
                weight_text,
            ],
            marker=bool(found),
            bold_allergies=bool(found),
        )


SHEET = CensusSheet()
