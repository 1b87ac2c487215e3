"""One pure function decides a cycle for one tab: (sheet, memory, rules, now) -> Plan."""
from __future__ import annotations

from collections.abc import Collection
from typing import Any, Callable

import hashlib
import json
from dataclasses import dataclass, field, replace
from functools import lru_cache
from datetime import datetime

from rules import fields as f
from rules.keys import History, text
from rules.findings import GALAT, Finding
from rules.numbers import parse_year
from rules.rulefile import RuleSet
from rules.sop import DIARSIP, REVISI, TERVERIFIKASI, Sop, load_sop
from rules.wilayah import Wilayah
from rules.workflow import ClearKind, RowInput, advance, box_labels, legacy_kinds, parse_box, read_boxes
from service.reconcile import audit, comments
from service.reconcile.changes import changed_fields, scrambled
from service.reconcile.who import People, handed_out
from service.reconcile.protection import (alarm, foreign_walidata_ticks, mark, mark_foreign, protected_walidata_save,
                                          quiet_reprotect, unprotected_walidata_ticks)
from service.reconcile.archiving import ArchivedVersions, archive_metadata, archive_row
from service.reconcile.plan import Event, Plan, RowMemory, TabMemory, TabStatus
from service.reconcile.review import cause_of, for_review
from service.reconcile.identity import assign_ids, twin_memory
from service.reconcile.adopt import unknown_ids, unknown_message
from service.reconcile.removal import pending_message, removals
from service.reconcile.slot import Slot
from service.reconcile.rowskip import as_records, as_written, box_step, dirty, raw_fingerprint, read_as_poller, same_findings, visible
from service.timefmt import format_wib
from sheets.base import OWNED_NOTE_PREFIX, CellWrite, ExcelTrail, NoteWrite, TabSnapshot, TabWrites
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
    archived: dict[str, tuple[int, str]] | ArchivedVersions = field(default_factory=dict)  # datum -> (version, hash)
    # the archive read for the data items a cycle decides (DECISIONS.md #148): item keys -> history,
    # item keys -> latest versions; when set they replace ``history`` and ``archived``
    history_for: Callable[[Collection[str]], History] | None = None
    archived_for: Callable[[Collection[str]], dict[str, tuple[int, str]]] | None = None
    review_cause: str = ""  # why a verified row's checks changed (set by reconcile)
    notices: tuple[str, ...] = ()  # what the backend noticed next to the tab (a stray .ods file)
    people: People | None = None  # who works on this OPD's tab (config), for the audit's "oleh"
    tickets: tuple[Any, ...] = ()  # comments.TicketThread: the public's reports on this tab's items


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


_wib = lru_cache(maxsize=64)(format_wib)  # most rows of a cycle show one of a few update times


def _owned(lines: list[str]) -> str | None:
    return OWNED_NOTE_PREFIX + "\n" + "\n".join(lines) if lines else None


