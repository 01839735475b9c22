"""A pulled plug loses no dose a nurse saw recorded: the WAL is synced before "recorded".

Killing the process (tests/test_crash_safety.py) cannot show this: the kernel's page cache
survives a kill, so a commit that never reached the disk still looks saved. A power cut does
not forgive that. So the writer process (tests/crash_writer.py) runs under strace, and the
log is read back: for every acknowledgement the writer printed, the WAL file was written for
that entry and then fsynced (or fdatasynced) before the acknowledgement was written.

The check is shown to have teeth: the same run with the connection's `synchronous` lowered
(OFF, or NORMAL, the usual "faster" setting, which syncs the WAL only at checkpoints) fails it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests import entries_fixtures
from tests.conftest import NURSE_PASSWORD

ward = entries_fixtures.ward  # the shared fixture: a small ward in the cache

STRACE = shutil.which("strace")
WRITER = Path(__file__).with_name("crash_writer.py")
ENTRIES = 20

pytestmark = pytest.mark.skipif(
    STRACE is None, reason="strace is not installed (scripts/setup.sh installs it)"
)

# `1234  pwrite64(4</tmp/x/ward.db-wal>, "..."..., 4096, 37136) = 4096` (strace -f -y)
_CALL = re.compile(r"^(?:\[pid\s+)?\d+\]?\s+(\w+)\((\d+)<([^>]*)>(.*)$")


@dataclass(frozen=True)
class Call:
    name: str
    fd: int
    path: str
    rest: str

    @property
    def on_wal(self) -> bool:
        return self.path.endswith("-wal")

    @property
    def succeeded(self) -> bool:
        return re.search(r"\)\s+=\s+\d+", self.rest) is not None


def read_log(text: str) -> list[Call]:
    """The traced calls in order; a call strace had to split keeps its start line."""
    calls = []
    for line in text.splitlines():
        match = _CALL.match(line)
        if match:
            name, fd, path, rest = match.groups()
            calls.append(Call(name, int(fd), path, rest))
    return calls


def unsynced_acknowledgements(calls: list[Call]) -> tuple[int, list[str]]:
    """(acknowledgements seen, those not preceded by a WAL write and then a WAL sync)."""
    acks, problems = 0, []
    wrote = dirty = False  # since the previous acknowledgement
    for call in calls:
        if call.name in ("write", "pwrite64") and call.on_wal:
            wrote = dirty = True
        elif call.name in ("fsync", "fdatasync") and call.on_wal and call.succeeded:
            dirty = False
        elif call.name == "write" and call.fd == 1 and call.rest.startswith(', "ACK '):
            acks += 1
            label = call.rest.split('"')[1][:20]
            if not wrote:
                problems.append(f"{label}: acknowledged without any WAL write")
            elif dirty:
                problems.append(f"{label}: acknowledged before the WAL was synced")
            wrote = dirty = False
        elif call.name == "write" and call.fd == 1 and call.rest.startswith(', "READY'):
            wrote = dirty = False  # the log-in's own writes are not an entry's
    return acks, problems


def _traced_run(ward, tmp_path: Path, *extra: str) -> str:
    log = tmp_path / f"strace{'-'.join(extra)}.log"
    result = subprocess.run(
        [STRACE, "-f", "-y", "-e", "trace=fsync,fdatasync,write,pwrite64", "-o", str(log),
         sys.executable, str(WRITER), "entries", str(ward.cache.path), "--count", str(ENTRIES),
         *extra],
        input=NURSE_PASSWORD + "\n",
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip
    if result.returncode != 0 and "ptrace" in result.stderr.lower():
        pytest.skip(f"strace cannot trace here: {result.stderr.strip()[:200]}")
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.count("ACK ") == ENTRIES
    return log.read_text()


def test_every_acknowledged_entry_was_synced_to_the_wal_before_the_nurse_saw_it(ward, tmp_path):
    acks, problems = unsynced_acknowledgements(read_log(_traced_run(ward, tmp_path)))
    assert acks == ENTRIES, "the strace log does not show the writer's acknowledgements"
    assert problems == []


@pytest.mark.parametrize("synchronous", ["OFF", "NORMAL"])
def test_the_check_catches_a_commit_that_was_not_synced(ward, tmp_path, synchronous):
    calls = read_log(_traced_run(ward, tmp_path, "--synchronous", synchronous))
    acks, problems = unsynced_acknowledgements(calls)
    assert acks == ENTRIES
    assert len(problems) == ENTRIES, problems
    assert all("before the WAL was synced" in p for p in problems)
