"""Reconcile cost of a tab whose ID column was cleared, at growing sizes (once quadratic).

    python bench/cleared_ids.py [--rows 1000 2000 4000 8000]

Each size: one tab is polled once (every row gets an ID), then every ID cell is cleared and the
tab is reconciled again; every row must take back its own ID. Prints the CPU seconds of that
reconcile, per 1,000 rows, and the ratio of each size's cost per row to the smallest size's:
a linear matcher keeps the ratio near 1, a quadratic one doubles it with every doubling.
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from cycle import build, cycle  # noqa: E402  (bench/cycle.py: the same generated tab)
from rules.rulefile import load_rules  # noqa: E402
from rules.wilayah import Wilayah  # noqa: E402
from service.archive.store import Store, make_engine  # noqa: E402
from service.reconcile.tab import Context, reconcile  # noqa: E402
from tests.fakes import FakeBackend  # noqa: E402

WIB = ZoneInfo("Asia/Jakarta")


def measure(rows: int, ctx: Context, wilayah: Wilayah) -> float:
    """CPU seconds of the reconcile after the ID column of a ``rows``-row tab is cleared."""
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(make_engine(f"sqlite:///{Path(tmp) / 'arsip.sqlite'}"))
        backend = FakeBackend()
        build(backend, ["OPD00"], rows, wilayah, random.Random(39))
        now = datetime(2025, 6, 2, 9, tzinfo=WIB)
        cycle(backend, store, ctx, ["OPD00"], now)
        tab, col = backend.tabs["OPD00"], backend._col("OPD00", "ID")
        before = [row[col] for row in tab.rows]
        for row in tab.rows:
            row[col] = None
        tab.version += 1
        snapshot = backend.read(["OPD00"], {})[0].snapshot
        memory = store.load_tab("OPD00")
        start = time.process_time()
        plan = reconcile(snapshot, memory, ctx, now + timedelta(hours=1))
        spent = time.process_time() - start
        restored = {w.row: w.value for w in plan.writes.cells if w.col == col}
        if [restored.get(i + 1) for i in range(rows)] != before:
            raise SystemExit(f"{rows} baris: ID tidak kembali ke barisnya")
        store.engine.dispose()
        return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1000, 2000, 4000, 8000])
    args = parser.parse_args()
    wilayah = Wilayah.load()
    ctx = Context(load_rules(), wilayah, 2025)
    print(f"{'baris':>7}{'CPU (s)':>10}{'per 1.000':>11}{'rasio':>8}")
    base = None
    for rows in args.rows:
        spent = min(measure(rows, ctx, wilayah) for _ in range(2))
        per = spent / rows * 1000
        base = base or per
        print(f"{rows:>7}{spent:>10.3f}{per:>11.3f}{per / base:>8.2f}")
    print("rasio = biaya per baris dibanding ukuran terkecil; linear bila tetap dekat 1")


if __name__ == "__main__":
    main()
