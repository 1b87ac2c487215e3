"""Alembic migrations: an empty database and one at the previous revision both reach head,
and head matches the schema the code uses."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, Table, create_engine, inspect, insert, select, text

from service.archive import schema
from service.archive.engine import migrate

HEAD = "0015_event_digests"


def downgrade(engine, revision: str) -> None:
    from alembic import command
    from alembic.config import Config as AlembicConfig

    from service.archive.engine import MIGRATIONS
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)


def _revision(engine) -> str:
    with engine.connect() as conn:
        return conn.execute(text("select version_num from alembic_version")).scalar()


def test_empty_database_upgrades_to_head_matching_the_code(db_url):
    engine = create_engine(db_url)
    try:
        migrate(engine)
        assert _revision(engine) == HEAD
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), schema.metadata)
        assert [d for d in diff if d[0] not in ("remove_index", "add_index")] == []
        indexes = {i["name"]: i["column_names"] for i in inspect(engine).get_indexes("rows")}
        for name in ("ix_rows_progress", "ix_rows_findings"):  # the dashboard's covering indexes (0009)
            assert indexes[name] == [c.name for c in next(i for i in schema.rows.indexes if i.name == name).columns]
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
        assert _revision(engine) == HEAD
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

    from service.archive.engine import MIGRATIONS, head_revision

    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert head_revision() == ScriptDirectory.from_config(config).get_current_head()


def test_a_server_database_is_migrated_only_when_asked(db_url):
    import pytest

    from service.archive.engine import SchemaOutdated, head_revision, make_engine

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


def _archive_0005(conn, row_id: str, version: int, rincian: str, tahun: int, nilai: float, digest: str) -> dict:
    old = Table("archive", MetaData(), autoload_with=conn)  # as revision 0005 left it
    conn.execute(insert(old).values(
        opd="DINKES", row_id=row_id, version=version, kode_data="", uraian_data="Jumlah Puskesmas", rincian=rincian,
        satuan="Unit", tahun=tahun, nilai=nilai, nilai_teks=str(nilai), keterangan="", content_hash=digest,
        verified_at=text("CURRENT_TIMESTAMP"), archived_at=text("CURRENT_TIMESTAMP")))


def test_versions_of_one_row_spanning_years_are_split_into_their_data(db_url):
    """Before 0006 a row reused for 2026 became 'versi 3' of its 2025 datum; after it, 2025 keeps
    versions 1-2 and 2026 is versi 1 of its own datum, numbered in archive order."""
    engine = create_engine(db_url)
    try:
        migrate(engine, "0005")
        old_rows = Table("rows", MetaData(), autoload_with=engine)
        with engine.begin() as conn:
            for version, (tahun, nilai) in enumerate([(2025, 3.0), (2025, 4.0), (2026, 5.0), (2026, 6.0)], 1):
                _archive_0005(conn, "DINKES-0001", version, "Kec. Maospati", tahun, nilai, f"h{version}")
            _archive_0005(conn, "DINKES-0002", 1, "Kawedanan", 2025, 7.0, "h5")
            conn.execute(insert(old_rows).values(
                opd="DINKES", row_id="DINKES-0001", state="10", data="{}", boxes="{}", catatan="", box_notes="{}",
                notes="{}", findings="[]", archived_version=4, removed=False, position=2, fingerprint="",
                galat=0, peringatan=0))
        migrate(engine)
        assert _revision(engine) == HEAD
        a = schema.archive
        with engine.connect() as conn:
            got = conn.execute(select(a.c.row_id, a.c.tahun, a.c.nilai, a.c.version, a.c.kode_wilayah,
                                      a.c.rincian_key, a.c.konsep).order_by(a.c.id)).all()
            remembered = conn.execute(select(schema.rows.c.archived_version)).scalar_one()
        assert [tuple(r) for r in got] == [
            ("DINKES-0001", 2025, 3.0, 1, "35.20.11", "35.20.11", ""),
            ("DINKES-0001", 2025, 4.0, 2, "35.20.11", "35.20.11", ""),
            ("DINKES-0001", 2026, 5.0, 1, "35.20.11", "35.20.11", ""),
            ("DINKES-0001", 2026, 6.0, 2, "35.20.11", "35.20.11", ""),
            ("DINKES-0002", 2025, 7.0, 1, "35.20.05", "35.20.05", "")]
        assert remembered == 2  # the row's last archived version, renumbered within 2026
    finally:
        engine.dispose()


def test_migrated_keys_are_the_keys_the_poller_computes(db_url):
    """A row verified again after the upgrade finds its migrated datum: no duplicate version."""
    from rules.datum import datum_of
    from rules.wilayah import Wilayah

    engine = create_engine(db_url)
    try:
        migrate(engine, "0005")
        with engine.begin() as conn:
            _archive_0005(conn, "DINKES-0001", 1, "35.20.11", 2025, 3.0, "h1")
        migrate(engine)
        with engine.connect() as conn:
            key = conn.execute(select(schema.archive.c.datum)).scalar_one()
        typed = {"uraian_data": "jumlah  puskesmas", "rincian": "Maospati", "tahun": "2025"}
        assert key == datum_of(typed, Wilayah.load()).key
    finally:
        engine.dispose()


def test_downgrade_from_datum_numbers_versions_per_row_again(db_url):
    engine = create_engine(db_url)
    try:
        migrate(engine, "0005")
        with engine.begin() as conn:
            for version, tahun in enumerate([2025, 2026, 2026], 1):
                _archive_0005(conn, "DINKES-0001", version, "", tahun, float(version), f"h{version}")
        migrate(engine)
        downgrade(engine, "0005")  # through 0007 and 0006
        assert _revision(engine) == "0005"
        assert "datum" not in {c["name"] for c in inspect(engine).get_columns("archive")}
        with engine.connect() as conn:
            versions = conn.execute(text("select version from archive order by id")).scalars().all()
        assert versions == [1, 2, 3]
    finally:
        engine.dispose()


def test_the_read_only_dashboard_never_migrates(tmp_path):
    import pytest

    from service.archive.engine import SchemaOutdated, make_engine

    url = f"sqlite:///{tmp_path / 'kosong.sqlite'}"
    with pytest.raises(SchemaOutdated):
        make_engine(url, upgrade=False)
    engine = create_engine(url)
    try:
        assert "alembic_version" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()



def test_service_standard_starts_from_the_phase_and_first_event_an_archive_holds(db_url):
    from datetime import datetime

    engine = create_engine(db_url)
    try:
        migrate(engine, "0006_datum")
        old_tabs = Table("tabs", MetaData(), autoload_with=engine)
        old_events = Table("events", MetaData(), autoload_with=engine)
        with engine.begin() as conn:
            conn.execute(insert(old_tabs).values(opd="DINKES", next_seq=3, write_pending=False, confirm_removal=False,
                                                 status="ok", message="", phase_order=3,
                                                 phase_started_at=datetime(2025, 3, 5, 2, 0)))
            for at in (datetime(2025, 3, 4, 2, 0), datetime(2025, 3, 3, 2, 0)):
                conn.execute(insert(old_events).values(at=at, opd="DINKES", row_id="DINKES-0001", to_state="1",
                                                       reason="", cell_values="{}"))
        migrate(engine)
        with engine.connect() as conn:
            handed = conn.execute(select(schema.tabs.c.handed_out_at)).scalar_one()
            log = conn.execute(select(schema.phases.c.at, schema.phases.c.phase_order)).all()
        assert handed == datetime(2025, 3, 3, 2, 0)
        assert [tuple(r) for r in log] == [(datetime(2025, 3, 5, 2, 0), 3)]
    finally:
        engine.dispose()


def test_events_recorded_before_0008_read_as_state_changes_with_no_person(db_url):
    engine = create_engine(db_url)
    try:
        migrate(engine, "0005")
        old_events = Table("events", MetaData(), autoload_with=engine)
        with engine.begin() as conn:
            conn.execute(insert(old_events).values(at=text("CURRENT_TIMESTAMP"), opd="DINKES", row_id="DINKES-0001",
                                                   from_state="1", to_state="3", reason="Dicek", cell_values="{}"))
        migrate(engine)
        from service.archive.queries import Queries
        event = Queries(engine).events(kind=None)[0]
        assert (event["kind"], event["oleh"], event["to_state"], event["reason"]) == ("status", None, "3", "Dicek")
    finally:
        engine.dispose()


def test_year_clock_keeps_existing_phases_as_the_open_years_and_archived_values_as_numbers(db_url):
    from datetime import datetime

    engine = create_engine(db_url)
    try:
        migrate(engine, "0011_record")
        old_phases = Table("phases", MetaData(), autoload_with=engine)
        with engine.begin() as conn:
            conn.execute(insert(old_phases).values(opd="DINKES", at=datetime(2025, 3, 5, 2, 0), phase_order=3))
        migrate(engine)
        with engine.connect() as conn:
            assert conn.execute(select(schema.phases.c.opd, schema.phases.c.tahun)).all() == [("DINKES", None)]
            assert conn.execute(select(schema.year_clocks)).all() == []
        assert "status_nilai" in {c["name"] for c in inspect(engine).get_columns("archive")}
        downgrade(engine, "0011_record")  # and back: the columns and table go, the log stays
        assert "year_clocks" not in inspect(engine).get_table_names()
        assert "tahun" not in {c["name"] for c in inspect(engine).get_columns("phases")}
    finally:
        engine.dispose()
