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
        assert _revision(engine) == "0006_event_people"
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
        assert _revision(engine) == "0006_event_people"
        with engine.begin() as conn:
            row = conn.execute(select(schema.rows.c.row_id, schema.rows.c.fingerprint)).one()
            conn.execute(insert(schema.leases).values(name="poller", holder="x", acquired_at=text("CURRENT_TIMESTAMP"),
                                                      expires_at=text("CURRENT_TIMESTAMP")))
        assert tuple(row) == ("DINKES-0001", "")
    finally:
        engine.dispose()


def test_events_recorded_before_0006_read_as_state_changes_with_no_person(db_url):
    engine = create_engine(db_url)
    try:
        migrate(engine, "0005")
        old_events = Table("events", MetaData(), autoload_with=engine)
        with engine.begin() as conn:
            conn.execute(insert(old_events).values(at=text("CURRENT_TIMESTAMP"), opd="DINKES", row_id="DINKES-0001",
                                                   from_state="1", to_state="3", reason="Dicek", cell_values="{}"))
        migrate(engine)
        with engine.connect() as conn:
            event = conn.execute(select(schema.events.c.kind, schema.events.c.oleh, schema.events.c.to_state)).one()
        assert tuple(event) == ("status", None, "3")
    finally:
        engine.dispose()
