"""Removal, mass deletion, copied rows and sorting on Google as on Excel (DECISIONS.md #18): people act
through the Sheets API as themselves (tests/google_world.py), so the template's protected ranges
decide who may delete, copy or sort whole rows; and an insert, delete or sort landing between a
cycle's read and its write while Drive's version lags must move no value to another row."""
from __future__ import annotations


import pytest
from gspread.exceptions import APIError

from rules.sop import load_sop
from tests import test_sop_flow as flow
from tests.fake_sheets_grid import PROTECTED
from tests.google_world import GoogleWorld
from tests.test_verified_stays import ALL, archived
from service.archive.queries import Queries

OPD = flow.OPD
DATA = ("Kode Data", "Uraian Data", "Rincian", "Satuan", "Tahun", "Nilai", "Keterangan", "Konsep", "Definisi",
        "Klasifikasi", "Ukuran", "Frekuensi")  # the operator's block of columns, B:M


@pytest.fixture
def world(tmp_path):
    w = GoogleWorld(tmp_path)
    yield w
    w.store.engine.dispose()


def operator(world) -> str:
    return world.backend.operators[OPD][0]


def refused(call) -> None:
    with pytest.raises(APIError) as caught:
        call()
    assert caught.value.response.status_code == 400
    assert caught.value.response.json()["error"]["message"].endswith(PROTECTED)


def items(world, n, **extra) -> list[str]:
    world.poll()  # creates the tab
    rows = [world.backend.add_row(OPD, Kode_Data=f"K{i}", Uraian_Data=f"Jumlah Item {i}", Satuan="Unit", **extra)
            for i in range(n)]
    world.poll()
    return [world.backend.get(OPD, r, "ID") for r in rows]


def sheet_rows(world) -> dict[str, dict[str, object]]:
    """Each ID's system cells and item as the sheet shows them now."""
    b = world.backend
    out = {}
    shown = ("Uraian Data", "Status", "Hasil Pemeriksaan", "Diperbarui", *ALL)
    for row in range(2, b.sheet(OPD).last_row() + 2):
        rid = b.get(OPD, row, "ID")
        if rid:
            out[rid] = {h: b.get(OPD, row, h) for h in shown}
            out[rid]["notes"] = [b.note(OPD, row, h) for h in shown]
    return out


# --- removal and mass deletion ----------------------------------------------------------------------


def test_an_operator_cannot_delete_a_row_and_the_owners_deletion_is_recorded_never_archived_away(world):
    ids = items(world, 3)
    row = world.backend.row_of(OPD, ids[1])
    refused(lambda: world.backend.delete_rows(operator(world), OPD, row))  # the ID and Status cells are the poller's
    refused(lambda: world.backend.delete_rows(world.backend.walidata[0], OPD, row))
    world.poll()
    assert not world.row(OPD, ids[1]).removed
    world.backend.delete_rows(world.backend.owner, OPD, row)
    world.poll()
    assert world.row(OPD, ids[1]).removed and world.backend.ids(OPD) == [ids[0], ids[2]]
    removal = Queries(world.store.engine).events(opd=OPD, row_id=ids[1])[0]
    assert removal["to_state"] == "dihapus" and world.backend.owner in removal["oleh"]  # Drive's revision editor
    assert flow.status(world, ids[2]) == "1 Draf"  # the row that moved up kept its own cells


def test_mass_deletion_by_the_owner_is_held_until_confirmed(world):
    ids = items(world, 8)
    world.backend.delete_rows(world.backend.owner, OPD, 4, 6)
    world.poll()
    tab = world.store.load_tab(OPD)
    assert tab.status == "hapus_massal" and not any(r.removed for r in tab.rows.values())
    assert "satudata confirm DINKES" in world.backend.note(OPD, 1, "ID")
    world.store.confirm_removal(OPD)
    world.poll()
    tab = world.store.load_tab(OPD)
    assert tab.status == "ok" and sum(r.removed for r in tab.rows.values()) == 6
    assert not world.backend.note(OPD, 1, "ID") and world.backend.ids(OPD) == ids[:2]


def clear_data(world, rid: str) -> None:
    """What an operator can do instead of deleting the row: empty every cell of theirs in it."""
    b = world.backend
    row = b.row_of(OPD, rid)
    for header in DATA:
        if b.get(OPD, row, header) is not None:
            b.type_into(operator(world), OPD, row, b._col(OPD, header), "")


def test_an_operator_removes_a_draft_row_by_clearing_its_data_and_the_poller_clears_its_cells(world):
    ids = items(world, 3)
    clear_data(world, ids[1])
    world.poll()
    assert world.row(OPD, ids[1]).removed and world.store.load_tab(OPD).status == "ok"
    assert world.backend.ids(OPD) == [ids[0], None, ids[2]]
    assert world.backend.get(OPD, 3, "Status") is None and flow.status(world, ids[2]) == "1 Draf"


