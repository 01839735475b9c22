"""A nurse prints the ward's medication administration records, and they can be trusted on paper."""

from __future__ import annotations

import io
import re

import pypdf
import pytest

from continuity.core.errors import BadInput, PermissionDenied
from continuity.printing import mar, registry
from continuity.printing.furniture import MARGIN_X
from continuity.printing.render import prepare, render_sheet
from continuity.printing.request import SheetKind, SheetRequest
from continuity.printing.text_fit import width
from continuity.store import audit
from tests import printing_data as data


def pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def runs(pdf: bytes, page_index: int) -> list[tuple[str, float, float]]:
    """(text, x, y) of every text run drawn on a page."""
    found: list[tuple[str, float, float]] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            found.append((text.strip(), tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]))

    pypdf.PdfReader(io.BytesIO(pdf)).pages[page_index].extract_text(visitor_text=visit)
    return found


@pytest.fixture
def ward(cache):
    with cache.login("admin") as session:
        data.small_ward(session)
        data.record_dose(
            session,
            "ord-para",
            "pat-1",
            data.paris(2026, 11, 28, 6),
            data.paris(2026, 11, 28, 6, 5),
        )
    return cache


def test_every_page_of_a_patient_carries_name_and_ipp_and_each_patient_starts_a_page(ward):
    with ward.login("admin") as session:
        for i in range(40):  # Jean Dupont's record runs over several pages
            data.add_order(
                session,
                f"extra-{i}",
                "pat-1",
                f"Médicament d'essai n°{i} à libération prolongée",
                timing=data.Q8H,
            )
    with ward.login("nurse") as session:
        sheet = render_sheet(session, SheetRequest(SheetKind.MAR, ward="Médecine"))
    texts = pages_text(sheet.pdf)
    assert sheet.pages == len(texts) and sheet.patients == ("pat-1", "pat-2", "pat-3")
    dupont = [t for t in texts if "DUPONT Jean" in t]
    assert len(dupont) >= 2
    for n, text in enumerate(dupont, start=1):
        assert "IPP 100001" in text
        assert f"Page {n} / {len(dupont)}" in text
    following = texts[len(dupont)]
    assert "D'ARTAGNAN-LEFÈVRE Éloïse" in following and "IPP 100002" in following
    assert "Page 1 / 1" in following
    assert "NGÔ Thị Hương" in texts[-1] and "IPP 100003" in texts[-1]


def test_active_orders_appear_stopped_do_not_held_are_marked(ward):
    with ward.login("nurse") as session:
        sheet = render_sheet(session, SheetRequest(SheetKind.MAR, patient_ids=("100001",)))
    text = " ".join(pages_text(sheet.pdf)).replace("\n", " ")
    for drug in (
        "Paracétamol 1 g",
        "Énoxaparine 4000",
        "Morphine 10 mg",
        "Furosémide 40 mg",
        "Lactulose 10 g",
    ):
        assert drug in text
    assert "Amoxicilline" not in text
    assert "SUSPENDU" in text
    assert "RISQUE ÉLEVÉ" in text
    assert "voir instructions" in text and "2 à 3 sachets par jour" in text
    assert "SI BESOIN" in text and "NOUVELLES PRESCRIPTIONS MANUSCRITES" in text


