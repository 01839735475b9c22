"""Every message a user can see has a French translation (French is the default language)."""

from __future__ import annotations

import ast
from pathlib import Path

from continuity.core import i18n

PACKAGE = Path(__file__).resolve().parents[1] / "continuity"


def user_visible_messages() -> dict[str, str]:
    """Every literal passed to `_()` anywhere in the product, with where it stands."""
    found: dict[str, str] = {}
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("_", "N_")
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.setdefault(node.args[0].value, f"{path.relative_to(PACKAGE)}:{node.lineno}")
    return found


def test_every_user_visible_message_has_a_french_translation():
    french = i18n.load_catalogue("fr")
    missing = {msg: where for msg, where in user_visible_messages().items() if msg not in french}
    assert not missing, "no French for:\n" + "\n".join(f"{w}: {m!r}" for m, w in missing.items())


def test_french_is_the_default_and_english_is_selectable():
    assert i18n.set_language("fr") == "fr"
    assert i18n._("Wrong user or password.") == "Utilisateur ou mot de passe incorrect."
    i18n.set_language("en")
    try:
        assert i18n._("Wrong user or password.") == "Wrong user or password."
    finally:
        i18n.set_language("fr")


def test_placeholders_survive_translation():
    french = i18n.load_catalogue("fr")
    import string

    def fields(text: str) -> set[str]:
        return {f[1] for f in string.Formatter().parse(text) if f[1]}

    broken = [m for m, t in french.items() if fields(m) != fields(t)]
    assert not broken, broken
