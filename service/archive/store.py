"""The archive store: row memory, append-only audit and archive, poll cycles (SQLAlchemy 2).

What is shown or exported is read by service.archive.queries."""
from __future__ import annotations

import json
import re
from pathlib import Path
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Engine, and_, bindparam, create_engine, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from rules.fields import STANDAR_DATA
from rules.keys import History, item_key, rincian_key
from rules.sop import load_sop
from rules.wilayah import Wilayah
from service.archive import schema as t
from service.archive.queries import archive_query
from service.reconcile.plan import ArchiveRecord, Plan, RowMemory, TabMemory


MIGRATIONS = Path(__file__).with_name("migrations")


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` with the project's Alembic migrations."""
    from alembic import command
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


class SchemaOutdated(Exception):
    """A server database whose schema is older than this version of the product."""


def head_revision() -> str:
    """The newest migration, read from the files themselves: no Alembic import on every start."""
    revisions: set[str] = set()
    downs: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        revision = re.search(r"^revision\s*=\s*['\"]([^'\"]+)['\"]", source, re.M)
        down = re.search(r"^down_revision\s*=\s*['\"]([^'\"]+)['\"]", source, re.M)
        if revision:
            revisions.add(revision.group(1))
        if down:
            downs.add(down.group(1))
    heads = revisions - downs
    if len(heads) != 1:
        raise RuntimeError(f"migrations must have one head, found {sorted(heads)}")
    return heads.pop()


def schema_revision(engine: Engine) -> str | None:
    """The revision the database is at; None for an empty database."""
    from sqlalchemy import inspect, text

    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def make_engine(url: str, *, upgrade: bool | None = None) -> Engine:
    """Build the engine for an archive whose schema is current.

    A SQLite archive (a file in the workspace) is brought up to date on open. A server database
    (PostgreSQL, MariaDB) is migrated only when asked (``upgrade=True``: ``satudata init`` and
    ``satudata db upgrade``), so no poller or dashboard runs DDL on a shared server unasked;
    ``upgrade=False`` never migrates (the read-only dashboard). A current schema costs one query.
    """
    engine = create_engine(url, pool_pre_ping=True)
    if upgrade is None:
        upgrade = engine.dialect.name == "sqlite"
    current, head = schema_revision(engine), head_revision()
    if current != head:
        if not upgrade:
            engine.dispose()
            raise SchemaOutdated(f"skema arsip {'kosong' if current is None else 'versi ' + current} belum versi "
                                 f"terbaru ({head}); jalankan: satudata db upgrade")
        migrate(engine)
    return engine


def _row_values(row: RowMemory) -> dict[str, Any]:
    """A row's memory as the rows table stores it."""
    return {
        "state": row.state, "data": json.dumps(row.data, ensure_ascii=False),
        "boxes": json.dumps(row.boxes), "catatan": row.catatan,
        "box_notes": json.dumps(row.box_notes, ensure_ascii=False),
        "notes": json.dumps(row.notes, ensure_ascii=False),
        "findings": json.dumps(row.findings, ensure_ascii=False),
        "updated_at": _utc(row.updated_at), "archived_hash": row.archived_hash,
        "archived_version": row.archived_version, "removed": row.removed, "position": row.position,
        "fingerprint": row.fingerprint,
        "galat": sum(x["level"] == "galat" for x in row.findings),
        "peringatan": sum(x["level"] == "peringatan" for x in row.findings),
    }


def _utc(moment: datetime | None) -> datetime | None:
    """Stored as naive UTC, portable across SQLite, PostgreSQL and MariaDB."""
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def _aware(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.replace(tzinfo=timezone.utc)


def _token_out(token: Any) -> str | None:
    return None if token is None else json.dumps(token)


def _token_in(raw: str | None) -> Any:
    if raw is None:
        return None
    value = json.loads(raw)
    return tuple(value) if isinstance(value, list) else value


class LeaseLost(Exception):
    """This poller's lease ran out and another poller took the archive."""


class Store:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # --- tabs and row memory -------------------------------------------------
    def tokens(self, pending_as_none: bool = True) -> dict[str, Any]:
        """Last processed read token per OPD; None where a write is still pending (so it is read again)."""
        with self.engine.connect() as conn:
            return {r.opd: None if (r.write_pending and pending_as_none) else _token_in(r.token)
                    for r in conn.execute(select(t.tabs.c.opd, t.tabs.c.token, t.tabs.c.write_pending))}

    def load_tab(self, opd: str) -> TabMemory:
        with self.engine.connect() as conn:
            tab = conn.execute(select(t.tabs).where(t.tabs.c.opd == opd)).first()
            memory = TabMemory(opd)
            if tab is not None:
                memory = TabMemory(opd, tab.next_seq, {}, _token_in(tab.token), tab.write_pending,
                                   tab.confirm_removal, tab.status, tab.message, tab.header_note)
            for r in conn.execute(select(t.rows).where(t.rows.c.opd == opd)):
                memory.rows[r.row_id] = _row_memory(r)
        return memory

    def apply(self, plan: Plan, cycle_id: int | None, now: datetime, token: Any = None,
              lease: tuple[str, datetime] | None = None) -> int:
        """Commit one tab's plan in one transaction; returns the archive versions added.
        With ``lease`` (holder, until) the plan commits only while that holder still holds the
        poller lease, which this renews: a poller that lost it changes nothing."""
        added = 0
        with self.engine.begin() as conn:
            if lease is not None:
                holder, until = lease
                renewed = conn.execute(update(t.leases).where(t.leases.c.name == "poller", t.leases.c.holder == holder)
                                       .values(expires_at=_utc(until)))
                if renewed.rowcount != 1:
                    raise LeaseLost("Poller lain telah mengambil alih arsip ini; siklus dihentikan tanpa perubahan")
            self._upsert_tab(conn, plan, now, token)
            self._upsert_rows(conn, plan.opd, list(plan.rows.values()))
            if plan.rows:
                self._track_phase(conn, plan.opd, now)
            if plan.events:
                conn.execute(insert(t.events), [{
                    "cycle_id": cycle_id, "at": _utc(e.at), "opd": e.opd, "row_id": e.row_id,
                    "from_state": e.from_state, "to_state": e.to_state, "reason": e.reason,
                    "cell_values": json.dumps(e.values, ensure_ascii=False, default=str),
                    **_event_people(e),
                } for e in plan.events])
            added = self._archive(conn, plan.archive)
        return added

    @staticmethod
    def _archive(conn, records: list[ArchiveRecord]) -> int:
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
                **{k: data.get(k, "") for k in STANDAR_DATA}))
        if rows:
            conn.execute(insert(a), rows)
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

    def _track_phase(self, conn, opd: str, now: datetime) -> None:
        """Remember when the OPD's least advanced step changed: its deadline counts from there."""
        states = conn.execute(select(t.rows.c.state).distinct()
                              .where(t.rows.c.opd == opd, t.rows.c.removed.is_(False))).scalars().all()
        sop = load_sop()
        order = min((sop.states[s].order for s in states if s in sop.states), default=None)
        current = conn.execute(select(t.tabs.c.phase_order).where(t.tabs.c.opd == opd)).scalar()
        if order != current:
            conn.execute(update(t.tabs).where(t.tabs.c.opd == opd)
                         .values(phase_order=order, phase_started_at=_utc(now) if order is not None else None))
            conn.execute(insert(t.phases).values(opd=opd, at=_utc(now), phase_order=order))
        if order is not None:  # the first row seen starts the service clock unless a handout did
            conn.execute(update(t.tabs).where(t.tabs.c.opd == opd, t.tabs.c.handed_out_at.is_(None))
                         .values(handed_out_at=_utc(now)))

    def record_handout(self, opd: str, at: datetime) -> None:
        """The OPD's list was handed out (``satudata distribute``): its service clock starts at
        the earliest handout, or at its first row seen if that came first."""
        with self.engine.begin() as conn:
            done = conn.execute(update(t.tabs).where(t.tabs.c.opd == opd)
                                .where(or_(t.tabs.c.handed_out_at.is_(None), t.tabs.c.handed_out_at > _utc(at)))
                                .values(handed_out_at=_utc(at)))
            if done.rowcount == 0 and conn.execute(select(t.tabs.c.opd).where(t.tabs.c.opd == opd)).first() is None:
                conn.execute(insert(t.tabs).values(opd=opd, next_seq=1, status="ok", message="", write_pending=False,
                                                   confirm_removal=False, handed_out_at=_utc(at)))

    def phase_log(self, opd: str | None = None) -> dict[str, list[tuple[datetime, int | None]]]:
        """Each OPD's phase changes, oldest first: (moment, least advanced order or None)."""
        query = select(t.phases.c.opd, t.phases.c.at, t.phases.c.phase_order).order_by(t.phases.c.opd, t.phases.c.id)
        if opd:
            query = query.where(t.phases.c.opd == opd)
        out: dict[str, list] = {}
        with self.engine.connect() as conn:
            for r in conn.execute(query):
                out.setdefault(r.opd, []).append((_aware(r.at), r.phase_order))
        return out

    @staticmethod
    def _upsert_rows(conn, opd: str, rows: list[RowMemory]) -> None:
        """Every changed row of the tab in two statements (executemany): updates, then inserts."""
        if not rows:
            return
        existing = set(conn.execute(select(t.rows.c.row_id).where(t.rows.c.opd == opd)).scalars())
        updates, inserts = [], []
        for row in rows:
            values = _row_values(row)
            if row.row_id in existing:
                updates.append({"b_opd": opd, "b_row_id": row.row_id, **values})
            else:
                inserts.append({"opd": opd, "row_id": row.row_id, **values})
        if updates:
            keys = [k for k in updates[0] if not k.startswith("b_")]
            conn.execute(update(t.rows).where(t.rows.c.opd == bindparam("b_opd"),
                                              t.rows.c.row_id == bindparam("b_row_id"))
                         .values({k: bindparam(k) for k in keys}), updates)
        if inserts:
            conn.execute(insert(t.rows), inserts)

    def mark_written(self, opd: str, token: Any) -> None:
        with self.engine.begin() as conn:
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

    def confirm_removal(self, opd: str) -> bool:
        with self.engine.begin() as conn:
            done = conn.execute(update(t.tabs).where(t.tabs.c.opd == opd)
                                .values(confirm_removal=True, token=None))
            return done.rowcount > 0

    # --- the poller lease: one poller per archive -------------------------------
    def acquire_lease(self, holder: str, now: datetime, seconds: int, name: str = "poller") -> str | None:
        """Take or renew the lease. None when ``holder`` has it; else who holds it and until when."""
        until = _utc(now) + timedelta(seconds=seconds)
        claim = (update(t.leases).where(t.leases.c.name == name)
                 .where(or_(t.leases.c.holder == holder, t.leases.c.expires_at <= _utc(now)))
                 .values(holder=holder, expires_at=until))
        with self.engine.begin() as conn:
            if conn.execute(claim).rowcount == 1:
                return None
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(t.leases).values(name=name, holder=holder, acquired_at=_utc(now),
                                                     expires_at=until))
                return None
        except IntegrityError:
            pass
        with self.engine.connect() as conn:
            row = conn.execute(select(t.leases).where(t.leases.c.name == name)).first()
        if row is None or row.holder == holder:
            return None
        return f"{row.holder} (sampai {_aware(row.expires_at).isoformat(timespec='seconds')})"

    def take_lease(self, old: str, holder: str, now: datetime, seconds: int, name: str = "poller") -> bool:
        """Take the lease from a holder known to be dead (same machine, process gone)."""
        with self.engine.begin() as conn:
            done = conn.execute(update(t.leases).where(t.leases.c.name == name, t.leases.c.holder == old)
                                .values(holder=holder, acquired_at=_utc(now),
                                        expires_at=_utc(now) + timedelta(seconds=seconds)))
            return done.rowcount == 1

    def lease_holder(self, name: str = "poller") -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(select(t.leases.c.holder).where(t.leases.c.name == name)).scalar()

    def close_abandoned_cycles(self, now: datetime) -> None:
        """Cycles a killed poller left running: the lease holder knows they are over."""
        with self.engine.begin() as conn:
            conn.execute(update(t.cycles).where(t.cycles.c.status == "berjalan")
                         .values(status="terputus", finished_at=_utc(now)))

    def release_lease(self, holder: str, name: str = "poller") -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(t.leases).where(t.leases.c.name == name, t.leases.c.holder == holder))

    # --- cycles ----------------------------------------------------------------
    def start_cycle(self, now: datetime) -> int:
        with self.engine.begin() as conn:
            return conn.execute(insert(t.cycles).values(started_at=_utc(now), status="berjalan")).inserted_primary_key[0]

    def finish_cycle(self, cycle_id: int, now: datetime, **values: Any) -> None:
        if "errors" in values:
            values["errors"] = json.dumps(values["errors"], ensure_ascii=False)
        with self.engine.begin() as conn:
            conn.execute(update(t.cycles).where(t.cycles.c.id == cycle_id)
                         .values(finished_at=_utc(now), **values))

    # --- reading for checks (the dashboard and exports read service.archive.queries) --
    def history(self, opd: str, wilayah: Wilayah) -> History:
        out: History = {}
        with self.engine.connect() as conn:
            for r in conn.execute(select(t.archive.c.kode_data, t.archive.c.uraian_data, t.archive.c.rincian,
                                         t.archive.c.tahun, t.archive.c.nilai)
                                  .where(t.archive.c.opd == opd).order_by(t.archive.c.id)):
                if r.tahun is None or r.nilai is None:
                    continue
                key = (item_key(r.kode_data, r.uraian_data), rincian_key(r.rincian, wilayah))
                out.setdefault(key, []).append((r.tahun, r.nilai))
        return out

    def archived_data(self, opd: str) -> dict[str, tuple[int, str]]:
        """Each datum of the OPD -> (its latest version, that version's content hash)."""
        a = t.archive
        with self.engine.connect() as conn:
            return {r.datum: (r.version, r.content_hash)
                    for r in conn.execute(archive_query([a.c.datum, a.c.version, a.c.content_hash], False, opd))}


def _event_people(e) -> dict:
    """The audit columns of issue 9.2/9.3 (who, how known, and a value change's column/from/to)."""
    return {"kind": e.kind, "oleh": e.oleh or None, "bagaimana": e.bagaimana or None,
            "column_key": e.column, "old_value": e.old, "new_value": e.new}


def _row_memory(r) -> RowMemory:
    return RowMemory(
        row_id=r.row_id, state=r.state, data=json.loads(r.data), boxes=json.loads(r.boxes),
        catatan=r.catatan or "", box_notes=json.loads(r.box_notes), notes=json.loads(r.notes),
        findings=json.loads(r.findings), updated_at=_aware(r.updated_at), archived_hash=r.archived_hash,
        archived_version=r.archived_version, removed=bool(r.removed), position=r.position,
        fingerprint=r.fingerprint or "")


__all__ = ["Store", "make_engine", "IntegrityError"]

