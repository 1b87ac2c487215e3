"""What changed in a row since the poller last wrote it, read as users mean it: a number typed
as text equals the same number, a deleted column is not an edit, and many rows changing at
once (a sort of some columns only) is something a person must confirm."""
from __future__ import annotations

from typing import Any

from rules import fields as f
from rules.keys import text
from rules.numbers import format_number, number_of, parse_year
from rules.sop import DIARSIP, DICEK, DRAF, TERVERIFIKASI, Sop
from service.reconcile.plan import RowMemory, TabMemory

# A sort of some columns moves numbers; Keterangan is a remark people edit one by one
SORTED_VALUES = (f.TAHUN, f.NILAI)


def scrambled(slots: list[Any], memory: TabMemory, sop: Sop) -> list[str]:
    """Rows a sort of some columns only would scramble: agreed rows whose Kode/Uraian/Rincian/
    Satuan changed, verified rows whose values changed, and rows whose Status cell no longer
    shows the state remembered for their ID (the data moved, the step columns did not).
    Only rows that changed since our last write are given (an unchanged row cannot be scrambled);
    each has ``texts``, its data cells as cell_text reads them."""
    out = []
    for slot in slots:
        mem = memory.rows.get(slot.row_id)
        if mem is None or mem.removed or slot.id_note:
            continue
        shown = text(slot.get(f.STATUS))
        if not memory.write_pending and shown and shown != sop.label(mem.state):
            out.append(slot.row_id)
            continue
        now = slot.texts
        if mem.state not in (DRAF, DICEK) and changed_fields(now, mem, f.AGREED_FIELDS):
            out.append(slot.row_id)
        elif mem.state in (TERVERIFIKASI, DIARSIP) and changed_fields(now, mem, SORTED_VALUES):
            out.append(slot.row_id)
    return out


def changed_fields(now: dict[str, str], mem: RowMemory, keys: tuple[str, ...]) -> list[str]:
    """Fields that differ from memory; a number typed as text and the same number are equal
    (Excel's "Convert to Number" is not an edit)."""
    out = []
    for k in keys:
        if k not in now or now[k] == mem.data.get(k, ""):
            continue
        before = mem.data.get(k, "")
        if k == f.NILAI and same_number(now[k], before):
            continue
        if k == f.TAHUN and parse_year(now[k])[0] is not None and parse_year(now[k])[0] == parse_year(before)[0]:
            continue
        out.append(k)
    return out


def same_number(value: object, before: str) -> bool:
    (a, a_percent), (b, b_percent) = number_of(value), number_of(before)
    return a is not None and a == b and a_percent == b_percent


def cell_text(value: object, key: str, percent: bool) -> str:
    """A cell as remembered and archived; a percent-formatted number (``percent``: the Nilai cell
    has a percent number format) reads as it is shown (12,5%)."""
    if percent and key == f.NILAI and isinstance(value, (int, float)) and not isinstance(value, bool):
        return format_number(value * 100) + "%"
    return text(value)
