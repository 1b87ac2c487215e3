"""Hash chains over the append-only tables: every archive version and every audit event carries a
SHA-256 over its canonical content and the previous record's hash, one chain per OPD, workspace
year and kind ("arsip": archive versions, "audit": events). The ``chains`` table holds each
chain's length and head, so a deleted last record shows too.

Appending verifies only the chain's tail (its last two records and its head): the poller's cost
per cycle does not grow with the archive. ``verify`` recomputes every chain (satudata
verify-archive). The canonical forms survive every engine: moments to the second (MariaDB's
DATETIME keeps none), the Float ``nilai`` to six significant digits (MariaDB's FLOAT is single
precision; its exact text ``nilai_teks`` is chained whole) -- DECISIONS.md #60.
"""
from __future__ import annotations

import hashlib
import json
import struct
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Connection, Engine, MetaData, Table, bindparam, func, insert, inspect, select, update
from sqlalchemy import DateTime, Float, Integer, Text, column as sa_column, table as sa_table

from service.archive import schema as t, texts
from service.archive.timestamps import to_db as _utc
from service.timefmt import to_wib, zone_label

GENESIS = "0" * 64
CHAIN_COLUMNS = ("chain_year", "chain_seq", "chain_hash", "chain_fields")

# The chained fields and how each is made canonical: s text, i integer, f float, d moment.
# A fixed list, not the table's columns: a later column must not change old records' hashes.
ARCHIVE_FIELDS = (
    ("opd", "s"), ("row_id", "s"), ("version", "i"), ("kode_data", "s"), ("uraian_data", "s"), ("rincian", "s"),
    ("satuan", "s"), ("tahun", "i"), ("nilai", "f"), ("nilai_teks", "s"), ("keterangan", "s"),
    ("content_hash", "s"), ("verified_at", "d"), ("archived_at", "d"), ("datum", "s"), ("item_key", "s"),
    ("rincian_key", "s"), ("kode_wilayah", "s"), ("konsep", "s"), ("definisi", "s"), ("klasifikasi", "s"),
    ("ukuran", "s"), ("frekuensi", "s"), ("chain_year", "i"), ("chain_seq", "i"),
)
EVENT_FIELDS = (
    ("cycle_id", "i"), ("at", "d"), ("opd", "s"), ("row_id", "s"), ("from_state", "s"), ("to_state", "s"),
    ("reason", "s"), ("cell_values", "s"), ("kind", "s"), ("oleh", "s"), ("bagaimana", "s"),
    ("column_key", "s"), ("old_value", "s"), ("new_value", "s"), ("chain_year", "i"), ("chain_seq", "i"),
)
_TYPES = {"s": Text, "i": Integer, "f": Float, "d": DateTime}
KINDS = {"arsip": (t.archive, ARCHIVE_FIELDS), "audit": (t.events, EVENT_FIELDS)}
# Bytes kept of each field's CRC: an audit event keeps one (DECISIONS.md #151), enough to name the
# changed field but once in 256 tamperings; records stored before keep their four.
FIELD_BYTES = {"arsip": 4, "audit": 1}
KIND_NAMES = {"arsip": "versi arsip", "audit": "peristiwa audit"}
FIELD_NAMES = {"nilai_teks": "nilai (teks)", "oleh": "oleh", "at": "waktu", "verified_at": "waktu verifikasi",
               "archived_at": "waktu arsip", "content_hash": "sidik isi", "chain_seq": "urutan rantai",
               "chain_year": "tahun rantai", "cell_values": "isi sel", "old_value": "nilai lama",
               "new_value": "nilai baru", "to_state": "status baru", "from_state": "status lama"}


