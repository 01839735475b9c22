"""Paper prescriptions transcribed, infusions, and lines or devices.

Lists of running infusions and inserted lines come from the patient's entries (the core's
log); the dialogs name the one being changed by its start or insertion entry, as the core
asks.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QWidget,
)

from continuity.core.clock import format_local
from continuity.core.entries import LINE_KINDS, Kind, timing_at_times, timing_every_hours
from continuity.core.i18n import _
from continuity.store import entries
from continuity.store.entry_log import StoredEntry
from continuity.ui.entry_dialog import EntryDialog, combo, from_qdatetime, text_of

EVERY_HOURS = (1, 2, 3, 4, 6, 8, 12, 24)


def _radio_row(*labels: str) -> tuple[QWidget, list[QRadioButton]]:
    holder = QWidget()
    row = QHBoxLayout(holder)
    row.setContentsMargins(0, 0, 0, 0)
    group = QButtonGroup(holder)
    buttons = []
    for label in labels:
        button = QRadioButton(label)
        group.addButton(button)
        row.addWidget(button)
        buttons.append(button)
    row.addStretch(1)
    buttons[0].setChecked(True)
    return holder, buttons


class ManualOrderDialog(EntryDialog):
    """A prescription written on paper by a prescriber during the outage, transcribed."""

    def window_title(self) -> str:
        self.title = _("Handwritten order")
        return super().window_title()

    def when_label(self) -> str:
        return _("Written at")

    def build(self) -> None:
        self.drug = QLineEdit()
        self.drug.setObjectName("order_drug")
        self.dose_value = QLineEdit()
        self.dose_value.setObjectName("order_dose")
        self.dose_unit = QLineEdit()
        self.dose_unit.setObjectName("order_unit")
        self.route = QLineEdit()
        amount = QWidget()
        row = QHBoxLayout(amount)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.dose_value, 1)
        row.addWidget(self.dose_unit)
        self.add_row(_("Drug"), self.drug)
        self.add_row(_("Dose and unit"), amount)
        self.add_row(_("Route"), self.route)
        holder, (self.at_times, self.every, self.prn) = _radio_row(
            _("at set times"), _("every N hours"), _("as needed")
        )
        self.add_row(_("Schedule"), holder)
        self.times = QLineEdit()
        self.times.setObjectName("order_times")
        self.times.setPlaceholderText(_("e.g. 08:00, 12:00, 18:00"))
        self.add_row(_("Times"), self.times)
        self.hours = QComboBox()
        for hours in EVERY_HOURS:
            self.hours.addItem(_("every {n} h").format(n=hours), hours)
        self.add_row(_("Interval"), self.hours)
        self.prn_reason = QLineEdit()
        self.add_row(_("If (as needed)"), self.prn_reason)
        self.instructions = QLineEdit()
        self.add_row(_("Instructions"), self.instructions)
        self.prescriber = QLineEdit()
        self.prescriber.setObjectName("order_prescriber")
        self.rpps = QLineEdit()
        self.paper_ref = QLineEdit()
        self.paper_ref.setObjectName("order_paper_ref")
        self.paper_ref.setPlaceholderText(_("number or reference written on the paper sheet"))
        self.high_alert = QCheckBox(_("High-alert drug (witness needed for each dose)"))
        self.add_row(_("Prescriber"), self.prescriber)
        self.add_row(_("Prescriber's RPPS"), self.rpps)
        self.add_row(_("Paper reference"), self.paper_ref)
        self.form.addRow(self.high_alert)
        for button in (self.at_times, self.every, self.prn):
            button.toggled.connect(self._schedule_changed)
        self._schedule_changed()

    def _schedule_changed(self, *_args: object) -> None:
        self.times.setEnabled(self.at_times.isChecked())
        self.hours.setEnabled(self.every.isChecked())
        self.prn_reason.setEnabled(self.prn.isChecked())

    def fill(self, payload: dict[str, Any]) -> None:
        self.drug.setText(payload.get("drug") or "")
        value = payload.get("dose_value")
        self.dose_value.setText("" if value is None else f"{value:g}".replace(".", ","))
        self.dose_unit.setText(payload.get("dose_unit") or "")
        self.route.setText(payload.get("route") or "")
        repeat = (payload.get("timing") or {}).get("repeat") or {}
        if payload.get("as_needed"):
            self.prn.setChecked(True)
        elif repeat.get("timeOfDay"):
            self.at_times.setChecked(True)
            self.times.setText(", ".join(t[:5] for t in repeat["timeOfDay"]))
        elif repeat.get("periodUnit") == "h":
            self.every.setChecked(True)
            self.hours.setCurrentIndex(max(0, self.hours.findData(int(repeat["period"]))))
        self.prn_reason.setText(payload.get("prn_reason") or "")
        self.instructions.setText(payload.get("instructions") or "")
        self.prescriber.setText(payload.get("prescriber_name") or "")
        self.rpps.setText(payload.get("prescriber_rpps") or "")
        self.paper_ref.setText(payload.get("paper_ref") or "")
        self.high_alert.setChecked(bool(payload.get("high_alert")))

    def fields(self) -> dict[str, Any]:
        timing = None
        if self.at_times.isChecked():
            timing = timing_at_times([t for t in (self.times.text() or "").split(",") if t.strip()])
        elif self.every.isChecked():
            timing = timing_every_hours(self.hours.currentData())
        return {
            "drug": text_of(self.drug) or "",
            "dose_value": text_of(self.dose_value) or "",
            "dose_unit": text_of(self.dose_unit) or "",
            "route": text_of(self.route),
            "instructions": text_of(self.instructions),
            "timing": timing,
            "as_needed": self.prn.isChecked(),
            "prn_reason": text_of(self.prn_reason) if self.prn.isChecked() else None,
            "prescriber_name": text_of(self.prescriber) or "",
            "prescriber_rpps": text_of(self.rpps),
            "paper_ref": text_of(self.paper_ref) or "",
            "high_alert": self.high_alert.isChecked(),
            "start": from_qdatetime(self.when_edit.dateTime()),
        }

    def record(self, *, at: datetime | None, confirm: bool, **fields: Any) -> StoredEntry:
        assert self.patient is not None
        return entries.record_manual_order(
            self.session, patient_id=self.patient.id, at=at, confirm=confirm, **fields
        )


def _open_entries(
    session, patient_id: str, kind: str, opening: str, closing: str, link: str
) -> list[StoredEntry]:
    """Starts (insertions) of the patient's infusions (lines) with no stop (removal) yet."""
    found = entries.list_entries(session, patient_id, kinds=[kind], effective_only=True)
    closed = {e.payload.get(link) for e in found if e.payload.get("action") == closing}
    return [e for e in found if e.payload.get("action") == opening and e.uuid not in closed]


