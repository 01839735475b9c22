"""Every `continuity record KIND` option typed from a paper sheet lands in the stored entry.

IT staff back-enter a whole pile of sheets with these commands: an option that the command
accepts but drops (a site, a reaction, a bed) is care silently lost, so each kind is typed
with all its options and the JSON read back.
"""

from __future__ import annotations

import json

from continuity.store import entries
from tests import test_record_cli as record_cli
from tests.conftest import NURSE_PASSWORD

laptop = record_cli.laptop  # the shared fixture: a ward whose snapshot is an hour old


def stored(laptop, *args: str, stdin: str = NURSE_PASSWORD + "\n") -> dict:
    result = record_cli.cli(laptop, "record", *args, "--json", stdin=stdin)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_a_dose_keeps_its_changed_dose_route_site_and_comment(laptop):
    scheduled, given = record_cli.last_round(laptop, "ord-para")
    dose = stored(
        laptop, "dose", "--patient", "100001", "--order", "ord-para", "--scheduled", scheduled,
        "--status", "given", "--at", given, "--dose", "500", "--unit", "mg",
        "--dose-reason", "insuffisance hépatique", "--route", "IV", "--site", "bras gauche",
        "--comment", "bien toléré",
    )  # fmt: skip
    assert dose["order_id"] == "ord-para" and dose["patient_id"] == "pat-1"
    assert {k: dose["payload"][k] for k in ("dose_value", "dose_unit", "route", "site")} == {
        "dose_value": 500,
        "dose_unit": "mg",
        "route": "IV",
        "site": "bras gauche",
    }
    assert dose["payload"]["dose_change_reason"] == "insuffisance hépatique"
    assert dose["payload"]["comment"] == "bien toléré"


def test_a_dose_not_given_keeps_its_reason_in_words(laptop):
    scheduled, given = record_cli.last_round(laptop, "ord-amox")
    dose = stored(
        laptop, "dose", "--patient", "100001", "--order", "ord-amox", "--scheduled", scheduled,
        "--status", "not-given", "--at", given, "--reason", "other",
        "--reason-text", "parti en imagerie",
    )  # fmt: skip
    assert dose["payload"]["reason"] == "other"
    assert dose["payload"]["reason_text"] == "parti en imagerie"


def test_an_admission_on_a_printed_form_then_a_transfer_and_a_discharge(laptop):
    with laptop.login("nurse") as nurse:
        (printed,) = entries.reserve_temp_ids(nurse, 1)
    admitted = stored(
        laptop, "admit", "--family", "Nguyen", "--ward", "MED", "--room", "7", "--bed", "B",
        "--temp-id", printed,
    )  # fmt: skip
    assert admitted["patient_id"] == printed
    assert (admitted["payload"]["room"], admitted["payload"]["bed"]) == ("7", "B")
    moved = stored(
        laptop, "transfer", "--patient", "100002", "--ward", "CHIR", "--room", "3", "--bed", "A"
    )
    assert moved["patient_id"] == "pat-2"
    assert {k: moved["payload"][k] for k in ("ward", "room", "bed")} == {
        "ward": "CHIR",
        "room": "3",
        "bed": "A",
    }
    left = stored(
        laptop, "discharge", "--patient", "100002", "--destination", "domicile",
        "--comment", "ordonnance remise",
    )  # fmt: skip
    assert left["payload"] == {"destination": "domicile", "comment": "ordonnance remise"}


def test_an_infusion_and_a_line_from_start_to_end(laptop):
    started = stored(
        laptop, "infusion", "--patient", "100003", "--action", "start", "--solution", "NaCl 0,9 %",
        "--additive", "KCl 1 g", "--rate", "125", "--volume", "1000", "--comment", "VVP droite",
    )  # fmt: skip
    assert {k: started["payload"][k] for k in ("solution", "additive", "rate", "volume")} == {
        "solution": "NaCl 0,9 %",
        "additive": "KCl 1 g",
        "rate": 125,
        "volume": 1000,
    }
    assert started["payload"]["comment"] == "VVP droite"
    stopped = stored(
        laptop, "infusion", "--patient", "100003", "--action", "stop",
        "--infusion", started["uuid"], "--volume-infused", "800",
    )  # fmt: skip
    assert stopped["payload"]["infusion"] == started["uuid"]
    assert stopped["payload"]["volume_infused"] == 800
    inserted = stored(
        laptop, "line", "--patient", "100003", "--action", "inserted", "--kind", "peripheral-iv",
        "--site", "avant-bras droit", "--comment", "18 G",
    )  # fmt: skip
    assert inserted["payload"]["line_kind"] == "peripheral_iv"
    assert (inserted["payload"]["site"], inserted["payload"]["comment"]) == (
        "avant-bras droit",
        "18 G",
    )
    removed = stored(
        laptop, "line", "--patient", "100003", "--action", "removed", "--kind", "peripheral-iv",
        "--line", inserted["uuid"],
    )  # fmt: skip
    assert removed["payload"]["line"] == inserted["uuid"]


def test_an_allergy_keeps_its_reaction_criticality_and_code(laptop):
    allergy = stored(
        laptop, "allergy", "--patient", "100002", "--substance", "Latex", "--reaction", "urticaire",
        "--criticality", "high", "--code", "111088007",
    )  # fmt: skip
    assert allergy["payload"] == {
        "substance": "Latex",
        "reaction": "urticaire",
        "criticality": "high",
        "code": "111088007",
    }


def test_a_note_keeps_its_category(laptop):
    note = stored(
        laptop, "note", "--patient", "100001", "--text", "Relève faite", "--category", "handover"
    )
    assert note["payload"] == {"category": "handover", "text": "Relève faite"}
