"""Row identity when a verified row is copied (issue 13.2: Excel's "Insert Copied Cells").

An exact copy (same data, same ticks) cannot be told from its original: whichever of the two
keeps the ID, the other takes over the original's state and ticks under a new ID, so the row
the Walidata verified keeps them either way. When one of the two is later edited into another
item, the archived ID stays with the row that still holds the archived datum, so the archive's
history of that datum never describes another item.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from rules import fields as f
from rules.checks import text
from rules.workflow import parse_box
from service.reconcile.plan import Event, RowMemory, TabMemory

ITEM = (f.KODE, f.URAIAN, f.RINCIAN, f.TAHUN)  # what makes a row one datum


def same_boxes(a, b) -> bool:
    return all(parse_box(a.get(k)) == parse_box(b.get(k)) for k in f.STEP_BOXES)


def same_data(slot, known: RowMemory) -> bool:
    return all(text(slot.cells.get(k)) == v for k, v in known.data.items())


def exact_twins(first, second, known: RowMemory) -> bool:
    """Two rows showing one ID, both exactly as the poller last saw it."""
    return same_data(first, known) and same_data(second, known) and same_boxes(first, second)


def twin_memory(original: RowMemory, row_id: str, position: int, opd: str, now: datetime,
                events: list[Event]) -> RowMemory:
    """The copy's memory: the original's state, ticks and data (the archive version stays the
    original's), with the event that says where the row came from."""
    events.append(Event(now, opd, row_id, None, original.state,
                        f"Salinan persis baris {original.row_id} (mis. Insert Copied Cells): ID baru, status dan "
                        "centang ikut baris asalnya", dict(original.data)))
    return replace(original, row_id=row_id, notes={}, box_notes={}, archived_version=0, fingerprint="",
                   position=position, removed=False)


def follow_datum(claimed: dict[str, object], memory: TabMemory) -> None:
    """Swap IDs when an archived row was edited into another item while its twin still holds the datum."""
    for rid, slot in list(claimed.items()):
        known = memory.rows[rid]
        if known.archived_version == 0 or all(text(slot.cells.get(k)) == known.data.get(k, "") for k in ITEM):
            continue
        for other_id, other in claimed.items():
            twin = memory.rows[other_id]
            if other is slot or twin.archived_version != 0 or twin.data != known.data or not same_data(other, known):
                continue
            slot.row_id, other.row_id = other_id, rid
            claimed[rid], claimed[other_id] = other, slot
            other.id_note = f"ID {rid} tetap pada baris yang memuat data arsipnya"
            slot.id_note = f"Baris ini diubah menjadi item lain; ID arsip {rid} tetap pada baris yang memuat datanya"
            break
