"""IT exports a laptop's entries as one encrypted package; the next export holds what is new."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from continuity.core.errors import BadInput, PermissionDenied
from continuity.reconcile.export import export_entries
from continuity.reconcile.package_contents import PackageContents
from continuity.reconcile.package_format import open_package, read_header
from continuity.store import entries
from tests.reconcile_helpers import (
    PASSPHRASE,
    admit,
    fast_export_kdf,  # noqa: F401 - autouse fixture
    give,
    laptop_from_fixture,
    vitals,
)


@pytest.fixture
def laptop(cache):
    return laptop_from_fixture(cache)


def _contents(path):
    opened = open_package(path, PASSPHRASE)
    return opened, PackageContents(opened.payload, path.name)


def test_an_export_holds_every_entry_losslessly_with_manifest_bundle_and_tables(laptop, tmp_path):
    with laptop.login() as nurse:
        dose = give(nurse, comment="bien toléré")
        give(nurse, order="ord-para", status="not_given", reason="refused")
        vitals(nurse)
        entries.record_note(nurse, patient_id="pat-1", text="Patiente calme", category="handover")
        fix = entries.correct_entry(nurse, dose.uuid, "mauvaise heure", at="2026-11-28T08:10")

    result = laptop.export(tmp_path / "pc1.ccx")

    assert result.entry_count == 5
    assert result.counts == {"dose": 3, "note": 1, "vitals": 1}
    assert (result.seq_first, result.seq_last) == (1, 5)
    _opened, contents = _contents(result.path)
    rows = list(contents.entries())
    assert [r["seq"] for r in rows] == [1, 2, 3, 4, 5]
    corrected = next(r for r in rows if r["uuid"] == fix.uuid)
    assert corrected["supersedes"] == dose.uuid and corrected["reason"] == "mauvaise heure"
    assert set(corrected) >= {
        "uuid",
        "device_id",
        "seq",
        "kind",
        "author",
        "clinical_time",
        "recorded_time",
        "tz",
        "patient_id",
        "order_id",
        "supersedes",
        "reason",
        "payload",
        "confirmations",
        "witness",
        "drill",
    }
    assert rows[0]["payload"]["comment"] == "bien toléré"
    manifest = contents.manifest
    assert manifest["device"]["name"] == "SAGESSE-3A-PC1"
    assert manifest["site"] == "Clinique Test"
    assert manifest["user"]["login"] == "admin"
    assert manifest["snapshot"]["as_of"] == "2026-11-28T06:00:00Z"
    assert manifest["counts"] == result.counts
    assert set(manifest["members"]) == {
        "entries.jsonl",
        "context.json",
        "bundle.json",
        "csv/dose.csv",
        "csv/note.csv",
        "csv/vitals.csv",
    }
    bundle = contents.read_json("bundle.json")
    assert bundle["type"] == "transaction"
    context = contents.context()
    assert context["orders"]["ord-amox"]["status"] == "active"
    assert context["patients"]["pat-1"]["family"] == "DUPONT"
    dose_csv = contents.zip.read("csv/dose.csv").decode("utf-8-sig")
    assert "DUPONT Jeanne" in dose_csv and ";" in dose_csv.splitlines()[0]


def test_the_clear_header_says_what_the_file_is_without_patient_data(laptop, tmp_path):
    with laptop.login() as nurse:
        give(nurse)
        admit(nurse, family="ZYGOMATIQUE", given="Bérénice")
    result = laptop.export(tmp_path / "pc1.ccx")
    header = read_header(result.path)
    assert header.format == "continuity-export" and header.format_version == 1
    assert header.device_name == "SAGESSE-3A-PC1"
    assert header.entry_count == 2 and header.counts == {"admission": 1, "dose": 1}
    assert header.kdf["name"] == "scrypt" and len(header.kdf["salt"]) == 32
    raw = result.path.read_bytes()
    for secret in ("ZYGOMATIQUE", "Bérénice", "DUPONT", "Amoxicilline", "pat-1"):
        assert secret.encode("utf-8") not in raw
        assert secret.encode("utf-16-le") not in raw


def test_the_next_export_holds_only_what_is_new_and_all_re_exports_everything(laptop, tmp_path):
    with laptop.login() as nurse:
        first = give(nurse)
    laptop.export(tmp_path / "a.ccx")
    with laptop.login() as nurse:
        give(nurse, order="ord-para")
        entries.correct_entry(
            nurse,
            first.uuid,
            "dose erronée",
            dose_value="0.5",
            dose_change_reason="prescription orale",
        )
    second = laptop.export(tmp_path / "b.ccx")
    uuids = [r["uuid"] for r in _contents(second.path)[1].entries()]
    # the correction brings the entry it corrects, so the chain is whole in this package
    assert len(uuids) == 3 and first.uuid in uuids
    assert second.already_exported == 1
    with pytest.raises(BadInput, match="Rien de nouveau"):
        laptop.export(tmp_path / "c.ccx")
    everything = laptop.export(tmp_path / "d.ccx", all_entries=True)
    assert everything.entry_count == 3
    since = laptop.export(tmp_path / "e.ccx", since_seq=2)
    assert since.entry_count == 2 and since.seq_first == 1  # seq 3 corrects seq 1


def test_exporting_marks_the_entries_and_audits_it(laptop, tmp_path):
    with laptop.login() as nurse:
        give(nurse)
    result = laptop.export(tmp_path / "a.ccx")
    with laptop.login("admin") as admin:
        marked = admin.conn.execute("SELECT package_id FROM entry_exports").fetchall()
        audit = admin.conn.execute(
            "SELECT detail FROM audit_log WHERE action = 'export'"
        ).fetchone()
    assert marked == [(result.package_id,)]
    assert json.loads(audit[0])["package_id"] == result.package_id


def test_a_nurse_cannot_export(laptop, tmp_path):
    with laptop.login() as nurse:
        give(nurse)
        with pytest.raises(PermissionDenied):
            export_entries(nurse, tmp_path / "x.ccx", PASSPHRASE)
    assert not list(tmp_path.glob("*.ccx"))


def test_a_short_passphrase_an_existing_file_or_nothing_to_export_is_refused(laptop, tmp_path):
    with laptop.login("admin") as admin:
        with pytest.raises(BadInput, match="12"):
            export_entries(admin, tmp_path / "x.ccx", "short")
        with pytest.raises(BadInput):
            export_entries(admin, tmp_path / "x.ccx", PASSPHRASE)  # nothing recorded yet
    with laptop.login() as nurse:
        give(nurse)
    (tmp_path / "taken.ccx").write_bytes(b"an earlier package")
    with pytest.raises(BadInput):
        laptop.export(tmp_path / "taken.ccx")
    assert (tmp_path / "taken.ccx").read_bytes() == b"an earlier package"
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".ccx") == ["taken.ccx"]


def test_a_failed_export_leaves_no_partial_file_and_marks_nothing(laptop, tmp_path):
    with laptop.login() as nurse:
        give(nurse)
    calls = []

    def cancel_midway() -> bool:
        calls.append(1)
        return len(calls) > 1

    with laptop.login("admin") as admin:
        from continuity.reconcile.progress import Cancelled

        with pytest.raises(Cancelled):
            export_entries(admin, tmp_path / "a.ccx", PASSPHRASE, cancelled=cancel_midway)
        assert admin.conn.execute("SELECT count(*) FROM entry_exports").fetchone()[0] == 0
    assert not [p for p in tmp_path.iterdir() if ".ccx" in p.name]


def test_drill_entries_make_a_drill_package_and_never_travel_with_real_ones(laptop, tmp_path):
    with laptop.login() as nurse:
        give(nurse)
    with laptop.login("admin") as admin:  # a training exercise's entries (the drill flag)
        row = admin.conn.execute("SELECT * FROM entries").fetchone()
        with admin.transaction() as conn:
            conn.execute(
                "INSERT INTO entries (uuid, device_id, seq, kind, author, clinical_time,"
                " recorded_time, tz, patient_id, order_id, payload, drill) VALUES"
                " ('drill-0001', ?, 2, 'note', 'nurse', ?, ?, 'Europe/Paris', 'pat-1', NULL,"
                ' \'{"category": "observation", "text": "exercice"}\', 1)',
                (row[1], row[5], row[6]),
            )
    real = laptop.export(tmp_path / "real.ccx")
    assert real.entry_count == 1 and not real.drill and real.drill_left_out == 1
    assert read_header(real.path).drill is False
    drill = laptop.export(tmp_path / "drill.ccx")
    assert drill.drill and drill.entry_count == 1
    assert read_header(drill.path).drill is True
    with zipfile.ZipFile(io.BytesIO(open_package(drill.path, PASSPHRASE).payload)) as zf:
        assert json.loads(zf.read("manifest.json"))["drill"] is True
