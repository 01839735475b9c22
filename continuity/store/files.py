"""Small-file durability: write a whole file or nothing, even if the power is cut."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from continuity.core.errors import UserError
from continuity.core.i18n import _


def write_atomically(path: Path, data: bytes) -> None:
    """Write beside, fsync, rename over, fsync the folder: readers see old or new, never half."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")  # two writers never share it
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    fsync_dir(path.parent)


def fsync_dir(folder: Path) -> None:
    if os.name == "nt":  # Windows cannot open a directory for fsync; NTFS journals renames.
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


#: How long a key-file change waits for another program's (a database-key rotation copies
#: the whole cache under the lock): then one sentence instead of a frozen window.
LOCK_WAIT_SECONDS = 120.0
_LOCK_POLL_SECONDS = 0.05


class KeyFileBusy(UserError):
    """Another program held the key file's lock for longer than we wait."""


def _acquire_windows(fd: int, limit: float) -> bool:
    import msvcrt

    deadline = time.monotonic() + limit
    while True:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(_LOCK_POLL_SECONDS)


def _acquire_posix(fd: int, limit: float) -> bool:
    """A blocking `flock` (the kernel queues waiters: polling would let a busy program take
    the lock back again and again), waited for on a thread for at most `limit` seconds.
    On False the thread owns `fd`: it closes it, releasing the lock, if it ever gets it."""
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        pass
    got = threading.Event()
    guard = threading.Lock()
    abandoned = False

    def take() -> None:
        fcntl.flock(fd, fcntl.LOCK_EX)
        with guard:
            if abandoned:
                os.close(fd)
            else:
                got.set()

    threading.Thread(target=take, name="key-file-lock", daemon=True).start()
    if got.wait(limit):
        return True
    with guard:
        if got.is_set():
            return True
        abandoned = True
    return False


@contextlib.contextmanager
def exclusive_lock(path: Path, *, wait: float | None = None) -> Iterator[None]:
    """Hold an exclusive advisory lock on `<path>.lock` for a read-modify-write of `path`.

    Two programs on one laptop (the app and a CLI command) edit the key file; without a lock a
    log-in saving its counters could write back a copy without the user just added. The lock
    is not re-entrant (never take it twice in one thread). Waits up to `wait` seconds
    (default `LOCK_WAIT_SECONDS`) on every platform, then raises `KeyFileBusy`: a blocking
    `flock` would freeze the app, and Windows' blocking lock gives up after 10 s with a raw
    error.
    """
    if not path.exists():  # nothing to protect, and no `.lock` left beside a mistyped path:
        yield  # the caller reports the missing file
        return
    lock_path = path.with_name(path.name + ".lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    limit = LOCK_WAIT_SECONDS if wait is None else wait
    owned = True
    try:
        acquire = _acquire_windows if os.name == "nt" else _acquire_posix
        if not acquire(fd, limit):
            owned = False  # the waiting thread keeps the descriptor
            raise KeyFileBusy(
                _(
                    "Another Continuity program is changing this laptop's keys (a key "
                    "rotation?); try again in a few minutes."
                )
            )
        yield
    finally:
        if owned:
            os.close(fd)  # closing releases the lock on every platform
