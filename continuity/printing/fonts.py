"""The sheets' typeface: DejaVu Sans, shipped in `resources/fonts/`, never taken from the system.

The PDF core fonts (Helvetica) only cover Western European letters; patients' names do not stop
there (Łukasz, Ștefan, Gülşen). DejaVu covers every Latin script plus the few symbols the sheets
use (✓ ✗ ⚠), and is bundled with the product so a laptop without it still prints the same
sheet. Registration happens once per process.
"""

from __future__ import annotations

import functools

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from continuity.resources import resource

REGULAR = "ContinuitySans"
BOLD = "ContinuitySans-Bold"
_FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}


@functools.cache
def register_fonts() -> tuple[str, str]:
    """Register the two faces with ReportLab (idempotent); returns (regular, bold)."""
    for name, filename in _FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(resource("fonts", filename))))
    pdfmetrics.registerFontFamily(
        REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR, boldItalic=BOLD
    )
    return REGULAR, BOLD