def reconcile(snapshot: TabSnapshot, memory: TabMemory, ctx: Context, now: datetime) -> Plan:
    """Decide one tab's cycle: identities, which rows changed, their checks, states, notes, system
    cells, audit events and archive versions; or hold the whole tab when it looks broken."""
    plan = Plan(memory.opd, TabWrites(memory.opd, snapshot.title), next_seq=memory.next_seq,
                header_note=memory.header_note)
    header = match_headers(snapshot.header)
    if not header.ok:
        missing = ", ".join(header.missing)
        return _hold(plan, memory, TabStatus.HEADER, f"Kolom wajib tidak ditemukan di baris 1: {missing}. "
                     "Tab ini dilewati sampai judul kolom diperbaiki.")
    ctx = replace(ctx, review_cause=cause_of(memory.token, ctx.salt))
    if snapshot.metadata is not None:  # a Metadata edit re-checks the rows, as a rule edit does
        from rules.metadata import digest
        ctx = replace(ctx, salt=f"{ctx.salt}#{digest(snapshot.metadata)}")
    slots, orphans = _slots(snapshot, header)
    unknown = unknown_ids([(s.row_id, s.get(f.STATUS)) for s in slots], memory, ctx.sop)
    if unknown:  # the archive was replaced: never reset the rows it does not know
        return _hold(plan, memory, TabStatus.ARCHIVE_UNKNOWN, unknown_message(unknown, memory))
    written = as_written(snapshot, header, ctx.salt)
    if memory.prefetch is not None:
        _prefetch_changed(slots, memory, written)
    assign_ids(slots, memory, plan, written)
    present = {s.row_id for s in slots}
    active = {rid for rid, m in memory.rows.items() if not m.removed}
    vanished = sorted(active - present)
    memory = comments.unskip(memory, slots, snapshot, header)  # a reviewer's new comment is an edit (DECISIONS.md #13)
    work = dirty(slots, memory, snapshot, header, ctx.salt)  # marks each slot changed or not
    if memory.prefetch is not None:
        memory.prefetch([s.row_id for s in work])
    ctx = _archive_read(ctx, work)
    mass = _mass_change(vanished, [s for s in slots if s.changed], memory, ctx, len(active))
    if mass is not None:
        return _hold(plan, memory, *mass)
    plan.confirm_removal_used = memory.confirm_removal
    vanished = _tab_note(plan, memory, ctx, header, slots, vanished)
    run = _Run(snapshot, header, memory, ctx, now, plan, audit.Witness(snapshot, ctx.people or People(memory.opd)),
               read_as_poller(header))
    findings, numbers = _check(work, snapshot, header, ctx)
    plan.findings = findings
    for slot in work:
        if not slot.changed and same_findings(findings.get(slot.row_id, []), memory.rows[slot.row_id]):
            continue  # only its item's other rows changed, and nothing about this row did
        _plan_row(run, slot, findings.get(slot.row_id, []), numbers.get(slot.row_id))
    _removed(vanished, memory, now, plan)
    for slot in orphans:
        _clear_orphan(slot, header, memory, plan)
    plan.rows_seen = len(slots)
    archive_metadata(plan, snapshot.metadata, _verified_items(memory) if snapshot.metadata is not None else ())
    plan.writes.quiet_reprotect = quiet_reprotect(snapshot, run.witness.people)
    plan.writes.protected_by_walidata = protected_walidata_save(snapshot, run.witness.people)
    audit.finish(plan, run.witness)
    if snapshot.comments is not None:
        comments.plan_threads(plan, snapshot, {**memory.rows, **plan.rows}, {s.row_id: s.row for s in slots},
                              header, ctx.people or People(memory.opd), ctx.sop)
        if ctx.tickets:
            first: dict[str, tuple[int, int]] = {}
            for s in slots:
                first.setdefault(s.item, (s.row, header.columns.get(f.NILAI, 0)))
            comments.plan_ticket_threads(plan, snapshot, ctx.tickets, first, ctx.people or People(memory.opd))
    return plan


def _prefetch_changed(slots: list[Slot], memory: TabMemory, written: Callable[[Slot, RowMemory], bool]) -> None:
    """Has the memory read, in one go, the remembered rows identity and the row-skip read whole:
    those not as our last write left them and those no sheet row shows (DECISIONS.md #156)."""
    rows = memory.rows
    wanted = [s.row_id for s in slots if s.row_id in rows and not written(s, rows[s.row_id])]
    shown = {s.row_id for s in slots}
    wanted += [rid for rid, m in rows.items() if rid not in shown and not m.removed]
    if wanted:
        assert memory.prefetch is not None
        memory.prefetch(wanted)


