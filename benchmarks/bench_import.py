"""Snapshot import at hospital scale: the 5,000-patient demo, against the simplest plain loader.

    .venv/bin/python benchmarks/bench_import.py                  # 5,000 patients
    .venv/bin/python benchmarks/bench_import.py --patients 500 --runs 3

Target (issue 3): the full import, validation and timing parsing included, under 10 s on a
2-core machine and within 3x of "the same rows loaded into a plain unencrypted sqlite3 database
by the simplest possible loop", both measured in the same run on the same machine.

Each phase runs in a child process of its own, so its peak memory (ru_maxrss) is its own:

- `import`: `import_snapshot` into a real encrypted cache (logged in as IT), what IT runs;
- `plain`: a loop reading each NDJSON line with json.loads and inserting the same rows into
  plain sqlite3 tables of the same schema (no validation, no reference resolution, no timing,
  no encryption: a floor, not a competitor);
- `parse`: the importer's reading, validation and resolution alone (no database), to show
  where the time goes;
- `write-secure` / `write-plain`: the rows the importer builds, written into SQLCipher with
  `cipher_memory_security` ON (the cache's setting) and OFF, for the database's share.

The demo snapshot is generated once in a temporary folder (synthetic data only) and deleted.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

AS_OF = datetime(2026, 11, 28, 5, 30, tzinfo=UTC)
PASSWORD = "Mesure-Import-2026"


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_mib() -> float:
    """This process's peak resident memory (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1 << 20) if sys.platform == "darwin" else peak / 1024


# --------------------------------------------------------------------------- phases


def phase_import(snapshot: Path, work: Path, *, bulk_process: bool = True) -> dict[str, float]:
    """As `continuity import` / `refresh` run it (a bulk process: SQLCipher memory security
    off), or as the app's IT menu runs it (memory security on)."""
    from continuity.fhir.importer import import_snapshot
    from continuity.store.cache import create_cache, login
    from continuity.store.connection import use_memory_security

    use_memory_security(not bulk_process)

    path = work / "bench.db"
    create_cache(path, device_name="BENCH", admin_login="bench", admin_password=PASSWORD)
    with login(path, "bench", PASSWORD) as session:
        start, cpu = time.perf_counter(), cpu_seconds()
        report = import_snapshot(session, snapshot)
        elapsed, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    totals = report.totals()
    assert not report.rejections, report.rejections[:3]
    return {"seconds": elapsed, "cpu": cpu, "resources": totals.read, "imported": totals.imported}


def phase_plain(snapshot: Path, work: Path) -> dict[str, float]:
    """The simplest loop: one line, one json.loads, one INSERT, committed once."""
    from continuity.store.schema import V2_SNAPSHOT, _split

    conn = sqlite3.connect(work / "plain.db", isolation_level=None)
    for statement in _split(V2_SNAPSHOT):
        conn.execute(statement)
    start, cpu = time.perf_counter(), cpu_seconds()
    conn.execute("BEGIN")
    rows = 0
    for path in sorted(snapshot.glob("*.ndjson")):
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                r = json.loads(line)
                rows += _plain_insert(conn, r)
    conn.execute("COMMIT")
    elapsed, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    conn.close()
    return {"seconds": elapsed, "cpu": cpu, "rows": rows}


def _ref(value: dict | None) -> str | None:
    ref = (value or {}).get("reference") or ""
    return ref.rsplit("/", 1)[-1] or None


