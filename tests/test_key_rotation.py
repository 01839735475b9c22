"""IT rotates the database key and restores a backup onto a fresh laptop."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from continuity.core.errors import AuthenticationFailed, BadInput, PermissionDenied
from continuity.store import audit, users
from continuity.store.cache import slots_path
from continuity.store.key_rotation import backup_cache, restore_cache, rotate_database_key
from continuity.store.key_slots import KeySlotFile


def _count_patients(session) -> int:
    return session.conn.execute("SELECT count(*) FROM patients").fetchone()[0]


def _add_patient(session, family: str) -> None:
    with session.transaction() as conn:
        conn.execute(
            "INSERT INTO patients (source_id, family, given) VALUES (?, ?, 'X')", (family, family)
        )


def test_rotation_keeps_every_user_and_the_data(cache):
    with cache.login("admin") as session:
        _add_patient(session, "Lefèvre")
        old_key = session.database_key()
        fresh = rotate_database_key(session)
        assert fresh.database_key() != old_key
        assert _count_patients(fresh) == 1
        fresh.close()
    for user in ("admin", "nurse", "pharma"):
        with cache.login(user) as session:
            assert _count_patients(session) == 1
            assert audit.verify_chain(session.conn).ok
    assert not cache.path.with_name(cache.path.name + ".rekey").exists()


def test_a_nurse_cannot_rotate_keys_or_make_backups(cache, tmp_path):
    with cache.login("nurse") as session:
        with pytest.raises(PermissionDenied):
            rotate_database_key(session)
        with pytest.raises(PermissionDenied):
            backup_cache(session, tmp_path)


CRASHER = """
import os, sys
from pathlib import Path
from continuity.store import key_slots
key_slots.DEFAULT_SCRYPT = {"n": 2**12, "r": 8, "p": 1}
from continuity.store.cache import login
from continuity.store.key_rotation import rotate_database_key
path, password, crash_at = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
session = login(path, "admin", password)
def step(name):
    if name == crash_at:
        os._exit(9)  # the power is cut here: no cleanup, no flush