def test_an_operator_clearing_most_rows_is_held_until_confirmed(world):
    ids = items(world, 8)
    for rid in ids[2:]:
        clear_data(world, rid)
    world.poll()
    tab = world.store.load_tab(OPD)
    assert tab.status == "hapus_massal" and not any(r.removed for r in tab.rows.values())
    assert world.backend.ids(OPD) == ids  # the poller's cells stay until the Walidata confirms
    world.store.confirm_removal(OPD)
    world.poll()
    assert sum(r.removed for r in world.store.load_tab(OPD).rows.values()) == 6


def test_an_agreed_row_deleted_by_the_owner_waits_for_the_walidata(world):
    ids = items(world, 6)
    for rid in ids:
        flow.tick(world, rid, "Dicek Bersama", "Disepakati OPD", "Disepakati Walidata")
    world.poll()
    world.backend.delete_row(OPD, world.backend.row_of(OPD, ids[1]))
    flow.tick(world, ids[0], "Disetujui Ka. OPD")
    world.poll()
    memory = world.store.load_tab(OPD)
    assert memory.status == "hapus_tertunda" and not memory.rows[ids[1]].removed
    assert flow.status(world, ids[0]) == "6 Disetujui" and flow.status(world, ids[2]) == "5 Disepakati"


# --- copied rows -------------------------------------------------------------------------------------


def test_a_whole_row_copied_by_the_owner_keeps_the_first_id_and_the_copy_gets_a_new_one(world):
    (rid,) = items(world, 1)
    world.backend.copy_row(world.backend.owner, OPD, 2, 3)
    world.poll()
    assert world.backend.ids(OPD) == [rid, "DINKES-0002"]
    assert "ganda" in world.backend.note(OPD, 3, "ID")


def test_an_operator_copies_only_the_data_columns_and_the_copy_starts_from_draft(world):
    rid = archived(world)
    refused(lambda: world.backend.copy_row(operator(world), OPD, 2, 4))  # pasting the ID cell
    assert world.backend.ids(OPD)[0] == rid
    world.backend.copy_row(operator(world), OPD, 2, 4, DATA)
    world.backend.set(OPD, 4, "Rincian", "Parang")
    world.poll()
    assert world.backend.get(OPD, 4, "ID") not in (None, rid) and world.backend.get(OPD, 4, "Status") == "1 Draf"
    assert flow.status(world, rid) == "10 Diarsip"
    assert [r["id"] for r in Queries(world.store.engine).archive_rows()] == [rid]


def test_a_copy_inserted_above_an_archived_row_leaves_both_verified(world):
    rid = archived(world)
    world.backend.copy_row(world.backend.owner, OPD, 2, 2)  # Insert copied cells, every column
    world.poll()
    b = world.backend
    assert {b.get(OPD, 2, "ID"), b.get(OPD, 3, "ID")} == {rid, "DINKES-0002"}
    for row in (2, 3):
        assert b.get(OPD, row, "Status") == "10 Diarsip" and all(b.get(OPD, row, h) == "YA" for h in ALL)
    assert [(r["id"], r["versi"]) for r in Queries(world.store.engine).archive_rows(all_versions=True)] == [(rid, 1)]


# --- sorting -------------------------------------------------------------------------------------------


REORDER = {
    "sort": lambda b: b.sort_by(b.owner, OPD, "Uraian Data", descending=True),
    "move": lambda b: b.move_rows(b.owner, OPD, 2, 2, 7),
}


@pytest.mark.parametrize("how", list(REORDER))
def test_the_owner_reordering_whole_rows_changes_nothing_the_poller_knows(world, how):
    ids = items(world, 5)
    flow.tick(world, ids[1], "Dicek Bersama")
    world.poll()
    before, events = sheet_rows(world), len(Queries(world.store.engine).events(limit=1000))
    REORDER[how](world.backend)
    assert world.backend.ids(OPD) != ids and sorted(world.backend.ids(OPD)) == sorted(ids)
    world.poll()
    assert sheet_rows(world) == before and len(Queries(world.store.engine).events(limit=1000)) == events
    assert world.store.load_tab(OPD).status == "ok"


def test_an_operator_cannot_sort_whole_rows_and_sorting_the_data_columns_alone_is_held(world):
    ids = items(world, 6)
    for rid in ids:
        flow.tick(world, rid, "Dicek Bersama", "Disepakati OPD", "Disepakati Walidata")
    world.poll()
    refused(lambda: world.backend.sort_by(operator(world), OPD, "Uraian Data", descending=True))
    world.backend.sort_by(operator(world), OPD, "Uraian Data", descending=True, headers=DATA)
    assert world.backend.ids(OPD) == ids  # the IDs stayed where they were; the items moved
    world.poll()
    memory = world.store.load_tab(OPD)
    assert memory.status == "ubah_massal" and {r.state for r in memory.rows.values()} == {"5"}
    assert all(world.backend.get(OPD, rid, "Disepakati OPD") == "YA" for rid in ids)


