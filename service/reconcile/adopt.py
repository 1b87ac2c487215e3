"""A replaced archive never resets the sheets (DECISIONS.md #22).

An archive restored from an older backup, deleted, or pointed at another database does not
know the IDs the sheet shows. Judging those rows as new would clear every tick and send them
back to ``1 Draf``; instead the tab is held (``TabStatus.ARCHIVE_UNKNOWN``) until the Walidata runs
``satudata adopt KODE``, which takes the sheet's rows as they stand (IDs, states from Status,
ticks) into this archive. Verified rows the archive lacks are archived by the next cycle.
"""
from __future__ import annotations

from typing import Any

import re
from datetime import datetime

from rules import fields as f
from rules.keys import text
from rules.sop import DRAF, Sop
from rules.workflow import parse_box
from service.reconcile.changes import cell_text
from service.reconcile.plan import Event, Plan, RowMemory, TabMemory, TabStatus
from sheets.base import TabSnapshot, TabWrites
from sheets.layout import HeaderMap, match_headers

NOT_HELD = "Tab tidak ditahan karena arsip diganti"
SHOWN = 3


def _seq(opd: str, row_id: str) -> int | None:
    """The number of an ID this poller issues for the OPD ('DINKES-0012' -> 12)."""
    match = re.fullmatch(re.escape(opd) + r"-(\d{1,9})", row_id)
    return int(match.group(1)) if match else None


def unknown_ids(rows: list[tuple[str, object]], memory: TabMemory, sop: Sop) -> list[str]:
    """IDs in our own form, on rows whose Status the poller wrote, that this archive never issued
    (numbered at or past its counter): the sheet is ahead of the archive. A hand-typed ID (no
    Status yet, or below the counter) is judged as before: it gets a new ID."""
    out = []
    for rid, shown in rows:
        if not rid or rid in memory.rows or sop.code_of(shown) is None:
            continue
        seq = _seq(memory.opd, rid)
        if seq is not None and seq >= memory.next_seq and rid not in out:
            out.append(rid)
    return out


def unknown_message(unknown: list[str], memory: TabMemory) -> str:
    names = ", ".join(unknown[:SHOWN]) + (f" dan {len(unknown) - SHOWN} lainnya" if len(unknown) > SHOWN else "")
    return (f"Arsip tidak mengenal {len(unknown)} ID baris di tab ini ({names}): arsip dipulihkan dari cadangan "
            "lama, dihapus, atau [archive] url menunjuk basis data lain? Tab ditahan agar centang dan status tidak "
            f"hilang. Bila arsip memang diganti, jalankan: satudata adopt {memory.opd} (baris diambil apa adanya). "
            "Bila ID itu diketik manual, hapus ID tersebut.")


def adopt(snapshot: TabSnapshot, memory: TabMemory, sop: Sop, now: datetime) -> Plan:
    """Take the sheet's rows as they stand into the archive's memory; nothing is written to the sheet."""
    plan = Plan(memory.opd, TabWrites(memory.opd, snapshot.title), next_seq=memory.next_seq,
                header_note=memory.header_note)
    header = match_headers(snapshot.header)
    if not header.ok:
        plan.status, plan.message = TabStatus.HEADER, f"Kolom wajib tidak ditemukan di baris 1: {', '.join(header.missing)}"
        return plan
    cols = header.columns
    shown = [(text(v[cols[f.ID]]) if cols[f.ID] < len(v) else "",
              v[cols[f.STATUS]] if f.STATUS in cols and cols[f.STATUS] < len(v) else None) for v in snapshot.rows]
    if memory.status != TabStatus.ARCHIVE_UNKNOWN and not unknown_ids(shown, memory, sop):
        # on a healthy tab "as it stands" would take an operator's unverified edit as verified
        plan.status = TabStatus.NOT_HELD
        plan.message = (f"{NOT_HELD}: arsip ini mengenal semua ID baris di tab, jadi adopt tidak diperlukan "
                        "dan tidak ada yang diambil. Perubahan di tab diperiksa seperti biasa oleh satudata poll")
        return plan
    for index, values in enumerate(snapshot.rows):
        cells = {k: values[c] if c < len(values) else None for k, c in cols.items()}
        rid = text(cells.get(f.ID))
        seq = _seq(memory.opd, rid)
        if seq is None or rid in plan.rows or not any(text(cells.get(k)) for k in f.DATA_FIELDS if k in cols):
            continue  # no ID of ours, a copy, or an empty row: the next cycle judges it as usual
        plan.rows[rid] = _adopted(rid, cells, index, snapshot, header, memory.rows.get(rid), sop, now)
        plan.next_seq = max(plan.next_seq, seq + 1)
        plan.events.append(Event(now, memory.opd, rid, None, plan.rows[rid].state,
                                 "Diambil dari sheet ke arsip ini (satudata adopt): status dan centang apa adanya",
                                 {**plan.rows[rid].data, **plan.rows[rid].boxes}))
    plan.rows_seen = len(plan.rows)
    return plan


def _adopted(rid: str, cells: dict[str, Any], index: int, snapshot: TabSnapshot, header: HeaderMap, known: RowMemory | None,
             sop: Sop, now: datetime) -> RowMemory:
    percent = (index, header.columns.get(f.NILAI)) in snapshot.percent  # a percent-formatted Nilai reads as shown
    data = {k: cell_text(cells.get(k), k, percent) for k in f.DATA_FIELDS if k in header.columns}
    boxes = {k: bool(parse_box(cells.get(k))) for k in f.STEP_BOXES}
    return RowMemory(
        row_id=rid, state=sop.code_of(cells.get(f.STATUS)) or DRAF, data=data, boxes=boxes,
        catatan=text(cells.get(f.CATATAN)), notes=dict(known.notes) if known else {},
        updated_at=now, archived_hash=known.archived_hash if known else None,
        archived_version=known.archived_version if known else 0, position=index + 2)
