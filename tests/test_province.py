"""Many regencies on one PostgreSQL: each workspace in its own schema ([archive] skema)."""
from __future__ import annotations

import dataclasses
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, inspect, text

from rules.rulefile import load_rules
from service.archive.engine import head_revision, make_engine
from service.archive.store import Store
from service.config import ConfigError, load_config
from service.poller.service import Service
from tests.conftest import WILAYAH, _own_database, make_config
from tests.fakes import FakeBackend

WIB = ZoneInfo("Asia/Jakarta")
REGENCIES = [f"kab_35{n:02d}" for n in range(1, 11)]


@pytest.fixture
def server_url():
    with _own_database("postgresql") as url:
        yield url


TOML = """[workspace]
name = "{schema}"
year = 2025
[sheets]
backend = "xlsx"
folder = "sheets"
[archive]
url = "{url}"
skema = "{schema}"
[[opd]]
kode = "DINKES"
nama = "Dinas Kesehatan"
"""


def test_ten_workspaces_upgrade_at_once_each_into_its_own_schema(tmp_path, server_url):
    commands = []
    for schema in REGENCIES + REGENCIES[:3]:  # ten regencies, three of them upgraded twice at once
        path = tmp_path / f"{schema}-{len(commands)}.toml"
        path.write_text(TOML.format(schema=schema, url=server_url), encoding="utf-8")
        commands.append([sys.executable, "-c", "from service.cli import main; main()", "-c", str(path), "db", "upgrade"])
    running = [subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for c in commands]
    outputs = [(p.communicate(timeout=240)[0], p.returncode)[::-1] for p in running]
    assert [code for code, _ in outputs] == [0] * 13, outputs
    assert all(f"(terbaru: {head_revision()})" in out and f"versi {head_revision()}" in out for _, out in outputs)
    admin = create_engine(server_url)
    with admin.connect() as conn:
        schemas = set(inspect(conn).get_schema_names())
        assert set(REGENCIES) <= schemas
        assert "alembic_version" in inspect(conn).get_table_names(schema="kab_3507")
        assert inspect(conn).get_table_names(schema="public") == []  # nothing lands outside a workspace
    admin.dispose()


def _regency(tmp_path: Path, url: str, schema: str):
    """A workspace with the same OPD codes as every other regency and rows of its own."""
    root = tmp_path / schema
    root.mkdir()
    config = dataclasses.replace(make_config(root, url=url), archive_schema=schema, publikasi={"otomatis": False})
    backend = FakeBackend()
    store = Store(make_engine(url, upgrade=True, schema=schema))
    service = Service(config, backend, store, load_rules(), WILAYAH, clock=lambda: datetime(2025, 3, 3, 9, tzinfo=WIB))
    service.poll()  # the tabs
    for n in range(3):
        backend.add_row("DINKES", Kode_Data=f"{schema}-K{n}", Uraian_Data=f"Data {schema} nomor {n}",
                        Rincian="", Satuan="Unit", Tahun=2024)
    return service


def test_ten_pollers_at_once_on_one_postgresql_never_see_each_others_rows(tmp_path, server_url):
    services = [_regency(tmp_path, server_url, schema) for schema in REGENCIES]
    with ThreadPoolExecutor(max_workers=10) as pool:  # every poller holds its own workspace's lease
        reports = list(pool.map(lambda s: s.poll(), services))
    assert all(not r.backend_failed and not r.errors for r in reports)
    for schema, service in zip(REGENCIES, services):
        rows = service.store.load_tab("DINKES").rows
        assert sorted(rows) == ["DINKES-0001", "DINKES-0002", "DINKES-0003"]  # the same ids in every regency
        assert {r.data["uraian_data"] for r in rows.values()} == {f"Data {schema} nomor {n}" for n in range(3)}
        assert service.store.lease.holder() == service.holder
        service.release()
        service.store.engine.dispose()
    admin = create_engine(server_url)
    with admin.connect() as conn:
        assert conn.execute(text("select count(*) from kab_3501.rows")).scalar() == 3
    admin.dispose()


def test_skema_is_for_postgresql_only_and_named_plainly(tmp_path):
    path = tmp_path / "satudata.toml"
    base = '[workspace]\nname = "Uji"\nyear = 2025\n[sheets]\nbackend = "xlsx"\nfolder = "s"\n[archive]\n'
    path.write_text(base + 'skema = "kab_3520"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="archive.skema hanya untuk arsip PostgreSQL"):
        load_config(path)
    path.write_text(base + 'url = "postgresql+psycopg://x@h/db"\nskema = "Kab 3520; drop"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="archive.skema 'Kab 3520; drop' tidak sah"):
        load_config(path)
    path.write_text(base + 'url = "postgresql+psycopg://x@h/db"\nskema = "kab_3520"\n', encoding="utf-8")
    assert load_config(path).archive_schema == "kab_3520"


@pytest.mark.parametrize("name", ["information_schema", "pg_catalog", "pg_toast", "pg_kab"])
def test_skema_refuses_postgresqls_system_schemas(tmp_path, name):
    """information_schema took the archive's tables (and pg_dump leaves that schema out);
    pg_catalog failed with an unknown database error."""
    path = tmp_path / "satudata.toml"
    path.write_text('[workspace]\nname = "Uji"\nyear = 2025\n[sheets]\nbackend = "xlsx"\nfolder = "s"\n[archive]\n'
                    f'url = "postgresql+psycopg://x@h/db"\nskema = "{name}"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=f"archive.skema '{name}' adalah skema sistem PostgreSQL"):
        load_config(path)