def test_the_owner_sorting_the_id_and_data_columns_without_the_steps_is_held(world):
    world.poll()
    b = world.backend
    for i in range(6):
        b.add_row(OPD, Kode_Data=f"K{i}", Uraian_Data=f"Item {i}", Satuan="Unit", Rincian="Poncol", Tahun=2024,
                  Nilai=str(i + 1), **({h.replace(" ", "_"): "YA" for h in ALL} if i % 2 else {}))
    world.poll()
    archived_before = len(list(Queries(world.store.engine).archive_rows(all_versions=True)))
    refused(lambda: b.sort_by(operator(world), OPD, "Uraian Data", True, ("ID", "Nilai")))  # A:G holds the IDs
    b.sort_by(b.owner, OPD, "Uraian Data", True, ("ID", "Nilai"))  # A:G sorted; steps and Status stay put
    world.poll()
    assert world.store.load_tab(OPD).status == "ubah_massal"
    assert len(list(Queries(world.store.engine).archive_rows(all_versions=True))) == archived_before


def test_undoing_an_inserted_copy_needs_no_confirmation(world):
    rid = archived(world)
    world.backend.copy_row(world.backend.owner, OPD, 2, 2)
    world.poll()
    world.backend.delete_row(OPD, 2)  # the owner takes the inserted row out again (Ctrl+Z)
    world.poll()
    memory = world.store.load_tab(OPD)
    assert memory.status == "ok", memory.message
    assert world.backend.get(OPD, 2, "Status") == "10 Diarsip" and world.backend.get(OPD, 2, "Terverifikasi") == "YA"
    assert [(r["id"], r["versi"]) for r in Queries(world.store.engine).archive_rows(all_versions=True)] == [(rid, 1)]


# --- columns: the contract lets operators insert and delete their own ---------------------------------------


def test_an_operator_inserts_a_column_and_the_poller_writes_into_the_shifted_system_columns(world):
    (rid,) = items(world, 1)
    b = world.backend
    b.insert_column(operator(world), OPD, "Keterangan", "Catatan OPD")
    status = b._col(OPD, "Status")
    assert any(p["range"].get("startColumnIndex") == status for p in b.sheet(OPD).protected)  # moved with it
    flow.tick(world, rid, "Dicek Bersama")
    world.poll()
    assert flow.status(world, rid) == "3 Dicek" and b.get(OPD, rid, "Catatan OPD") is None
    refused(lambda: b.type_into(operator(world), OPD, b.row_of(OPD, rid), status, "10 Diarsip"))


def test_an_operator_deleting_an_optional_column_is_not_an_edit_of_archived_rows(world):
    rid = archived(world, Keterangan="Laporan SITB 2024")
    refused(lambda: world.backend.delete_column(operator(world), OPD, "Catatan Walidata"))  # the Walidata's
    world.backend.delete_column(operator(world), OPD, "Keterangan")
    world.poll()
    assert flow.status(world, rid) == "10 Diarsip"
    assert [r["keterangan"] for r in Queries(world.store.engine).archive_rows(all_versions=True)] == ["Laporan SITB 2024"]


# --- Drive's version lagging behind people's edits ---------------------------------------------------------


def test_an_edit_hidden_by_a_lagging_drive_version_is_read_once_drive_catches_up(world):
    ids = items(world, 2)
    world.poll()  # reads its own write once, then idle
    world.api.lag_drive(calls=2)
    flow.tick(world, ids[0], "Dicek Bersama")
    reads = world.api.count("read")
    world.poll()
    world.poll()
    assert world.api.count("read") == reads and flow.status(world, ids[0]) == "1 Draf"  # Drive still says "idle"
    world.poll()
    assert flow.status(world, ids[0]) == "3 Dicek"


@pytest.mark.parametrize("error", ["drive-rate-limit", "drive-project-rate-limit"])
def test_a_cycle_through_drive_403_rate_limits_is_retried_not_called_unshared(world, error):
    ids = items(world, 1)
    flow.tick(world, ids[0], "Dicek Bersama")
    world.api.fail("drive", error=error, times=3)
    report = world.poll()
    assert not report.errors and flow.status(world, ids[0]) == "3 Dicek"
    assert [r.status for r in world.api.requests_of() if r.kind == "drive"].count(403) == 3


# --- between the read and the write, with Drive's version lagging -------------------------------------


def _ticked(world):
    ids = items(world, 5)
    flow.tick(world, ids[1], "Dicek Bersama")
    return ids


