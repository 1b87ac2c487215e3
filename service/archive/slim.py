"""Migration 0015 (DECISIONS.md #151): the audit events' chain digests stored as bytes, each
field's CRC cut to one byte, their repeated texts stored once in event_texts
(service/archive/texts.py) and their cells deflated (service/archive/cells.py). The chain's
canonical form does not change, so no hash and no head moves: a head printed before (a Berita
Acara, a backup manifest, an evidence pack) still matches.

Both directions go page by page (never the whole table in memory). Upgrading keeps the low byte
of each stored CRC as it was stored (a record changed before still names its field); the
downgrade recomputes the four-byte CRCs from the record's values, and where a value no longer
matches its stored byte it writes a CRC that cannot match either, so the field is still named.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Integer, LargeBinary, String, bindparam, select, update
from sqlalchemy import column as sa_column, table as sa_table

BATCH = 1000


def _pages(conn: Connection, light, names: list[str]):
    """The table's records (``names`` of ``light``), a page at a time in id order."""
    col = light.c
    last = 0
    while True:
        page = conn.execute(select(*(col[n] for n in names)).where(col.id > last).order_by(col.id)
                            .limit(BATCH)).all()
        if not page:
            return
        last = page[-1].id
        yield page


def _rewrite(conn: Connection, convert: Callable[[Any], dict[str, Any]], source: list[str],
             target: dict[str, Any], binary: tuple[str, ...] = (), before: Callable[[list], None] | None = None) -> int:
    """Every event's ``target`` columns (name -> type) set from its ``source`` columns, those
    named in ``binary`` read as bytes; ``before`` sees each page first."""
    from service.archive import chain
    types = {"id": Integer(), "teks": Integer(), "chain_hash": String(), "chain_fields": String(),
             **{n: chain._TYPES[k]() for n, k in chain.EVENT_FIELDS}, **{n: LargeBinary() for n in binary}}
    light = sa_table("events", *(sa_column(n, types.get(n, String())) for n in source),
                     *(sa_column(n, kind) for n, kind in target.items() if n not in source))
    done = 0
    for page in _pages(conn, light, source):
        if before is not None:
            before(page)
        rows = [{"b_id": r.id, **convert(r._mapping)} for r in page]
        conn.execute(update(light).where(light.c.id == bindparam("b_id"))
                     .values({n: bindparam(n) for n in target}), rows)
        done += len(rows)
    return done


def digests_to_bytes(conn: Connection) -> int:
    """chain_hash_b and chain_fields_b (bytes) from chain_hash and chain_fields (hex)."""
    from service.archive import chain
    whole = 8 * len(chain.EVENT_FIELDS)

    def convert(r) -> dict[str, Any]:
        fields = r["chain_fields"]
        if fields and len(fields) == whole:  # four bytes a field, as 0011 and 0014 wrote them: keep the low one
            fields = "".join(fields[i + 6:i + 8] for i in range(0, len(fields), 8))
        return {"chain_hash_b": None if r["chain_hash"] is None else bytes.fromhex(r["chain_hash"]),
                "chain_fields_b": None if fields is None else bytes.fromhex(fields)}
    return _rewrite(conn, convert, ["id", "chain_hash", "chain_fields"],
                    {"chain_hash_b": LargeBinary(), "chain_fields_b": LargeBinary()})


def cells_to_bytes(conn: Connection) -> int:
    """cell_values_b, the cells' JSON text packed (service/archive/cells.py), from cell_values."""
    from service.archive.cells import pack
    return _rewrite(conn, lambda r: {"cell_values_b": pack(r["cell_values"])}, ["id", "cell_values"],
                    {"cell_values_b": LargeBinary()})


def cells_to_text(conn: Connection) -> int:
    """cell_values_h, the cells' JSON text again, from the packed cell_values."""
    from service.archive.cells import unpack
    return _rewrite(conn, lambda r: {"cell_values_h": unpack(r["cell_values"])}, ["id", "cell_values"],
                    {"cell_values_h": String()}, binary=("cell_values",))


def digests_to_hex(conn: Connection) -> int:
    """chain_hash_h and chain_fields_h (hex, four bytes a field) from the bytes: 0014's form."""
    from service.archive import chain
    fields = chain.EVENT_FIELDS

    def convert(r) -> dict[str, Any]:
        stored = r["chain_fields"]
        out = {"chain_hash_h": None if r["chain_hash"] is None else bytes(r["chain_hash"]).hex(), "chain_fields_h": None}
        if stored is None:
            return out
        stored = bytes(stored)
        if len(stored) != len(fields):  # not one byte a field: as it was
            out["chain_fields_h"] = stored.hex()
            return out
        crcs = [crc for _, crc in chain._texts(chain._values(dict(r), fields))]
        whole = [crc if crc & 0xFF == low else ((crc ^ 0xFFFFFF00) & 0xFFFFFF00) | low  # never matches again
                 for crc, low in zip(crcs, stored)]
        out["chain_fields_h"] = chain._pack(whole, 4)
        return out
    source = ["id", *(n for n, _ in fields), "chain_hash", "chain_fields"]
    return _rewrite(conn, convert, source, {"chain_hash_h": String(), "chain_fields_h": String()},
                    binary=("chain_hash", "chain_fields"))


def texts_to_refs(conn: Connection) -> int:
    """Each event's ``teks`` from its reason, oleh, bagaimana and column_key (still its columns)."""
    from service.archive import texts
    known: dict[tuple, int] = {}

    def convert(r) -> dict[str, Any]:
        key = texts.entry(r)
        return {"teks": known[key]}

    def page_keys(page) -> None:
        if len(known) > 50_000:  # a bound on what is kept between pages
            known.clear()
        wanted = {texts.entry(r._mapping) for r in page} - set(known)
        if wanted:
            known.update(texts.ids(conn, wanted))
    source = ["id", *texts.FIELDS, "old_value", "new_value"]
    return _rewrite(conn, convert, source, {"teks": Integer()}, before=page_keys)


def refs_to_texts(conn: Connection) -> int:
    """Each event's reason, oleh, bagaimana and column_key (its columns again) from its ``teks``."""
    from service.archive import texts
    x = sa_table("event_texts", sa_column("id", Integer()), *(sa_column(n) for n in texts.FIELDS),
                 sa_column("ubah"))
    entries: dict[int, Any] = {}

    def page_texts(page) -> None:
        entries.clear()
        wanted = sorted({r.teks for r in page if r.teks is not None})
        for start in range(0, len(wanted), texts.CHUNK):
            entries.update((e.id, e) for e in conn.execute(select(x).where(x.c.id.in_(wanted[start:start + texts.CHUNK]))))

    def convert(r) -> dict[str, Any]:
        e = entries.get(r["teks"])
        row = {"old_value": r["old_value"], "new_value": r["new_value"], "ubah": bool(e and e.ubah),
               **{n: getattr(e, n) if e else None for n in texts.FIELDS}}
        return {n: v for n, v in texts.logical_of(row).items() if n in texts.FIELDS}
    return _rewrite(conn, convert, ["id", "teks", "old_value", "new_value"],
                    {n: String() for n in texts.FIELDS}, before=page_texts)