def _archive_read(ctx: Context, work: list[Slot]) -> Context:
    """The archive's history and latest versions of the data items of the rows to decide, read now
    that they are known (a cycle that decides no row reads none)."""
    if ctx.history_for is None and ctx.archived_for is None:
        return ctx
    items = {s.item for s in work}
    history = ctx.history if ctx.history_for is None else (ctx.history_for(items) if items else {})
    archived: dict[str, tuple[int, str]] | ArchivedVersions = ctx.archived
    if ctx.archived_for is not None:
        archived = ArchivedVersions(ctx.archived_for)
        archived.prefetch(items)  # one read; a datum of another item (a column gone) is read when archived
    return replace(ctx, history=history, archived=archived)


def _mass_change(vanished: list[str], changed: list[Slot], memory: TabMemory, ctx: Context,
                 active: int) -> tuple[str, str] | None:
    """(status, message) when many rows vanish or have their agreed fields change at once: a sort
    gone wrong or a cleared sheet. The tab is left alone until a person confirms in the CLI."""
    if memory.confirm_removal:
        return None
    checks: tuple[tuple[TabStatus, Callable[[], list[Any]], str], ...] = (
            (TabStatus.MASS_REMOVAL, lambda: vanished, "hilang sekaligus (urutan salah atau sheet terhapus?). Kembalikan "
             f"barisnya (Excel/LibreOffice: satudata pulihkan {memory.opd}; Google Sheets: File > Histori versi), "
             "atau bila memang dihapus"),
            (TabStatus.MASS_CHANGE, lambda: scrambled(changed, memory, ctx.sop), "yang sudah disepakati berubah sekaligus "
             "(hanya sebagian kolom yang diurutkan?). Kembalikan isinya (Ctrl+Z bila berkas masih terbuka; "
             f"Excel/LibreOffice: satudata pulihkan {memory.opd} menulis {memory.opd}.dipulihkan.xlsx berisi baris "
             "seperti terakhir dibaca poller; Google Sheets: File > Histori versi), atau bila memang diubah"))
    for status, rows, what in checks:
        count = len(rows())
        if count >= 2 and count > ctx.mass_removal_share * active:
            return status, (f"{count} dari {active} baris {what} jalankan: satudata confirm {memory.opd}. "
                            "Sampai itu, tab ini tidak diproses.")
    return None


def _tab_note(plan: Plan, memory: TabMemory, ctx: Context, header: HeaderMap, slots: list[Slot],
              vanished: list[str]) -> list[str]:
    """The tab's status message and its note on A1 (agreed rows whose removal waits, what the
    backend noticed, duplicated headers); returns the vanished rows removed now."""
    vanished, waiting = removals(vanished, memory, ctx.sop, _shown_elsewhere(slots) if vanished else None)
    shown = ([pending_message(waiting, memory)] if waiting else []) + list(ctx.notices)  # on A1 too
    if waiting:
        plan.status = TabStatus.PENDING_REMOVAL
    duplicated = [f"Judul kolom ganda: {', '.join(header.duplicated)} (kolom pertama yang dipakai)"] \
        if header.duplicated else []
    plan.message = " ".join(shown + duplicated)
    note = _owned(shown) if shown else None
    if note != memory.header_note or memory.write_pending:
        plan.writes.notes.append(NoteWrite(0, 0, note))
    plan.header_note = note
    return vanished


def _removed(vanished: list[str], memory: TabMemory, now: datetime, plan: Plan) -> None:
    """Rows gone from the sheet are remembered as removed; the archive keeps them."""
    why = "disetujui Walidata (satudata confirm)" if memory.confirm_removal else "dicatat sebagai dihapus"
    for rid in vanished:
        old = memory.rows[rid]
        plan.rows[rid] = replace(old, removed=True)
        plan.events.append(Event(now, memory.opd, rid, old.state, "dihapus",
                                 f"Baris hilang dari sheet ({why}; arsip tetap)", old.data))


def _hold(plan: Plan, memory: TabMemory, status: str, message: str) -> Plan:
    """Leave the tab alone: no row changes, no IDs used up, only the note on A1."""
    plan.status, plan.message = status, message
    plan.next_seq = memory.next_seq
    note = _owned([message])
    if note != memory.header_note or memory.write_pending:  # the last one may never have arrived
        plan.writes.notes.append(NoteWrite(0, 0, note))
        plan.header_note = note
    return plan


