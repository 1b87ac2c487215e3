"""Fault matrix on the Google backend: a failure at each request of a cycle (Drive, read,
write) of each kind (429 storm, 503s, timeout, connection reset, a write Google applied but
whose answer was lost); the next cycle converges and the promises hold."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from rules.sop import load_sop
from service.archive import schema
from sheets.layout import BY_KEY, COLUMNS, match_headers
from tests import test_sop_flow as flow
from tests.google_world import GoogleWorld

OPD = flow.OPD
ALLOWED = {c.header for c in COLUMNS if c.owner == "system" or c.box}


@pytest.fixture
def world(tmp_path):
    w = GoogleWorld(tmp_path)
    yield w
    w.store.engine.dispose()


def _promises(world, seen: set[str], converged: bool = True) -> None:
    with world.store.engine.connect() as conn:
        remembered = {r for (r,) in conn.execute(select(schema.rows.c.row_id))}
        total = conn.execute(select(func.count()).select_from(schema.archive)).scalar()
        distinct = conn.execute(select(func.count()).select_from(
            select(schema.archive.c.row_id, schema.archive.c.content_hash).distinct().subquery())).scalar()
    assert seen <= remembered and total == distinct
    header = [world.backend.sheet(OPD).get(0, c) for c in range(world.backend.sheet(OPD).cols)]
    for batch in world.backend.writes:
        for w in batch.cells:
            key = match_headers([header[w.col]]).columns
            assert key and BY_KEY[next(iter(key))].header in ALLOWED, w
            if BY_KEY[next(iter(key))].box:
                assert w.value is False
    if not converged:
        return  # a failed write leaves the sheet behind the database until the next cycle
    sop, memory = load_sop(), world.store.load_tab(OPD)
    for rid in world.backend.ids(OPD):
        if rid in memory.rows:
            assert flow.status(world, rid) == sop.label(memory.rows[rid].state)


KINDS = ["drive", "read", "write"]
FAILURES = [dict(status=429, times=5), dict(status=503, times=5), dict(error="timeout", times=5),
            dict(error="reset", times=5), dict(status=500, times=1)]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("failure", FAILURES, ids=["429-storm", "503", "timeout", "reset", "500-once"])
def test_google_cycle_converges_after_failure(world, kind, failure):
    rid = flow.to_approved(world)
    other = flow.add_item(world, Kode_Data="DEMO-DINKES-004", Uraian_Data="Jumlah Bayi BBLR", Satuan="Bayi")
    flow.fill(world, rid)
    flow.tick(world, rid, "Selesai Diisi")
    world.poll()
    flow.tick(world, rid, "Terverifikasi")  # verified once shown as 7 Diisi
    world.backend.set(OPD, other, "Nilai", "seratus")
    world.backend.set(OPD, other, "Selesai Diisi", True)  # early: not yet agreed
    seen = set(world.backend.ids(OPD))
    world.api.fail(kind, **failure)
    world.poll()
    _promises(world, seen, converged=False)
    for _ in range(3):
        world.poll()
    _promises(world, seen)
    assert flow.status(world, rid) == "10 Diarsip"
    assert not world.backend.get(OPD, other, "Selesai Diisi")
    assert world.backend.get(OPD, other, "Nilai") == "seratus"
    assert len(list(world.reads.archive_rows(all_versions=True))) == 1
    writes = world.api.count("write")
    world.poll()
    assert world.api.count("write") == writes  # settled: nothing more to write


def test_write_applied_but_answer_lost_is_not_repeated_wrongly(world):
    rid = flow.to_approved(world)
    flow.fill(world, rid)
    flow.tick(world, rid, "Selesai Diisi")
    world.poll()
    world.backend.set(OPD, rid, "Catatan Walidata", "Mohon cek sumber")
    world.api.fail("write", error="reset", applied=True, times=1)
    world.poll()
    world.poll()
    world.poll()
    assert flow.status(world, rid) == "7a Revisi"
    assert not world.backend.get(OPD, rid, "Selesai Diisi")
    flow.tick(world, rid, "Selesai Diisi")
    world.poll()
    assert flow.status(world, rid) == "7 Diisi"


def test_a_fresh_poller_process_each_cycle_keeps_the_request_budget(world):
    """`satudata poll --once` from a timer starts a new process (a new backend) every cycle; what it
    remembers between processes is the workspace's status-google.json."""
    from sheets.google.budget import Ledger
    from tests.google_world import ActingGoogleBackend

    rid = flow.add_item(world)
    world.poll()

    def fresh_cycle():
        world.backend = ActingGoogleBackend(world.api, world.google, ledger=Ledger(world.backend.ledger.path))
        before = world.api.counts()
        world.poll()
        return {k: world.api.counts()[k] - before[k] for k in before}

    assert fresh_cycle() == {"drive": 1, "read": 0, "write": 0}  # idle: Drive only
    world.backend.set(OPD, rid, "Dicek Bersama", True)
    used = fresh_cycle()
    assert used["read"] == 1 and used["write"] <= 2  # the grid read; the write follows it within seconds
    assert flow.status(world, rid) == "3 Dicek"
