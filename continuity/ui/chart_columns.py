"""How the chart's tables read: orders, latest vital signs, appointments.

Each table is a tuple of `Column`s with a named constant per column, so tests and views refer
to columns by name. The words come from the core's data and the catalogue; nothing is
computed beyond formatting.
"""

from __future__ import annotations

from datetime import datetime

from continuity.core.clock import format_local
from continuity.core.i18n import _, language
from continuity.store.census import Appointment, Observation, Order
from continuity.ui.row_table import Column
from continuity.ui.style import DANGER, DOWNTIME, HIGH_ALERT, NEUTRAL, WARN, Tone


def when(moment: datetime | None) -> str:
    return format_local(moment) if moment else ""


def schedule_text(order: Order) -> str:
    """The core's description of the schedule, and the prescription's own words."""
    try:
        from continuity.core.timing import describe

        rhythm = describe(order.timing, language())
    except Exception:  # an order whose timing the core cannot read: show its text only
        rhythm = ""
    parts = [p for p in (rhythm, order.instructions) if p]
    if order.as_needed and order.prn_reason:
        reason = order.prn_reason.strip()
        # prescribers often write the reason as "si EVA > 4" already: no "si : si ..."
        starts_with_if = reason.casefold().split(" ", 1)[0] in ("si", "if")
        parts.append(reason if starts_with_if else _("if: {reason}").format(reason=reason))
    return " — ".join(dict.fromkeys(parts))


def order_status(order: Order, now: datetime) -> str:
    words = []
    if order.status == "on-hold":
        words.append(_("ON HOLD"))
    elif order.status == "active":
        words.append(_("active"))
    else:
        words.append(order.status)
    if order.expired(now):
        words.append(_("EXPIRED"))
    if order.absent_from_snapshot:
        words.append(_("absent from latest snapshot"))
    if order.manual:
        words.append(_("handwritten order ({ref})").format(ref=order.paper_ref or "?"))
    return ", ".join(words)


def order_tone(order: Order, now: datetime) -> Tone | None:
    if order.expired(now) or order.absent_from_snapshot:
        return DANGER
    if order.status == "on-hold":
        return WARN
    if order.manual:
        return DOWNTIME
    return None


def drug_text(order: Order) -> str:
    mark = "▲ " if order.high_alert else ""
    shown = order.form and order.form.lower() not in order.drug.lower()
    form = f" ({order.form})" if shown else ""
    return f"{mark}{order.drug}{form}"


ORD_DRUG, ORD_DOSE, ORD_ROUTE, ORD_SCHEDULE, ORD_START, ORD_END, ORD_PRESCRIBER, ORD_STATUS = range(
    8
)


def order_columns(now: datetime) -> tuple[Column[Order], ...]:
    return (
        Column(
            lambda: _("Drug"),
            drug_text,
            tone=lambda o: HIGH_ALERT if o.high_alert else None,
            tooltip=lambda o: (
                _("High-alert drug: a second person checks and signs") if o.high_alert else None
            ),
            stretch=True,
        ),
        Column(lambda: _("Dose"), lambda o: o.dose_text),
        Column(lambda: _("Route"), lambda o: o.route or ""),
        Column(lambda: _("Schedule"), schedule_text, stretch=True),
        Column(lambda: _("Start"), lambda o: when(o.start)),
        Column(
            lambda: _("End"),
            lambda o: when(
                min((t for t in (o.end, o.validity_end) if t is not None), default=None)
            ),
        ),
        Column(lambda: _("Prescriber"), lambda o: o.prescriber_name or ""),
        Column(
            lambda: _("Status"), lambda o: order_status(o, now), tone=lambda o: order_tone(o, now)
        ),
    )


