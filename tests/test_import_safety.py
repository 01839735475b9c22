"""IT imports a snapshot by hand and is stopped before it turns the ward's data back in time.

Found in an IT walk-through: an old export (or the wrong folder) imported by hand silently
replaced newer data, bringing back prescriptions stopped since; a "data as of" ahead of the
clock made the banner call the data fresh for years; and several messages quoted Python's own
error text, or said "no meta.lastUpdated" of a Bundle that has one.
"""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from continuity.core import i18n
from continuity.core.clock import format_age, to_utc_iso
from continuity.core.errors import BadInput
from continuity.fhir.errors import SnapshotFormatError
from continuity.fhir.importer import import_snapshot
from tests.cli_helpers import run_cli
from tests.conftest import ADMIN_PASSWORD, SHARED_DATA
from tests.snapshot_fixtures import hospital, write_bulk

SYNTHEA = SHARED_DATA / "synthea-bulk-10"
#: Words of Python's own error texts that must never reach a user's sentence.
PYTHON_WORDS = ("UnicodeDecodeError", "Expecting", "Unterminated", "unexpected", "Error")


def _import(cache, *args: str | Path) -> object:
    return run_cli(
        "import",
        *args,
        "--db",
        cache.path,
        "--user",
        "admin",
        "--password-stdin",
        stdin=ADMIN_PASSWORD + "\n",
    )


