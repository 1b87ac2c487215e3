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


@contextlib.contextmanager
def _own_database(name: str):
    """Yield the URL of a new, uniquely named database on a real server; drop it (and only it) after.

    The configured URL names the server to connect to; its database, if any, is only used to
    connect and is never written to, so a developer's own `test` database is never touched.
    Unreachable is a skip locally and a failure in CI (SATUDATA_REQUIRE_SERVICES=1).
    """
    import os
    import secrets

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    env, default = DATABASES[name]
    server = make_url(os.environ.get(env, default))
    dbname = f"satudata_test_{secrets.token_hex(6)}"
    try:
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f"create database {dbname}"))
    except Exception as exc:  # the driver's own error says why
        if os.environ.get("SATUDATA_REQUIRE_SERVICES") == "1":
            pytest.fail(f"{name} tidak dapat dihubungi di {server.render_as_string()}: {exc}")
        pytest.skip(f"{name} not reachable at {server} (set SATUDATA_REQUIRE_SERVICES=1 to fail instead)")
    try:
        yield server.set(database=dbname).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            if name == "postgresql":
                conn.execute(text(f"drop database if exists {dbname} with (force)"))
            else:
                conn.execute(text(f"drop database if exists {dbname}"))
        admin.dispose()


@pytest.fixture(params=list(DATABASES))
def db_url(request, tmp_path: Path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'arsip.sqlite'}"
        return
    with _own_database(request.param) as url:
        yield url


@pytest.fixture
def db_world(tmp_path: Path, db_url: str):
    w = World(tmp_path, url=db_url)
    yield w
    w.store.engine.dispose()
