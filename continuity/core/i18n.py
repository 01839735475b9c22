"""One message catalogue for the core, the printed sheets and the UI.

Messages are written in English in the code (`_("Wrong user or password.")`) and translated
from `resources/locale/<lang>/*.po` (one file per part of the product). The .po file is read directly at start-up (a few hundred
messages, parsed in milliseconds), so there is no compiled .mo to forget in a build: the
source file is the single truth. French is the default; English is the fallback.
"""

from __future__ import annotations

import ast
import functools
import locale
import os
from pathlib import Path

from continuity.resources import resource

SUPPORTED = ("fr", "en")
_catalogue: dict[str, str] = {}
_language = "en"


def parse_po(text: str) -> dict[str, str]:
    """Parse the msgid/msgstr pairs of a .po file (no plural forms, no contexts needed)."""
    result: dict[str, str] = {}
    msgid: list[str] | None = None
    msgstr: list[str] | None = None
    current: list[str] | None = None

    def flush() -> None:
        if msgid is not None and msgstr is not None:
            key = "".join(msgid)
            value = "".join(msgstr)
            if key and value:
                result[key] = value

    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("msgid "):
            flush()
            msgid, msgstr = [ast.literal_eval(line[6:])], None
            current = msgid
        elif line.startswith("msgstr "):
            msgstr = [ast.literal_eval(line[7:])]
            current = msgstr
        elif line.startswith('"') and current is not None:
            current.append(ast.literal_eval(line))
    flush()
    return result


def catalogue_files(lang: str) -> list[Path]:
    """Every .po file of a language: one per part of the product (core.po, printing.po...)."""
    folder = resource("locale", lang)
    return sorted(folder.glob("*.po")) if folder.is_dir() else []


@functools.cache
def load_catalogue(lang: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    if lang == "en":
        return merged
    for path in catalogue_files(lang):
        merged.update(parse_po(path.read_text(encoding="utf-8")))
    return merged


def system_language() -> str:
    """French unless CONTINUITY_LANG or the system clearly asks for English.

    The POSIX variables are read as set (LC_ALL, LC_MESSAGES, LANG): Python would read "C.UTF-8"
    as en_US, and a ward laptop with an unset locale must still speak French.
    """
    for var in ("CONTINUITY_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value:
            return "en" if value.lower().startswith("en") else "fr"
    try:
        wanted = locale.getlocale()[0] or ""  # Windows: the user's display language
    except ValueError:
        wanted = ""
    return "en" if wanted.lower().startswith("en") else "fr"


def set_language(lang: str | None = None) -> str:
    global _catalogue, _language
    lang = lang or system_language()
    if lang not in SUPPORTED:
        lang = "fr"
    _catalogue = load_catalogue(lang)
    _language = lang
    return lang


def language() -> str:
    return _language


def _(message: str) -> str:
    """Translate a user-visible message; unknown messages stay in English."""
    return _catalogue.get(message, message)


def translate_to(message: str, lang: str) -> str:
    """Translate for one sheet in a given language without changing the app's language."""
    return load_catalogue(lang).get(message, message)


set_language()
