"""One pure function decides a cycle for one tab: (sheet, memory, rules, now) -> Plan."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from functools import cached_property
from datetime import datetime

from rules import fields as f
from rules.keys import History, text
from rules.findings import GALAT, Finding
from rules.numbers import parse_year
from rules.rulefile import RuleSet
from rules.sop import DIARSIP, REVISI, TERVERIFIKASI, Sop, load_sop
from rules.wilayah import Wilayah
from rules.workflow import RowInput, advance, box_labels, parse_box, read_boxes
from service.reconcile import audit, comments
from service.reconcile.changes import cell_text, changed_fields, scrambled
from service.reconcile.who import People
from service.reconcile.protection import mark, unprotected_walidata_ticks
from service.reconcile.archiving import archive_row
from service.reconcile.plan import Event, Plan, RowMemory, TabMemory
from service.reconcile.review import cause_of, for_review
from service.reconcile.identity import exact_twins, follow_datum, twin_memory
from service.reconcile.adopt import ARCHIVE_UNKNOWN, unknown_ids, unknown_message
from service.reconcile.removal import PENDING_REMOVAL, pending_message, removals
from service.reconcile.rowskip import as_records, box_step, dirty, raw_fingerprint, read_as_poller, same_findings, visible
from service.timefmt import format_wib
from sheets.base import OWNED_NOTE_PREFIX, CellWrite, NoteWrite, TabSnapshot, TabWrites
from sheets.layout import BY_KEY, HeaderMap, match_headers

ARCHIVE_FIELDS = (f.KODE, f.URAIAN, f.RINCIAN, f.SATUAN, f.TAHUN, f.NILAI, f.KETERANGAN)


@dataclass(frozen=True)
class Context:
    rules: RuleSet
    wilayah: Wilayah
    year: int
    history: History = field(default_factory=dict)
    sop: Sop = field(default_factory=load_sop)
    mass_removal_share: float = 0.25
    salt: str = ""  # changes when rules or the workspace year change, so every row is checked again
    archived: dict[str, tuple[int, str]] = field(default_factory=dict)  # datum -> (latest version, hash)
    review_cause: str = ""  # why a verified row's checks changed (set by reconcile)
    notices: tuple[str, ...] = ()  # what the backend noticed next to the tab (a stray .ods file)
    people: People | None = None  # who works on this OPD's tab (config), for the audit's "oleh"


@dataclass
class _Slot:
    index: int  # 0-based index into snapshot.rows; sheet row = index + 2
    values: list
    columns: dict[str, int]
    row_id: str = ""
    id_note: str | None = None
    fingerprint: str = ""
    changed: bool = True  # differs from how our last write left it
    copied: bool = False
    twin_of: str = ""  # an exact copy of this row (ID): it carries on the row's state and ticks

    @property
    def row(self) -> int:  # 0-based sheet row for writes
        return self.index + 1

    @cached_property
    def cells(self) -> dict[str, object]:
        n = len(self.values)
        return {key: self.values[col] if col < n else None for key, col in self.columns.items()}

    def get(self, key: str) -> object:
        col = self.columns.get(key)
        return self.values[col] if col is not None and col < len(self.values) else None


def content_hash(data: dict[str, str]) -> str:
    """What the archive holds: Nilai and Tahun by their value, not by how they were typed."""
    from rules.numbers import parse_number
    nilai = parse_number(data.get(f.NILAI, ""))
    values = [data.get(k, "") for k in ARCHIVE_FIELDS]
    values[ARCHIVE_FIELDS.index(f.NILAI)] = repr((nilai.value, nilai.percent)) if nilai.value is not None \
        else data.get(f.NILAI, "")
    year = parse_year(data.get(f.TAHUN, ""))[0]
    values[ARCHIVE_FIELDS.index(f.TAHUN)] = str(year) if year is not None else data.get(f.TAHUN, "")
    payload = json.dumps(values, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _owned(lines: list[str]) -> str | None:
    return OWNED_NOTE_PREFIX + "\n" + "\n".join(lines) if lines else None


def reconcile(snapshot: TabSnapshot, memory: TabMemory, ctx: Context, now: datetime) -> Plan:
    plan = Plan(memory.opd, TabWrites(memory.opd, snapshot.title), next_seq=memory.next_seq,
                header_note=memory.header_note)
    header = match_headers(snapshot.header)
    if not header.ok:
        missing = ", ".join(header.missing)
        return _hold(plan, memory, "header", f"Kolom wajib tidak ditemukan di baris 1: {missing}. "
                     "Tab ini dilewati sampai judul kolom diperbaiki.")
    ctx = replace(ctx, review_cause=cause_of(memory.token, ctx.salt))
    slots, orphans = _slots(snapshot, header)
    unknown = unknown_ids([(s.row_id, s.get(f.STATUS)) for s in slots], memory, ctx.sop)
    if unknown:  # the archive was replaced: never reset the rows it does not know
        return _hold(plan, memory, ARCHIVE_UNKNOWN, unknown_message(unknown, memory))
    _assign_ids(slots, memory, plan)
    present = {s.row_id for s in slots}
    active = {rid for rid, m in memory.rows.items() if not m.removed}
    vanished = sorted(active - present)
    memory = comments.unskip(memory, slots, snapshot, header)  # a reviewer's new comment is an edit (issue 9.4)
    work = dirty(slots, memory, snapshot, header, ctx.salt)  # marks each slot changed or not
    reopened = scrambled([s for s in slots if s.changed], memory, snapshot, header, ctx.sop)
    # A sort gone wrong or a cleared sheet looks like many rows vanishing or changing at once:
    # the tab is left alone until a person confirms in the CLI.
    for status, count, what in (("hapus_massal", len(vanished), "hilang sekaligus (urutan salah atau sheet "
                                 "terhapus?). Kembalikan barisnya, atau bila memang dihapus"),
                                ("ubah_massal", len(reopened), "yang sudah disepakati berubah sekaligus (hanya "
                                 "sebagian kolom yang diurutkan?). Kembalikan isinya (Ctrl+Z bila berkas masih terbuka, atau "
                                 "dari riwayat versi/cadangan berkas), atau bila memang diubah")):
        if count >= 2 and count > ctx.mass_removal_share * len(active) and not memory.confirm_removal:
            return _hold(plan, memory, status, f"{count} dari {len(active)} baris {what} jalankan: "
                                               f"satudata confirm {memory.opd}. Sampai itu, tab ini tidak diproses.")
    plan.confirm_removal_used = memory.confirm_removal
    vanished, waiting = removals(vanished, memory, ctx.sop, _shown_elsewhere(slots) if vanished else None)
    shown = ([pending_message(waiting, memory)] if waiting else []) + list(ctx.notices)  # on A1 too
    if waiting:
        plan.status = PENDING_REMOVAL
    duplicated = [f"Judul kolom ganda: {', '.join(header.duplicated)} (kolom pertama yang dipakai)"] \
        if header.duplicated else []
    plan.message = " ".join(shown + duplicated)
    note = _owned(shown) if shown else None
    if note != memory.header_note or memory.write_pending:
        plan.writes.notes.append(NoteWrite(0, 0, note))
    plan.header_note = note
    findings, numbers = _check(work, snapshot, header, ctx)
    plan.findings = findings
    for slot in work:
        if not slot.changed and same_findings(findings.get(slot.row_id, []), memory.rows[slot.row_id]):
            continue  # only its item's other rows changed, and nothing about this row did
        _plan_row(slot, snapshot, memory, header, findings.get(slot.row_id, []), numbers.get(slot.row_id),
                  ctx, now, plan)
    for rid in vanished:
        old = memory.rows[rid]
        plan.rows[rid] = replace(old, removed=True)
        why = "disetujui Walidata (satudata confirm)" if memory.confirm_removal else "dicatat sebagai dihapus"
        plan.events.append(Event(now, memory.opd, rid, old.state, "dihapus",
                                 f"Baris hilang dari sheet ({why}; arsip tetap)", old.data))
    for slot in orphans:
        _clear_orphan(slot, header, memory, plan)
    plan.rows_seen = len(slots)
    audit.finish(plan, snapshot, ctx.people or People(memory.opd))
    comments.plan_threads(plan, snapshot, {**memory.rows, **plan.rows}, {s.row_id: s.row for s in slots}, header,
                          ctx.people or People(memory.opd), ctx.sop)
    return plan


def _hold(plan: Plan, memory: TabMemory, status: str, message: str) -> Plan:
    """Leave the tab alone: no row changes, no IDs used up, only the note on A1."""
    plan.status, plan.message = status, message
    plan.next_seq = memory.next_seq
    note = _owned([message])
    if note != memory.header_note or memory.write_pending:  # the last one may never have arrived
        plan.writes.notes.append(NoteWrite(0, 0, note))
        plan.header_note = note
    return plan


def _slots(snapshot: TabSnapshot, header: HeaderMap) -> tuple[list[_Slot], list[_Slot]]:
    """Rows with data, and rows that only carry leftover system cells."""
    slots, orphans = [], []
    data_cols = [c for k, c in header.columns.items() if k in f.DATA_FIELDS]
    system_cols = [c for k, c in header.columns.items() if k in f.SYSTEM_FIELDS]
    for index, values in enumerate(snapshot.rows):
        n = len(values)
        if any(c < n and text(values[c]) for c in data_cols):
            slots.append(_Slot(index, values, header.columns, row_id=text(values[header.columns[f.ID]])
                               if header.columns[f.ID] < n else ""))
        elif any(c < n and text(values[c]) for c in system_cols):
            orphans.append(_Slot(index, values, header.columns, row_id=text(values[header.columns[f.ID]])
                                 if header.columns[f.ID] < n else ""))
    return slots, orphans


def _assign_ids(slots: list[_Slot], memory: TabMemory, plan: Plan) -> None:
    """Identity is the ID column; copies and hand-typed IDs get a new one."""
    claimed: dict[str, _Slot] = {}
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
            if _same_data(slot, known) and not _same_data(first, known):
                claimed[rid] = slot  # the copy was inserted above the original
                slot, first = first, slot
            slot.id_note = f"ID {rid} ganda (baris disalin); baris ini diberi ID baru"
            slot.row_id = ""
        elif rid and known is None:
            slot.id_note = f"ID '{rid[:40]}' tidak dikenal (diketik manual atau disalin dari tab lain); diganti ID baru"
            slot.row_id = ""
        elif rid:
            claimed[rid] = slot
    follow_datum(claimed, memory)
    # A row that lost its ID (a write that never landed, an ID cleared or retyped by hand)
    # takes back the ID of a vanished row holding the same data, at the same place if possible.
    vanished = [rid for rid, m in memory.rows.items() if rid not in claimed and not m.removed]
    for slot in slots:
        if slot.row_id:
            continue
        if slot.twin_of:
            slot.row_id = f"{memory.opd}-{plan.next_seq:04d}"
            plan.next_seq += 1
            continue
        same = [rid for rid in vanished if _same_data(slot, memory.rows[rid])] or [
            # an ID that never reached the sheet (the workbook was open) on a row edited since:
            # the same item at the same place is the same row
            rid for rid in vanished if memory.rows[rid].position == slot.index + 2 and _same_item(slot, memory.rows[rid])]
        if same:
            rid = next((r for r in same if memory.rows[r].position == slot.index + 2), same[0])
            vanished.remove(rid)
            slot.row_id = rid
            if slot.id_note:
                slot.id_note = f"ID tidak boleh diubah; dikembalikan ke {rid}"
        else:
            slot.row_id = f"{memory.opd}-{plan.next_seq:04d}"
            plan.next_seq += 1
            slot.copied = slot.id_note is not None  # a copy or a pasted row: its ticks are not its own


def _shown_elsewhere(slots: list[_Slot]):
    """Whether a remembered row's exact data is still shown by some row of the sheet."""
    shown = {tuple(text(s.cells.get(k)) for k in f.DATA_FIELDS) for s in slots}
    return lambda known: tuple(known.data.get(k, "") for k in f.DATA_FIELDS) in shown


