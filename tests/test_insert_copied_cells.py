"""Excel's "Insert Copied Cells" above an archived row (DECISIONS.md #21): the verified row keeps its
ticks and state, and no archived datum's history ends up describing another item."""
from __future__ import annotations

import pytest

from tests.test_sop_flow import OPD
from tests.test_verified_stays import ALL, archived


def _insert_copy_above(world, index=0):
    tab = world.backend.tabs[OPD]
    tab.rows.insert(index, list(tab.rows[index]))  # every column, the system ones too
    tab.version += 1


def _row(world, n):
    b = world.backend
    return {h: b.get(OPD, n, h) for h in ("ID", "Uraian Data", "Status", *ALL)}


def test_copy_inserted_above_an_archived_row_leaves_both_verified(world):
    rid = archived(world)
    _insert_copy_above(world)
    world.poll()
    top, bottom = _row(world, 2), _row(world, 3)
    assert {top["ID"], bottom["ID"]} == {rid, "DINKES-0002"}
    for row in (top, bottom):
        assert row["Status"] == "10 Diarsip" and all(row[h] == "YA" for h in ALL), row
    assert [(r["id"], r["versi"]) for r in world.reads.archive_rows(all_versions=True)] == [(rid, 1)]


@pytest.mark.parametrize("edited", [2, 3], ids=["copy-on-top-edited", "bottom-edited"])
def test_editing_either_copy_into_another_item_keeps_the_archived_datum_on_the_row_that_holds_it(world, edited):
    rid = archived(world)
    uraian = world.backend.get(OPD, 2, "Uraian Data")
    _insert_copy_above(world)
    world.poll()
    b = world.backend
    b.set(OPD, edited, "Kode Data", "DEMO-DINKES-099")
    b.set(OPD, edited, "Uraian Data", "Jumlah Bidan")
    b.set(OPD, edited, "Nilai", "40")
    world.poll()
    kept = 5 - edited  # the other row
    assert b.get(OPD, kept, "ID") == rid and b.get(OPD, kept, "Status") == "10 Diarsip"
    assert b.get(OPD, kept, "Terverifikasi") == "YA" and b.get(OPD, kept, "Uraian Data") == uraian
    assert b.get(OPD, edited, "ID") != rid and b.get(OPD, edited, "Status") == "3 Dicek"
    for box in ALL[1:]:
        assert not b.get(OPD, edited, box)
    # drive the new item to the archive: the archived ID's history still describes one item
    for box in ALL[1:-1]:
        b.set(OPD, edited, box, "YA")
    world.poll()
    b.set(OPD, edited, "Terverifikasi", "YA")
    world.poll()
    assert b.get(OPD, edited, "Status") == "10 Diarsip"
    history = {}
    for r in world.reads.archive_rows(all_versions=True):
        history.setdefault(r["id"], set()).add(r["uraian_data"])
    assert history[rid] == {uraian} and history[b.get(OPD, edited, "ID")] == {"Jumlah Bidan"}


def test_undoing_the_inserted_copy_needs_no_confirmation(world):
    rid = archived(world)
    _insert_copy_above(world)
    world.poll()
    tab = world.backend.tabs[OPD]
    del tab.rows[0]  # Ctrl+Z
    tab.version += 1
    world.poll()
    memory = world.store.load_tab(OPD)
    assert memory.status == "ok", memory.message
    assert world.backend.get(OPD, 2, "Status") == "10 Diarsip" and world.backend.get(OPD, 2, "Terverifikasi") == "YA"
    assert rid
