"""Log-in cost: scrypt key derivation (the brute-force brake) and opening the cache.

The key-slot cost (N=2**16, r=8, p=1) is meant to take 0.1-0.3 s on a laptop: slow enough to
brake password guessing, fast enough for a nurse. Printed beside a baseline measured in the
same run: opening a plain sqlite3 file and reading one row.

    .venv/bin/python benchmarks/bench_login.py
"""

from __future__ import annotations

import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

PASSWORD = "Bench-Login-Pass-1"


def timed(work, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    from continuity.store import key_slots
    from continuity.store.cache import create_cache, login

    with tempfile.TemporaryDirectory(prefix="continuity-bench-login-") as tmp:
        plain = Path(tmp) / "plain.db"
        conn = sqlite3.connect(plain)
        conn.execute("CREATE TABLE t (a)")
        conn.execute("INSERT INTO t VALUES (1)")
        conn.commit()
        conn.close()

        def open_plain() -> None:
            c = sqlite3.connect(plain)
            c.execute("SELECT a FROM t").fetchone()
            c.close()

        params = key_slots.DEFAULT_SCRYPT
        derive = timed(lambda: key_slots.derive_key(PASSWORD, b"\0" * 16, params))
        path = Path(tmp) / "cache.db"
        create_cache(path, device_name="BENCH", admin_login="tech", admin_password=PASSWORD)
        full = timed(lambda: login(path, "tech", PASSWORD).close())
        base = timed(open_plain)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"scrypt N={params['n']} r={params['r']} p={params['p']}: {derive * 1000:.0f} ms "
        f"(target 100-300 ms)"
    )
    print(f"log-in (scrypt, unwrap, open, integrity check, audit): {full * 1000:.0f} ms")
    print(f"baseline: open a plain sqlite3 file and read a row: {base * 1000:.2f} ms")
    print(f"peak memory of this process: {peak:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
