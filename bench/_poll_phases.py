"""`satudata -c CONFIG poll --once` with the CPU seconds of each phase written to OUT as JSON
(bench/poll.py runs it). Functions are wrapped by name; one a later refactor moved is skipped."""
from __future__ import annotations

import json
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SPENT: dict[str, float] = defaultdict(float)
_DEPTH = [0]


def timed(owner: object, name: str, phase: str) -> None:
    """Charge the CPU time of ``owner.name`` to ``phase`` (outermost call only)."""
    original = getattr(owner, name, None)
    if original is None:
        return

    def wrapper(*args, **kwargs):
        if _DEPTH[0]:
            return original(*args, **kwargs)
        _DEPTH[0] += 1
        start = time.process_time()
        try:
            return original(*args, **kwargs)
        finally:
            SPENT[phase] += time.process_time() - start
            _DEPTH[0] -= 1

    setattr(owner, name, wrapper)


def install() -> None:
    from rules import rulefile, wilayah
    from service.archive import store
    from service.poller import service as leased
    from service.reconcile import tab
    from sheets import xlsx

    timed(leased, "open_store", "buka arsip (cek skema)")
    timed(leased, "load_rules", "aturan + wilayah")
    timed(wilayah.Wilayah, "load", "aturan + wilayah")
    del rulefile
    timed(xlsx.XlsxBackend, "ensure_tabs", "baca (berkas)")
    timed(xlsx.XlsxBackend, "read", "baca (berkas)")
    timed(xlsx.XlsxBackend, "write", "tulis (patch XML)")
    timed(tab, "reconcile", "reconcile")
    for name in ("load_tab", "history", "archived_data", "tokens", "tabs"):
        timed(store.Store, name, "arsip: muat")
    timed(store.Store, "apply", "arsip: apply")
    for name in ("mark_written", "state_counts", "start_cycle", "finish_cycle", "set_tab_problem",
                 "acquire_lease", "close_abandoned_cycles", "release_lease"):
        timed(store.Store, name, "arsip: lain")
    try:
        from service.publish import build
        timed(build, "publish_after_cycle", "publikasi")
    except ImportError:
        pass


def main() -> None:
    config, out = sys.argv[1], Path(sys.argv[2])
    install()
    from service.cli.commands import main as satudata

    SPENT["start-up (impor)"] = time.process_time()  # interpreter, imports of the poll's modules
    try:
        satudata(["-c", config, "poll", "--once"], standalone_mode=False)
    finally:
        total = time.process_time()
        SPENT["lain (CLI, siklus, laporan)"] = total - sum(SPENT.values())
        SPENT["total"] = total
        out.write_text(json.dumps(SPENT))


if __name__ == "__main__":
    main()
