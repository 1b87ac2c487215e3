"""The archive's read models: what the dashboard, the exports, the CLI and publishing read.

Read-only (never a write, never DDL), so the dashboard can run on a connection that may only
SELECT. The Store keeps the poller's writes and the reads a cycle decides with; everything
shown or exported is read here, as plain dicts, in pages or aggregates where a table is large.
"""
from __future__ import annotations

import json
from typing import Iterable, Iterator

from sqlalchemy import Engine, and_, exists, func, select

from rules.fields import STANDAR_DATA
from rules.findings import GALAT, PERINGATAN
from service.archive import schema as t, texts
from service.archive.compact import resolve
from service.archive.store import box_notes_of
from service.archive.timestamps import from_db as _aware

# A row's data in the order of their years, each datum's versions in order (id breaks ties).
ARCHIVE_ORDER = (t.archive.c.opd, t.archive.c.row_id, t.archive.c.tahun, t.archive.c.version, t.archive.c.id)


def archive_query(columns, all_versions: bool, opd: str | None):
    """The archive records to export; the latest version is the one without a newer one of its
    datum, which the (opd, datum, version) unique index answers record by record."""
    a = t.archive
    query = select(*columns).select_from(a)
    if not all_versions:
        newer = t.archive.alias("newer")
        query = query.where(~select(newer.c.id).where(newer.c.opd == a.c.opd, newer.c.datum == a.c.datum,
                                                      newer.c.version > a.c.version).exists())
    return query.where(a.c.opd == opd) if opd else query


def archive_record(r) -> dict:
    """One export record (DECISIONS.md #20): the twelve agreed keys, then the datum's place and Standar Data."""
    return {"opd": r.opd, "id": r.row_id, "kode_data": r.kode_data, "uraian_data": r.uraian_data,
            "rincian": r.rincian, "satuan": r.satuan, "tahun": r.tahun, "nilai": r.nilai,
            "keterangan": r.keterangan, "versi": r.version,
            "diverifikasi_pada": _aware(r.verified_at).isoformat(),
            "diarsip_pada": _aware(r.archived_at).isoformat(),
            "kode_wilayah": r.kode_wilayah, **{k: getattr(r, k) for k in STANDAR_DATA},
            "status_nilai": r.status_nilai or "",
            "kode_wilayah_versi": r.kode_wilayah_versi}


def _row(r) -> dict:
    """A remembered row as the read models show it (the RowMemory fields, plus its OPD)."""
    return {"opd": r.opd, "row_id": r.row_id, "state": r.state, "data": json.loads(r.data),
            "boxes": json.loads(r.boxes), "catatan": r.catatan or "", **box_notes_of(r.box_notes),
            "notes": json.loads(r.notes), "findings": json.loads(r.findings), "updated_at": _aware(r.updated_at),
            "archived_hash": r.archived_hash, "archived_version": r.archived_version, "removed": bool(r.removed),
            "position": r.position, "fingerprint": r.fingerprint or ""}


def _finding_row(r) -> dict:
    """A live row as the findings read models show it."""
    return {"opd": r.opd, "row_id": r.row_id, "state": r.state, "data": json.loads(r.data),
            "findings": json.loads(r.findings), "updated_at": _aware(r.updated_at)}


def _events(conn, query) -> list[dict]:
    """Events as read (a ``texts.joined`` query), each with its texts and its cell values the
    whole row (service.archive.compact folds them)."""
    return resolve(conn, [{**row, "at": _aware(row["at"])} for row in map(texts.logical, conn.execute(query))])


def _of_tabs(query, opd: str | None, kodes: Iterable[str] | None):
    """``query`` narrowed to one tab's rows, or to the tabs ``kodes``: a closed year's rows stay
    in ``rows`` under their year record ("DINKES 2025"), so the open year's aggregates name its
    tabs and the ix_rows_* indexes read only those (DECISIONS.md #140)."""
    if opd:
        return query.where(t.rows.c.opd == opd)
    if kodes is not None:
        return query.where(t.rows.c.opd.in_(sorted(set(kodes))))
    return query


