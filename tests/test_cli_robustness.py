"""IT runs the command line from scripts, pipes and with typos: ordinary situations get one
sentence and the documented exit code, never "a bug in Continuity"; the files it makes are
the owner's only."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from continuity.core.errors import BadInput
from continuity.store.cache import create_cache, login
from tests.cli_helpers import run_cli
from tests.conftest import ADMIN_PASSWORD

EXIT_BAD_INPUT = 4
LOGIN = ("--user", "admin", "--password-stdin")
BUG = "Erreur inattendue"
NO_TERMINAL = "Pas de terminal où taper le mot de passe : utilisez --password-stdin."


def run_without_terminal(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """The command as a scheduled task runs it: a new session, so no controlling terminal
    (/dev/tty) even when the tests themselves are started from one; nothing on stdin."""
    return subprocess.run(
        [sys.executable, "-m", "continuity", *map(str, args)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        start_new_session=True,
    )


@pytest.fixture
def posix_umask() -> Iterator[None]:
    """The usual umask (022), under which SQLite and mkdir make files other accounts read."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.skipif(os.name == "nt", reason="no controlling terminal to leave on Windows")
def test_a_script_that_forgets_password_stdin_is_told_so_before_any_password_is_asked(
    tmp_path, cache
):
    setup = run_without_terminal(
        "init", "--db", tmp_path / "new.db", "--device-name", "PC1", "--admin", "camille"
    )
    status = run_without_terminal("status", "--db", cache.path, "--user", "admin")
    restore = run_without_terminal(
        "restore", cache.path, "--db", tmp_path / "r.db", "--admin", "it", "--admin-name", "IT"
    )
    for result in (setup, status, restore):
        assert result.returncode == EXIT_BAD_INPUT, result.stderr
        assert result.stderr.strip() == NO_TERMINAL
        assert "echo" not in result.stderr.lower() and BUG not in result.stderr
    assert not (tmp_path / "new.db").exists() and not (tmp_path / "r.db").exists()


def test_status_piped_into_a_reader_that_leaves_ends_quietly(cache):
    """`continuity status | head -1`: the reader is gone before the status is printed."""
    read_end, write_end = os.pipe()
    proc = subprocess.Popen(
        [sys.executable, "-m", "continuity", "status", "--db", str(cache.path), *LOGIN],
        stdin=subprocess.PIPE,
        stdout=write_end,
        stderr=subprocess.PIPE,
        text=True,
    )
    os.close(write_end)
    os.close(read_end)  # the reader leaves first: every write of the status fails
    _, err = proc.communicate(ADMIN_PASSWORD + "\n", timeout=120)
    assert err == ""  # no "bug in Continuity", no "Exception ignored ... BrokenPipeError"
    assert proc.returncode == 1


def test_a_typo_in_db_names_the_missing_cache_and_leaves_nothing_beside_it(tmp_path, cache):
    typo = cache.path.with_name("wrad.db")
    before = sorted(p.name for p in tmp_path.iterdir())
    result = run_cli(
        "status", "--db", typo, "--user", "admin", "--password-stdin", stdin=ADMIN_PASSWORD + "\n"
    )
    assert result.returncode == EXIT_BAD_INPUT, result.stderr
    assert result.stderr.strip() == f"Aucun cache à {typo}."
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no wrad.db.keys.lock


def test_logging_in_to_a_missing_cache_creates_no_lock_file(tmp_path):
    with pytest.raises(BadInput):
        login(tmp_path / "typo.db", "admin", ADMIN_PASSWORD)
    assert list(tmp_path.iterdir()) == []


def test_rekey_help_and_readme_say_revoking_reads_the_password_on_two_lines(cache):
    help_text = " ".join(run_cli("rekey", "--help").stdout.split())
    assert "avec --password-stdin, donnez votre mot de passe sur deux lignes" in help_text
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert "`rekey --revoke-old-key-files --password-stdin` reads two lines" in readme

    args = ("rekey", "--db", cache.path, "--user", "admin", "--revoke-old-key-files")
    one_line = run_cli(*args, "--password-stdin", stdin=ADMIN_PASSWORD + "\n")
    assert one_line.returncode == EXIT_BAD_INPUT  # the second line is required, as documented
    two_lines = run_cli(*args, "--password-stdin", stdin=(ADMIN_PASSWORD + "\n") * 2)
    assert two_lines.returncode == 0, two_lines.stderr
    assert "CLÉ DE SECOURS" in two_lines.stdout


@pytest.mark.skipif(os.name == "nt", reason="POSIX permission bits")
def test_init_makes_the_cache_and_its_new_folders_readable_by_their_owner_only(
    tmp_path, posix_umask
):
    db = tmp_path / "data" / "Continuity" / "ward.db"
    existing = mode(tmp_path)
    result = run_cli(
        "init",
        "--db",
        db,
        "--device-name",
        "PC1",
        "--admin",
        "camille",
        "--password-stdin",
        stdin=ADMIN_PASSWORD + "\n",
    )
    assert result.returncode == 0, result.stderr
    assert mode(db) == 0o600
    assert mode(db.with_name("ward.db.keys")) == 0o600
    assert mode(db.parent) == 0o700 and mode(db.parent.parent) == 0o700
    assert mode(tmp_path) == existing  # a folder that existed is left as it was


@pytest.mark.skipif(os.name == "nt", reason="POSIX permission bits")
def test_the_open_caches_journal_files_are_private_too(tmp_path, clock, posix_umask):
    path = tmp_path / "ward.db"
    create_cache(path, device_name="PC1", admin_login="admin", admin_password=ADMIN_PASSWORD)
    with login(path, "admin", ADMIN_PASSWORD, clock=clock):
        journals = [path.with_name("ward.db-wal"), path.with_name("ward.db-shm")]
        assert all(j.exists() for j in journals)  # WAL mode: both exist while it is open
        assert [mode(j) for j in journals] == [0o600, 0o600]
    assert mode(path) == 0o600


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_ctrl_d_at_the_password_prompt_is_one_sentence(cache):
    """On a real terminal, Ctrl-D instead of a password used to end in 'a bug in Continuity'."""
    import os
    import pty
    import time

    pid, fd = pty.fork()
    if pid == 0:  # the child: the real command, on the pseudo-terminal
        os.execv(sys.executable, [sys.executable, "-m", "continuity", "status",
                                  "--db", str(cache.path), "--user", "admin"])  # fmt: skip
    out = b""
    deadline = time.monotonic() + 60
    sent = False
    while time.monotonic() < deadline:
        try:
            chunk = os.read(fd, 1024)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
        if not sent and b":" in out:
            os.write(fd, b"\x04")
            sent = True
    _, status = os.waitpid(pid, 0)
    text = out.decode(errors="replace")
    assert "Aucun mot de passe n'a été tapé" in text
    assert "bogue" not in text.lower() and "Traceback" not in text
    assert os.waitstatus_to_exitcode(status) == 4
