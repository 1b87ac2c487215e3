"""Audit events a quarter of their size (DECISIONS.md #151): an archive at 0014 migrates to head
and nothing is lost. Every reader prints what it printed, every chain verifies with the same heads
(so a Berita Acara or backup manifest printed before still matches), a break made before the
migration is named the same way after it, and the downgrade gives back 0014's columns byte for byte."""
from __future__ import annotations

import pytest
from sqlalchemy import select, text

from service.archive import chain, schema as t
from service.archive.engine import migrate
from tests.test_compact_events import _outputs, _year_of_work
from tests.test_migrations import downgrade
from tests.test_sop_flow import OPD

PREVIOUS = "0014_compact_events"


def _raw(engine) -> list[dict]:
    """The events as stored, every column by name, read without the code's types."""
    with engine.connect() as conn:
        return [{k: bytes(v) if isinstance(v, memoryview) else v for k, v in r._mapping.items()}
                for r in conn.execute(text("SELECT * FROM events ORDER BY id"))]


def _sizes(engine) -> set[tuple[int, int]]:
    with engine.connect() as conn:
        return set(conn.execute(select(text("length(chain_hash)"), text("length(chain_fields)"))
                                .select_from(t.events)).all())


def test_an_archive_at_0014_migrates_and_every_reader_and_head_stays_the_same(db_world, tmp_path):
    world = db_world
    rids, moment = _year_of_work(world)
    engine = world.store.engine
    before = _outputs(world, tmp_path, rids, moment, "lama")
    downgrade(engine, PREVIOUS)  # the archive as 0014 left it (a server is migrated only when asked)
    stored = _raw(engine)
    heads = chain.heads(engine)
    migrate(engine)

    after = _outputs(world, tmp_path, rids, moment, "baru")
    for key in before:
        assert after[key] == before[key], key
    assert chain.heads(engine) == heads  # no head moves: documents printed before still match
    found = chain.verify(engine)
    assert found.ok and found.records, [b.message for b in found.breaks]
    assert _sizes(engine) == {(32, len(chain.EVENT_FIELDS))}  # bytes, one of CRC a field
    downgrade(engine, PREVIOUS)
    assert _raw(engine) == stored  # 0014's form again, byte for byte


def test_a_break_made_before_the_migration_is_named_the_same_way_after_it(db_world):
    world = db_world
    _year_of_work(world)
    engine = world.store.engine
    downgrade(engine, PREVIOUS)
    with engine.begin() as conn:  # someone changes who made the fifth status change, behind the product's back
        victim = conn.execute(text("SELECT id FROM events WHERE kind = 'status' ORDER BY id")).all()[4].id
        conn.execute(text("UPDATE events SET oleh = 'orang lain' WHERE id = :id"), {"id": victim})
    broken = [b.as_dict() for b in chain.verify(engine).breaks]
    assert [(b["jenis"], b["kolom"]) for b in broken] == [("audit", "oleh")]
    migrate(engine)
    assert [b.as_dict() for b in chain.verify(engine).breaks] == broken
    downgrade(engine, PREVIOUS)
    assert [b.as_dict() for b in chain.verify(engine).breaks] == broken


def test_new_events_after_the_migration_chain_onto_the_old_heads(db_world):
    world = db_world
    rids, _ = _year_of_work(world)
    engine = world.store.engine
    downgrade(engine, PREVIOUS)
    migrate(engine)
    world.backend.set(OPD, rids[0], "Nilai", "40")
    world.poll()
    found = chain.verify(engine)
    assert found.ok, [b.message for b in found.breaks]
    assert _sizes(engine) == {(32, len(chain.EVENT_FIELDS))}


def test_a_backup_made_at_0014_restores_into_this_version_with_every_text(db_world, tmp_path, monkeypatch):
    from sqlalchemy import MetaData

    from service.archive import backup as module
    from service.archive.engine import make_engine
    from service.archive.queries import Queries
    from service.web.history import row_history
    world = db_world
    rids, _ = _year_of_work(world)
    engine = world.store.engine
    reads = Queries(engine)
    expected = ([row_history(reads, OPD, rid) for rid in rids], reads.events(limit=100_000, opd=OPD, kind=None))
    downgrade(engine, PREVIOUS)
    as_of = MetaData()
    as_of.reflect(bind=engine)
    with monkeypatch.context() as m:  # the dump as the previous version wrote it: 0014's tables and columns
        m.setattr(module, "_tables", lambda: [tb for tb in as_of.sorted_tables if tb.name not in ("leases", "alembic_version")])
        zipped, manifest = module.backup(engine, tmp_path / "cadangan-0014", world.now)
    assert manifest.skema == PREVIOUS
    _, verified = module.restore(zipped, f"sqlite:///{tmp_path / 'pulih.sqlite'}")
    assert verified.ok, [b.message for b in verified.breaks]
    restored = make_engine(f"sqlite:///{tmp_path / 'pulih.sqlite'}")
    try:
        reads = Queries(restored)
        got = ([row_history(reads, OPD, rid) for rid in rids], reads.events(limit=100_000, opd=OPD, kind=None))
        assert got == expected and chain.heads(restored) == chain.heads(engine)
    finally:
        restored.dispose()


