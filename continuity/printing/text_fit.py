"""Making text fit a box on paper: wrap first, then shrink, and never cut.

A cell on a sheet has a width; a drug name or an allergy list does not care. Cutting text on a
medication record is dangerous ("Morphine 10 mg" cut to "Morphine 1"), so text is wrapped at
word boundaries, then shrunk step by step down to a legible minimum, and if it still needs
more lines than wanted the caller gets them and grows the row: a row taller than planned is a
nuisance, a hidden word is an error.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.pdfbase.pdfmetrics import stringWidth

#: Smallest type printed anywhere: still readable on a photocopy of a photocopy.
MIN_SIZE = 5.5


@dataclass(frozen=True)
class Fitted:
    lines: list[str]
    size: float
    font: str

    @property
    def leading(self) -> float:
        return round(self.size * 1.18, 2)

    @property
    def height(self) -> float:
        return self.leading * len(self.lines)


def width(text: str, font: str, size: float) -> float:
    return stringWidth(text, font, size)


def _break_word(word: str, font: str, size: float, room: float) -> list[str]:
    """A word wider than the box (a long DCI, an IPP) is split between characters."""
    pieces: list[str] = []
    while word and stringWidth(word, font, size) > room:
        cut = len(word) - 1
        while cut > 1 and stringWidth(word[:cut], font, size) > room:
            cut -= 1
        cut = max(cut, 1)  # a box narrower than one letter still moves on, one letter a line
        pieces.append(word[:cut])
        word = word[cut:]
    if word:
        pieces.append(word)
    return pieces


def _wrap(text: str, font: str, size: float, room: float) -> tuple[list[str], bool]:
    lines: list[str] = []
    broke = False
    for paragraph in text.split("\n"):
        current = ""
        for word in paragraph.split():
            candidate = f"{current} {word}" if current else word
            if stringWidth(candidate, font, size) <= room:
                current = candidate
                continue
            if current:
                lines.append(current)
            pieces = _break_word(word, font, size, room)
            broke = broke or len(pieces) > 1
            lines.extend(pieces[:-1])
            current = pieces[-1] if pieces else ""
        lines.append(current)
    while len(lines) > 1 and not lines[-1]:
        lines.pop()
    return lines or [""], broke


def wrap(text: str, font: str, size: float, room: float) -> list[str]:
    """Lines no wider than `room` (explicit newlines kept); at least one line."""
    return _wrap(text, font, size, room)[0]


def fit(
    text: str,
    font: str,
    size: float,
    room: float,
    max_lines: int = 1,
    *,
    min_size: float = MIN_SIZE,
    step: float = 0.5,
) -> Fitted:
    """The largest size, down to `min_size`, at which the text fits `max_lines` without
    splitting a word; failing that, without more lines than allowed; failing that, at
    `min_size` with as many lines as it takes."""
    current = size
    fallback: Fitted | None = None
    while True:
        lines, broke = _wrap(text, font, current, room)
        if len(lines) <= max_lines:
            if not broke:
                return Fitted(lines, current, font)
            fallback = fallback or Fitted(lines, current, font)
        if current - step < min_size:
            return fallback or Fitted(lines, current, font)
        current -= step


def fit_height(
    text: str, font: str, size: float, room: float, height: float, *, min_size: float = MIN_SIZE
) -> Fitted:
    """The largest size (down to `min_size`) at which the wrapped text fits `height`."""
    current = size
    while True:
        fitted = Fitted(wrap(text, font, current, room), current, font)
        if fitted.height <= height or current - 0.5 < min_size:
            return fitted
        current -= 0.5


def draw_lines(
    canvas, fitted: Fitted, x: float, top: float, *, align: str = "left", room: float = 0.0
) -> float:
    """Draw from `top` downwards; returns the y below the last line."""
    canvas.setFont(fitted.font, fitted.size)
    y = top - fitted.size
    for line in fitted.lines:
        if align == "center":
            canvas.drawCentredString(x + room / 2, y, line)
        elif align == "right":
            canvas.drawRightString(x + room, y, line)
        else:
            canvas.drawString(x, y, line)
        y -= fitted.leading
    return top - fitted.height
