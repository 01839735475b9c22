"""The pharmacy pick list: what to prepare for a ward (or the site) over a time window.

Totals first (per drug and unit, the forms seen listed within: doses and quantity, the line the
pharmacy technician picks from), then the same per patient so the bins can be filled bed by bed. Quantities come
from the expanded schedules of the window, never from a guess: "as needed" orders, held orders
and schedules that cannot be expanded are listed apart, uncounted, for a person to decide.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import timedelta

from continuity.core.clock import PARIS, format_local
from continuity.printing import furniture
from continuity.printing.dose_times import due_times, order_limit, schedule_config
from continuity.printing.order_words import end_notice, prescriber_texts, schedule_words
from continuity.printing.render import Unit
from continuity.printing.request import SheetRequest, resolve_patients
from continuity.printing.tables import (
    Column,
    TableRow,
    TableSheet,
    draw_bar_legend,
    number,
    scale,
)
from continuity.store import census
from continuity.store.session import Session

LEGEND_HEIGHT = 12.0


@dataclass
class Total:
    """One line the technician picks from: a drug in a unit, whatever forms the orders named.

    Sources do not always give a form: splitting "atorvastatine" into a line with the form
    and one without would have the same drug counted twice on the shelf, so the forms seen
    are listed within the line instead.
    """

    drug: str
    unit: str
    forms: set[str] = field(default_factory=set)
    doses: int = 0
    quantity: float = 0.0
    patients: set[str] = field(default_factory=set)
    high_alert: bool = False


def _folded(text: str) -> str:
    """Accent- and case-free sort key: "Énoxaparine" sorts with the E's."""
    return "".join(
        c for c in unicodedata.normalize("NFD", text.casefold()) if not unicodedata.combining(c)
    )


def _forms_seen(forms: set[str], ctx: furniture.SheetContext) -> str:
    """The forms named by the orders of a total, and whether some orders named none."""
    _ = ctx.tr
    named = sorted((f for f in forms if f), key=_folded)
    if named and "" in forms:
        named.append(_("form not given"))
    return ", ".join(named)


