"""IT staff import, check and sign snapshots from the command line; scripts read exit codes.

Exit codes: 0 done, 1 refused for an environment reason (no secret store), 3 not allowed,
4 bad input (nothing changed).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ADMIN_PASSWORD, NURSE_PASSWORD, SHARED_DATA
from tests.snapshot_fixtures import hospital, write_bulk

CONTINUITY = Path(sys.executable).parent / "continuity"
REPO = Path(__file__).resolve().parents[1]
PASSPHRASE = "Cle-De-Signature-2026"


def run(
    *args, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    command = [str(CONTINUITY)] if CONTINUITY.exists() else [sys.executable, "-m", "continuity"]
    return subprocess.run(
        [*command, *map(str, args)],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def as_user(cache, user: str = "admin") -> list[str]:
    return ["--db", str(cache.path), "--user", user, "--password-stdin"]


def test_import_then_status_from_the_command_line(cache, tmp_path):
    folder = write_bulk(tmp_path / "export", hospital())
    done = run("import", folder, *as_user(cache), stdin=ADMIN_PASSWORD + "\n")
    assert done.returncode == 0, done.stderr
    assert "Instantané importé : données au 28/11/2026 07:00 (manifest)" in done.stdout
    assert "MedicationRequest" in done.stdout
    status = run("status", "--json", *as_user(cache, "nurse"), stdin=NURSE_PASSWORD + "\n")
    assert status.returncode == 0, status.stderr
    data = json.loads(status.stdout)
    assert data["loaded"] and data["as_of"] == "2026-11-28T06:00:00Z"
    assert data["counts"]["active_orders"] == 6 and data["unexported_entries"] == 0
    text = run("status", *as_user(cache, "nurse"), stdin=NURSE_PASSWORD + "\n")
    assert "Données au 28/11/2026 07:00 (selon le manifeste de l'export)" in text.stdout


def test_bad_snapshots_and_bad_users_get_one_sentence_and_an_exit_code(cache, tmp_path):
    resources = hospital()
    resources["MedicationRequest"][3]["subject"] = {"reference": "Patient/nobody"}
    rejected = write_bulk(tmp_path / "rejected", resources)
    refused = run("import", rejected, *as_user(cache), stdin=ADMIN_PASSWORD + "\n")
    assert refused.returncode == 4
    assert "MedicationRequest.ndjson:4: MedicationRequest/o-amox" in refused.stderr
    partial = run(
        "import", rejected, "--accept-partial", *as_user(cache), stdin=ADMIN_PASSWORD + "\n"
    )
    assert partial.returncode == 0 and "PARTIEL" in partial.stderr

    truncated = write_bulk(tmp_path / "truncated", hospital())
    path = truncated / "Patient.ndjson"
    path.write_text(path.read_text()[:-30])
    broken = run("import", truncated, *as_user(cache), stdin=ADMIN_PASSWORD + "\n")
    assert broken.returncode == 4 and "Patient.ndjson:3" in broken.stderr
    assert len(broken.stderr.strip().splitlines()) == 1

    nurse = run("import", truncated, *as_user(cache, "nurse"), stdin=NURSE_PASSWORD + "\n")
    assert nurse.returncode == 3
    undated = run(
        "import", SHARED_DATA / "synthea-bulk-10", *as_user(cache), stdin=ADMIN_PASSWORD + "\n"
    )
    assert undated.returncode == 4 and "--as-of" in undated.stderr


def test_central_it_signs_and_the_laptop_trusts_only_its_key(cache, tmp_path):
    private, public = tmp_path / "snap.key", tmp_path / "snap.pub"
    made = run(
        "snapshot",
        "keygen",
        "--out-private",
        private,
        "--out-public",
        public,
        "--password-stdin",
        stdin=PASSPHRASE + "\n",
    )
    assert made.returncode == 0, made.stderr
    assert b"ENCRYPTED PRIVATE KEY" in private.read_bytes()
    again = run(
        "snapshot",
        "keygen",
        "--out-private",
        private,
        "--out-public",
        public,
        "--password-stdin",
        stdin=PASSPHRASE + "\n",
    )
    assert again.returncode == 4

    folder = write_bulk(tmp_path / "export", hospital())
    pkg = tmp_path / "snapshot-2026-11-28.zip"
    signed = run(
        "snapshot",
        "sign",
        folder,
        "--key",
        private,
        "--out",
        pkg,
        "--password-stdin",
        stdin=PASSPHRASE + "\n",
    )
    assert signed.returncode == 0, signed.stderr
    checked = run("snapshot", "verify", pkg, "--public-key", public)
    assert checked.returncode == 0 and "Signature valide" in checked.stdout

    trust = run("trust", "set-key", public, *as_user(cache), stdin=ADMIN_PASSWORD + "\n")
    assert trust.returncode == 0, trust.stderr
    unsigned = run("import", folder, *as_user(cache), stdin=ADMIN_PASSWORD + "\n")
    assert unsigned.returncode == 4 and "--allow-unsigned" in unsigned.stderr
    verified = run("import", pkg, *as_user(cache), stdin=ADMIN_PASSWORD + "\n")
    assert verified.returncode == 0 and "signature : verified" in verified.stdout
    override = run(
        "import", folder, "--allow-unsigned", *as_user(cache), stdin=ADMIN_PASSWORD + "\n"
    )
    assert override.returncode == 0 and "unsigned-override" in override.stdout


@pytest.fixture
def file_keyring(tmp_path) -> dict[str, str]:
    return {
        "PYTHON_KEYRING_BACKEND": "tests.snapshot_fixtures.FileKeyring",
        "CONTINUITY_TEST_KEYRING": str(tmp_path / "keyring.json"),
        "PYTHONPATH": str(REPO),
    }


def test_unattended_refresh_from_a_watched_folder(cache, tmp_path, file_keyring):
    from continuity.core.clock import SystemClock
    from continuity.fhir.signing import (
        generate_key_pair,
        load_private_key,
        load_public_key,
        set_trusted_key,
        sign_snapshot,
    )

    private_pem, public_pem = generate_key_pair(PASSPHRASE)
    with cache.login("admin") as session:
        set_trusted_key(session, load_public_key(public_pem))
    share = tmp_path / "share"
    share.mkdir()
    sign_snapshot(
        write_bulk(tmp_path / "export", hospital()),
        load_private_key(private_pem, PASSPHRASE),
        share / "snap.zip",
        now=SystemClock().now(),
    )

    enabled = run(
        "refresh", "enable", *as_user(cache), stdin=ADMIN_PASSWORD + "\n", env=file_keyring
    )
    assert enabled.returncode == 0, enabled.stderr
    first = run("refresh", "--watch", share, "--db", cache.path, env=file_keyring)
    assert first.returncode == 0, first.stderr
    assert "snap.zip importé" in first.stdout
    second = run("refresh", "--watch", share, "--db", cache.path, env=file_keyring)
    assert second.returncode == 0 and "rien à faire" in second.stdout

    no_store = run(
        "refresh",
        "--watch",
        share,
        "--db",
        cache.path,
        env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"},
    )
    assert no_store.returncode == 1
    assert no_store.stderr.strip().count("\n") == 0 and "coffre à secrets" in no_store.stderr
