"""Two ward laptops with the same snapshot, for the reconciliation tests.

The snapshot tables are filled by SQL the way the importer fills them (as in the recording
tests); entries are recorded through the real `continuity.store.entries` functions. The
fixture clock reads 28/11/2026 09:00 UTC (10:00 in Paris); the snapshot is as of 07:00 Paris.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from continuity.core.clock import FixedClock, to_utc_iso
from continuity.core.timing import parse_timing
from continuity.reconcile import package_format
from continuity.store import entries, users
from continuity.store.cache import create_cache, login
from continuity.store.session import Session
from tests.conftest import ADMIN_PASSWORD, NURSE_PASSWORD

PASSPHRASE = "Export-Passphrase-2026"
AS_OF = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)
IPP_SYSTEM = "urn:oid:1.2.250.1.71.4.2.7.1"


def _times(*times: str) -> str:
    repeat = {
        "frequency": 1,
        "period": 1,
        "periodUnit": "d",
        "timeOfDay": [f"{t}:00" for t in times],
    }
    return parse_timing({"repeat": repeat}).to_json()


# (id, patient, drug, dose, unit, route, timing, status, end, high_alert)
ORDERS = [
    (
        "ord-amox",
        "pat-1",
        "Amoxicilline 1 g",
        1,
        "g",
        "PO",
        _times("08:00", "14:00", "20:00"),
        "active",
        None,
        0,
    ),
    (
        "ord-para",
        "pat-1",
        "Paracétamol 1 g",
        1,
        "g",
        "PO",
        _times("08:00", "12:00", "18:00"),
        "active",
        None,
        0,
    ),
    (
        "ord-keto",
        "pat-1",
        "Kétoprofène 50 mg",
        50,
        "mg",
        "PO",
        _times("08:00", "20:00"),
        "stopped",
        "2026-11-27T18:00:00Z",
        0,
    ),
    ("ord-furo", "pat-2", "Furosémide 40 mg", 40, "mg", "PO", _times("08:00"), "active", None, 0),
    (
        "ord-insu",
        "pat-2",
        "Insuline asparte",
        6,
        "UI",
        "SC",
        _times("08:00", "12:00", "19:00"),
        "active",
        None,
        1,
    ),
]
PATIENTS = [
    ("pat-1", "100001", "DUPONT", "Jeanne", "1950-03-12", "female", "MED", "12", "A"),
    ("pat-2", "100002", "MARTIN", "Éloïse", "1985-07-01", "female", "MED", "14", "B"),
]


@pytest.fixture(autouse=True)
def fast_export_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheaper scrypt for export passphrases in tests (the CLI tests keep the real cost)."""
    monkeypatch.setattr(package_format, "DEFAULT_SCRYPT", {"n": 2**10, "r": 8, "p": 1})


def seed_snapshot(session: Session) -> None:
    with session.transaction() as conn:
        conn.execute(
            "INSERT INTO snapshot VALUES (1, 'test', ?, 'manifest', ?, 'admin', 'not-required',"
            " '{}')",
            (to_utc_iso(AS_OF), to_utc_iso(AS_OF)),
        )
        for p in PATIENTS:
            idents = json.dumps([{"system": IPP_SYSTEM, "value": p[1], "type": {"text": "IPP"}}])
            conn.execute(
                "INSERT INTO patients (source_id, ipp, family, given, birth_date, sex, ward, room,"
                " bed, allergy_status, identifiers) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?,"
                " 'none_known', ?)",
                (*p, idents),
            )
        for o in ORDERS:
            conn.execute(
                "INSERT INTO orders (source_id, patient_id, drug, dose_value, dose_unit, route,"
                " timing, status, end, high_alert, start) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                " '2026-11-25T08:00:00Z')",
                o,
            )


@dataclass
class Laptop:
    path: Path
    clock: FixedClock

    def login(self, user: str = "nurse") -> Session:
        password = {"admin": ADMIN_PASSWORD, "nurse": NURSE_PASSWORD}[user]
        return login(self.path, user, password, clock=self.clock)

    def export(self, out: Path, **kw) -> object:
        from continuity.reconcile.export import export_entries

        with self.login("admin") as session:
            return export_entries(session, out, PASSPHRASE, **kw)


def laptop_from_fixture(cache) -> Laptop:
    with cache.login("admin") as session:
        seed_snapshot(session)
    return Laptop(cache.path, cache.clock)


