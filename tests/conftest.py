"""The shared world: a fake backend, a real SQLite archive, rules, and a clock passed in."""
from __future__ import annotations

import contextlib
import os
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import settings

from rules.rulefile import load_rules
from rules.wilayah import Wilayah
from service.config import Config, Opd
from service.poller.cycle import run_cycle
from service.archive.queries import Queries
from service.archive.store import Store, make_engine
from tests.fakes import FakeBackend

WIB = ZoneInfo("Asia/Jakarta")

# The modules that take longest (LibreOffice, Chromium, every engine, province-wide scenarios), in
# that order: `make test` hands whole modules to its workers (DECISIONS.md #150), so these start
# first and no worker is left running one of them alone at the end. A module missing here is only
# scheduled later.
SLOWEST_FIRST = ("test_walidata_procedure", "test_flow_databases", "test_browser_fit", "test_province",
                 "test_dashboard", "test_google_layout", "test_dashboard_years", "test_chain",
                 "test_migrations", "test_compact_events", "test_hardening", "test_checks_equivalence",
                 "test_evaluasi", "test_backup", "test_readme_guide", "test_xlsx_patch", "test_store")


def pytest_collection_modifyitems(items):
    rank = {name: i for i, name in enumerate(SLOWEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.module.__name__.rpartition(".")[2], len(rank))
               if item.module is not None else len(rank))

# Property tests: thorough in CI (CI=true), small while working; HYPOTHESIS_PROFILE overrides.
# No deadline: a wall-clock limit is flaky on a shared 2-core machine.
settings.register_profile("ci", max_examples=320, database=None, deadline=None)
settings.register_profile("dev", max_examples=60, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))


def make_config(tmp_path: Path, opds=(("DINKES", "Dinas Kesehatan"), ("DIKPORA", "Dinas Pendidikan")),
                url: str | None = None) -> Config:
    return Config(path=tmp_path / "satudata.toml", name="Uji", year=2025, backend="xlsx",
                  folder=tmp_path / "sheets", spreadsheet_id=None, credentials=None,
                  archive_url=url or f"sqlite:///{tmp_path / 'arsip.sqlite'}", interval_seconds=60,
                  walidata=("walidata@example.go.id",), opds=tuple(Opd(k, n) for k, n in opds),
                  rules_folder=None)


class World:
    """The fake sheet, the archive and a clock that moves an hour per poll."""

    def __init__(self, tmp_path: Path, backend=None, url: str | None = None) -> None:
        self.config = make_config(tmp_path, url=url)
        self.backend = backend if backend is not None else FakeBackend()
        self.store = Store(make_engine(self.config.archive_url, upgrade=True))
        self.reads = Queries(self.store.engine)  # what the dashboard, exports and publishing read
        self.rules = load_rules()
        self.wilayah = WILAYAH
        self.now = datetime(2025, 3, 3, 9, 0, tzinfo=WIB)

    def poll(self):
        self.now += timedelta(hours=1)
        return run_cycle(self.config, self.backend, self.store, self.rules, self.wilayah, self.now)

    def row(self, opd: str, row_id: str):
        return self.store.load_tab(opd).rows[row_id]

    def fill_and_verify(self, opd: str, nilai: str) -> str:
        """The OPD's first row filled with ``nilai`` (a poll), then verified (a poll); its ID."""
        rid = self.backend.ids(opd)[0]
        self.backend.set(opd, rid, "Nilai", nilai)
        self.backend.set(opd, rid, "Selesai Diisi", "YA")
        self.poll()
        self.backend.set(opd, rid, "Terverifikasi", "YA")
        self.poll()
        return rid


WILAYAH = Wilayah.load()


@pytest.fixture
def world(tmp_path: Path):
    w = World(tmp_path)
    yield w
    w.store.engine.dispose()


