"""The review report the clinical lead signs after a merge, read back as printed: an accepted
conflict reads as accepted (not blocking), nothing runs out of its table cell at A4, the
sign-off block never stands alone on a page, and counts agree with their number in English
and French ("1 saisie retenue", "la dose du 28/11/2026 …")."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.pdfbase.pdfmetrics import stringWidth

from continuity.cli.reconcile_cmd import totals_line
from continuity.core import i18n
from continuity.core.clock import FixedClock
from continuity.printing.fonts import BOLD, REGULAR, register_fonts
from continuity.reconcile.conflicts import Conflict
from continuity.reconcile.merge import merge_packages
from continuity.reconcile.merge_index import Gap
from continuity.reconcile.review_report import (
    EntrySide,
    PackageLine,
    ReviewData,
    gap_text,
    review_pdf,
)
from tests.reconcile_helpers import (
    PASSPHRASE,
    admit,
    fast_export_kdf,  # noqa: F401 - autouse fixture
    give,
    second_laptop,
    vitals,
)

#: A long laptop name: two cloned laptops of a ward both carry it.
LAPTOP = "SAGESSE-CARDIOLOGIE-PC12"


def merge(paths, out, **kw):
    return merge_packages(
        paths, [PASSPHRASE], out, clock=FixedClock(datetime(2026, 11, 28, 12, 0, tzinfo=UTC)), **kw
    )


def pdf_text(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def csv_rows(result) -> list[list[str]]:
    text = result.files["review_csv"].read_text("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


@pytest.fixture
def cloned_ward(tmp_path, clock):
    """Two laptops made from one image (same long name): both gave the 08:00 amoxicillin, and
    both admitted a different person under the same temporary id."""
    laptops = []
    for n in (1, 2):
        (tmp_path / f"pc{n}").mkdir()
        laptops.append(second_laptop(tmp_path / f"pc{n}", clock, name=LAPTOP))
    with laptops[0].login() as nurse:
        give(nurse, at="2026-11-28T08:02")
        durand = admit(nurse, family="DURAND", given="Paul", birth_date="1940-02-03")
        vitals(nurse, patient=durand.patient_id, hr=64)
    with laptops[1].login() as nurse:
        give(nurse, at="2026-11-28T08:10")
        admit(nurse, family="NGUYEN", given="Linh", birth_date="1999-06-07", sex="female")
    return [laptop.export(tmp_path / f"pc{n}.ccx").path for n, laptop in enumerate(laptops, 1)]


# -- 1. an accepted conflict does not read as blocking ------------------------------------------
def test_a_double_dose_the_lead_accepted_reads_as_accepted_in_the_pdf_and_the_csv(
    cloned_ward, tmp_path
):
    first = merge(cloned_ward, tmp_path / "out")
    (dose,) = [c for c in first.conflicts if c.kind == "double_dose"]
    (people,) = [c for c in first.conflicts if c.kind == "temporary_patient"]

    again = merge(cloned_ward, tmp_path / "out2", accept=[dose.id, people.id])

    text = " ".join(" ".join(pdf_text(again.files["review_pdf"])).split())
    heading = text.split(dose.id, 1)[1].split(".", 1)[0]
    assert "accepté après revue" in heading and "bloquant" not in heading
    # Two people under one id cannot be waved through: that one still blocks, and says why.
    heading = text.split(people.id, 1)[1].split(".", 1)[0]
    assert "bloquant" in heading and "accepté après revue" not in heading
    assert f"Acceptés après revue : {dose.id} " in text
    assert f"sans effet (le conflit ne peut pas être accepté) : {people.id}" in text
    rows = csv_rows(again)
    assert rows[0][3] == "statut"
    assert {r[3] for r in rows if r[1] == dose.id} == {
        "accepté après revue : inclus dans le bundle"
    }
    assert {r[3] for r in rows if r[1] == people.id} == {
        "bloquant : l'acceptation est sans effet sur ce conflit"
    }

    # Before the lead's decision the same conflict is plainly blocking.
    before = " ".join(" ".join(pdf_text(first.files["review_pdf"])).split())
    assert "(bloquant)" in before.split(dose.id, 1)[1].split(".", 1)[0]
    assert {r[3] for r in csv_rows(first) if r[1] == dose.id} == {"bloquant"}


def test_a_side_accepted_by_entry_id_leaves_the_conflict_blocking_and_says_which_side(
    cloned_ward, tmp_path
):
    first = merge(cloned_ward, tmp_path / "out")
    (dose,) = [c for c in first.conflicts if c.kind == "double_dose"]

    again = merge(cloned_ward, tmp_path / "out2", accept=[dose.uuids[0]])

    statuses = {r[6]: r[3] for r in csv_rows(again) if r[1] == dose.id}
    assert statuses[dose.uuids[0]] == "accepté après revue : inclus dans le bundle"
    assert statuses[dose.uuids[1]] == "bloquant"


# -- 2. nothing runs out of its cell -----------------------------------------------------------
def _times(a: list[float], b: list[float]) -> list[float]:
    return [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]


def text_across_rules(path: Path) -> list[tuple[int, str]]:
    """Every piece of text drawn across a vertical table rule: what a reader sees as a word
    running into the next column. Rules are the vertical `m … l` segments of the page, text
    runs are measured with the report's own fonts."""
    register_fonts()
    found: list[tuple[int, str]] = []
    for number, page in enumerate(PdfReader(path).pages, 1):
        runs: list[tuple[float, float, float, str]] = []
        rules: list[tuple[float, float, float]] = []
        start: list[tuple[float, float]] = []

        def operator(op, args, cm, tm, rules=rules, start=start):
            if op in (b"m", b"l"):
                x = float(args[0]) * cm[0] + cm[4]
                y = float(args[1]) * cm[3] + cm[5]
                if op == b"l" and start and abs(x - start[-1][0]) < 0.01:
                    rules.append((x, min(y, start[-1][1]), max(y, start[-1][1])))
                start.append((x, y))

        def text(t, cm, tm, font, size, runs=runs):
            t = t.strip()
            if not t:
                return
            m = _times(tm, cm)
            face = BOLD if font and "Bold" in str(font.get("/BaseFont", "")) else REGULAR
            runs.append((m[4], m[4] + stringWidth(t, face, size * m[0]), m[5], t))

        page.extract_text(visitor_operand_before=operator, visitor_text=text)
        found += [
            (number, t)
            for x0, x1, y, t in runs
            for x, low, high in rules
            if low <= y <= high and x0 + 0.3 < x < x1 - 0.3
        ]
    return found


