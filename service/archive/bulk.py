"""Many rows in one driver ``executemany``, for the poller's per-tab writes (DECISIONS.md #5).

SQLAlchemy's own executemany processes every parameter set in Python (about 10 µs a row,
more than SQLite needs to store it); here a statement is compiled once per dialect and
column set, each column's type converts its values once per distinct value (the same
processors SQLAlchemy would apply), and the rows go to the driver as plain tuples or dicts.
"""
from __future__ import annotations

from operator import itemgetter
from typing import Any, Callable

from sqlalchemy import Connection
from sqlalchemy.sql import ClauseElement

# (statement key, dialect, columns) -> (SQL, bind names in order or None when named, processors)
_COMPILED: dict[tuple, tuple[str, tuple[str, ...] | None, dict[str, Callable]]] = {}


def execute_many(conn: Connection, key: str, build: Callable[[], ClauseElement], rows: list[dict[str, Any]]) -> None:
    """Run the statement ``build()`` makes once per row of ``rows`` (dicts keyed by bind name,
    all with the same keys). ``key`` names the statement for the compile cache. The dicts are
    converted in place (they are the caller's scratch values)."""
    if not rows:
        return
    sql, order, processors = _compiled(conn, key, build, tuple(rows[0]))
    for name, process in processors.items():
        seen: dict[Any, Any] = {}
        for row in rows:
            value = row[name]
            try:
                row[name] = seen[value]
            except KeyError:
                row[name] = seen[value] = process(value)
            except TypeError:  # an unhashable value: convert it without the memo
                row[name] = process(value)
    if order is None:
        conn.exec_driver_sql(sql, rows)
    elif len(order) == 1:
        conn.exec_driver_sql(sql, [(row[order[0]],) for row in rows])
    else:
        conn.exec_driver_sql(sql, list(map(itemgetter(*order), rows)))


def _compiled(conn: Connection, key: str, build: Callable[[], ClauseElement], columns: tuple[str, ...]):
    dialect = conn.dialect
    cache_key = (key, dialect.name, dialect.driver, dialect.paramstyle, getattr(dialect, "is_mariadb", False), columns)
    found = _COMPILED.get(cache_key)
    if found is None:
        compiled = build().compile(dialect=dialect, column_keys=list(columns))
        processors = {}
        for name, bind in compiled.binds.items():
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                processors[name] = process
        order = tuple(compiled.positiontup) if compiled.positional else None
        found = _COMPILED[cache_key] = (compiled.string, order, processors)
    return found
