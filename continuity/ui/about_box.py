"""Help ▸ About: what the app is for, and the version facts IT quote when they call for help.

The facts (version, SQLCipher, Qt, build date) come from `continuity.about.about_lines`, the
same lines `continuity --version` prints.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from continuity.about import about_lines
from continuity.core.i18n import _
from continuity.ui.style import hold_dialog_size, set_role


class AboutBox(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("About Continuity"))
        layout = QVBoxLayout(self)
        hold_dialog_size(layout, 480)
        title = QLabel(_("Continuity"))
        set_role(title, "title")
        layout.addWidget(title)
        purpose = QLabel(
            _(
                "Keeps care going when the hospital's systems are down: an encrypted copy of the "
                "census, prescriptions and schedules on this laptop, paper fallbacks to print, "
                "care recorded offline and exported for reconciliation afterwards."
            )
        )
        purpose.setWordWrap(True)
        layout.addWidget(purpose)
        self.facts = QLabel("\n".join(about_lines()))
        self.facts.setObjectName("about_facts")
        self.facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.facts.setStyleSheet("font-family: monospace; background: #eceff1; padding: 8px;")
        layout.addWidget(self.facts)
        buttons = QDialogButtonBox()
        buttons.addButton(_("Close"), QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)