def _status_json(cache) -> dict:
    done = run_cli(
        "status", "--json", "--db", cache.path, "--user", "admin", "--password-stdin",
        stdin=ADMIN_PASSWORD + "\n",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _audit(session, action: str) -> list[dict]:
    rows = session.conn.execute("SELECT detail FROM audit_log WHERE action = ?", (action,))
    return [json.loads(r[0]) for r in rows]


def _synthea_bundle(path: Path, **bundle_fields: object) -> Path:
    """The Synthea sample as one collection Bundle, as some EHRs export it."""
    entries = []
    for ndjson in sorted(SYNTHEA.glob("*.000.ndjson")):
        for line in ndjson.read_text(encoding="utf-8").splitlines():
            if line.strip():
                entries.append({"resource": json.loads(line)})
    bundle = {"resourceType": "Bundle", "type": "collection", **bundle_fields, "entry": entries}
    path.write_text(json.dumps(bundle), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- back in time


def test_an_older_snapshot_is_refused_and_the_newer_data_stays(cache):
    """The 2024 Synthea sample imported over the ward's data of this morning is refused."""
    ward = write_bulk(cache.path.parent / "ward", hospital())  # data as of 28/11/2026 07:00
    with cache.login("admin") as session:
        import_snapshot(session, ward)
        with pytest.raises(BadInput) as refused:
            import_snapshot(session, SYNTHEA, as_of="2024-08-06T18:12:57Z")
        message = str(refused.value)
        assert "06/08/2024 20:12" in message and "28/11/2026 07:00" in message
        assert "--allow-older" in message and "\n" not in message
        as_of = session.conn.execute("SELECT as_of FROM snapshot").fetchone()[0]
        assert as_of == "2026-11-28T06:00:00Z"
        patients = session.conn.execute("SELECT count(*) FROM patients").fetchone()[0]
        assert patients == len(hospital()["Patient"])
        assert _audit(session, "snapshot_import_failed")[-1]["error"] == "OlderSnapshotRefused"


def test_an_older_snapshot_goes_in_only_on_purpose_and_is_audited(cache):
    ward = write_bulk(cache.path.parent / "ward", hospital())
    with cache.login("admin") as session:
        import_snapshot(session, ward)
        report = import_snapshot(session, SYNTHEA, as_of="2024-08-06T18:12:57Z", allow_older=True)
        assert report.imported and to_utc_iso(report.as_of) == "2024-08-06T18:12:57Z"
        (override,) = _audit(session, "snapshot_older_override")
        assert override["as_of"] == "2024-08-06T18:12:57Z"
        assert override["replaced_as_of"] == "2026-11-28T06:00:00Z"
        # The same data again, or newer, needs no override.
        import_snapshot(session, SYNTHEA, as_of="2024-08-06T18:12:57Z")
        import_snapshot(session, SYNTHEA, as_of="2024-08-08T18:12:57Z")


def test_the_command_line_refuses_data_a_week_older_unless_told(cache):
    """Data of the 1st imported by hand over data of the 8th: exit 4, one sentence."""
    now = datetime.now(UTC).replace(microsecond=0)
    newer, older = to_utc_iso(now - timedelta(days=1)), to_utc_iso(now - timedelta(days=8))
    assert _import(cache, SYNTHEA, "--as-of", newer).returncode == 0
    refused = _import(cache, SYNTHEA, "--as-of", older)
    assert refused.returncode == 4
    assert len(refused.stderr.strip().splitlines()) == 1
    assert "--allow-older" in refused.stderr
    assert _status_json(cache)["as_of"] == newer
    forced = _import(cache, SYNTHEA, "--as-of", older, "--allow-older")
    assert forced.returncode == 0, forced.stderr
    assert _status_json(cache)["as_of"] == older


# --------------------------------------------------------------------------- ahead of the clock


def test_data_dated_ahead_of_the_clock_is_refused(cache):
    with cache.login("admin") as session:
        later = cache.clock.now() + timedelta(days=2)
        with pytest.raises(BadInput) as refused:
            import_snapshot(session, SYNTHEA, as_of=later)
        assert "30/11/2026 10:00" in str(refused.value)  # Paris time
        assert "28/11/2026 10:00" in str(refused.value)
        assert session.conn.execute("SELECT count(*) FROM snapshot").fetchone()[0] == 0
        # A clock a couple of minutes behind the export is not worth a refusal.
        report = import_snapshot(session, SYNTHEA, as_of=cache.clock.now() + timedelta(minutes=2))
        assert report.imported


def test_the_command_line_refuses_an_as_of_in_2030(cache):
    refused = _import(cache, SYNTHEA, "--as-of", "2030-01-01T00:00:00Z")
    assert refused.returncode == 4
    assert len(refused.stderr.strip().splitlines()) == 1
    assert "01/01/2030 01:00" in refused.stderr
    assert not _status_json(cache)["loaded"]


# --------------------------------------------------------------------------- messages


@pytest.mark.parametrize(
    ("fields", "as_of"),
    [
        ({"meta": {"lastUpdated": "2026-11-27T18:00:00+01:00"}}, "2026-11-27T17:00:00Z"),
        ({"timestamp": "2026-11-27T19:30:00+01:00"}, "2026-11-27T18:30:00Z"),
    ],
)
def test_a_bundle_dated_on_itself_needs_no_as_of(cache, tmp_path, fields, as_of):
    bundle = _synthea_bundle(tmp_path / "bundle.json", **fields)
    with cache.login("admin") as session:
        report = import_snapshot(session, bundle)
    assert to_utc_iso(report.as_of) == as_of and report.as_of_origin == "bundle"


def test_a_truncated_zip_is_called_damaged_not_unicode(cache, tmp_path):
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in SYNTHEA.glob("*.ndjson"):
            zf.write(path, path.name)
    data = archive.read_bytes()
    archive.write_bytes(data[: len(data) // 2])  # the copy to the USB stick stopped half-way
    done = _import(cache, archive, "--as-of", "2024-08-06T18:12:57Z")
    assert done.returncode == 4
    assert "tronqué" in done.stderr and "zip" in done.stderr
    assert not any(word in done.stderr for word in PYTHON_WORDS)


def test_a_damaged_file_inside_a_zip_is_named(cache, tmp_path):
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(SYNTHEA / "Patient.000.ndjson", "Patient.000.ndjson")
    data = bytearray(archive.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(64)  # bytes altered, the zip's directory intact
    archive.write_bytes(bytes(data))
    with cache.login("admin") as session, pytest.raises(SnapshotFormatError) as refused:
        import_snapshot(session, archive, as_of="2024-08-06T18:12:57Z")
    assert "Patient.000.ndjson" in str(refused.value)
    assert not any(word in str(refused.value) for word in PYTHON_WORDS)


def test_truncated_files_say_where_in_plain_words(cache, tmp_path):
    bundle = _synthea_bundle(tmp_path / "bundle.json")
    bundle.write_bytes(bundle.read_bytes()[:-5000])
    folder = tmp_path / "bulk"
    folder.mkdir()
    lines = (SYNTHEA / "Patient.000.ndjson").read_text(encoding="utf-8").splitlines()
    (folder / "Patient.000.ndjson").write_text("\n".join(lines[:3]) + "\n" + lines[3][:80])
    with cache.login("admin") as session:
        for path, where in ((bundle, "bundle.json:1"), (folder, "Patient.000.ndjson:4")):
            with pytest.raises(SnapshotFormatError) as refused:
                import_snapshot(session, path, as_of="2024-08-06T18:12:57Z")
            message = str(refused.value)
            assert message.startswith(where) and "tronqué" in message
            assert not any(word in message for word in PYTHON_WORDS), message


def test_an_unused_as_of_is_noted_in_french(cache, tmp_path):
    ward = write_bulk(tmp_path / "ward", hospital())
    done = _import(cache, ward, "--as-of", "2026-11-27T06:00:00Z")
    assert done.returncode == 0, done.stderr
    assert "--as-of 27/11/2026 07:00 non utilisé" in done.stdout
    assert "not used" not in done.stdout


def test_the_age_of_the_data_reads_in_the_users_language(cache):
    two_days = timedelta(days=2, hours=4)
    try:
        i18n.set_language("en")
        assert format_age(two_days) == "2 d 4 h"
        i18n.set_language("fr")
        assert format_age(two_days) == "2 j 4 h"
    finally:
        i18n.set_language("fr")
    as_of = to_utc_iso(datetime.now(UTC) - timedelta(days=3, minutes=5))
    assert _import(cache, SYNTHEA, "--as-of", as_of).returncode == 0
    english = run_cli(
        "--lang", "en", "status", "--db", cache.path, "--user", "admin", "--password-stdin",
        stdin=ADMIN_PASSWORD + "\n",
    )  # fmt: skip
    assert english.returncode == 0, english.stderr
    assert ": 3 d 0 h old" in english.stdout and " j " not in english.stdout
