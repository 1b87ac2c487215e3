"""Opening the archive: the engine, and the schema brought to the newest Alembic migration."""
from __future__ import annotations

import re
import time
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, exc

PING_AFTER_IDLE = 1.0  # seconds a pooled server connection may rest before it is tested again

MIGRATIONS = Path(__file__).with_name("migrations")


def migrate(engine: Engine, revision: str = "head", schema: str | None = None) -> None:
    """Bring the schema to ``revision`` with the project's Alembic migrations. On PostgreSQL the
    upgrade holds an advisory lock for its schema, so concurrent upgrades of one workspace run one
    after the other, and it creates the workspace's own schema ([archive] skema) first."""
    from alembic import command
    from alembic.config import Config as AlembicConfig
    from sqlalchemy import text

    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    before = schema_revision(engine)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"satudata:{schema or ''}"})
            if schema:
                conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
    if engine.dialect.name == "postgresql" and schema_revision(engine) != before:
        refresh_statistics(engine)
    if engine.dialect.name == "sqlite" and before is not None and schema_revision(engine) != before:
        # A migration that rewrote rows (0014, 0015 make the events smaller) leaves the old pages
        # free inside the file; give them back, or the archive file grows on the upgrade that
        # shrinks it (DECISIONS.md #151).
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM")


def refresh_statistics(engine: Engine) -> None:
    """On PostgreSQL, ANALYZE the archive's own tables (in its schema only, not a province's other
    workspaces): after a restore or a migration that rewrote rows the planner has no statistics
    until autovacuum comes by, and reads by a watermark or a chain place were sequential scans of
    the whole table meanwhile (DECISIONS.md #157). Elsewhere nothing: MariaDB keeps its statistics
    itself, and a SQLite archive has none unless asked."""
    if engine.dialect.name != "postgresql":
        return
    from sqlalchemy import inspect, text

    from service.archive.schema import metadata
    with engine.begin() as conn:
        present = set(inspect(conn).get_table_names())
        names = [table.name for table in metadata.sorted_tables if table.name in present]
        if names:
            conn.execute(text("ANALYZE " + ", ".join(f'"{name}"' for name in names)))


class SchemaOutdated(Exception):
    """A server database whose schema is older than this version of the product."""


def ping_after_idle(engine: Engine) -> None:
    """Test a pooled connection before use only when it rested PING_AFTER_IDLE seconds or more (a server
    restarted, a connection dropped by a firewall), as pool_pre_ping does on every checkout: a
    dashboard page checks a connection out a dozen times in a row, and each test was a round trip
    (DECISIONS.md #157). A connection that fails the test is replaced, as with pool_pre_ping."""
    @event.listens_for(engine, "checkin")
    def _rested(dbapi_connection, record) -> None:
        record.info["satudata_returned"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _test(dbapi_connection, record, proxy) -> None:
        returned = record.info.get("satudata_returned")
        if returned is not None and time.monotonic() - returned < PING_AFTER_IDLE:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:  # noqa: BLE001 - any failure means: take a new connection
            raise exc.DisconnectionError() from error


def statement_reads(engine: Engine) -> Engine:
    """The engine for read-only models: on PostgreSQL each statement in its own transaction (its
    default READ COMMITTED gives each statement its own snapshot inside a transaction too), so a
    read costs no BEGIN and ROLLBACK round trips; the same pool. Elsewhere ``engine`` itself
    (MariaDB would spend a round trip switching autocommit on and off)."""
    return engine.execution_options(isolation_level="AUTOCOMMIT") if engine.dialect.name == "postgresql" else engine


def schema_args(schema: str | None) -> dict:
    """create_engine arguments that put every connection in ``schema`` (a checked name)."""
    return {"connect_args": {"options": f"-csearch_path={schema}"}} if schema else {}


def known_revisions() -> set[str]:
    """Every migration this version of the product knows, read from the files."""
    return {m.group(1) for path in (MIGRATIONS / "versions").glob("*.py")
            if (m := re.search(r"^revision\s*=\s*['\"]([^'\"]+)['\"]", path.read_text(encoding="utf-8"), re.M))}


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


def make_engine(url: str, *, upgrade: bool | None = None, schema: str | None = None) -> Engine:
    """Build the engine for an archive whose schema is current.

    A SQLite archive (a file in the workspace) is brought up to date on open. A server database
    (PostgreSQL, MariaDB) is migrated only when asked (``upgrade=True``: ``satudata init`` and
    ``satudata db upgrade``), so no poller or dashboard runs DDL on a shared server unasked;
    ``upgrade=False`` never migrates (the read-only dashboard). A current schema costs one query.
    ``schema`` (PostgreSQL): every connection of this workspace works in that schema only (its
    tables, lease and Alembic version), so regencies share one server without sharing rows.
    """
    engine = create_engine(url, **schema_args(schema))
    if engine.dialect.name != "sqlite":
        ping_after_idle(engine)

    if upgrade is None:
        upgrade = engine.dialect.name == "sqlite"
    current, head = schema_revision(engine), head_revision()
    if current != head:
        if not upgrade:
            engine.dispose()
            raise SchemaOutdated(f"skema arsip {'kosong' if current is None else 'versi ' + current} belum versi "
                                 f"terbaru ({head}); jalankan: satudata db upgrade")
        migrate(engine, schema=schema)
    return engine
