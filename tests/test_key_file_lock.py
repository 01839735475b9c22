"""Two programs change the key file at once, and neither change is lost.

The key file (`<db>.keys`) holds every person's key slot and the failed-log-in counters. It is
rewritten whole by a log-in, a witness check, the hourly refresh, a user change and a key
rotation. Each of these must hold the key file's lock from its load to its save: otherwise IT
adding a user on the laptop while a witness mistypes their password (in another program, or
the unattended refresh) can write back a copy without the new user, who then cannot log in.

Each test runs the other program as a real second process, through the same core functions.
Passwords reach it on stdin, never in its command line.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from continuity.core.errors import AuthenticationFailed
from continuity.store import audit, users
from continuity.store.cache import login, slots_path
from continuity.store.key_rotation import rotate_database_key
from continuity.store.key_slots import KeySlotFile
from tests.conftest import NURSE_PASSWORD

REPO = Path(__file__).resolve().parents[1]
NEW_USER_PASSWORD = "Sierra-Victor-42!"
WRONG_PASSWORD = "Wrong-Password-1"

#: The start of every child: this checkout's code, the tests' cheap key derivation, the
#: tests' clock (moved on an hour before each try, so the growing delay never refuses one).
PRELUDE = """
import sys
from datetime import UTC, datetime
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from continuity.core.clock import FixedClock
from continuity.core.errors import AuthenticationFailed
from continuity.store import key_slots
key_slots.DEFAULT_SCRYPT = {"n": 2**12, "r": 8, "p": 1}
path, attempts = Path(sys.argv[2]), int(sys.argv[3])
clock = FixedClock(datetime(2026, 11, 28, 9, 0, tzinfo=UTC))
"""

WITNESS_CHILD = (
    PRELUDE
    + """
from continuity.store.cache import login
from continuity.store.witness import verify_witness
nurse_password, wrong = sys.stdin.readline().strip(), sys.stdin.readline().strip()
session = login(path, "nurse", nurse_password, clock=clock)
print("READY", flush=True)
for _ in range(attempts):
    clock.advance(hours=1)
    try:
        verify_witness(session, "pharma", wrong)
    except AuthenticationFailed:
        continue
    sys.exit("a wrong witness password was accepted")
session.close()
"""
)

REFRESH_CHILD = (
    PRELUDE
    + """
import keyring
from tests.snapshot_fixtures import FileKeyring
from continuity.store.refresh_login import login_for_refresh, login_with_refresh_secret
keyring.set_keyring(FileKeyring())
wrong = sys.stdin.readline().strip()
print("READY", flush=True)
for _ in range(attempts):
    clock.advance(hours=1)
    try:
        login_with_refresh_secret(path, wrong, clock=clock)
    except AuthenticationFailed:
        pass
    else:
        sys.exit("a wrong refresh secret was accepted")
    clock.advance(hours=1)
    login_for_refresh(path, clock=clock).close()  # the hourly refresh, as the scheduler runs it
"""
)

LOGIN_CHILD = (
    PRELUDE
    + """
