"""The archive store: each tab's row memory and its one-transaction writes (rows, audit events,
append-only archive versions), with the archive's other rooms at hand: the poller lease
(``lease``), the cycle log (``cycle_log``), the service-standard clocks (``phases``) and what
the archive already holds for the reconcile (``history``). SQLAlchemy 2 Core. What is shown or
exported is read by service.archive.queries."""
from __future__ import annotations

import json
from datetime import datetime
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, and_, bindparam, func, insert, or_, select, update

from rules.fields import STANDAR_DATA
from service.archive import chain, phases, schema as t, texts
from service.archive.bulk import execute_many
from service.archive.compact import compact_events
from service.archive.cycles import CycleLog
from service.archive.engine import SchemaOutdated, make_engine
from service.archive.history import ArchiveHistory
from service.archive.lease import Lease, renew
from service.archive.phases import Phases
from service.archive.timestamps import from_db as _aware, to_db as _utc
from service.reconcile.plan import ArchiveRecord, Plan, RowMemory, TabMemory, TabStatus


# One encoder each: json.dumps with options builds a new encoder per call.
_json = json.JSONEncoder(ensure_ascii=False).encode
_json_any = json.JSONEncoder(ensure_ascii=False, default=str).encode


def _row_values(row: RowMemory) -> dict[str, Any]:
    """A row's memory as the rows table stores it."""
    findings = row.findings
    return {
        "state": row.state, "data": _json(row.data),
        "boxes": json.dumps(row.boxes), "catatan": row.catatan,
        "box_notes": _json(box_notes_record(row.box_notes, row.clear_kinds)) if row.box_notes else "{}",
        "notes": _json(row.notes) if row.notes else "{}",
        "findings": _json(findings) if findings else "[]",
        "updated_at": _utc(row.updated_at), "archived_hash": row.archived_hash,
        "archived_version": row.archived_version, "removed": row.removed, "position": row.position,
        "fingerprint": row.fingerprint,
        "galat": sum(x["level"] == "galat" for x in findings),
        "peringatan": sum(x["level"] == "peringatan" for x in findings),
    }


def _event_rows(events: list, cycle_id: int | None) -> list[dict[str, Any]]:
    """The events table's rows; a plan's events share moments and cell dicts, encoded once each."""
    moments: dict[int, datetime | None] = {}
    cells: dict[int, str] = {}
    out = []
    for e in events:
        at = moments.get(id(e.at))
        if at is None:
            at = moments[id(e.at)] = _utc(e.at)
        values = cells.get(id(e.values))
        if values is None:
            values = cells[id(e.values)] = _json_any(e.values)
        out.append({"cycle_id": cycle_id, "at": at, "opd": e.opd, "row_id": e.row_id,
                    "from_state": e.from_state, "to_state": e.to_state, "reason": e.reason,
                    "cell_values": values, "kind": e.kind, "oleh": e.oleh or None,
                    "bagaimana": e.bagaimana or None, "column_key": e.column, "old_value": e.old,
                    "new_value": e.new})
    return out


def _token_out(token: Any) -> str | None:
    return None if token is None else json.dumps(token)


def _token_in(raw: str | None) -> Any:
    if raw is None:
        return None
    value = json.loads(raw)
    return tuple(value) if isinstance(value, list) else value


