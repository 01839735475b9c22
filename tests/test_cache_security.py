"""An IT technician sets up a laptop; the cache keeps patients unreadable without a password."""

from __future__ import annotations

import pytest
import sqlcipher3

from continuity.core.errors import AuthenticationFailed, BadInput, CacheUnusable
from continuity.store import key_slots, users
from continuity.store.cache import login, login_with_recovery, slots_path
from continuity.store.connection import open_connection

PATIENT = "Éloïse Dupont-Lefèvre"


def _write_patient(session) -> None:
    with session.transaction() as conn:
        conn.execute(
            "INSERT INTO patients (source_id, ipp, family, given, search_key)"
            " VALUES ('p1', '8000123', ?, 'Éloïse', '')",
            (PATIENT,),
        )


def test_every_user_opens_the_cache_with_their_own_password(cache):
    for user in ("admin", "nurse", "pharma"):
        with cache.login(user) as session:
            assert session.user.login == user
            assert session.device.name == "SAGESSE-3A-PC1"


def test_wrong_password_says_the_same_for_unknown_users(cache):
    with pytest.raises(AuthenticationFailed) as wrong:
        cache.login("nurse", "Not-The-Password-1")
    with pytest.raises(AuthenticationFailed) as unknown:
        cache.login("nobody", "Not-The-Password-1")
    assert str(wrong.value) == str(unknown.value)


def test_no_patient_name_in_the_clear_in_any_file(cache, tmp_path):
    with cache.login("nurse") as session:
        _write_patient(session)
        # keep the WAL populated: read before closing
        assert session.conn.execute("SELECT family FROM patients").fetchone()[0] == PATIENT
        files = list(tmp_path.iterdir())
        assert any(f.name.endswith("-wal") for f in files)
        for f in files:
            raw = f.read_bytes()
            for needle in (PATIENT, "Dupont", "8000123"):
                assert needle.encode("utf-8") not in raw, f"{needle} in clear in {f.name}"
                assert needle.encode("utf-16-le") not in raw


def test_a_wrong_raw_key_is_refused_cleanly(cache):
    with pytest.raises(CacheUnusable):
        open_connection(cache.path, b"\x01" * 32)


def test_every_connection_keeps_temp_data_in_memory_and_fsyncs(cache):
    with cache.login("nurse") as session:
        pragmas = {
            name: session.conn.execute(f"PRAGMA {name}").fetchone()[0]
            for name in (
                "journal_mode",
                "synchronous",
                "temp_store",
                "secure_delete",
                "foreign_keys",
                "cipher_memory_security",
            )
        }
    assert pragmas == {
        "journal_mode": "wal",
        "synchronous": 2,
        "temp_store": 2,
        "secure_delete": 1,
        "foreign_keys": 1,
        "cipher_memory_security": "1",
    }


def test_revoking_a_user_locks_them_out_and_others_keep_working(cache):
    with cache.login("admin") as session:
        users.disable_user(session, "nurse")
    with pytest.raises(AuthenticationFailed):
        cache.login("nurse")
    slots = key_slots.KeySlotFile.load(slots_path(cache.path))
    assert "nurse" not in slots.logins()
    with cache.login("pharma") as session:
        assert session.user.role == "pharmacist"


def test_a_disabled_user_whose_slot_was_copied_back_still_cannot_log_in(cache):
    saved = slots_path(cache.path).read_bytes()
    with cache.login("admin") as session:
        users.disable_user(session, "nurse")
    slots_path(cache.path).write_bytes(saved)  # an attacker restores the old key file
    with pytest.raises(AuthenticationFailed):
        cache.login("nurse")


def test_password_change_rewraps_only_that_slot(cache):
    before = key_slots.KeySlotFile.load(slots_path(cache.path))
    with cache.login("admin") as session:
        users.set_password(session, "nurse", "Brand-New-Pass-7")
    after = key_slots.KeySlotFile.load(slots_path(cache.path))
    assert before.find("user", "pharma") == after.find("user", "pharma")
    assert before.find("user", "nurse") != after.find("user", "nurse")
    with pytest.raises(AuthenticationFailed):
        cache.login("nurse")
    with cache.login("nurse", "Brand-New-Pass-7") as session:
        assert session.user.login == "nurse"


def test_weak_passwords_are_refused_at_creation(cache):
    with cache.login("admin") as session:
        for weak in ("short1A!", "alllowercaseletters", "Nurse2-Password-x"):
            with pytest.raises(BadInput):
                users.add_user(session, "nurse2", "N Two", "nurse", weak)
        assert [r.user.login for r in users.list_users(session)] == ["admin", "nurse", "pharma"]


def test_recovery_key_opens_emergency_access_that_can_only_set_up_users(cache):
    session = login_with_recovery(
        cache.path, cache.recovery_key.lower().replace("-", " "), clock=cache.clock
    )
    with session:
        users.add_user(session, "urgence", "Ursula Urgence", "it", "Emergency-Pass-9")
        from continuity.core.errors import PermissionDenied
        from continuity.core.roles import Permission

        with pytest.raises(PermissionDenied):
            session.require(Permission.VIEW_PATIENTS)
        actions = [r[0] for r in session.conn.execute("SELECT action FROM audit_log")]
    assert "break_glass" in actions
    with pytest.raises(AuthenticationFailed):
        login_with_recovery(
            cache.path, "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH", clock=cache.clock
        )


