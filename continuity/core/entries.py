"""What staff record during an outage, and what makes each record valid.

Pure and Qt-free. Each `*_payload` function takes what a person typed and returns the JSON
payload stored in `entries.payload`, or raises `BadInput` with one sentence. A payload's input
keys are the function's own keyword names, so a correction re-validates the earlier payload,
merged with the changed fields, through the very same function: one rule per fact, whether it
is typed the first time or corrected later (`input_fields`).

The payloads of admissions, transfers, discharges, manual orders and allergies follow the
contract that `continuity.store.census` reads (see its module docstring).
"""

from __future__ import annotations

import inspect
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Protocol

from continuity.core.clock import PARIS, from_iso, to_utc_iso
from continuity.core.errors import BadInput
from continuity.core.i18n import _


def N_(message: str) -> str:
    """Mark a message for translation where it is defined; `_()` translates it where shown."""
    return message


class Kind(StrEnum):
    DOSE = "dose"
    VITALS = "vitals"
    NOTE = "note"
    ADMISSION = "admission"
    TRANSFER = "transfer"
    DISCHARGE = "discharge"
    MANUAL_ORDER = "manual_order"
    INFUSION = "infusion"
    LINE = "line"
    ALLERGY = "allergy"
    RETRACTION = "retraction"


KIND_LABELS = {
    Kind.DOSE: N_("dose"),
    Kind.VITALS: N_("vital signs"),
    Kind.NOTE: N_("note"),
    Kind.ADMISSION: N_("admission"),
    Kind.TRANSFER: N_("transfer"),
    Kind.DISCHARGE: N_("discharge"),
    Kind.MANUAL_ORDER: N_("manual order"),
    Kind.INFUSION: N_("infusion"),
    Kind.LINE: N_("line or device"),
    Kind.ALLERGY: N_("allergy"),
    Kind.RETRACTION: N_("retraction"),
}


class OrderLike(Protocol):
    """What a dose needs to know of its order (`continuity.store.census.Order` fits)."""

    drug: str
    dose_value: float | None
    dose_unit: str | None
    route: str | None
    as_needed: bool
    prn_reason: str | None


# -- small readers -------------------------------------------------------------------------
def _text(value: Any, *, limit: int = 200) -> str | None:
    """Stripped text or None; a text longer than a paper form's box is a typing accident."""
    if value is None:
        return None
    text = str(value).strip()
    if len(text) > limit:
        raise BadInput(
            _("A text field is too long ({limit} characters at most).").format(limit=limit)
        )
    return text or None


def _required(value: Any, message: str, *, limit: int = 200) -> str:
    text = _text(value, limit=limit)
    if text is None:
        raise BadInput(message)
    return text