def _same_item(slot: _Slot, known: RowMemory) -> bool:
    return all(text(slot.cells.get(k)) == known.data.get(k, "") for k in (f.KODE, f.URAIAN, f.RINCIAN))


def _same_data(slot: _Slot, known: RowMemory) -> bool:
    return all(text(slot.cells.get(k)) == v for k, v in known.data.items())


def _check(slots: list[_Slot], snapshot: TabSnapshot, header: HeaderMap,
           ctx: Context) -> tuple[dict[str, list[Finding]], dict[str, float | None]]:
    import pandas as pd  # here, not at import: a cycle with nothing to check never needs it

    from rules.checks import run_checks

    nilai_col = header.columns.get(f.NILAI)
    records = []
    for slot in slots:
        record = {k: slot.cells.get(k) for k in f.DATA_FIELDS if k in header.columns}
        record["_persen"] = (slot.index, nilai_col) in snapshot.percent
        records.append(record)
    # object dtype: cells stay as read (a 17-digit Kode Data beside a blank one is no float)
    df = pd.DataFrame(records, index=[s.row_id for s in slots], dtype=object)
    result = run_checks(df, ctx.rules, ctx.wilayah, ctx.year, ctx.history)
    by_row: dict[str, list[Finding]] = {}
    for finding in result.findings:
        by_row.setdefault(finding.row_id, []).append(finding)
    key_at = {col: key for key, col in header.columns.items()}
    row_of = {s.index: s.row_id for s in slots}
    for (index, col), message in snapshot.problems.items():
        if index in row_of and col in key_at:
            rid, key = row_of[index], key_at[col]
            # a cell holding an error (=1/0 shows #DIV/0!) is not empty: name the error, not "wajib diisi"
            kept = [x for x in by_row.get(rid, []) if not (x.column == key and x.code == f"{key}_wajib")]
            by_row[rid] = kept + [Finding(rid, key, GALAT, "sel_tidak_terbaca", message)]
    return by_row, result.numbers


