"""A key-file change waits for another program's, then says so in one sentence (never hangs)."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from continuity.core.errors import AuthenticationFailed
from continuity.store import files
from continuity.store.cache import login, slots_path
from tests.conftest import NURSE_PASSWORD

HOLD = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
fcntl.flock(fd, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(float(sys.argv[2]))
"""


def _hold(cache, seconds: float) -> subprocess.Popen:
    lock = slots_path(cache.path).with_name(slots_path(cache.path).name + ".lock")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(lock), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline().strip() == "held"
    return holder


@pytest.mark.skipif(sys.platform == "win32", reason="the holder uses flock")
def test_a_log_in_during_a_long_key_change_is_told_to_try_again(cache, monkeypatch):
    holder = _hold(cache, 5)
    try:
        monkeypatch.setattr(files, "LOCK_WAIT_SECONDS", 0.3)
        start = time.monotonic()
        with pytest.raises(files.KeyFileBusy) as caught:
            login(cache.path, "nurse", NURSE_PASSWORD, clock=cache.clock)
        assert time.monotonic() - start < 3
        assert "réessayez dans quelques minutes" in caught.value.message
        assert "\n" not in caught.value.message
    finally:
        holder.kill()
        holder.wait()
    with login(cache.path, "nurse", NURSE_PASSWORD, clock=cache.clock) as session:
        assert session.user.login == "nurse"


@pytest.mark.skipif(sys.platform == "win32", reason="the holder uses flock")
def test_a_log_in_waits_for_a_short_key_change_and_goes_through(cache):
    holder = _hold(cache, 0.5)
    try:
        with login(cache.path, "nurse", NURSE_PASSWORD, clock=cache.clock) as session:
            assert session.user.login == "nurse"
        with pytest.raises(AuthenticationFailed):  # and a refusal is still a refusal
            login(cache.path, "nurse", "Not-Her-Password-1", clock=cache.clock)
    finally:
        holder.wait(timeout=10)


@pytest.mark.skipif(sys.platform == "win32", reason="shared locks are POSIX-only")
def test_a_rekey_refuses_while_another_program_has_the_cache_open(cache):
    """A user added by another program during a rekey went into the file being replaced and
    vanished: the rekey now refuses, changing nothing, while anyone else has it open."""
    from continuity.store import users
    from continuity.store.key_rotation import rotate_database_key
    from continuity.store.session import CacheInUse

    other = cache.login("nurse")  # another window or command, still open
    admin = cache.login("admin")
    key_before = admin.database_key()
    with pytest.raises(CacheInUse) as caught:
        rotate_database_key(admin)
    assert "fermez-les" in caught.value.message
    other.close()
    fresh = rotate_database_key(admin)
    try:
        assert fresh.database_key() != key_before
        users.add_user(fresh, "inf001", "Infirmière 1", "nurse", "Sierra-Victor-42!")
    finally:
        fresh.close()
    login(cache.path, "inf001", "Sierra-Victor-42!", clock=cache.clock).close()


@pytest.mark.skipif(sys.platform == "win32", reason="shared locks are POSIX-only")
def test_replacing_the_master_key_while_another_program_has_the_cache_open_changes_nothing(
    cache,
):
    """Refused only at the rotation, the new recovery key was never shown and every other
    slot was already gone (the old recovery key no longer worked)."""
    from continuity.store.cache import login_with_recovery
    from continuity.store.key_rotation import replace_master_key
    from continuity.store.session import CacheInUse
    from tests.conftest import ADMIN_PASSWORD

    before = slots_path(cache.path).read_bytes()
    other = cache.login("nurse")
    try:
        with cache.login("admin") as admin, pytest.raises(CacheInUse):
            replace_master_key(admin, ADMIN_PASSWORD)
    finally:
        other.close()
    assert slots_path(cache.path).read_bytes() == before
    login_with_recovery(cache.path, cache.recovery_key, clock=cache.clock).close()
    login(cache.path, "nurse", NURSE_PASSWORD, clock=cache.clock).close()