def number(value: Any, label: str) -> float | None:
    """A number typed the French way ("37,5") or the English way; None when left empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        result = float(value.strip().replace(",", ".")) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        result = math.nan
    if not math.isfinite(result):
        raise BadInput(_("{label}: '{value}' is not a number.").format(label=_(label), value=value))
    return result


def _positive(value: Any, label: str, high: float) -> float | None:
    result = number(value, label)
    if result is not None and not 0 < result <= high:
        raise BadInput(
            _("{label} must be more than 0 and at most {high:g}.").format(
                label=_cap(_(label)), high=high
            )
        )
    return result


#: Years a clinical time may fall in: outside, it is a typing error (and 0001 or 9999 with
#: an offset overflows Python's datetime when converted to UTC).
YEARS = (1900, 2100)


def moment(value: datetime | str | None) -> datetime | None:
    """An aware datetime from a datetime or ISO 8601 text (no offset = Paris time), within
    `YEARS`."""
    if value is None:
        return None
    if isinstance(value, datetime):
        found = value if value.tzinfo is not None else value.replace(tzinfo=PARIS)
    else:
        try:
            found = from_iso(str(value).strip())
        except ValueError:
            raise BadInput(
                _("'{value}' is not a date and time (ISO 8601, e.g. 2026-11-28T14:30).").format(
                    value=value
                )
            ) from None
    if not YEARS[0] <= found.year <= YEARS[1]:
        raise BadInput(
            _("The date {value} is not between {low} and {high}: check the year.").format(
                value=value, low=YEARS[0], high=YEARS[1]
            )
        )
    return found


def _iso(value: datetime | str | None) -> str | None:
    found = moment(value)
    return to_utc_iso(found) if found is not None else None


def _cap(text: str) -> str:
    """First letter in capitals, the rest untouched ("SpO2", not "Spo2")."""
    return text[:1].upper() + text[1:]


def _choice(value: Any, allowed: Sequence[str], message: str) -> str:
    text = str(value).strip().lower().replace("-", "_") if value is not None else ""
    if text not in allowed:
        raise BadInput(message)
    return text


# -- medication administration -------------------------------------------------------------
GIVEN, NOT_GIVEN = "given", "not_given"

#: Why a dose was not given (the codes the CLI takes after --reason).
NOT_GIVEN_REASONS = {
    "refused": N_("patient refused"),
    "held": N_("held by the prescriber"),
    "absent": N_("patient absent"),
    "unavailable": N_("drug unavailable"),
    "nil_by_mouth": N_("nil by mouth"),
    "other": N_("other reason"),
}


def dose_payload(
    *,
    order: OrderLike,
    status: str,
    scheduled: datetime | str | None = None,
    reason: str | None = None,
    reason_text: str | None = None,
    dose_value: float | str | None = None,
    dose_unit: str | None = None,
    dose_change_reason: str | None = None,
    route: str | None = None,
    site: str | None = None,
    prn_reason: str | None = None,
    comment: str | None = None,
) -> dict[str, Any]:
    """A dose given or not given, against a scheduled time (or an as-needed order)."""
    status = _choice(status, (GIVEN, NOT_GIVEN), _("Say whether the dose was given or not given."))
    payload: dict[str, Any] = {
        "status": status,
        "drug": order.drug,
        "scheduled": _scheduled(order, scheduled),
        "comment": _text(comment, limit=2000),
    }
    if status == NOT_GIVEN:
        payload.update(_not_given(reason, reason_text))
        return payload
    payload.update(_given_dose(order, dose_value, dose_unit, dose_change_reason))
    payload["route"] = _text(route) or order.route
    payload["site"] = _text(site)
    if order.as_needed:
        payload["prn_reason"] = _required(
            _text(prn_reason) or order.prn_reason,
            _("Say why the as-needed dose was given."),
        )
    return payload


def _scheduled(order: OrderLike, scheduled: datetime | str | None) -> str | None:
    if order.as_needed:
        if scheduled is not None:
            raise BadInput(_("An as-needed order has no scheduled time: leave it out."))
        return None
    if scheduled is None:
        raise BadInput(_("Give the scheduled time of the dose."))
    return _iso(scheduled)


def _not_given(reason: str | None, reason_text: str | None) -> dict[str, Any]:
    codes = ", ".join(NOT_GIVEN_REASONS)
    code = _choice(
        reason,
        tuple(NOT_GIVEN_REASONS),
        _("Give why the dose was not given: one of {codes}.").format(codes=codes),
    )
    text = _text(reason_text, limit=500)
    if code == "other" and text is None:
        raise BadInput(_("Describe the other reason why the dose was not given."))
    return {"reason": code, "reason_text": text}


def _given_dose(order: OrderLike, value: Any, unit: str | None, why: str | None) -> dict[str, Any]:
    """The dose actually given: the order's by default; another one needs a reason."""
    amount = _positive(value, N_("dose"), 1e6)
    unit = _text(unit, limit=40)
    if amount is None and unit is None:
        return {
            "dose_value": order.dose_value,
            "dose_unit": order.dose_unit,
            "dose_from_order": True,
        }
    amount = order.dose_value if amount is None else amount
    unit = unit or order.dose_unit
    why = _text(why, limit=500)
    differs = order.dose_value is not None and (
        amount != order.dose_value or (unit or "").lower() != (order.dose_unit or "").lower()
    )
    if differs and why is None:
        ordered = f"{order.dose_value:g} {order.dose_unit or ''}".strip()
        raise BadInput(
            _("The dose differs from the order ({ordered}): give the reason.").format(
                ordered=ordered
            )
        )
    return {
        "dose_value": amount,
        "dose_unit": unit,
        "dose_from_order": not differs,
        "dose_change_reason": why if differs else None,
    }


