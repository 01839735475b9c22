"""Who the patient is and what they are allergic to, at the top of every patient screen.

The allergy strip is the loudest thing on the screen: white on red with a warning sign and the
word ALLERGIES when there is one; and "no known allergy" (checked) is told apart from
"allergies not recorded" (nobody asked), exactly as on the printed sheets.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from continuity.core.clock import format_local
from continuity.core.i18n import _
from continuity.store.census import Allergy, Patient
from continuity.ui.census_model import sex_label
from continuity.ui.style import ALLERGY, OK, WARN, Tone


def format_date(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "?"


def identity_line(patient: Patient, today: date) -> str:
    age = patient.age(today)
    parts = [
        _("born {date}").format(date=format_date(patient.birth_date))
        + (f" ({_('{age} y').format(age=age)})" if age is not None else ""),
        sex_label(patient.sex),
        (
            _("IPP {ipp}").format(ipp=patient.ipp)
            if patient.ipp
            else _("Temporary id {id}").format(id=patient.id)
        ),
    ]
    if patient.ins:
        parts.append(_("INS {ins}").format(ins=patient.ins))
    place = " / ".join(x for x in (patient.ward, patient.room, patient.bed) if x)
    if place:
        parts.append(place)
    if patient.admitted_at:
        parts.append(_("admitted {when}").format(when=format_local(patient.admitted_at)))
    return " · ".join(parts)


def allergy_strip(status: str, allergies: list[Allergy]) -> tuple[Tone, str]:
    if allergies:
        items = []
        for a in allergies:
            text = a.substance
            if a.criticality == "high":
                text += f" ({_('high criticality')})"
            if a.reaction:
                text += f" — {a.reaction}"
            items.append(text)
        return ALLERGY, _("ALLERGIES: {list}").format(list="; ".join(items))
    if status == "none_known":
        return OK, _("No known allergy")
    return WARN, _("Allergies not recorded: ask the patient before any drug")


class PatientBanner(QFrame):
    def __init__(self, parent: QWidget | None = None, *, compact: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("patient_banner")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.name = QLabel()
        self.name.setObjectName("patient_name")
        size = 13 if compact else 17
        self.name.setStyleSheet(f"font-size: {size}pt; font-weight: bold;")
        self.identity = QLabel()
        self.identity.setObjectName("patient_identity")
        self.identity.setWordWrap(True)
        self.allergy = QLabel()
        self.allergy.setObjectName("patient_allergy")
        self.allergy.setWordWrap(True)
        self.flags = QLabel()
        self.flags.setObjectName("patient_flags")
        self.flags.setWordWrap(True)
        layout.addWidget(self.name)
        layout.addWidget(self.identity)
        layout.addWidget(self.allergy)
        layout.addWidget(self.flags)

    def show_patient(self, patient: Patient, allergies: list[Allergy], today: date) -> None:
        self.name.setText(patient.display_name)
        self.identity.setText(identity_line(patient, today))
        tone, text = allergy_strip(patient.allergy_status, allergies)
        self.allergy.setText(f"{tone.symbol} {text}")
        weight = "bold"
        size = "13pt" if tone is ALLERGY else "11pt"
        self.allergy.setStyleSheet(
            f"{tone.css()} border: 2px solid {tone.foreground}; padding: 6px;"
            f" font-weight: {weight}; font-size: {size};"
        )
        flags = []
        if patient.temporary:
            flags.append(
                "✚ " + _("Downtime admission (temporary id): to be matched after the outage")
            )
        if patient.absent_from_snapshot:
            flags.append(_("Absent from the latest snapshot"))
        if patient.discharged:
            flags.append(_("Discharged"))
        self.flags.setText(" · ".join(flags))
        self.flags.setVisible(bool(flags))
        if flags:
            self.flags.setStyleSheet(
                "background: #e6dcf5; color: #2e1a52; padding: 4px; border: 1px solid #2e1a52;"
            )
