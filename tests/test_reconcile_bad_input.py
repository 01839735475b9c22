"""A package that cannot be trusted gets one clear sentence, and the output folder stays empty."""

from __future__ import annotations

import hashlib
import json
import shutil
import struct

import pytest

from continuity.core.errors import BadInput
from continuity.reconcile import package_format
from continuity.reconcile.merge import merge_packages
from continuity.reconcile.package_contents import ContentsWriter
from continuity.reconcile.package_format import MAGIC, Header, seal
from continuity.reconcile.progress import Cancelled
from tests.reconcile_helpers import (
    PASSPHRASE,
    Laptop,
    fast_export_kdf,  # noqa: F401 - autouse fixture
    give,
    laptop_from_fixture,
    vitals,
)


@pytest.fixture
def package(cache, tmp_path):
    laptop = laptop_from_fixture(cache)
    with laptop.login() as nurse:
        give(nurse)
        vitals(nurse)
    return laptop.export(tmp_path / "pc1.ccx").path


@pytest.fixture
def out(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def refused(paths, out, phrases=(PASSPHRASE,), match=None):
    with pytest.raises(BadInput) as caught:
        merge_packages(paths, list(phrases), out)
    assert list(out.iterdir()) == [], "nothing may be left in the output folder"
    message = str(caught.value)
    assert "\n" not in message and "Traceback" not in message
    if match:
        assert match in message, message
    return message


def test_a_wrong_passphrase_is_said_so(package, out):
    refused([package], out, ["Not-The-Right-One-42"], match="phrase secrète incorrecte")


def test_a_truncated_package_is_refused(package, out, tmp_path):
    data = package.read_bytes()
    for size in (len(data) - 1, len(data) // 2, len(MAGIC) + 10, 3):
        cut = tmp_path / f"cut-{size}.ccx"
        cut.write_bytes(data[:size])
        message = refused([cut], out)
        assert "tronqué" in message or "endommagé ou altéré" in message


def test_any_flipped_byte_makes_the_package_damaged_or_altered(package, out, tmp_path):
    data = package.read_bytes()
    header_end = data.index(b"}", len(MAGIC)) + 1
    salt_at = data.index(b'"salt"')
    positions = [
        0,
        len(MAGIC) + 2,
        salt_at + 12,
        header_end + 3,
        header_end + 40,
        len(data) // 2,
        len(data) - 20,
        len(data) - 1,
    ]
    for position in positions:
        flipped = bytearray(data)
        flipped[position] ^= 0x01
        bad = tmp_path / f"flip-{position}.ccx"
        bad.write_bytes(bytes(flipped))
        assert "endommagé ou altéré" in refused([bad], out), position


def test_a_package_from_another_format_version_is_named_as_such(package, out, tmp_path):
    data = package.read_bytes()
    start = len(MAGIC) + 4
    (length,) = struct.unpack(">I", data[len(MAGIC) : start])
    header = json.loads(data[start : start + length])
    header["format_version"] = 2
    text = json.dumps(header, indent=1).encode("ascii")
    head = MAGIC + struct.pack(">I", len(text)) + text
    rest = data[start + length + 32 :]
    other = tmp_path / "v2.ccx"
    other.write_bytes(head + hashlib.sha256(head).digest() + rest)
    refused([other], out, match="version 2")


def test_the_same_package_given_twice_is_refused(package, out, tmp_path):
    refused([package, package], out, match="deux fois")
    copy = tmp_path / "copie.ccx"
    shutil.copy(package, copy)
    message = refused([package, copy], out, match="deux fois")
    assert "pc1.ccx" in message and "copie.ccx" in message


def test_an_empty_package_is_refused(out, tmp_path, cache):
    header = Header(
        package_id="e" * 36,
        device_id="dev",
        device_name="PC",
        created_at="2026-11-28T09:00:00Z",
        seq_first=None,
        seq_last=None,
        entry_count=0,
        counts={},
        drill=False,
    )
    writer = ContentsWriter()
    writer.add("entries.jsonl", b"")
    payload = writer.finish(
        {"package_id": header.package_id, "device": {"id": "dev"}, "entry_count": 0, "counts": {}}
    )
    empty = tmp_path / "empty.ccx"
    empty.write_bytes(seal(header, payload, PASSPHRASE))
    refused([empty], out, match="aucune saisie")


def test_a_drill_package_is_never_merged(cache, out, tmp_path):
    laptop = laptop_from_fixture(cache)
    with laptop.login() as nurse:
        give(nurse)
    with laptop.login("admin") as admin:
        row = admin.conn.execute("SELECT device_id, clinical_time FROM entries").fetchone()
        with admin.transaction() as conn:
            conn.execute(
                "INSERT INTO entries (uuid, device_id, seq, kind, author, clinical_time,"
                " recorded_time, tz, patient_id, payload, drill) VALUES ('drill-1', ?, 2, 'note',"
                " 'nurse', ?, ?, 'Europe/Paris', 'pat-1', '{\"text\": \"x\"}', 1)",
                (row[0], row[1], row[1]),
            )
    laptop.export(tmp_path / "real.ccx")
    drill = laptop.export(tmp_path / "drill.ccx").path
    refused([tmp_path / "real.ccx", drill], out, match="exercice")


def test_not_a_package_at_all(out, tmp_path):
    bogus = tmp_path / "notes.ccx"
    bogus.write_text("hello", encoding="utf-8")
    refused([bogus], out, match="n'est pas un paquet d'export Continuity")
    refused([tmp_path / "absent.ccx"], out, match="absent.ccx")


def test_passphrases_must_be_one_per_file_or_one_for_all(package, out, tmp_path):
    second = tmp_path / "copy2.ccx"
    shutil.copy(package, second)
    refused([package, second], out, phrases=["a" * 12, "b" * 12, "c" * 12])


def test_a_merge_cancelled_midway_leaves_nothing(package, tmp_path):
    out = tmp_path / "not-yet"
    calls = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) > 2

    with pytest.raises(Cancelled):
        merge_packages([package], [PASSPHRASE], out, cancelled=cancelled)
    assert not out.exists()


def test_the_header_kdf_cannot_ask_for_unbounded_memory(package, out, tmp_path):
    data = package.read_bytes()
    start = len(MAGIC) + 4
    (length,) = struct.unpack(">I", data[len(MAGIC) : start])
    header = json.loads(data[start : start + length])
    header["kdf"]["n"] = 2**30
    text = json.dumps(header, indent=1).encode("ascii")
    head = MAGIC + struct.pack(">I", len(text)) + text
    forged = tmp_path / "forged.ccx"
    forged.write_bytes(head + hashlib.sha256(head).digest() + data[start + length + 32 :])
    refused([forged], out, match="endommagé ou altéré")
    assert package_format.DEFAULT_SCRYPT["n"] < 2**30


def test_of_several_refused_packages_the_first_given_is_named(cache, package, out, tmp_path):
    """Packages are opened two at a time; the refusal must still be the first file in the
    order given, not whichever thread finished first (a truncated file fails at once, a
    wrong passphrase only after its key derivation)."""
    laptop = Laptop(cache.path, cache.clock)  # the `package` fixture seeded it already
    second = laptop.export(tmp_path / "b-second.ccx", all_entries=True).path
    third = laptop.export(tmp_path / "c-third.ccx", all_entries=True).path
    third.write_bytes(third.read_bytes()[:-5])
    message = refused(
        [second, third, package], out, ["Not-The-Right-One-42", PASSPHRASE, PASSPHRASE]
    )
    assert "b-second.ccx" in message and "incorrecte" in message, message