# -- vital signs ---------------------------------------------------------------------------
@dataclass(frozen=True)
class VitalSign:
    """One measurement: its physiological limits (refused outside) and normal range (flagged).

    Physiological limits are the values a living patient can have, wide enough for neonates
    and intensive care; anything outside is a typing error. The normal range is the adult one
    used by early-warning scores (NEWS2 bands where they exist): outside it the value is kept
    and flagged for the next person who reads it.
    """

    key: str
    label: str
    unit: str
    low: float
    high: float
    normal: tuple[float, float] | None
    integer: bool
    loinc: str | None


#: The single table of vital-sign limits (CLI, UI, sheets and exports read it from here).
VITAL_SIGNS: tuple[VitalSign, ...] = (
    VitalSign("bp_sys", N_("systolic blood pressure"), "mmHg", 30, 300, (90, 140), True,
              "8480-6"),
    VitalSign("bp_dia", N_("diastolic blood pressure"), "mmHg", 10, 200, (50, 90), True,
              "8462-4"),
    VitalSign("hr", N_("heart rate"), "/min", 20, 300, (50, 100), True, "8867-4"),
    VitalSign("rr", N_("respiratory rate"), "/min", 2, 80, (12, 20), True, "9279-1"),
    VitalSign("temp", N_("temperature"), "°C", 25, 45, (36.0, 38.0), False, "8310-5"),
    VitalSign("spo2", N_("SpO2"), "%", 40, 100, (94, 100), True, "59408-5"),
    VitalSign("o2_flow", N_("oxygen flow"), "L/min", 0, 60, None, False, "3151-8"),
    VitalSign("pain", N_("pain score"), "/10", 0, 10, (0, 3), True, "72514-3"),
    VitalSign("weight", N_("weight"), "kg", 0.3, 400, None, False, "29463-7"),
    VitalSign("glucose", N_("blood glucose"), "g/L", 0.1, 20.0, (0.7, 1.8), False, "2339-0"),
)  # fmt: skip
VITALS = {v.key: v for v in VITAL_SIGNS}
#: Consciousness: Alert, new Confusion, responds to Voice, to Pain, Unresponsive (ACVPU).
AVPU = ("A", "C", "V", "P", "U")


def vitals_payload(
    *,
    bp_sys: float | str | None = None,
    bp_dia: float | str | None = None,
    hr: float | str | None = None,
    rr: float | str | None = None,
    temp: float | str | None = None,
    spo2: float | str | None = None,
    o2_flow: float | str | None = None,
    pain: float | str | None = None,
    avpu: str | None = None,
    weight: float | str | None = None,
    glucose: float | str | None = None,
    comment: str | None = None,
) -> dict[str, Any]:
    """Any set of vital signs (at least one), each checked against `VITAL_SIGNS`."""
    given = {
        "bp_sys": bp_sys,
        "bp_dia": bp_dia,
        "hr": hr,
        "rr": rr,
        "temp": temp,
        "spo2": spo2,
        "o2_flow": o2_flow,
        "pain": pain,
        "weight": weight,
        "glucose": glucose,
    }
    payload: dict[str, Any] = {k: _vital(VITALS[k], v) for k, v in given.items()}
    payload["avpu"] = _avpu(avpu)
    payload["comment"] = _text(comment, limit=2000)
    _check_vital_pairs(payload)
    if all(payload[k] is None for k in (*given, "avpu") if k != "o2_flow"):
        raise BadInput(_("Record at least one vital sign."))
    payload["flags"] = vital_flags(payload)
    return payload


