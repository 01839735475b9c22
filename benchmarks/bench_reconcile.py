"""Export and merge at outage scale: 50,000 entries from 5 laptops, against plain JSON.

    .venv/bin/python benchmarks/bench_reconcile.py [--devices 5] [--entries 10000]

Builds `--devices` real encrypted caches with the same snapshot (1,000 patients, 8,000
orders, written by SQL the way the importer fills the tables) and `--entries` entries each,
written by SQL too, following the `entries` schema and the payload contract of
`continuity.core.entries` (recording 50,000 entries one by one through the safety checks, each
its own fsynced transaction, would take minutes and measure something else). The mix: 60 %
doses (a tenth not given), 25 % vital signs, 10 % notes, 5 % admissions, transfers, infusions,
lines, allergies and corrections; two laptops gave ~50 of the same doses (double-dose
conflicts). Then, in the same run:

- export: `export_entries` on every laptop (the .ccx package: entries, context, FHIR bundle,
  CSV tables, encryption with the production scrypt cost);
- merge: `merge_packages` of the packages (decryption, dedup, chains, gaps, conflicts,
  mapping of every temporary id, the consolidated FHIR bundle, review PDF and CSV);
- baseline: the same entries, already in memory as dicts, serialised with `json.dumps`, one
  per line, to a file: the floor of "writing the entries out" (the issue's baseline);
- two floors the merge cannot go under, to read the ratio by: deriving the five packages' keys
  (scrypt at the production cost, two at a time as the merge does) and `json.dumps` of the
  FHIR Bundle entries the merge wrote (a resource per measurement and a Provenance per entry:
  about 8x the bytes of the entries), timed alone.

Time and peak Python memory (tracemalloc, measured in a second run so that tracing does not
slow the timed one). Targets (issue 7): merge < 10 s, within 3x of the baseline. All data is
synthetic and lives in a temporary folder removed at the end.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
import tracemalloc
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

from continuity.core.clock import FixedClock, to_utc_iso
from continuity.core.timing import parse_timing
from continuity.reconcile import package_format
from continuity.reconcile.export import export_entries
from continuity.reconcile.merge import merge_packages
from continuity.store.cache import create_cache, login

PASSWORD = "Bench-Reconcile-Tango-1"
PASSPHRASE = "Bench-Export-Passphrase-1"
START = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
PATIENTS = 1000
ORDERS_PER_PATIENT = 8
COLUMNS = (
    "uuid", "device_id", "seq", "kind", "author", "clinical_time", "recorded_time", "tz",
    "patient_id", "order_id", "supersedes", "reason", "payload", "confirmations", "witness",
    "drill",
)  # fmt: skip
DRUGS = [("Paracétamol 1 g", 1, "g"), ("Amoxicilline 1 g", 1, "g"), ("Furosémide 40 mg", 40,
         "mg"), ("Enoxaparine 4000 UI", 4000, "UI"), ("Pantoprazole 40 mg", 40, "mg"),
         ("Métoclopramide 10 mg", 10, "mg"), ("Lévothyroxine 75 µg", 75, "µg"),
         ("Amlodipine 5 mg", 5, "mg")]  # fmt: skip


FAMILIES = ["Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois",
            "Moreau", "Laurent", "Simon", "Michel", "Lefebvre", "Leroy", "Roux", "David",
            "Bertrand", "Morel", "Fournier", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine",
            "Rousseau", "Vincent", "Muller", "Lefèvre", "Faure", "André", "Mercier", "Blanc",
            "Guérin", "Boyer", "Garnier", "Chevalier", "François", "Legrand", "Gauthier",
            "Garcia"]  # fmt: skip
GIVEN = [
    "Jeanne",
    "Marie",
    "Louise",
    "Camille",
    "Léa",
    "Jean",
    "Pierre",
    "Louis",
    "Hugo",
    "Lucas",
    "Inès",
    "Chloé",
    "Paul",
    "Arthur",
    "Emma",
    "Nathan",
    "Zoé",
    "Jules",
]


def seed_snapshot(conn) -> None:
    timing = parse_timing({"repeat": {"frequency": 1, "period": 1, "periodUnit": "d",
                                      "timeOfDay": ["08:00:00", "20:00:00"]}}).to_json()  # fmt: skip
    conn.execute(
        "INSERT INTO snapshot VALUES (1, 'bench', ?, 'manifest', ?, 'admin', 'not-required', '{}')",
        (to_utc_iso(START), to_utc_iso(START)),
    )
    for p in range(PATIENTS):
        ipp = f"{100000 + p}"
        ident = json.dumps([{"system": "urn:oid:1.2.250.1.71.4.2.7.1", "value": ipp,
                             "type": {"text": "IPP"}}])  # fmt: skip
        conn.execute(
            "INSERT INTO patients (source_id, ipp, family, given, birth_date, sex, ward, room,"
            " bed, allergy_status, identifiers) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'none_known',"
            " ?)",
            (f"pat-{p}", ipp, f"NOM{p}", "Prénom", "1950-01-01", "female",
             ["MED", "CHIR", "MATER", "USC"][p % 4], str(p % 30), "A", ident),
        )  # fmt: skip
        for o in range(ORDERS_PER_PATIENT):
            drug, dose, unit = DRUGS[o]
            status = "stopped" if (p + o) % 97 == 0 else "active"
            conn.execute(
                "INSERT INTO orders (source_id, patient_id, drug, dose_value, dose_unit, route,"
                " timing, status, end, start) VALUES (?, ?, ?, ?, ?, 'PO', ?, ?, ?, ?)",
                (f"ord-{p}-{o}", f"pat-{p}", drug, dose, unit, timing, status,
                 to_utc_iso(START) if status == "stopped" else None, "2026-11-20T08:00:00Z"),
            )  # fmt: skip


def entry_rows(device_id: str, name: str, number: int, devices: int, count: int,
               rng: random.Random) -> list[tuple]:  # fmt: skip
    rows: list[tuple] = []
    span = (NOW - START - timedelta(hours=2)).total_seconds()
    last_dose: str | None = None
    admissions = 0
    for seq in range(1, count + 1):
        clinical = START + timedelta(seconds=span * seq / count)
        recorded = clinical + timedelta(minutes=7)
        # each laptop serves its own ward: its own patients, each dose given once
        patient = rng.randrange(PATIENTS // devices) * devices + number
        order = rng.randrange(ORDERS_PER_PATIENT)
        kind, payload, order_id, supersedes, reason = "dose", {}, None, None, None
        slot = seq % 20
        if slot < 12:
            day = clinical.replace(hour=7 if clinical.hour < 13 else 19, minute=0, second=0)
            if number in (0, 1) and seq % 200 == 0:  # the same dose given on two laptops
                patient, order = 0, seq % ORDERS_PER_PATIENT
            drug, dose, unit = DRUGS[order]
            given = seq % 10 != 0
            payload = {"status": "given" if given else "not_given", "drug": drug,
                       "scheduled": to_utc_iso(day), "comment": None}  # fmt: skip
            if given:
                payload.update(dose_value=dose, dose_unit=unit, dose_from_order=True,
                               route="PO", site=None)  # fmt: skip
            else:
                payload.update(reason="refused", reason_text=None)
            order_id = f"ord-{patient}-{order}"
        elif slot < 17:
            kind = "vitals"
            payload = {"bp_sys": 120 + seq % 30, "bp_dia": 70, "hr": 60 + seq % 40, "rr": 16,
                       "temp": 37.1, "spo2": 96, "o2_flow": None, "pain": 2, "avpu": "A",
                       "weight": None, "glucose": None, "comment": None, "flags": {}}  # fmt: skip
        elif slot < 19:
            kind = "note"
            payload = {"category": "handover", "text": f"Transmission {seq}: patient calme."}
        else:
            choice = (seq // 20) % 6
            if choice == 0 and last_dose:
                kind, supersedes, reason = "dose", last_dose, "heure corrigée"
                payload = {"status": "given", "drug": "Paracétamol 1 g", "scheduled": None,
                           "dose_value": 1, "dose_unit": "g", "dose_from_order": True,
                           "route": "PO", "site": None, "comment": None}  # fmt: skip
                order_id = rows[-1][9]
                prev = next(r for r in reversed(rows) if r[0] == last_dose)
                patient = int(prev[8].split("-")[1])
                payload["scheduled"] = json.loads(prev[12]).get("scheduled")
            elif choice == 1:
                admissions += 1
                kind = "admission"
                family = FAMILIES[rng.randrange(len(FAMILIES))]
                given = GIVEN[rng.randrange(len(GIVEN))]
                born = (
                    f"{rng.randint(1930, 2005)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
                )
                if number in (0, 1) and admissions <= 3:  # the same person on two laptops
                    family, given, born = f"DOUBLON{admissions}", "Marie", "1970-01-0{admissions}"
                payload = {"family": family, "given": given, "birth_date": born,
                           "sex": "female", "ward": "MED", "room": "1", "bed": "A"}  # fmt: skip
            elif choice == 2:
                kind, payload = "transfer", {"ward": "CHIR", "room": "4", "bed": "B"}
            elif choice == 3:
                kind = "infusion"
                payload = {"action": "start", "solution": "NaCl 0,9 %", "additive": None,
                           "rate": 83, "volume": 1000, "comment": None}  # fmt: skip
            elif choice == 4:
                kind = "line"
                payload = {"action": "inserted", "line_kind": "peripheral_iv",
                           "site": "avant-bras", "line": None, "comment": None}  # fmt: skip
            else:
                kind = "allergy"
                payload = {"substance": "Iode", "reaction": "urticaire", "criticality": "high",
                           "code": None}  # fmt: skip
        entry_uuid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        patient_id = f"pat-{patient}"
        if kind == "admission":
            patient_id = f"DT-{name}-{admissions:04d}"
        rows.append((entry_uuid, device_id, seq, kind, "nurse", to_utc_iso(clinical),
                     to_utc_iso(recorded), "Europe/Paris", patient_id, order_id, supersedes,
                     reason, json.dumps(payload, ensure_ascii=False, sort_keys=True), "[]", None,
                     0))  # fmt: skip
        if kind == "dose" and supersedes is None:
            last_dose = entry_uuid
    return rows


def build(folder: Path, devices: int, count: int) -> tuple[list[Path], list[dict], Path]:
    rng = random.Random(7)
    clock = FixedClock(NOW)
    paths, all_rows, temp_ids = [], [], []
    for number in range(devices):
        name = f"BENCH-PC{number + 1}"
        path = folder / f"{name.lower()}.db"
        create_cache(path, device_name=name, admin_login="admin", admin_password=PASSWORD,
                     site_name="Clinique Bench", clock=clock)  # fmt: skip
        with login(path, "admin", PASSWORD, clock=clock) as session:
            rows = entry_rows(session.device.id, name, number, devices, count, rng)
            with session.transaction() as conn:
                seed_snapshot(conn)
                conn.execute(
                    "INSERT INTO users (login, display_name, role, created_at, updated_at)"
                    " VALUES ('nurse', 'Infirmière Bench', 'nurse', ?, ?)",
                    (to_utc_iso(NOW), to_utc_iso(NOW)),
                )
                conn.executemany(
                    f"INSERT INTO entries ({', '.join(COLUMNS)}) VALUES"
                    f" ({', '.join('?' * len(COLUMNS))})",
                    rows,
                )
        temp_ids += [r[8] for r in rows if r[3] == "admission"]
        all_rows += [dict(zip(COLUMNS, r, strict=True)) for r in rows]
        paths.append(path)
    mapping = folder / "mapping.csv"
    mapping.write_text("temporary_id,real_ipp\n" + "".join(
        f"{t},{900000 + i}\n" for i, t in enumerate(temp_ids)))  # fmt: skip
    for row in all_rows:
        row["payload"] = json.loads(row["payload"])
        row["confirmations"] = []
    return paths, all_rows, mapping


def export_all(caches: list[Path], out: Path) -> list[Path]:
    packages = []
    for path in caches:
        with login(path, "admin", PASSWORD, clock=FixedClock(NOW)) as session:
            target = out / f"{path.stem}.ccx"
            export_entries(session, target, PASSPHRASE, all_entries=True)
            packages.append(target)
    return packages


def baseline(rows: list[dict], out: Path) -> None:
    with open(out, "w", encoding="utf-8") as stream:
        for row in rows:
            stream.write(json.dumps(row, ensure_ascii=False) + "\n")


def bundle_floor(bundle: Path, out: Path) -> float:
    """Seconds json.dumps takes to write the Bundle's entries (parsing them back is not
    counted): what writing the merge's output costs before any merging is done."""
    spent = 0.0
    with open(bundle, "rb") as src, open(out, "w", encoding="utf-8") as dst:
        for line in src:
            text = line.strip().lstrip(b",").rstrip(b",")
            if not text.startswith(b'{"fullUrl"'):
                continue
            entry = orjson.loads(text)
            start = time.perf_counter()
            dst.write(json.dumps(entry, ensure_ascii=False) + "\n")
            spent += time.perf_counter() - start
    return spent


