"""An audit event's repeated texts by reference (DECISIONS.md #151): ``reason``, ``oleh``,
``bagaimana`` and ``column_key`` live once each in ``event_texts`` and an event names its entry
(``teks``). A value change's reason ends with the values it moved ("Nilai diubah: '12' → '31'");
its entry keeps only the text before them (``ubah``), and the reason is written again from the
event's own ``old_value`` and ``new_value``. The form is stored only where writing it again gives
the same text, so a reader sees every event exactly as it was recorded; the hash chain covers
the event as read, so no hash changes.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import Connection, insert, select
from sqlalchemy.exc import IntegrityError

from service.archive import schema as t

FIELDS = ("reason", "oleh", "bagaimana", "column_key")
# The events' columns as every reader has always seen them, in this order.
COLUMNS = ("id", "cycle_id", "at", "opd", "row_id", "from_state", "to_state", "reason", "cell_values", "kind",
           "oleh", "bagaimana", "column_key", "old_value", "new_value", "chain_year", "chain_seq", "chain_hash",
           "chain_fields")
CHUNK = 500


def _short(value: str) -> str:
    """A value as a value change's reason quotes it. Part of the stored form: never change it."""
    value = value.strip()
    return "(kosong)" if not value else f"'{value[:80]}…'" if len(value) > 80 else f"'{value}'"


def _moved(old: Any, new: Any) -> str | None:
    if not isinstance(old, str) or not isinstance(new, str):
        return None
    return f"{_short(old)} → {_short(new)}"


def entry(ev: dict[str, Any]) -> tuple:
    """The event's texts as stored once: (reason or the part before the values, ubah, oleh,
    bagaimana, column_key)."""
    reason = ev.get("reason")
    moved = _moved(ev.get("old_value"), ev.get("new_value"))
    ubah = False
    if moved is not None and isinstance(reason, str) and reason.endswith(moved):
        reason, ubah = reason[:len(reason) - len(moved)], True
    return (reason, ubah, ev.get("oleh"), ev.get("bagaimana"), ev.get("column_key"))


def sidik(key: tuple) -> str:
    return hashlib.sha256(json.dumps(key, ensure_ascii=False).encode()).hexdigest()


def ids(conn: Connection, keys: set[tuple]) -> dict[tuple, int]:
    """Each entry's id, the missing ones added."""
    x = t.event_texts.c
    by_sidik = {sidik(k): k for k in keys}
    found: dict[tuple, int] = {}
    wanted = sorted(by_sidik)
    for start in range(0, len(wanted), CHUNK):
        for r in conn.execute(select(x.id, x.sidik).where(x.sidik.in_(wanted[start:start + CHUNK]))):
            found[by_sidik[r.sidik]] = r.id
    for s, k in sorted(by_sidik.items()):
        if k not in found:
            found[k] = _add(conn, s, k)
    return found


def _add(conn: Connection, s: str, k: tuple) -> int:
    """Insert one entry; on a server, where another workspace's writer may add the same new
    entry at the same moment, its unique ``sidik`` refusal means "take theirs" (read with a
    locking read, which sees the committed row whatever the transaction's snapshot)."""
    row = insert(t.event_texts).values(sidik=s, reason=k[0], ubah=k[1], oleh=k[2], bagaimana=k[3], column_key=k[4])
    if conn.dialect.name == "sqlite":  # one writer at a time: nobody else can add it meanwhile
        return conn.execute(row).inserted_primary_key[0]  # type: ignore[index]
    try:
        with conn.begin_nested():
            return conn.execute(row).inserted_primary_key[0]  # type: ignore[index]
    except IntegrityError:
        x = t.event_texts.c
        return conn.execute(select(x.id).where(x.sidik == s).with_for_update(read=True)).scalar_one()


def refer(conn: Connection, events: list[dict[str, Any]]) -> None:
    """Events about to be inserted (their texts as read): each one's texts replaced by ``teks``."""
    if not events:
        return
    keys = [entry(ev) for ev in events]
    found = ids(conn, set(keys))
    for ev, key in zip(events, keys):
        for name in FIELDS:
            ev.pop(name, None)
        ev["teks"] = found[key]


def joined(*columns):
    """The events with their texts: select(events' ``columns`` (default all), the entry's), to
    be narrowed and ordered with t.events' columns as before; ``logical`` reads each row."""
    e, x = t.events, t.event_texts
    return (select(*(columns or (e,)), x.c.reason, x.c.ubah, x.c.oleh, x.c.bagaimana, x.c.column_key)
            .select_from(e.outerjoin(x, x.c.id == e.c.teks)))


def logical(row: Any) -> dict[str, Any]:
    """A row of ``joined`` as the event was recorded: its columns in COLUMNS order (those the
    query selected), the reason written again where its entry keeps only the part before the values."""
    return logical_of(row._mapping)


def logical_of(m: Any) -> dict[str, Any]:
    out = {name: m[name] for name in COLUMNS if name in m}
    if m["ubah"]:
        out["reason"] = m["reason"] + (_moved(m["old_value"], m["new_value"]) or "")
    return out
