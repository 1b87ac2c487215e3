"""Which rows a cycle must decide again: a row is skipped while it is exactly as our last
write left it and nothing about its data item changed (DESIGN section 7: cost follows edits)."""
from __future__ import annotations

import hashlib
from functools import lru_cache

from rules import fields as f
from rules.keys import item_key, text
from rules.findings import Finding
from rules.sop import load_sop
from rules.workflow import parse_box
from service.reconcile.plan import RowMemory, TabMemory
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


def raw_fingerprint(snapshot: TabSnapshot, index: int, values: list, cols: tuple, salt: str) -> str:
    """The row's cells as read (step and system cells as the poller reads them, so a row can be
    fingerprinted as our write will leave it), with what else decides its checks."""
    out = list(values)
    n = len(out)
    boxes, system = cols
    for col in boxes:
        if col < n:
            out[col] = parse_box(out[col])
    for col in system:
        if col < n:
            out[col] = text(out[col])
    while out and out[-1] in (None, "", False):
        out.pop()
    percent, problems = snapshot.marks(index)
    payload = repr((salt, index, out, list(percent), list(problems)))
    return hashlib.blake2b(payload.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def visible(findings: list[Finding], state: str, ticked: list[int]) -> list[Finding]:
    """The findings a row at this state shows (every blocking one has step <= the state it blocks)."""
    reach = max([state_step(state), *ticked])
    return [x for x in findings if x.step <= reach]


def as_records(findings: list[Finding]) -> list[dict]:
    return [{"kolom": x.column, "level": x.level, "kode": x.code, "pesan": x.message} for x in findings]


def shown(findings: list[Finding], state: str, ticked: list[int]) -> list[dict]:
    return as_records(visible(findings, state, ticked))


def same_findings(findings: list[Finding], mem: RowMemory) -> bool:
    return shown(findings, mem.state, [box_step(k) for k, v in mem.boxes.items() if v]) == mem.findings


def dirty(slots: list, memory: TabMemory, snapshot: TabSnapshot, header: HeaderMap,
           salt: str) -> list:
    """Rows to decide again: those that changed since our last write, and every row of the
    same data items (sums, duplicates and Standar Data look across an item's rows)."""
    keys: dict[tuple, str] = {}

    def key_of(kode: object, uraian: object) -> str:
        pair = (kode, uraian)
        if pair not in keys:
            keys[pair] = item_key(kode, uraian)
        return keys[pair]

    items: set[str] = set()
    cols = read_as_poller(header)
    for slot in slots:
        slot.changed = False
        slot.fingerprint = raw_fingerprint(snapshot, slot.index, slot.values, cols, salt)
        mem = memory.rows.get(slot.row_id)
        if (mem is None or mem.removed or slot.id_note or memory.write_pending
                or text(slot.get(f.ID)) != slot.row_id or mem.fingerprint != slot.fingerprint):
            slot.changed = True
            items.add(key_of(slot.get(f.KODE), slot.get(f.URAIAN)))
            if mem is not None:
                items.add(key_of(mem.data.get(f.KODE), mem.data.get(f.URAIAN)))
    if not items:
        return []
    return [s for s in slots if key_of(s.get(f.KODE), s.get(f.URAIAN)) in items]