@pytest.fixture(scope="session", autouse=True)
def _sqlite_archives_from_a_migrated_template(tmp_path_factory):
    """The migrations run once per test process into a template; every new, empty SQLite archive a
    test opens at head is then copied from it with SQLite's backup API (DECISIONS.md #150): the
    same schema for a hundredth of the CPU, on thousands of archives. Any other migration (a server,
    an older revision, a database that holds tables) runs for real; test_migrations checks them."""
    import sqlite3

    from sqlalchemy import create_engine, inspect

    from service.archive import engine as opening

    real = opening.migrate
    template = tmp_path_factory.mktemp("skema") / "head.sqlite"
    built = create_engine(f"sqlite:///{template}")
    real(built)
    built.dispose()

    def migrate(engine, revision="head", schema=None):
        if (engine.dialect.name != "sqlite" or revision != "head" or schema
                or engine.url.database in (None, "", ":memory:")):
            return real(engine, revision, schema)
        with engine.connect() as conn:
            empty = not inspect(conn).get_table_names()
        if not empty:
            return real(engine, revision, schema)
        raw = engine.raw_connection()
        try:
            with contextlib.closing(sqlite3.connect(template)) as source:
                source.backup(raw.driver_connection)
        finally:
            raw.close()

    opening.migrate = migrate
    yield
    opening.migrate = real


DATABASES = {
    "sqlite": None,
    # A server, not a database: every test makes its own database there and drops only that one.
    "postgresql": ("SATUDATA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"),
    "mariadb": ("SATUDATA_TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/"),
}


def _server(name: str):
    """An AUTOCOMMIT engine on the configured server (its database only used to connect)."""
    import os

    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    env, default = DATABASES[name]
    return create_engine(make_url(os.environ.get(env, default)), isolation_level="AUTOCOMMIT")


def _create_database(name: str) -> str:
    """A new, uniquely named database on a real server; its URL. Unreachable is a skip locally
    and a failure in CI (SATUDATA_REQUIRE_SERVICES=1)."""
    import os
    import secrets

    from sqlalchemy import text

    admin = _server(name)
    dbname = f"satudata_test_{secrets.token_hex(6)}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f"create database {dbname}"))
    except Exception as exc:  # the driver's own error says why
        shown = admin.url.render_as_string()
        admin.dispose()
        if os.environ.get("SATUDATA_REQUIRE_SERVICES") == "1":
            pytest.fail(f"{name} tidak dapat dihubungi di {shown}: {exc}")
        pytest.skip(f"{name} not reachable at {shown} (set SATUDATA_REQUIRE_SERVICES=1 to fail instead)")
    url = admin.url.set(database=dbname).render_as_string(hide_password=False)
    admin.dispose()
    return url