def _filled(values: list[Any], cols: list[int]) -> bool:
    """Whether any of these cells holds text (blank and whitespace are empty, as text() reads them)."""
    n = len(values)
    for col in cols:
        if col < n:
            value = values[col]
            if value is not None and (value.strip() if value.__class__ is str else text(value)):
                return True
    return False


def _slots(snapshot: TabSnapshot, header: HeaderMap) -> tuple[list[Slot], list[Slot]]:
    """Rows with data, and rows that only carry leftover system cells."""
    slots, orphans = [], []
    columns = header.columns
    data_cols = [c for k, c in columns.items() if k in f.DATA_FIELDS]
    system_cols = [c for k, c in columns.items() if k in f.SYSTEM_FIELDS]
    id_col, nilai_col, percent = columns[f.ID], columns.get(f.NILAI), snapshot.percent
    for index, values in enumerate(snapshot.rows):
        if _filled(values, data_cols):
            slots.append(Slot(index, values, columns, row_id=text(values[id_col]) if id_col < len(values) else "",
                               percent=bool(percent) and (index, nilai_col) in percent))
        elif _filled(values, system_cols):
            orphans.append(Slot(index, values, columns, row_id=text(values[id_col]) if id_col < len(values) else ""))
    return slots, orphans


def _shown_elsewhere(slots: list[Slot]) -> Callable[[RowMemory], bool]:
    """Whether a remembered row's exact data is still shown by some row of the sheet."""
    shown = {tuple(text(s.cells.get(k)) for k in f.DATA_FIELDS) for s in slots}
    return lambda known: tuple(known.data.get(k, "") for k in f.DATA_FIELDS) in shown


def _check(slots: list[Slot], snapshot: TabSnapshot, header: HeaderMap,
           ctx: Context) -> tuple[dict[str, list[Finding]], dict[str, float | None]]:
    import pandas as pd  # here, not at import: a cycle with nothing to check never needs it

    from rules.checks import run_checks

    columns: dict[str, list[Any]] = {}
    for key in f.DATA_FIELDS:
        col = header.columns.get(key)
        if col is not None:
            columns[key] = [s.values[col] if col < len(s.values) else None for s in slots]
    columns["_persen"] = [s.percent for s in slots]
    # object dtype: cells stay as read (a 17-digit Kode Data beside a blank one is no float)
    df = pd.DataFrame(columns, index=[s.row_id for s in slots], dtype=object)
    result = run_checks(df, ctx.rules, ctx.wilayah, ctx.year, ctx.history)
    if snapshot.metadata is not None:
        result.findings += _metadata_findings(slots, snapshot, header)
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


def _verified_items(memory: TabMemory) -> list[tuple[str, str]]:
    """(Kode Data, Uraian Data) of the rows with an archived version: their Metadata blocks are
    archived whenever they change, without touching the rows (DECISIONS.md #75)."""
    return list(dict.fromkeys((text(m.data.get(f.KODE)), text(m.data.get(f.URAIAN)))
                              for m in memory.rows.values() if m.archived_version and not m.removed))


def _metadata_findings(slots: list[Slot], snapshot: TabSnapshot, header: HeaderMap) -> list[Finding]:
    """The Metadata tab's blocks against the items being checked; source variables may be any item of the tab."""
    from rules import metadata

    def column(values: list[Any], key: str) -> str:
        col = header.columns.get(key)
        return text(values[col]) if col is not None and col < len(values) else ""

    items = {metadata.norm_key(column(row, k)) for row in snapshot.rows for k in (f.KODE, f.URAIAN)} - {""}
    rows = [(s.row_id, column(s.values, f.KODE), column(s.values, f.URAIAN), column(s.values, f.SATUAN))
            for s in slots]
    return metadata.findings(metadata.parse_sheet(snapshot.metadata or [], snapshot.metadata_title), rows, items)