class Store:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.lease = Lease(engine)
        self.cycle_log = CycleLog(engine)
        self.phases = Phases(engine)
        self.history = ArchiveHistory(engine)

    # --- tabs and row memory -------------------------------------------------
    def tokens(self, pending_as_none: bool = True) -> dict[str, Any]:
        """Last processed read token per OPD; None where a write is still pending (so it is read again)."""
        with self.engine.connect() as conn:
            return {r.opd: None if (r.write_pending and pending_as_none) else _token_in(r.token)
                    for r in conn.execute(select(t.tabs.c.opd, t.tabs.c.token, t.tabs.c.write_pending))}

    def load_tab(self, opd: str, later: bool = False) -> TabMemory:
        """A tab's memory. ``later``: only what tells each row's identity and whether it is as our
        last write left it (ID, removed, fingerprint, archived version) is read now; the rest of a
        row is read on first use, in one query for the IDs given to ``memory.prefetch`` (DECISIONS.md
        #156). For a caller that reads the memory before it changes the tab's rows (the poller's
        cycle: load, reconcile, apply); ``apply`` reads what its plan's rows still owe before it writes."""
        if later:
            return self._load_later(opd)
        with self.engine.connect() as conn:
            tab = conn.execute(select(t.tabs).where(t.tabs.c.opd == opd)).first()
            memory = TabMemory(opd)
            if tab is not None:
                memory = TabMemory(opd, tab.next_seq, {}, _token_in(tab.token), tab.write_pending,
                                   tab.confirm_removal, tab.status, tab.message, tab.header_note)
            rows = memory.rows
            c = t.rows.c
            # one fetch, not one a row; the plain columns by position: a Row's attribute lookup cost
            # more than the rest of building the row (DECISIONS.md #155)
            for r in conn.execute(select(*(c[name] for name in _REMEMBERED)).where(c.opd == opd)).all():
                rows[r[0]] = _remembered(r, *r[:_PLAIN])
        return memory

    def _load_later(self, opd: str) -> TabMemory:
        memory = TabMemory(opd)
        c = t.rows.c
        with self.engine.connect() as conn:
            tab = conn.execute(select(t.tabs).where(t.tabs.c.opd == opd)).first()
            if tab is not None:
                memory = TabMemory(opd, tab.next_seq, {}, _token_in(tab.token), tab.write_pending,
                                   tab.confirm_removal, tab.status, tab.message, tab.header_note)
            found = conn.execute(select(c.row_id, c.removed, c.fingerprint, c.archived_version)
                                 .where(c.opd == opd)).all()
        rows, new = memory.rows, RowMemory.__new__
        later = _Later(self.engine, opd, rows)
        owed = (later.fill, _DEFERRED)  # RowMemory.__getattr__ calls fill(row) on a deferred field's first read
        for r in found:
            row = new(RowMemory)
            row.__dict__ = {"row_id": r[0], "removed": bool(r[1]), "fingerprint": r[2] or "", "archived_version": r[3],
                            "_later": owed}
            rows[r[0]] = row
        memory.prefetch = later.fetch
        return memory

    def apply(self, plan: Plan, cycle_id: int | None, now: datetime, token: Any = None,
              lease: tuple[str, datetime] | None = None, year: int | None = None) -> int:
        """Commit one tab's plan in one transaction; returns the archive versions added.
        With ``lease`` (holder, until) the plan commits only while that holder still holds the
        poller lease, which this renews: a poller that lost it changes nothing. Events and
        versions join their OPD's hash chains of ``year`` (the workspace year; default now's):
        chain.ChainBroken, and nothing is committed, when the tail they join no longer holds."""
        added = 0
        year = year or now.year
        # before the transaction: a row loaded with load_tab(later=True) reads what it still owes
        # here, never beside an open write (DECISIONS.md #156)
        values = [(row.row_id, _row_values(row)) for row in plan.rows.values()]
        with self.engine.begin() as conn:
            if lease is not None:
                renew(conn, *lease)
            self._upsert_tab(conn, plan, now, token)
            self._upsert_rows(conn, plan.opd, values)
            if plan.rows:
                phases.track(conn, plan.opd, now)
            events = _event_rows(plan.events, cycle_id)
            compact_events(conn, events)  # each later snapshot of a row: only its changed cells
            chain.append(conn, "audit", year, events, now)
            texts.refer(conn, events)  # the repeated texts by reference (DECISIONS.md #151)
            execute_many(conn, "events", lambda: insert(t.events), events)
            added = self._archive(conn, plan.archive, year, now)
            self._metadata(conn, plan.metadata, now)
        return added

    @staticmethod
    def _metadata(conn, records: list, now: datetime) -> None:
        """A new version of each Metadata block whose content differs from its latest version. Every
        read of a tab with a Metadata tab offers its archived items' blocks (DECISIONS.md #75), so
        the latest versions are read in one query per OPD, and only changed blocks are inserted."""
        m = t.metadata_versions
        latest: dict[tuple[str, str], tuple[int, str]] = {}
        for opd in sorted({rec.opd for rec in records}):
            keys = sorted({rec.key for rec in records if rec.opd == opd})
            for start in range(0, len(keys), 500):
                for r in conn.execute(select(m.c.block, m.c.version, m.c.content_hash)
                                      .where(m.c.opd == opd, m.c.block.in_(keys[start:start + 500]))):
                    if (opd, r.block) not in latest or r.version > latest[opd, r.block][0]:
                        latest[opd, r.block] = (r.version, r.content_hash)
        for rec in records:
            version, content_hash = latest.get((rec.opd, rec.key), (0, None))
            if content_hash == rec.content_hash:
                continue
            latest[rec.opd, rec.key] = (version + 1, rec.content_hash)
            conn.execute(insert(m).values(opd=rec.opd, block=rec.key, version=version + 1,
                                          jenis=rec.jenis, kunci=rec.kunci,
                                          isi=json.dumps(rec.values, ensure_ascii=False),
                                          content_hash=rec.content_hash, archived_at=_utc(now)))

    @staticmethod
    def _archive(conn, records: list[ArchiveRecord], year: int, now: datetime) -> int:
        """Append a version of each record's datum unless its latest version holds this content:
        the latest versions are read in a few queries and the new ones inserted in one executemany."""
        if not records:
            return 0
        a = t.archive
        latest: dict[tuple[str, str], tuple[int, str]] = {}
        keys = sorted({(rec.opd, rec.datum) for rec in records})
        for opd in sorted({o for o, _ in keys}):
            datums = [d for o, d in keys if o == opd]
            for start in range(0, len(datums), 500):
                chunk = datums[start:start + 500]
                newest = (select(a.c.datum, func.max(a.c.version).label("v"))
                          .where(a.c.opd == opd, a.c.datum.in_(chunk)).group_by(a.c.datum).subquery())
                for r in conn.execute(select(a.c.datum, a.c.version, a.c.content_hash)
                                      .join(newest, and_(a.c.datum == newest.c.datum, a.c.version == newest.c.v))
                                      .where(a.c.opd == opd)):
                    latest[(opd, r.datum)] = (r.version, r.content_hash)
        rows = []
        for rec in records:
            version, digest = latest.get((rec.opd, rec.datum), (0, None))
            if digest == rec.content_hash:
                continue  # idempotent: the datum's latest version already holds this content
            latest[(rec.opd, rec.datum)] = (version + 1, rec.content_hash)
            data = rec.data
            rows.append(dict(
                opd=rec.opd, row_id=rec.row_id, version=version + 1,
                kode_data=data.get("kode_data", ""), uraian_data=data.get("uraian_data", ""),
                rincian=data.get("rincian", ""), satuan=data.get("satuan", ""),
                tahun=rec.tahun, nilai=rec.nilai, nilai_teks=data.get("nilai", ""),
                keterangan=data.get("keterangan", ""), content_hash=rec.content_hash,
                verified_at=_utc(rec.verified_at), archived_at=_utc(rec.archived_at),
                datum=rec.datum, item_key=rec.item_key, rincian_key=rec.rincian_key, kode_wilayah=rec.kode_wilayah,
                kode_wilayah_versi=rec.kode_wilayah_versi,
                status_nilai=rec.status_nilai, **{k: data.get(k, "") for k in STANDAR_DATA}))
        chain.append(conn, "arsip", year, rows, now)
        execute_many(conn, "archive", lambda: insert(a), rows)
        return len(rows)

    def _upsert_tab(self, conn, plan: Plan, now: datetime, token: Any) -> None:
        values = {"next_seq": plan.next_seq, "status": plan.status, "message": plan.message,
                  "header_note": plan.header_note, "checked_at": _utc(now),
                  "write_pending": bool(plan.writes)}
        if not plan.writes:
            values["token"] = _token_out(token)
        if plan.confirm_removal_used:
            values["confirm_removal"] = False
        done = conn.execute(update(t.tabs).where(t.tabs.c.opd == plan.opd).values(**values))
        if done.rowcount == 0:
            conn.execute(insert(t.tabs).values(opd=plan.opd, confirm_removal=False,
                                               token=values.pop("token", None), **values))

    @staticmethod
    def _upsert_rows(conn, opd: str, rows: list[tuple[str, dict[str, Any]]]) -> None:
        """Every changed row of the tab (ID, _row_values) in two statements (executemany): updates,
        then inserts."""
        if not rows:
            return
        # which of these rows the archive holds, asked by their IDs: not every row of the tab (#156)
        ids = [row_id for row_id, _ in rows]
        existing: set[str] = set()
        for start in range(0, len(ids), 500):
            existing.update(conn.execute(select(t.rows.c.row_id).where(
                t.rows.c.opd == opd, t.rows.c.row_id.in_(ids[start:start + 500]))).scalars())
        updates, inserts = [], []
        for row_id, values in rows:
            if row_id in existing:
                updates.append({"b_opd": opd, "b_row_id": row_id, **values})
            else:
                inserts.append({"opd": opd, "row_id": row_id, **values})
        if updates:
            keys = [k for k in updates[0] if not k.startswith("b_")]
            execute_many(conn, "rows update", lambda: update(t.rows).where(
                t.rows.c.opd == bindparam("b_opd"), t.rows.c.row_id == bindparam("b_row_id"))
                .values({k: bindparam(k) for k in keys}), updates)
        execute_many(conn, "rows insert", lambda: insert(t.rows), inserts)

    def mark_written(self, tokens: dict[str, Any]) -> None:
        """Each tab's write arrived, with the token it left: one transaction for a cycle's writes (a
        crash before it only makes the next cycle read and write those tabs again)."""
        if not tokens:
            return
        with self.engine.begin() as conn:
            for opd, token in tokens.items():
                conn.execute(update(t.tabs).where(t.tabs.c.opd == opd)
                             .values(write_pending=False, token=_token_out(token)))

    def set_tab_problem(self, opd: str, status: str, message: str, now: datetime) -> None:
        """A tab that could not be read: forget its token, so the next cycle looks for it afresh."""
        with self.engine.begin() as conn:
            done = conn.execute(update(t.tabs).where(t.tabs.c.opd == opd)
                                .values(status=status, message=message, checked_at=_utc(now), token=None))
            if done.rowcount == 0:
                conn.execute(insert(t.tabs).values(opd=opd, next_seq=1, status=status, message=message,
                                                   write_pending=False, confirm_removal=False,
                                                   checked_at=_utc(now)))

    def defer_tab(self, opd: str, message: str, now: datetime) -> None:
        """A changed tab left for the next cycle by Google's quota: its token stays (the change is still
        ahead of it); a tab held for another reason keeps that status and message."""
        with self.engine.begin() as conn:
            done = conn.execute(update(t.tabs).where(t.tabs.c.opd == opd).where(
                or_(t.tabs.c.status.is_(None), t.tabs.c.status.in_((TabStatus.OK, TabStatus.DEFERRED))))
                .values(status=TabStatus.DEFERRED, message=message, checked_at=_utc(now)))
            if done.rowcount == 0 and conn.execute(select(t.tabs.c.opd).where(t.tabs.c.opd == opd)).first() is None:
                conn.execute(insert(t.tabs).values(opd=opd, next_seq=1, status=TabStatus.DEFERRED, message=message,
                                                   write_pending=False, confirm_removal=False,
                                                   checked_at=_utc(now)))

    def confirm_removal(self, opd: str) -> bool:
        with self.engine.begin() as conn:
            done = conn.execute(update(t.tabs).where(t.tabs.c.opd == opd)
                                .values(confirm_removal=True, token=None))
            return done.rowcount > 0



