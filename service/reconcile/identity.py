"""Row identity: which sheet row is which remembered row, by its ID column; a copied or
hand-typed ID gets a new one, a lost ID is given back to the row holding its data.

When a verified row is copied (DECISIONS.md #21: Excel's "Insert Copied Cells"):

An exact copy (same data, same ticks) cannot be told from its original: whichever of the two
keeps the ID, the other takes over the original's state and ticks under a new ID, so the row
the Walidata verified keeps them either way. When one of the two is later edited into another
item, the archived ID stays with the row that still holds the archived datum, so the archive's
history of that datum never describes another item.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from rules import fields as f
from rules.keys import text
from rules.workflow import parse_box
from service.reconcile.plan import Event, Plan, RowMemory, TabMemory
from service.reconcile.slot import Slot

ITEM = (f.KODE, f.URAIAN, f.RINCIAN, f.TAHUN)  # what makes a row one datum


def same_boxes(a: Slot, b: Slot) -> bool:
    return all(parse_box(a.get(k)) == parse_box(b.get(k)) for k in f.STEP_BOXES)


def same_data(slot: Slot, known: RowMemory) -> bool:
    return all(text(slot.cells.get(k)) == v for k, v in known.data.items())


def exact_twins(first: Slot, second: Slot, known: RowMemory) -> bool:
    """Two rows showing one ID, both exactly as the poller last saw it."""
    return same_data(first, known) and same_data(second, known) and same_boxes(first, second)


def twin_memory(original: RowMemory, row_id: str, position: int, opd: str, now: datetime,
                events: list[Event]) -> RowMemory:
    """The copy's memory: the original's state, ticks and data (the archive version stays the
    original's), with the event that says where the row came from."""
    events.append(Event(now, opd, row_id, None, original.state,
                        f"Salinan persis baris {original.row_id} (mis. Insert Copied Cells): ID baru, status dan "
                        "centang ikut baris asalnya", dict(original.data)))
    return replace(original, row_id=row_id, notes={}, box_notes={}, clear_kinds={}, archived_version=0, fingerprint="",
                   position=position, removed=False)


def _never(slot: Slot, known: RowMemory) -> bool:
    return False


def follow_datum(claimed: dict[str, Slot], memory: TabMemory, as_written: Callable[[Slot, RowMemory], bool] = _never
                 ) -> None:
    """Swap IDs when an archived row was edited into another item while its twin still holds the datum.
    ``as_written``: whether a row is exactly as our last write left its remembered row (then its
    data is the remembered data, and reading it is skipped)."""
    for rid, slot in list(claimed.items()):
        known = memory.rows[rid]
        if known.archived_version == 0 or as_written(slot, known) or all(text(slot.cells.get(k)) == known.data.get(k, "") for k in ITEM):
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


def assign_ids(slots: list[Slot], memory: TabMemory, plan: Plan,
               as_written: Callable[[Slot, RowMemory], bool] = _never) -> None:
    """Identity is the ID column; copies and hand-typed IDs get a new one (``as_written``: see follow_datum)."""
    claimed: dict[str, Slot] = {}
    for slot in slots:
        rid = slot.row_id
        known = memory.rows.get(rid)
        if rid and known is not None and rid in claimed:
            first = claimed[rid]
            if exact_twins(first, slot, known):  # which one is the copy cannot be told
                slot.twin_of = rid
                slot.id_note = (f"ID {rid} ganda (baris disalin persis); baris ini diberi ID baru, status dan "
                                "centang tetap seperti baris asalnya")
                slot.row_id = ""
                continue
            if same_data(slot, known) and not same_data(first, known):
                claimed[rid] = slot  # the copy was inserted above the original
                slot, first = first, slot
            slot.id_note = f"ID {rid} ganda (baris disalin); baris ini diberi ID baru"
            slot.row_id = ""
        elif rid and known is None:
            slot.id_note = f"ID '{rid[:40]}' tidak dikenal (diketik manual atau disalin dari tab lain); diganti ID baru"
            slot.row_id = ""
        elif rid:
            claimed[rid] = slot
    follow_datum(claimed, memory, as_written)
    _give_ids(slots, memory, plan, claimed)


def _give_ids(slots: list[Slot], memory: TabMemory, plan: Plan, claimed: dict[str, Slot]) -> None:
    """A row that lost its ID (a write that never landed, an ID cleared or retyped by hand)
    takes back the ID of a vanished row holding the same data, at the same place if possible;
    every other row without an ID gets a new one."""
    vanished = _Vanished(memory, claimed)
    for slot in slots:
        if slot.row_id:
            continue
        if slot.twin_of:
            slot.row_id = f"{memory.opd}-{plan.next_seq:04d}"
            plan.next_seq += 1
            continue
        rid = vanished.take(slot)
        if rid:
            slot.row_id = rid
            if slot.id_note:
                slot.id_note = f"ID tidak boleh diubah; dikembalikan ke {rid}"
        else:
            slot.row_id = f"{memory.opd}-{plan.next_seq:04d}"
            plan.next_seq += 1
            slot.copied = slot.id_note is not None  # a copy or a pasted row: its ticks are not its own


_ITEM = (f.KODE, f.URAIAN, f.RINCIAN)  # the item without its year: a lost ID is matched at its own place


class _Vanished:
    """Remembered rows no sheet row claims, indexed by their data and by (place, item), so a
    cleared ID column costs one lookup per row instead of a scan of every vanished row."""

    def __init__(self, memory: TabMemory, claimed: dict[str, Slot]) -> None:
        self.rows = memory.rows
        self.order: dict[str, int] = {}
        self.by_data: dict[tuple[str, ...], dict[tuple[str, ...], list[str]]] = {}  # data keys -> values -> ids
        self.by_place: dict[tuple[object, ...], list[str]] = {}
        for rid, known in memory.rows.items():
            if rid in claimed or known.removed:
                continue
            self.order[rid] = len(self.order)
            self.by_data.setdefault(tuple(known.data), {}).setdefault(tuple(known.data.values()), []).append(rid)
            self.by_place.setdefault(self._place(known), []).append(rid)

    @staticmethod
    def _place(known: RowMemory) -> tuple[object, ...]:
        return (known.position, *(known.data.get(k, "") for k in _ITEM))

    def take(self, slot: Slot) -> str | None:
        """The vanished row holding this row's data (or, failing that, the same item at the same
        place), the one at the row's own place first; it is no longer vanished afterwards."""
        same: list[str] = []
        for keys, index in self.by_data.items():
            same += index.get(tuple(text(slot.cells.get(k)) for k in keys), ())
        if not same:  # an ID that never reached the sheet on a row edited since: same item, same place
            same = list(self.by_place.get((slot.index + 2, *(text(slot.cells.get(k)) for k in _ITEM)), ()))
        if not same:
            return None
        if len(self.by_data) > 1:
            same.sort(key=self.order.__getitem__)
        rid = next((r for r in same if self.rows[r].position == slot.index + 2), same[0])
        known = self.rows[rid]
        self.by_data[tuple(known.data)][tuple(known.data.values())].remove(rid)
        self.by_place[self._place(known)].remove(rid)
        return rid