def key_floor(packages: list[Path]) -> float:
    """Seconds to derive every package's key, two at a time (as `open_packages` does)."""
    headers = [package_format.read_header(p) for p in packages]

    def derive(header: package_format.Header) -> None:
        kdf = header.kdf
        params = {k: int(kdf[k]) for k in ("n", "r", "p")}
        package_format._derive(PASSPHRASE, bytes.fromhex(kdf["salt"]), params)

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(derive, headers))
    return time.perf_counter() - start


def timed(fn, *args, **kw) -> tuple[float, object]:
    start = time.perf_counter()
    value = fn(*args, **kw)
    return time.perf_counter() - start, value


def traced(fn, *args, **kw) -> int:
    tracemalloc.start()
    try:
        fn(*args, **kw)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=5)
    parser.add_argument("--entries", type=int, default=10000, help="per laptop")
    args = parser.parse_args(argv)
    total = args.devices * args.entries
    with tempfile.TemporaryDirectory(prefix="bench-reconcile-") as tmp:
        folder = Path(tmp)
        t_build, (caches, rows, mapping) = timed(build, folder, args.devices, args.entries)
        print(f"built {args.devices} caches with {total} entries in {t_build:.1f} s")
        (folder / "packages").mkdir()
        t_export, packages = timed(export_all, caches, folder / "packages")
        size = sum(p.stat().st_size for p in packages)
        t_base, _ = timed(baseline, rows, folder / "baseline.jsonl")
        phases: dict[str, float] = {}

        def progress(done: int, total: int, text: str) -> None:
            phases.setdefault(text.rsplit(" ", 1)[0] if text.endswith(".ccx") else text,
                              time.perf_counter())  # fmt: skip

        start = time.perf_counter()
        t_merge, result = timed(merge_packages, packages, [PASSPHRASE], folder / "out",
                                mapping_csv=mapping, clock=FixedClock(NOW),
                                progress=progress)  # fmt: skip
        marks = [*sorted(phases.items(), key=lambda kv: kv[1]), ("end", start + t_merge)]
        breakdown = ", ".join(
            f"{name} {marks[i + 1][1] - at:.2f} s" for i, (name, at) in enumerate(marks[:-1])
        )
        t_kdf, _ = timed(package_format.open_package, packages[0], PASSPHRASE)
        bundle_mb = result.files["bundle"].stat().st_size / 1e6
        t_keys = key_floor(packages)
        t_bundle_floor = bundle_floor(result.files["bundle"], folder / "bundle-floor.jsonl")

        (folder / "packages2").mkdir()
        mem_export = traced(export_all, caches[:1], folder / "packages2")
        mem_merge = traced(merge_packages, packages, [PASSPHRASE], folder / "out2",
                           mapping_csv=mapping, clock=FixedClock(NOW))  # fmt: skip
        mem_base = traced(baseline, rows, folder / "baseline2.jsonl")

    print(f"baseline   json.dumps of {total} entries: {t_base:6.2f} s  peak {mem_base / 1e6:6.1f} MB"
          " (entries already in memory)")  # fmt: skip
    print(f"export     {args.devices} packages ({size / 1e6:.1f} MB): {t_export:6.2f} s  "
          f"peak {mem_export / 1e6:6.1f} MB per laptop  ratio {t_export / t_base:.1f}x")  # fmt: skip
    print(f"merge      {total} entries: {t_merge:6.2f} s  peak {mem_merge / 1e6:6.1f} MB  "
          f"ratio {t_merge / t_base:.1f}x  (of which opening one package: {t_kdf:.2f} s)")  # fmt: skip
    print(f"           phases: {breakdown}")
    print(f"floors     keys of {args.devices} packages (scrypt, 2 threads): {t_keys:6.2f} s "
          f"({t_keys / t_base:.1f}x the baseline); json.dumps of the {bundle_mb:.0f} MB Bundle "
          f"written: {t_bundle_floor:6.2f} s; merge = {t_merge / (t_keys + t_bundle_floor):.1f}x "
          "their sum")  # fmt: skip
    print(f"           {result.totals}, {len(result.conflicts)} conflicts, bundle "
          f"{result.bundle_entries} entries / {bundle_mb:.0f} MB")  # fmt: skip
    ok_time = t_merge < 10
    ok_ratio = t_merge <= 3 * t_base
    print(
        f"targets: merge < 10 s: {'yes' if ok_time else 'NO'}; "
        f"within 3x of baseline: {'yes' if ok_ratio else 'NO'}"
    )
    return 0 if ok_time else 1


if __name__ == "__main__":
    sys.exit(main())