KINDS = "~jenis"  # inside the box_notes record: box key -> the kind of its clear


def box_notes_record(notes: dict[str, str], kinds: dict[str, str]) -> dict[str, Any]:
    """The rows.box_notes JSON: the reasons by box, and their kinds under one reserved key."""
    return {**notes, KINDS: kinds} if kinds else notes


def box_notes_of(text: str) -> dict[str, Any]:
    """RowMemory's box_notes and clear_kinds from the rows.box_notes JSON."""
    notes = json.loads(text)
    return {"clear_kinds": notes.pop(KINDS, None) or {}, "box_notes": notes}


_DECODED: dict[str, tuple[Callable[[Any], Any], str]] = {
    "data": (json.loads, "data"), "boxes": (json.loads, "boxes"), "notes": (json.loads, "notes"),
    "findings": (json.loads, "findings"),
    "box_notes": (lambda text: box_notes_of(text)["box_notes"], "box_notes"),
    "clear_kinds": (lambda text: box_notes_of(text)["clear_kinds"], "box_notes")}
# updated_at is set at once: a field with a plain class default (None) is found on the class, so a
# lazy lookup (RowMemory.__getattr__) would never run for it and the row would read as never updated.


# the columns load_tab reads: the plain ones first (set at once), then the JSON ones _DECODED reads
_REMEMBERED = ("row_id", "state", "catatan", "updated_at", "archived_hash", "archived_version", "removed",
               "position", "fingerprint", "data", "boxes", "notes", "findings", "box_notes")
