"""The agreed list changes only with the Walidata (DECISIONS.md #8); a held tab says so every cycle (13.12)."""
from __future__ import annotations

from tests.test_sop_flow import OPD, status, tick

AGREE = ("Dicek Bersama", "Disepakati OPD", "Disepakati Walidata")


def agreed_rows(world, n=6):
    world.poll()
    rows = [world.backend.add_row(OPD, Kode_Data=f"K{i}", Uraian_Data=f"Jumlah Item {i}", Satuan="Unit")
            for i in range(n)]
    world.poll()
    ids = [world.backend.get(OPD, r, "ID") for r in rows]
    for rid in ids:
        tick(world, rid, *AGREE)
    world.poll()
    assert {status(world, rid) for rid in ids} == {"5 Disepakati"}
    return ids


def test_agreed_row_that_vanishes_waits_for_the_walidata_while_the_rest_is_processed(world):
    ids = agreed_rows(world)
    world.backend.delete_row(OPD, world.backend.row_of(OPD, ids[1]))
    tick(world, ids[0], "Disetujui Ka. OPD")
    report = world.poll()
    memory = world.store.load_tab(OPD)
    assert not memory.rows[ids[1]].removed and memory.rows[ids[1]].state == "5"
    assert status(world, ids[0]) == "6 Disetujui"  # the rest of the tab goes on
    note = world.backend.tabs[OPD].notes[(0, 0)]
    assert ids[1] in note and "satudata confirm DINKES" in note
    assert memory.status == "hapus_tertunda"
    tab = next(t for t in report.tabs if t.opd == OPD)
    assert tab.status == "diproses" and ids[1] in tab.message
    world.store.confirm_removal(OPD)
    world.poll()
    memory = world.store.load_tab(OPD)
    assert memory.rows[ids[1]].removed and memory.status == "ok"
    assert (0, 0) not in world.backend.tabs[OPD].notes
    reasons = [e["reason"] for e in world.reads.events(opd=OPD, row_id=ids[1])]
    assert "satudata confirm" in reasons[0]


def test_agreed_row_put_back_ends_the_pending_removal(world):
    ids = agreed_rows(world)
    tab = world.backend.tabs[OPD]
    row = tab.rows.pop(2)
    tab.version += 1
    world.poll()
    tab.rows.insert(2, row)
    tab.version += 1
    world.poll()
    memory = world.store.load_tab(OPD)
    assert memory.status == "ok" and not any(r.removed for r in memory.rows.values())
    assert (0, 0) not in tab.notes and status(world, ids[2]) == "5 Disepakati"


def test_draft_row_that_vanishes_is_removed_at_once(world):
    world.poll()
    rows = [world.backend.add_row(OPD, Uraian_Data=f"Item {i}", Satuan="Unit") for i in range(4)]
    world.poll()
    rid = world.backend.get(OPD, rows[1], "ID")
    world.backend.delete_row(OPD, rows[1])
    world.poll()
    assert world.row(OPD, rid).removed and world.store.load_tab(OPD).status == "ok"


def test_pending_removal_is_shown_by_status_and_on_the_dashboard(world):
    from service.archive.progress import progress
    from service.web import views
    from service.web.reads import DashboardReads
    ids = agreed_rows(world)
    world.backend.delete_row(OPD, world.backend.row_of(OPD, ids[3]))
    world.poll()
    opd = next(o for o in progress(world.config, world.store, world.now)["opd"] if o["kode"] == OPD)
    assert ids[3] in opd["pesan"]
    health = views.kesehatan(world.config, DashboardReads(world.store), world.now)
    problem = next(p for p in health["masalah_tab"] if p["kode"] == OPD)
    assert "menunggu" in problem["status_label"] and ids[3] in problem["pesan"]


def test_held_tab_is_reported_as_held_every_cycle_until_confirmed(world):
    world.poll()
    for i in range(8):
        world.backend.add_row(OPD, Uraian_Data=f"Item {i}", Satuan="Unit")
    world.poll()
    del world.backend.tabs[OPD].rows[2:]
    world.backend.tabs[OPD].version += 1
    for _ in range(3):
        tab = next(t for t in world.poll().tabs if t.opd == OPD)
        assert tab.status == "dilewati" and "satudata confirm DINKES" in tab.message
    world.store.confirm_removal(OPD)
    tab = next(t for t in world.poll().tabs if t.opd == OPD)
    assert tab.status == "diproses" and not tab.message