def _vital(sign: VitalSign, value: Any) -> float | int | None:
    found = number(value, sign.label)
    if found is None:
        return None
    if not sign.low <= found <= sign.high:
        raise BadInput(
            _(
                "{label} of {value:g} {unit} is outside physiological limits ({low:g}-{high:g} "
                "{unit}): check the value."
            ).format(
                label=_cap(_(sign.label)),
                value=found,
                unit=sign.unit,
                low=sign.low,
                high=sign.high,
            )
        )
    if sign.integer:
        if found != int(found):
            raise BadInput(_("{label} is a whole number.").format(label=_cap(_(sign.label))))
        return int(found)
    return round(found, 2)


def _avpu(value: str | None) -> str | None:
    text = _text(value)
    if text is None:
        return None
    letter = text.upper()[:1]
    if letter not in AVPU or len(text) > 1:
        raise BadInput(_("Consciousness is one of A, C, V, P or U (ACVPU)."))
    return letter


def _check_vital_pairs(payload: dict[str, Any]) -> None:
    sys_, dia = payload["bp_sys"], payload["bp_dia"]
    if (sys_ is None) != (dia is None):
        raise BadInput(_("Give both the systolic and the diastolic blood pressure."))
    if sys_ is not None and dia >= sys_:
        raise BadInput(_("The diastolic pressure must be lower than the systolic pressure."))
    if payload["o2_flow"] is not None and payload["spo2"] is None:
        raise BadInput(_("Give the SpO2 measured under this oxygen flow."))


def vital_flags(payload: dict[str, Any]) -> dict[str, str]:
    """Which values are outside the normal range ('low' or 'high'); AVPU other than A."""
    flags: dict[str, str] = {}
    for sign in VITAL_SIGNS:
        value = payload.get(sign.key)
        if value is None or sign.normal is None:
            continue
        if value < sign.normal[0]:
            flags[sign.key] = "low"
        elif value > sign.normal[1]:
            flags[sign.key] = "high"
    if payload.get("avpu") not in (None, "A"):
        flags["avpu"] = "abnormal"
    return flags


# -- notes, movements, allergies -----------------------------------------------------------
NOTE_CATEGORIES = {
    "observation": N_("observation"),
    "handover": N_("handover"),
    "incident": N_("incident"),
}


def note_payload(*, text: str, category: str = "observation") -> dict[str, Any]:
    category = _choice(
        category, tuple(NOTE_CATEGORIES), _("A note is an observation, a handover or an incident.")
    )
    return {"category": category, "text": _required(text, _("Write the note's text."), limit=10000)}


SEXES = ("male", "female", "other", "unknown")
_SEX_WORDS = {
    "m": "male",
    "h": "male",
    "homme": "male",
    "f": "female",
    "femme": "female",
    "autre": "other",
    "inconnu": "unknown",
    "u": "unknown",
}


def parse_sex(value: str | None) -> str:
    text = (value or "unknown").strip().lower()
    text = _SEX_WORDS.get(text, text)
    if text not in SEXES:
        raise BadInput(_("Sex is male, female, other or unknown."))
    return text