def second_laptop(tmp_path: Path, clock: FixedClock, name: str = "SAGESSE-3A-PC2") -> Laptop:
    """Another laptop of the same ward: its own cache, device id and users, the same snapshot."""
    path = tmp_path / f"{name.lower()}.db"
    create_cache(
        path,
        device_name=name,
        admin_login="admin",
        admin_password=ADMIN_PASSWORD,
        admin_display_name="Alice Admin",
        site_name="Clinique Test",
        clock=clock,
    )
    with login(path, "admin", ADMIN_PASSWORD, clock=clock) as session:
        users.add_user(session, "nurse", "Nina Infirmière", "nurse", NURSE_PASSWORD)
        seed_snapshot(session)
    return Laptop(path, clock)


def give(
    session: Session,
    *,
    order: str = "ord-amox",
    patient: str = "pat-1",
    scheduled: str | None = "2026-11-28T08:00",
    at: str = "2026-11-28T08:05",
    status: str = "given",
    **fields,
):
    return entries.record_dose(
        session,
        patient_id=patient,
        order_id=order,
        scheduled=scheduled,
        status=status,
        at=at,
        confirm=True,
        **fields,
    )


def vitals(session: Session, patient: str = "pat-1", at: str = "2026-11-28T08:30", **values):
    values = values or {"bp_sys": 128, "bp_dia": 76, "hr": 88, "temp": 37.4}
    return entries.record_vitals(session, patient_id=patient, at=at, confirm=True, **values)


def admit(session: Session, family: str = "INCONNU", given: str = "Homme", **kw):
    kw.setdefault("ward", "MED")
    kw.setdefault("birth_date", "1960-05-05")
    kw.setdefault("sex", "male")
    kw.setdefault("at", "2026-11-28T08:40")
    return entries.admit_patient(session, family=family, given=given, confirm=True, **kw)


def bundle_resources(bundle: dict, resource_type: str) -> list[dict]:
    return [
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == resource_type
    ]


def entry_ids(resource: dict) -> list[str]:
    return [
        i["value"]
        for i in resource.get("identifier", [])
        if i.get("system") == "urn:continuity:entry"
    ]


def merged_bundle(result) -> dict:
    return json.loads(Path(result.files["bundle"]).read_text(encoding="utf-8"))


def repack(src: Path, dst: Path, change) -> None:
    """Another package made from `src` with its entries passed through `change` (what a
    tampered copy, or a laptop with a broken clock, would hand over)."""
    import dataclasses
    import uuid

    from continuity.reconcile.package_contents import ContentsWriter, PackageContents, entry_line
    from continuity.reconcile.package_format import open_package, seal

    opened = open_package(src, PASSPHRASE)
    contents = PackageContents(opened.payload, src.name)
    rows = [change(dict(row)) for row in contents.entries()]
    package_id = str(uuid.uuid4())
    manifest = {k: v for k, v in contents.manifest.items() if k != "members"}
    manifest["package_id"] = package_id
    writer = ContentsWriter()
    writer.add("entries.jsonl", b"".join(entry_line(r) for r in rows))
    writer.add("context.json", json.dumps(contents.context()).encode("utf-8"))
    header = dataclasses.replace(opened.header, package_id=package_id)
    dst.write_bytes(seal(header, writer.finish(manifest), PASSPHRASE))


def forge_header(src: Path, dst: Path, change) -> None:
    """A copy of `src` whose clear header was rewritten by `change` (its digest recomputed, as
    a forger would): what the merge must refuse as damaged, never crash on."""
    import hashlib
    import struct

    from continuity.reconcile.package_format import MAGIC

    data = src.read_bytes()
    start = len(MAGIC) + 4
    (length,) = struct.unpack(">I", data[len(MAGIC) : start])
    header = json.loads(data[start : start + length])
    change(header)
    text = json.dumps(header, indent=1).encode("ascii")
    head = MAGIC + struct.pack(">I", len(text)) + text
    dst.write_bytes(head + hashlib.sha256(head).digest() + data[start + length + 32 :])


def central_bundle(path: Path, resources: list[dict]) -> Path:
    """The central record's fresh snapshot after recovery, as one collection Bundle."""
    entry = [{"resource": r} for r in resources]
    path.write_text(json.dumps({"resourceType": "Bundle", "type": "collection", "entry": entry}))
    return path
