"""The archive store on SQLite, PostgreSQL and MariaDB: same behaviour on each."""
from __future__ import annotations

from sqlalchemy import func, select

from service.archive import schema

OPD = "DINKES"


def _walk_to_archive(world, nilai="1.234"):
    world.poll()
    row = world.backend.add_row(OPD, Kode_Data="K-1", Uraian_Data="Jumlah Puskesmas", Satuan="Unit",
                                Tahun=2024, Nilai=nilai)
    world.poll()
    rid = world.backend.get(OPD, row, "ID")
    for header in ("Dicek Bersama", "Disepakati OPD", "Disepakati Walidata", "Disetujui Ka. OPD",
                   "Selesai Diisi"):
        world.backend.set(OPD, rid, header, True)
    world.poll()
    world.backend.set(OPD, rid, "Terverifikasi", True)  # verified once shown as 7 Diisi
    world.poll()
    return rid


def test_verified_row_is_archived_once_with_numeric_value(db_world):
    rid = _walk_to_archive(db_world)
    db_world.poll()
    rows = list(db_world.reads.archive_rows())
    assert [(r["id"], r["nilai"], r["tahun"], r["versi"]) for r in rows] == [(rid, 1234.0, 2024, 1)]
    assert db_world.backend.get(OPD, rid, "Status") == "10 Diarsip"


def test_reapplying_the_same_plan_archives_nothing_twice(db_world):
    _walk_to_archive(db_world)
    memory = db_world.store.load_tab(OPD)
    # a cycle that crashed after commit replays from a memory that has not seen the archive
    for row in memory.rows.values():
        row.archived_hash = None
        row.archived_version = 0
    from service.reconcile.tab import Context, reconcile
    snapshot = db_world.backend.read([OPD], {})[0].snapshot
    plan = reconcile(snapshot, memory, Context(db_world.rules, db_world.wilayah, 2025), db_world.now)
    assert db_world.store.apply(plan, None, db_world.now) == 0
    with db_world.store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(schema.archive)).scalar() == 1


def test_edit_and_reverify_keeps_both_versions(db_world):
    rid = _walk_to_archive(db_world)
    db_world.backend.set(OPD, rid, "Nilai", "1.300")
    db_world.poll()
    db_world.backend.set(OPD, rid, "Terverifikasi", True)
    db_world.poll()
    assert [(r["versi"], r["nilai"]) for r in db_world.reads.archive_rows(all_versions=True)] == [(1, 1234.0), (2, 1300.0)]


def test_audit_events_and_cycles_are_recorded(db_world):
    _walk_to_archive(db_world)
    events = db_world.reads.events(limit=50, opd=OPD)
    assert events[0]["to_state"] == "10"
    assert all(e["at"].tzinfo is not None for e in events)
    cycles = db_world.reads.cycles()
    assert cycles[0]["status"] == "selesai" and cycles[0]["finished_at"] is not None


def test_memory_round_trips_unicode_and_long_text(db_world):
    db_world.poll()
    long_text = "Catatan panjang — “kutip” ✓ " * 2000
    row = db_world.backend.add_row(OPD, Uraian_Data="Jumlah Penduduk Laki-laki ♂", Satuan="Jiwa",
                                   Keterangan=long_text)
    db_world.poll()
    rid = db_world.backend.get(OPD, row, "ID")
    memory = db_world.store.load_tab(OPD).rows[rid]
    assert memory.data["keterangan"] == long_text.strip()
    assert memory.data["uraian_data"].endswith("♂")


def test_value_returning_to_an_earlier_version_is_archived_as_the_latest(db_world):
    rid = _walk_to_archive(db_world, nilai="100")
    for nilai in ("200", "100"):
        db_world.backend.set(OPD, rid, "Nilai", nilai)
        db_world.poll()
        db_world.backend.set(OPD, rid, "Terverifikasi", True)
        db_world.poll()
    versions = [(r["versi"], r["nilai"]) for r in db_world.reads.archive_rows(all_versions=True)]
    assert versions == [(1, 100.0), (2, 200.0), (3, 100.0)]
    assert [r["nilai"] for r in db_world.reads.archive_rows()] == [100.0]


