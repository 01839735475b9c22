"""How fast the paper comes out: MAR batches from the 5,000-patient demo vs a bare canvas.

    .venv/bin/python benchmarks/bench_printing.py [--patients 5000] [--batch 300]

Builds the demo clinic (FHIR Bulk Data, `continuity.demo.hospital`), imports it into a real
encrypted cache (`continuity.fhir.importer`), then measures in the same run:

- the 300-patient 24 h MAR batch (`render_sheet`): time, pages per second, peak Python memory;
- a bare ReportLab canvas drawing the same number of pages with the same grid, fonts, header
  and footer text but no data access, no layout and no QR code: the floor of what drawing
  costs on this machine, and the ratio to it;
- a 30-patient ward batch (what a nurse waits for) and the time to the first page of the
  300-patient batch streamed with `iter_sheet` (when the printer can start).

Targets (issue 4): 30 patients < 1 s, 300 patients < 5 s, within 3x of the bare canvas.
The demo snapshot and the cache live in a temporary folder removed at the end (synthetic
patients only); the PDFs stay in memory.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen.canvas import Canvas

from continuity.core.clock import FixedClock
from continuity.demo.hospital import write_demo_snapshot
from continuity.fhir.importer import import_snapshot
from continuity.printing.fonts import BOLD, REGULAR, register_fonts
from continuity.printing.render import iter_sheet, render_sheet
from continuity.printing.request import SheetKind, SheetRequest
from continuity.store import census
from continuity.store.cache import create_cache, login

PASSWORD = "Bench-Printing-Tango-1"


def bare_canvas(pages: int, rows: int = 10) -> tuple[float, int]:
    """The same page drawn with no data: title, identity, grid of `rows` x 24, footer."""
    register_fonts()
    width, height = landscape(A4)
    start = time.perf_counter()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(width, height), pageCompression=1)
    for _ in range(pages):
        canvas.setFont(BOLD, 12)
        canvas.drawString(24, height - 34, "Feuille d'administration des médicaments")
        canvas.setFont(BOLD, 13)
        canvas.drawString(24, height - 60, "DUPONT Jean")
        canvas.setFont(REGULAR, 8.5)
        canvas.drawString(24, height - 72, "né(e) le 14/03/1948 (78 ans) · sexe M · IPP 100001")
        canvas.rect(470, height - 90, 348, 50)
        top = height - 100
        grid_left = 24 + 270
        col = (width - 24 - grid_left) / 24
        canvas.rect(24, top - 24, width - 48, 24)
        canvas.setFont(BOLD, 8)
        for h in range(24):
            canvas.drawCentredString(grid_left + (h + 0.5) * col, top - 15, f"{h:02d}")
        y = top - 24
        for r in range(rows):
            canvas.setFillGray(0.86)
            canvas.rect(grid_left, y - 30, width - 24 - grid_left, 30, stroke=0, fill=1)
            canvas.setFillGray(0)
            canvas.rect(24, y - 30, width - 48, 30)
            canvas.lines([(grid_left + i * col, y, grid_left + i * col, y - 30) for i in range(24)])
            canvas.setFont(BOLD, 8)
            canvas.drawString(29, y - 10, f"Paracétamol 1 g, comprimé {r}")
            canvas.setFont(REGULAR, 7)
            canvas.drawString(29, y - 19, "1 g · voie orale")
            canvas.drawString(297, y - 10, "4 fois par jour")
            canvas.setFont(BOLD, 6)
            for h in (0, 6, 12, 18):
                canvas.drawCentredString(grid_left + (h + 0.5) * col, y - 8, f"{h:02d}:00")
            y -= 30
        canvas.setFont(BOLD, 8)
        canvas.drawString(68, 48, "COPIE DE CONTINUITÉ — données au 28/11/2026 09:00")
        canvas.setFont(REGULAR, 6.5)
        canvas.drawString(68, 38, "Imprimé par Nadia Infirmière sur SAGESSE-3A-PC1")
        canvas.drawRightString(width - 24, 45, "Page 1 / 1")
        canvas.showPage()
    canvas.save()
    return time.perf_counter() - start, len(buffer.getvalue())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=5000)
    parser.add_argument("--batch", type=int, default=300)
    args = parser.parse_args()
    as_of = datetime(2026, 11, 28, 7, 0, tzinfo=UTC)
    clock = FixedClock(as_of + timedelta(hours=1))
    with tempfile.TemporaryDirectory(prefix="continuity-bench-") as tmp:
        folder = Path(tmp)
        t = time.perf_counter()
        write_demo_snapshot(folder / "snapshot", patients=args.patients, as_of=as_of)
        db = folder / "bench.db"
        create_cache(
            db,
            device_name="BENCH-PC1",
            admin_login="bench.it",
            admin_password=PASSWORD,
            site_name="Clinique de démonstration",
            clock=clock,
        )
        with login(db, "bench.it", PASSWORD, clock=clock) as session:
            import_snapshot(session, folder / "snapshot")
            print(
                f"demo of {args.patients} patients written and imported in "
                f"{time.perf_counter() - t:.1f} s (not part of the figures below)"
            )
            everyone = census.list_patients(session)
            batch = tuple(p.id for p in everyone[: args.batch])
            wards = {}
            for p in everyone:
                wards.setdefault(p.ward, []).append(p.id)
            ward_ids = next((ids for ids in wards.values() if len(ids) >= 30), batch)[:30]

            render_sheet(session, SheetRequest(SheetKind.MAR, patient_ids=batch[:3]))  # warm-up
            t = time.perf_counter()
            small = render_sheet(session, SheetRequest(SheetKind.MAR, patient_ids=ward_ids))
            small_time = time.perf_counter() - t

            t = time.perf_counter()
            big = render_sheet(session, SheetRequest(SheetKind.MAR, patient_ids=batch))
            big_time = time.perf_counter() - t

            t = time.perf_counter()
            chunks = iter_sheet(session, SheetRequest(SheetKind.MAR, patient_ids=batch))
            next(chunks)
            first_page = time.perf_counter() - t
            chunks.close()

            tracemalloc.start()
            render_sheet(session, SheetRequest(SheetKind.MAR, patient_ids=batch))
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()

        bare_time, bare_size = bare_canvas(big.pages)
    ratio = big_time / bare_time
    print(
        f"30-patient ward MAR: {small.pages} pages in {small_time:.2f} s "
        f"(target < 1 s) {'OK' if small_time < 1 else 'MISSED'}"
    )
    print(
        f"{len(batch)}-patient MAR batch: {big.pages} pages in {big_time:.2f} s, "
        f"{big.pages / big_time:.0f} pages/s, {len(big.pdf) / 1e6:.1f} MB "
        f"(target < 5 s) {'OK' if big_time < 5 else 'MISSED'}"
    )
    print(
        f"bare canvas, same {big.pages} pages, no data: {bare_time:.2f} s, "
        f"{big.pages / bare_time:.0f} pages/s, {bare_size / 1e6:.1f} MB"
    )
    print(f"ratio to bare canvas: {ratio:.2f}x (target < 3x) {'OK' if ratio < 3 else 'MISSED'}")
    print(
        f"time to the first page of the {len(batch)}-patient batch (iter_sheet): {first_page:.2f} s"
    )
    print(f"peak Python memory while rendering the batch: {peak / 1e6:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