_PLAIN = 9


def _same(value: Any) -> Any:
    return value


# load_tab(later=True): every field but the four read at once is read on first use
_DEFERRED: dict[str, tuple[Callable[[Any], Any], str]] = {
    **_DECODED, "state": (_same, "state"), "catatan": (lambda value: value or "", "catatan"),
    "updated_at": (_aware, "updated_at"), "archived_hash": (_same, "archived_hash"), "position": (_same, "position")}
_LATER = ("row_id", "state", "catatan", "updated_at", "archived_hash", "position", "data", "boxes", "notes",
          "findings", "box_notes")
_PLAIN_LATER = tuple((name, _LATER.index(name), _DEFERRED[name][0])
                     for name in ("state", "catatan", "updated_at", "archived_hash", "position"))
_MISSES = 16  # rows read one at a time before the rest of the tab is read at once


class _Later:
    """The deferred columns of one tab's remembered rows: read for the IDs a cycle names
    (``fetch``), else one row at a time on first use; after ``_MISSES`` such reads, every row
    not read yet at once (a caller that walks every row pays two queries, not thousands)."""

    def __init__(self, engine: Engine, opd: str, memory: dict[str, RowMemory]) -> None:
        self.engine, self.opd, self.memory = engine, opd, memory
        self.rows: dict[str, Any] = {}
        self.misses = 0

    def fetch(self, ids: Any) -> None:
        wanted = [rid for rid in dict.fromkeys(ids) if rid not in self.rows]
        if not wanted:
            return
        c = t.rows.c
        with self.engine.connect() as conn:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start:start + 500]
                query = select(*(c[name] for name in _LATER)).where(c.opd == self.opd)
                query = query.where(c.row_id == chunk[0]) if len(chunk) == 1 else query.where(c.row_id.in_(chunk))
                for r in conn.execute(query):
                    self.rows[r[0]] = r
                    row = self.memory.get(r[0])
                    if row is not None and "_later" in row.__dict__:
                        _settle(row, r)

    def fill(self, row: RowMemory) -> None:
        """RowMemory's first read of a deferred field: the stored row is read (alone, or with every
        row not read yet after ``_MISSES`` such reads) and the row's fields are set from it."""
        found = self.rows.get(row.row_id)
        if found is None:
            self.misses += 1
            self.fetch(self.memory if self.misses > _MISSES else (row.row_id,))
            found = self.rows.get(row.row_id)
            if found is None:
                raise LookupError(f"baris {row.row_id} ({self.opd}) tidak lagi ada di arsip")
        if "_later" in row.__dict__:  # a copy of a remembered row, or the row itself
            _settle(row, found)


