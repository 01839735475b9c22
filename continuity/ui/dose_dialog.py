"""Recording a dose from the eMAR: given or not given, pre-filled from the order.

Opened from a cell, it already knows the order and the dose time; the nurse only confirms
"given" (or says why not) and saves. The dose, unit and route come from the order; typing a
different dose asks for the reason (the core says so). A high-alert drug given needs a
second person: they type their own user name and password in the witness box.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QWidget,
)

from continuity.core.entries import GIVEN, NOT_GIVEN, NOT_GIVEN_REASONS
from continuity.core.errors import BadInput
from continuity.core.i18n import _
from continuity.store import entries
from continuity.store.census import Order, Patient
from continuity.store.entry_log import StoredEntry
from continuity.store.session import Session
from continuity.ui.entry_dialog import EntryDialog, combo, describe_time, text_of
from continuity.ui.style import HIGH_ALERT, grow_to_fit


def number_text(value: float | None) -> str:
    return "" if value is None else f"{value:g}".replace(".", ",")


class DoseDialog(EntryDialog):
    title = ""

    def __init__(
        self,
        session: Session,
        patient: Patient,
        order: Order,
        scheduled: datetime | None,
        parent: QWidget | None = None,
        *,
        replacing: StoredEntry | None = None,
    ) -> None:
        self.order = order
        self.scheduled = scheduled
        super().__init__(session, patient, parent, replacing=replacing)
        self._status_changed()

    def window_title(self) -> str:
        self.title = _("Dose: {drug}").format(drug=self.order.drug)
        return super().window_title()

    def when_label(self) -> str:
        return _("Time given")

    def build(self) -> None:
        order = self.order
        drug = QLabel(("▲ " if order.high_alert else "") + order.drug)
        drug.setObjectName("dose_drug")
        drug.setStyleSheet("font-size: 13pt; font-weight: bold;")
        self.form.addRow(drug)
        ordered = " · ".join(x for x in (order.dose_text, order.route) if x)
        self.add_row(_("Ordered"), QLabel(ordered or "?"))
        if order.instructions:
            # "adapt to capillary glucose", "max 4 g / 24 h": what the dose depends on, in the
            # dialog where the dose is typed, not only in a tooltip of the eMAR.
            instructions = QLabel(order.instructions)
            instructions.setObjectName("dose_instructions")
            instructions.setWordWrap(True)
            instructions.setStyleSheet("font-weight: bold;")
            self.add_row(_("Instructions"), instructions)
        scheduled = QLabel(describe_time(self.scheduled))
        scheduled.setObjectName("dose_scheduled")
        self.add_row(_("Scheduled"), scheduled)

        status_row = QHBoxLayout()
        self.given_radio = QRadioButton(_("&Given"))
        self.given_radio.setObjectName("dose_given")
        self.not_given_radio = QRadioButton(_("&Not given"))
        self.not_given_radio.setObjectName("dose_not_given")
        self.status_group = QButtonGroup(self)
        self.status_group.addButton(self.given_radio)
        self.status_group.addButton(self.not_given_radio)
        self.given_radio.setChecked(True)
        status_row.addWidget(self.given_radio)
        status_row.addWidget(self.not_given_radio)
        status_row.addStretch(1)
        holder = QWidget()
        holder.setLayout(status_row)
        status_row.setContentsMargins(0, 0, 0, 0)
        self.add_row(_("Dose"), holder)

        self.reason_combo = combo(NOT_GIVEN_REASONS, name="dose_reason")
        self.reason_text = QLineEdit()
        self.reason_text.setPlaceholderText(_("details (required for 'other reason')"))
        self.add_row(_("Why not given"), self.reason_combo)
        self.add_row(_("Details"), self.reason_text)

        self.dose_value = QLineEdit(number_text(order.dose_value))
        self.dose_value.setObjectName("dose_value")
        self.dose_unit = QLineEdit(order.dose_unit or "")
        self.dose_unit.setObjectName("dose_unit")
        self.dose_unit.setMaximumWidth(120)
        amount = QHBoxLayout()
        amount.setContentsMargins(0, 0, 0, 0)
        amount.addWidget(self.dose_value, 1)
        amount.addWidget(self.dose_unit)
        self.amount_holder = QWidget()
        self.amount_holder.setLayout(amount)
        self.add_row(_("Amount given"), self.amount_holder)
        self.dose_change_reason = QLineEdit()
        self.dose_change_reason.setObjectName("dose_change_reason")
        self.dose_change_reason.setPlaceholderText(_("only if the amount differs from the order"))
        self.add_row(_("Why a different amount"), self.dose_change_reason)
        self.route = QLineEdit(order.route or "")
        self.site = QLineEdit()
        self.add_row(_("Route"), self.route)
        self.add_row(_("Site"), self.site)
        self.prn_reason = QLineEdit(order.prn_reason or "")
        self.prn_reason.setObjectName("dose_prn_reason")
        if order.as_needed:
            self.add_row(_("Why (as needed)"), self.prn_reason)
        self.comment = QPlainTextEdit()
        self.comment.setFixedHeight(56)
        self.add_row(_("Comment"), self.comment)

        # The witness rows sit in the dialog's own form (a nested frame with its own form
        # layout collapses when rows around it are shown or hidden).
        # Two short lines, not word wrap: a wrapped label spanning a form row gets too
        # little height in QFormLayout.
        self.witness_box = QLabel(
            "▲ "
            + _("Double check: high-alert drug.")
            + "\n"
            + _("A second person types their own user name and password.")
        )
        self.witness_box.setObjectName("witness_box")
        self.witness_box.setStyleSheet(
            f"{HIGH_ALERT.css()} border: 2px solid {HIGH_ALERT.foreground};"
            " padding: 6px; font-weight: bold;"
        )
        self.form.addRow("", self.witness_box)
        self.witness_login = QLineEdit()
        self.witness_login.setObjectName("witness_login")
        self.witness_password = QLineEdit()
        self.witness_password.setObjectName("witness_password")
        self.witness_password.setEchoMode(QLineEdit.EchoMode.Password)
        for edit in (self.witness_login, self.witness_password):
            edit.setStyleSheet(f"background: {HIGH_ALERT.background};")
        self.add_row(_("Witness's user name"), self.witness_login)
        self.add_row(_("Witness's password"), self.witness_password)

        self.given_radio.toggled.connect(self._status_changed)

    def _status_changed(self, *_args: object) -> None:
        """Show only what the chosen status needs: less to read, nothing to misfill."""
        given = self.given_radio.isChecked()
        for widget in (self.amount_holder, self.dose_change_reason, self.route, self.site):
            self.form.setRowVisible(widget, given)
        if self.order.as_needed:
            self.form.setRowVisible(self.prn_reason, given)
        self.form.setRowVisible(self.reason_combo, not given)
        self.form.setRowVisible(self.reason_text, not given)
        for widget in (self.witness_box, self.witness_login, self.witness_password):
            self.form.setRowVisible(widget, self.order.high_alert and given)
        label = self.form.labelForField(self.when_edit) if hasattr(self, "when_edit") else None
        if isinstance(label, QLabel):  # a dose not given has no "time given"
            label.setText(self.when_label() if given else _("Time it was decided"))
        if self.isVisible():
            grow_to_fit(self)

    def fill(self, payload: dict[str, Any]) -> None:
        given = payload.get("status") != NOT_GIVEN
        self.given_radio.setChecked(given)
        self.not_given_radio.setChecked(not given)
        if payload.get("reason"):
            self.reason_combo.setCurrentIndex(self.reason_combo.findData(payload["reason"]))
        self.reason_text.setText(payload.get("reason_text") or "")
        if payload.get("dose_value") is not None:
            self.dose_value.setText(number_text(payload["dose_value"]))
        self.dose_unit.setText(payload.get("dose_unit") or self.dose_unit.text())
        self.dose_change_reason.setText(payload.get("dose_change_reason") or "")
        self.route.setText(payload.get("route") or self.route.text())
        self.site.setText(payload.get("site") or "")
        self.prn_reason.setText(payload.get("prn_reason") or self.prn_reason.text())
        self.comment.setPlainText(payload.get("comment") or "")

    def fields(self) -> dict[str, Any]:
        if not self.given_radio.isChecked():
            return {
                "status": NOT_GIVEN,
                "scheduled": self.scheduled,
                "reason": self.reason_combo.currentData(),
                "reason_text": text_of(self.reason_text),
                "comment": text_of(self.comment),
            }
        order = self.order
        value = text_of(self.dose_value)
        unit = text_of(self.dose_unit)
        same = value == (number_text(order.dose_value) or None) and unit == order.dose_unit
        found: dict[str, Any] = {
            "status": GIVEN,
            "scheduled": self.scheduled,
            "dose_value": None if same else value,
            "dose_unit": None if same else unit,
            "dose_change_reason": text_of(self.dose_change_reason),
            "route": text_of(self.route),
            "site": text_of(self.site),
            "comment": text_of(self.comment),
        }
        if order.as_needed:
            found["prn_reason"] = text_of(self.prn_reason)
        return found

    def _witness(self) -> dict[str, Any]:
        if not (self.order.high_alert and self.given_radio.isChecked()):
            return {}
        login = text_of(self.witness_login)
        if login is None:
            return {}
        return {"witness": login, "witness_password": self.witness_password.text()}

    def record(self, *, at: datetime | None, confirm: bool, **fields: Any) -> StoredEntry:
        assert self.patient is not None
        return entries.record_dose(
            self.session,
            patient_id=self.patient.id,
            order_id=self.order.id,
            at=at,
            confirm=confirm,
            **self._witness(),
            **fields,
        )

    def correction_extras(self) -> dict[str, Any]:
        return self._witness()

    def submit(self, confirm: bool) -> StoredEntry:
        """`correct_entry(session, uuid, reason, **changes)` names the correction's reason
        `reason`, the same name as a not-given dose's reason code, so that code cannot be
        passed as a change. An unchanged code is left out (the core keeps the earlier one);
        a changed one is refused in words rather than crashing."""
        if self.replacing is not None and not self.given_radio.isChecked():
            earlier = self.replacing.payload
            if (
                earlier.get("status") != NOT_GIVEN
                or earlier.get("reason") != self.reason_combo.currentData()
            ):
                raise BadInput(
                    _(
                        "To change why a dose was not given, withdraw the entry and "
                        "record the dose again."
                    )
                )
            fields = self.fields()
            fields.pop("reason", None)
            at = self.when()
            if at is not None:
                fields["at"] = at
            return entries.correct_entry(
                self.session,
                self.replacing.uuid,
                text_of(self.reason_edit) or "",
                confirm=confirm,
                **fields,
            )
        return super().submit(confirm)

    def save_text(self) -> str:
        return _("Save correction") if self.replacing is not None else _("Save dose")
