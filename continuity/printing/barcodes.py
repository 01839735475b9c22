"""QR codes (every page) and Code 128 bar codes (labels), with ReportLab's own encoders.

The page QR code lets a filled-in sheet be matched back to its sheet id, patient and page at
reconciliation. ReportLab's widget picks the best of eight QR masks by trying them all, which
costs about 4 ms a code: for a 300-page batch that is more than the rest of the page. Any mask
is valid for a reader (the standard only recommends the least "penalised" one for scanning
comfort), so the matrix is built once with a fixed mask and drawn as one filled path.

A code is only as good as its smallest module once printed and scanned back: a ward sheet goes
through a 150 dpi office scan or a photocopy, where modules under about 1.25 pt (2.6 pixels)
stop being read every time (tests/test_printing_qr_scan.py decodes real pages with zbar). So
the modules fill the whole room the page gives the code, the quiet zone a reader needs around
it being the page's own blank paper, which the caller keeps clear (a quiet zone drawn inside
the room only shrank the modules); and error correction is M unless that makes the modules too
small, in which case L (a patient id from a real import is a 36-character UUID: at M the footer
code needs version 5, whose 1.1 pt modules failed one 150 dpi scan in four).
"""

from __future__ import annotations

from reportlab.graphics.barcode import qrencoder
from reportlab.graphics.barcode.code128 import Code128

#: Mask 2 (vertical stripes every third column) looks least like the finder patterns.
_MASK = 2
#: The smallest module, in points, that a 150 dpi scan reads reliably (2.6 pixels).
MIN_MODULE = 1.25
_LEVELS = qrencoder.QRErrorCorrectLevel
#: Error correction levels, weakest first (L 7 %, M 15 %, Q 25 %, H 30 % of damage).
_BY_STRENGTH = (_LEVELS.L, _LEVELS.M, _LEVELS.Q, _LEVELS.H)


def _code(payload: str, level: int) -> qrencoder.QRCode:
    code = qrencoder.QRCode(None, level)
    code.addData(payload)
    code.version = code.calculate_version()
    return code


def qr_matrix(payload: str, size: float | None = None) -> list[list[bool]]:
    """The dark/light modules of a QR code for a square of `size` points.

    Level M (15 % damage tolerated; sheets get creased), or L when M would need a version whose
    modules are under `MIN_MODULE` in that square: a code too fine to scan is lost whole. Then
    the level is raised as far as the same version allows, since that costs no module size.
    """
    code = _code(payload, _LEVELS.M)
    if size is not None and size / (code.version * 4 + 17) < MIN_MODULE:
        code = _code(payload, _LEVELS.L)
    for stronger in _BY_STRENGTH[_BY_STRENGTH.index(code.errorCorrectLevel) + 1 :]:
        trial = _code(payload, stronger)
        if trial.version != code.version:
            break
        code = trial
    code.makeImpl(False, _MASK)
    return [[bool(m) for m in row] for row in code.modules]


def draw_qr(canvas, payload: str, x: float, y: float, size: float) -> float:
    """Draw a QR code whose modules fill `size` points square at x, y; returns the module size.

    No quiet zone is drawn: the caller leaves blank paper around the square, a few modules of
    the returned size (the standard asks for 4; zbar reads the codes with 2 under a thin rule)."""
    matrix = qr_matrix(payload, size)
    count = len(matrix)
    module = size / count
    path = canvas.beginPath()
    for r, row in enumerate(matrix):
        top = y + size - (r + 1) * module
        c = 0
        while c < count:
            if row[c]:
                start = c
                while c < count and row[c]:
                    c += 1
                path.rect(x + start * module, top, (c - start) * module, module)
            else:
                c += 1
    canvas.saveState()
    canvas.setFillGray(0)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()
    return module


def draw_code128(canvas, value: str, x: float, y: float, width: float, height: float) -> None:
    """A Code 128 bar code stretched to `width` (hospital scanners read IPPs and temporary
    ids in Code 128); the bars are never narrower than the printer can resolve."""
    probe = Code128(value, barHeight=height, barWidth=1.0, quiet=False)
    bar_width = max(0.5, min(1.2, width / max(probe.width, 1.0)))
    code = Code128(value, barHeight=height, barWidth=bar_width, quiet=False)
    code.drawOn(canvas, x + max(0.0, (width - code.width) / 2), y)


def code128_fits(value: str, width: float) -> bool:
    """Whether the bar code can be printed at a scannable bar width in this room."""
    return Code128(value, barHeight=10, barWidth=0.5, quiet=False).width <= width
