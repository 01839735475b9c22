"""IT staff back-enter paper sheets with `continuity record ...`; scripts read the JSON back.

The command runs in a subprocess on the real clock, so the ward's snapshot is dated an hour
ago and times are given relative to now.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from continuity.core.clock import PARIS
from continuity.store import entries
from tests.cli_helpers import run_cli
from tests.conftest import NURSE_PASSWORD, PHARMACIST_PASSWORD
from tests.entries_fixtures import seed_snapshot


@pytest.fixture
def laptop(cache):
    cache.clock.set(datetime.now(UTC))  # in-process steps agree with the subprocess's clock
    with cache.login("admin") as admin:
        seed_snapshot(admin, datetime.now(UTC) - timedelta(hours=1))
    return cache


def cli(laptop, *args, stdin=NURSE_PASSWORD + "\n", user="nurse"):
    return run_cli(*args, "--db", laptop.path, "--user", user, "--password-stdin", stdin=stdin)


def minutes_ago(n: int) -> str:
    """A local wall-clock time without offset, as typed from a paper sheet."""
    return (datetime.now(PARIS) - timedelta(minutes=n)).strftime("%Y-%m-%dT%H:%M")


def last_round(laptop, order: str) -> tuple[str, str]:
    """The order's latest dose time before now, and five minutes after it, as typed."""
    from continuity.core.timing import load_schedule_config
    from continuity.store import census
    from continuity.store.emar import dose_times

    now = datetime.now(UTC)
    with laptop.login("nurse") as nurse:
        found = census.get_order(nurse, order)
        times = dose_times(found, now - timedelta(days=1), now, load_schedule_config())
    scheduled = times[-1].astimezone(PARIS)
    given = min(scheduled + timedelta(minutes=5), datetime.now(PARIS))
    return scheduled.strftime("%Y-%m-%dT%H:%M"), given.strftime("%Y-%m-%dT%H:%M")


def dose(laptop, *extra, order="ord-para", stdin=NURSE_PASSWORD + "\n"):
    scheduled, given = last_round(laptop, order)
    return cli(
        laptop,
        "record",
        "dose",
        "--patient",
        "100001",
        "--order",
        order,
        "--scheduled",
        scheduled,
        "--status",
        "given",
        "--at",
        given,
        *extra,
        stdin=stdin,
    )


def test_orders_lists_active_orders_with_their_source_ids_and_next_doses(laptop):
    result = cli(laptop, "orders", "--patient", "100001", "--json")
    assert result.returncode == 0, result.stderr
    orders = {o["id"]: o for o in json.loads(result.stdout)}
    assert set(orders) == {"ord-amox", "ord-para", "ord-prn", "ord-insulin"}
    assert len(orders["ord-para"]["next_doses"]) >= 11  # 4 a day for 72 h
    assert orders["ord-insulin"]["high_alert"] and orders["ord-prn"]["next_doses"] == []
    human = cli(laptop, "orders", "--patient", "100001")
    assert "HAUT RISQUE" in human.stdout and "ord-amox" in human.stdout


def test_a_dose_is_recorded_and_a_double_dose_exits_4_until_confirmed(laptop):
    first = dose(laptop, "--json")
    assert first.returncode == 0, first.stderr
    stored = json.loads(first.stdout)
    assert stored["seq"] == 1 and len(stored["uuid"]) == 36 and stored["kind"] == "dose"
    assert stored["payload"]["dose_value"] == 1 and stored["author"] == "nurse"

    again = dose(laptop)
    assert again.returncode == 4
    assert "double" in again.stderr and "--confirm" in again.stderr
    assert len(again.stderr.strip().splitlines()) == 1

    confirmed = dose(laptop, "--confirm", "--json")
    assert confirmed.returncode == 0
    assert json.loads(confirmed.stdout)["seq"] == 2  # the refusal left no gap


def test_a_high_alert_dose_reads_the_witness_password_from_the_next_line(laptop):
    wrong = dose(
        laptop,
        "--witness",
        "pharma",
        order="ord-insulin",
        stdin=f"{NURSE_PASSWORD}\nNot-The-Password-1\n",
    )
    assert wrong.returncode == 3 and "témoin" in wrong.stderr.lower()
    right = dose(
        laptop,
        "--witness",
        "pharma",
        "--json",
        order="ord-insulin",
        stdin=f"{NURSE_PASSWORD}\n{PHARMACIST_PASSWORD}\n",
    )
    assert right.returncode == 0, right.stderr
    assert json.loads(right.stdout)["witness"] == "pharma"