def _canon(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "d":
        value = _utc(value) if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        return value.replace(microsecond=0, tzinfo=None).isoformat()
    if kind == "f":
        return format(float(value), ".6g")
    if kind == "i":
        return int(value)
    return str(value)


# One encoder each (json.dumps with options builds one per call); the texts are json.dumps's.
_VALUE_JSON = json.JSONEncoder(ensure_ascii=False).encode
_STR_JSON = json.encoder.encode_basestring  # what json.dumps(text, ensure_ascii=False) writes


def _values(record: Any, fields: tuple, memo: dict | None = None) -> list:
    """The canonical values; ``memo`` keeps converted moments and numbers across one append (a
    plan's events share their moment), where text and integers pass as they are."""
    get = record.get if isinstance(record, dict) else record._mapping.get
    if memo is None:
        return [_canon(get(name), kind) for name, kind in fields]
    out: list = []
    for name, kind in fields:
        value = get(name)
        if value is None:
            out.append(None)
        elif kind == "s":
            out.append(value if type(value) is str else str(value))
        elif kind == "i" and type(value) is int:
            out.append(value)
        else:
            key = (kind, value)
            found = memo.get(key)
            if found is None:
                found = memo[key] = _canon(value, kind)
            out.append(found)
    return out


def _texts(values: list, memo: dict | None = None) -> list[tuple[str, int]]:
    """Each canonical value's JSON text (as json.dumps writes it) and its CRC, each distinct value
    encoded once per append (``memo``)."""
    out = []
    for value in values:
        key = (type(value), value)
        found = None if memo is None else memo.get(key)
        if found is None:
            if type(value) is str:
                text = _STR_JSON(value)
            elif type(value) is int:
                text = str(value)
            else:
                text = _VALUE_JSON(value)
            found = (text, zlib.crc32(text.encode()))
            if memo is not None:
                memo[key] = found
        out.append(found)
    return out


def _pack(crcs: list[int], width: int) -> str:
    """The CRCs as hex, each cut to its ``width`` low bytes (4: the whole CRC-32)."""
    if width == 4:
        return struct.pack(f">{len(crcs)}I", *crcs).hex()
    mask = (1 << 8 * width) - 1
    return b"".join((crc & mask).to_bytes(width, "big") for crc in crcs).hex()


def _field_digests(values: list, memo: dict | None = None, width: int = 4) -> str:
    """A CRC per field (its ``width`` low bytes), only to name which field changed; the chain's
    strength is the SHA-256."""
    return _pack([crc for _, crc in _texts(values, memo)], width)


def _digest(prev: str, values: list, texts: list[tuple[str, int]] | None = None) -> str:
    """SHA-256 of the previous hash and the values' compact JSON array (json.dumps's text)."""
    texts = texts if texts is not None else _texts(values)
    return hashlib.sha256(f"{prev}\n[{','.join(text for text, _ in texts)}]".encode()).hexdigest()


@dataclass
class Break:
    """The first record of a chain that differs from what was chained."""

    opd: str
    year: int
    kind: str
    seq: int
    what: str  # the record named: datum and version, or row and moment
    field: str = ""  # the field that differs, when the digests tell
    missing: bool = False

    @property
    def message(self) -> str:
        where = f"{self.opd} tahun {self.year}, {KIND_NAMES[self.kind]} ke-{self.seq}"
        if self.missing:
            return f"Rantai {where} hilang ({self.what}): rekaman dihapus dari arsip"
        changed = f" kolom {FIELD_NAMES.get(self.field, self.field)}" if self.field else ""
        return f"Rantai {where} ({self.what}):{changed} berubah sesudah dicatat"

    def as_dict(self) -> dict[str, Any]:
        return {"opd": self.opd, "tahun": self.year, "jenis": self.kind, "urutan": self.seq, "rekaman": self.what,
                "kolom": self.field, "hilang": self.missing, "pesan": self.message}


class ChainBroken(Exception):
    """An append met a chain whose tail no longer holds; nothing is appended."""

    def __init__(self, found: Break) -> None:
        super().__init__(found.message)
        self.found = found


def _what(kind: str, record: Any) -> str:
    m = record if isinstance(record, dict) else record._mapping
    if kind == "arsip":
        rincian = m.get("rincian") or "seluruh kabupaten/kota"  # the record names no place: say what it means
        return (f"{m.get('uraian_data')} — {rincian}, tahun {m.get('tahun')}: datum {str(m.get('datum'))[:12]}… "
                f"versi {m.get('version')}, baris {m.get('row_id')}")
    at = _canon(m.get("at"), "d")
    if not at:
        return f"baris {m.get('row_id')}, waktu tidak tercatat"
    local = to_wib(datetime.fromisoformat(at).replace(tzinfo=timezone.utc))
    return f"baris {m.get('row_id')}, {local:%Y-%m-%d %H:%M:%S} {zone_label(local)}"


def _check(kind: str, record: Any, prev: str, opd: str, year: int, seq: int) -> Break | None:
    fields = KINDS[kind][1]
    values = _values(record, fields)
    m = record if isinstance(record, dict) else record._mapping
    if _digest(prev, values) == m["chain_hash"]:
        return None
    stored = m.get("chain_fields") or ""
    w = 2 * (len(stored) // (2 * len(fields)) or FIELD_BYTES[kind])  # hex digits a field: as it was stored
    now = _field_digests(values, width=w // 2)
    changed = next((fields[i][0] for i in range(len(fields)) if stored[w * i:w * i + w] != now[w * i:w * i + w]),
                   "" if stored == now else "sidik")
    return Break(opd, year, kind, seq, _what(kind, record), "" if changed == "sidik" and not stored else changed)


def append(conn: Connection, kind: str, year: int, records: list[dict[str, Any]], now: datetime) -> None:
    """Chain ``records`` (dicts about to be inserted, values as Python holds them) onto their
    OPDs' chains of ``year``: sets chain_year, chain_seq, chain_hash, chain_fields in place and
    moves each chain's head. The tail it appends to is verified first: ChainBroken if not whole."""
    if not records:
        return
    table, fields = KINDS[kind]
    width = FIELD_BYTES[kind]
    by_opd: dict[str, list[dict[str, Any]]] = {}
    for rec in records:
        by_opd.setdefault(rec["opd"], []).append(rec)
    c = t.chains.c
    canon: dict = {}
    crcs: dict = {}
    for opd, mine in by_opd.items():
        head = conn.execute(select(c.seq, c.head).where(c.opd == opd, c.tahun == year, c.jenis == kind)).first()
        seq, prev = (0, GENESIS) if head is None else (head.seq, head.head)
        _verify_tail(conn, kind, opd, year, seq, prev)
        for rec in mine:
            seq += 1
            rec["chain_year"], rec["chain_seq"] = year, seq
            values = _values(rec, fields, canon)
            encoded = _texts(values, crcs)
            rec["chain_fields"] = _pack([crc for _, crc in encoded], width)
            rec["chain_hash"] = prev = _digest(prev, values, encoded)
        if head is None:
            conn.execute(insert(t.chains).values(opd=opd, tahun=year, jenis=kind, seq=seq, head=prev,
                                                 updated_at=_utc(now)))
        else:
            conn.execute(update(t.chains).where(c.opd == opd, c.tahun == year, c.jenis == kind)
                         .values(seq=seq, head=prev, updated_at=_utc(now)))


def _verify_tail(conn: Connection, kind: str, opd: str, year: int, seq: int, head: str) -> None:
    """The chain's last record (and the one before, for its hash) against the recorded head."""
    query, col, read = _source(conn, kind, current=True)
    last = [read(r) for r in conn.execute(query.where(col.opd == opd, col.chain_year == year)
                                          .order_by(col.chain_seq.desc()).limit(2))]
    if not last:
        if seq:
            raise ChainBroken(Break(opd, year, kind, seq, "rekaman terakhir", missing=True))
        return
    tail = last[0]
    if tail["chain_seq"] != seq:
        raise ChainBroken(Break(opd, year, kind, seq, "rekaman terakhir", missing=True))
    if seq == 1:
        prev = GENESIS
    elif len(last) == 2 and last[1]["chain_seq"] == seq - 1:
        prev = last[1]["chain_hash"]
    else:
        raise ChainBroken(Break(opd, year, kind, seq - 1, "rekaman sebelum yang terakhir", missing=True))
    found = _check(kind, tail, prev, opd, year, seq)
    if found is None and tail["chain_hash"] != head:
        found = Break(opd, year, kind, seq, _what(kind, tail), "kepala rantai")
    if found is not None:
        raise ChainBroken(found)


def _source(conn: Connection, kind: str, current: bool = False):
    """(select of the kind's records, the columns to narrow and order it by, a reader giving each
    row as a dict of the chained fields). The audit events' texts are joined from event_texts
    (DECISIONS.md #151); an archive not yet migrated that far (``current`` False) is read as its
    events table stands, so a chain can be verified before and after a migration alike."""
    table = KINDS[kind][0]
    if kind == "audit":
        if current or inspect(conn).has_table(t.event_texts.name):
            return texts.joined(), table.c, texts.logical
        table = Table(table.name, MetaData(), autoload_with=conn)  # as that revision left it: texts, hex digests
    return select(table), table.c, lambda r: dict(r._mapping)


@dataclass
class Verification:
    """What verify-archive found: every chain's length and head, and the first break if any."""

    heads: list[dict[str, Any]] = field(default_factory=list)
    breaks: list[Break] = field(default_factory=list)
    records: int = 0
    unchained: int = 0

    @property
    def ok(self) -> bool:
        return not self.breaks and not self.unchained

    def as_dict(self) -> dict[str, Any]:
        return {"utuh": self.ok, "rekaman": self.records, "tanpa_rantai": self.unchained,
                "rantai": self.heads, "kerusakan": [b.as_dict() for b in self.breaks]}


def heads(engine: Engine) -> list[dict[str, Any]]:
    """Every chain's recorded length and head, sorted (the manifest, the health page)."""
    c = t.chains.c
    with engine.connect() as conn:
        return [{"opd": r.opd, "tahun": r.tahun, "jenis": r.jenis, "panjang": r.seq, "kepala": r.head}
                for r in conn.execute(select(c.opd, c.tahun, c.jenis, c.seq, c.head)
                                      .order_by(c.opd, c.tahun, c.jenis))]


def verify(engine: Engine) -> Verification:
    """Recompute every chain; the first break of each chain is reported."""
    out = Verification(heads=heads(engine))
    recorded = {(h["opd"], h["tahun"], h["jenis"]): h for h in out.heads}
    seen: set[tuple[str, int, str]] = set()
    with engine.connect() as conn:
        for kind in KINDS:
            query, col, read = _source(conn, kind)
            out.unchained += conn.execute(select(func.count()).select_from(col.id.table)
                                          .where(col.chain_seq.is_(None))).scalar()
            state: dict[tuple[str, int], tuple[int, str, bool]] = {}  # chain -> (seq, prev, broken)
            query = query.where(col.chain_seq.is_not(None)).order_by(col.opd, col.chain_year, col.chain_seq)
            for row in conn.execution_options(yield_per=2000).execute(query):
                out.records += 1
                r = read(row)
                key = (r["opd"], r["chain_year"])
                seq, prev, broken = state.get(key, (0, GENESIS, False))
                if broken:
                    continue
                if r["chain_seq"] != seq + 1:
                    out.breaks.append(Break(r["opd"], r["chain_year"], kind, seq + 1,
                                            f"sebelum {_what(kind, r)}", missing=True))
                    state[key] = (seq, prev, True)
                    continue
                found = _check(kind, r, prev, r["opd"], r["chain_year"], r["chain_seq"])
                if found is not None:
                    out.breaks.append(found)
                state[key] = (r["chain_seq"], r["chain_hash"], found is not None)
            for (opd, year), (seq, prev, broken) in sorted(state.items()):
                seen.add((opd, year, kind))
                head = recorded.get((opd, year, kind))
                if broken:
                    continue
                if head is None:
                    out.breaks.append(Break(opd, year, kind, seq, "kepala rantai tidak tercatat", "kepala rantai"))
                elif head["panjang"] > seq:
                    out.breaks.append(Break(opd, year, kind, seq + 1, "rekaman terakhir", missing=True))
                elif head["panjang"] != seq or head["kepala"] != prev:
                    out.breaks.append(Break(opd, year, kind, seq, "kepala rantai", "kepala rantai"))
    for (opd, year, kind), head in sorted(recorded.items()):
        if (opd, year, kind) not in seen and head["panjang"]:
            out.breaks.append(Break(opd, year, kind, 1, "semua rekaman", missing=True))
    out.breaks.sort(key=lambda b: (b.opd, b.year, b.kind, b.seq))
    return out


def chain_existing(conn: Connection) -> None:
    """Chain records appended before chains existed (the migration), oldest first, each into the
    chain of the year it was recorded in (archived_at, at): the workspace year was not stored.
    Reads and writes only the chained columns, so later columns of the tables do not matter."""
    for kind, (table, fields) in KINDS.items():
        moment = "archived_at" if kind == "arsip" else "at"
        names = ["id", *(n for n, _ in fields if not n.startswith("chain_"))]
        types = {"id": Integer(), "chain_year": Integer(), "chain_seq": Integer(),
                 **{n: _TYPES[k]() for n, k in fields}}
        light = sa_table(table.name, *(sa_column(n, types.get(n)) for n in (*names, *CHAIN_COLUMNS)))
        col = light.c
        records = [dict(r._mapping) for r in conn.execute(
            select(*(col[n] for n in names)).where(col.chain_seq.is_(None)).order_by(col.id))]
        chains: dict[tuple[str, int], tuple[int, str]] = {}
        for rec in records:
            key = (rec["opd"], rec[moment].year)
            seq, prev = chains.get(key, (0, GENESIS))
            rec["chain_year"], rec["chain_seq"] = key[1], seq + 1
            values = _values(rec, fields)
            rec["chain_fields"] = _field_digests(values)  # as migration 0011 wrote them
            rec["chain_hash"] = _digest(prev, values)
            chains[key] = (seq + 1, rec["chain_hash"])
        if records:
            conn.execute(update(light).where(col.id == bindparam("b_id")).values(
                {n: bindparam(n) for n in CHAIN_COLUMNS}),
                [{"b_id": r["id"], **{n: r[n] for n in CHAIN_COLUMNS}} for r in records])
        heads = sa_table("chains", sa_column("opd"), sa_column("tahun"), sa_column("jenis"), sa_column("seq"),
                         sa_column("head"), sa_column("updated_at", DateTime()))
        for (opd, year), (seq, head) in sorted(chains.items()):
            last = max(r[moment] for r in records if r["opd"] == opd and r["chain_year"] == year)
            conn.execute(insert(heads).values(opd=opd, tahun=year, jenis=kind, seq=seq, head=head, updated_at=last))


def record_verification(engine: Engine, found: Verification, now: datetime) -> None:
    """Keep the run's outcome for the health page (the archive's only mutable note about itself)."""
    summary = found.breaks[0].message if found.breaks else (
        f"{found.unchained} rekaman belum berantai" if found.unchained else "Semua rantai utuh")
    with engine.begin() as conn:
        conn.execute(insert(t.verifications).values(
            at=_utc(now), utuh=found.ok, rekaman=found.records, pesan=summary,
            hasil=json.dumps(found.as_dict(), ensure_ascii=False)))


def last_verification(engine: Engine) -> dict[str, Any] | None:
    """The newest verify-archive run: when, whole or not, how many records, the first break."""
    v = t.verifications.c
    with engine.connect() as conn:
        r = conn.execute(select(v.at, v.utuh, v.rekaman, v.pesan).order_by(v.id.desc()).limit(1)).first()
    if r is None:
        return None
    from service.archive.timestamps import from_db
    return {"waktu": from_db(r.at), "utuh": bool(r.utuh), "rekaman": r.rekaman, "pesan": r.pesan}
