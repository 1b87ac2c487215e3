"""Which rows a cycle must decide again: a row is skipped while it is exactly as our last
write left it and nothing about its data item changed (DECISIONS.md #5: cost follows edits)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hashlib import blake2b
from functools import lru_cache

from rules import fields as f
from rules.keys import item_key, text
from rules.findings import Finding
from rules.sop import load_sop
from rules.workflow import parse_box, parse_box_text
from service.reconcile.plan import RowMemory, TabMemory
from service.reconcile.slot import Slot
from sheets.base import TabSnapshot
from sheets.layout import HeaderMap

def box_step(key: str) -> int:
    """The SOP step a box belongs to (sop.yaml)."""
    return load_sop().boxes[key].step


def state_step(code: str) -> int:
    """The SOP step a row in this state has reached (sop.yaml)."""
    return load_sop().states[code].step


@lru_cache(maxsize=64)
def _columns_of(items: tuple[tuple[str, int], ...]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    boxes = load_sop().boxes
    return (tuple(c for k, c in items if k in boxes), tuple(c for k, c in items if k in f.SYSTEM_FIELDS))


def read_as_poller(header: HeaderMap) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Columns of step boxes and of system cells (cached per header layout)."""
    return _columns_of(tuple(sorted(header.columns.items())))


def raw_fingerprint(snapshot: TabSnapshot, index: int, values: list[Any], cols: tuple[Any, ...], salt: str) -> str:
    """The row's cells as read (step and system cells as the poller reads them, so a row can be
    fingerprinted as our write will leave it), with what else decides its checks."""
    out = list(values)
    n = len(out)
    boxes, system = cols
    for col in boxes:
        if col < n:
            value = out[col]
            # parse_box, with the common cells (blank, a tick, YA) decided inline: this runs per row
            if value is None:
                out[col] = False
            elif value.__class__ is str:
                out[col] = parse_box_text(value)
            elif value is not True and value is not False:
                out[col] = parse_box(value)
    for col in system:
        if col < n:
            value = out[col]
            out[col] = value.strip() if value.__class__ is str else text(value)
    while out and out[-1] in (None, "", False):
        out.pop()
    percent, problems = snapshot.marks(index)
    payload = repr((salt, index, out, list(percent), list(problems)))
    return blake2b(payload.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def as_written(snapshot: TabSnapshot, header: HeaderMap, salt: str) -> Callable[[Slot, RowMemory], bool]:
    """Whether a row is exactly as our last write left its remembered row (same fingerprint); the
    fingerprint is kept on the slot, so `dirty` does not compute it again."""
    cols = read_as_poller(header)

    def check(slot: Slot, known: RowMemory) -> bool:
        if not known.fingerprint:
            return False
        if not slot.fingerprint:
            slot.fingerprint = raw_fingerprint(snapshot, slot.index, slot.values, cols, salt)
        return slot.fingerprint == known.fingerprint
    return check


def visible(findings: list[Finding], state: str, ticked: list[int]) -> list[Finding]:
    """The findings a row at this state shows (every blocking one has step <= the state it blocks)."""
    reach = max([state_step(state), *ticked])
    return [x for x in findings if x.step <= reach]


def as_records(findings: list[Finding]) -> list[dict[str, Any]]:
    return [{"kolom": x.column, "level": x.level, "kode": x.code, "pesan": x.message} for x in findings]


def shown(findings: list[Finding], state: str, ticked: list[int]) -> list[dict[str, Any]]:
    return as_records(visible(findings, state, ticked))


def same_findings(findings: list[Finding], mem: RowMemory) -> bool:
    if not findings:  # nothing to show at any state: the remembered boxes need no reading (#156)
        return not mem.findings
    return shown(findings, mem.state, [box_step(k) for k, v in mem.boxes.items() if v]) == mem.findings


def dirty(slots: list[Slot], memory: TabMemory, snapshot: TabSnapshot, header: HeaderMap,
          salt: str) -> list[Slot]:
    """Rows to decide again: those that changed since our last write, and every row of the
    same data items (sums, duplicates and Standar Data look across an item's rows). Sets each
    slot's ``changed`` and ``item`` (its item key), and its ``fingerprint`` where that decides
    whether it changed (a new or re-identified row is decided anyway)."""
    keys: dict[tuple[Any, ...], str] = {}  # (Kode Data, Uraian Data) as read -> item key: a tab repeats a few items

    def key_of(kode: object, uraian: object) -> str:
        pair = (kode, uraian)
        key = keys.get(pair)
        if key is None:
            key = keys[pair] = item_key(kode, uraian)
        return key

    items: set[str] = set()
    cols = read_as_poller(header)
    rows, pending = memory.rows, memory.write_pending
    kode, uraian, id_col = header.columns.get(f.KODE), header.columns.get(f.URAIAN), header.columns.get(f.ID)
    for slot in slots:
        values, n = slot.values, len(slot.values)
        slot.item = key_of(values[kode] if kode is not None and kode < n else None,
                           values[uraian] if uraian is not None and uraian < n else None)
        mem = rows.get(slot.row_id)
        slot.changed = bool(mem is None or mem.removed or slot.id_note or pending
                            or text(values[id_col] if id_col is not None and id_col < n else None) != slot.row_id)
        if not slot.changed and mem is not None:  # only then does the fingerprint decide anything
            if not slot.fingerprint:  # as_written may have computed it
                slot.fingerprint = raw_fingerprint(snapshot, slot.index, values, cols, salt)
            slot.changed = mem.fingerprint != slot.fingerprint
        if slot.changed:
            items.add(slot.item)
            if mem is not None:
                items.add(key_of(mem.data.get(f.KODE), mem.data.get(f.URAIAN)))
    if not items:
        return []
    return [s for s in slots if s.item in items]
