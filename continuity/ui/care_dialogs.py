"""Vital signs, nursing notes and allergies learnt during the outage."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtWidgets import QComboBox, QGridLayout, QLabel, QLineEdit, QPlainTextEdit, QWidget

from continuity.core.entries import ALLERGY_CRITICALITY, AVPU, NOTE_CATEGORIES, VITAL_SIGNS
from continuity.core.i18n import _
from continuity.store import entries
from continuity.store.entry_log import StoredEntry
from continuity.ui.entry_dialog import EntryDialog, combo, text_of


def _number_text(value: Any) -> str:
    return "" if value is None else f"{value:g}".replace(".", ",")


class VitalsDialog(EntryDialog):
    """Any set of vital signs; the core refuses impossible values and flags abnormal ones."""

    def window_title(self) -> str:
        self.title = _("Vital signs")
        return super().window_title()

    def build(self) -> None:
        grid = QGridLayout()
        self.values: dict[str, QLineEdit] = {}
        for number, sign in enumerate(VITAL_SIGNS):
            edit = QLineEdit()
            edit.setObjectName(f"vital_{sign.key}")
            edit.setMaximumWidth(110)
            text = _(sign.label)
            label = QLabel(text[:1].upper() + text[1:])
            label.setBuddy(edit)
            row, column = divmod(number, 2)
            grid.addWidget(label, row, column * 3)
            grid.addWidget(edit, row, column * 3 + 1)
            grid.addWidget(QLabel(sign.unit), row, column * 3 + 2)
            self.values[sign.key] = edit
        self.avpu = QComboBox()
        self.avpu.setObjectName("vital_avpu")
        self.avpu.addItem("", None)
        words = {
            "A": _("Alert"),
            "C": _("new Confusion"),
            "V": _("responds to Voice"),
            "P": _("responds to Pain"),
            "U": _("Unresponsive"),
        }
        for letter in AVPU:
            self.avpu.addItem(f"{letter} — {words[letter]}", letter)
        row = (len(VITAL_SIGNS) + 1) // 2
        consciousness = QLabel(_("Consciousness (ACVPU)"))
        consciousness.setBuddy(self.avpu)
        grid.addWidget(consciousness, row, 0)
        grid.addWidget(self.avpu, row, 1, 1, 5)
        holder = QWidget()
        holder.setLayout(grid)
        grid.setContentsMargins(0, 0, 0, 0)
        self.form.addRow(holder)
        self.comment = QPlainTextEdit()
        self.comment.setFixedHeight(56)
        self.add_row(_("Comment"), self.comment)

    def fill(self, payload: dict[str, Any]) -> None:
        for key, edit in self.values.items():
            edit.setText(_number_text(payload.get(key)))
        if payload.get("avpu"):
            self.avpu.setCurrentIndex(self.avpu.findData(payload["avpu"]))
        self.comment.setPlainText(payload.get("comment") or "")

    def fields(self) -> dict[str, Any]:
        found: dict[str, Any] = {key: text_of(edit) for key, edit in self.values.items()}
        found["avpu"] = self.avpu.currentData()
        found["comment"] = text_of(self.comment)
        return found

    def record(self, *, at: datetime | None, confirm: bool, **fields: Any) -> StoredEntry:
        assert self.patient is not None
        return entries.record_vitals(
            self.session, patient_id=self.patient.id, at=at, confirm=confirm, **fields
        )


class NoteDialog(EntryDialog):
    def window_title(self) -> str:
        self.title = _("Nursing note")
        return super().window_title()

    def build(self) -> None:
        self.category = combo(NOTE_CATEGORIES, name="note_category")
        self.add_row(_("Kind"), self.category)
        self.text = QPlainTextEdit()
        self.text.setObjectName("note_text")
        self.text.setMinimumHeight(140)
        self.add_row(_("Note"), self.text)

    def fill(self, payload: dict[str, Any]) -> None:
        self.category.setCurrentIndex(self.category.findData(payload.get("category")))
        self.text.setPlainText(payload.get("text") or "")

    def fields(self) -> dict[str, Any]:
        return {"category": self.category.currentData(), "text": self.text.toPlainText()}

    def record(self, *, at: datetime | None, confirm: bool, **fields: Any) -> StoredEntry:
        assert self.patient is not None
        return entries.record_note(
            self.session, patient_id=self.patient.id, at=at, confirm=confirm, **fields
        )


class AllergyDialog(EntryDialog):
    def window_title(self) -> str:
        self.title = _("Allergy")
        return super().window_title()

    def build(self) -> None:
        self.substance = QLineEdit()
        self.substance.setObjectName("allergy_substance")
        self.reaction = QLineEdit()
        self.criticality = QComboBox()
        self.criticality.addItem(_("not said"), None)
        words = {"low": _("low"), "high": _("high"), "unable_to_assess": _("unable to assess")}
        for code in ALLERGY_CRITICALITY:
            self.criticality.addItem(words[code], code)
        self.add_row(_("Substance"), self.substance)
        self.add_row(_("Reaction"), self.reaction)
        self.add_row(_("Criticality"), self.criticality)

    def fill(self, payload: dict[str, Any]) -> None:
        self.substance.setText(payload.get("substance") or "")
        self.reaction.setText(payload.get("reaction") or "")
        level = (payload.get("criticality") or "").replace("-", "_") or None
        self.criticality.setCurrentIndex(max(0, self.criticality.findData(level)))

    def fields(self) -> dict[str, Any]:
        return {
            "substance": text_of(self.substance) or "",
            "reaction": text_of(self.reaction),
            "criticality": self.criticality.currentData(),
        }

    def record(self, *, at: datetime | None, confirm: bool, **fields: Any) -> StoredEntry:
        assert self.patient is not None
        return entries.record_allergy(
            self.session, patient_id=self.patient.id, at=at, confirm=confirm, **fields
        )
