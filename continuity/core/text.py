"""Text folded for matching: what a nurse types must find "Éloïse Lefèvre" as "eloise lefevre".

One function, used by the snapshot import (patients' search key, the high-alert list) and by
every search later, so a name is folded the same way when it is stored and when it is looked up.
"""

from __future__ import annotations

import unicodedata

# Letters that Unicode does not decompose into a base letter and an accent.
_LIGATURES = str.maketrans(
    {
        "œ": "oe",
        "æ": "ae",
        "ø": "o",
        "đ": "d",
        "ł": "l",
        "ı": "i",
        "’": "'",
        "‘": "'",
        "ʼ": "'",
        "‐": "-",
        "‑": "-",
        "–": "-",
    }
)


def fold(text: str | None) -> str:
    """Lower case, without accents or ligatures, single spaces: "Cœur  DE Lion" -> "coeur de lion".

    NFKD splits an accented letter into its letter and a combining accent, which is dropped;
    casefold (not lower) also maps "ß" to "ss". Whitespace runs become one space so a double
    space typed in a search box still matches.
    """
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_LIGATURES))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.split())