def _settle(row: RowMemory, stored: Any) -> None:
    """The remembered row becomes what load_tab's full read makes of it: its plain fields set (unless
    assigned since), its JSON ones decoded from the stored row on first use."""
    fields = row.__dict__
    del fields["_later"]
    for name, at, convert in _PLAIN_LATER:
        if name not in fields:
            fields[name] = convert(stored[at])
    fields["_lazy"] = (stored, _DECODED)


def _row_memory(r) -> RowMemory:
    """The remembered row; its JSON columns are decoded only when the cycle reads them."""
    return _remembered(r, *(getattr(r, name) for name in _REMEMBERED[:_PLAIN]))


def _remembered(source: Any, row_id: str, state: str, catatan: str | None, updated_at: datetime | None,
                archived_hash: str | None, archived_version: int, removed: Any, position: int,
                fingerprint: str | None) -> RowMemory:
    return RowMemory.lazy(
        source, _DECODED, row_id=row_id, state=state, catatan=catatan or "", updated_at=_aware(updated_at),
        archived_hash=archived_hash, archived_version=archived_version, removed=bool(removed), position=position,
        fingerprint=fingerprint or "")


# The archive is opened as Store(make_engine(url)); SchemaOutdated is what that may raise.
__all__ = ["Store", "make_engine", "SchemaOutdated"]