def test_remembered_rows_decode_their_json_only_when_read(tmp_path):
    """A cycle that touches a few rows must not decode the JSON of every remembered row; a row
    decodes on first use and a field set before that keeps its new value."""
    from service.archive.store import _row_memory

    class Stored:
        row_id, state, catatan, updated_at, archived_hash, archived_version = "R1", "7", "", None, None, 0
        removed, position, fingerprint = False, 3, "f"
        data, boxes, box_notes, notes, findings = '{"nilai": "5"}', '{"x": true}', '{}', '{"a": "b"}', "[]"

    row = _row_memory(Stored())
    assert "_lazy" in row.__dict__ and "data" not in row.__dict__
    assert row.fingerprint == "f" and row.position == 3
    row.notes = {"c": "d"}
    assert row.data == {"nilai": "5"} and "boxes" not in row.__dict__
    assert row.boxes == {"x": True} and row.notes == {"c": "d"} and row.box_notes == {} and row.clear_kinds == {}
    from copy import copy
    twin = copy(row)
    assert twin.findings == [] and "findings" not in row.__dict__ and row.findings == []
    from dataclasses import replace
    assert replace(row, fingerprint="").data == {"nilai": "5"}


def test_a_remembered_row_reads_back_when_it_was_last_updated(tmp_path):
    """updated_at has a class default (None), so it must be set when the row is read, never left to
    a lazy lookup the class default would shadow: the Diperbarui cell is written from it."""
    from datetime import datetime, timezone

    from service.archive.store import _row_memory

    class Stored:
        row_id, state, catatan, archived_hash, archived_version = "R1", "7", "", None, 0
        updated_at = datetime(2025, 3, 3, 4, 0)  # as SQLite hands it back: naive UTC
        removed, position, fingerprint = False, 3, "f"
        data, boxes, box_notes, notes, findings = "{}", "{}", "{}", "{}", "[]"

    assert _row_memory(Stored()).updated_at == datetime(2025, 3, 3, 4, 0, tzinfo=timezone.utc)


def test_a_loaded_tab_holds_each_row_as_its_stored_columns_read(db_world):
    """load_tab reads the plain columns by position (DECISIONS.md #155): every field of every row,
    the lazily decoded ones included, is what the row's named columns hold."""
    from service.archive.store import _row_memory

    rid = _walk_to_archive(db_world)
    db_world.backend.add_row(OPD, Kode_Data="K-2", Uraian_Data="Jumlah Desa", Satuan="Desa", Tahun=2024, Nilai="")
    db_world.poll()
    with db_world.store.engine.connect() as conn:
        stored = {r.row_id: _row_memory(r) for r in conn.execute(select(schema.rows).where(schema.rows.c.opd == OPD))}
    loaded = db_world.store.load_tab(OPD).rows
    assert len(loaded) == 2 and loaded[rid].state == "10" and loaded[rid].updated_at is not None
    assert loaded == stored
    assert loaded[rid].data["nilai"] == "1.234"