class InfusionDialog(EntryDialog):
    def window_title(self) -> str:
        self.title = _("Infusion")
        return super().window_title()

    def build(self) -> None:
        holder, (self.start, self.rate_change, self.stop) = _radio_row(
            _("started"), _("rate changed"), _("stopped")
        )
        self.add_row(_("Infusion"), holder)
        self.running = QComboBox()
        self.running.setObjectName("infusion_running")
        assert self.patient is not None
        for entry in _open_entries(
            self.session, self.patient.id, Kind.INFUSION, "start", "stop", "infusion"
        ):
            p = entry.payload
            self.running.addItem(
                f"{p.get('solution', '')} {p.get('additive') or ''} — "
                f"{format_local(entry.clinical_time)}".replace("  ", " "),
                entry.uuid,
            )
        self.add_row(_("Which infusion"), self.running)
        self.solution = QLineEdit()
        self.solution.setObjectName("infusion_solution")
        self.additive = QLineEdit()
        self.rate = QLineEdit()
        self.rate.setObjectName("infusion_rate")
        self.volume = QLineEdit()
        self.volume_infused = QLineEdit()
        self.comment = QPlainTextEdit()
        self.comment.setFixedHeight(56)
        self.add_row(_("Solution"), self.solution)
        self.add_row(_("Additive"), self.additive)
        self.add_row(_("Rate (mL/h)"), self.rate)
        self.add_row(_("Volume (mL)"), self.volume)
        self.add_row(_("Volume infused (mL)"), self.volume_infused)
        self.add_row(_("Comment"), self.comment)
        for button in (self.start, self.rate_change, self.stop):
            button.toggled.connect(self._action_changed)
        self._action_changed()

    def _action(self) -> str:
        if self.rate_change.isChecked():
            return "rate_change"
        return "stop" if self.stop.isChecked() else "start"

    def _action_changed(self, *_args: object) -> None:
        action = self._action()
        self.running.setEnabled(action != "start")
        for widget in (self.solution, self.additive, self.volume):
            widget.setEnabled(action == "start")
        self.rate.setEnabled(action != "stop")
        self.volume_infused.setEnabled(action == "stop")

    def fill(self, payload: dict[str, Any]) -> None:
        action = payload.get("action")
        {"start": self.start, "rate_change": self.rate_change, "stop": self.stop}.get(
            action, self.start
        ).setChecked(True)
        if payload.get("infusion"):
            index = self.running.findData(payload["infusion"])
            if index < 0:
                self.running.addItem(payload["infusion"], payload["infusion"])
                index = self.running.count() - 1
            self.running.setCurrentIndex(index)
        for key, edit in (
            ("solution", self.solution),
            ("additive", self.additive),
            ("rate", self.rate),
            ("volume", self.volume),
            ("volume_infused", self.volume_infused),
        ):
            value = payload.get(key)
            edit.setText("" if value is None else str(value).replace(".", ","))
        self.comment.setPlainText(payload.get("comment") or "")

    def fields(self) -> dict[str, Any]:
        action = self._action()
        found: dict[str, Any] = {"action": action, "comment": text_of(self.comment)}
        if action == "start":
            found.update(
                solution=text_of(self.solution),
                additive=text_of(self.additive),
                rate=text_of(self.rate),
                volume=text_of(self.volume),
            )
        else:
            found["infusion"] = self.running.currentData()
            if action == "rate_change":
                found["rate"] = text_of(self.rate)
            else:
                found["volume_infused"] = text_of(self.volume_infused)
        return found

    def record(self, *, at: datetime | None, confirm: bool, **fields: Any) -> StoredEntry:
        assert self.patient is not None
        return entries.record_infusion(
            self.session, patient_id=self.patient.id, at=at, confirm=confirm, **fields
        )


