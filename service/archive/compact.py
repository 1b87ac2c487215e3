"""Compact audit events (DECISIONS.md #65): an event's ``cell_values`` holds the whole row
only for the row's first snapshot; every later one holds the cells that changed since the row's
previous snapshot, from -> to, under one reserved key::

    {"kode_data": "...", "nilai": "", ...}     the whole row (as every event held before 0014)
    {"~":{"nilai":["","31"]}}                  the cells that changed; {"~":{}} none did
    {}                                         no snapshot (value changes, comments)

A row's snapshots are folded in event order (id): each whole row replaces what is known, each
change list is applied to it. A change list is written only when the row's cells are the same
keys in the same order as its previous snapshot, so folding gives back exactly the dict (and key
order) the old format held. Readers see whole rows as before (``resolve``); the hash chain covers
the stored text, so migration 0014 re-chains what it rewrites (``rewrite``).
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, DateTime, Integer, bindparam, insert, select, update
from sqlalchemy import column as sa_column, table as sa_table

from service.archive import schema as t
from service.archive.timestamps import to_db

MARK = "~"
EMPTY = "{}"
_full = json.JSONEncoder(ensure_ascii=False, default=str).encode  # the whole row, as the Store always wrote it
_delta = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
CHUNK = 500


def is_delta(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and MARK in value


def encode(base: dict | None, cells: dict) -> str:
    """``cells`` (JSON values) as stored after a row whose previous snapshot is ``base``."""
    if not cells:
        return EMPTY
    if not base or list(base) != list(cells):
        return _full(cells)
    return _delta({MARK: {k: [base[k], v] for k, v in cells.items() if base[k] != v or type(base[k]) is not type(v)}})


def decode(base: dict | None, stored: Any) -> dict:
    """The whole row an event's stored cells (text or parsed JSON) stand for, ``base`` the row's
    previous snapshot (None: none yet)."""
    value = json.loads(stored) if isinstance(stored, str) else stored
    if not is_delta(value):
        return value
    out = dict(base or {})
    for key, change in value[MARK].items():
        out[key] = change[-1]
    return out


class Folder:
    """The running snapshot of each row, fed the row's events in id order."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], dict] = {}

    def read(self, opd: str, row_id: str, stored: Any) -> dict:
        """The whole row of the next event of (opd, row_id); an empty snapshot leaves the fold as it is."""
        value = json.loads(stored) if isinstance(stored, str) else stored
        if not value:
            return {}
        cells = decode(self.rows.get((opd, row_id)), value)
        self.rows[(opd, row_id)] = cells
        return cells


def _snapshots(conn: Connection, pairs: Iterable[tuple[str, str]], upto: int | None = None):
    """(id, opd, row_id, cell_values) of every snapshot of these rows, in id order per row."""
    e = t.events.c
    by_opd: dict[str, list[str]] = {}
    for opd, row_id in sorted(set(pairs)):
        by_opd.setdefault(opd, []).append(row_id)
    for opd, rids in by_opd.items():
        for start in range(0, len(rids), CHUNK):
            query = (select(e.id, e.opd, e.row_id, e.cell_values)
                     .where(e.opd == opd, e.row_id.in_(rids[start:start + CHUNK]), e.cell_values != EMPTY)
                     .order_by(e.id))
            if upto is not None:
                query = query.where(e.id <= upto)
            yield from conn.execute(query)


def compact_events(conn: Connection, events: list[dict[str, Any]]) -> None:
    """The Store's events about to be inserted (``cell_values`` the whole row's JSON text), each
    rewritten in place as its changes against its row's previous snapshot."""
    wanted = [(ev["opd"], ev["row_id"]) for ev in events if ev["cell_values"] != EMPTY]
    if not wanted:
        return
    fold = Folder()
    for r in _snapshots(conn, wanted):
        fold.read(r.opd, r.row_id, r.cell_values)
    parsed: dict[str, dict] = {}  # a plan's events share their cell texts
    for ev in events:
        text = ev["cell_values"]
        if text == EMPTY:
            continue
        cells = parsed.get(text)
        if cells is None:
            cells = parsed[text] = json.loads(text)
        key = (ev["opd"], ev["row_id"])
        base = fold.rows.get(key)
        if base and list(base) == list(cells):  # else the whole row: the text as it is
            ev["cell_values"] = encode(base, cells)
        fold.rows[key] = cells


