"""The agreed list changes only with the Walidata (DECISIONS.md #8).

From ``5 Disepakati`` on, the list of data is fixed by both sides (and approved by the Ka. OPD):
a row of it that vanishes from the sheet is not taken as removed until the Walidata confirms
with ``satudata confirm KODE``. Until then the rest of the tab is processed as usual and the
pending removal is named on A1, in ``status`` and on the dashboard.
"""
from __future__ import annotations

from rules import fields as f
from rules.sop import DISEPAKATI, Sop
from typing import Callable

from service.reconcile.plan import RowMemory, TabMemory

SHOWN = 5  # rows named in the message; the rest are counted


def removals(vanished: list[str], memory: TabMemory, sop: Sop,
             still_shown: Callable[[RowMemory], bool] | None = None) -> tuple[list[str], list[str]]:
    """(rows removed now, agreed rows whose removal waits for the Walidata). A row whose exact
    data another row still shows (a copy taken away again) leaves the agreed list as it was."""
    if memory.confirm_removal:
        return vanished, []
    agreed = sop.states[DISEPAKATI].order
    waiting = [rid for rid in vanished if sop.states[memory.rows[rid].state].order >= agreed
               and not (still_shown and still_shown(memory.rows[rid]))]
    return [rid for rid in vanished if rid not in waiting], waiting


def pending_message(waiting: list[str], memory: TabMemory) -> str:
    names = []
    for rid in waiting[:SHOWN]:
        uraian = memory.rows[rid].data.get(f.URAIAN, "")
        names.append(f"{rid} ({uraian[:40]})" if uraian else rid)
    more = f" dan {len(waiting) - SHOWN} lainnya" if len(waiting) > SHOWN else ""
    return (f"{len(waiting)} baris yang sudah disepakati hilang dari sheet: {', '.join(names)}{more}. "
            "Daftar yang disepakati hanya berubah bersama Walidata: kembalikan barisnya, atau bila memang "
            f"dihapus jalankan: satudata confirm {memory.opd}. Baris lain tetap diproses.")
