"""Migration 0015 (DECISIONS.md #151): the audit events' chain digests stored as bytes, each
field's CRC cut to one byte. The chain's canonical form does not change, so no hash and no head
moves: a head printed before (a Berita Acara, a backup manifest, an evidence pack) still matches.

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
             target: dict[str, Any], binary: bool = False) -> int:
    """Every event's ``target`` columns (name -> type) set from its ``source`` columns; the
    digests read as bytes (``binary``) or hex text."""
    from service.archive import chain
    digest = LargeBinary() if binary else String()
    types = {"id": Integer(), "chain_hash": digest, "chain_fields": digest,
             **{n: chain._TYPES[k]() for n, k in chain.EVENT_FIELDS}}
    light = sa_table("events", *(sa_column(n, types.get(n, String())) for n in source),
                     *(sa_column(n, kind) for n, kind in target.items() if n not in source))
    done = 0
    for page in _pages(conn, light, source):
        rows = [{"b_id": r.id, **convert(r._mapping)} for r in page]
        conn.execute(update(light).where(light.c.id == bindparam("b_id"))
                     .values({n: bindparam(n) for n in target}), rows)
        done += len(rows)
    return done


def digests_to_bytes(conn: Connection) -> int:
    """chain_hash_b and chain_fields_b (bytes) from chain_hash and chain_fields (hex)."""
    def convert(r) -> dict[str, Any]:
        fields = r["chain_fields"]
        if fields and len(fields) % 8 == 0:  # four bytes a field, as 0011 and 0014 wrote them: keep the low one
            fields = "".join(fields[i + 6:i + 8] for i in range(0, len(fields), 8))
        return {"chain_hash_b": None if r["chain_hash"] is None else bytes.fromhex(r["chain_hash"]),
                "chain_fields_b": None if fields is None else bytes.fromhex(fields)}
    return _rewrite(conn, convert, ["id", "chain_hash", "chain_fields"],
                    {"chain_hash_b": LargeBinary(), "chain_fields_b": LargeBinary()})


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
    return _rewrite(conn, convert, source, {"chain_hash_h": String(), "chain_fields_h": String()}, binary=True)
