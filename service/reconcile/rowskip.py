"""Which rows a cycle must decide again: a row is skipped while it is exactly as our last
write left it and nothing about its data item changed (DESIGN section 7: cost follows edits)."""
from __future__ import annotations

import hashlib
from functools import lru_cache

from rules import fields as f
from rules.keys import item_key, text
from rules.findings import Finding
from rules.workflow import parse_box
from service.reconcile.plan import RowMemory, TabMemory
from sheets.base import TabSnapshot
from sheets.layout import HeaderMap

BOX_STEP = {f.DICEK: 3, f.SEPAKAT_OPD: 5, f.SEPAKAT_WALIDATA: 5, f.SETUJU_KA: 6,
            f.SELESAI_ISI: 7, f.VERIFIKASI: 9}
STATE_STEP = {"1": 1, "3": 3, "5": 5, "6": 6, "7a": 7, "8": 7, "7": 7, "9": 9, "10": 10}


@lru_cache(maxsize=64)
def _columns_of(items: tuple[tuple[str, int], ...]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    return (tuple(c for k, c in items if k in BOX_STEP), tuple(c for k, c in items if k in f.SYSTEM_FIELDS))


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
    reach = max([STATE_STEP[state], *ticked])
    return [x for x in findings if x.step <= reach]


def as_records(findings: list[Finding]) -> list[dict]:
    return [{"kolom": x.column, "level": x.level, "kode": x.code, "pesan": x.message} for x in findings]


def shown(findings: list[Finding], state: str, ticked: list[int]) -> list[dict]:
    return as_records(visible(findings, state, ticked))


def same_findings(findings: list[Finding], mem: RowMemory) -> bool:
    return shown(findings, mem.state, [BOX_STEP[k] for k, v in mem.boxes.items() if v]) == mem.findings


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
