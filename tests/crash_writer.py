"""The writer process of the crash and durability tests: it writes until it is killed.

    python tests/crash_writer.py entries DB [--count N] [--synchronous OFF]  < password
    python tests/crash_writer.py import DB FOLDER_A FOLDER_B                  < password

It works through the core exactly as the app does (log in once, then `record_dose`,
`record_vitals`, `record_note`, or `import_snapshot`) and tells the test what the user would
have been told, one `write(2)` per line on stdout, so the line is in the pipe (and in an strace
log) the moment the call has returned:

- `READY` once logged in (the test starts its kill timer then);
- `ACK <seq> <uuid>` after each entry call returned (the nurse saw "recorded");
- `TX <as_of>` when an import starts writing its transaction (observed, not changed, by
  wrapping the importer's call to `replace_snapshot`), `ACK import <as_of>` after it returned.

`--synchronous OFF` (or NORMAL) overrides the session connection's `PRAGMA synchronous=FULL`:
the durability test uses it to prove its strace check notices a commit whose WAL was not
synced before the acknowledgement.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

# Run as a script: import `continuity` from this checkout, the same code pytest is testing.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from continuity.core.clock import FixedClock, to_utc_iso
from continuity.store import key_slots

#: The tests' cheap key derivation (tests/conftest.py): a log-in per kill stays fast.
key_slots.DEFAULT_SCRYPT = {"n": 2**12, "r": 8, "p": 1}

#: The clock of tests/conftest.py, so entries pass the same time checks as in the tests.
CLOCK = FixedClock(datetime(2026, 11, 28, 9, 0, tzinfo=UTC))


#: Every table an import replaces (entries are listed too: an import must never touch them).
SNAPSHOT_TABLES = (
    "snapshot", "locations", "practitioners", "patients", "allergies", "orders",
    "appointments", "observations", "entries",
)  # fmt: skip


def snapshot_digest(conn) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """A digest of every snapshot table's content, to tell "unchanged" and "wholly A" exactly.

    Shared with the fuzz and disk-full tests. Row order and the allergies' surrogate ids are
    left out: a re-import may renumber them without changing what a nurse sees.
    """
    digests = {}
    for table in SNAPSHOT_TABLES:
        columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
        wanted = ", ".join(f'"{c}"' for c in columns if not (table == "allergies" and c == "id"))
        rows = sorted(repr(r) for r in conn.execute(f"SELECT {wanted} FROM {table}"))
        digests[table] = hashlib.sha256("\n".join(rows).encode()).hexdigest()[:16]
    return digests


def say(line: str) -> None:
    """One unbuffered write per line: what is in the pipe is exactly what was acknowledged."""
    os.write(1, (line + "\n").encode())


def write_entries(db: Path, password: str, count: int | None, synchronous: str | None) -> None:
    """A nurse recording care on the ward of tests/entries_fixtures.py, as fast as she can."""
    from continuity.store import entries
    from continuity.store.cache import login

    session = login(db, "nurse", password, clock=CLOCK)
    if synchronous:
        session.conn.execute(f"PRAGMA synchronous = {synchronous}")
    say("READY")
    for n in itertools.count() if count is None else range(count):
        if n % 3 == 0:
            stored = entries.record_dose(
                session,
                patient_id="pat-1",
                order_id="ord-para",
                scheduled="2026-11-28T12:00:00+01:00",
                status="given",
                confirm=True,  # the repeated dose is confirmed, as a nurse could
            )
        elif n % 3 == 1:
            stored = entries.record_vitals(session, patient_id="pat-2", hr=60 + n % 40, temp=37.1)
        else:
            stored = entries.record_note(session, patient_id="pat-3", text=f"Surveillance {n}")
        say(f"ACK {stored.seq} {stored.uuid}")
    session.close()


def import_forever(db: Path, password: str, folders: list[Path]) -> None:
    """IT refreshing the snapshot again and again, alternating two exports."""
    from continuity.fhir import importer
    from continuity.store.cache import login

    real_replace = importer.replace_snapshot

    def announced_replace(conn, rows, snapshot):  # type: ignore[no-untyped-def]
        say(f"TX {snapshot['as_of']}")
        return real_replace(conn, rows, snapshot)

    importer.replace_snapshot = announced_replace
    session = login(db, "admin", password, clock=CLOCK)
    say("READY")
    for folder in itertools.cycle(folders):
        report = importer.import_snapshot(
            session, folder, allow_older=True
        )  # flips old/new on purpose
        say(f"ACK import {to_utc_iso(report.as_of)}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=("entries", "import"))
    parser.add_argument("db", type=Path)
    parser.add_argument("folders", type=Path, nargs="*")
    parser.add_argument("--count", type=int)
    parser.add_argument("--synchronous", choices=("OFF", "NORMAL"))
    args = parser.parse_args(argv)
    password = sys.stdin.readline().rstrip("\n")  # never in argv, as for the real CLI
    if args.mode == "entries":
        write_entries(args.db, password, args.count, args.synchronous)
    else:
        import_forever(args.db, password, args.folders)


if __name__ == "__main__":
    main()
