"""Reconcile cost for N OPDs x M rows with a share of rows edited (DECISIONS.md #5).

    python bench/cycle.py --opd 40 --rows 500 --edited 0.01

Prints, per cycle (the first poll, an idle re-poll of an unchanged sheet, a poll with `--edited`
of the rows edited, and a poll with every row edited), the seconds of each phase: read (the
fake backend), load (store.load_tab), reconcile (CPU: checks + state machine + plan), apply
(store.apply, one transaction per tab) and write (the fake backend), against the targets of
DECISIONS.md #5; plus the process's peak RSS. Uses the in-memory fake backend and a real SQLite
archive in a temporary folder. ``--ulang 3`` runs it all three times and prints each phase's
minimum (the machine is shared: the minimum is the steadiest figure). Each cycle runs under the
poller's garbage-collector policy (service.poller.cycle.fewer_collections).
"""
from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rules.rulefile import load_rules  # noqa: E402
from rules.wilayah import Wilayah  # noqa: E402
from service.reconcile.tab import Context, reconcile  # noqa: E402
from service.archive.store import Store, make_engine  # noqa: E402
from service.poller.cycle import fewer_collections  # noqa: E402
from tests.fakes import FakeBackend  # noqa: E402

WIB = ZoneInfo("Asia/Jakarta")
BOXES = ("Dicek Bersama", "Disepakati OPD", "Disepakati Walidata", "Disetujui Ka. OPD", "Selesai Diisi")


def build(backend: FakeBackend, opds: list[str], rows: int, wilayah: Wilayah, rng: random.Random) -> None:
    backend.ensure_tabs([(o, o) for o in opds])
    kecamatan = [k.nama for k in wilayah.kecamatan]
    for opd in opds:
        for i in range(rows):
            values = {"Kode_Data": f"{opd}-K{i // 19:03d}", "Uraian_Data": f"Jumlah Item {i // 19} menurut Kecamatan",
                      "Rincian": kecamatan[i % 19] if i % 19 < 18 else "", "Satuan": "Unit", "Tahun": 2024,
                      "Nilai": f"{rng.randrange(1, 90000):,}".replace(",", ".")}
            values.update({b.replace(" ", "_"): "YA" for b in BOXES})
            backend.add_row(opd, **values)


PHASES = ("baca", "muat", "reconcile", "terapkan", "tulis")


def cycle(backend: FakeBackend, store: Store, ctx: Context, opds: list[str], now: datetime) -> tuple[dict, int]:
    """One cycle over every tab the backend reports changed: seconds per phase, rows seen."""
    spent = dict.fromkeys(PHASES, 0.0)
    start = time.perf_counter()
    results = backend.read(opds, store.tokens())
    spent["baca"] = time.perf_counter() - start
    seen = 0
    for result in results:
        if result.unchanged or result.snapshot is None:
            continue
        start = time.perf_counter()
        memory = store.load_tab(result.opd)
        spent["muat"] += time.perf_counter() - start
        start = time.process_time()
        plan = reconcile(result.snapshot, memory, ctx, now)
        spent["reconcile"] += time.process_time() - start
        seen += plan.rows_seen
        start = time.perf_counter()
        store.apply(plan, None, now, token=result.snapshot.token)
        spent["terapkan"] += time.perf_counter() - start
        if plan.writes:
            start = time.perf_counter()
            outcome = backend.write([plan.writes], {result.opd: result.snapshot})[result.opd]
            store.mark_written({result.opd: outcome.token})
            spent["tulis"] += time.perf_counter() - start
    return spent, seen


def edit(backend: FakeBackend, opds: list[str], share: float, rng: random.Random, together: bool = False) -> int:
    """Edit a share of the rows: scattered at random, or `together` in consecutive rows
    (one operator filling one item's kecamatan rows)."""
    count = 0
    for opd in opds:
        tab = backend.tabs[opd]
        col = backend._col(opd, "Nilai")
        if together:
            n = max(1, round(share * len(tab.rows)))
            start = rng.randrange(0, len(tab.rows) - n + 1)
            picked = list(range(start, start + n))
        else:
            picked = [i for i in range(len(tab.rows)) if rng.random() < share]
        for i in picked:
            tab.rows[i][col] = str(rng.randrange(1, 90000))
        count += len(picked)
        tab.version += 1
    return count


SCENARIOS = (  # (label, share of rows edited or None for the first poll, edited together, target)
    ("pertama (semua baru)", None, False, "reconcile <= 2 s"),
    ("sesudah tulis (dibaca ulang)", 0.0, False, ""),
    ("tanpa perubahan (dibaca ulang)", 0.0, False, ""),
    ("{share:.0%} diedit, tersebar", "share", False, "reconcile <= 0,3 s"),
    ("tanpa perubahan (dibaca ulang)", 0.0, False, ""),
    ("{share:.0%} diedit, berurutan", "share", True, "reconcile <= 0,3 s"),
    ("semua baris diedit", 1.0, False, "reconcile, terapkan <= 2 s"))


def run(opds: list[str], rows: int, share: float, ctx: Context, wilayah: Wilayah) -> list[tuple[str, int, dict]]:
    """Every scenario once, on a fresh workspace: (label, rows seen, seconds per phase)."""
    rng = random.Random(39)
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(make_engine(f"sqlite:///{Path(tmp) / 'arsip.sqlite'}"))
        backend = FakeBackend()
        build(backend, opds, rows, wilayah, rng)
        now = datetime(2025, 6, 2, 9, tzinfo=WIB)
        for label, edited_share, together, _ in SCENARIOS:
            label = label.format(share=share)
            if edited_share is not None:
                edited = edit(backend, opds, share if edited_share == "share" else edited_share, rng, together)
                for opd in opds:  # force a re-read even of untouched tabs
                    backend.tabs[opd].version += 1
                label = f"{label} ({edited})"
            now += timedelta(hours=1)
            with fewer_collections():  # as the poller runs a cycle
                spent, seen = cycle(backend, store, ctx, opds, now)
            out.append((label, seen, spent))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--opd", type=int, default=40)
    parser.add_argument("--rows", type=int, default=500)
    parser.add_argument("--edited", type=float, default=0.01)
    parser.add_argument("--ulang", type=int, default=1, help="run every scenario this many times; print the minimum")
    args = parser.parse_args()
    wilayah = Wilayah.load()
    ctx = Context(load_rules(), wilayah, 2025)
    opds = [f"OPD{i:02d}" for i in range(args.opd)]
    runs = [run(opds, args.rows, args.edited, ctx, wilayah) for _ in range(max(1, args.ulang))]
    print(f"{args.opd} OPD x {args.rows} baris = {args.opd * args.rows} baris"
          + (f"; minimum dari {len(runs)} kali" if len(runs) > 1 else ""))
    print(f"{'siklus':<36}{'baris':>7}" + "".join(f"{p:>11}" for p in PHASES) + f"  {'target'}")
    for i, (label, seen, _) in enumerate(runs[0]):
        best = {p: min(r[i][2][p] for r in runs) for p in PHASES}
        print(f"{label:<36}{seen:>7}" + "".join(f"{best[p]:>11.3f}" for p in PHASES) + f"  {SCENARIOS[i][3]}")
    print("detik; reconcile = CPU, fase lain = waktu dinding")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"RSS puncak proses: {peak:.0f} MB")


if __name__ == "__main__":
    main()
