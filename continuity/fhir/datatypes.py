"""FHIR R4 data types read into plain values, validating as they go.

Exporters are lenient writers; this module is where we decide what a value means (a date-only
end includes its whole day, a date-time without an offset is ward time) and where an impossible
value (30 February, month 13) becomes a rejection naming the element, never a guess.
"""

from __future__ import annotations

import calendar
import re
from datetime import datetime
from typing import Any

from continuity.core.clock import PARIS, to_utc_iso
from continuity.fhir.errors import Invalid

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_DATETIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$"
)
_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
#: Years outside this range are refused as impossible: no patient was born before 1800, and
#: such values (year 0001, 9999) break time arithmetic and sorting rather than mean anything.
MIN_YEAR, MAX_YEAR = 1800, 2999


# --------------------------------------------------------------------------- shapes


def as_list(value: Any, element: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise Invalid(f"wrong shape: {element} must be a list")
    return value


def as_dict(value: Any, element: str) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise Invalid(f"wrong shape: {element} must be an object")
    return value


def as_str(value: Any, element: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise Invalid(f"wrong shape: {element} must be a string")
    return value.strip() or None


def valid_id(value: Any) -> bool:
    return isinstance(value, str) and _ID.match(value) is not None


# --------------------------------------------------------------------------- concepts


def concept_text(concept: Any) -> str | None:
    """What a person would read: the concept's text, else its first display, else a code."""
    if not isinstance(concept, dict):
        return None
    text = concept.get("text")
    if isinstance(text, str) and text.strip():
        return text.strip()
    codings = concept.get("coding")
    if isinstance(codings, list):
        for coding in codings:
            if isinstance(coding, dict) and isinstance(coding.get("display"), str):
                if coding["display"].strip():
                    return coding["display"].strip()
        for coding in codings:
            if isinstance(coding, dict) and isinstance(coding.get("code"), str):
                return coding["code"]
    return None


def codings(concept: Any) -> list[tuple[str, str]]:
    """(system, code) pairs of a CodeableConcept, system '' when absent."""
    if not isinstance(concept, dict) or not isinstance(concept.get("coding"), list):
        return []
    return [
        (c.get("system") if isinstance(c.get("system"), str) else "", c["code"])
        for c in concept["coding"]
        if isinstance(c, dict) and isinstance(c.get("code"), str)
    ]


def first_code(concept: Any, prefer: tuple[str, ...] = ()) -> str | None:
    """The code of the first coding in a preferred system, else of the first coding."""
    if not prefer:  # the common case, without building the pairs
        found = concept.get("coding") if isinstance(concept, dict) else None
        if isinstance(found, list):
            for c in found:
                if isinstance(c, dict) and isinstance(c.get("code"), str):
                    return c["code"]
        return None
    pairs = codings(concept)
    for system in prefer:
        for found_system, code in pairs:
            if found_system == system:
                return code
    return pairs[0][1] if pairs else None


def has_code(concept: Any, code: str) -> bool:
    return any(found == code for _, found in codings(concept))


def concepts_text(concepts: Any) -> str | None:
    """The texts of a list of CodeableConcepts, joined (reactions, route alternatives...)."""
    if not isinstance(concepts, list):
        return None
    texts = [t for t in (concept_text(c) for c in concepts) if t]
    return ", ".join(dict.fromkeys(texts)) or None


# --------------------------------------------------------------------------- names, identifiers


def human_name(names: Any, element: str = "name") -> tuple[str, str, str | None]:
    """(family, given, prefix) of the name to show: official, else usual, else the first one
    that is not old or maiden. A name given only as text is kept whole in `family`."""
    candidates = [n for n in as_list(names, element) if isinstance(n, dict)]
    if not candidates:
        return "", "", None
    current = [n for n in candidates if n.get("use") not in ("old", "maiden", "anonymous")]
    chosen = None
    for use in ("official", "usual"):
        chosen = next((n for n in current if n.get("use") == use), None)
        if chosen:
            break
    chosen = chosen or (current or candidates)[0]
    family = as_str(chosen.get("family"), f"{element}.family") or ""  # a list there: refused
    given_parts = chosen.get("given") if isinstance(chosen.get("given"), list) else []
    given = " ".join(g.strip() for g in given_parts if isinstance(g, str) and g.strip())
    prefix_parts = chosen.get("prefix") if isinstance(chosen.get("prefix"), list) else []
    prefix = " ".join(p for p in prefix_parts if isinstance(p, str)) or None
    if not family and not given and isinstance(chosen.get("text"), str):
        family = chosen["text"]
    return family.strip(), given, prefix


def display_name(names: Any, element: str = "name") -> str:
    """ "Dr Jeanne Martin": prefix, given and family names in reading order."""
    family, given, prefix = human_name(names, element)
    return " ".join(p for p in (prefix, given, family) if p)


def identifiers(resource: dict[str, Any]) -> list[dict[str, str]]:
    """Every identifier, kept as {system, value, type}: reconciliation may need any of them."""
    result = []
    for ident in as_list(resource.get("identifier"), "identifier"):
        if not isinstance(ident, dict) or not isinstance(ident.get("value"), str):
            continue
        entry = {"value": ident["value"]}
        if isinstance(ident.get("system"), str):
            entry["system"] = ident["system"]
        type_code = first_code(ident.get("type")) or concept_text(ident.get("type"))
        if type_code:
            entry["type"] = type_code
        result.append(entry)
    return result


# --------------------------------------------------------------------------- dates and times


def fhir_date(value: Any, element: str) -> str | None:
    """A FHIR `date` (YYYY, YYYY-MM or YYYY-MM-DD) checked against the calendar, as written."""
    if value is None:
        return None
    match = _DATE.match(value) if isinstance(value, str) else None
    if not match:
        raise Invalid(f"impossible date {value!r} in {element}")
    year, month, day = (int(g) if g else None for g in match.groups())
    if not MIN_YEAR <= year <= MAX_YEAR:  # type: ignore[operator]
        raise Invalid(f"impossible date {value!r} in {element}")
    if month is not None and not 1 <= month <= 12:
        raise Invalid(f"impossible date {value!r} in {element}")
    if day is not None and not 1 <= day <= calendar.monthrange(year, month)[1]:  # type: ignore[arg-type]
        raise Invalid(f"impossible date {value!r} in {element}")
    return value


def fhir_datetime(value: Any, element: str, *, end: bool = False) -> datetime | None:
    """A FHIR `dateTime` / `instant` as an aware datetime.

    A date-only value means its first second, or with `end=True` its last second (FHIR: a
    Period's end includes the whole of a date given without a time). A time without an offset
    is invalid FHIR; it is read as ward (Paris) time rather than refused.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise Invalid(f"impossible date {value!r} in {element}")
    try:
        if len(value) > 10 and value[10] == "T":
            if not _DATETIME.match(value):
                raise ValueError(value)
            moment = datetime.fromisoformat(value)
            if not MIN_YEAR <= moment.year <= MAX_YEAR:
                raise ValueError(value)
            return moment if moment.tzinfo is not None else moment.replace(tzinfo=PARIS)
        text = fhir_date(value, element)
        assert text is not None
        parts = [int(p) for p in text.split("-")]
        year = parts[0]
        if not end:
            month = parts[1] if len(parts) > 1 else 1
            day = parts[2] if len(parts) > 2 else 1
            return datetime(year, month, day, tzinfo=PARIS)
        month = parts[1] if len(parts) > 1 else 12
        day = parts[2] if len(parts) > 2 else calendar.monthrange(year, month)[1]
        return datetime(year, month, day, 23, 59, 59, tzinfo=PARIS)
    except ValueError:
        raise Invalid(f"impossible date {value!r} in {element}") from None


_UTC_MEMO: dict[tuple[str, bool], str] = {}


def utc(value: Any, element: str, *, end: bool = False) -> str | None:
    """A FHIR dateTime in the cache's storage form (UTC ISO), or None when absent.

    Memoised: a snapshot repeats the same times thousands of times (bounds, authoring times).
    """
    if value is None:
        return None
    key = (value, end) if isinstance(value, str) else None
    if key is not None:
        found = _UTC_MEMO.get(key)
        if found is not None:
            return found
    moment = fhir_datetime(value, element, end=end)
    assert moment is not None
    text = to_utc_iso(moment)
    if key is not None:
        if len(_UTC_MEMO) > 100_000:
            _UTC_MEMO.clear()
        _UTC_MEMO[key] = text
    return text


def period(value: Any, element: str) -> tuple[str | None, str | None]:
    """(start, end) of a Period in storage form."""
    value = as_dict(value, element)
    if not value:
        return None, None
    start = utc(value.get("start"), f"{element}.start")
    end = utc(value.get("end"), f"{element}.end", end=True)
    if start and end and end < start:
        raise Invalid(f"impossible period in {element}: it ends before it starts")
    return start, end