class Queries:
    """Read models over one archive engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # --- tabs, rows and events ----------------------------------------------------------
    def tabs(self) -> list[dict]:
        with self.engine.connect() as conn:
            return [{**r._mapping, "checked_at": _aware(r.checked_at), "phase_started_at": _aware(r.phase_started_at),
                     "handed_out_at": _aware(r.handed_out_at)}
                    for r in conn.execute(select(t.tabs))]

    def tab_rows(self, opd: str | None = None) -> list[dict]:
        """Every remembered row (removed ones too), in sheet order per OPD."""
        query = select(t.rows)
        if opd:
            query = query.where(t.rows.c.opd == opd)
        with self.engine.connect() as conn:
            return [_row(r) for r in conn.execute(query.order_by(t.rows.c.opd, t.rows.c.position))]

    def tab_row(self, opd: str, row_id: str) -> dict | None:
        """One remembered row as tab_rows gives it (None: the tab holds no such row)."""
        with self.engine.connect() as conn:
            found = conn.execute(select(t.rows).where(t.rows.c.opd == opd, t.rows.c.row_id == row_id)).first()
        return _row(found) if found is not None else None

    def closed_tab_row(self, opd: str, row_id: str) -> dict | None:
        """A row of one of the OPD's closed years, kept under its year record ("DINKES 2025",
        DECISIONS.md #140), as tab_row gives it; the newest year's when several hold it."""
        r = t.rows
        query = (select(r).where(r.c.row_id == row_id, r.c.opd.startswith(f"{opd} ", autoescape=True))
                 .order_by(r.c.opd.desc()).limit(1))
        with self.engine.connect() as conn:
            found = conn.execute(query).first()
        return _row(found) if found is not None else None

    def row_checks(self, opd: str | None = None) -> dict[tuple[str, str], tuple[str, int, int, bool]]:
        """(opd, row_id) -> (state, galat, peringatan, removed) of every remembered row (of one OPD):
        what the public is told about the checks of a published value."""
        r = t.rows
        query = select(r.c.opd, r.c.row_id, r.c.state, r.c.galat, r.c.peringatan, r.c.removed)
        if opd:
            query = query.where(r.c.opd == opd)
        with self.engine.connect() as conn:
            # by position: a Row's attribute lookup costs more than the rest (DECISIONS.md #155)
            return {(opd, row_id): (state, galat, peringatan, bool(removed))
                    for opd, row_id, state, galat, peringatan, removed in conn.execute(query)}

    def opd_rows(self, opd: str) -> list[dict]:
        """The OPD page's rows in sheet order: tab_rows without boxes, notes and fingerprints."""
        return [opd_row(opd, x) for x in self.opd_row_records(opd)]

    def opd_row_records(self, opd: str) -> list[tuple]:
        """opd_rows as stored, not decoded: (row_id, state, data, catatan, findings, updated_at,
        archived_version, removed), so a reader can decode only the rows that changed."""
        r = t.rows
        query = (select(r.c.row_id, r.c.state, r.c.data, r.c.catatan, r.c.findings, r.c.updated_at,
                        r.c.archived_version, r.c.removed).where(r.c.opd == opd).order_by(r.c.position, r.c.row_id))
        with self.engine.connect() as conn:
            return [tuple(x) for x in conn.execute(query)]

    def events(self, limit: int = 100, opd: str | None = None, row_id: str | None = None,
               kind: str | None = "status") -> list[dict]:
        """Newest first; state changes only unless ``kind`` says otherwise (None: every event)."""
        query = texts.joined().order_by(t.events.c.id.desc()).limit(limit)
        if kind:
            query = query.where(t.events.c.kind == kind)
        if opd:
            query = query.where(t.events.c.opd == opd)
        if row_id:
            query = query.where(t.events.c.row_id == row_id)
        with self.engine.connect() as conn:
            return _events(conn, query)

    def chain_length(self, opd: str, year: int, kind: str = "audit") -> int | None:
        """The place of the newest record in the OPD's chain of ``year`` (None: no chain yet)."""
        c = t.chains.c
        with self.engine.connect() as conn:
            return conn.execute(select(c.seq).where(c.opd == opd, c.tahun == year, c.jenis == kind)).scalar()

    def state_changes(self, limit: int = 100, opd: str | None = None,
                      kinds: tuple[str, ...] = ("status",), year: int | None = None,
                      to_states: Iterable[str] | None = None, after_seq: int | None = None) -> list[dict]:
        """Newest first, as events() of these kinds (state changes; "komentar": comments that moved
        nothing) without the cell values (which pages never show). With ``opd`` and ``year`` (a
        workspace year), only that year's events of the OPD: its hash chain, read backwards in
        the ix_events_chain index, so closed years' events are never read (DECISIONS.md #142).
        ``to_states``: only the changes to these states (e.g. the revision rounds); ``after_seq``
        (with ``opd`` and ``year``): only the events after that place in the chain."""
        e = t.events
        query = (texts.joined(e.c.id, e.c.at, e.c.opd, e.c.row_id, e.c.from_state, e.c.to_state, e.c.cycle_id,
                              e.c.kind, e.c.old_value, e.c.new_value, e.c.chain_seq)
                 .where(e.c.kind.in_(kinds)).limit(limit))
        if after_seq is not None:
            query = query.where(e.c.chain_seq > after_seq)
        if to_states is not None:
            query = query.where(e.c.to_state.in_(sorted(set(to_states))))
        if opd and year is not None:  # a chain's order is its events' order
            query = query.where(e.c.opd == opd, e.c.chain_year == year).order_by(e.c.chain_seq.desc())
        else:
            query = query.order_by(e.c.id.desc())
        if opd and year is None:
            query = query.where(e.c.opd == opd)
        keys = ("id", "at", "opd", "row_id", "from_state", "to_state", "reason", "cycle_id", "oleh", "bagaimana", "kind",
                "chain_seq")
        with self.engine.connect() as conn:
            return [{**{k: ev[k] for k in keys}, "at": _aware(ev["at"])}
                    for ev in map(texts.logical, conn.execute(query))]

    def row_history(self, opd: str, row_id: str, limit: int = 5000) -> list[dict]:
        """Every event of one row, oldest first: state changes and value changes (DECISIONS.md #12)."""
        query = (texts.joined().where(t.events.c.opd == opd, t.events.c.row_id == row_id)
                 .order_by(t.events.c.id).limit(limit))
        with self.engine.connect() as conn:
            return _events(conn, query)

    def cycles(self, limit: int = 20) -> list[dict]:
        """The newest poll cycles first."""
        with self.engine.connect() as conn:
            return [{**r._mapping, "started_at": _aware(r.started_at), "finished_at": _aware(r.finished_at),
                     "errors": json.loads(r.errors or "[]")}
                    for r in conn.execute(select(t.cycles).order_by(t.cycles.c.id.desc()).limit(limit))]

    # --- aggregates: counted in SQL, not in Python ------------------------------------------
    def state_counts(self, kodes: Iterable[str] | None = None) -> dict[str, dict[str, int]]:
        """Rows per state per OPD (removed rows left out); with ``kodes``, of those tabs only (a
        closed year's record rows are not counted again after every cycle)."""
        out: dict[str, dict[str, int]] = {}
        with self.engine.connect() as conn:
            query = _of_tabs(select(t.rows.c.opd, t.rows.c.state, func.count()).where(t.rows.c.removed.is_(False))
                             .group_by(t.rows.c.opd, t.rows.c.state), None, kodes)
            for opd, state, count in conn.execute(query):
                out.setdefault(opd, {})[state] = count
        return out

    def progress_counts(self, opd: str | None = None, kodes: Iterable[str] | None = None) -> dict[str, dict[str, dict]]:
        """Live rows per OPD (or of one) and state in one grouped query, for the Ringkasan.

        ``{opd: {state: {"baris": n, "pertama": earliest updated_at, "terakhir": latest updated_at,
        "galat": n, "peringatan": n}}}`` (finding counts are kept per row by the Store); the
        ix_rows_progress index holds every column read, so the table itself is not read. With
        ``kodes``, only those tabs' rows (the open year's: closed years' records stay out)."""
        r = t.rows
        query = (select(r.c.opd, r.c.state, func.count(), func.min(r.c.updated_at), func.max(r.c.updated_at),
                        func.sum(r.c.galat), func.sum(r.c.peringatan))
                 .where(r.c.removed.is_(False)).group_by(r.c.opd, r.c.state))
        query = _of_tabs(query, opd, kodes)
        out: dict[str, dict[str, dict]] = {}
        with self.engine.connect() as conn:
            for opd, state, count, first, last, galat, peringatan in conn.execute(query):
                out.setdefault(opd, {})[state] = {
                    "baris": count, "pertama": _aware(first), "terakhir": _aware(last),
                    "galat": int(galat or 0), "peringatan": int(peringatan or 0)}
        return out

    def rows_with_findings(self, opd: str | None = None, code_prefix: str | None = None,
                           kodes: Iterable[str] | None = None) -> list[dict]:
        """Live rows that show findings (opd, row_id, state, data, findings, updated_at), sheet order;
        with ``code_prefix`` (a review code, always a warning) only rows whose findings may carry
        such a code (narrowed in SQL); with ``kodes`` only those tabs' rows."""
        r = t.rows
        query = (select(r.c.opd, r.c.row_id, r.c.state, r.c.data, r.c.findings, r.c.updated_at)
                 .where(r.c.removed.is_(False), r.c.findings != "[]").order_by(r.c.opd, r.c.position, r.c.row_id))
        query = _of_tabs(query, opd, kodes)
        if code_prefix:  # review codes are warnings (reconcile.review): rows without one are skipped by count
            query = query.where(r.c.peringatan > 0,
                                r.c.findings.contains(f'"kode": "{code_prefix}', autoescape=True))
        with self.engine.connect() as conn:
            return [_finding_row(x) for x in conn.execute(query)]

    def finding_counts(self, opd: str | None = None, kodes: Iterable[str] | None = None) -> dict[str, int]:
        """Findings shown on live rows (of ``opd``, or of the tabs ``kodes``), per level (the per-row
        counts the Store keeps)."""
        r = t.rows
        query = _of_tabs(select(func.sum(r.c.galat), func.sum(r.c.peringatan)).where(r.c.removed.is_(False)),
                         opd, kodes)
        with self.engine.connect() as conn:
            galat, peringatan = conn.execute(query).one()
        return {GALAT: int(galat or 0), PERINGATAN: int(peringatan or 0)}

    def findings_page(self, offset: int, limit: int, opd: str | None = None,
                      level: str | None = None, kodes: Iterable[str] | None = None) -> list[dict]:
        """The live rows holding findings ``offset`` to ``offset + limit`` (of ``level``, or of
        both) when every row's findings are listed in sheet order, each with ``first``: the
        position of its first such finding in that list. A running sum over the per-row counts
        finds them in the ix_rows_findings index; only those rows' findings are read."""
        r = t.rows
        n = {GALAT: r.c.galat, PERINGATAN: r.c.peringatan}.get(level, r.c.galat + r.c.peringatan)
        order = (r.c.opd, r.c.position, r.c.row_id)
        counted = (select(r.c.opd, r.c.row_id, n.label("n"),
                          func.sum(n).over(order_by=order, rows=(None, 0)).label("upto"))
                   .where(r.c.removed.is_(False), n > 0))
        counted = _of_tabs(counted, opd, kodes)
        x = counted.subquery()
        query = (select(r.c.opd, r.c.row_id, r.c.state, r.c.data, r.c.findings, r.c.updated_at, x.c.upto, x.c.n)
                 .join(x, and_(r.c.opd == x.c.opd, r.c.row_id == x.c.row_id))
                 .where(x.c.upto > offset, x.c.upto - x.c.n < offset + limit).order_by(x.c.upto))
        with self.engine.connect() as conn:
            return [{**_finding_row(y), "first": int(y.upto) - int(y.n)} for y in conn.execute(query)]

    def finding_rows(self, kodes: Iterable[str]) -> dict[str, list[tuple[str, int, int]]]:
        """Tab -> (row ID, galat, peringatan) of its live rows that show findings, in sheet order:
        the per-row counts a findings page is found from, read from the ix_rows_findings index."""
        r = t.rows
        query = _of_tabs(select(r.c.opd, r.c.row_id, r.c.galat, r.c.peringatan)
                         .where(r.c.removed.is_(False), r.c.galat + r.c.peringatan > 0)
                         .order_by(r.c.opd, r.c.position, r.c.row_id), None, kodes)
        out: dict[str, list[tuple[str, int, int]]] = {}
        with self.engine.connect() as conn:
            for opd, row_id, galat, peringatan in conn.execute(query):
                out.setdefault(opd, []).append((row_id, int(galat or 0), int(peringatan or 0)))
        return out

    def finding_rows_shown(self, opd: str, row_ids: Iterable[str]) -> dict[str, dict]:
        """Row ID -> (opd, row_id, state, data, findings, updated_at) of these rows of one tab."""
        r = t.rows
        ids = sorted(set(row_ids))
        out: dict[str, dict] = {}
        with self.engine.connect() as conn:
            for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
                query = select(r.c.opd, r.c.row_id, r.c.state, r.c.data, r.c.findings, r.c.updated_at).where(
                    r.c.opd == opd, r.c.row_id.in_(chunk))
                out.update((y.row_id, _finding_row(y)) for y in conn.execute(query))
        return out

    # --- statistical metadata (MS-Keg, MS-Ind, MS-Var) -------------------------------------
    def latest_metadata(self, opd: str | None = None) -> dict[tuple[str, str], dict]:
        """(OPD, block key) -> the block's latest archived version: jenis, kunci, isi, versi, diarsip_pada."""
        m = t.metadata_versions
        newer = m.alias("newer")
        query = select(m).where(~select(newer.c.id).where(newer.c.opd == m.c.opd, newer.c.block == m.c.block,
                                                          newer.c.version > m.c.version).exists())
        if opd:
            query = query.where(m.c.opd == opd)
        with self.engine.connect() as conn:
            return {(r.opd, r.block): {"jenis": r.jenis, "kunci": r.kunci, "isi": json.loads(r.isi),
                                       "versi": r.version, "diarsip_pada": _aware(r.archived_at).isoformat()}
                    for r in conn.execute(query)}

    # --- the archive, for exports and the Arsip page -----------------------------------------
    def archive_rows(self, all_versions: bool = False, opd: str | None = None) -> Iterator[dict]:
        """The latest version of every datum (every version with ``all_versions``), export order."""
        a = t.archive
        latest = (select(a.c.opd, a.c.datum, func.max(a.c.version).label("v"))
                  .group_by(a.c.opd, a.c.datum).subquery())
        query = select(a)
        if not all_versions:
            query = query.join(latest, and_(a.c.opd == latest.c.opd, a.c.datum == latest.c.datum,
                                            a.c.version == latest.c.v))
        if opd:
            query = query.where(a.c.opd == opd)
        with self.engine.connect() as conn:
            for r in conn.execute(query.order_by(*ARCHIVE_ORDER)):
                yield archive_record(r)

    def archived_items(self, opd: str) -> set[tuple[str, str]]:
        """(kode_data, uraian_data) of every item the OPD ever archived, without reading the versions."""
        a = t.archive
        with self.engine.connect() as conn:
            return {(r.kode_data, r.uraian_data) for r in
                    conn.execute(select(a.c.kode_data, a.c.uraian_data).where(a.c.opd == opd).distinct())}

    def latest_archived_in(self, year: int, opds: Iterable[str]) -> list[tuple[str, str, str, str]]:
        """(opd, row_id, kode_data, uraian_data) of each latest version archived in the workspace
        year ``year`` by these OPDs: the year's part of their hash chains (ix_archive_chain),
        never a closed year's versions, each checked for a newer version by the datum index."""
        a = t.archive
        query = archive_query([a.c.opd, a.c.row_id, a.c.kode_data, a.c.uraian_data], False, None).where(
            a.c.opd.in_(sorted(set(opds))), a.c.chain_year == year)
        with self.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(query)]

    def archived_row(self, opd: str, row_id: str) -> dict | None:
        """The newest archived version of one sheet row: what a row closed by rollover still is."""
        a = t.archive
        query = (select(a).where(a.c.opd == opd, a.c.row_id == row_id)
                 .order_by(a.c.version.desc(), a.c.id.desc()).limit(1))
        with self.engine.connect() as conn:
            found = conn.execute(query).first()
        return archive_record(found) if found else None

    def archive_watermark(self) -> int:
        """The newest archive version's id (0 for an empty archive)."""
        with self.engine.connect() as conn:
            return conn.execute(select(func.max(t.archive.c.id))).scalar() or 0

    def metadata_watermark(self) -> int:
        """The newest statistical metadata version's id (0 when there is none)."""
        with self.engine.connect() as conn:
            return conn.execute(select(func.max(t.metadata_versions.c.id))).scalar() or 0

    def opds_archived_since(self, after: int) -> set[str]:
        """The OPDs with a version newer than id ``after``: what an incremental publication
        rebuilds (a range on the primary key, not a scan)."""
        a = t.archive
        with self.engine.connect() as conn:
            # no DISTINCT: SQLite would then scan a covering index of every version for it
            return set(conn.execute(select(a.c.opd).where(a.c.id > after)).scalars())

    def item_rows_since(self, after: int) -> dict[tuple[str, str], set[str]]:
        """(OPD, item key) -> the rows of its versions newer than id ``after``: what a publication
        after a cycle rebuilds, and where their versions are (a primary-key range)."""
        a = t.archive
        out: dict[tuple[str, str], set[str]] = {}
        with self.engine.connect() as conn:
            for opd, key, row_id in conn.execute(select(a.c.opd, a.c.item_key, a.c.row_id).where(a.c.id > after)):
                out.setdefault((opd, key), set()).add(row_id)
        return out

    def archive_rows_of_rows(self, opd: str, row_ids: Iterable[str]) -> Iterator[dict]:
        """Every version in the OPD's rows ``row_ids``, export order (found by the (opd, row_id,
        version) index, not by scanning the OPD's archive)."""
        a = t.archive
        ids = sorted(set(row_ids))
        with self.engine.connect() as conn:
            for chunk in (ids[i:i + 200] for i in range(0, len(ids), 200)):
                for r in conn.execute(select(a).where(a.c.opd == opd, a.c.row_id.in_(chunk)).order_by(*ARCHIVE_ORDER)):
                    yield archive_record(r)

    def archive_rows_of_items(self, opd: str, item_keys: Iterable[str]) -> Iterator[dict]:
        """Every version of the OPD's items ``item_keys`` (rules.keys.item_key, as archived), export order."""
        a = t.archive
        keys = sorted(set(item_keys))
        with self.engine.connect() as conn:
            for chunk in (keys[i:i + 200] for i in range(0, len(keys), 200)):
                query = select(a).where(a.c.opd == opd, a.c.item_key.in_(chunk)).order_by(*ARCHIVE_ORDER)
                for r in conn.execute(query):
                    yield archive_record(r)

    def row_data(self, opd: str, row_ids: Iterable[str]) -> dict[tuple[str, str], dict]:
        """(OPD, row ID) -> the remembered row's data fields, for the rows ``row_ids`` of one tab."""
        r = t.rows
        ids = sorted(set(row_ids))
        out = {}
        with self.engine.connect() as conn:
            for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
                for x in conn.execute(select(r.c.row_id, r.c.data).where(r.c.opd == opd, r.c.row_id.in_(chunk))):
                    out[(opd, x.row_id)] = json.loads(x.data)
        return out

    def archive_count(self, all_versions: bool = False, opd: str | None = None, after: int = 0) -> int:
        """How many records archive_rows would yield; with ``after`` (an archive_watermark),
        only how many more than it yielded then (versions are only ever added): a count kept
        by the dashboard is brought up to date from the new versions alone."""
        a = t.archive
        inner = select(a.c.opd, a.c.datum).where(a.c.id > after)
        if opd:
            inner = inner.where(a.c.opd == opd)
        if not all_versions:  # one record per (opd, datum) not counted before
            if after:
                b = t.archive.alias("earlier")
                inner = inner.where(~exists().where(b.c.opd == a.c.opd, b.c.datum == a.c.datum, b.c.id <= after))
            inner = inner.group_by(a.c.opd, a.c.datum)
        query = select(func.count()).select_from(inner.subquery())
        with self.engine.connect() as conn:
            return conn.execute(query).scalar_one()

    def archive_page(self, offset: int, limit: int, all_versions: bool = False,
                     opd: str | None = None) -> list[dict]:
        """One page of archive_rows (same records, same order) without reading the rest."""
        query = (archive_query([t.archive], all_versions, opd)
                 .order_by(*ARCHIVE_ORDER).offset(max(0, offset)).limit(max(0, limit)))
        with self.engine.connect() as conn:
            return [archive_record(r) for r in conn.execute(query)]


def opd_row(opd: str, record: tuple) -> dict:
    """One of Queries.opd_row_records decoded as Queries.opd_rows gives it."""
    row_id, state, data, catatan, findings, updated_at, archived_version, removed = record
    return {"opd": opd, "row_id": row_id, "state": state, "data": json.loads(data), "catatan": catatan or "",
            "findings": json.loads(findings), "updated_at": _aware(updated_at), "archived_version": archived_version,
            "removed": bool(removed)}