def _plain_insert(conn: sqlite3.Connection, r: dict) -> int:
    kind = r["resourceType"]
    if kind == "Patient":
        name = r["name"][0]
        conn.execute(
            "INSERT INTO patients (source_id, family, given, birth_date, sex, identifiers)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                r["id"],
                name.get("family", ""),
                " ".join(name.get("given", [])),
                r.get("birthDate"),
                r.get("gender"),
                json.dumps(r.get("identifier", [])),
            ),
        )
    elif kind == "MedicationRequest":
        med = r.get("medicationCodeableConcept") or r.get("medicationReference") or {}
        dosage = (r.get("dosageInstruction") or [{}])[0]
        conn.execute(
            "INSERT INTO orders (source_id, patient_id, drug, instructions, timing, status,"
            " authored_on) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                r["id"],
                _ref(r.get("subject")),
                med.get("text") or med.get("reference") or "",
                dosage.get("text"),
                json.dumps(dosage.get("timing")),
                r["status"],
                r.get("authoredOn"),
            ),
        )
    elif kind == "Observation":
        coding = r["code"]["coding"][0]
        quantity = r.get("valueQuantity") or {}
        conn.execute(
            "INSERT OR REPLACE INTO observations (patient_id, code, display, value, unit,"
            " effective) VALUES (?, ?, ?, ?, ?, ?)",
            (
                _ref(r.get("subject")),
                coding["code"],
                coding.get("display", ""),
                quantity.get("value"),
                quantity.get("unit"),
                r.get("effectiveDateTime"),
            ),
        )
    elif kind == "AllergyIntolerance":
        conn.execute(
            "INSERT INTO allergies (patient_id, substance, status) VALUES (?, ?, ?)",
            (_ref(r.get("patient")), (r.get("code") or {}).get("text", ""), "active"),
        )
    elif kind == "Location":
        conn.execute(
            "INSERT INTO locations (source_id, name, kind, part_of) VALUES (?, ?, ?, ?)",
            (r["id"], r.get("name", ""), "", _ref(r.get("partOf"))),
        )
    elif kind == "Practitioner":
        conn.execute(
            "INSERT INTO practitioners (source_id, name) VALUES (?, ?)",
            (r["id"], json.dumps(r.get("name"))),
        )
    elif kind == "Appointment":
        conn.execute(
            "INSERT INTO appointments (source_id, kind, start, end, status)"
            " VALUES (?, 'appointment', ?, ?, ?)",
            (r["id"], r.get("start"), r.get("end"), r.get("status")),
        )
    else:
        return 0
    return 1


def _build(snapshot: Path):
    from continuity.fhir.assembly import SnapshotBuilder
    from continuity.fhir.report import ImportReport
    from continuity.fhir.sources import open_source

    builder = SnapshotBuilder(ImportReport(source=str(snapshot)))
    with open_source(snapshot) as source:
        for raw in source.resources():
            builder.add(raw)
    return builder.build()


def phase_parse(snapshot: Path, work: Path) -> dict[str, float]:
    import gc

    gc.disable()  # as the importer does while reading
    start, cpu = time.perf_counter(), cpu_seconds()
    rows = _build(snapshot)
    elapsed, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    return {"seconds": elapsed, "cpu": cpu, "orders": len(rows.orders)}


def _phase_write(snapshot: Path, work: Path, memory_security: str) -> dict[str, float]:
    import sqlcipher3

    from continuity.fhir.snapshot_writer import replace_snapshot
    from continuity.store.schema import migrate

    rows = _build(snapshot)
    conn = sqlcipher3.connect(str(work / "write.db"), isolation_level=None)
    conn.execute(f"PRAGMA key = \"x'{'ab' * 32}'\"")
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    for pragma in (
        f"cipher_memory_security = {memory_security}",
        "journal_mode = WAL",
        "synchronous = FULL",
        "foreign_keys = ON",
        "temp_store = MEMORY",
        "secure_delete = ON",
    ):
        conn.execute(f"PRAGMA {pragma}")
    migrate(conn, None)
    snapshot_row = {
        "source": "bench",
        "as_of": "2026-11-28T05:30:00Z",
        "as_of_origin": "manifest",
        "imported_at": "2026-11-28T06:00:00Z",
        "imported_by": "bench",
        "signature": "not-required",
        "report": "{}",
    }
    start, cpu = time.perf_counter(), cpu_seconds()
    conn.execute("BEGIN IMMEDIATE")
    replace_snapshot(conn, rows, snapshot_row)
    conn.execute("COMMIT")
    elapsed, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    conn.close()
    return {"seconds": elapsed, "cpu": cpu}