def test_a_tab_loaded_for_a_cycle_reads_each_rows_rest_when_first_used(db_world):
    """load_tab(later=True) (DECISIONS.md #156) reads every row's ID, removed flag, fingerprint and
    archived version at once and the rest of a row only when it is used: the rows named to
    ``prefetch`` in one query, any other one alone; either way every field equals the full load."""
    from service.archive import store as store_module

    rid = _walk_to_archive(db_world)
    for n in range(3):
        db_world.backend.add_row(OPD, Kode_Data=f"K-{n + 2}", Uraian_Data=f"Jumlah {n}", Satuan="Unit",
                                 Tahun=2024, Nilai=str(n))
    db_world.poll()
    full = db_world.store.load_tab(OPD)
    later = db_world.store.load_tab(OPD, later=True)
    assert len(later.rows) == 4 and later.prefetch is not None
    row = later.rows[rid]
    assert row.fingerprint == full.rows[rid].fingerprint and row.archived_version == 1
    assert not {"state", "data", "updated_at", "position", "catatan"} & set(row.__dict__)
    source = row.__dict__["_later"][0].__self__
    others = [r for r in later.rows if r != rid]
    later.prefetch([others[0], others[1]])
    assert set(source.rows) == {others[0], others[1]}
    assert later.rows[others[2]].state == full.rows[others[2]].state  # read alone, on first use
    assert set(source.rows) == set(others)
    assert later.rows == full.rows  # every field of every row; the last one read on first use too
    assert source.misses == 2
    # a caller walking every row pays a bounded number of queries, not one a row
    store_module._MISSES, misses = 1, store_module._MISSES
    try:
        memory = db_world.store.load_tab(OPD, later=True)
        walker = next(iter(memory.rows.values())).__dict__["_later"][0].__self__
        fetched: list[list[str]] = []
        original = walker.fetch
        walker.fetch = lambda ids: (fetched.append(list(ids)), original(ids))[1]
        assert [row.state for row in memory.rows.values()] == [full.rows[r].state for r in memory.rows]
    finally:
        store_module._MISSES = misses
    assert [len(batch) for batch in fetched] == [1, 4]
    assert memory.rows == full.rows


def test_applying_a_plan_reads_its_deferred_rows_before_the_transaction(db_world):
    """A plan built from a memory loaded with later=True is committed with every field its rows owe
    read before the write begins, never from inside it (on SQLite a second connection's read beside
    an open write could wait on that write)."""
    from service.reconcile.plan import Plan
    from sheets.base import TabWrites

    rid = _walk_to_archive(db_world)
    full = db_world.store.load_tab(OPD)
    memory = db_world.store.load_tab(OPD, later=True)
    plan = Plan(OPD, TabWrites(OPD, OPD), next_seq=full.next_seq)
    row = memory.rows[rid]
    row.position = 99  # set before its first read: the rest of the row is still owed
    plan.rows[rid] = row
    calls = []
    begin = db_world.store.engine.begin

    class Watched:
        def __enter__(self):
            calls.append("begin")
            self.inner = begin()
            return self.inner.__enter__()

        def __exit__(self, *exc):
            return self.inner.__exit__(*exc)

    later = memory.rows[rid].__dict__["_later"][0].__self__
    original = later.fetch
    later.fetch = lambda ids: (calls.append("fetch"), original(ids))[1]
    db_world.store.engine.begin = Watched  # type: ignore[method-assign]
    try:
        db_world.store.apply(plan, None, db_world.now)
    finally:
        del db_world.store.engine.begin
    assert calls[:2] == ["fetch", "begin"]
    again = db_world.store.load_tab(OPD).rows[rid]
    assert again.position == 99 and again.data == full.rows[rid].data and again.state == full.rows[rid].state


def test_an_edited_cycle_reads_the_rest_of_only_the_rows_it_decides(world, monkeypatch):
    """Of a tab's remembered rows, an edit's cycle reads beyond ID and fingerprint only the edited
    row and its data item's rows (DECISIONS.md #156), in at most two queries."""
    from service.archive import store as store_module

    world.poll()
    rids = [world.backend.add_row(OPD, Kode_Data=f"K-{n}", Uraian_Data=f"Jumlah {n}", Satuan="Unit",
                                  Tahun=2024, Nilai=str(n)) for n in range(12)]
    world.poll()
    world.poll()
    ids = world.backend.ids(OPD)
    assert len(ids) >= len(rids)
    world.backend.set(OPD, ids[4], "Nilai", "41")
    fetched: list[list[str]] = []
    original = store_module._Later.fetch
    monkeypatch.setattr(store_module._Later, "fetch",
                        lambda self, wanted: (fetched.append(list(wanted)), original(self, wanted))[1])
    world.poll()
    assert 1 <= len(fetched) <= 2 and {rid for batch in fetched for rid in batch} == {ids[4]}
    assert world.row(OPD, ids[4]).data["nilai"] == "41"
