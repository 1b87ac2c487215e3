"""An event keeps only the cells that changed (from -> to), the row's first the
whole row; migration 0014 compacts an archive written the old way (every event a snapshot of the
row) and what is read from it stays the same: riwayat, the dashboard's pages, pulihkan --sebelum,
the portable dump's history, and every chain still verifies (DECISIONS.md #65)."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from service.archive import chain, schema as t
from service.archive.backup import backup, restore
from service.archive.engine import migrate
from service.archive.queries import Queries
from service.archive.restore_rows import rows_as_seen
from service.web.app import create_app
from service.web.history import row_history
from tests.test_audit import AGREE, to_archived
from tests.test_migrations import downgrade
from tests.test_sop_flow import OPD, add_item, fill, tick

PREVIOUS = "0012_metadata"


@pytest.fixture
def old_writer(monkeypatch):
    """The Store as it was before compaction: every event written with the row's whole snapshot."""
    monkeypatch.setattr("service.archive.store.compact_events", lambda conn, events: None, raising=False)


def _year_of_work(world) -> tuple[list[str], object]:
    """Three rows taken through the SOP with value edits in between; the moment mid-way."""
    first = to_archived(world)
    second = add_item(world, Rincian="Kec. Maospati")
    tick(world, second, *AGREE)
    world.poll()
    moment = world.now + timedelta(minutes=30)
    fill(world, second, 2024, "12")
    tick(world, second, "Selesai Diisi")
    world.poll()
    world.backend.set(OPD, first, "Nilai", "32")
    world.backend.set(OPD, first, "Keterangan", "Profil Kesehatan 2024")
    world.poll()
    third = add_item(world, Rincian="Kec. Kawedanan")
    world.backend.set(OPD, second, "Nilai", "13")
    world.poll()
    return [first, second, third], moment


def _workspace(world, tmp_path):
    path = tmp_path / "satudata.toml"
    path.write_text(
        f'[workspace]\nyear = 2025\n[sheets]\nbackend = "xlsx"\n[archive]\nurl = "{world.config.archive_url}"\n'
        '[[opd]]\nkode = "DINKES"\n', encoding="utf-8")
    return str(path)


def _riwayat(cfg: str, *args: str) -> str:
    """`satudata riwayat` as an operator runs it; the engine it opened is closed after."""
    import service.cli.context as context
    from service.cli.commands import main
    opened, real = [], context.open_store

    def open_store(config):
        opened.append(real(config))
        return opened[-1]
    context.open_store = open_store
    try:
        return CliRunner().invoke(main, ["-c", cfg, "riwayat", *args]).output
    finally:
        context.open_store = real
        for store in opened:
            store.engine.dispose()


def _outputs(world, tmp_path, rids: list[str], moment, tag: str) -> dict:
    """Everything read from the events, as the product shows it."""
    cfg = _workspace(world, tmp_path)
    reads = Queries(world.store.engine)
    client = create_app(world.config, world.store, clock=lambda: world.now).test_client()
    out: dict = {"riwayat": {}, "riwayat_json": {}, "halaman_baris": {}}
    for rid in rids:
        out["riwayat"][rid] = _riwayat(cfg, OPD, rid)
        out["riwayat_json"][rid] = _riwayat(cfg, OPD, rid, "--json")
        out["halaman_baris"][rid] = client.get(f"/opd/{OPD}/baris/{rid}").get_data(as_text=True)
    out["halaman_riwayat"] = client.get("/riwayat").get_data(as_text=True)
    out["api_riwayat"] = client.get("/api/riwayat").get_json()
    out["halaman_opd"] = client.get(f"/opd/{OPD}").get_data(as_text=True)
    out["pulihkan_sebelum"] = rows_as_seen(reads, OPD, before=moment)
    # every event as read, its cell values folded back; the chain's own columns are the migration's
    out["peristiwa"] = [{k: v for k, v in e.items() if not k.startswith("chain_")}
                        for e in reads.events(limit=100_000, opd=OPD, kind=None)]
    zipped, _ = backup(world.store.engine, tmp_path / f"cadangan-{tag}", world.now)
    target = f"sqlite:///{tmp_path / f'pulih-{tag}.sqlite'}"
    _, verified = restore(zipped, target)
    assert verified.ok, [b.message for b in verified.breaks]
    from service.archive.engine import make_engine
    engine = make_engine(target)
    try:
        restored = Queries(engine)
        out["cadangan"] = [row_history(restored, OPD, rid) for rid in rids]
        out["cadangan_peristiwa"] = [{k: v for k, v in e.items() if not k.startswith("chain_")}
                                     for e in restored.events(limit=100_000, opd=OPD, kind=None)]
    finally:
        engine.dispose()
    return out


def _cells_size(engine) -> int:
    """The cells' JSON text in bytes, as the code reads it (stored deflated since 0015, DECISIONS.md #151)."""
    with engine.connect() as conn:
        return sum(len(v.encode()) for v in conn.execute(select(t.events.c.cell_values)).scalars())