PHASES = {
    "import": phase_import,
    "import-in-app": lambda s, w: phase_import(s, w, bulk_process=False),
    "plain": phase_plain,
    "parse": phase_parse,
    "write-secure": lambda s, w: _phase_write(s, w, "ON"),
    "write-plain": lambda s, w: _phase_write(s, w, "OFF"),
}


def run_phase(name: str, snapshot: Path) -> dict[str, float]:
    """Run one phase in a fresh child process; returns its figures and peak memory."""
    with tempfile.TemporaryDirectory(prefix="continuity-bench-") as work:
        done = subprocess.run(
            [
                sys.executable,
                __file__,
                "--phase",
                name,
                "--snapshot",
                str(snapshot),
                "--work",
                work,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    if done.returncode != 0:
        raise SystemExit(f"phase {name} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=1, help="runs of each timed phase")
    parser.add_argument("--phase", choices=sorted(PHASES), help=argparse.SUPPRESS)
    parser.add_argument("--snapshot", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.phase:
        result = PHASES[args.phase](args.snapshot, args.work)
        result["peak_mib"] = peak_mib()
        print(json.dumps(result))
        return 0

    from continuity.demo import write_demo_snapshot

    print(
        f"Machine: {os.cpu_count()} CPU(s), load average {os.getloadavg()[0]:.2f}; "
        f"Python {sys.version.split()[0]}"
    )
    with tempfile.TemporaryDirectory(prefix="continuity-bench-demo-") as tmp:
        snapshot = Path(tmp) / "demo"
        start = time.perf_counter()
        summary = write_demo_snapshot(snapshot, patients=args.patients, as_of=AS_OF)
        size = sum(p.stat().st_size for p in snapshot.iterdir()) / (1 << 20)
        print(
            f"Demo snapshot: {args.patients} patients, "
            f"{summary.counts.get('MedicationRequest', 0)} prescriptions, "
            f"{sum(summary.counts.values())} resources, {size:.0f} MiB "
            f"(generated in {time.perf_counter() - start:.1f} s)"
        )
        results: dict[str, list[dict[str, float]]] = {}
        for _ in range(args.runs):
            for name in (
                "import",
                "import-in-app",
                "plain",
                "parse",
                "write-secure",
                "write-plain",
            ):
                results.setdefault(name, []).append(run_phase(name, snapshot))

    def best(name: str) -> float:
        return min(r["seconds"] for r in results[name])

    def peak(name: str) -> float:
        return max(r["peak_mib"] for r in results[name])

    labels = {
        "import": "import (CLI import/refresh: bulk process)",
        "import-in-app": "import from the app's IT menu (memory security on)",
        "plain": "simplest loop into plain sqlite3",
        "parse": "  of which reading, validation, resolution",
        "write-secure": "  writing those rows, SQLCipher memory security ON",
        "write-plain": "  writing those rows, SQLCipher memory security OFF",
    }

    def cpu(name: str) -> float:
        return min(r["cpu"] for r in results[name])

    print(f"{'phase':<52} {'wall (s)':>9} {'spread':>8} {'CPU (s)':>8} {'peak RSS (MiB)':>15}")
    for name, label in labels.items():
        times = [r["seconds"] for r in results[name]]
        spread = f"±{statistics.pstdev(times):.2f}" if len(times) > 1 else ""
        print(f"{label:<52} {best(name):>9.2f} {spread:>8} {cpu(name):>8.2f} {peak(name):>15.0f}")
    print(
        f"ratio import / plain loop: {best('import') / best('plain'):.1f}x wall, "
        f"{cpu('import') / cpu('plain'):.1f}x CPU (target < 3x); "
        f"import {best('import'):.1f} s wall (target < 10 s)"
    )
    print("(wall time includes waiting for the CPU on a busy machine; CPU time does not)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
