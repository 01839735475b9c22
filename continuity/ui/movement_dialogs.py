"""Patients arriving (downtime admission), moving and leaving during the outage.

The admission looks for the same person in the census as the name and birth date are typed
(the core's `likely_matches`), and shows who it finds before anyone is registered twice; the
core asks for confirmation again on Save when it still finds someone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPlainTextEdit

from continuity.core.errors import UserError
from continuity.core.i18n import _
from continuity.store import census, entries
from continuity.store.entry_log import StoredEntry
from continuity.ui.entry_dialog import EntryDialog, text_of
from continuity.ui.style import message_line


def _ward_box(session, current: str | None) -> QComboBox:
    """Known wards to choose from, or a new one typed in."""
    box = QComboBox()
    box.setEditable(True)
    for ward in census.wards(session):
        box.addItem(ward)
    box.setCurrentText(current or "")
    return box


class TransferDialog(EntryDialog):
    def window_title(self) -> str:
        self.title = _("Transfer")
        return super().window_title()

    def build(self) -> None:
        current = self.patient.ward if self.patient is not None else None
        self.ward = _ward_box(self.session, current)
        self.ward.setObjectName("transfer_ward")
        self.room = QLineEdit()
        self.bed = QLineEdit()
        self.add_row(_("Ward"), self.ward)
        self.add_row(_("Room"), self.room)
        self.add_row(_("Bed"), self.bed)

    def fill(self, payload: dict[str, Any]) -> None:
        self.ward.setCurrentText(payload.get("ward") or "")
        self.room.setText(payload.get("room") or "")
        self.bed.setText(payload.get("bed") or "")

    def fields(self) -> dict[str, Any]:
        return {
            "ward": self.ward.currentText().strip(),
            "room": text_of(self.room),
            "bed": text_of(self.bed),
        }

    def record(self, *, at: datetime | None, confirm: bool, **fields: Any) -> StoredEntry:
        assert self.patient is not None
        return entries.transfer_patient(
            self.session, patient_id=self.patient.id, at=at, confirm=confirm, **fields
        )


class DischargeDialog(EntryDialog):
    def window_title(self) -> str:
        self.title = _("Discharge")
        return super().window_title()

    def build(self) -> None:
        self.destination = QLineEdit()
        self.destination.setPlaceholderText(_("home, another hospital, nursing home…"))
        self.comment = QPlainTextEdit()
        self.comment.setMaximumHeight(70)
        self.add_row(_("Destination"), self.destination)
        self.add_row(_("Comment"), self.comment)

    def fill(self, payload: dict[str, Any]) -> None:
        self.destination.setText(payload.get("destination") or "")
        self.comment.setPlainText(payload.get("comment") or "")

    def fields(self) -> dict[str, Any]:
        return {"destination": text_of(self.destination), "comment": text_of(self.comment)}

    def record(self, *, at: datetime | None, confirm: bool, **fields: Any) -> StoredEntry:
        assert self.patient is not None
        return entries.discharge_patient(
            self.session, patient_id=self.patient.id, at=at, confirm=confirm, **fields
        )


class AdmissionDialog(EntryDialog):
    """A person arriving during the outage, under a temporary id from this laptop's block."""

    def window_title(self) -> str:
        self.title = _("Downtime admission")
        return super().window_title()

    def build(self) -> None:
        intro = QLabel(
            _(
                "Only the family name and the ward are required (an unconscious "
                "stranger is registered too). A temporary id is given on saving."
            )
        )
        intro.setWordWrap(True)
        self.form.addRow(intro)
        self.family = QLineEdit()
        self.family.setObjectName("admit_family")
        self.given = QLineEdit()
        self.given.setObjectName("admit_given")
        self.birth = QLineEdit()
        self.birth.setObjectName("admit_birth")
        self.birth.setPlaceholderText(_("dd/mm/yyyy"))
        self.sex = QComboBox()
        for code, label in (
            ("unknown", _("unknown")),
            ("female", _("female")),
            ("male", _("male")),
            ("other", _("other")),
        ):
            self.sex.addItem(label, code)
        self.ward = _ward_box(self.session, None)
        self.ward.setObjectName("admit_ward")
        self.room = QLineEdit()
        self.bed = QLineEdit()
        self.add_row(_("Family name"), self.family)
        self.add_row(_("Given name"), self.given)
        self.add_row(_("Birth date"), self.birth)
        self.add_row(_("Sex"), self.sex)
        self.add_row(_("Ward"), self.ward)
        self.add_row(_("Room"), self.room)
        self.add_row(_("Bed"), self.bed)
        self.matches = message_line("admit_matches", "warning")
        self.form.addRow(self.matches)
        for edit in (self.family, self.given, self.birth):
            edit.editingFinished.connect(self.look_for_matches)

    def look_for_matches(self) -> None:
        """Show who this may already be, while the person is being typed in."""
        family = text_of(self.family)
        if family is None:
            self.matches.hide()
            return
        try:
            found = entries.likely_matches(
                self.session,
                family,
                text_of(self.given),
                text_of(self.birth),
                self.sex.currentData(),
            )
        except UserError:
            return  # a half-typed birth date: the core says so on Save
        if not found:
            self.matches.hide()
            return
        lines = [
            f"{m.patient.display_name} — "
            f"{m.patient.birth_date.strftime('%d/%m/%Y') if m.patient.birth_date else '?'} — "
            f"{m.patient.label_id} — {m.patient.ward or ''} {m.patient.bed or ''}"
            for m in found
        ]
        self.matches.setText("⚠ " + _("May already be registered:") + "\n" + "\n".join(lines))
        self.matches.show()

    def fill(self, payload: dict[str, Any]) -> None:
        self.family.setText(payload.get("family") or "")
        self.given.setText(payload.get("given") or "")
        born = payload.get("birth_date")
        self.birth.setText("/".join(reversed(born.split("-"))) if born else "")
        self.sex.setCurrentIndex(max(0, self.sex.findData(payload.get("sex"))))
        self.ward.setCurrentText(payload.get("ward") or "")
        self.room.setText(payload.get("room") or "")
        self.bed.setText(payload.get("bed") or "")

    def fields(self) -> dict[str, Any]:
        return {
            "family": text_of(self.family) or "",
            "given": text_of(self.given),
            "birth_date": text_of(self.birth),
            "sex": self.sex.currentData(),
            "ward": self.ward.currentText().strip(),
            "room": text_of(self.room),
            "bed": text_of(self.bed),
        }

    def record(self, *, at: datetime | None, confirm: bool, **fields: Any) -> StoredEntry:
        return entries.admit_patient(self.session, at=at, confirm=confirm, **fields)