def test_vital_signs_outside_limits_exit_4_and_abnormal_ones_are_flagged(laptop):
    impossible = cli(laptop, "record", "vitals", "--patient", "100002", "--hr", "400")
    assert impossible.returncode == 4 and "limites physiologiques" in impossible.stderr
    ok = cli(
        laptop,
        "record",
        "vitals",
        "--patient",
        "100002",
        "--bp",
        "150/95",
        "--temp",
        "38,7",
        "--spo2",
        "95",
        "--o2",
        "2",
        "--json",
    )
    assert ok.returncode == 0, ok.stderr
    payload = json.loads(ok.stdout)["payload"]
    assert payload["flags"] == {"bp_sys": "high", "bp_dia": "high", "temp": "high"}
    assert payload["o2_flow"] == 2


def test_an_admission_a_paper_order_and_the_entries_list(laptop):
    admitted = cli(
        laptop,
        "record",
        "admit",
        "--family",
        "Nguyen",
        "--given",
        "Mai",
        "--birth-date",
        "03/04/1990",
        "--sex",
        "F",
        "--ward",
        "MED",
        "--json",
    )
    assert admitted.returncode == 0, admitted.stderr
    temp_id = json.loads(admitted.stdout)["patient_id"]
    assert temp_id == "DT-SAGESSE-3A-PC1-0001"
    order = cli(
        laptop,
        "record",
        "order",
        "--patient",
        temp_id,
        "--drug",
        "Ceftriaxone 1 g",
        "--dose",
        "1",
        "--unit",
        "g",
        "--route",
        "IV",
        "--times",
        "08:00",
        "--prescriber",
        "Dr Roux",
        "--paper-ref",
        "URG-17",
        "--json",
    )
    assert order.returncode == 0, order.stderr
    assert json.loads(order.stdout)["payload"]["paper_ref"] == "URG-17"
    listed = cli(laptop, "entries", "list", "--since", "1", "--json")
    assert [e["kind"] for e in json.loads(listed.stdout)] == ["manual_order"]
    by_patient = cli(laptop, "entries", "list", "--patient", temp_id)
    assert by_patient.stdout.count(temp_id) == 2


def test_a_correction_and_a_retraction_from_the_command_line(laptop):
    with laptop.login("nurse") as nurse:
        note = entries.record_note(
            nurse,
            patient_id="100003",
            text="Chute sans gravité",
            at=datetime.now(UTC) - timedelta(minutes=30),
        )
    fixed = cli(
        laptop,
        "record",
        "correct",
        "--entry",
        note.uuid,
        "--reason",
        "précision",
        "--set",
        "text=Chute, plaie du cuir chevelu",
        "--json",
    )
    assert fixed.returncode == 0, fixed.stderr
    stored = json.loads(fixed.stdout)
    assert stored["supersedes"] == note.uuid and stored["reason"] == "précision"
    no_reason = cli(laptop, "record", "retract", "--entry", stored["uuid"], "--reason", " ")
    assert no_reason.returncode == 4
    withdrawn = cli(
        laptop,
        "record",
        "retract",
        "--entry",
        stored["uuid"],
        "--reason",
        "mauvais patient",
        user="admin",
        stdin="Tango-Charlie-42\n",
    )
    assert withdrawn.returncode == 0, withdrawn.stderr
    states = json.loads(cli(laptop, "entries", "list", "--json").stdout)
    assert [e["state"] for e in states] == ["corrected", "retracted", "current"]


def test_the_mar_of_a_patient_as_json(laptop):
    dose(laptop)
    result = cli(laptop, "mar", "--patient", "100001", "--json")
    assert result.returncode == 0, result.stderr
    mar = json.loads(result.stdout)
    para = next(r for r in mar["rows"] if r["order_id"] == "ord-para")
    assert len(para["cells"]) == 4 and para["other_doses"] == []
    assert [c["state"] for c in para["cells"] if c["doses"]] == ["given"]  # in its round's cell
    assert {c["state"] for r in mar["rows"] for c in r["cells"]} <= {
        "given",
        "not_given",
        "due",
        "late",
        "missed",
        "future",
        "before_snapshot",
    }
    bad_day = cli(laptop, "mar", "--patient", "100001", "--date", "28/11/2026")
    assert bad_day.returncode == 4


def test_bad_input_exits_4_and_a_wrong_password_exits_3(laptop):
    unknown = cli(laptop, "record", "note", "--patient", "999999", "--text", "x")
    assert unknown.returncode == 4 and "999999" in unknown.stderr
    future = cli(
        laptop,
        "record",
        "note",
        "--patient",
        "100001",
        "--text",
        "x",
        "--at",
        (datetime.now(PARIS) + timedelta(hours=2)).isoformat(),
    )
    assert future.returncode == 4 and "futur" in future.stderr
    wrong = cli(
        laptop, "record", "note", "--patient", "100001", "--text", "x", stdin="Not-The-Password-1\n"
    )
    assert wrong.returncode == 3
    with laptop.login("nurse") as nurse:
        assert entries.list_entries(nurse) == []