@dataclass
class _Run:
    """What every row decision of one tab's cycle shares."""

    snapshot: TabSnapshot
    header: HeaderMap
    memory: TabMemory
    ctx: Context
    now: datetime
    plan: Plan
    witness: audit.Witness
    poller_cols: tuple[Any, ...]  # rowskip.read_as_poller(header)


@dataclass
class _Row:
    """One row as the sheet shows it now, read as the SOP walk needs it."""

    mem: RowMemory | None
    data: dict[str, str]
    catatan: str
    request: comments.Request | None
    box_notes: dict[str, str]  # as remembered; the cycle updates them
    boxes: dict[str, bool]
    clears: dict[str, str]  # boxes the poller clears -> why
    kinds: dict[str, ClearKind]  # the same boxes -> the kind of clear
    changed: list[str]  # data fields that differ from memory


def _plan_row(run: _Run, slot: Slot, findings: list[Finding], nilai: float | None) -> None:
    """Decide one row: its state, archive version, audit events, notes, system cells and memory."""
    row = _read(run, slot)
    outcome = advance(_walk_input(row), lambda n: [x for x in findings if x.blocks(n)])
    comments.taken(run.plan, row.request if outcome.state == REVISI else None, slot.row_id, outcome.state, run.ctx.sop)
    comments.not_authorised(run.plan, run.snapshot, slot.row, run.header, row.mem, run.witness.people, slot.row_id,
                            outcome.state, run.ctx.sop, run.now, row.request if outcome.state == REVISI else None)
    row.clears.update(outcome.clears)
    row.kinds.update(outcome.kinds)
    if outcome.held:  # verified stays verified (DECISIONS.md #7)
        findings = for_review(findings, row.mem.findings, run.ctx.review_cause)  # type: ignore[union-attr]
    transitions = list(outcome.transitions)
    if row.mem is not None and row.mem.removed:
        transitions.insert(0, ("dihapus", row.mem.state, "Baris muncul kembali di sheet"))
    state, archived_hash, version = _archive(run, slot.row_id, row, outcome.state, nilai, transitions)
    _audit(run, slot, row, state, transitions)
    new = _remember(run, slot, row, state, findings, transitions, archived_hash, version)
    _write_cells(run, slot, new, row.clears)
    if new != row.mem:
        run.plan.rows[slot.row_id] = new


def _read(run: _Run, slot: Slot) -> _Row:
    """The row's data, Catatan, revision request and boxes, against what memory holds."""
    memory, cells = run.memory, slot.cells
    mem = memory.rows.get(slot.row_id)
    if mem is None and slot.twin_of:  # an exact copy carries on its original's state and ticks
        mem = twin_memory(memory.rows[slot.twin_of], slot.row_id, slot.index + 2, memory.opd, run.now, run.plan.events)
    texts, data = slot.texts, {}
    for key in f.DATA_FIELDS:  # a column that is gone keeps its remembered value: deleting a column is not an edit
        if key in texts:
            data[key] = texts[key]
        elif mem is not None and mem.data.get(key, ""):
            data[key] = mem.data[key]
    box_notes = dict(mem.box_notes) if mem else {}
    pending = memory.write_pending and mem is not None
    boxes, clears, kinds = read_boxes(cells, box_notes if pending else {},
                                      _kinds(mem) if pending else {}, slot.copied)  # type: ignore[arg-type]
    return _Row(mem, data, text(cells.get(f.CATATAN)),
                comments.revision_request(run.snapshot, slot.row, run.header, mem, run.witness.people),  # the Walidata's
                box_notes, boxes, clears, kinds, changed_fields(data, mem, f.DATA_FIELDS) if mem is not None else [])


