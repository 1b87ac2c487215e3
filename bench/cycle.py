"""Reconcile cost for N OPDs x M rows with a share of rows edited (DESIGN section 7).

    python bench/cycle.py --opd 40 --rows 500 --edited 0.01

Prints CPU seconds of the reconcile step (checks + state machine + plan) for the first poll,
an idle re-poll of an unchanged sheet, a poll with `--edited` of the rows edited, and a poll
with every row edited; plus rows/s and the process's peak RSS. Uses the in-memory fake
backend and a real SQLite archive in a temporary folder.
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


def cycle(backend: FakeBackend, store: Store, ctx: Context, opds: list[str], now: datetime) -> tuple[float, int]:
    """Reconcile every tab the backend reports changed; returns CPU seconds in reconcile and rows."""
    results = backend.read(opds, store.tokens())
    spent, seen = 0.0, 0
    for result in results:
        if result.unchanged or result.snapshot is None:
            continue
        memory = store.load_tab(result.opd)
        start = time.process_time()
        plan = reconcile(result.snapshot, memory, ctx, now)
        spent += time.process_time() - start
        seen += plan.rows_seen
        store.apply(plan, None, now, token=result.snapshot.token)
        if plan.writes:
            outcome = backend.write([plan.writes], {result.opd: result.snapshot})[result.opd]
            store.mark_written(result.opd, outcome.token)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--opd", type=int, default=40)
    parser.add_argument("--rows", type=int, default=500)
    parser.add_argument("--edited", type=float, default=0.01)
    args = parser.parse_args()
    rng = random.Random(39)
    wilayah = Wilayah.load()
    ctx = Context(load_rules(), wilayah, 2025)
    opds = [f"OPD{i:02d}" for i in range(args.opd)]
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(make_engine(f"sqlite:///{Path(tmp) / 'arsip.sqlite'}"))
        backend = FakeBackend()
        build(backend, opds, args.rows, wilayah, rng)
        now = datetime(2025, 6, 2, 9, tzinfo=WIB)
        total = args.opd * args.rows
        print(f"{args.opd} OPD x {args.rows} baris = {total} baris")
        print(f"{'siklus':<40}{'baris':>8}{'CPU reconcile (s)':>20}{'baris/s':>12}")
        for label, share, together in (
                ("pertama (semua baru)", None, False), ("sesudah tulis (dibaca ulang)", 0.0, False),
                ("tanpa perubahan (dibaca ulang)", 0.0, False),
                (f"{args.edited:.0%} diedit, tersebar", args.edited, False),
                ("tanpa perubahan (dibaca ulang)", 0.0, False),
                (f"{args.edited:.0%} diedit, berurutan", args.edited, True),
                ("semua baris diedit", 1.0, False)):
            if share is not None:
                edited = edit(backend, opds, share, rng, together)
                for opd in opds:  # force a re-read even of untouched tabs
                    backend.tabs[opd].version += 1
                label = f"{label} ({edited})"
            now += timedelta(hours=1)
            spent, seen = cycle(backend, store, ctx, opds, now)
            rate = seen / spent if spent else float("inf")
            print(f"{label:<40}{seen:>8}{spent:>20.3f}{rate:>12.0f}")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"RSS puncak proses: {peak:.0f} MB")


if __name__ == "__main__":
    main()
