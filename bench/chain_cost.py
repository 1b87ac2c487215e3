"""What the hash chains cost the poller's commits, against the same commits unchained (DECISIONS.md #60).

    python bench/chain_cost.py --opd 40 --rows 500 --repeat 2

Takes the three cycles' plans of bench/store_apply.py (first poll, every row edited, every row
archived) and, ``--repeat`` times on a fresh archive, times ``Store.apply`` of each cycle twice
in the same run: with the chains (the product), and with ``chain.append`` replaced by a no-op
(the floor: the same writes unchained). Prints both CPU minima and their ratio. Then the tail
check alone: one event appended to a chain of 10 and of ``--long`` records, to show that its cost
does not grow with the chain.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.store_apply import NOW, applies_cpu, fresh_store, plans  # noqa: E402
from service.archive import chain, schema, texts  # noqa: E402
from service.archive.timestamps import to_db  # noqa: E402


def cycles(first, edited, verified, chained: bool) -> dict[str, float]:
    original = chain.append
    if not chained:
        chain.append = lambda *args, **kwargs: None
    try:
        return applies_cpu(first, edited, verified)
    finally:
        chain.append = original


def tail_check(length: int) -> float:
    """CPU seconds of appending one event to a chain already ``length`` records long (median of 21)."""
    store = fresh_store("sqlite")

    def event(i: int) -> dict:
        return {"cycle_id": None, "at": to_db(NOW), "opd": "OPD00", "row_id": f"R{i}", "from_state": None,
                "to_state": "1", "reason": "baris baru", "cell_values": "{}", "kind": "status", "oleh": None,
                "bagaimana": None, "column_key": None, "old_value": None, "new_value": None}
    with store.engine.begin() as conn:
        rows = [event(i) for i in range(length)]
        chain.append(conn, "audit", 2025, rows, NOW)
        texts.refer(conn, rows)
        conn.execute(schema.events.insert(), rows)
    times = []
    for i in range(21):
        with store.engine.begin() as conn:
            one = [event(length + i)]
            cpu = time.process_time()
            chain.append(conn, "audit", 2025, one, NOW)
            times.append(time.process_time() - cpu)
            texts.refer(conn, one)
            conn.execute(schema.events.insert(), one)
    store.engine.dispose()
    return sorted(times)[len(times) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--opd", type=int, default=40)
    parser.add_argument("--rows", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--long", type=int, default=200_000)
    args = parser.parse_args()
    opds = [f"OPD{i:02d}" for i in range(args.opd)]
    first, edited, verified = plans(opds, args.rows, "sqlite")
    events = sum(len(plan.events) for plan, _ in first)
    print(f"{args.opd} OPD x {args.rows} baris, {events} peristiwa audit di siklus pertama, sqlite")
    runs = [(cycles(first, edited, verified, True), cycles(first, edited, verified, False)) for _ in range(args.repeat)]
    print(f"{'fase':<22}{'berantai':>10}{'tanpa rantai':>14}{'rasio':>8}")
    for name in runs[0][0]:
        chained = min(r[0][name] for r in runs)
        floor = min(r[1][name] for r in runs)
        print(f"{name:<22}{chained:>10.3f}{floor:>14.3f}{chained / floor:>8.2f}")
    short, long = tail_check(10), tail_check(args.long)
    print(f"ujung rantai: 1 peristiwa ke rantai 10 rekaman {short * 1000:.2f} ms, ke rantai {args.long} rekaman "
          f"{long * 1000:.2f} ms (rasio {long / short:.2f})")
    print(f"detik CPU, minimum dari {args.repeat} kali")


if __name__ == "__main__":
    main()