def test_migration_compacts_old_events_and_every_reader_shows_the_same(db_world, tmp_path, old_writer):
    world = db_world
    rids, moment = _year_of_work(world)
    engine = world.store.engine  # the archive as the product wrote it before compaction
    before = _outputs(world, tmp_path, rids, moment, "lama")
    size_before = _cells_size(engine)
    with engine.connect() as conn:
        snapshots = conn.execute(select(func.count()).select_from(t.events)
                                 .where(t.events.c.cell_values != "{}")).scalar_one()
    assert snapshots >= 10  # the scenario made whole-row snapshots to compact

    downgrade(engine, PREVIOUS)  # an archive at 0012 (the product's commands would migrate it at once)
    assert _cells_size(engine) == size_before
    old_heads = chain.heads(engine)
    migrate(engine)

    after = _outputs(world, tmp_path, rids, moment, "baru")
    for key in before:
        assert after[key] == before[key], key
    found = chain.verify(engine)
    assert found.ok, [b.message for b in found.breaks]
    assert _cells_size(engine) <= 0.5 * size_before  # each later snapshot became its few changed cells
    new_heads = chain.heads(engine)
    with engine.connect() as conn:  # the re-chaining is itself on record: every old head traced to its new one
        note = conn.execute(select(t.verifications).order_by(t.verifications.c.id.desc()).limit(1)).one()
    traced = {(c["opd"], c["tahun"]): (c["kepala_lama"], c["kepala_baru"]) for c in json.loads(note.hasil)["rantai"]}
    assert traced == {(o["opd"], o["tahun"]): (o["kepala"], n["kepala"]) for o, n in zip(old_heads, new_heads)
                      if o["jenis"] == "audit"}
    assert note.utuh and "Migrasi 0014_compact_events" in note.pesan


def _read(world, rids) -> dict:
    """What the readers give, read without a product command (which would bring the schema up to date)."""
    reads = Queries(world.store.engine)
    return {"riwayat": [row_history(reads, OPD, rid) for rid in rids],
            "peristiwa": [{k: v for k, v in e.items() if not k.startswith("chain_")}
                          for e in reads.events(limit=100_000, opd=OPD, kind=None)]}


def test_a_compacted_archive_keeps_appending_and_a_downgrade_gives_the_snapshots_back(db_world):
    world = db_world
    rids, _ = _year_of_work(world)  # written compact by the Store itself, appended to over many polls
    engine = world.store.engine
    compact = _read(world, rids)
    size = _cells_size(engine)
    assert chain.verify(engine).ok
    downgrade(engine, PREVIOUS)
    assert _cells_size(engine) > 2 * size  # whole snapshots again
    assert chain.verify(engine).ok  # (the readers read head's tables: 0015 keeps the texts apart)
    migrate(engine)
    assert _cells_size(engine) == size and chain.verify(engine).ok
    assert _read(world, rids) == compact


def test_a_chain_broken_before_the_migration_is_left_as_it_was_and_still_named(db_world, old_writer):
    from tests.test_chain import _retell
    world = db_world
    _year_of_work(world)
    engine = world.store.engine
    e = t.events.c
    with engine.begin() as conn:  # someone changes who made the fifth status change, behind the product's back
        victim = conn.execute(select(e.id, e.chain_seq).where(e.kind == "status").order_by(e.id)
                              .offset(4).limit(1)).one()
        _retell(conn, victim.id, "orang lain")
    broken = [b.as_dict() for b in chain.verify(engine).breaks]
    assert [(b["tahun"], b["urutan"], b["kolom"]) for b in broken] == [(2025, victim.chain_seq, "oleh")]
    with engine.connect() as conn:
        untouched = conn.execute(select(e.id, e.cell_values, e.chain_hash)
                                 .where(e.chain_seq >= victim.chain_seq).order_by(e.id)).all()
    downgrade(engine, PREVIOUS)
    migrate(engine)
    assert [b.as_dict() for b in chain.verify(engine).breaks] == broken  # the same break, told the same way
    with engine.connect() as conn:
        assert conn.execute(select(e.id, e.cell_values, e.chain_hash)
                            .where(e.chain_seq >= victim.chain_seq).order_by(e.id)).all() == untouched
        compacted = sum(v.startswith('{"~"') for v in conn.execute(
            select(e.cell_values).where(e.chain_seq < victim.chain_seq)).scalars())
    assert compacted > 0  # the records before the break are compacted and re-chained


def test_a_row_whose_cells_change_keys_gets_its_whole_row_again_in_the_same_order():
    from service.archive.compact import Folder, encode
    first = {"a": "1", "b": False}
    same_keys = {"a": "2", "b": False}
    new_key = {"b": True, "a": "2", "c": ""}
    stored = [encode(None, first), encode(first, same_keys), encode(same_keys, new_key), encode(new_key, new_key)]
    assert stored[1] == '{"~":{"a":["1","2"]}}' and stored[3] == '{"~":{}}'
    fold = Folder()
    read = [fold.read("X", "R1", text) for text in stored]
    assert read == [first, same_keys, new_key, new_key]
    assert [list(r) for r in read] == [["a", "b"], ["a", "b"], ["b", "a", "c"], ["b", "a", "c"]]
    assert encode({"n": 1}, {"n": True}) == '{"~":{"n":[1,true]}}'  # 1 == True in Python, not in JSON