def parse_birth_date(value: date | str | None, today: date) -> date | None:
    """ISO (1950-03-12) or French (12/03/1950); not in the future, not before 1900."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    found = value if isinstance(value, date) else _read_date(str(value).strip())
    if not date(1900, 1, 1) <= found <= today:
        raise BadInput(_("The birth date cannot be in the future or before 1900."))
    return found


def _read_date(text: str) -> date:
    match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    try:
        if match:
            return date(int(match[3]), int(match[2]), int(match[1]))
        return date.fromisoformat(text)
    except ValueError:
        raise BadInput(_("'{value}' is not a date (dd/mm/yyyy).").format(value=text)) from None


def admission_payload(
    *,
    today: date,
    family: str,
    given: str | None = None,
    birth_date: date | str | None = None,
    sex: str | None = None,
    ward: str,
    room: str | None = None,
    bed: str | None = None,
) -> dict[str, Any]:
    """A patient arriving during the outage; only the family name and the ward are required,
    as an unconscious stranger must be registered too."""
    born = parse_birth_date(birth_date, today)
    return {
        "family": _required(family, _("Give the patient's family name."), limit=100),
        "given": _text(given, limit=100) or "",
        "birth_date": born.isoformat() if born else None,
        "sex": parse_sex(sex),
        **transfer_payload(ward=ward, room=room, bed=bed),
    }


def transfer_payload(
    *, ward: str, room: str | None = None, bed: str | None = None
) -> dict[str, Any]:
    return {
        "ward": _required(ward, _("Give the ward."), limit=80),
        "room": _text(room, limit=20),
        "bed": _text(bed, limit=20),
    }


def discharge_payload(
    *, destination: str | None = None, comment: str | None = None
) -> dict[str, Any]:
    return {"destination": _text(destination), "comment": _text(comment, limit=2000)}


ALLERGY_CRITICALITY = ("low", "high", "unable_to_assess")


def allergy_payload(
    *,
    substance: str,
    reaction: str | None = None,
    criticality: str | None = None,
    code: str | None = None,
) -> dict[str, Any]:
    """An allergy learnt during the outage; it warns like a snapshot allergy at once."""
    level = None
    if _text(criticality) is not None:
        level = _choice(
            criticality, ALLERGY_CRITICALITY, _("Criticality is low, high or unable-to-assess.")
        ).replace("_", "-")
    return {
        "substance": _required(substance, _("Name the substance."), limit=200),
        "reaction": _text(reaction, limit=500),
        "criticality": level,
        "code": _text(code, limit=40),
    }


# -- manual orders -------------------------------------------------------------------------
ORDER_STATUSES = ("active", "on_hold", "stopped")


def timing_at_times(times: Sequence[str]) -> dict[str, Any]:
    """A FHIR Timing for doses at given clock times every day ("08:00", "20:00")."""
    clean = []
    for text in times:
        match = re.fullmatch(r"([01]?\d|2[0-3])[:hH]([0-5]\d)?", text.strip())
        if not match:
            raise BadInput(_("'{value}' is not a time of day (HH:MM).").format(value=text))
        clean.append(f"{int(match[1]):02d}:{match[2] or '00'}:00")
    if not clean:
        raise BadInput(_("Give at least one time of day."))
    return {
        "repeat": {"frequency": 1, "period": 1, "periodUnit": "d", "timeOfDay": sorted(set(clean))}
    }


def timing_every_hours(hours: int | str) -> dict[str, Any]:
    """A FHIR Timing for a dose every N hours on the ward clock (N divides 24)."""
    value = number(hours, N_("interval"))
    if value is None or value != int(value) or int(value) not in (1, 2, 3, 4, 6, 8, 12, 24):
        raise BadInput(_("Every N hours works for N = 1, 2, 3, 4, 6, 8, 12 or 24."))
    return {"repeat": {"frequency": 1, "period": int(value), "periodUnit": "h"}}


def manual_order_payload(
    *,
    drug: str,
    dose_value: float | str,
    dose_unit: str,
    prescriber_name: str,
    paper_ref: str,
    route: str | None = None,
    form: str | None = None,
    instructions: str | None = None,
    timing: dict[str, Any] | None = None,
    as_needed: bool = False,
    prn_reason: str | None = None,
    start: datetime | str | None = None,
    end: datetime | str | None = None,
    prescriber_rpps: str | None = None,
    high_alert: bool = False,
    status: str = "active",
) -> dict[str, Any]:
    """A prescription written on paper during the outage, transcribed with its sheet's ref."""
    payload = {
        "drug": _required(drug, _("Name the drug."), limit=200),
        "dose_value": _positive(dose_value, N_("dose"), 1e6),
        "dose_unit": _required(dose_unit, _("Give the dose's unit."), limit=40),
        "route": _text(route, limit=40),
        "form": _text(form, limit=80),
        "instructions": _text(instructions, limit=1000),
        "as_needed": bool(as_needed),
        "prn_reason": _text(prn_reason, limit=200),
        "timing": timing,
        "start": _iso(start),
        "end": _iso(end),
        "prescriber_name": _required(prescriber_name, _("Give the prescriber's name."), limit=120),
        "prescriber_rpps": _text(prescriber_rpps, limit=20),
        "paper_ref": _required(
            paper_ref, _("Give the reference of the paper prescription."), limit=80
        ),
        "high_alert": bool(high_alert),
        "manual": True,
        "status": _choice(
            status, ORDER_STATUSES, _("An order's status is active, on-hold or stopped.")
        ).replace("_", "-"),
    }
    if payload["dose_value"] is None:
        raise BadInput(_("Give the prescribed dose."))
    if payload["start"] and payload["end"] and payload["end"] <= payload["start"]:
        raise BadInput(_("The order's end must come after its start."))
    _check_manual_timing(payload)
    return payload


