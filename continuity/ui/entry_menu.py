"""The Record menu: a downtime admission, when the outage started, and every entry kind for
the open patient."""

from __future__ import annotations

from typing import TYPE_CHECKING

from continuity.core.entries import Kind
from continuity.core.i18n import _
from continuity.store.session import Session
from continuity.ui.chart_page import other_entry_kinds
from continuity.ui.movement_dialogs import AdmissionDialog
from continuity.ui.outage_dialog import open_outage

if TYPE_CHECKING:
    from continuity.ui.main_window import MainWindow


def build(window: MainWindow, session: Session) -> None:
    menu = window.menuBar().addMenu(_("&Record"))
    menu.setObjectName("menu_record")
    window.add_action(
        menu,
        _("Downtime admission…"),
        lambda: admit(window),
        shortcut="Ctrl+Shift+A",
        name="action_admit",
    )
    window.add_action(
        menu, _("The outage started at…"), lambda: open_outage(window), name="action_outage"
    )
    menu.addSeparator()
    kinds = [(Kind.VITALS, _("Vital signs…")), (Kind.NOTE, _("Note…")), *other_entry_kinds()]
    for kind, label in kinds:
        window.add_action(
            menu, label, lambda k=kind: for_patient(window, k), name=f"action_record_{kind}"
        )


def for_patient(window: MainWindow, kind: str) -> None:
    if window.chart_page.patient is None:
        window.warn(_("Open a patient's chart first (Ctrl+F to find the patient)."))
        return
    window.open_chart(window.chart_page.patient.id)
    window.chart_page.record(kind)


def admit(window: MainWindow) -> AdmissionDialog | None:
    if window.session is None:
        return None
    dialog = AdmissionDialog(window.session, None, window)
    dialog.saved.connect(lambda entry: window.admitted(entry.patient_id))
    dialog.open()
    return dialog