ACTIONS = {
    "owner-sorts": lambda b: b.sort_by(b.owner, OPD, "Uraian Data", descending=True),
    "owner-deletes-above": lambda b: b.delete_rows(b.owner, OPD, 2),
    "operator-inserts-above": lambda b: b.insert_rows(b.operators[OPD][0], OPD, 2),
    "owner-moves-rows": lambda b: b.move_rows(b.owner, OPD, 2, 2, 7),
}


def _settled(world, ticked: str) -> None:
    assert flow.status(world, ticked) == "3 Dicek"
    assert all(flow.status(world, rid) == "1 Draf" for rid in world.backend.ids(OPD) if rid and rid != ticked)


def _no_value_on_a_wrong_row(world, before: dict[str, dict[str, object]], edited: str) -> None:
    """Only the edited ID's row changed, and to what the poller decided for it: every other row
    shows its system cells, boxes and notes as before (a misplaced write would change one)."""
    sop, memory = load_sop(), world.store.load_tab(OPD)
    for rid, shown in sheet_rows(world).items():
        if rid != edited:
            assert shown == before.get(rid, shown), (rid, shown, before.get(rid))
        else:
            assert shown["Status"] in (before[rid]["Status"], sop.label(memory.rows[rid].state)), (rid, shown)


@pytest.mark.parametrize("action", list(ACTIONS))
def test_without_lag_the_pre_write_version_check_holds_the_write_for_the_next_cycle(world, action):
    ids = _ticked(world)
    before = sheet_rows(world)
    world.backend.between_read_and_write = lambda: ACTIONS[action](world.backend)
    report = world.poll()
    assert any("berubah sejak dibaca" in e for e in report.errors), report.errors
    _no_value_on_a_wrong_row(world, before, ids[1])
    world.poll()
    world.poll()
    _settled(world, ids[1])


# With Drive's version lagging, an insert, delete, move or sort between read and write must not put
# cells on other rows: writes confirm row identity first (DECISIONS.md #16).
@pytest.mark.parametrize("action", list(ACTIONS))
def test_with_drive_lagging_a_row_change_between_read_and_write_moves_no_value_to_another_row(world, action):
    ids = _ticked(world)
    before = sheet_rows(world)

    def act():
        world.api.lag_drive()  # Drive keeps showing the version the cycle read
        ACTIONS[action](world.backend)

    world.backend.between_read_and_write = act
    world.poll()
    _no_value_on_a_wrong_row(world, before, ids[1])
    world.api.flush_drive()
    world.poll()
    world.poll()
    _settled(world, ids[1])


def _random_change(world, rng, keep: str) -> None:
    b, rows = world.backend, world.backend.sheet(OPD).last_row()
    choice = rng.randrange(4)
    if choice == 0:
        b.sort_by(b.owner, OPD, rng.choice(("Uraian Data", "Kode Data", "ID")), descending=rng.random() < 0.5)
    elif choice == 1 and rows > 4:
        row = rng.choice([r for r in range(2, rows + 2) if b.get(OPD, r, "ID") != keep])
        b.delete_rows(b.owner, OPD, row)
    elif choice == 2:
        b.insert_rows(operator(world), OPD, rng.randrange(2, rows + 2))
    else:
        b.move_rows(b.owner, OPD, 2, 1, rows + 2)


@pytest.mark.parametrize("seed", range(6))
def test_random_row_changes_between_reads_and_writes_never_put_a_value_on_another_row(world, seed):
    import random

    rng = random.Random(seed)
    ids = items(world, 8)
    for _ in range(4):
        before = sheet_rows(world)
        edited = rng.choice([rid for rid, row in before.items() if row["Status"] == "1 Draf"])
        flow.tick(world, edited, "Dicek Bersama")  # so the cycle writes its Status
        read_at = world.backend.row_of(OPD, edited)

        def act(edited=edited, read_at=read_at):
            world.api.lag_drive()
            b = world.backend
            for _ in range(rng.randrange(1, 4)):
                _random_change(world, rng, keep=edited)
            now = b.row_of(OPD, edited)
            if now == read_at:  # the edited row always ends up elsewhere than the read saw it
                b.move_rows(b.owner, OPD, now, 1, 2 if now != 2 else b.sheet(OPD).last_row() + 2)

        world.backend.between_read_and_write = act
        world.poll()
        assert world.backend.between_read_and_write is None  # the cycle wrote, after the changes
        _no_value_on_a_wrong_row(world, before, edited)
        world.api.flush_drive()
    for _ in range(3):
        world.poll()
    sop, memory = load_sop(), world.store.load_tab(OPD)
    for rid, shown in sheet_rows(world).items():
        assert shown["Status"] == sop.label(memory.rows[rid].state), (rid, shown)
    shown = [rid for rid in world.backend.ids(OPD) if rid]
    assert len(shown) == len(set(shown)) and set(ids) & set(shown)  # no ID written twice