def _check_manual_timing(payload: dict[str, Any]) -> None:
    from continuity.core.timing import parse_timing

    if payload["as_needed"]:
        return
    if payload["timing"] is None:
        raise BadInput(_("Give the order's times or interval, or mark it as needed."))
    spec = parse_timing(payload["timing"], text=payload["instructions"])
    if not spec.expandable:
        raise BadInput(_("The order's schedule cannot be turned into dose times."))


# -- infusions and lines -------------------------------------------------------------------
INFUSION_ACTIONS = ("start", "rate_change", "stop")


def infusion_payload(
    *,
    action: str,
    solution: str | None = None,
    additive: str | None = None,
    rate: float | str | None = None,
    volume: float | str | None = None,
    infusion: str | None = None,
    volume_infused: float | str | None = None,
    comment: str | None = None,
) -> dict[str, Any]:
    """An infusion started, its rate changed, or stopped; later actions name the start entry
    (`infusion` = its uuid)."""
    action = _choice(
        action, INFUSION_ACTIONS, _("An infusion action is start, rate-change or stop.")
    )
    payload: dict[str, Any] = {"action": action, "comment": _text(comment, limit=2000)}
    if action == "start":
        payload.update(
            solution=_required(solution, _("Name the infused solution."), limit=200),
            additive=_text(additive, limit=200),
            rate=_required_number(rate, N_("rate (mL/h)"), 2000),
            volume=_required_number(volume, N_("volume (mL)"), 10000),
        )
        return payload
    payload["infusion"] = _required(
        infusion, _("Say which infusion (the uuid of its start)."), limit=40
    )
    if action == "rate_change":
        payload["rate"] = _required_number(rate, N_("rate (mL/h)"), 2000)
    else:
        infused = number(volume_infused, N_("volume infused (mL)"))
        if infused is None or not 0 <= infused <= 10000:
            raise BadInput(_("Give the volume infused, between 0 and 10000 mL."))
        payload["volume_infused"] = infused
    return payload


def _required_number(value: Any, label: str, high: float) -> float:
    found = _positive(value, label, high)
    if found is None:
        raise BadInput(_("Give the {label}.").format(label=_(label)))
    return found


LINE_ACTIONS = ("inserted", "removed")
LINE_KINDS = {
    "peripheral_iv": N_("peripheral venous catheter"),
    "central_line": N_("central venous catheter"),
    "picc": N_("PICC line"),
    "midline": N_("midline catheter"),
    "arterial_line": N_("arterial line"),
    "urinary_catheter": N_("urinary catheter"),
    "nasogastric_tube": N_("nasogastric tube"),
    "drain": N_("drain"),
    "other": N_("other device"),
}


