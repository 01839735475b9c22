"""The app's look in one place: state colours, symbols and the style sheet.

Every state a nurse must notice (data freshness, allergies, dose states, high-alert drugs) has
a colour AND a symbol AND a word, so nothing depends on colour alone: the screens stay usable
on a washed-out laptop panel, in black-and-white screenshots and for colour-blind staff.
Colours are light backgrounds with dark text (contrast ratio above 7:1).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QApplication, QLabel, QLayout, QSizePolicy, QSpacerItem, QWidget


@dataclass(frozen=True)
class Tone:
    """A background, a text colour and a symbol that says the same thing without colour."""

    background: str
    foreground: str
    symbol: str

    def css(self) -> str:
        return f"background-color: {self.background}; color: {self.foreground};"

    def qbackground(self) -> QColor:
        return QColor(self.background)

    def qforeground(self) -> QColor:
        return QColor(self.foreground)


OK = Tone("#d7efd9", "#0b3d16", "✔")
WARN = Tone("#ffe6a6", "#4a3200", "⚠")
DANGER = Tone("#f7c9c9", "#5c0000", "✖")
INFO = Tone("#dbe8f7", "#0d2b4e", "ℹ")
NEUTRAL = Tone("#eeeeee", "#222222", "•")
ALLERGY = Tone("#c62828", "#ffffff", "⚠")
HIGH_ALERT = Tone("#fff1c2", "#5a2d00", "▲")
DOWNTIME = Tone("#e6dcf5", "#2e1a52", "✚")

#: Freshness state (from the core) -> tone.
FRESHNESS_TONES = {"fresh": OK, "ageing": WARN, "stale": DANGER}

#: eMAR cell state (from the core) -> tone. "Future" is quiet: nothing to do yet.
MAR_TONES = {
    "given": Tone("#d7efd9", "#0b3d16", "✔"),
    "not_given": Tone("#e4e4e4", "#222222", "⊘"),
    "due": Tone("#ffe6a6", "#4a3200", "●"),
    "late": Tone("#ffc58a", "#4a1e00", "⚑"),
    "missed": Tone("#f7c9c9", "#5c0000", "✖"),
    "future": Tone("#ffffff", "#333333", "○"),
    "before_snapshot": Tone("#eeeeee", "#444444", "?"),
}

BASE_POINT_SIZE = 10

STYLE_SHEET = """
QWidget { font-size: 10pt; }
QPushButton { padding: 5px 14px; min-width: 72px; }
QPushButton:focus, QLineEdit:focus, QComboBox:focus, QTableView:focus, QTabBar::tab:focus {
    border: 2px solid #1565c0;
}
QTableView { gridline-color: #c8c8c8; selection-background-color: #1565c0;
             selection-color: #ffffff; }
QHeaderView::section { background: #eceff1; padding: 4px; border: 0;
                       border-right: 1px solid #cfd8dc; font-weight: bold; }
QTabBar::tab { padding: 6px 14px; }
QTabBar::tab:selected { font-weight: bold; }
QLabel[role="title"] { font-size: 15pt; font-weight: bold; }
QLabel[role="subtitle"] { font-size: 11pt; color: #37474f; }
QLabel[role="error"] { background: #f7c9c9; color: #5c0000; padding: 6px;
                       border: 1px solid #5c0000; }
QLabel[role="warning"] { background: #ffe6a6; color: #4a3200; padding: 6px;
                         border: 1px solid #4a3200; }
QLabel[role="hint"] { color: #455a64; }
"""


def configure(app: QApplication) -> None:
    """Apply the font and the style sheet once, at start-up."""
    font = QFont(app.font())
    font.setPointSize(BASE_POINT_SIZE)
    app.setFont(font)
    app.setStyleSheet(STYLE_SHEET)


def set_role(label: QLabel, role: str) -> None:
    """Give a label one of the style sheet's roles (title, error, warning, hint...)."""
    label.setProperty("role", role)
    label.style().unpolish(label)
    label.style().polish(label)


def message_line(name: str, role: str = "error") -> QLabel:
    """The line under a form that says, in one sentence, why the core refused it (or what it
    asks to confirm): wrapped, styled by its role, hidden until there is something to say."""
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    set_role(label, role)
    label.hide()
    return label


def paint(widget: QWidget, tone: Tone, *, border: bool = True, padding: int = 6) -> None:
    """Colour a label or frame with a tone (its text says the same thing)."""
    rule = f"border: 2px solid {tone.foreground};" if border else "border: 0;"
    widget.setStyleSheet(f"{tone.css()} {rule} padding: {padding}px;")


def hold_dialog_size(layout: QLayout, width: int) -> None:
    """A dialog never smaller than its content, and at least `width` wide.

    `QDialog.setMinimumWidth` alone stops the layout from setting the minimum height, and the
    form is then squeezed (fields drawn over each other) when a warning or a row appears.
    """
    layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
    layout.addItem(QSpacerItem(width, 0, QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Minimum))


def grow_to_fit(dialog: QWidget) -> None:
    """Make a shown dialog tall enough for its wrapped texts at its current width.

    Layouts do not pass a wrapped label's height-for-width up to a top-level window, so a
    warning that wraps onto three lines would otherwise squeeze the fields above it.
    """
    needed = dialog.heightForWidth(dialog.width())
    if needed > 0:
        dialog.setMinimumHeight(needed)
        if needed > dialog.height():
            dialog.resize(dialog.width(), needed)
