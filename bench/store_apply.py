"""The archive store's write and read cost alone (DECISIONS.md #5), without the reconcile.

    python bench/store_apply.py --opd 40 --rows 500 --repeat 3 [--url sqlite|postgresql+psycopg://...]

Reconciles a fake workspace once to get the plans of three cycles (the first poll, every row
new; every row edited; every row ticked Terverifikasi, so archived), then, ``--repeat``
times on a fresh archive, times ``Store.apply`` of each cycle's plans and ``Store.load_tab``
of an unchanged tab. Prints the minimum over the repeats of CPU
(``time.process_time``) and wall seconds against the targets: first cycle and all-edited
apply <= 2 s for 20,000 rows, load_tab <= 50 ms (the archiving cycle has no target of its own). ``--profile`` prints the cProfile top
entries of one first-cycle apply instead.
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.cycle import build, edit  # noqa: E402
from rules.rulefile import load_rules  # noqa: E402
from rules.wilayah import Wilayah  # noqa: E402
from service.archive.schema import metadata  # noqa: E402
from service.archive.store import Store, make_engine  # noqa: E402
from service.reconcile.tab import Context, reconcile  # noqa: E402
from tests.fakes import FakeBackend  # noqa: E402

WIB = ZoneInfo("Asia/Jakarta")
NOW = datetime(2025, 6, 2, 9, tzinfo=WIB)


def verify(backend: FakeBackend, opds: list[str]) -> None:
    """The Walidata ticks Terverifikasi on every row."""
    for opd in opds:
        col = backend._col(opd, "Terverifikasi")
        for row in backend.tabs[opd].rows:
            row[col] = "YA"
        backend.tabs[opd].version += 1


def plans(opds: list[str], rows: int, url: str) -> list[list]:
    """The plans of the first, the all-edited and the all-verified cycle (one archive)."""
    rng = random.Random(39)
    wilayah = Wilayah.load()
    ctx = Context(load_rules(), wilayah, 2025)
    backend = FakeBackend()
    build(backend, opds, rows, wilayah, rng)
    store = fresh_store(url)
    out = []
    for step, change in enumerate((None, lambda: edit(backend, opds, 1.0, rng), lambda: verify(backend, opds))):
        if change is not None:
            change()
        now = NOW + timedelta(hours=step)
        cycle = []
        for result in backend.read(opds, store.tokens()):
            plan = reconcile(result.snapshot, store.load_tab(result.opd), ctx, now)
            store.apply(plan, None, now, token=result.snapshot.token)
            cycle.append((plan, result.snapshot.token))
        out.append(cycle)
    store.engine.dispose()
    return out


def fresh_store(url: str) -> Store:
    """An empty, migrated archive at ``url`` (a temporary SQLite file for ``sqlite``)."""
    if url == "sqlite":
        url = f"sqlite:///{tempfile.mkdtemp()}/arsip.sqlite"
    engine = make_engine(url, upgrade=True)
    with engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            conn.execute(table.delete())
    return Store(engine)


def timed(store: Store, cycle: list, now: datetime) -> tuple[float, float]:
    """CPU and wall seconds of applying every plan of one cycle."""
    cpu, wall = time.process_time(), time.perf_counter()
    for plan, token in cycle:
        store.apply(plan, None, now, token=token)
    return time.process_time() - cpu, time.perf_counter() - wall


def three_applies(store: Store, first: list, edited: list, verified: list) -> dict[str, tuple[float, float]]:
    """CPU and wall seconds of the three cycles every store bench times: first rows, all edited,
    all archived, an hour apart."""
    return {"apply pertama": timed(store, first, NOW),
            "apply semua diedit": timed(store, edited, NOW + timedelta(hours=1)),
            "apply semua diarsip": timed(store, verified, NOW + timedelta(hours=2))}


def applies_cpu(first: list, edited: list, verified: list) -> dict[str, float]:
    """CPU seconds of the three cycles on a fresh SQLite archive."""
    store = fresh_store("sqlite")
    out = {phase: cpu for phase, (cpu, _) in three_applies(store, first, edited, verified).items()}
    store.engine.dispose()
    return out


def measure(first: list, edited: list, verified: list, url: str) -> dict[str, tuple[float, float]]:
    store = fresh_store(url)
    out = three_applies(store, first, edited, verified)
    opd = first[0][0].opd
    store.load_tab(opd)  # warm: the first read of a process compiles its statement
    cpu, wall = time.process_time(), time.perf_counter()
    store.load_tab(opd)
    out["load_tab satu tab"] = (time.process_time() - cpu, time.perf_counter() - wall)
    store.engine.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--opd", type=int, default=40)
    parser.add_argument("--rows", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--url", default="sqlite", help="sqlite (a temporary file) or a database URL, emptied")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    opds = [f"OPD{i:02d}" for i in range(args.opd)]
    first, edited, verified = plans(opds, args.rows, args.url)
    archived = sum(len(plan.archive) for plan, _ in verified)
    print(f"{args.opd} OPD x {args.rows} baris = {args.opd * args.rows} baris ({archived} diarsip), "
          f"{args.url.split(':')[0]}")
    if args.profile:
        store = fresh_store(args.url)
        profile = cProfile.Profile()
        profile.runcall(timed, store, first, NOW)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
        return
    runs = [measure(first, edited, verified, args.url) for _ in range(args.repeat)]
    targets = {"apply pertama": 2.0, "apply semua diedit": 2.0, "apply semua diarsip": None,
               "load_tab satu tab": 0.05}
    print(f"{'fase':<22}{'CPU min':>10}{'dinding min':>13}{'target':>9}")
    for name, target in targets.items():
        cpu = min(r[name][0] for r in runs)
        wall = min(r[name][1] for r in runs)
        print(f"{name:<22}{cpu:>10.3f}{wall:>13.3f}" + (f"{target:>9.2f}" if target else f"{'-':>9}"))
    print(f"detik, minimum dari {args.repeat} kali")


if __name__ == "__main__":
    main()
