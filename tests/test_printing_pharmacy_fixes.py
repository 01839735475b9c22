"""A pharmacist checks the printed sheets of a ward and finds every word the prescriber wrote.

From a walk-through of the demo hospital's sheets: the prescription sheet dropped the
instructions when the schedule's text said the same ("max 4 g/24 h" gone), "si besoin : si
EVA > 4", a pick list short of a dose without saying why, high-alert totals unmarked,
"voir instructions:", "ch. Chambre 301", a fixed-date dose without its date, and
`--ward medecine` refused.
"""

from __future__ import annotations

import pytest

from continuity.printing.render import render_sheet
from continuity.printing.request import SheetKind, SheetRequest
from tests import printing_data as data
from tests.cli_helpers import run_cli
from tests.conftest import NURSE_PASSWORD
from tests.test_printing_sheets import pages_text

PARA_TEXT = "1 g per os 4 fois par jour, max 4 g/24 h"
FEVER_TEXT = "1 g per os si fièvre > 38,5 °C, au plus toutes les 6 h"


@pytest.fixture
def ward(cache):
    """The small ward, plus the orders of the walk-through in a room named "Chambre 301"."""
    with cache.login("admin") as session:
        data.small_ward(session)
        data.add_patient(
            session, "pat-9", "Lambert", "Fatoumata", ipp="100009", room="Chambre 301", bed="B"
        )
        # The schedule's text is the instructions (the importer's usual case).
        data.add_order(
            session,
            "ord-para9",
            "pat-9",
            "Paracétamol 500 mg, comprimé",
            timing=data.FOUR_A_DAY,
            instructions=PARA_TEXT,
        )
        data.add_order(
            session,
            "ord-fever",
            "pat-9",
            "Paracétamol 1 g, comprimé effervescent",
            timing={"repeat": {"frequency": 1, "period": 6, "periodUnit": "h"}},
            as_needed=True,
            instructions=FEVER_TEXT,
        )
        # High-alert insulin whose dispensing validity runs out on 30/11 at 18:00.
        data.add_order(
            session,
            "ord-glar",
            "pat-9",
            "Insuline glargine (Lantus) 100 UI/mL, stylo prérempli",
            timing=data.EVENING,
            dose=26,
            unit="UI",
            route="voie sous-cutanée",
            high_alert=True,
            instructions="26 UI SC le soir",
        )
        with session.transaction() as conn:
            conn.execute(
                "UPDATE orders SET validity_end = ? WHERE source_id = 'ord-glar'",
                ("2026-11-30T18:00:00+01:00",),
            )
        data.add_order(
            session,
            "ord-dexa",
            "pat-9",
            "Dexaméthasone 4 mg/mL, solution injectable",
            timing={"event": ["2026-11-29T20:00:00+01:00"]},
            dose=4,
            unit="mg",
            route="voie intraveineuse",
        )
    return cache


def _prescriptions(cache, *ids: str) -> str:
    with cache.login("pharma") as session:
        sheet = render_sheet(session, SheetRequest(SheetKind.PRESCRIPTIONS, patient_ids=ids))
    return " ".join(pages_text(sheet.pdf))


def _pick_list(cache, hours: int = 72) -> str:
    with cache.login("pharma") as session:
        sheet = render_sheet(
            session, SheetRequest(SheetKind.PICK_LIST, ward="Médecine", hours=hours)
        )
    return " ".join(pages_text(sheet.pdf))


def test_the_prescription_sheet_prints_the_prescribers_words_once(ward):
    text = _prescriptions(ward, "100009")
    assert text.count("max 4 g/24 h") == 1
    assert text.count("si fièvre > 38,5 °C") == 1


def test_the_mar_and_the_pick_list_keep_the_prescribers_words(ward):
    with ward.login("nurse") as session:
        mar = " ".join(
            pages_text(
                render_sheet(session, SheetRequest(SheetKind.MAR, patient_ids=("100009",))).pdf
            )
        )
    assert mar.count("max 4 g/24 h") == 1 and mar.count("si fièvre > 38,5 °C") == 1
    # The as-needed order is not counted: the technician reads why in its own words.
    assert "si fièvre > 38,5 °C" in _pick_list(ward)


def test_as_needed_never_reads_si_besoin_si_nor_a_bare_dash(ward):
    dupont = _prescriptions(ward, "100001")
    assert "si besoin, si EVA > 4" in dupont and "si besoin : si" not in dupont
    lambert = _prescriptions(ward, "100009")
    assert "si besoin" in lambert and "si besoin : —" not in lambert
    with ward.login("pharma") as session:
        english = render_sheet(
            session,
            SheetRequest(SheetKind.PRESCRIPTIONS, patient_ids=("100001",)),
            lang="en",
        )
    assert "as needed, si EVA > 4" in " ".join(pages_text(english.pdf))


def test_an_order_ending_inside_the_window_says_so_on_the_pick_list_and_prescriptions(ward):
    text = _pick_list(ward)
    # 28/11 and 29/11 at 20:00 only: the third evening is past the validity.
    assert "28/11 20:00, 29/11 20:00 fin le 30/11/2026 18:00 — à faire renouveler 2 52 UI" in text
    assert "jusqu'au 30/11/2026 18:00 à faire renouveler" in _prescriptions(ward, "100009")


def test_a_high_alert_total_is_tagged_and_the_mark_explained(ward):
    text = _pick_list(ward)
    totals = text[text.index("TOTAUX PAR MÉDICAMENT") : text.index("PAR PATIENT")]
    assert "RISQUE ÉLEVÉ Insuline glargine" in totals
    assert "RISQUE ÉLEVÉ Insuline asparte" in totals
    assert "RISQUE ÉLEVÉ Paracétamol" not in totals
    assert "⚠ RISQUE ÉLEVÉ : médicament à haut risque" in text


def test_small_wording_room_fixed_dates_and_french_colon(ward):
    pick = _pick_list(ward)
    assert "voir instructions : 2 à 3 sachets par jour" in pick
    assert "voir instructions:" not in pick
    lambert = _prescriptions(ward, "100009")
    assert "Chambre 301" in lambert and "ch. Chambre" not in lambert
    assert "ch. 12" in _prescriptions(ward, "100001")  # a bare number keeps its label
    assert "1 prise(s) à date fixe : 29/11 20:00" in lambert


def test_cli_finds_the_ward_typed_without_accent_or_capital(ward, tmp_path):
    out = tmp_path / "mar.pdf"
    done = run_cli(
        "print",
        "mar",
        "--ward",
        "medecine",
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
    assert "DUPONT Jean" in texts[0] and "Médecine" in texts[0]
    assert not any("MARTIN Loïc" in t for t in texts)  # Chirurgie stays out


def test_the_prescribers_words_are_printed_once_whatever_their_case_or_final_stop():
    from types import SimpleNamespace

    from continuity.printing.order_words import prescriber_texts

    order = SimpleNamespace(
        instructions="Adapter selon glycémie capillaire.",
        timing=SimpleNamespace(text="adapter selon glycemie capillaire"),
    )
    assert prescriber_texts(order) == ["Adapter selon glycémie capillaire."]
