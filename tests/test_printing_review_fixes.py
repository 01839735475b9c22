"""What a user review of the French sheets and CLI found: ids hidden by bars, split totals,
English words on French paper."""

from __future__ import annotations

import dataclasses
import io

import pypdf
import pytest

from continuity.core.errors import PermissionDenied
from continuity.core.roles import Permission
from continuity.printing.blank_forms import temp_id_layout
from continuity.printing.fonts import register_fonts
from continuity.printing.render import render_sheet
from continuity.printing.request import SheetKind, SheetRequest
from tests import printing_data as data
from tests.cli_helpers import run_cli
from tests.conftest import ADMIN_PASSWORD

DAY = data.paris(2026, 11, 28, 0).date()
ONCE_A_DAY = {"repeat": {"frequency": 1, "period": 1, "periodUnit": "d", "timeOfDay": ["18:00:00"]}}


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
            "Cholécystectomie",
            ["Dr Anne Roux"],
            service="Cholécystectomie",
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
    return cache


@pytest.mark.parametrize(
    "device",
    ["SAGESSE-3A-PC1", "DEMO-MEDECINE-PC1", "CHU-SAINT-ETIENNE-NEUROCHIRURGIE-PC12", "X" * 90],
)
def test_the_temporary_id_is_never_under_its_bar_code(device):
    register_fonts()
    layout = temp_id_layout(f"DT-{device}-0001", 40.0, 515.0)
    assert "".join(layout.text.lines) == f"DT-{device}-0001"  # every character printed
    if layout.bar_width:
        assert layout.text_right <= layout.bar_x - 6
    assert layout.text.size >= 9


def test_an_admission_form_from_a_long_device_name_prints_the_whole_id(ward):
    with ward.login("nurse") as session:
        session.device = dataclasses.replace(session.device, name="DEMO-MEDECINE-PC1")
        form = render_sheet(session, SheetRequest(SheetKind.ADMISSION_FORM))
    text = pages_text(form.pdf)[0]
    assert "DT-DEMO-MEDECINE-PC1-0001" in text
    assert "whole site" not in text and "tout l'établissement" in text


def test_the_pick_list_totals_a_drug_once_whatever_forms_its_orders_name(ward):
    with ward.login("admin") as session:
        for source, patient, form in (
            ("ator-1", "pat-1", None),
            ("ator-2", "pat-2", "comprimé"),
            ("ator-3", "pat-3", None),
        ):
            data.add_order(
                session,
                source,
                patient,
                "Atorvastatine 10 mg",
                timing=ONCE_A_DAY,
                dose=10,
                unit="mg",
                form=form,
            )
    with ward.login("pharma") as session:
        sheet = render_sheet(session, SheetRequest(SheetKind.PICK_LIST, ward="Médecine"))
    text = " ".join(pages_text(sheet.pdf))
    totals = text.split("PAR PATIENT")[0]
    assert totals.count("Atorvastatine") == 1
    assert "Atorvastatine 10 mg comprimé, forme non précisée 3 30 mg" in totals


def test_french_schedules_and_prescriptions_have_no_english_words(ward):
    with ward.login("nurse") as session:
        operating = render_sheet(session, SheetRequest(SheetKind.OR_LIST, day=DAY))
        visits = render_sheet(session, SheetRequest(SheetKind.APPOINTMENTS, day=DAY))
    with ward.login("pharma") as session:
        orders = render_sheet(
            session, SheetRequest(SheetKind.PRESCRIPTIONS, patient_ids=("100001",))
        )
    or_text, visit_text = pages_text(operating.pdf)[0], pages_text(visits.pdf)[0]
    order_text = pages_text(orders.pdf)[0]
    for text in (or_text, visit_text, order_text):
        for english in ("whole site", "booked", "active orders", " on 28/11"):
            assert english not in text
    assert "tout l'établissement" in or_text and "programmé" in or_text
    assert or_text.count("Cholécystectomie") == 1  # description == service: printed once
    assert "prescriptions actives le 28/11/2026" in order_text


def test_a_refusal_names_the_role_in_french(ward):
    with ward.login("nurse") as session, pytest.raises(PermissionDenied) as refused:
        session.require(Permission.IMPORT_SNAPSHOT)
    assert "(infirmier·ère)" in str(refused.value) and "nurse" not in str(refused.value)


def _cli(ward, *args: str):
    return run_cli(
        *args, "--db", ward.path, "--user", "admin", "--password-stdin", stdin=ADMIN_PASSWORD + "\n"
    )


def test_cli_status_and_check_speak_french_and_name_each_check(ward):
    status = _cli(ward, "status")
    assert status.returncode == 0, status.stderr
    assert "patients : 3" in status.stdout or "patients : 4" in status.stdout
    assert "patients: " not in status.stdout
    assert "not-required" not in status.stdout and "manifest)" not in status.stdout
    check = _cli(ward, "check")
    lines = [line for line in check.stdout.splitlines() if line.strip()]
    for name in ("Instantané", "Utilisateurs", "Journal d'audit", "Horloge", "Imprimante"):
        assert any(name in line for line in lines), (name, check.stdout)


def test_the_census_prints_listed_allergies_in_bold_and_explains_the_bar(ward):
    with ward.login("nurse") as session:
        sheet = render_sheet(session, SheetRequest(SheetKind.CENSUS, ward="Médecine"))
    page = pypdf.PdfReader(io.BytesIO(sheet.pdf)).pages[0]
    fonts: dict[str, str] = {}

    def visit(text, cm, tm, font, size) -> None:
        if text.strip() and font is not None:
            fonts[text.strip()] = str(font.get("/BaseFont", ""))

    page.extract_text(visitor_text=visit)
    allergy = next(font for text, font in fonts.items() if "Pénicilline" in text)
    assert "Bold" in allergy
    assert "Barre épaisse à gauche : le patient a des allergies connues" in pages_text(sheet.pdf)[0]
    assert "Médecine · Médecine" not in pages_text(sheet.pdf)[0]
