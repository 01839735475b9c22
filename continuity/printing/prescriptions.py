"""The prescription sheet for pharmacists: every active order of a patient, in full detail.

Where the MAR is for giving, this sheet is for checking: dose, route, schedule (in words and
as the day's clock times), "as needed" conditions, instructions, prescriber with RPPS, when
it was written and until when it is valid. It ends with a box for the pharmaceutical review,
so a checked sheet can be told from an unchecked one.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from continuity.core.clock import PARIS, format_local
from continuity.printing import furniture
from continuity.printing.dose_times import due_times, order_limit, schedule_config
from continuity.printing.fonts import BOLD, REGULAR
from continuity.printing.order_words import (
    as_needed_words,
    prescriber_texts,
    schedule_words,
)
from continuity.printing.render import Unit
from continuity.printing.request import SheetRequest, resolve_patients
from continuity.printing.tables import Column, TableRow, TableSheet, scale
from continuity.store import census
from continuity.store.census import Order
from continuity.store.session import Session

REVIEW_BOX = 40.0
#: An order whose dispensing validity ends this soon is flagged "to be renewed" on the
#: prescription sheet: the longest MAR and the usual pick list cover 72 hours, and both would
#: run short on it.
RENEWAL_NOTICE = timedelta(hours=72)


class PrescriptionSheet(TableSheet):
    landscape = False

    def title(self, ctx: furniture.SheetContext, request: SheetRequest) -> str:
        _ = ctx.tr
        return _("Prescription sheet (pharmacy)")

    def empty_message(self, ctx: furniture.SheetContext) -> str:
        _ = ctx.tr
        return _("No patient in this selection: nothing to print.")

    def columns(self, ctx: furniture.SheetContext) -> list[Column]:
        _ = ctx.tr
        return scale(
            [
                Column(_("Drug"), 24, 7.5, bold=True, max_lines=6),
                Column(_("Dose · route"), 12, 7),
                Column(_("Schedule · times today"), 17, 7),
                Column(_("As needed · instructions"), 18, 6.5, max_lines=6),
                Column(_("Prescriber · RPPS"), 13, 6.5),
                Column(_("Written · valid"), 16, 6.5, max_lines=6),
            ],
            ctx.content_width,
        )

    def reserve(self, ctx: furniture.SheetContext) -> float:
        return REVIEW_BOX + 6

    def build(
        self, session: Session, request: SheetRequest, ctx: furniture.SheetContext
    ) -> list[Unit]:
        patients = resolve_patients(session, request)
        orders = census.active_orders_for(session, [p.id for p in patients])
        cfg = schedule_config()
        day_start = datetime(ctx.day.year, ctx.day.month, ctx.day.day, tzinfo=PARIS)
        day_end = day_start + timedelta(days=1)
        units = []
        for patient in patients:
            block = furniture.patient_block(
                ctx,
                patient,
                census.allergies(session, patient.id),
                census.latest_weight(session, patient.id),
            )
            _ = ctx.tr
            rows = [self._row(ctx, o, day_start, day_end, cfg) for o in orders[patient.id]]
            if not rows:
                rows = [TableRow([_("No active order."), "", "", "", "", ""])]
            count = len(orders[patient.id])
            caption = (
                _("1 active order on {date}") if count == 1 else _("{n} active orders on {date}")
            ).format(n=count, date=ctx.day.strftime("%d/%m/%Y"))
            units.append(
                Unit(
                    pages=self.pages(ctx, block, rows, caption),
                    patient=patient,
                    block=block,
                    covers=(patient.id,),
                )
            )
        return units

    def _row(
        self, ctx: furniture.SheetContext, order: Order, day_start: datetime, day_end: datetime, cfg
    ) -> TableRow:
        _ = ctx.tr
        spec = order.timing
        drug = order.drug
        tags = []
        if order.high_alert:
            tags.append(_("⚠ HIGH ALERT"))
        if order.status == "on-hold":
            tags.append(_("ON HOLD"))
        if order.manual:
            tags.append(_("HANDWRITTEN ORDER"))
        if order.absent_from_snapshot:
            tags.append(_("not in latest snapshot"))
        if tags:
            drug = " · ".join(tags) + "\n" + drug
        if order.drug_code:
            drug += f"\n{order.drug_code}"
        dose = " · ".join(x for x in (order.dose_text, order.route or "", order.form or "") if x)
        times = due_times(order, spec, day_start, day_end, cfg)
        if not spec.expandable:
            schedule = _("see instructions")
        else:
            schedule = schedule_words(spec, ctx.lang, ctx.tr)
            if times and spec.source != "events":
                schedule += "\n" + ", ".join(t.astimezone(PARIS).strftime("%H:%M") for t in times)
        prn = []
        if order.as_needed:
            prn.append(as_needed_words(order.prn_reason, ctx.tr))
        prn.extend(prescriber_texts(order))
        prescriber = order.prescriber_name or "—"
        if order.prescriber_rpps:
            prescriber += "\n" + _("RPPS {rpps}").format(rpps=order.prescriber_rpps)
        if order.paper_ref:
            prescriber += "\n" + _("paper ref. {ref}").format(ref=order.paper_ref)
        validity = []
        if order.authored_on:
            validity.append(_("written {date}").format(date=format_local(order.authored_on)))
        if order.start:
            validity.append(_("from {date}").format(date=format_local(order.start)))
        limit = order_limit(order)
        validity.append(
            _("until {date}").format(date=format_local(limit)) if limit else _("no end date")
        )
        if limit is not None and limit <= ctx.printed_at:
            validity.append(_("EXPIRED"))
        elif (
            limit is not None
            and limit == order.validity_end
            and limit <= ctx.printed_at + RENEWAL_NOTICE
        ):
            validity.append(_("to be renewed"))
        return TableRow(
            [drug, dose, schedule, "\n".join(prn), prescriber, "\n".join(validity)],
            marker=order.high_alert,
        )

    def after_table(self, canvas, ctx: furniture.SheetContext, unit: Unit, y: float) -> None:
        _ = ctx.tr
        top = y - 6
        canvas.setLineWidth(0.8)
        canvas.rect(ctx.left, top - REVIEW_BOX, ctx.content_width, REVIEW_BOX)
        canvas.setFont(BOLD, 8)
        canvas.drawString(ctx.left + 4, top - 11, _("Pharmaceutical review"))
        canvas.setFont(REGULAR, 7.5)
        canvas.drawString(
            ctx.left + 4,
            top - 26,
            _(
                "Checked by: ______________________   on: ___/___/______  at: ___h___"
                "     Signature:"
            ),
        )


SHEET = PrescriptionSheet()
