"""IT runs the readiness self-check before an outage; each problem says what to do."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from continuity.core.freshness import Thresholds
from continuity.core.readiness import Facts, PrinterStatus, Status, evaluate, overall
from continuity.store import users
from continuity.store.readiness import run_check
from tests.cli_helpers import run_cli


def _facts(clock, **changes) -> Facts:
    now = clock.now()
    good = Facts(
        now=now,
        snapshot_as_of=now - timedelta(hours=1),
        thresholds=Thresholds(),
        users_with_slot=5,
        it_users_with_slot=1,
        recovery_slot=True,
        audit_ok=True,
        audit_broken_row=None,
        integrity_problems=[],
        free_bytes=50_000_000_000,
        printer=PrinterStatus(True, "Salle de soins", True),
        latest_recorded=now,
        temp_ids_left=50,
        temp_blocks=1,
        unexported_entries=0,
        oldest_unexported=None,
    )
    return replace(good, **changes)


def _status(items, key):
    return next(i for i in items if i.key == key).status


def test_a_well_prepared_laptop_passes_every_check(clock):
    items = evaluate(_facts(clock))
    assert overall(items) == Status.OK, [i for i in items if i.status != Status.OK]


def test_each_problem_is_named_with_what_to_do(clock):
    now = clock.now()
    cases = {
        "snapshot": _facts(clock, snapshot_as_of=now - timedelta(days=2)),
        "recovery": _facts(clock, recovery_slot=False),
        "audit": _facts(clock, audit_ok=False, audit_broken_row=12),
        "disk": _facts(clock, free_bytes=10_000_000),
        "printer": _facts(clock, printer=PrinterStatus(False)),
        "clock": _facts(clock, latest_recorded=now + timedelta(hours=3)),
        "users": _facts(clock, it_users_with_slot=0),
        "integrity": _facts(clock, integrity_problems=["HMAC verification failed for page 3"]),
    }
    for key, facts in cases.items():
        item = next(i for i in evaluate(facts) if i.key == key)
        assert item.status == Status.FAILURE, key
        assert item.action, f"{key} says what to do"
    ageing = evaluate(_facts(clock, snapshot_as_of=now - timedelta(hours=6)))
    assert _status(ageing, "snapshot") == Status.WARNING
    old_entries = evaluate(
        _facts(clock, unexported_entries=4, oldest_unexported=now - timedelta(days=1))
    )
    assert _status(old_entries, "exports") == Status.WARNING


def test_the_check_on_a_real_cache_names_the_missing_snapshot(cache):
    with cache.login("admin") as session:
        items = run_check(session, lambda: PrinterStatus(True, "PDF", True))
        audited = session.conn.execute(
            "SELECT count(*) FROM audit_log WHERE action = 'readiness_check'"
        ).fetchone()[0]
    assert _status(items, "snapshot") == Status.FAILURE
    assert _status(items, "audit") == Status.OK
    assert _status(items, "integrity") == Status.OK
    assert _status(items, "recovery") == Status.OK
    assert _status(items, "users") == Status.OK
    assert audited == 1


def test_only_it_runs_the_check(cache):
    import pytest

    from continuity.core.errors import PermissionDenied

    with cache.login("nurse") as session, pytest.raises(PermissionDenied):
        run_check(session)


def test_disabling_the_last_it_user_but_one_still_passes(cache):
    with cache.login("admin") as session:
        users.add_user(session, "tech2", "Second Tech", "it", "Second-Tech-Pass-1")
        users.disable_user(session, "tech2")
        items = run_check(session)
    assert _status(items, "users") == Status.OK


def test_cli_check_prints_french_lines_and_json(cache):
    import json

    from tests.conftest import ADMIN_PASSWORD

    result = run_cli(
        "check",
        "--db",
        cache.path,
        "--user",
        "admin",
        "--password-stdin",
        stdin=ADMIN_PASSWORD + "\n",
    )
    assert result.returncode == 1  # no snapshot yet: a failure
    assert "Aucun instantané" in result.stdout
    as_json = run_cli(
        "check",
        "--db",
        cache.path,
        "--user",
        "admin",
        "--password-stdin",
        "--json",
        stdin=ADMIN_PASSWORD + "\n",
    )
    checks = {c["check"]: c["status"] for c in json.loads(as_json.stdout)}
    assert checks["snapshot"] == "failure" and checks["audit"] == "ok"