def test_scheduled_times_and_recorded_doses_sit_in_their_hour_column(ward):
    with ward.login("nurse") as session:
        sheet = render_sheet(session, SheetRequest(SheetKind.MAR, patient_ids=("100001",)))
    page_width = 841.89
    grid_left = MARGIN_X + mar.DRUG_WIDTH + mar.RHYTHM_WIDTH
    column = (page_width - MARGIN_X - grid_left) / 24
    found = runs(sheet.pdf, 0)
    times = [(t, x) for t, x, _y in found if re.fullmatch(r"\d\d:\d\d", t) and x > grid_left]
    assert {"00:00", "06:00", "12:00", "18:00", "20:00"} <= {t for t, _x in times}
    for text, x in times:
        hour = int((x - grid_left) // column)
        assert hour == int(text[:2]), f"{text} printed in the {hour:02d} column"
    given = [x for t, x, _y in found if t.startswith("✓")]
    assert given and all(int((x - grid_left) // column) == 6 for x in given)
    assert any(t == "✓ A.A." for t, _x, _y in found)  # Alice Admin's initials, dotted


def test_allergies_three_ways_and_footer_data_as_of(ward):
    with ward.login("nurse") as session:
        sheet = render_sheet(session, SheetRequest(SheetKind.MAR, ward="Médecine"))
    texts = pages_text(sheet.pdf)
    assert "Pénicilline" in texts[0]
    assert "Aucune allergie connue" in texts[1]
    assert "ALLERGIES NON RENSEIGNÉES" in texts[2]
    for text in texts:  # snapshot as of 08:00 UTC = 09:00 Paris, printed at 10:00
        assert "COPIE DE CONTINUITÉ — données au 28/11/2026 09:00 (il y a 1 h 00)" in text
        assert "Imprimé par Nadia Infirmière sur SAGESSE-3A-PC1" in text
        assert sheet.sheet_id in text


def test_print_is_registered_and_audited_and_the_sheet_shows_the_chain_head(ward):
    with ward.login("nurse") as session:
        head_before = audit.short_head(session.conn)
        sheet = render_sheet(session, SheetRequest(SheetKind.MAR, ward="Médecine"))
        row = registry.get_sheet(session, sheet.sheet_id)
        last = audit.recent(session.conn, 1)[0]
        assert audit.verify_chain(session.conn).ok
    assert row is not None and row.kind == "mar" and row.printed_by == "nurse"
    assert row.pages == sheet.pages and row.patients == ["pat-1", "pat-2", "pat-3"]
    assert row.ward == "Médecine"
    assert last["action"] == "print" and last["actor"] == "nurse"
    assert last["detail"]["sheet_id"] == sheet.sheet_id
    assert last["detail"]["pages"] == sheet.pages
    assert last["detail"]["patients"] == ["pat-1", "pat-2", "pat-3"]
    assert all(head_before in text for text in pages_text(sheet.pdf))


def test_a_stale_snapshot_prints_a_warning_band_on_every_page(ward, clock):
    clock.advance(hours=30)
    with ward.login("nurse") as session:
        sheet = render_sheet(session, SheetRequest(SheetKind.MAR, ward="Médecine"))
    for text in pages_text(sheet.pdf):
        assert "DONNÉES ANCIENNES" in text and "il y a 1 j 7 h" in text


def test_drill_band_and_english_sheet(ward):
    with ward.login("nurse") as session:
        sheet = render_sheet(
            session, SheetRequest(SheetKind.MAR, ward="Médecine", drill=True), lang="en"
        )
    text = pages_text(sheet.pdf)[0]
    assert "Medication administration record" in text
    assert "CONTINUITY COPY — data as of 28/11/2026 09:00" in text
    assert "TRAINING (DRILL)" in text


def test_72_hours_is_three_day_grids_with_their_own_times(ward):
    with ward.login("nurse") as session:
        sheet = render_sheet(
            session, SheetRequest(SheetKind.MAR, patient_ids=("100003",), hours=72)
        )
    texts = pages_text(sheet.pdf)
    assert len(texts) == 3
    for n, (text, day) in enumerate(
        zip(texts, ("Samedi 28/11", "Dimanche 29/11", "Lundi 30/11"), strict=True), start=1
    ):
        assert day in text and f"(jour {n} sur 3)" in text and f"Page {n} / 3" in text
        assert "NGÔ Thị Hương" in text


def test_long_names_and_forty_orders_never_overflow_their_cell(ward):
    long_drug = (
        "Amoxicilline/acide clavulanique 1 g/125 mg, poudre pour solution injectable "
        "et pour perfusion en flacon — l'infirmière doit reconstituer extemporanément"
    )
    with ward.login("admin") as session:
        data.add_patient(
            session,
            "pat-long",
            "De La Tour d'Auvergne-Lauraguais-Saint-Exupéry",
            "Marie-Bénédicte Éléonore",
            ipp="9" * 20,
            bed="C",
        )
        data.add_allergy(
            session,
            "pat-long",
            "Produits de contraste iodés " * 8,
            reaction="Choc anaphylactique avec arrêt cardio-respiratoire",
        )
        for i in range(40):
            data.add_order(
                session,
                f"long-{i}",
                "pat-long",
                f"{long_drug} n°{i}",
                timing=data.AT_TIMES if i % 2 else data.FOUR_A_DAY,
                instructions="À diluer dans 100 mL de NaCl 0,9 % " * (i % 4),
                high_alert=i % 5 == 0,
            )
    with ward.login("nurse") as session:
        prepared = prepare(session, SheetRequest(SheetKind.MAR, patient_ids=("pat-long",)))
        sheet = render_sheet(session, SheetRequest(SheetKind.MAR, patient_ids=("pat-long",)))
    unit = prepared.units[0]
    room = {
        "drug": mar.DRUG_WIDTH - 8,
        "dose": mar.DRUG_WIDTH - 8,
        "rhythm": mar.RHYTHM_WIDTH - 8,
        "detail": mar.RHYTHM_WIDTH - 8,
    }
    body = prepared.ctx.body_top(unit.block) - prepared.ctx.body_bottom
    for page in unit.pages:
        assert sum(r.height for r in page.rows) <= body - mar.GRID_HEADER  # nothing off the page
        for row in page.rows:
            if row.text is None:
                continue
            for part, limit in room.items():
                fitted = getattr(row.text, part)
                assert all(width(line, fitted.font, fitted.size) <= limit for line in fitted.lines)
            assert row.height >= row.text.height  # the row grew to hold its text
    block = unit.block
    assert all(
        width(line, block.allergy.font, block.allergy.size) <= 0.44 * 794
        for line in block.allergy.lines
    )
    text = " ".join(" ".join(pages_text(sheet.pdf)).split())
    for i in range(40):
        assert f"n°{i}" in text  # every order printed, none cut
    assert "extemporanément" in text
    assert len(pages_text(sheet.pdf)) == sheet.pages > 2


def test_an_empty_ward_prints_one_clear_page_and_an_unknown_ward_is_refused(ward):
    with ward.login("admin") as session:
        with session.transaction() as conn:
            conn.execute(
                "INSERT INTO locations (source_id, name, kind) VALUES"
                " ('loc-mat', 'Maternité', 'wa')"
            )
    with ward.login("nurse") as session:
        sheet = render_sheet(session, SheetRequest(SheetKind.MAR, ward="Maternité"))
        with pytest.raises(BadInput, match="Pédiatrie"):
            render_sheet(session, SheetRequest(SheetKind.MAR, ward="Pédiatrie"))
        with pytest.raises(BadInput, match="999"):
            render_sheet(session, SheetRequest(SheetKind.MAR, patient_ids=("999",)))
    texts = pages_text(sheet.pdf)
    assert len(texts) == 1 and "Aucun patient dans cette sélection" in texts[0]
    assert sheet.patients == ()


def test_a_nurse_cannot_print_pharmacy_sheets_and_nothing_is_registered(ward):
    with ward.login("nurse") as session:
        for kind in (SheetKind.PICK_LIST, SheetKind.PRESCRIPTIONS):
            with pytest.raises(PermissionDenied):
                render_sheet(session, SheetRequest(kind, ward="Médecine"))
        assert registry.printed_sheets(session) == []
    with ward.login("pharma") as session:
        assert render_sheet(session, SheetRequest(SheetKind.PICK_LIST)).pages >= 1


def test_a_dose_not_given_shows_with_a_cross_and_initials(ward):
    with ward.login("nurse") as session:
        data.record_dose(
            session,
            "ord-enox",
            "pat-1",
            data.paris(2026, 11, 28, 20),
            data.paris(2026, 11, 28, 9, 55),
            given=False,
        )
        sheet = render_sheet(
            session,
            SheetRequest(
                SheetKind.MAR, patient_ids=("pat-1",), day=data.paris(2026, 11, 28, 0).date()
            ),
        )
    texts = [t for t, _x, _y in runs(sheet.pdf, 0)]
    assert "✗ NON" in texts  # bold, impossible to mistake for a tick on a photocopy
    assert any(t.startswith("N.I. 09:55") for t in texts)  # who, and when