class PickListSheet(TableSheet):
    landscape = False

    def title(self, ctx: furniture.SheetContext, request: SheetRequest) -> str:
        _ = ctx.tr
        return _("Pharmacy pick list")

    def empty_message(self, ctx: furniture.SheetContext) -> str:
        _ = ctx.tr
        return _("No patient in this selection: nothing to print.")

    def columns(self, ctx: furniture.SheetContext) -> list[Column]:
        _ = ctx.tr
        return scale(
            [
                Column(_("Patient · bed"), 20, 7),
                Column(_("Drug"), 30, 7.5, bold=True),
                Column(_("Dose · form"), 14, 7),
                Column(_("Due times"), 20, 6.5, max_lines=6),
                Column(_("Doses"), 6, 7.5, align="right"),
                Column(_("Quantity"), 10, 7.5, bold=True, align="right"),
            ],
            ctx.content_width,
        )

    def reserve(self, ctx: furniture.SheetContext) -> float:
        return LEGEND_HEIGHT

    def draw_page(self, canvas, ctx: furniture.SheetContext, unit: Unit, plan) -> None:
        """The table, then at the foot of every page what its left bar and tag mean: a
        technician reading page 7 alone must still know a high-alert drug from the others."""
        super().draw_page(canvas, ctx, unit, plan)
        _ = ctx.tr
        draw_bar_legend(
            canvas,
            ctx,
            _("Thick bar at the left and ⚠ HIGH ALERT: high-alert drug, double check it."),
        )

    def build(
        self, session: Session, request: SheetRequest, ctx: furniture.SheetContext
    ) -> list[Unit]:
        _ = ctx.tr
        patients = resolve_patients(session, request)
        start = request.start or ctx.printed_at
        end = start + timedelta(hours=request.hours)
        orders = census.active_orders_for(session, [p.id for p in patients])
        cfg = schedule_config()
        totals: dict[tuple[str, str], Total] = {}
        detail: list[TableRow] = []
        apart: list[TableRow] = []
        for patient in patients:
            who = f"{patient.display_name}\n{patient.label_id} · " + " ".join(
                x for x in (patient.room, patient.bed) if x
            )
            for order in orders[patient.id]:
                spec = order.timing
                dose = " · ".join(x for x in (order.dose_text, order.form or "") if x)
                if order.status == "on-hold":
                    apart.append(
                        TableRow(
                            [who, order.drug, dose, _("on hold: not prepared"), "", ""],
                            marker=order.high_alert,
                        )
                    )
                    continue
                times = due_times(order, spec, start, end, cfg)
                limit = order_limit(order)
                if order.as_needed or times is None:
                    if order.as_needed:
                        why = [schedule_words(spec, ctx.lang, ctx.tr)]
                        if order.prn_reason:
                            why.append(order.prn_reason)  # worded "si douleur" already
                        why.extend(prescriber_texts(order))
                    else:
                        texts = prescriber_texts(order)
                        why = [
                            _("see instructions: {text}").format(text=texts[0])
                            if texts
                            else _("see instructions")
                        ]
                        why.extend(texts[1:])
                    apart.append(
                        TableRow(
                            [who, order.drug, dose, "\n".join(why), "", ""],
                            marker=order.high_alert,
                        )
                    )
                    continue
                if not times:
                    if limit is not None and limit <= start:
                        # Still "active" in the snapshot but past its end: never silently
                        # dropped, a person asks the prescriber.
                        apart.append(
                            TableRow(
                                [who, order.drug, dose, end_notice(order, ctx.tr), "", ""],
                                marker=order.high_alert,
                            )
                        )
                    continue
                quantity = len(times) * (order.dose_value or 0)
                key = (order.drug, order.dose_unit or "")
                total = totals.setdefault(key, Total(*key))
                total.forms.add(order.form or "")
                total.doses += len(times)
                total.quantity += quantity
                total.patients.add(patient.id)
                total.high_alert = total.high_alert or order.high_alert
                due = ", ".join(t.astimezone(PARIS).strftime("%d/%m %H:%M") for t in times)
                if limit is not None and start < limit < end:
                    # Fewer doses than the schedule gives: say why, or the count looks wrong.
                    due += "\n" + end_notice(order, ctx.tr)
                detail.append(
                    TableRow(
                        [
                            who,
                            order.drug,
                            dose,
                            due,
                            str(len(times)),
                            f"{number(quantity)} {order.dose_unit or ''}".strip()
                            if order.dose_value is not None
                            else _("see dose"),
                        ],
                        marker=order.high_alert,
                    )
                )
        rows = [TableRow([_("TOTALS PER DRUG for the window")], heading=True)]
        for key in sorted(totals, key=lambda k: (_folded(k[0]), k[1])):
            t = totals[key]
            rows.append(
                TableRow(
                    [
                        _("patients: {n}").format(n=len(t.patients)),
                        (_("⚠ HIGH ALERT") + "\n" + t.drug) if t.high_alert else t.drug,
                        _forms_seen(t.forms, ctx),
                        "",
                        str(t.doses),
                        f"{number(t.quantity)} {t.unit}".strip(),
                    ],
                    bold=True,
                    marker=t.high_alert,
                )
            )
        if not totals:
            rows.append(TableRow([_("No scheduled dose in the window."), "", "", "", "", ""]))
        if detail:
            rows.append(TableRow([_("PER PATIENT")], heading=True))
            rows.extend(detail)
        if apart:
            rows.append(
                TableRow(
                    [
                        _(
                            "NOT COUNTED: as needed, on hold or to be read in the "
                            "instructions (a person decides)"
                        )
                    ],
                    heading=True,
                )
            )
            rows.extend(apart)
        caption = _("Window: {start} to {end} ({hours} h)").format(
            start=format_local(start), end=format_local(end), hours=request.hours
        )
        return [
            Unit(pages=self.pages(ctx, None, rows, caption), covers=tuple(p.id for p in patients))
        ]


SHEET = PickListSheet()
