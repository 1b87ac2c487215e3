"""The events table's size before migration 0014 and at head (DECISIONS.md #65, #151).

    .venv/bin/python bench/events_size.py --opds 10 --rows 200 --tahun 3
    .venv/bin/python bench/events_size.py --opds 57 --rows 500 --tahun 5   # full size, long

A SQLite archive is grown by the product itself (bench/dashboard.py's GrownArchive: the poller
walks every row through the SOP to 10 Diarsip, ``rollover`` to the next year, N times) with the
Store writing events the old way (every event the row's whole snapshot), then brought down to
0012 (the archive as it was before 0014: whole snapshots, texts and hex digests in every event).
The events table's pages (SQLite's dbstat, after VACUUM) are counted, the archive is migrated to
head (0014 compacts and re-chains, 0015 stores digests as bytes and texts once: DECISIONS.md #65,
#151), VACUUMed and counted again; every chain must still verify with the heads it had. Printed:
both sizes, their ratio and the 25 % target, the same with the texts table 0015 adds, and what
each column holds per event before and after.

    .venv/bin/python bench/events_size.py --tulis --opds 40 --rows 500 --repeat 2

``--tulis``: what compacting costs the poller's commits instead: bench/store_apply.py's three
cycles (first poll, every row edited, every row archived) applied with the Store as it is and
with ``compact_events`` replaced by a no-op (the floor: the old writer), in the same run; CPU
minima and their ratio. ``--tulis 0015``: the same against the Store with 0015's write work
replaced (texts named from a dict kept in memory, no digest or lookup; cells stored as their
plain bytes).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select, text  # noqa: E402

from service.archive import schema as t  # noqa: E402

TARGET = 0.25


def table_bytes(engine, name: str = "events") -> int:
    with engine.connect() as conn:
        conn.execute(text("VACUUM"))
        return int(conn.execute(text("SELECT SUM(pgsize) FROM dbstat WHERE name = :n"), {"n": name}).scalar() or 0)


def column_bytes(engine) -> dict[str, float]:
    """Mean stored bytes per event of each column as the database holds it (SQLite's length():
    a text's bytes, a blob's bytes, an integer's digits)."""
    with engine.connect() as conn:
        names = [r[1] for r in conn.execute(text("PRAGMA table_info(events)")) if r[1] != "id"]
        n = conn.execute(text("SELECT COUNT(*) FROM events")).scalar() or 1
        sums = conn.execute(text("SELECT " + ", ".join(f"COALESCE(SUM(LENGTH({name})), 0)" for name in names)
                                 + " FROM events")).one()
    return {name: float(s) / n for name, s in zip(names, sums)}


_KNOWN: dict[tuple, int] = {}


def _remembered(conn, events) -> None:
    """The floor of ``--tulis 0015``: each event's texts named from a dict this process keeps, a
    new set inserted without a digest or a lookup (correct for one process on one archive only)."""
    from service.archive import schema, texts
    for ev in events:
        key = texts.entry(ev)
        if key not in _KNOWN:
            _KNOWN[key] = conn.execute(schema.event_texts.insert().values(
                sidik=f"{len(_KNOWN):064d}", reason=key[0], ubah=key[1], oleh=key[2], bagaimana=key[3],
                column_key=key[4])).inserted_primary_key[0]
        for name in texts.FIELDS:
            ev.pop(name, None)
        ev["teks"] = _KNOWN[key]


def write_cost(n_opds: int, rows: int, repeat: int, what: str) -> None:
    """``what`` "0014": compact_events against a no-op; "0015": the texts' digests and lookup and
    the cells' deflating against texts named from a dict in memory and cells as their plain bytes."""
    from bench.store_apply import applies_cpu, plans
    from service.archive import cells, store as module, texts
    opds = [f"OPD{i:02d}" for i in range(n_opds)]
    first, edited, verified = plans(opds, rows, "sqlite")
    real = module.compact_events, texts.refer, cells.pack

    def cycles(product: bool) -> dict[str, float]:
        if not product and what == "0014":
            module.compact_events = lambda conn, events: None
        elif not product:
            texts.refer, cells.pack = _remembered, lambda text: text.encode()
            _KNOWN.clear()  # a fresh archive each time
        try:
            return applies_cpu(first, edited, verified)
        finally:
            module.compact_events, texts.refer, cells.pack = real
    runs = [(cycles(True), cycles(False)) for _ in range(repeat)]
    print(f"{n_opds} OPD x {rows} baris, sqlite; detik CPU, minimum dari {repeat} kali")
    floor = "penulis lama" if what == "0014" else "tanpa 0015"
    print(f"{'fase':<22}{'produk':>10}{floor:>14}{'rasio':>8}")
    for name in runs[0][0]:
        compact = min(r[0][name] for r in runs)
        floor = min(r[1][name] for r in runs)
        print(f"{name:<22}{compact:>10.3f}{floor:>14.3f}{compact / floor:>8.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--opds", type=int, default=10)
    parser.add_argument("--rows", type=int, default=200)
    parser.add_argument("--tahun", type=int, default=3)
    parser.add_argument("--tulis", nargs="?", const="0014", choices=("0014", "0015"),
                        help="the write cost instead of the size: of 0014's compaction, or of 0015's texts and cells")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args(argv)
    if args.tulis:
        write_cost(args.opds, args.rows, args.repeat, args.tulis)
        return 0

    from bench.dashboard import GrownArchive
    from service.archive import chain, store
    from service.archive.engine import migrate, schema_revision
    from tests.test_migrations import downgrade

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'arsip.sqlite'}"
        real = store.compact_events
        store.compact_events = lambda conn, events: None  # the Store as it wrote events before 0014
        started = time.perf_counter()
        try:
            ws = GrownArchive(Path(tmp) / "ws", url, args.opds, args.rows, args.tahun)
        finally:
            store.compact_events = real
        engine = ws.store.engine
        with engine.connect() as conn:
            events = conn.execute(select(func.count()).select_from(t.events)).scalar()
        print(f"{args.opds} OPD x {args.rows} baris x {args.tahun} tahun: {events} peristiwa "
              f"({time.perf_counter() - started:.0f} s membangun)", flush=True)
        downgrade(engine, "0012_metadata")  # the archive as it was before 0014
        heads = chain.heads(engine)
        before, cols_before = table_bytes(engine), column_bytes(engine)
        started = time.perf_counter()
        migrate(engine)
        took = time.perf_counter() - started
        head = schema_revision(engine)
        after, cols_after = table_bytes(engine), column_bytes(engine)
        side = table_bytes(engine, "event_texts")
        found = chain.verify(engine)
        same_heads = chain.heads(engine) == heads
        engine.dispose()
    ratio = after / before
    print(f"tabel events sebelum (0012): {before / 1e6:.2f} MB ({before / events:.0f} B/peristiwa)")
    print(f"tabel events sesudah ({head}): {after / 1e6:.2f} MB ({after / events:.0f} B/peristiwa), "
          f"migrasi {took:.1f} s")
    print(f"rasio sesudah/sebelum: {ratio:.3f} (target <= {TARGET:.2f}: "
          f"{'tercapai' if ratio <= TARGET else 'TIDAK tercapai'})")
    print(f"dengan tabel event_texts ({side / 1e6:.3f} MB): {(after + side) / before:.3f}")
    print("byte per peristiwa per kolom (sebelum -> sesudah; - : kolom tidak ada):")
    for name in dict.fromkeys([*cols_before, *cols_after]):
        old, new = cols_before.get(name), cols_after.get(name)
        print(f"  {name:<14} {'-' if old is None else f'{old:7.1f}':>7} -> {'-' if new is None else f'{new:7.1f}':>7}")
    print(f"verify-archive: {'utuh' if found.ok else 'RUSAK: ' + found.breaks[0].message} "
          f"({found.records} rekaman); kepala rantai audit berubah sejak 0012: "
          f"{'tidak' if same_heads else 'ya (0014 merantai ulang; dicatat di verifications)'}")
    return 0 if found.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