def _drop_database(name: str, url: str) -> None:
    """Drop a database this suite created (and only such a one: its name says so)."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    dbname = make_url(url).database
    assert dbname and dbname.startswith("satudata_test_"), dbname
    admin = _server(name)
    with admin.connect() as conn:
        force = " with (force)" if name == "postgresql" else ""
        conn.execute(text(f"drop database if exists {dbname}{force}"))
    admin.dispose()


@contextlib.contextmanager
def _own_database(name: str):
    """Yield the URL of a new, empty, uniquely named database on a real server; drop it (and
    only it) after. The configured URL names the server to connect to; its database, if any, is
    only used to connect and is never written to, so a developer's own `test` database is never
    touched."""
    url = _create_database(name)
    try:
        yield url
    finally:
        _drop_database(name, url)


class _HeadDatabases:
    """Server databases this suite created and migrated to head, kept per test process and
    emptied between tests (DECISIONS.md #150): a World on PostgreSQL or MariaDB starts from the
    same empty archive at head as from a new database, without creating a database and running
    every migration for each test. A database whose schema a test changed (a downgrade, a new
    schema, a table) is dropped instead of reused; all are dropped at the end."""

    def __init__(self) -> None:
        self.idle: dict[str, list[str]] = {}
        self.shape: dict[str, tuple] = {}

    @contextlib.contextmanager
    def lease(self, name: str):
        idle = self.idle.setdefault(name, [])
        url = idle.pop() if idle else self._new(name)
        try:
            yield url
        finally:
            if self._emptied(name, url):
                idle.append(url)
            else:
                _drop_database(name, url)

    def close(self) -> None:
        for name, urls in self.idle.items():
            for url in urls:
                _drop_database(name, url)
        self.idle.clear()

    def _new(self, name: str) -> str:
        from service.archive.engine import make_engine

        url = _create_database(name)
        make_engine(url, upgrade=True).dispose()
        from sqlalchemy import create_engine
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                shape = _shape(conn)
        finally:
            engine.dispose()
        self.shape.setdefault(name, shape)
        return url

    def _emptied(self, name: str, url: str) -> bool:
        """Empty every table but alembic_version and restart its ids; False when the schema is
        no longer the one migrations give (the database is then dropped)."""
        from sqlalchemy import create_engine, text

        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                _close_other_sessions(conn)
                if _shape(conn) != self.shape.get(name):
                    return False
                tables = [t for t, _c in self.shape[name][0] if t != "alembic_version"]
                if conn.dialect.name == "postgresql":
                    with conn.begin():
                        conn.execute(text("".join(f'DELETE FROM "{t}";' for t in tables)))
                        for seq in conn.execute(text("SELECT sequencename FROM pg_sequences "
                                                     "WHERE schemaname = 'public'")).scalars():
                            conn.execute(text(f"SELECT setval('\"{seq}\"', 1, false)"))
                else:
                    conn.execute(text("SET FOREIGN_KEY_CHECKS = 0"))
                    for t in tables:
                        conn.execute(text(f"DELETE FROM `{t}`"))
                    grown = conn.execute(text("SELECT table_name FROM information_schema.tables WHERE "
                                              "table_schema = DATABASE() AND auto_increment > 1")).scalars()
                    for t in list(grown):
                        conn.execute(text(f"ALTER TABLE `{t}` AUTO_INCREMENT = 1"))
            return True
        except Exception:
            return False
        finally:
            engine.dispose()


def _close_other_sessions(conn) -> None:
    """End the connections a test left open on its database, so emptying it never waits on them."""
    from sqlalchemy import text

    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
        return
    others = conn.execute(text("SELECT id FROM information_schema.processlist "
                               "WHERE db = DATABASE() AND id <> CONNECTION_ID()")).scalars()
    for pid in list(others):
        with contextlib.suppress(Exception):
            conn.execute(text(f"KILL {int(pid)}"))


def _shape(conn) -> tuple:
    """The schema a database holds: its tables with their columns and indexes, its other schemas
    and its Alembic revision."""
    from sqlalchemy import text

    if conn.dialect.name == "postgresql":
        where = "table_schema NOT IN ('pg_catalog', 'information_schema')"
        indexes = "SELECT schemaname, tablename, indexname FROM pg_indexes WHERE schemaname NOT IN ('pg_catalog')"
        schemas = ("SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg_%' "
                   "AND nspname <> 'information_schema' ORDER BY 1")
    else:
        where = "table_schema = DATABASE()"
        indexes = "SELECT table_name, index_name, column_name FROM information_schema.statistics WHERE " + where
        schemas = "SELECT 1"
    tables = conn.execute(text(f"SELECT table_name, COUNT(*) FROM information_schema.columns WHERE {where} "
                               "GROUP BY table_schema, table_name ORDER BY table_name")).all()
    return (tuple((str(t), int(c)) for t, c in tables),
            tuple(sorted(tuple(map(str, r)) for r in conn.execute(text(indexes)))),
            tuple(conn.execute(text(schemas)).scalars()),
            conn.execute(text("SELECT version_num FROM alembic_version")).scalar())


_HEAD_DATABASES = _HeadDatabases()


@pytest.fixture(scope="session", autouse=True)
def _drop_pooled_databases():
    yield
    _HEAD_DATABASES.close()


@contextlib.contextmanager
def head_database(name: str):
    """An empty archive database at head on ``name``'s server, for this test alone."""
    with _HEAD_DATABASES.lease(name) as url:
        yield url


def _on_each_engine(request, tmp_path: Path, server):
    """SQLite: a file in tmp_path; a server: the database ``server(name)`` yields."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'arsip.sqlite'}"
        return
    with server(request.param) as url:
        yield url


@pytest.fixture(params=list(DATABASES))
def db_url(request, tmp_path: Path):
    """A new, empty database (no schema) on each engine."""
    yield from _on_each_engine(request, tmp_path, _own_database)


@pytest.fixture(params=list(DATABASES))
def archive_url(request, tmp_path: Path):
    """An empty archive at head on each engine (on a server: an emptied database of the pool)."""
    yield from _on_each_engine(request, tmp_path, head_database)


@pytest.fixture
def db_world(tmp_path: Path, archive_url: str):
    w = World(tmp_path, url=archive_url)
    yield w
    w.store.engine.dispose()