rotate_database_key(session, on_step=step)
"""


@pytest.mark.parametrize("crash_at", ["next-key-saved", "exported", "swapped", "promoted"])
def test_a_crash_during_rotation_leaves_a_working_key(cache, crash_at):
    from tests.conftest import ADMIN_PASSWORD

    with cache.login("admin") as session:
        _add_patient(session, "Dupont")
    result = subprocess.run(
        [sys.executable, "-c", CRASHER, str(cache.path), ADMIN_PASSWORD, crash_at],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 9, result.stderr
    for user in ("nurse", "admin"):
        with cache.login(user) as session:
            assert _count_patients(session) == 1
            assert session.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    slots = KeySlotFile.load(slots_path(cache.path))
    assert slots.db_key_next is None
    assert not cache.path.with_name(cache.path.name + ".rekey").exists()


def test_backup_restores_onto_a_fresh_laptop_with_the_recovery_key(cache, tmp_path):
    usb = tmp_path / "usb"
    usb.mkdir()
    with cache.login("admin") as session:
        _add_patient(session, "N'Diaye")
        backup = backup_cache(session, usb)
    raw = backup.read_bytes() + slots_path(backup).read_bytes()
    assert b"N'Diaye" not in raw
    new_laptop = tmp_path / "new-laptop" / "ward.db"
    with pytest.raises(AuthenticationFailed):
        restore_cache(
            backup, new_laptop, "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH", clock=cache.clock
        )
    assert not new_laptop.exists()
    with restore_cache(backup, new_laptop, cache.recovery_key, clock=cache.clock) as emergency:
        users.add_user(emergency, "remplacant", "Rémi Remplaçant", "it", "Fresh-Laptop-Pass-1")
    from continuity.store.cache import login

    with login(new_laptop, "remplacant", "Fresh-Laptop-Pass-1", clock=cache.clock) as session:
        assert _count_patients(session) == 1
        assert session.device.name == "SAGESSE-3A-PC1"
    with pytest.raises(BadInput):
        restore_cache(backup, new_laptop, cache.recovery_key, clock=cache.clock)
    assert os.path.exists(new_laptop)


def test_replacing_the_master_key_cuts_off_an_old_copy_of_the_key_file(cache):
    from continuity.store.cache import login
    from continuity.store.key_rotation import replace_master_key
    from tests.conftest import ADMIN_PASSWORD, NURSE_PASSWORD

    old_keys = slots_path(cache.path).read_bytes()  # kept by the nurse before she left
    with cache.login("admin") as session:
        users.disable_user(session, "nurse")
        fresh, recovery = replace_master_key(session, ADMIN_PASSWORD)
        fresh.close()
    # The old key file and the nurse's password no longer open the cache.
    current = slots_path(cache.path).read_bytes()
    slots_path(cache.path).write_bytes(old_keys)
    with pytest.raises(Exception):  # noqa: B017 - refused one way or another
        login(cache.path, "nurse", NURSE_PASSWORD, clock=cache.clock).close()
    slots_path(cache.path).write_bytes(current)
    with cache.login("admin") as session:
        assert _count_patients(session) == 0
    with pytest.raises(AuthenticationFailed):
        cache.login("pharma")  # must be given a new password
    with cache.login("admin") as session:  # and the start-up check says so, not "add nurses"
        from continuity.store.readiness import startup_items

        (users_item,) = [i for i in startup_items(session) if i.key == "users"]
        assert "1 utilisateur(s) ne peuvent plus se connecter" in users_item.message
        assert "users passwd" in users_item.action
    from continuity.store.cache import login_with_recovery

    login_with_recovery(cache.path, recovery, clock=cache.clock).close()


@pytest.mark.parametrize(
    ("login", "password", "words"),
    [
        ("admin", "Fresh-Laptop-Pass-1", "existe déjà dans cette sauvegarde"),
        ("remplacant", "court", "12"),
    ],
)
def test_a_refused_restore_leaves_nothing_so_it_can_be_run_again(
    cache, tmp_path, login, password, words
):
    """A login already in the backup, or a password the policy refuses, used to leave the
    restored files behind: every retry then said a cache already existed."""
    from continuity.store.cache import login as log_in
    from continuity.store.key_rotation import restore_with_it_user

    usb = tmp_path / "usb"
    usb.mkdir()
    with cache.login("admin") as session:
        backup = backup_cache(session, usb)
    target = tmp_path / "new-laptop" / "ward.db"
    with pytest.raises(BadInput) as caught:
        restore_with_it_user(
            backup, target, cache.recovery_key, login=login, display_name="Rémi Remplaçant",
            password=password, clock=cache.clock,
        )  # fmt: skip
    assert words in caught.value.message
    assert not target.exists() and not slots_path(target).exists()
    restore_with_it_user(
        backup, target, cache.recovery_key, login="remplacant", display_name="Rémi Remplaçant",
        password="Fresh-Laptop-Pass-1", clock=cache.clock,
    )  # fmt: skip
    log_in(target, "remplacant", "Fresh-Laptop-Pass-1", clock=cache.clock).close()


def test_rekey_backup_and_restore_leave_files_readable_by_their_owner_only(cache, tmp_path):
    """The cache is encrypted, but other accounts on the laptop have no business reading it."""
    from continuity.store.key_rotation import restore_with_it_user

    with cache.login("admin") as session:
        rotate_database_key(session).close()
    assert cache.path.stat().st_mode & 0o077 == 0
    usb = tmp_path / "usb"
    usb.mkdir()
    with cache.login("admin") as session:
        backup = backup_cache(session, usb)
    assert backup.stat().st_mode & 0o077 == 0
    target = tmp_path / "new-laptop" / "ward.db"
    restore_with_it_user(
        backup, target, cache.recovery_key, login="remplacant", display_name="Rémi Remplaçant",
        password="Fresh-Laptop-Pass-1", clock=cache.clock,
    )  # fmt: skip
    assert target.stat().st_mode & 0o077 == 0
    assert slots_path(target).stat().st_mode & 0o077 == 0