def _plan_row(slot: _Slot, snapshot: TabSnapshot, memory: TabMemory, header: HeaderMap, findings: list[Finding],
              nilai: float | None, ctx: Context, now: datetime, plan: Plan) -> None:
    rid, cells = slot.row_id, slot.cells
    mem = memory.rows.get(rid)
    if mem is None and slot.twin_of:  # an exact copy carries on its original's state and ticks
        mem = twin_memory(memory.rows[slot.twin_of], rid, slot.index + 2, memory.opd, now, plan.events)
    # A column that is gone keeps its remembered value: deleting a column is not an edit
    data = {k: cell_text(cells, k, slot, snapshot, header) if k in header.columns
            else (mem.data.get(k, "") if mem else "") for k in f.DATA_FIELDS}
    data = {k: v for k, v in data.items() if k in header.columns or v}
    catatan = text(cells.get(f.CATATAN))
    request = comments.revision_request(snapshot, slot.row, header, mem)  # a reviewer's comment (issue 9.4)
    box_notes = dict(mem.box_notes) if mem else {}
    boxes, clears = read_boxes(cells, box_notes if memory.write_pending else {}, slot.copied)
    changed = changed_fields(data, mem, f.DATA_FIELDS) if mem is not None else []
    outcome = advance(RowInput(
        prev_state=mem.state if mem else None,
        boxes=boxes,
        prev_boxes=mem.boxes if mem else {},
        agreed_changed=tuple(BY_KEY[k].header for k in changed if k in f.AGREED_FIELDS),
        values_changed=tuple(BY_KEY[k].header for k in changed if k in f.VALUE_FIELDS),
        catatan=request.text if request else catatan,
        prev_catatan="" if request else (mem.catatan if mem else ""),
    ), lambda n: [x for x in findings if x.blocks(n)])
    comments.taken(plan, request if outcome.state == REVISI else None, rid, outcome.state, ctx.sop)
    clears.update(outcome.clears)
    state = outcome.state
    findings = for_review(findings, mem.findings, ctx.review_cause) if outcome.held else findings  # 8.4
    # the audit records the cells as people left them: what caused the change
    values = {**data, **{k: bool(parse_box(cells.get(k))) for k in box_labels()}, f.CATATAN: catatan}
    transitions = list(outcome.transitions)
    if mem is not None and mem.removed:
        transitions.insert(0, ("dihapus", mem.state, "Baris muncul kembali di sheet"))
    archived_hash = mem.archived_hash if mem else None
    version = mem.archived_version if mem else 0
    if state in (TERVERIFIKASI, DIARSIP):
        digest = content_hash(data)
        added = False
        if digest != archived_hash:
            version, added = archive_row(plan, rid, data, nilai, digest, ctx.archived, ctx.wilayah, now)
            archived_hash = digest
        reason = (f"Disimpan di basis data arsip (versi {version})" if added
                  else f"Sudah tersimpan di arsip (versi {version})")
        if state == TERVERIFIKASI or digest != (mem.archived_hash if mem else None):
            transitions.append((state, DIARSIP, reason))
        state = DIARSIP
    first = len(plan.events)
    unguarded = unprotected_walidata_ticks(snapshot, boxes, mem.boxes if mem else {})
    for prev, to, reason in transitions:
        reason = mark(reason, unguarded) if unguarded else reason
        plan.events.append(Event(now, memory.opd, rid, prev, to, reason, values))
    audit.audit_row(plan, first, mem, data, cells, catatan, state, snapshot, ctx.people or People(memory.opd),
                    now, memory.write_pending, author=request.who if request else None)
    if transitions and (mem is None or state != mem.state or mem.removed):
        box_notes = {}
    for key in box_labels():
        if boxes[key] and key not in clears:
            box_notes.pop(key, None)
    box_notes.update(clears)
    if not catatan:  # the Walidata withdrew the revision request: its notes go too
        box_notes = {k: v for k, v in box_notes.items() if "meminta revisi" not in v or k in clears}
    if slot.id_note:
        box_notes[f.ID] = slot.id_note
    ticked = [box_step(k) for k in box_labels() if boxes[k] and k not in clears]
    shown = visible(findings, state, ticked)
    updated = now if (mem is None or state != mem.state or mem.removed) else mem.updated_at
    new = RowMemory(
        row_id=rid, state=state, data=data,
        boxes={k: boxes[k] and k not in clears for k in box_labels()},
        catatan=catatan, box_notes=box_notes,
        notes=_notes(slot, header, shown, box_notes, mem, plan, memory.write_pending),
        findings=as_records(shown),
        updated_at=updated, archived_hash=archived_hash, archived_version=version,
        removed=False, position=slot.index + 2,
    )
    before = len(plan.writes.cells)
    _cells(slot, header, new, ctx, clears, plan)
    new.fingerprint = slot.fingerprint
    if len(plan.writes.cells) > before:  # the row as our write leaves it, so the next cycle can skip it
        after = list(slot.values)
        for w in plan.writes.cells[before:]:
            after.extend([None] * (w.col + 1 - len(after)))
            after[w.col] = w.value
        new.fingerprint = raw_fingerprint(snapshot, slot.index, after, read_as_poller(header), ctx.salt)
    if new != mem:
        plan.rows[rid] = new


