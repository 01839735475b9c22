"""Opening the SQLCipher file safely: key first, proven, then the pragmas that keep data safe.

`PRAGMA key` must be the very first statement (anything before it, `journal_mode=WAL`
included, would write a plaintext header), followed by a read that proves the key. Then every
connection gets the same settings and they are read back, because a silently ignored pragma
(temp_store=FILE would put sorts and temp tables on disk in the clear) is a leak.
"""

from __future__ import annotations

import sys
from pathlib import Path

import sqlcipher3

from continuity.core.errors import CacheUnusable, StorageProblem
from continuity.core.i18n import _

DatabaseError = sqlcipher3.DatabaseError
Connection = sqlcipher3.Connection

#: SQLCipher's memory security (mlock + wipe of its own buffers) is process-wide and cannot be
#: turned off once on. It is on for every interactive process. A short-lived bulk process (the
#: CLI `import` and `refresh`) turns it off before its first connection: it makes ~1.5 million
#: mlock/munlock system calls for a 5,000-patient import (13 s instead of 1 s of writing), and
#: protects little there, since the same decrypted data sits in that process's Python objects
#: and the process exits seconds later. See SECURITY.md.
_memory_security = True


def use_memory_security(on: bool) -> None:
    """Choose SQLCipher memory security for this process, before its first connection."""
    global _memory_security
    _memory_security = on


_SETTINGS = [
    ("cipher_compatibility", "4"),
    ("cipher_memory_security", "ON"),
    ("journal_mode", "WAL"),
    ("synchronous", "FULL"),
    ("foreign_keys", "ON"),
    ("temp_store", "MEMORY"),
    ("secure_delete", "ON"),
]
#: What each pragma must read back as.
_EXPECTED = {
    "journal_mode": "wal",
    "synchronous": "2",
    "temp_store": "2",
    "foreign_keys": "1",
    "secure_delete": "1",
}


def open_connection(path: Path, key: bytes, *, create: bool = False) -> Connection:
    """An open, keyed, checked connection; CacheUnusable with one sentence if it cannot be."""
    if not create and not path.exists():
        raise CacheUnusable(_("No cache was found at this place."))
    conn = sqlcipher3.connect(str(path), timeout=30, isolation_level=None, check_same_thread=False)
    try:
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        conn.execute("PRAGMA cipher_compatibility = 4")
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except DatabaseError:
            raise CacheUnusable(
                _("The cache cannot be read: wrong key, or its file is damaged or altered.")
            ) from None
        for name, value in _SETTINGS[1:]:
            if name == "cipher_memory_security" and not _memory_security:
                value = "OFF"
            conn.execute(f"PRAGMA {name} = {value}")
        if sys.platform == "darwin":
            conn.execute("PRAGMA fullfsync = ON")
        for name, expected in _EXPECTED.items():
            actual = str(conn.execute(f"PRAGMA {name}").fetchone()[0]).lower()
            if actual != expected:
                raise CacheUnusable(
                    _("The cache could not be opened with its safety settings ({name}).").format(
                        name=name
                    )
                )
        return conn
    except BaseException:
        conn.close()
        raise


def check_file_integrity(conn: Connection) -> None:
    """Every page's HMAC, checked at log-in: altered bytes are refused before anything is read.

    About 70 ms for a 40 MB cache; cheaper than showing a nurse a half-readable census.
    """
    problems = conn.execute("PRAGMA cipher_integrity_check").fetchall()
    if problems:
        raise CacheUnusable(
            _(
                "The cache file has been altered or damaged ({problem}): do not use it; "
                "restore a backup or provision this laptop again."
            ).format(problem=problems[0][0])
        )


def storage_problem(exc: Exception) -> StorageProblem | None:
    """The user-facing form of a full, read-only or failing disk; None for anything else."""
    text = str(exc).lower()
    if "full" in text:
        return StorageProblem(
            _("The disk is full: nothing was recorded; free some space, then try again.")
        )
    if "readonly" in text or "read-only" in text:
        return StorageProblem(
            _("The cache is on read-only media: nothing was recorded; move it to a writable disk.")
        )
    if "disk i/o error" in text:
        return StorageProblem(_("The disk failed while writing: nothing was recorded."))
    return None


class transaction:
    """`with transaction(conn):` BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any exception.

    IMMEDIATE takes the write lock up front, so two writers (the app and a CLI on the same
    laptop) queue instead of failing half-way. Commit with synchronous=FULL in WAL mode fsyncs
    the WAL before returning: when this block exits, the data survives a power cut.
    """

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def __enter__(self) -> Connection:
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            try:
                self.conn.execute("COMMIT")
            except BaseException:
                if self.conn.in_transaction:  # a failed COMMIT (disk full) may leave it open
                    self.conn.execute("ROLLBACK")
                raise
        elif self.conn.in_transaction:
            self.conn.execute("ROLLBACK")
