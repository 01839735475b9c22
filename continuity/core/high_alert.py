"""High-alert drugs: the orders that get a double check, flagged from one editable list.

The list is a plain text file (`resources/high_alert_drugs.txt`) so a site's pharmacist can
follow the local policy without a new release. Names are matched on folded text (no accents,
no case) at the start of a word, so "insulin" matches "Insuline glargine" but "morphine" does
not match "hydromorphone"; ATC codes match by prefix ("B01AB" = every heparin).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

from continuity.core.errors import BadInput
from continuity.core.i18n import _
from continuity.core.text import fold
from continuity.resources import resource

_ATC = re.compile(r"^[A-Z]\d{2}(?:[A-Z](?:[A-Z](?:\d{2})?)?)?$")


@dataclass(frozen=True)
class HighAlertList:
    """The folded names and ATC prefixes of one list, with one compiled pattern for speed."""

    names: tuple[str, ...]
    atc_prefixes: tuple[str, ...]
    _pattern: re.Pattern[str] | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.names:
            # Longest first, so "chlorure de potassium" is tried before a shorter overlap.
            terms = sorted(set(self.names), key=len, reverse=True)
            pattern = re.compile(r"(?<![a-z0-9])(?:" + "|".join(map(re.escape, terms)) + ")")
            object.__setattr__(self, "_pattern", pattern)

    def match(self, name: str | None, code: str | None = None) -> str | None:
        """The list entry the drug matches ("heparin", "ATC:B01AB"), or None."""
        if code:
            cleaned = code.strip().upper()
            if _ATC.match(cleaned):
                for prefix in self.atc_prefixes:
                    if cleaned.startswith(prefix):
                        return f"ATC:{prefix}"
        if name and self._pattern is not None:
            found = self._pattern.search(fold(name))
            if found:
                return found.group(0)
        return None


def parse_high_alert_list(text: str) -> HighAlertList:
    names: list[str] = []
    prefixes: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line[:4].upper() == "ATC:":
            prefixes.append(line[4:].strip().upper())
        else:
            names.append(fold(line))
    return HighAlertList(tuple(names), tuple(p for p in prefixes if p))


@functools.cache
def _default_list() -> HighAlertList:
    return load_high_alert_list()


def load_high_alert_list(path: Path | None = None) -> HighAlertList:
    """Read a list file (default: the site's `resources/high_alert_drugs.txt`).

    A missing or unreadable file is an error, not an empty list: an empty list would silently
    flag nothing, and nurses would take "no flag" for "not a high-alert drug".
    """
    path = path or resource("high_alert_drugs.txt")
    try:
        return parse_high_alert_list(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        raise BadInput(
            _(
                "The high-alert drug list cannot be read ({path}); restore it before using "
                "Continuity."
            ).format(path=path)
        ) from None


def is_high_alert(name: str | None, code: str | None = None) -> bool:
    """True when the drug's name or ATC code is on the site's high-alert list."""
    return _default_list().match(name, code) is not None


def high_alert_match(name: str | None, code: str | None = None) -> str | None:
    """Which entry of the site's list flagged the drug (for "why is this flagged?")."""
    return _default_list().match(name, code)
