"""IT staff export, merge and follow paper from the command line (the real `continuity`)."""

from __future__ import annotations

import json

import pytest

from continuity.printing.registry import register_sheet
from tests.cli_helpers import run_cli
from tests.conftest import ADMIN_PASSWORD, NURSE_PASSWORD
from tests.reconcile_helpers import PASSPHRASE, give, laptop_from_fixture, vitals


@pytest.fixture
def laptop(cache):
    laptop = laptop_from_fixture(cache)
    with laptop.login() as nurse:
        give(nurse)
        vitals(nurse)
    return laptop


def export(laptop, out, *extra, user="admin", password=ADMIN_PASSWORD, phrase=PASSPHRASE):
    return run_cli(
        "export",
        "--db",
        laptop.path,
        "--user",
        user,
        "--out",
        out,
        "--password-stdin",
        *extra,
        stdin=f"{password}\n{phrase}\n",
    )


def test_export_then_merge_from_the_command_line(laptop, tmp_path):
    done = export(laptop, tmp_path / "pc1.ccx")
    assert done.returncode == 0, done.stderr
    assert "2 saisies exportées" in done.stdout and (tmp_path / "pc1.ccx").exists()

    nothing = export(laptop, tmp_path / "again.ccx")
    assert nothing.returncode == 4 and "Rien de nouveau" in nothing.stderr
    everything = export(laptop, tmp_path / "all.ccx", "--all")
    assert everything.returncode == 0, everything.stderr

    merged = run_cli(
        "reconcile",
        "merge",
        tmp_path / "pc1.ccx",
        tmp_path / "all.ccx",
        "--out",
        tmp_path / "out",
        "--passphrase-stdin",
        "--json",
        stdin=PASSPHRASE + "\n",
    )
    assert merged.returncode == 0, merged.stderr
    report = json.loads(merged.stdout)
    assert report["totals"]["unique"] == 2 and report["totals"]["duplicates"] == 2
    assert json.loads(open(report["files"]["bundle"]).read())["type"] == "transaction"

    text = run_cli(
        "reconcile",
        "merge",
        tmp_path / "pc1.ccx",
        "--out",
        tmp_path / "out",
        "--passphrase-stdin",
        stdin=PASSPHRASE + "\n",
    )
    assert text.returncode == 0, text.stderr
    assert "Fusionné dans" in text.stdout and "review.pdf" in text.stdout


def test_a_nurse_cannot_export_and_a_short_passphrase_is_refused(laptop, tmp_path):
    nurse = export(laptop, tmp_path / "n.ccx", user="nurse", password=NURSE_PASSWORD)
    assert nurse.returncode == 3 and not (tmp_path / "n.ccx").exists()
    assert nurse.stderr.count("\n") == 1
    short = export(laptop, tmp_path / "s.ccx", phrase="court")
    assert short.returncode == 4 and "12" in short.stderr
    usage = run_cli(
        "export", "--db", laptop.path, "--user", "admin", "--out", "x.ccx", "--since", "3", "--all"
    )
    assert usage.returncode == 2


def test_merge_bad_input_exits_4_with_one_sentence_and_no_output(laptop, tmp_path):
    assert export(laptop, tmp_path / "pc1.ccx").returncode == 0
    out = tmp_path / "out"
    wrong = run_cli(
        "reconcile",
        "merge",
        tmp_path / "pc1.ccx",
        "--out",
        out,
        "--passphrase-stdin",
        stdin="Pas-la-bonne-phrase\n",
    )
    assert wrong.returncode == 4
    assert wrong.stderr.strip() == "pc1.ccx : phrase secrète incorrecte."
    assert not out.exists()
    data = bytearray((tmp_path / "pc1.ccx").read_bytes())
    data[-5] ^= 0xFF
    (tmp_path / "bad.ccx").write_bytes(bytes(data))
    altered = run_cli(
        "reconcile",
        "merge",
        tmp_path / "bad.ccx",
        "--out",
        out,
        "--passphrase-stdin",
        stdin=PASSPHRASE + "\n",
    )
    assert altered.returncode == 4 and "endommagé ou altéré" in altered.stderr
    twice = run_cli(
        "reconcile",
        "merge",
        tmp_path / "pc1.ccx",
        tmp_path / "pc1.ccx",
        "--out",
        out,
        "--passphrase-stdin",
        stdin=PASSPHRASE + "\n",
    )
    assert twice.returncode == 4 and "deux fois" in twice.stderr
    count = run_cli(
        "reconcile",
        "merge",
        tmp_path / "pc1.ccx",
        tmp_path / "bad.ccx",
        "--out",
        out,
        "--passphrase-stdin",
        stdin="a-passphrase-1\nb-passphrase-2\nc\n",
    )
    assert count.returncode == 4
    assert not out.exists()


def test_sheets_worklist_and_marks_from_the_command_line(laptop):
    with laptop.login("admin") as admin:
        register_sheet(
            admin,
            sheet_id="MAR-AAAA-0001",
            kind="mar",
            ward="MED",
            patients=["pat-1"],
            pages=2,
            chain_head="abc",
        )
    base = ("reconcile", "sheets", "--db", laptop.path, "--user", "admin", "--password-stdin")
    listing = run_cli(*base, stdin=ADMIN_PASSWORD + "\n")
    assert listing.returncode == 0, listing.stderr
    assert "MAR-AAAA-0001" in listing.stdout and "DUPONT Jeanne" in listing.stdout
    marked = run_cli(
        *base, "--mark-transcribed", "MAR-AAAA-0001", "--json", stdin=ADMIN_PASSWORD + "\n"
    )
    assert marked.returncode == 0, marked.stderr
    state = json.loads(marked.stdout)
    assert state["sheets"][0]["transcribed"] is True and state["worklist"] == []
    unknown = run_cli(*base, "--mark-returned", "NOPE", stdin=ADMIN_PASSWORD + "\n")
    assert unknown.returncode == 4 and "NOPE" in unknown.stderr
    nurse = run_cli(
        "reconcile",
        "sheets",
        "--db",
        laptop.path,
        "--user",
        "nurse",
        "--password-stdin",
        stdin=NURSE_PASSWORD + "\n",
    )
    assert nurse.returncode == 3