def _kinds(mem: RowMemory) -> dict[str, ClearKind]:
    """The kinds of the remembered clears (an archive from before kinds were stored: told once from the reasons)."""
    return {k: ClearKind(v) for k, v in mem.clear_kinds.items()} if mem.clear_kinds else legacy_kinds(mem.box_notes)


def _walk_input(row: _Row) -> RowInput:
    mem = row.mem
    return RowInput(
        prev_state=mem.state if mem else None,
        boxes=row.boxes,
        prev_boxes=mem.boxes if mem else {},
        agreed_changed=tuple(BY_KEY[k].header for k in row.changed if k in f.AGREED_FIELDS),
        values_changed=tuple(BY_KEY[k].header for k in row.changed if k in f.VALUE_FIELDS),
        catatan=row.request.text if row.request else row.catatan,
        prev_catatan="" if row.request else (mem.catatan if mem else ""),
    )


def _archive(run: _Run, rid: str, row: _Row, state: str, nilai: float | None,
             transitions: list[Any]) -> tuple[str, str | None, int]:
    """(state, archived hash, version): a verified row is archived (once per content) and moves
    on to 10 Diarsip; the transition is added to ``transitions``."""
    before = row.mem.archived_hash if row.mem else None
    version = row.mem.archived_version if row.mem else 0
    if state not in (TERVERIFIKASI, DIARSIP):
        return state, before, version
    digest = content_hash(row.data)
    added = False
    if digest != before:
        version, added = archive_row(run.plan, rid, row.data, nilai, digest, run.ctx.archived, run.ctx.wilayah, run.now)
    reason = (f"Disimpan di basis data arsip (versi {version})" if added
              else f"Sudah tersimpan di arsip (versi {version})")
    if state == TERVERIFIKASI or digest != before:
        transitions.append((state, DIARSIP, reason))
    return DIARSIP, digest, version


def _audit(run: _Run, slot: Slot, row: _Row, state: str, transitions: list[Any]) -> None:
    """The row's events: its edits and state changes, each naming who caused it."""
    people, before = run.witness.people, row.mem.boxes if row.mem else {}
    unguarded = unprotected_walidata_ticks(run.snapshot, row.boxes, before, people)
    if unguarded:
        transitions = [(prev, to, mark(reason, unguarded)) for prev, to, reason in transitions]
    foreign = foreign_walidata_ticks(run.snapshot, row.boxes, before, people) if transitions else []
    if foreign:
        saved = run.snapshot.trail.saved_by if isinstance(run.snapshot.trail, ExcelTrail) else None
        transitions = [(prev, to, mark_foreign(reason, foreign, saved)) for prev, to, reason in transitions]
        writes = run.plan.writes
        writes.alarm = "\n".join(filter(None, (writes.alarm, alarm(slot.row_id, foreign, saved))))
    cells = slot.cells
    # the audit records the cells as people left them: what caused the change
    values = {**row.data, **{k: bool(parse_box(cells.get(k))) for k in box_labels()}, f.CATATAN: row.catatan} \
        if transitions else {}
    audit.record_row(run.plan, run.witness, slot.row_id, transitions, values, row.mem, row.data, cells, row.catatan,
                     state, run.now, run.memory.write_pending, row.changed,
                     author=row.request.who if row.request else None,
                     handed=handed_out(cells.get(f.HASIL)) if row.mem is None else None)


def _remember(run: _Run, slot: Slot, row: _Row, state: str, findings: list[Finding], transitions: list[Any],
              archived_hash: str | None, version: int) -> RowMemory:
    """The row's memory after this cycle; owned notes that differ are planned on the way."""
    mem, boxes, clears = row.mem, row.boxes, row.clears
    box_notes, kinds = _box_notes(row, slot, state, bool(transitions))
    ticked = [box_step(k) for k in box_labels() if boxes[k] and k not in clears]
    shown = visible(findings, state, ticked)
    moved = mem is None or state != mem.state or mem.removed
    return RowMemory(
        row_id=slot.row_id, state=state, data=row.data,
        boxes={k: boxes[k] and k not in clears for k in box_labels()},
        catatan=row.catatan, box_notes=box_notes, clear_kinds=kinds,
        notes=_notes(slot, run.header, shown, box_notes, mem, run.plan, run.memory.write_pending),
        findings=as_records(shown),
        updated_at=run.now if moved else mem.updated_at,  # type: ignore[union-attr]
        archived_hash=archived_hash, archived_version=version,
        removed=False, position=slot.index + 2,
    )