def _notes(slot: _Slot, header: HeaderMap, shown: list[Finding], box_notes: dict[str, str],
           mem: RowMemory | None, plan: Plan, resend: bool = False) -> dict[str, str]:
    """Owned notes that differ from what we last wrote; all of them again (``resend``) when
    that write may never have reached the sheet."""
    lines: dict[str, list[str]] = {}
    for x in shown:
        lines.setdefault(x.column, []).append(x.as_line())
    for key, reason in box_notes.items():
        lines.setdefault(key, []).append(reason)
    wanted = {k: _owned(v) for k, v in lines.items() if k in header.columns}
    before = mem.notes if mem else {}
    for key in sorted(set(wanted) | set(before)):
        if key in header.columns and (resend or wanted.get(key) != before.get(key)):
            plan.writes.notes.append(NoteWrite(slot.row, header.columns[key], wanted.get(key)))
    return {k: v for k, v in wanted.items() if v}


def hasil_text(row: RowMemory) -> str:
    """One line per finding (and per distinct reason a box was cleared)."""
    lines = [f"{x['level'].upper()}: {x['pesan']}" for x in row.findings]
    lines += [f"LANGKAH: {reason}" for key, reason in row.box_notes.items() if key != f.ID]
    if f.ID in row.box_notes:
        lines.append(f"ID: {row.box_notes[f.ID]}")
    return "\n".join(dict.fromkeys(lines)) if lines else "Lolos pemeriksaan"


def _cells(slot: _Slot, header: HeaderMap, row: RowMemory, ctx: Context, clears: dict[str, str],
           plan: Plan) -> None:
    wanted = {
        f.ID: row.row_id,
        f.STATUS: ctx.sop.label(row.state),
        f.HASIL: hasil_text(row),
        f.DIPERBARUI: format_wib(row.updated_at) if row.updated_at else "",
    }
    for key, value in wanted.items():
        if key in header.columns and text(slot.cells.get(key)) != value:
            plan.writes.cells.append(CellWrite(slot.row, header.columns[key], value))
    for key in clears:
        plan.writes.cells.append(CellWrite(slot.row, header.columns[key], False))


def _clear_orphan(slot: _Slot, header: HeaderMap, memory: TabMemory, plan: Plan) -> None:
    """A row emptied of data keeps no system cells or owned notes of ours."""
    for key in f.SYSTEM_FIELDS:
        if key in header.columns and text(slot.cells.get(key)):
            plan.writes.cells.append(CellWrite(slot.row, header.columns[key], ""))
    old = memory.rows.get(slot.row_id)
    if old is not None:
        for key in old.notes:
            if key in header.columns:
                plan.writes.notes.append(NoteWrite(slot.row, header.columns[key], None))