class LineDialog(EntryDialog):
    def window_title(self) -> str:
        self.title = _("Line or device")
        return super().window_title()

    def build(self) -> None:
        holder, (self.inserted, self.removed) = _radio_row(_("inserted"), _("removed"))
        self.add_row(_("Action"), holder)
        self.line_kind = combo(LINE_KINDS, name="line_kind")
        self.add_row(_("Kind"), self.line_kind)
        self.site = QLineEdit()
        self.site.setObjectName("line_site")
        self.add_row(_("Site"), self.site)
        self.existing = QComboBox()
        self.existing.addItem(_("not said"), None)
        assert self.patient is not None
        for entry in _open_entries(
            self.session, self.patient.id, Kind.LINE, "inserted", "removed", "line"
        ):
            p = entry.payload
            label = _(LINE_KINDS.get(p.get("line_kind"), "other device"))
            self.existing.addItem(
                f"{label} — {p.get('site') or ''} — {format_local(entry.clinical_time)}", entry.uuid
            )
        self.add_row(_("Which one (removal)"), self.existing)
        self.comment = QPlainTextEdit()
        self.comment.setFixedHeight(56)
        self.add_row(_("Comment"), self.comment)
        self.removed.toggled.connect(lambda on: self.existing.setEnabled(on))
        self.existing.setEnabled(False)

    def fill(self, payload: dict[str, Any]) -> None:
        (self.removed if payload.get("action") == "removed" else self.inserted).setChecked(True)
        self.line_kind.setCurrentIndex(max(0, self.line_kind.findData(payload.get("line_kind"))))
        self.site.setText(payload.get("site") or "")
        self.comment.setPlainText(payload.get("comment") or "")

    def fields(self) -> dict[str, Any]:
        removed = self.removed.isChecked()
        return {
            "action": "removed" if removed else "inserted",
            "line_kind": self.line_kind.currentData(),
            "site": text_of(self.site),
            "line": self.existing.currentData() if removed else None,
            "comment": text_of(self.comment),
        }

    def record(self, *, at: datetime | None, confirm: bool, **fields: Any) -> StoredEntry:
        assert self.patient is not None
        return entries.record_line(
            self.session, patient_id=self.patient.id, at=at, confirm=confirm, **fields
        )