def resolve(conn: Connection, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Events as read (dicts with id, opd, row_id, cell_values as stored): each one's
    ``cell_values`` the whole row it stands for, folded from its row's earlier snapshots."""
    parsed = [json.loads(r["cell_values"]) if isinstance(r["cell_values"], str) else r["cell_values"]
              for r in records]
    pending = {(r["opd"], r["row_id"]) for r, v in zip(records, parsed) if is_delta(v)}
    if pending:
        fold = Folder()
        whole: dict[int, dict] = {}
        upto = max(r["id"] for r, v in zip(records, parsed) if is_delta(v))
        for s in _snapshots(conn, pending, upto):
            whole[s.id] = fold.read(s.opd, s.row_id, s.cell_values)
        parsed = [whole[r["id"]] if is_delta(v) else v for r, v in zip(records, parsed)]
    for r, v in zip(records, parsed):
        r["cell_values"] = v
    return records


# --- migration 0014: rewrite every event's cells, re-chain what changed --------------------------
BATCH = 1000


@dataclass
class Rewritten:
    """What a rewrite did: events read and rewritten, each re-chained chain's old and new head,
    and the chains left as they were because they did not verify before."""

    read: int = 0
    changed: int = 0
    heads: list[dict[str, Any]] = field(default_factory=list)
    left: list[dict[str, Any]] = field(default_factory=list)


def rewrite(conn: Connection, compact: bool = True) -> Rewritten:
    """Every event's cells stored compact (``compact``) or whole (the downgrade), OPD by OPD and
    page by page (never the whole table in memory), and every audit chain re-chained over the new
    text, its head moved. A chain that does not verify before (a record changed, missing, or out
    of id order) is left exactly as it is, so verify-archive still names the same break; its
    events keep their whole rows, which a fold reads as well."""
    from service.archive import chain

    fields = chain.EVENT_FIELDS
    names = ["id", *(n for n, _ in fields if not n.startswith("chain_")), "chain_year", "chain_seq", "chain_hash",
             "chain_fields"]
    types = {"id": Integer(), "chain_year": Integer(), "chain_seq": Integer(),
             **{n: chain._TYPES[k]() for n, k in fields}}
    ev = sa_table("events", *(sa_column(n, types.get(n)) for n in names))
    heads = sa_table("chains", sa_column("opd"), sa_column("tahun", Integer()), sa_column("jenis"),
                     sa_column("seq", Integer()), sa_column("head"))
    col = ev.c
    out = Rewritten()
    for opd in list(conn.execute(select(col.opd).distinct().order_by(col.opd)).scalars()):
        kept = _disordered(conn, ev, opd)
        recorded = {r.tahun: (r.seq, r.head) for r in conn.execute(
            select(heads.c.tahun, heads.c.seq, heads.c.head).where(heads.c.opd == opd, heads.c.jenis == "audit"))}
        state: dict[int, list] = {}  # chain year -> [seq, old prev, new prev, broken]
        fold: dict[str, dict] = {}
        last = 0
        while True:
            page = conn.execute(select(*(col[n] for n in names)).where(col.opd == opd, col.id > last)
                                .order_by(col.id).limit(BATCH)).all()
            if not page:
                break
            last = page[-1].id
            out.read += len(page)
            updates = []
            for r in page:
                rec = dict(r._mapping)
                year = rec["chain_year"]
                chained = rec["chain_seq"] is not None
                st = state.setdefault(year, [0, chain.GENESIS, chain.GENESIS, year in kept]) if chained else None
                if st is not None and not st[3]:
                    old_values = chain._values(rec, fields)
                    if rec["chain_seq"] != st[0] + 1 or chain._digest(st[1], old_values) != rec["chain_hash"]:
                        st[3] = True  # broken before: this chain stays as it was from here on
                text = rec["cell_values"]
                cells = {}
                if text != EMPTY:
                    cells = decode(fold.get(rec["row_id"]), text)
                keep = st is not None and st[3]
                new_text = text if keep or text == EMPTY else (
                    encode(fold.get(rec["row_id"]), cells) if compact else _full(cells))
                if cells:
                    fold[rec["row_id"]] = cells
                if st is None:
                    if new_text != text:
                        updates.append({"b_id": rec["id"], "cell_values": new_text,
                                        "chain_hash": rec["chain_hash"], "chain_fields": rec["chain_fields"]})
                    continue
                if keep:
                    continue
                st[0], st[1] = rec["chain_seq"], rec["chain_hash"]
                rec["cell_values"] = new_text
                values = chain._values(rec, fields)
                digest = chain._digest(st[2], values)
                st[2] = digest
                if new_text != text or digest != rec["chain_hash"]:
                    updates.append({"b_id": rec["id"], "cell_values": new_text, "chain_hash": digest,
                                    "chain_fields": chain._field_digests(values)})
            if updates:
                conn.execute(update(ev).where(col.id == bindparam("b_id")).values(
                    cell_values=bindparam("cell_values"), chain_hash=bindparam("chain_hash"),
                    chain_fields=bindparam("chain_fields")), updates)
                out.changed += len(updates)
        for year, (seq, old_prev, new_prev, broken) in sorted(state.items()):
            if broken or recorded.get(year) != (seq, old_prev):
                out.left.append({"opd": opd, "tahun": year})  # a chain that did not hold before is left to say so
                continue
            if new_prev != old_prev:
                conn.execute(update(heads).where(heads.c.opd == opd, heads.c.tahun == year,
                                                 heads.c.jenis == "audit").values(head=new_prev))
                out.heads.append({"opd": opd, "tahun": year, "panjang": seq, "kepala_lama": old_prev,
                                  "kepala_baru": new_prev})
    return out


def record(conn: Connection, done: Rewritten, revision: str, now: datetime) -> None:
    """The rewrite kept among the verification runs (the archive's note about itself): each
    re-chained chain's old and new head, so a head printed before (a Berita Acara, a backup
    manifest, an evidence pack) can still be traced to the chain as it is now."""
    runs = sa_table("verifications", sa_column("at", DateTime()), sa_column("utuh"), sa_column("rekaman", Integer()),
                    sa_column("pesan"), sa_column("hasil"))
    message = (f"Migrasi {revision}: isi sel peristiwa disimpan ringkas, {len(done.heads)} rantai peristiwa "
               f"dihitung ulang (kepala lama dan baru dicatat)")
    if done.left:
        message += f"; {len(done.left)} rantai yang sudah rusak sebelumnya dibiarkan apa adanya"
    conn.execute(insert(runs).values(
        at=to_db(now), utuh=not done.left, rekaman=done.read, pesan=message,
        hasil=json.dumps({"migrasi": revision, "peristiwa_diubah": done.changed, "rantai": done.heads,
                          "dibiarkan": done.left}, ensure_ascii=False)))


def _disordered(conn: Connection, ev, opd: str) -> set[int]:
    """The OPD's chain years whose records, in id order, do not run 1, 2, 3...: left as they are."""
    col = ev.c
    seen: dict[int, int] = {}
    bad: set[int] = set()
    query = (select(col.chain_year, col.chain_seq).where(col.opd == opd, col.chain_seq.is_not(None))
             .order_by(col.id).execution_options(yield_per=5000))  # the statement's, not the connection's
    for year, seq in conn.execute(query):
        if seq != seen.get(year, 0) + 1:
            bad.add(year)
        seen[year] = seq
    return bad