def test_a_changed_shared_text_is_caught_at_the_first_event_that_names_it(db_world):
    world = db_world
    _year_of_work(world)
    engine = world.store.engine
    e, x = t.events.c, t.event_texts
    with engine.begin() as conn:  # someone rewrites one stored "oleh", which many events name
        victim = conn.execute(select(e.teks).where(e.kind == "status").order_by(e.id).offset(2).limit(1)).scalar_one()
        first = conn.execute(select(e.chain_seq).where(e.teks == victim).order_by(e.id).limit(1)).scalar_one()
        conn.execute(x.update().where(x.c.id == victim).values(oleh="Orang Lain"))
    found = chain.verify(engine).breaks[0]
    assert (found.kind, found.field, found.seq) == ("audit", "oleh", first)


def test_a_value_change_reason_is_kept_as_its_words_and_written_again_from_its_values():
    from service.archive.texts import entry, logical_of
    long = "x" * 90
    cases = [
        ("Nilai diubah: '12' → '31'", "12", "31"),
        ("Nilai diubah: (kosong) → '31'", "", "31"),
        (f"Keterangan diubah: '{'x' * 80}…' → (kosong)", long, "  "),
        ("Nilai diubah oleh orang lain", "12", "31"),  # not the values' form: kept whole
        ("baris baru", None, None),
    ]
    for reason, old, new in cases:
        event = {"reason": reason, "old_value": old, "new_value": new, "oleh": "Sari", "bagaimana": "b",
                 "column_key": "nilai"}
        stored = entry(event)
        assert stored[1] == (reason.endswith(("'31'", "(kosong)")) and old is not None)
        read = logical_of({"reason": stored[0], "ubah": stored[1], "oleh": stored[2], "bagaimana": stored[3],
                           "column_key": stored[4], "old_value": old, "new_value": new})
        assert read["reason"] == reason and read["oleh"] == "Sari"
    assert entry({"reason": "Nilai diubah: '1' → '2'", "old_value": "1", "new_value": "2"})[0] == "Nilai diubah: "


def test_a_sqlite_archive_gives_back_the_pages_an_upgrade_freed(world):
    """The upgrade that makes the events smaller must not leave the file its old size plus the new
    rows: the pages it freed are given back (VACUUM), so the archive file shrinks as the table does."""
    rids, _moment = _year_of_work(world)
    engine = world.store.engine
    downgrade(engine, PREVIOUS)
    migrate(engine)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA freelist_count").scalar() == 0


@pytest.mark.parametrize("name", ["postgresql", "mariadb"])
def test_two_writers_adding_the_same_new_text_at_once_both_get_its_one_entry(name):
    """Two workspaces' writers (no lease between them) record an event with the same new text at
    the same moment: the second waits on the unique sidik, then takes the first's entry."""
    import threading

    from sqlalchemy import create_engine

    from service.archive import texts
    from tests.conftest import head_database

    key = ("Diverifikasi bersamaan", False, "walidata@example.go.id", "uji", None)
    with head_database(name) as url:
        engine = create_engine(url)
        try:
            first = engine.connect()
            tx = first.begin()
            mine = texts.ids(first, {key})[key]
            theirs: dict = {}

            def second() -> None:
                with engine.begin() as conn:
                    theirs.update(texts.ids(conn, {key}))
            thread = threading.Thread(target=second)
            thread.start()
            thread.join(1.0)
            assert thread.is_alive()  # waiting on the first writer's uncommitted entry
            tx.commit()
            thread.join(30)
            first.close()
            assert theirs == {key: mine}
            with engine.connect() as conn:
                assert conn.execute(select(text("count(*)")).select_from(t.event_texts)).scalar() == 1
        finally:
            engine.dispose()