def test_long_laptop_names_and_temporary_ids_stay_inside_their_cells(cloned_ward, tmp_path):
    result = merge(cloned_ward, tmp_path / "out")
    assert [c.kind for c in result.conflicts].count("temporary_patient") == 1

    assert text_across_rules(result.files["review_pdf"]) == []
    # Wrapped at their hyphens, not cut: the whole name and id are still there to read.
    text = "".join("".join(pdf_text(result.files["review_pdf"])).split())
    assert f"{LAPTOP}/1" in text
    assert f"(DT-{LAPTOP}-0001)" in text


def test_an_id_without_hyphens_wider_than_its_column_is_broken_not_spilled(tmp_path):
    side = EntrySide(
        uuid="u1",
        device="PORTABLESANSTIRETDUSERVICEDECARDIOLOGIE",
        seq=12345,
        kind="dose",
        patient="DT-X-" + "9" * 40,
        clinical="28/11/2026 08:00",
        recorded="28/11/2026 08:05",
        author="Marie-Charlotte de La Rochefoucauld-Montmorency",
        summary="Amoxicilline " + "x" * 120,
    )
    conflict = Conflict("C-1", "double_dose", True, ["u1", "missing-side"], "Two doses.")
    path = tmp_path / "review.pdf"
    path.write_bytes(review_pdf(_data([conflict], {"u1": side})))

    assert text_across_rules(path) == []


# -- 3. the sign-off block never stands alone ----------------------------------------------------
def _data(conflicts: list[Conflict], sides: dict[str, EntrySide], unmapped=None) -> ReviewData:
    return ReviewData(
        created_at=datetime(2026, 11, 28, 19, 35, tzinfo=UTC),
        packages=[
            PackageLine("pc1.ccx", LAPTOP, "p1", 1, 6, 6, "28/11/2026 19:33", "Camille", "-"),
        ],
        totals={"read": 6, "unique": 6, "held_back": 1},
        gaps=[],
        conflicts=conflicts,
        sides=sides,
        unmapped=unmapped or {},
        unknown_mapping=[],
        held_reasons={"conflit à examiner": 1},
        accepted=[],
    )


def test_the_sign_off_is_always_on_a_page_with_the_last_section_and_a_summary(tmp_path):
    pages_seen = set()
    for n in range(1, 60):
        unmapped = {f"DT-{LAPTOP}-{i:04d}": 1 for i in range(n)}
        pdf = tmp_path / f"r{n}.pdf"
        pdf.write_bytes(review_pdf(_data([], {}, unmapped)))
        pages = pdf_text(pdf)
        (signing,) = [p for p in pages if "Validation" in p]
        pages_seen.add(len(pages))
        assert "Retenu" in signing, f"{n} temporary ids: the sign-off stands alone"
        assert "Réconciliation fusionnée le 28/11/2026 20:35" in signing
        assert "1 saisie retenue" in signing
        if pages.index(signing) > 0:
            assert "Rapport de revue de la réconciliation — fusion du 28/11/2026 20:35" in signing
    assert pages_seen >= {1, 2}  # the page break went through every place


# -- 4. counts and dates in words -------------------------------------------------------------
def totals(*counts: int) -> dict[str, int]:
    keys = ("read", "unique", "duplicates", "in_bundle", "held_back", "already_present")
    return dict(zip(keys, counts, strict=True))


def test_one_entry_held_back_is_said_in_the_singular(cloned_ward, tmp_path):
    result = merge(cloned_ward[1:], tmp_path / "out")  # NGUYEN, admitted, not yet mapped

    held = {r[1]: r[13] for r in csv_rows(result) if r[0].startswith("identifiant temporaire")}
    assert held == {f"DT-{LAPTOP}-0001": "1 saisie retenue"}
    line = totals_line(totals(1, 1, 0, 0, 1, 0))
    assert line == (
        "1 saisie lue, 1 saisie distincte (0 doublon écarté) ; 0 dans le bundle FHIR, "
        "1 saisie retenue, 0 déjà dans le dossier central."
    )
    i18n.set_language("en")
    try:
        line = totals_line(totals(2, 1, 1, 0, 1, 0))
        assert line == (
            "2 entries read, 1 distinct entry (1 duplicate dropped); 0 in the FHIR bundle, "
            "1 entry held back, 0 already in the central record."
        )
        gap = Gap(device_id="d", device_name="PC", first=7, last=7, before_first=False)
        assert gap_text(gap) == "PC: entry 7 is missing (a package is missing)."
    finally:
        i18n.set_language("fr")


def test_the_double_dose_reads_la_dose_du_in_french(cloned_ward, tmp_path):
    result = merge(cloned_ward, tmp_path / "out")
    (dose,) = [c for c in result.conflicts if c.kind == "double_dose"]

    assert dose.detail.startswith("La dose du 28/11/2026 à 08:00 de la prescription ord-amox")
    assert " de 28/11/2026" not in " ".join(pdf_text(result.files["review_pdf"]))
