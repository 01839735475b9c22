"""IT staff set up a laptop and manage users from the command line."""

from __future__ import annotations

import pytest

from tests.cli_helpers import run_cli

ADMIN = "Tango-Charlie-42"


@pytest.fixture
def laptop(tmp_path):
    db = tmp_path / "ward.db"
    result = run_cli(
        "init",
        "--db",
        db,
        "--device-name",
        "sagesse-3a-pc1",
        "--admin",
        "camille",
        "--site",
        "Clinique Test",
        "--password-stdin",
        stdin=ADMIN + "\n",
    )
    assert result.returncode == 0, result.stderr
    return db, result.stdout


def test_init_prints_the_recovery_key_once_and_creates_an_encrypted_cache(laptop):
    db, out = laptop
    assert "CLÉ DE SECOURS" in out
    key_line = out.strip().splitlines()[-1]
    assert len(key_line.replace("-", "")) == 32
    assert db.exists() and db.with_name("ward.db.keys").exists()
    assert ADMIN not in db.with_name("ward.db.keys").read_text()


def test_init_refuses_to_overwrite_an_existing_cache(laptop):
    db, _ = laptop
    before = db.read_bytes()
    again = run_cli(
        "init",
        "--db",
        db,
        "--device-name",
        "X",
        "--admin",
        "other",
        "--password-stdin",
        stdin="Sunny-Meadow-31\n",
    )
    assert again.returncode == 4
    assert "existe déjà" in again.stderr
    assert db.read_bytes() == before


def test_init_with_a_weak_password_says_why_and_creates_nothing(tmp_path):
    db = tmp_path / "w.db"
    result = run_cli(
        "init",
        "--db",
        db,
        "--device-name",
        "PC",
        "--admin",
        "camille",
        "--password-stdin",
        stdin="short\n",
    )
    assert result.returncode == 4
    assert "12 caractères" in result.stderr
    assert "Traceback" not in result.stderr
    assert not db.exists()


def test_users_add_list_disable_passwd(laptop):
    db, _ = laptop
    common = ["--db", db, "--user", "camille", "--password-stdin"]
    add = run_cli(
        "users",
        "add",
        "ines",
        "--name",
        "Inès Martin",
        "--role",
        "nurse",
        *common,
        stdin=f"{ADMIN}\nBlue-Heron-Pass-7\n",
    )
    assert add.returncode == 0, add.stderr
    listing = run_cli("users", "list", *common, stdin=ADMIN + "\n")
    assert "ines\tInès Martin\tnurse" in listing.stdout
    # The nurse logs in, but may not manage users.
    refused = run_cli(
        "users",
        "list",
        "--db",
        db,
        "--user",
        "ines",
        "--password-stdin",
        stdin="Blue-Heron-Pass-7\n",
    )
    assert refused.returncode == 3
    assert "rôle" in refused.stderr
    assert run_cli("users", "disable", "ines", *common, stdin=ADMIN + "\n").returncode == 0
    gone = run_cli(
        "users",
        "list",
        "--db",
        db,
        "--user",
        "ines",
        "--password-stdin",
        stdin="Blue-Heron-Pass-7\n",
    )
    assert gone.returncode == 3
    assert "incorrect" in gone.stderr
    back = run_cli("users", "passwd", "ines", *common, stdin=f"{ADMIN}\nRed-Falcon-Pass-88\n")
    assert back.returncode == 0, back.stderr


def test_wrong_password_exits_3_with_one_sentence(laptop):
    db, _ = laptop
    result = run_cli(
        "audit",
        "verify",
        "--db",
        db,
        "--user",
        "camille",
        "--password-stdin",
        stdin="Wrong-Password-99\n",
    )
    assert result.returncode == 3
    assert result.stderr.strip() == "Utilisateur ou mot de passe incorrect."


def test_audit_verify_reports_an_intact_chain(laptop):
    db, _ = laptop
    result = run_cli(
        "audit", "verify", "--db", db, "--user", "camille", "--password-stdin", stdin=ADMIN + "\n"
    )
    assert result.returncode == 0, result.stderr
    assert "intact" in result.stdout


def test_a_missing_cache_is_one_clear_sentence(tmp_path):
    result = run_cli(
        "audit",
        "verify",
        "--db",
        tmp_path / "none.db",
        "--user",
        "x",
        "--password-stdin",
        stdin="Whatever-Pass-12\n",
    )
    assert result.returncode == 4  # bad input: the path given does not hold a cache
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_usage_errors_exit_2_and_every_command_has_help():
    assert run_cli("users", "frobnicate").returncode == 2
    for command in (["init"], ["users", "add"], ["audit", "verify"], ["demo"]):
        shown = run_cli(*command, "--help")
        assert shown.returncode == 0 and "usage" in shown.stdout


def test_version_names_the_sqlcipher_and_qt_versions():
    result = run_cli("--version")
    assert result.returncode == 0
    assert "Continuity 0." in result.stdout and "SQLCipher 4." in result.stdout
    assert "Qt (PySide6) 6." in result.stdout
