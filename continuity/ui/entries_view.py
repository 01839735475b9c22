"""What was recorded on this laptop for a patient: every entry with its corrections, the
notes, and the vital signs, read from the core's entry log.

Nothing is hidden: a corrected entry stays in the list, marked and pointing at the entry that
replaced it, exactly as it stays in the cache.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from continuity.core.clock import format_local
from continuity.core.entries import KIND_LABELS, NOTE_CATEGORIES, VITAL_SIGNS, Kind, summary
from continuity.core.i18n import _
from continuity.store.entry_log import StoredEntry
from continuity.ui.row_table import Column, RowTableModel, table_view
from continuity.ui.style import NEUTRAL, WARN


def kind_label(kind: str) -> str:
    label = KIND_LABELS.get(kind)
    return _(label) if label else kind


def entry_summary(entry: StoredEntry) -> str:
    if entry.kind == Kind.RETRACTION:
        return _("withdraws an entry made in error")
    try:
        return summary(entry.kind, entry.payload)
    except (KeyError, TypeError, ValueError):  # an entry of a newer kind or shape
        return ""


class EntryStates:
    """Sequence numbers by uuid, to say "corrected by no. 12" in words staff can find."""

    def __init__(self, found: list[StoredEntry], names: dict[str, str] | None = None) -> None:
        self.seq = {e.uuid: e.seq for e in found}
        self.names = names or {}

    def who(self, login: str | None) -> str:
        """The person's name, or the login when the cache does not know it."""
        return self.names.get(login, login) if login else ""

    def state(self, entry: StoredEntry) -> str:
        if entry.retracted:
            return _("WITHDRAWN (no. {seq})").format(seq=self.seq.get(entry.superseded_by, "?"))
        if entry.superseded:
            return _("CORRECTED by no. {seq}").format(seq=self.seq.get(entry.superseded_by, "?"))
        if entry.supersedes:
            verb = _("withdraws") if entry.kind == Kind.RETRACTION else _("corrects")
            return f"{verb} {_('no. {seq}').format(seq=self.seq.get(entry.supersedes, '?'))}" + (
                f" — {entry.reason}" if entry.reason else ""
            )
        return _("current")


ENTRY_SEQ, ENTRY_WHEN, ENTRY_KIND, ENTRY_WHAT, ENTRY_AUTHOR, ENTRY_WITNESS, ENTRY_STATE = range(7)


def entry_columns(states: EntryStates) -> tuple[Column[StoredEntry], ...]:
    def confirmed(e: StoredEntry) -> str | None:
        if not e.confirmations:
            return None
        return (
            _("Confirmed despite:")
            + "\n"
            + "\n".join(c.get("message", "") for c in e.confirmations)
        )

    return (
        Column(lambda: _("No."), lambda e: str(e.seq)),
        Column(lambda: _("Care time"), lambda e: format_local(e.clinical_time)),
        Column(lambda: _("Kind"), lambda e: kind_label(e.kind)),
        Column(
            lambda: _("What"),
            lambda e: entry_summary(e) + (" ⚠" if e.confirmations else ""),
            stretch=True,
            tooltip=confirmed,
        ),
        Column(lambda: _("By"), lambda e: states.who(e.author)),
        Column(lambda: _("Witness"), lambda e: states.who(e.witness)),
        Column(
            lambda: _("State"),
            states.state,
            tone=lambda e: NEUTRAL if not e.effective else (WARN if e.supersedes else None),
        ),
    )


NOTE_WHEN, NOTE_CATEGORY, NOTE_AUTHOR, NOTE_TEXT = range(4)


def note_columns(names: dict[str, str]) -> tuple[Column[StoredEntry], ...]:
    return (
        Column(lambda: _("When"), lambda e: format_local(e.clinical_time)),
        Column(
            lambda: _("Kind"),
            lambda e: _(NOTE_CATEGORIES.get(e.payload.get("category"), "?")),
            tone=lambda e: WARN if e.payload.get("category") == "incident" else None,
        ),
        Column(lambda: _("By"), lambda e: names.get(e.author, e.author)),
        Column(lambda: _("Note"), lambda e: e.payload.get("text", ""), stretch=True),
    )


NOTE_COLUMNS = note_columns({})


def vitals_text(payload: dict[str, Any]) -> str:
    """Each value with its name and unit, abnormal ones marked (▲ high, ▼ low)."""
    flags = payload.get("flags") or {}
    parts = []
    if payload.get("bp_sys") is not None:
        mark = "".join(
            {"high": " ▲", "low": " ▼"}.get(flags.get(k, ""), "") for k in ("bp_sys", "bp_dia")
        )[:2]
        parts.append(f"{_('BP')} {payload['bp_sys']}/{payload['bp_dia']} mmHg{mark}")
    for sign in VITAL_SIGNS:
        if sign.key in ("bp_sys", "bp_dia") or payload.get(sign.key) is None:
            continue
        value = f"{payload[sign.key]:g}".replace(".", ",")
        mark = {"high": " ▲", "low": " ▼"}.get(flags.get(sign.key, ""), "")
        parts.append(f"{_(sign.label)} {value} {sign.unit}{mark}")
    if payload.get("avpu"):
        mark = " ▲" if flags.get("avpu") else ""
        parts.append(f"{_('ACVPU')} {payload['avpu']}{mark}")
    return " · ".join(parts)


VITALS_WHEN, VITALS_VALUES, VITALS_AUTHOR = range(3)


def vitals_columns(names: dict[str, str]) -> tuple[Column[StoredEntry], ...]:
    return (
        Column(lambda: _("When"), lambda e: format_local(e.clinical_time)),
        Column(
            lambda: _("Values (▲ high, ▼ low)"),
            lambda e: vitals_text(e.payload),
            stretch=True,
            tone=lambda e: WARN if e.payload.get("flags") else None,
        ),
        Column(lambda: _("By"), lambda e: names.get(e.author, e.author)),
    )


VITALS_COLUMNS = vitals_columns({})


class EntriesView(QWidget):
    """All the patient's entries, with Correct and Withdraw for the selected one."""

    correct_requested = Signal(object)  # StoredEntry
    retract_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.model: RowTableModel[StoredEntry] = RowTableModel(entry_columns(EntryStates([])), self)
        self.view = table_view(self.model, name="chart_entries")
        layout.addWidget(self.view, 1)
        row = QHBoxLayout()
        self.correct_button = QPushButton(_("Correct…"))
        self.correct_button.setObjectName("entry_correct")
        self.retract_button = QPushButton(_("Withdraw (entered in error)…"))
        self.retract_button.setObjectName("entry_retract")
        for button in (self.correct_button, self.retract_button):
            button.setAutoDefault(False)
            row.addWidget(button)
        row.addStretch(1)
        note = QLabel(
            _(
                "Nothing is deleted: a correction is a new entry that replaces the old "
                "one, which stays visible."
            )
        )
        note.setProperty("role", "hint")
        row.addWidget(note)
        layout.addLayout(row)
        self.correct_button.clicked.connect(lambda: self._emit(self.correct_requested))
        self.retract_button.clicked.connect(lambda: self._emit(self.retract_requested))

    def set_entries(self, found: list[StoredEntry], names: dict[str, str] | None = None) -> None:
        ordered = sorted(found, key=lambda e: e.seq, reverse=True)
        self.model.set_rows(ordered, entry_columns(EntryStates(found, names)))

    def selected(self) -> StoredEntry | None:
        return self.model.row_at(self.view.currentIndex())

    def _emit(self, signal) -> None:
        entry = self.selected()
        if entry is not None and entry.effective:
            signal.emit(entry)