def line_payload(
    *,
    action: str,
    line_kind: str,
    site: str | None = None,
    line: str | None = None,
    comment: str | None = None,
) -> dict[str, Any]:
    """A line or device inserted or removed; a removal may name its insertion (`line`)."""
    action = _choice(action, LINE_ACTIONS, _("A line is inserted or removed."))
    kinds = ", ".join(LINE_KINDS)
    payload = {
        "action": action,
        "line_kind": _choice(
            line_kind,
            tuple(LINE_KINDS),
            _("The kind of line or device is one of {kinds}.").format(kinds=kinds),
        ),
        "site": _text(site, limit=120),
        "line": _text(line, limit=40),
        "comment": _text(comment, limit=2000),
    }
    if action == "inserted" and payload["site"] is None:
        raise BadInput(_("Give the insertion site."))
    return payload


# -- corrections ---------------------------------------------------------------------------
def correction_reason(reason: str | None) -> str:
    """Every correction and retraction says why: the paper trail reconciliation relies on."""
    return _required(reason, _("Give the reason for the correction."), limit=500)


PAYLOAD_BUILDERS: dict[str, Callable[..., dict[str, Any]]] = {
    Kind.DOSE: dose_payload,
    Kind.VITALS: vitals_payload,
    Kind.NOTE: note_payload,
    Kind.ADMISSION: admission_payload,
    Kind.TRANSFER: transfer_payload,
    Kind.DISCHARGE: discharge_payload,
    Kind.MANUAL_ORDER: manual_order_payload,
    Kind.INFUSION: infusion_payload,
    Kind.LINE: line_payload,
    Kind.ALLERGY: allergy_payload,
}
_CONTEXT = ("order", "today")


def input_fields(kind: str) -> tuple[str, ...]:
    """The payload keys a person types for this kind (what a correction may change)."""
    builder = PAYLOAD_BUILDERS.get(kind)
    if builder is None:
        return ()
    return tuple(p for p in inspect.signature(builder).parameters if p not in _CONTEXT)


def summary(kind: str, payload: dict[str, Any]) -> str:
    """One short line for lists and logs (the UI shows richer cards)."""
    p = payload
    if kind == Kind.DOSE:
        if p.get("status") == NOT_GIVEN:
            why = _(NOT_GIVEN_REASONS.get(p.get("reason", ""), ""))
            return _("{drug}: not given ({why})").format(drug=p.get("drug", ""), why=why)
        dose = f"{p['dose_value']:g} {p.get('dose_unit') or ''}" if p.get("dose_value") else ""
        return _("{drug}: given {dose}").format(drug=p.get("drug", ""), dose=dose).strip()
    if kind == Kind.VITALS:
        parts = [f"{k}={p[k]:g}" for k in VITALS if p.get(k) is not None]
        parts += [f"avpu={p['avpu']}"] if p.get("avpu") else []
        return " ".join(parts)
    texts = {
        Kind.NOTE: lambda: f"[{_(NOTE_CATEGORIES[p['category']])}] {p['text'][:80]}",
        Kind.ADMISSION: lambda: f"{p['family'].upper()} {p['given'] or ''} -> {p['ward']}",
        Kind.TRANSFER: lambda: f"-> {p['ward']} {p.get('room') or ''} {p.get('bed') or ''}",
        Kind.DISCHARGE: lambda: p.get("destination") or "",
        Kind.MANUAL_ORDER: lambda: f"{p['drug']} {p['dose_value']:g} {p['dose_unit']}",
        Kind.INFUSION: lambda: f"{p['action']} {p.get('solution') or p.get('infusion')}",
        Kind.LINE: lambda: f"{p['action']} {_(LINE_KINDS[p['line_kind']])}",
        Kind.ALLERGY: lambda: p["substance"],
    }
    build = texts.get(kind)
    return " ".join(build().split()) if build else ""
