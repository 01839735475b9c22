"""QR codes (every page) and Code 128 bar codes (labels), with ReportLab's own encoders.

The page QR code lets a filled-in sheet be matched back to its sheet id, patient and page at
reconciliation. ReportLab's widget picks the best of eight QR masks by trying them all, which
costs about 4 ms a code: for a 300-page batch that is more than the rest of the page. Any mask
is valid for a reader (the standard only recommends the least "penalised" one for scanning
comfort), so the matrix is built once with a fixed mask and drawn as one filled path.
"""

from __future__ import annotations

from reportlab.graphics.barcode import qrencoder
from reportlab.graphics.barcode.code128 import Code128

#: Mask 2 (vertical stripes every third column) looks least like the finder patterns.
_MASK = 2
#: The QR quiet zone, in modules, that scanners need around the code.
QUIET_ZONE = 2


def qr_matrix(payload: str) -> list[list[bool]]:
    """The dark/light modules of a QR code (level M: 15 % damage tolerated; sheets get creased)."""
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(payload)
    code.version = code.calculate_version()
    code.makeImpl(False, _MASK)
    return [[bool(m) for m in row] for row in code.modules]


def draw_qr(canvas, payload: str, x: float, y: float, size: float) -> None:
    """Draw a QR code whose outer box (quiet zone included) is `size` points square at x, y."""
    matrix = qr_matrix(payload)
    count = len(matrix)
    module = size / (count + 2 * QUIET_ZONE)
    path = canvas.beginPath()
    for r, row in enumerate(matrix):
        top = y + size - (r + QUIET_ZONE + 1) * module
        c = 0
        while c < count:
            if row[c]:
                start = c
                while c < count and row[c]:
                    c += 1
                path.rect(x + (start + QUIET_ZONE) * module, top, (c - start) * module, module)
            else:
                c += 1
    canvas.saveState()
    canvas.setFillGray(0)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()


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