def test_repeated_failures_slow_down_and_the_delay_survives_a_restart(cache):
    for _ in range(3):
        with pytest.raises(AuthenticationFailed, match="incorrect"):
            cache.login("nurse", "Wrong-Password-11")
    # Fourth try, even with the right password, is refused during the delay.
    with pytest.raises(AuthenticationFailed) as refused:
        cache.login("nurse")
    assert "5" in str(refused.value)
    # A restart is a fresh load of the key file: the delay is still there.
    slots = key_slots.KeySlotFile.load(slots_path(cache.path))
    assert slots.retry_at("nurse") is not None
    cache.clock.advance(seconds=6)
    with cache.login("nurse") as session:
        failed = session.conn.execute(
            "SELECT count(*) FROM audit_log WHERE action = 'login_failed' AND actor = 'nurse'"
        ).fetchone()[0]
    assert failed == 3


def test_a_slot_copied_under_another_name_does_not_open(cache):
    slots = key_slots.KeySlotFile.load(slots_path(cache.path))
    nurse = slots.find("user", "nurse")
    pharma = slots.find("user", "pharma")
    pharma.nonce, pharma.wrapped, pharma.kdf = nurse.nonce, nurse.wrapped, nurse.kdf
    slots.save()
    with pytest.raises(AuthenticationFailed):
        login(cache.path, "pharma", "Delta-Oscar-42!", clock=cache.clock)


def test_production_key_derivation_cost_is_the_documented_one():
    """Read in a fresh interpreter: tests lower the cost in this one."""
    import subprocess
    import sys

    shown = subprocess.run(
        [
            sys.executable,
            "-c",
            "from continuity.store.key_slots import DEFAULT_SCRYPT; print(sorted(DEFAULT_SCRYPT.items()))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert shown == str(sorted({"n": 2**16, "r": 8, "p": 1}.items()))


def test_the_raw_database_file_is_not_a_plain_sqlite_file(cache):
    import sqlite3

    header = cache.path.read_bytes()[:16]
    assert header != b"SQLite format 3\x00"
    conn = sqlite3.connect(cache.path)
    with pytest.raises(sqlite3.DatabaseError):
        conn.execute("SELECT * FROM sqlite_master").fetchall()
    conn.close()
    assert sqlcipher3 is not None


def test_altered_bytes_in_the_cache_file_are_refused_at_login(cache):
    with cache.login("admin") as session:
        with session.transaction() as conn:
            conn.executemany(
                "INSERT INTO patients (source_id, family, given) VALUES (?, ?, 'X')",
                [(f"p{i}", "Nom" * 50) for i in range(400)],
            )
        session.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(cache.path.read_bytes())
    assert len(data) > 4096 * 6
    data[4096 * 5 + 200] ^= 0x01  # one bit, in the middle of the file
    cache.path.write_bytes(bytes(data))
    with pytest.raises(CacheUnusable, match="altéré"):
        cache.login("nurse")


def test_a_password_typed_in_the_user_field_is_never_kept_in_the_clear(cache):
    typed = "Delta-Oscar-42!"  # the nurse's password, typed where the user name goes
    with pytest.raises(AuthenticationFailed):
        login(cache.path, typed, "whatever", clock=cache.clock)
    raw = slots_path(cache.path).read_text(encoding="utf-8")
    assert typed.lower() not in raw and typed not in raw
    with cache.login("admin") as session:
        actors = [
            r[0]
            for r in session.conn.execute(
                "SELECT actor FROM audit_log WHERE action = 'login_failed'"
            )
        ]
    assert actors == ["unknown-user"]
    # The delay still applies to that name, counted under its keyed hash.
    for _ in range(3):
        with pytest.raises(AuthenticationFailed):
            login(cache.path, typed, "whatever", clock=cache.clock)
    with pytest.raises(AuthenticationFailed, match=r"5 s|réessayez"):
        login(cache.path, typed, "whatever", clock=cache.clock)


def test_a_change_to_the_key_file_waits_for_a_login_in_progress(cache):
    """Two programs on one laptop: the second waits for the first's read-modify-write."""
    import subprocess
    import sys
    import time

    from continuity.store.files import exclusive_lock

    script = (
        "import sys; from pathlib import Path; from continuity.store.cache import login\n"
        "try:\n    login(Path(sys.argv[1]), 'nurse', 'wrong-password-1')\n"
        "except Exception as e:\n    print(type(e).__name__)\n"
    )
    with exclusive_lock(slots_path(cache.path)):
        child = subprocess.Popen(
            [sys.executable, "-c", script, str(cache.path)], stdout=subprocess.PIPE, text=True
        )
        time.sleep(1.0)  # the child is blocked on the lock, not finished
        assert child.poll() is None
    out, _ = child.communicate(timeout=60)
    assert out.strip() == "AuthenticationFailed"


def test_a_key_file_with_absurd_kdf_parameters_is_called_damaged(cache):
    slots = key_slots.KeySlotFile.load(slots_path(cache.path))
    slots.find("user", "nurse").kdf["n"] = 3
    slots.save()
    with pytest.raises(CacheUnusable, match=r"endommagé|damaged"):
        cache.login("nurse")