from continuity.store.cache import login
nurse_password = sys.stdin.readline().strip()
print("READY", flush=True)
login(path, "nurse", nurse_password, clock=clock).close()
print("LOGGED-IN", flush=True)
"""
)


class PowerCut(Exception):
    """The laptop loses power: the rotation stops where it is, with no clean-up."""


def _start(script: str, cache_path: Path, attempts: int, *secrets: str) -> subprocess.Popen:
    """The other program, started and told its secrets; returns once it says READY."""
    child = subprocess.Popen(
        [sys.executable, "-c", script, str(REPO), str(cache_path), str(attempts)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdin is not None and child.stdout is not None
    child.stdin.write("".join(f"{s}\n" for s in secrets))
    child.stdin.close()
    child.stdin = None  # told once; communicate() must not flush it again
    ready = child.stdout.readline().strip()
    if ready != "READY":
        child.kill()
        pytest.fail(f"the second program did not start: {child.communicate()[1]}")
    return child


def _add_users_while_running(cache, child: subprocess.Popen) -> list[str]:
    """IT adds users, one after the other, for as long as the other program runs.

    At most 30: the lock is not fair, and the other program may finish its run alone.
    """
    added: list[str] = []
    with cache.login("admin") as admin:
        while child.poll() is None and len(added) < 30:
            name = f"inf{len(added) + 1:03d}"
            users.add_user(admin, name, f"Infirmière {len(added) + 1}", "nurse", NEW_USER_PASSWORD)
            added.append(name)
    _, err = child.communicate(timeout=60)
    assert child.returncode == 0, err
    assert len(added) >= 3, "the two programs did not run at the same time"
    return added


def _everyone_can_log_in(cache, added: list[str]) -> None:
    lost = []
    for name in added:
        try:
            login(cache.path, name, NEW_USER_PASSWORD, clock=cache.clock).close()
        except AuthenticationFailed:  # no slot any more: "wrong user or password"
            lost.append(name)
    assert lost == [], f"{len(lost)} of {len(added)} new users cannot log in"


def test_a_witness_mistyping_a_password_does_not_lose_a_user_it_is_adding(cache):
    attempts = 15
    child = _start(WITNESS_CHILD, cache.path, attempts, NURSE_PASSWORD, WRONG_PASSWORD)
    added = _add_users_while_running(cache, child)
    _everyone_can_log_in(cache, added)
    # Every wrong witness password counts toward the pharmacist's log-in delay.
    slots = KeySlotFile.load(slots_path(cache.path))
    assert slots.lockout["pharma"]["failures"] == attempts


def test_the_hourly_refresh_does_not_lose_a_user_it_is_adding(cache, tmp_path, monkeypatch):
    import keyring

    from continuity.store.refresh_login import enable_refresh
    from tests.snapshot_fixtures import FileKeyring

    monkeypatch.setenv("CONTINUITY_TEST_KEYRING", str(tmp_path / "keyring.json"))
    previous = keyring.get_keyring()
    keyring.set_keyring(FileKeyring())
    try:
        with cache.login("admin") as session:
            enable_refresh(session)
    finally:
        keyring.set_keyring(previous)
    attempts = 10
    child = _start(REFRESH_CHILD, cache.path, attempts, WRONG_PASSWORD)
    added = _add_users_while_running(cache, child)
    _everyone_can_log_in(cache, added)
    # Every refused refresh secret reached the audit log (kept in the key file until then).
    with cache.login("admin") as session:
        refused = [
            json.loads(detail)
            for (detail,) in session.conn.execute(
                "SELECT detail FROM audit_log WHERE actor = 'refresh' AND action = 'login_failed'"
            )
        ]
        assert refused == [{"reason": "refresh secret"}] * attempts
        assert audit.verify_chain(session.conn).ok


def test_a_log_in_during_a_rekey_waits_so_a_crash_still_leaves_a_working_key(cache):
    """A nurse logs in while IT rotates the key; the power is cut after the swap."""
    with cache.login("admin") as session:
        with session.transaction() as conn:
            conn.execute(
                "INSERT INTO patients (source_id, family, given) VALUES ('p1', 'Roux', 'A')"
            )
        nurse: subprocess.Popen | None = None

        def step(name: str) -> None:
            nonlocal nurse
            if name == "next-key-saved":
                nurse = _start(LOGIN_CHILD, cache.path, 1, NURSE_PASSWORD)
                try:  # without the lock she logs in now and drops the key being rotated to
                    nurse.wait(timeout=1.5)
                except subprocess.TimeoutExpired:
                    pass
            if name == "swapped":
                raise PowerCut

        with pytest.raises(PowerCut):
            rotate_database_key(session, on_step=step)
    assert nurse is not None
    out, err = nurse.communicate(timeout=60)
    assert nurse.returncode == 0 and out.strip() == "LOGGED-IN", err
    for user in ("admin", "nurse", "pharma"):
        with cache.login(user) as session:
            assert session.conn.execute("SELECT family FROM patients").fetchall() == [("Roux",)]
