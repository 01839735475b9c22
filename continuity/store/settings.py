"""The site settings IT may adjust on a laptop: one table of what exists, its limits, defaults.

Other settings rows (the trusted snapshot key, drill markers) are written by their own
functions; this module is for the plain numbers a ward may want to tune.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from continuity.core.errors import BadInput
from continuity.core.freshness import AGEING_SETTING, STALE_SETTING
from continuity.core.i18n import _
from continuity.core.roles import Permission
from continuity.store.session import Session


def N_(message: str) -> str:
    return message


@dataclass(frozen=True)
class Adjustable:
    key: str
    label: str  # English msgid, translated where shown
    minimum: float
    maximum: float
    default: float
    whole: bool = True

    def parse(self, text: str) -> float:
        try:
            value = int(text) if self.whole else float(text.replace(",", "."))
        except ValueError:
            raise BadInput(_("{label}: give a number.").format(label=_(self.label))) from None
        if not self.minimum <= value <= self.maximum:
            raise BadInput(
                _("{label}: choose between {low} and {high}.").format(
                    label=_(self.label), low=f"{self.minimum:g}", high=f"{self.maximum:g}"
                )
            )
        return value


IDLE_LOCK_MINUTES = "idle_lock_minutes"

ADJUSTABLE: dict[str, Adjustable] = {
    a.key: a
    for a in (
        Adjustable(IDLE_LOCK_MINUTES, N_("Lock after this many idle minutes"), 1, 240, 5),
        Adjustable(AGEING_SETTING, N_("Snapshot ageing after (hours)"), 0.5, 168, 4, False),
        Adjustable(STALE_SETTING, N_("Snapshot stale after (hours)"), 1, 720, 24, False),
    )
}


def value_of(setting: Callable[[str, str | None], str | None], key: str) -> float:
    """The current value of an adjustable setting, its default when unset or out of range."""
    spec = ADJUSTABLE[key]
    raw = setting(key, None)
    if raw is None:
        return spec.default
    try:
        return spec.parse(raw)
    except BadInput:
        return spec.default


def idle_lock_minutes(session: Session) -> int:
    return int(value_of(session.setting, IDLE_LOCK_MINUTES))


def list_settings(session: Session) -> list[tuple[Adjustable, float]]:
    return [(spec, value_of(session.setting, key)) for key, spec in ADJUSTABLE.items()]


def set_setting(session: Session, key: str, text: str) -> float:
    """IT sets an adjustable setting; validated, audited, effective for the next reader."""
    session.require(Permission.MANAGE_DEVICE)
    spec = ADJUSTABLE.get(key)
    if spec is None:
        raise BadInput(_("Unknown setting: {key}.").format(key=key))
    value = spec.parse(text.strip())
    if key == STALE_SETTING and value <= value_of(session.setting, AGEING_SETTING):
        raise BadInput(_("The stale threshold must come after the ageing threshold."))
    if key == AGEING_SETTING and value >= value_of(session.setting, STALE_SETTING):
        raise BadInput(_("The stale threshold must come after the ageing threshold."))
    with session.transaction() as conn:
        conn.execute(
            "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (key, f"{value:g}")
        )
        session.audit("setting_changed", {"key": key, "value": f"{value:g}"})
    return value