#: Blood glucose reaches the chart in the central record's unit; the vital-signs form (and the
#: wards' habit) is g/L: the converted value is shown beside it, so 198 mg/dL is not compared
#: by eye with 1,98 g/L. mmol/L → g/L uses glucose's molar mass (180.16 g/mol).
_GLUCOSE_TO_G_PER_L = {"mg/dl": 0.01, "mmol/l": 0.18016}
_GLUCOSE_LOINC = {"2339-0", "2345-7", "41653-7", "15074-8", "14749-6", "2341-6", "14743-9"}


def _is_glucose(obs: Observation) -> bool:
    label = (obs.display or "").lower()
    return obs.code in _GLUCOSE_LOINC or "gluc" in label or "glyc" in label


def observation_value(obs: Observation) -> str:
    if obs.value is not None:
        value = f"{obs.value:g}".replace(".", ",")
        text = f"{value} {obs.unit or ''}".strip()
        factor = _GLUCOSE_TO_G_PER_L.get((obs.unit or "").strip().lower())
        if factor is not None and _is_glucose(obs):
            text += f" ({obs.value * factor:.2f} g/L)".replace(".", ",")
        return text
    return obs.value_text or ""


OBS_MEASURE, OBS_VALUE, OBS_DATE = range(3)


def observation_columns(now: datetime) -> tuple[Column[Observation], ...]:
    def age_tone(obs: Observation) -> Tone | None:
        if obs.effective is None or (now - obs.effective).days >= 2:
            return NEUTRAL
        return None

    return (
        Column(lambda: _("Measure"), lambda o: o.display, stretch=True),
        Column(lambda: _("Latest value"), observation_value),
        Column(lambda: _("Measured on"), lambda o: when(o.effective), tone=age_tone),
    )


APPT_START, APPT_END, APPT_KIND, APPT_PLACE, APPT_WHAT, APPT_WHO, APPT_STATUS = range(7)


def appointment_kind(kind: str) -> str:
    return {"operating": _("Operating room"), "appointment": _("Appointment")}.get(kind, kind)


def appointment_status(status: str | None) -> str:
    labels = {
        "booked": _("booked"),
        "arrived": _("arrived"),
        "fulfilled": _("done"),
        "cancelled": _("CANCELLED"),
        "noshow": _("did not come"),
        "proposed": _("proposed"),
        "pending": _("pending"),
        "checked-in": _("checked in"),
        "waitlist": _("waiting list"),
    }
    return labels.get(status or "", status or "")


def staff_text(participants: list) -> str:
    """Names of the staff booked; the census documents names, the importer stores records
    with a "name" (both are read, until the two agree)."""
    names = []
    for person in participants:
        name = person if isinstance(person, str) else (person or {}).get("name")
        if name:
            names.append(str(name))
    return ", ".join(names)


def appointment_columns(
    patient_names: dict[str, str] | None = None,
) -> tuple[Column[Appointment], ...]:
    """Columns for a patient's appointments, or (with names) for one day's schedules, where
    the date goes without saying and only the times show."""

    def start(a: Appointment) -> str:
        if a.start is None:
            return ""
        return format_local(a.start)[-5:] if patient_names is not None else when(a.start)

    columns: list[Column[Appointment]] = [
        Column(lambda: _("Start"), start),
        Column(lambda: _("End"), lambda a: format_local(a.end)[-5:] if a.end else ""),
        Column(lambda: _("Kind"), lambda a: appointment_kind(a.kind)),
        Column(lambda: _("Room / place"), lambda a: a.location or ""),
        Column(
            lambda: _("What"),
            lambda a: " — ".join(dict.fromkeys(x for x in (a.service, a.description) if x)),
            stretch=True,
        ),
        Column(lambda: _("Staff"), lambda a: staff_text(a.participants)),
        Column(
            lambda: _("Status"),
            lambda a: appointment_status(a.status),
            tone=lambda a: DANGER if a.status == "cancelled" else None,
        ),
    ]
    if patient_names is not None:
        columns.insert(
            4, Column(lambda: _("Patient"), lambda a: patient_names.get(a.patient_id or "", ""))
        )
    return tuple(columns)
