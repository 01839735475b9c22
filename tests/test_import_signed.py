"""Only snapshots signed by central IT reach the wards, and refresh runs unattended.

A poisoned USB stick during a cyber-attack must not become the ward's prescriptions: a laptop
that trusts a key refuses what that key did not sign, unless an IT user overrides it (logged).
The hourly refresh takes the newest signed package from a share with a key slot sealed by the
OS secret store, and can import snapshots and nothing else.
"""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime, timedelta

import keyring
import pytest
from keyring.backends import fail

from continuity.core.errors import AuthenticationFailed, PermissionDenied
from continuity.core.roles import Role
from continuity.fhir.errors import SignatureRefused
from continuity.fhir.importer import import_snapshot
from continuity.fhir.refresh import refresh_from_folder
from continuity.fhir.signing import (
    generate_key_pair,
    load_private_key,
    load_public_key,
    set_trusted_key,
    sign_snapshot,
    verify_package,
)
from continuity.store import users
from continuity.store.refresh_login import (
    RefreshUnavailable,
    disable_refresh,
    enable_refresh,
    login_for_refresh,
    login_with_refresh_secret,
)
from tests.snapshot_fixtures import FileKeyring, hospital, write_bulk

PASSPHRASE = "Signature-Centrale-2026"
SIGNED_AT = datetime(2026, 11, 28, 5, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def keys():
    private_pem, public_pem = generate_key_pair(PASSPHRASE)
    other_private, _ = generate_key_pair(PASSPHRASE)
    return (
        load_private_key(private_pem, PASSPHRASE),
        load_public_key(public_pem),
        load_private_key(other_private, PASSPHRASE),
    )


@pytest.fixture
def trusted(cache, keys):
    with cache.login("admin") as session:
        set_trusted_key(session, keys[1])
    return cache


def package(where, key, name="snap.zip", at=SIGNED_AT, resources=None):
    folder = write_bulk(where.parent / f"{where.name}-export-{name}", resources or hospital())
    out = where / name
    sign_snapshot(folder, key, out, now=at)
    return out


def last_audit(session, action):
    row = session.conn.execute(
        "SELECT actor, detail FROM audit_log WHERE action = ? ORDER BY id DESC LIMIT 1", (action,)
    ).fetchone()
    return (row[0], json.loads(row[1])) if row else None


def test_a_package_signed_by_the_trusted_key_is_imported_and_says_so(trusted, keys, tmp_path):
    signed = package(tmp_path, keys[0])
    assert verify_package(signed, keys[1]).created_at == "2026-11-28T05:00:00Z"
    with trusted.login("admin") as session:
        report = import_snapshot(session, signed)
        assert report.signature == "verified" and report.source_kind == "package"
        assert session.conn.execute("SELECT signature FROM snapshot").fetchone()[0] == "verified"
        assert session.conn.execute("SELECT count(*) FROM orders").fetchone()[0] == 7
        assert last_audit(session, "snapshot_imported")[1]["package"] == report.package["digest"]


def test_an_unsigned_snapshot_is_refused_and_the_refusal_logged(trusted, tmp_path):
    folder = write_bulk(tmp_path / "usb", hospital())
    with trusted.login("admin") as session:
        with pytest.raises(SignatureRefused, match="unsigned"):
            import_snapshot(session, folder)
        assert session.conn.execute("SELECT count(*) FROM patients").fetchone()[0] == 0
        actor, detail = last_audit(session, "snapshot_refused")
        assert actor == "admin" and detail["error"] == "SignatureRefused"


def test_it_may_override_explicitly_and_the_override_is_logged(trusted, tmp_path):
    folder = write_bulk(tmp_path / "usb", hospital())
    with trusted.login("admin") as session:
        report = import_snapshot(session, folder, allow_unsigned=True)
        assert report.signature == "unsigned-override"
        assert session.conn.execute("SELECT signature FROM snapshot").fetchone()[0] == (
            "unsigned-override"
        )
        assert last_audit(session, "snapshot_signature_overridden")[1]["why"] == "unsigned"


def test_a_nurse_can_neither_import_nor_override(trusted, tmp_path):
    folder = write_bulk(tmp_path / "usb", hospital())
    with trusted.login("nurse") as session, pytest.raises(PermissionDenied):
        import_snapshot(session, folder, allow_unsigned=True)


def test_another_key_or_an_altered_file_is_refused(trusted, keys, tmp_path):
    forged = package(tmp_path, keys[2], "forged.zip")
    signed = package(tmp_path, keys[0], "signed.zip")
    altered = tmp_path / "altered.zip"
    with zipfile.ZipFile(signed) as src, zipfile.ZipFile(altered, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "snapshot/MedicationRequest.ndjson":
                data = data.replace(b'"value": 4000', b'"value": 40000')  # a tenfold dose
            dst.writestr(info, data)
    added = tmp_path / "added.zip"
    with zipfile.ZipFile(signed) as src, zipfile.ZipFile(added, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr("snapshot/Extra.ndjson", b"")
    with trusted.login("admin") as session:
        with pytest.raises(SignatureRefused, match="another key"):
            import_snapshot(session, forged)
        with pytest.raises(SignatureRefused, match=r"MedicationRequest\.ndjson: altered"):
            import_snapshot(session, altered)
        with pytest.raises(SignatureRefused, match="added after signing"):
            import_snapshot(session, added)
        assert session.conn.execute("SELECT count(*) FROM orders").fetchone()[0] == 0
    with pytest.raises(SignatureRefused):
        verify_package(altered, keys[1])
    with pytest.raises(SignatureRefused):
        verify_package(forged, keys[1])


def test_without_a_trusted_key_signatures_are_not_required(cache, keys, tmp_path):
    with cache.login("admin") as session:
        report = import_snapshot(session, package(tmp_path, keys[2]))
    assert report.signature == "not-required"
    assert any("trusts no key" in note for note in report.notes)


def test_only_it_sets_the_trusted_key(cache, keys):
    with cache.login("nurse") as session, pytest.raises(PermissionDenied):
        set_trusted_key(session, keys[1])


# --------------------------------------------------------------------------- refresh


@pytest.fixture
def secret_store(tmp_path, monkeypatch):
    """The OS secret store, as a file kept in the test's folder."""
    monkeypatch.setenv("CONTINUITY_TEST_KEYRING", str(tmp_path / "keyring.json"))
    previous = keyring.get_keyring()
    keyring.set_keyring(FileKeyring())
    yield tmp_path / "keyring.json"
    keyring.set_keyring(previous)


def test_refresh_imports_the_newest_signed_package_once(trusted, keys, secret_store, tmp_path):
    with trusted.login("admin") as session:
        enable_refresh(session)
    share = tmp_path / "share"
    share.mkdir()
    package(share, keys[0], "monday.zip", SIGNED_AT - timedelta(hours=1))
    newer = hospital()
    newer["Patient"][2]["name"][0]["family"] = "Bernard-Lebrun"
    package(share, keys[0], "tuesday.zip", SIGNED_AT, newer)
    package(share, keys[2], "zz-forged.zip", SIGNED_AT + timedelta(hours=1))
    (share / "notes.zip").write_bytes(b"not a zip")

    with login_for_refresh(trusted.path, clock=trusted.clock) as session:
        assert session.user.role is Role.REFRESH
        result = refresh_from_folder(session, share)
        assert result.outcome == "imported" and result.package.name == "tuesday.zip"
        assert dict(result.ignored) == {
            "notes.zip": "unreadable (still being copied?)",
            "zz-forged.zip": "not signed by the trusted key",
        }
        family = session.conn.execute(
            "SELECT family FROM patients WHERE source_id = 'p-lucie'"
        ).fetchone()[0]
        assert family == "Bernard-Lebrun"
        # The next pass finds nothing new; an older package replayed does not roll back.
        assert refresh_from_folder(session, share).outcome == "up-to-date"
        (share / "tuesday.zip").unlink()
        assert refresh_from_folder(session, share).outcome == "up-to-date"
        # The refresh slot may import and nothing else.
        with pytest.raises(PermissionDenied):
            users.add_user(session, "intrus", "Intrus", "it", "Mot-De-Passe-42!")
        assert last_audit(session, "refresh_login")[0] == "refresh"


def test_refresh_needs_the_secret_store(trusted, secret_store, monkeypatch):
    with trusted.login("admin") as session:
        enable_refresh(session)
    keyring.set_keyring(fail.Keyring())
    with pytest.raises(RefreshUnavailable, match="coffre à secrets"):
        login_for_refresh(trusted.path)
    with trusted.login("admin") as session, pytest.raises(RefreshUnavailable):
        enable_refresh(session)


def test_refresh_refuses_when_disabled_or_the_secret_is_wrong(trusted, secret_store):
    with pytest.raises(RefreshUnavailable, match="pas activée"):
        login_for_refresh(trusted.path)
    with trusted.login("admin") as session:
        enable_refresh(session)
    with pytest.raises(AuthenticationFailed):
        login_with_refresh_secret(trusted.path, "not-the-secret")
    with trusted.login("admin") as session:
        assert disable_refresh(session)
    with pytest.raises(RefreshUnavailable, match="pas activée"):
        login_for_refresh(trusted.path)


def test_refresh_only_imports_signed_snapshots(cache, secret_store, tmp_path):
    with cache.login("admin") as session:
        enable_refresh(session)
    with login_for_refresh(cache.path) as session, pytest.raises(Exception, match="trust"):
        refresh_from_folder(session, tmp_path)


def test_only_it_enables_refresh(cache, secret_store):
    with cache.login("nurse") as session, pytest.raises(PermissionDenied):
        enable_refresh(session)


def test_refresh_after_newer_data_imported_by_hand_says_up_to_date(
    trusted, keys, secret_store, tmp_path
):
    """A package signed later than the last one but holding data older than what IT imported
    by hand since must not make every hourly run fail: the cache is already more recent."""
    with trusted.login("admin") as session:
        enable_refresh(session)
        # IT imported by hand a copy taken at 08:00, later than the package's data (06:00)
        by_hand = write_bulk(tmp_path / "by-hand", hospital(), as_of="2026-11-28T08:00:00Z")
        import_snapshot(session, by_hand, allow_unsigned=True)
    share = tmp_path / "share"
    share.mkdir()
    package(share, keys[0], "later.zip", SIGNED_AT + timedelta(hours=1))
    with login_for_refresh(trusted.path, clock=trusted.clock) as session:
        assert refresh_from_folder(session, share).outcome == "up-to-date"
        as_of = session.conn.execute("SELECT as_of FROM snapshot").fetchone()[0]
    assert as_of == "2026-11-28T08:00:00Z"
