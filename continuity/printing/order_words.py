"""The prescriber's words as every sheet prints them: instructions, "as needed", schedule, end.

The prescription sheet, the MAR and the pick list say the same things about an order; they
say them with these functions, so a fix in one (the instructions that disappeared when the
schedule's text repeated them) is a fix in all three.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from continuity.core.clock import PARIS, format_local
from continuity.core.text import fold
from continuity.core.timing import TimingSpec, describe
from continuity.printing.dose_times import order_limit
from continuity.store.census import Order

#: Fixed-date schedules list at most this many dates; the rest is counted by "1 prise(s)...".
EVENT_DATES = 6
_IF = re.compile(r"^(si|if)\b")


def prescriber_texts(order: Order) -> list[str]:
    """The prescriber's own words (instructions, then the schedule's text), each once.

    They are printed always, not only when no coded field says the same: "max 4 g/24 h" or
    "débit maximal 1 g/h" lives only there, and the schedule's text is very often a copy of
    the instructions, which once made both disappear from the sheet.
    """
    texts: list[str] = []
    seen: set[str] = set()
    for text in (order.instructions, order.timing.text):
        text = (text or "").strip()
        key = fold(text).rstrip(" .;,")  # "…glycémie" and "…Glycémie." are one text
        if text and key not in seen:
            seen.add(key)
            texts.append(text)
    return texts


def as_needed_words(reason: str | None, tr: Callable[[str], str]) -> str:
    """ "si besoin : douleur", "si besoin, si EVA > 4" (never "si besoin : si ..."), or a bare
    "si besoin" when no coded reason came: the prescriber's text beside it then says why."""
    _ = tr
    reason = (reason or "").strip()
    if not reason:
        return _("as needed")
    if _IF.match(fold(reason)):
        return _("as needed, {reason}").format(reason=reason)
    return _("as needed: {reason}").format(reason=reason)


def schedule_words(spec: TimingSpec, lang: str, tr: Callable[[str], str]) -> str:
    """The schedule in words; a fixed-date schedule also gives its dates ("1 prise(s) à date
    fixe : 28/11 20:00"), since a clock time alone does not say which day."""
    _ = tr
    text = describe(spec, lang)
    if spec.expandable and spec.source == "events" and spec.events:
        dates = [
            datetime.fromisoformat(e).astimezone(PARIS).strftime("%d/%m %H:%M")
            for e in sorted(spec.events)
        ]
        shown = ", ".join(dates[:EVENT_DATES]) + (", …" if len(dates) > EVENT_DATES else "")
        text = _("{schedule}: {dates}").format(schedule=text, dates=shown)
    return text


def end_notice(order: Order, tr: Callable[[str], str]) -> str:
    """Why an order stops giving doses: its validity runs out (have it renewed) or the
    prescriber planned its end. Empty when the order has no end."""
    _ = tr
    limit = order_limit(order)
    if limit is None:
        return ""
    if order.validity_end is not None and limit == order.validity_end:
        return _("ends {date} — have it renewed").format(date=format_local(limit))
    return _("ends {date}: planned end of treatment").format(date=format_local(limit))