def _box_notes(row: _Row, slot: Slot, state: str, moved_on: bool) -> tuple[dict[str, str], dict[str, str]]:
    """Why each box was cleared (reason and kind), kept while it matters: a state change starts
    afresh, a box ticked again drops its reason, a withdrawn revision request takes its reasons along."""
    mem, box_notes, clears = row.mem, row.box_notes, row.clears
    kinds: dict[str, str] = dict(_kinds(mem)) if mem is not None else {}
    if moved_on and (mem is None or state != mem.state or mem.removed):
        box_notes, kinds = {}, {}
    for key in box_labels():
        if row.boxes[key] and key not in clears:
            box_notes.pop(key, None)
            kinds.pop(key, None)
    box_notes.update(clears)
    kinds.update(row.kinds)
    if not row.catatan:  # the Walidata withdrew the revision request: its notes go too
        box_notes = {k: v for k, v in box_notes.items() if kinds.get(k) != ClearKind.REVISION or k in clears}
    kinds = {k: str(v) for k, v in kinds.items() if k in box_notes}
    if slot.id_note:
        box_notes[f.ID] = slot.id_note
    return box_notes, kinds


def _write_cells(run: _Run, slot: Slot, new: RowMemory, clears: dict[str, str]) -> None:
    """Plan the row's system cells and cleared boxes, and fingerprint the row as that write
    leaves it, so the next cycle can skip it."""
    plan = run.plan
    before = len(plan.writes.cells)
    _cells(slot, run.header, new, run.ctx, clears, plan)
    if len(plan.writes.cells) == before:
        new.fingerprint = slot.fingerprint or raw_fingerprint(run.snapshot, slot.index, slot.values, run.poller_cols,
                                                              run.ctx.salt)
    else:
        after = list(slot.values)
        for w in plan.writes.cells[before:]:
            after.extend([None] * (w.col + 1 - len(after)))
            after[w.col] = w.value
        new.fingerprint = raw_fingerprint(run.snapshot, slot.index, after, run.poller_cols, run.ctx.salt)


def _notes(slot: Slot, header: HeaderMap, shown: list[Finding], box_notes: dict[str, str],
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


def _cells(slot: Slot, header: HeaderMap, row: RowMemory, ctx: Context, clears: dict[str, str],
           plan: Plan) -> None:
    wanted = {
        f.ID: row.row_id,
        f.STATUS: ctx.sop.label(row.state),
        f.HASIL: hasil_text(row),
        f.DIPERBARUI: _wib(row.updated_at) if row.updated_at else "",
    }
    for key, value in wanted.items():
        if key in header.columns and text(slot.cells.get(key)) != value:
            plan.writes.cells.append(CellWrite(slot.row, header.columns[key], value))
    for key in clears:
        plan.writes.cells.append(CellWrite(slot.row, header.columns[key], False))


def _clear_orphan(slot: Slot, header: HeaderMap, memory: TabMemory, plan: Plan) -> None:
    """A row emptied of data keeps no system cells or owned notes of ours."""
    for key in f.SYSTEM_FIELDS:
        if key in header.columns and text(slot.cells.get(key)):
            plan.writes.cells.append(CellWrite(slot.row, header.columns[key], ""))
    old = memory.rows.get(slot.row_id)
    if old is not None:
        for key in old.notes:
            if key in header.columns:
                plan.writes.notes.append(NoteWrite(slot.row, header.columns[key], None))
