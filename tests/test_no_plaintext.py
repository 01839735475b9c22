"""A stolen ward laptop leaks no patient: no name or IPP in any file the app wrote.

A whole working day is played on a throw-away home and temp folder: IT sets the laptop up and
imports the demo hospital, a nurse records care (with a downtime admission and a note that
names a patient, as nurses write them), sheets are printed (in memory, as for the printer) and
one is saved as a PDF on purpose, IT exports the entries and makes a backup. Then every file
under the home, the temp folder and the cache folder is read (database, WAL and SHM while the
app still has the cache open, key slots, export, backup, anything else) and searched for every
patient's family name and IPP, in UTF-8 and UTF-16, as written and in capitals, inside zip
members and PDF text too. Only the PDF the user chose to save may hold them, and it must:
that proves the search finds a name where there is one.
"""

from __future__ import annotations

import io
import json
import tempfile
import unicodedata
import zipfile
from datetime import timedelta
from pathlib import Path

import pypdf
import pytest

from continuity.cli.common import default_db_path
from continuity.demo import write_demo_snapshot
from continuity.fhir.importer import import_snapshot
from continuity.printing.render import render_sheet
from continuity.printing.request import SheetKind, SheetRequest
from continuity.store import census, emar, entries, users
from continuity.store.cache import create_cache, login
from continuity.store.key_rotation import backup_cache
from tests.conftest import ADMIN_PASSWORD, NURSE_PASSWORD

try:
    from continuity.reconcile import package_format
    from continuity.reconcile.export import export_entries
except ImportError:  # the reconciliation issue has not landed in this tree yet
    export_entries = None

#: A downtime admission typed on the ward: it must not leak either.
ADMITTED = "Quéméneur-Kerhervé"
#: Shorter names are left out: a 4-letter word turns up by chance in megabytes of ciphertext.
MIN_NAME = 5


def _patients(folder: Path) -> tuple[set[str], set[str]]:
    """Family names and IPPs of the input snapshot, read before anything is imported."""
    names, ipps = set(), set()
    for line in (folder / "Patient.ndjson").read_text(encoding="utf-8").splitlines():
        patient = json.loads(line)
        names |= {n["family"] for n in patient.get("name", []) if "family" in n}
        ipps |= {
            i["value"]
            for i in patient.get("identifier", [])
            if i.get("type", {}).get("text") == "IPP"
        }
    return {n for n in names if len(n) >= MIN_NAME}, ipps


def _forms(word: str) -> set[bytes]:
    """How a word may sit in a file: as typed or in capitals, composed or not, UTF-8/16."""
    texts = {word, word.upper()}
    texts |= {unicodedata.normalize(form, t) for t in texts for form in ("NFC", "NFD")}
    return {t.encode(codec) for t in texts for codec in ("utf-8", "utf-16-le", "utf-16-be")}


def _readable(path: Path) -> list[bytes]:
    """The file's bytes, and what a thief gets by unzipping it or extracting a PDF's text."""
    data = path.read_bytes()
    found = [data]
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            found += [archive.read(member) for member in archive.namelist()]
    if data.startswith(b"%PDF"):
        reader = pypdf.PdfReader(io.BytesIO(data))
        found.append("\n".join(p.extract_text() for p in reader.pages).encode("utf-8"))
    return found


def leaks(path: Path, words: set[str]) -> set[str]:
    needles = {word: _forms(word) for word in words}
    blobs = _readable(path)
    return {w for w, forms in needles.items() if any(f in b for f in forms for b in blobs)}


@pytest.fixture
def throwaway_temp(tmp_path_factory, monkeypatch) -> Path:
    """TMPDIR for everything the app and its libraries might spill (tempfile, SQLite)."""
    temp = tmp_path_factory.mktemp("tmp")
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    return temp


def test_after_a_working_day_no_file_holds_a_patient_name_or_ipp(
    private_home, throwaway_temp, tmp_path, clock, monkeypatch
):
    if export_entries is not None:
        monkeypatch.setattr(package_format, "DEFAULT_SCRYPT", {"n": 2**10, "r": 8, "p": 1})
    given_folder = tmp_path / "input"  # what central IT handed over: written by the test
    write_demo_snapshot(given_folder, patients=30, as_of=clock.now() - timedelta(hours=2))
    names, ipps = _patients(given_folder)
    saved_pdf = private_home / "Documents" / "MAR-salle.pdf"
    usb = private_home / "usb"
    usb.mkdir()

    # IT: set-up in the default data folder, a nurse's account, the snapshot.
    db = default_db_path()
    db.parent.mkdir(parents=True)
    create_cache(db, device_name="SAGESSE-3A-PC1", admin_login="admin",
                 admin_password=ADMIN_PASSWORD, site_name="Clinique", clock=clock)  # fmt: skip
    with login(db, "admin", ADMIN_PASSWORD, clock=clock) as it:
        users.add_user(it, "nurse", "Nadia Infirmière", "nurse", NURSE_PASSWORD)
        import_snapshot(it, given_folder)

    # The nurse: care recorded, a downtime admission, sheets printed and one saved.
    nurse = login(db, "nurse", NURSE_PASSWORD, clock=clock)
    patient = census.list_patients(nurse)[0]
    order, times = next(
        (o, t) for o, t in emar.upcoming_doses(nurse, patient.id) if t and not o.high_alert
    )
    entries.record_dose(nurse, patient_id=patient.id, order_id=order.id, scheduled=times[0],
                        status="given", confirm=True)  # fmt: skip
    entries.record_dose(nurse, patient_id=patient.id, order_id=order.id, scheduled=times[0],
                        status="not-given", reason="refused", confirm=True)  # fmt: skip
    entries.record_vitals(nurse, patient_id=patient.ipp, hr=92, temp=38.2, bp_sys=135, bp_dia=80)
    entries.record_note(nurse, patient_id=patient.id, category="handover",
                        text=f"Mme {patient.family} ({patient.ipp}) a refusé son traitement.")  # fmt: skip
    entries.admit_patient(nurse, family=ADMITTED, given="Anne", ward=patient.ward,
                          birth_date="1948-05-02", sex="female", confirm=True)  # fmt: skip
    for kind in (SheetKind.MAR, SheetKind.CENSUS, SheetKind.LABELS):
        render_sheet(nurse, SheetRequest(kind, ward=patient.ward))
    saved_pdf.parent.mkdir()
    saved_pdf.write_bytes(render_sheet(nurse, SheetRequest(SheetKind.MAR, ward=patient.ward)).pdf)

    # IT: the export and a backup, while the nurse still has the cache open (WAL and SHM).
    with login(db, "admin", ADMIN_PASSWORD, clock=clock) as it:
        if export_entries is not None:
            export_entries(it, usb / "SAGESSE-3A-PC1.ccx", "Export-Passphrase-2026")
        backup_cache(it, usb)

    words = names | ipps | {ADMITTED}
    scanned = {}
    for root in {private_home, throwaway_temp, db.parent}:
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            if path != saved_pdf and given_folder not in path.parents:
                scanned[path] = leaks(path, words)
    nurse.close()

    written = {p.name for p in scanned}
    assert {db.name, f"{db.name}-wal", f"{db.name}-shm", f"{db.name}.keys"} <= written
    assert any(name.endswith(".ccx") for name in written) or export_entries is None
    assert any(name.startswith("continuity-SAGESSE") for name in written)  # the backup
    assert {str(p): found for p, found in scanned.items() if found} == {}
    # The search works: the PDF the nurse saved on purpose has the ward's names in it.
    assert leaks(saved_pdf, words)
