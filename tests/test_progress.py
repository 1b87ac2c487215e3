"""An OPD's phase is its least advanced row; its deadline counts from when the OPD entered it."""
from __future__ import annotations

from datetime import timedelta

from rules.calendar import WorkCalendar
from service.archive.progress import progress

OPD = "DINKES"
AGREE = ("Dicek Bersama", "Disepakati OPD", "Disepakati Walidata", "Disetujui Ka. OPD")


def _dinkes(world):
    return next(o for o in progress(world.config, world.store, world.now, WorkCalendar())["opd"] if o["kode"] == OPD)


def _row(world, uraian):
    row = world.backend.add_row(OPD, Uraian_Data=uraian, Satuan="Unit", Tahun=2024, Nilai=5)
    world.poll()
    return world.backend.get(OPD, row, "ID")


def test_phase_starts_when_the_last_row_leaves_the_previous_step(world):
    world.poll()
    a, b = _row(world, "A"), _row(world, "B")
    world.backend.set(OPD, a, "Dicek Bersama", "YA")
    world.poll()
    assert _dinkes(world)["fase_kode"] == "1"
    world.backend.set(OPD, b, "Dicek Bersama", "YA")
    world.poll()
    entered = world.now
    world.now += timedelta(days=1)
    progress_now = _dinkes(world)
    assert progress_now["fase_kode"] == "3" and progress_now["fase_mulai"] == entered


def test_a_row_added_at_the_same_step_does_not_restart_the_clock(world):
    world.poll()
    _row(world, "A")
    started = _dinkes(world)["fase_mulai"]
    world.now += timedelta(days=20)
    _row(world, "B")
    late = _dinkes(world)
    assert late["fase_mulai"] == started and late["ketepatan"] == "terlambat"


def test_revision_inside_the_repair_step_keeps_the_phase_start(world):
    world.poll()
    a, b = _row(world, "A"), _row(world, "B")
    for rid in (a, b):
        for box in AGREE:
            world.backend.set(OPD, rid, box, "YA")
    world.backend.set(OPD, a, "Nilai", "abc")
    world.backend.set(OPD, a, "Selesai Diisi", "YA")  # rejected: 8 Perlu Perbaikan
    world.backend.set(OPD, b, "Selesai Diisi", "YA")
    world.poll()
    repair_started = world.now
    assert _dinkes(world)["fase_kode"] == "8"
    world.now += timedelta(days=9)
    world.backend.set(OPD, b, "Catatan Walidata", "Cek lagi")  # b: 7 Diisi -> 7a Revisi, same step
    world.poll()
    info = _dinkes(world)
    assert info["fase_mulai"] == repair_started and info["ketepatan"] == "terlambat"
