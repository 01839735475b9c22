"""IT types in the paper brought back after the outage, and never a patient twice.

A nurse printed two blank downtime admission forms (each carries a temporary id reserved on
this laptop); one patient was then admitted on the laptop under the id of the first form, the
other stayed on paper. The worklist must keep the first form visible but say it is already
entered (typing it in again would create a second admission), count only what remains, name
patients as the ward does (name and IPP) and number the items in the order to do them.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest

from continuity.printing.registry import register_sheet
from continuity.printing.render import render_sheet
from continuity.printing.request import SheetKind, SheetRequest
from continuity.reconcile import paper
from tests.cli_helpers import run_cli
from tests.conftest import ADMIN_PASSWORD
from tests.reconcile_helpers import admit, laptop_from_fixture


@pytest.fixture
def ward(cache, clock):
    laptop = laptop_from_fixture(cache)
    clock.set(datetime(2026, 11, 28, 9, 0, tzinfo=UTC))
    with laptop.login("nurse") as nurse:
        forms = render_sheet(nurse, SheetRequest(SheetKind.ADMISSION_FORM, copies=2))
    with laptop.login("admin") as admin:
        (sheet,) = [s for s in paper.outage_sheets(admin) if s.kind == "admission-form"]
        register_sheet(
            admin,
            sheet_id="MAR-AAAA-0002",
            kind="mar",
            ward="MED",
            patients=["pat-1", "pat-2"],
            pages=2,
            chain_head="abc",
        )
    first, second = sheet.patients
    clock.set(datetime(2026, 11, 28, 9, 30, tzinfo=UTC))
    with laptop.login("nurse") as nurse:
        admit(nurse, family="Inconnu", given="Homme", temp_id=first, at="2026-11-28T10:20")
    return {"laptop": laptop, "form": forms, "entered": first, "on_paper": second}


def test_an_admission_already_typed_in_on_the_laptop_is_not_to_enter_again(ward):
    with ward["laptop"].login("admin") as admin:
        work = paper.back_entry_worklist(admin)
    forms = {w.patient_id: w for w in work if w.kind == "admission-form"}
    assert forms[ward["entered"]].already_entered
    assert forms[ward["entered"]].patient == f"INCONNU Homme ({ward['entered']})"
    assert not forms[ward["on_paper"]].already_entered
    assert forms[ward["on_paper"]].patient == ward["on_paper"]  # what the paper form shows
    assert [w.already_entered for w in work].count(True) == 1


def test_the_worklist_is_numbered_in_order_and_names_patients_by_name_and_ipp(ward):
    with ward["laptop"].login("admin") as admin:
        work = paper.back_entry_worklist(admin)
        sheets = paper.outage_sheets(admin)
    lines = paper.worklist_lines(work)
    numbers = [int(m[1]) for line in lines if (m := re.match(r"^\s+(\d+)\. ", line))]
    assert numbers == list(range(1, len(work)))  # every item but the one already entered
    assert [line for line in lines if line.startswith("Priorité")] == [
        "Priorité 1 : allergies et changements de traitement",
        "Priorité 2 : administrations, perfusions et dispositifs",
    ]
    (entered,) = [line for line in lines if ward["entered"] in line]
    assert not re.match(r"^\s+\d+\.", entered) and "déjà saisi sur le portable" in entered
    assert not any("pat-" in line for line in lines)
    assert any("DUPONT Jeanne (100001)" in line for line in lines)
    (mar,) = [s for s in sheets if s.sheet_id == "MAR-AAAA-0002"]
    assert mar.who == ("DUPONT Jeanne (100001)", "MARTIN Éloïse (100002)")


def test_the_sheets_command_counts_only_what_remains(ward):
    laptop = ward["laptop"]
    base = ("reconcile", "sheets", "--db", laptop.path, "--user", "admin", "--password-stdin")
    listing = run_cli(*base, stdin=ADMIN_PASSWORD + "\n")
    assert listing.returncode == 0, listing.stderr
    out = listing.stdout
    assert "pat-1" not in out and "pat-2" not in out  # the sheets list names people too
    assert "DUPONT Jeanne (100001), MARTIN Éloïse (100002)" in out
    # 2 admission forms (1 already entered) + the MAR's 2 patients x 2 kinds of work
    assert re.search(r"Liste de saisie a posteriori : 5 éléments", out), out
    assert re.search(r"^\s+5\. ", out, re.M) and not re.search(r"^\s+6\. ", out, re.M)
    assert "déjà saisi sur le portable" in out

    as_json = json.loads(run_cli(*base, "--json", stdin=ADMIN_PASSWORD + "\n").stdout)
    flagged = {w["patient_id"]: w["already_entered"] for w in as_json["worklist"]}
    assert flagged[ward["entered"]] is True and flagged[ward["on_paper"]] is False
