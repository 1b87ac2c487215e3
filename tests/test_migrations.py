"""Alembic migrations: an empty database and one at the previous revision both reach head,
and head matches the schema the code uses."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, Table, create_engine, inspect, insert, select, text

from service.archive import schema
from service.archive.store import migrate


def _revision(engine) -> str:
    with engine.connect() as conn:
        return conn.execute(text("select version_num from alembic_version")).scalar()


def test_empty_database_upgrades_to_head_matching_the_code(db_url):
    engine = create_engine(db_url)
    try:
        migrate(engine)
        assert _revision(engine) == "0005"
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), schema.metadata)
        assert [d for d in diff if d[0] not in ("remove_index", "add_index")] == []
    finally:
        engine.dispose()


def test_database_at_previous_revision_upgrades_and_keeps_its_rows(db_url):
    engine = create_engine(db_url)
    try:
        migrate(engine, "0001")
        assert "fingerprint" not in {c["name"] for c in inspect(engine).get_columns("rows")}
        old_rows = Table("rows", MetaData(), autoload_with=engine)  # as revision 0001 left it
        with engine.begin() as conn:
            conn.execute(insert(old_rows).values(
                opd="DINKES", row_id="DINKES-0001", state="10", data="{}", boxes="{}", catatan="", box_notes="{}",
                notes="{}", findings="[]", archived_version=1, removed=False, position=2))
        migrate(engine)
        assert _revision(engine) == "0005"
        with engine.begin() as conn:
            row = conn.execute(select(schema.rows.c.row_id, schema.rows.c.fingerprint)).one()
            conn.execute(insert(schema.leases).values(name="poller", holder="x", acquired_at=text("CURRENT_TIMESTAMP"),
                                                      expires_at=text("CURRENT_TIMESTAMP")))
        assert tuple(row) == ("DINKES-0001", "")
    finally:
        engine.dispose()


def test_head_read_from_the_migration_files_is_alembics_head():
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory

    from service.archive.store import MIGRATIONS, head_revision

    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert head_revision() == ScriptDirectory.from_config(config).get_current_head()


def test_a_server_database_is_migrated_only_when_asked(db_url):
    import pytest

    from service.archive.store import SchemaOutdated, head_revision, make_engine

    engine = create_engine(db_url)
    try:
        migrate(engine, "0001")
    finally:
        engine.dispose()
    if db_url.startswith("sqlite"):
        make_engine(db_url).dispose()  # the workspace's own file brings itself up to date
    else:
        with pytest.raises(SchemaOutdated, match="satudata db upgrade"):
            make_engine(db_url)
        make_engine(db_url, upgrade=True).dispose()
    engine = create_engine(db_url)
    try:
        assert _revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_the_read_only_dashboard_never_migrates(tmp_path):
    import pytest

    from service.archive.store import SchemaOutdated, make_engine

    url = f"sqlite:///{tmp_path / 'kosong.sqlite'}"
    with pytest.raises(SchemaOutdated):
        make_engine(url, upgrade=False)
    engine = create_engine(url)
    try:
        assert "alembic_version" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()
