"""Pharmacists, nurses and IT print the other paper fallbacks; batches stream to the printer."""

from __future__ import annotations

import io

import pypdf
import pytest

from continuity.printing import registry
from continuity.printing.render import iter_sheet, render_sheet
from continuity.printing.request import LabelGrid, SheetKind, SheetRequest
from tests import printing_data as data
from tests.cli_helpers import run_cli
from tests.conftest import NURSE_PASSWORD


def pages_text(pdf: bytes) -> list[str]:
    return [" ".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture
def ward(cache):
    with cache.login("admin") as session:
        data.small_ward(session)
        data.add_appointment(
            session,
            "or-1",
            "operating",
            data.paris(2026, 11, 28, 8),
            90,
            "Bloc 2",
            "pat-4",
            "Cholécystectomie par cœlioscopie",
            ["Dr Anne Roux"],
        )
        data.add_appointment(
            session,
            "or-2",
            "operating",
            data.paris(2026, 11, 28, 10, 30),
            60,
            "Bloc 1",
            "pat-1",
            "Pose de chambre implantable",
            ["Dr Anne Roux"],
        )
        data.add_appointment(
            session,
            "ap-1",
            "appointment",
            data.paris(2026, 11, 28, 14),
            30,
            "Radiologie",
            "pat-2",
            "Échographie abdominale",
        )
        data.add_appointment(
            session,
            "or-next-day",
            "operating",
            data.paris(2026, 11, 29, 8),
            60,
            "Bloc 1",
            "pat-3",
            "Hernie",
        )
    return cache


def test_prescription_sheet_gives_the_pharmacist_every_detail(ward):
    with ward.login("pharma") as session:
        sheet = render_sheet(
            session, SheetRequest(SheetKind.PRESCRIPTIONS, patient_ids=("100001",))
        )
    text = pages_text(sheet.pdf)[0]
    assert "DUPONT Jean" in text and "IPP 100001" in text and "Pénicilline" in text
    assert "RPPS 10003456789" in text and "Dr Claire Moreau" in text
    assert "si besoin, si EVA > 4" in text and "si besoin : si" not in text
    assert "00:00, 06:00, 12:00, 18:00" in text
    assert "Amoxicilline" not in text
    assert "Analyse pharmaceutique" in text


def test_pick_list_totals_the_expanded_schedules_of_the_window(ward):
    with ward.login("pharma") as session:
        sheet = render_sheet(session, SheetRequest(SheetKind.PICK_LIST, ward="Médecine"))
    text = " ".join(pages_text(sheet.pdf))
    # Window 28/11 10:00 to 29/11 10:00 (Paris): paracetamol at 12, 18, 00, 06 = 4 g.
    assert "Période : du 28/11/2026 10:00 au 29/11/2026 10:00 (24 h)" in text
    assert "Paracétamol 1 g, comprimé 4 4 g" in text
    # Insulin at 14:00 then 08:00 and 08:30 the next morning, 6 UI each.
    assert "3 18 UI" in text
    assert "NON COMPTÉS" in text and "Morphine" in text and "suspendu : non préparé" in text
    assert "Néfopam" not in text  # Chirurgie's patient is not on Médecine's list


def test_census_lists_beds_allergies_high_alert_and_weight(ward):
    with ward.login("nurse") as session:
        sheet = render_sheet(session, SheetRequest(SheetKind.CENSUS))
    texts = pages_text(sheet.pdf)
    assert len(texts) == 2  # one stack per ward
    assert "Chirurgie : 1 patients" in texts[0] and "MARTIN Loïc" in texts[0]
    medecine = texts[1]
    assert "OUI : Pénicilline" in medecine and "Aucune allergie connue" in medecine
    assert "NON RENSEIGNÉES" in medecine and "71,5 kg" in medecine and "OUI (2)" in medecine


def test_operating_list_and_appointments_of_the_day(ward):
    with ward.login("nurse") as session:
        operating = render_sheet(
            session, SheetRequest(SheetKind.OR_LIST, day=data.paris(2026, 11, 28, 0).date())
        )
        visits = render_sheet(session, SheetRequest(SheetKind.APPOINTMENTS, ward="Médecine"))
        chirurgie = render_sheet(session, SheetRequest(SheetKind.OR_LIST, ward="Chirurgie"))
    text = pages_text(operating.pdf)[0]
    assert text.index("Bloc 1") < text.index("Bloc 2")
    assert "Pose de chambre implantable" in text and "Cholécystectomie" in text
    assert "Hernie" not in text  # the next day
    assert "Échographie abdominale" in pages_text(visits.pdf)[0]
    assert "Pose de chambre" not in pages_text(chirurgie.pdf)[0]


def test_labels_fill_the_stock_and_carry_the_id(ward):
    with ward.login("nurse") as session:
        sheet = render_sheet(
            session,
            SheetRequest(
                SheetKind.LABELS,
                patient_ids=("100002",),
                labels=LabelGrid(3, 7),
                labels_per_patient=25,
            ),
        )
    texts = pages_text(sheet.pdf)
    assert len(texts) == 2  # 21 + 4 labels
    assert texts[0].count("IPP 100002") == 21 and texts[1].count("IPP 100002") == 4
    assert "D'ARTAGNAN-LEFÈVRE Éloïse" in texts[0] and "Page 2 / 2" in texts[1]
    assert "COPIE DE CONTINUITÉ" in texts[1]


def test_blank_forms_and_admission_forms_with_reserved_temporary_ids(ward):
    with ward.login("nurse") as session:
        chart = render_sheet(session, SheetRequest(SheetKind.VITALS_CHART, patient_ids=("100001",)))
        notes = render_sheet(session, SheetRequest(SheetKind.NURSING_NOTES, copies=2))
        forms = render_sheet(session, SheetRequest(SheetKind.ADMISSION_FORM, copies=2))
        again = render_sheet(session, SheetRequest(SheetKind.ADMISSION_FORM))
    chart_text = pages_text(chart.pdf)[0]
    assert "DUPONT Jean" in chart_text and "Pénicilline" in chart_text
    assert "Fréquence cardiaque" in chart_text
    assert len(pages_text(notes.pdf)) == 2 and "Nom" in pages_text(notes.pdf)[0]
    form_texts = pages_text(forms.pdf)
    assert "DT-SAGESSE-3A-PC1-0001" in form_texts[0]
    assert "DT-SAGESSE-3A-PC1-0002" in form_texts[1]
    assert "DT-SAGESSE-3A-PC1-0003" in pages_text(again.pdf)[0]  # never handed out twice
    assert forms.patients == ("DT-SAGESSE-3A-PC1-0001", "DT-SAGESSE-3A-PC1-0002")


def test_every_kind_has_the_continuity_footer_on_every_page(ward):
    with ward.login("admin") as session:
        for kind in SheetKind:
            sheet = render_sheet(session, SheetRequest(kind))
            for n, text in enumerate(pages_text(sheet.pdf)):
                assert "COPIE DE CONTINUITÉ" in text, (kind, n)
                assert sheet.sheet_id in text, (kind, n)


def test_a_batch_streams_complete_pdfs_with_the_first_patient_alone(ward):
    with ward.login("nurse") as session:
        whole = render_sheet(session, SheetRequest(SheetKind.MAR))
        chunks_iter = iter_sheet(session, SheetRequest(SheetKind.MAR), first_chunk=1, chunk_size=2)
        registered = registry.printed_sheets(session)[0]  # before any page is drawn
        chunks = list(chunks_iter)
    assert [c.patients for c in chunks] == [("pat-4",), ("pat-1", "pat-2"), ("pat-3",)]
    assert [c.last for c in chunks] == [False, False, True]
    assert sum(c.pages for c in chunks) == whole.pages == registered.pages
    assert {c.sheet_id for c in chunks} == {registered.sheet_id}
    first = pages_text(chunks[0].pdf)
    assert len(first) == 1 and "MARTIN Loïc" in first[0] and registered.sheet_id in first[0]


def test_progress_callback_can_cancel_and_then_nothing_is_registered(ward):
    class Stop(Exception):
        pass

    seen = []

    def on_page(event):
        seen.append(event.done)
        if event.done == 2:
            raise Stop

    with ward.login("nurse") as session:
        with pytest.raises(Stop):
            render_sheet(session, SheetRequest(SheetKind.MAR), on_page=on_page)
        assert registry.printed_sheets(session) == []
    assert seen == [1, 2]


def test_cli_prints_where_the_user_says_and_refuses_a_nurse_a_pick_list(ward, tmp_path):
    out = tmp_path / "mar.pdf"
    done = run_cli(
        "print",
        "mar",
        "--ward",
        "Médecine",
        "--date",
        "2026-11-28",
        "--db",
        ward.path,
        "--user",
        "nurse",
        "--password-stdin",
        "--out",
        out,
        stdin=NURSE_PASSWORD + "\n",
    )
    assert done.returncode == 0, done.stderr
    texts = pages_text(out.read_bytes())
    assert "DUPONT Jean" in texts[0] and "Samedi 28/11/2026" in texts[0]
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    refused = run_cli(
        "print",
        "pick-list",
        "--db",
        ward.path,
        "--user",
        "nurse",
        "--password-stdin",
        "--out",
        tmp_path / "pick.pdf",
        stdin=NURSE_PASSWORD + "\n",
    )
    assert refused.returncode == 3 and not (tmp_path / "pick.pdf").exists()
    bad = run_cli(
        "print",
        "mar",
        "--hours",
        "48",
        "--db",
        ward.path,
        "--user",
        "nurse",
        "--password-stdin",
        "--out",
        tmp_path / "x.pdf",
        stdin=NURSE_PASSWORD + "\n",
    )
    assert bad.returncode == 4 and "24" in bad.stderr
    english = run_cli(
        "print",
        "census",
        "--lang",
        "en",
        "--db",
        ward.path,
        "--user",
        "nurse",
        "--password-stdin",
        "--out",
        tmp_path / "c.pdf",
        stdin=NURSE_PASSWORD + "\n",
    )
    assert english.returncode == 0, english.stderr
    assert "Ward census" in pages_text((tmp_path / "c.pdf").read_bytes())[0]
