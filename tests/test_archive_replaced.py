"""A replaced archive never resets the sheets (DECISIONS.md #22): the tab is held until `satudata adopt`."""
from __future__ import annotations

import shutil

from service.archive.store import Store, make_engine
from service.cli.adopt import adopt_tabs
from service.poller.service import Service
from tests.test_sop_flow import OPD, status, tick
from tests.test_verified_stays import ALL, archived


def _add(world, **cells):
    row = world.backend.add_row(OPD, **cells)
    world.poll()
    return world.backend.get(OPD, row, "ID")


def _swap(world, url):
    world.store.engine.dispose()
    world.store = Store(make_engine(url))


def _service(world):
    return Service(world.config, world.backend, world.store, world.rules, world.wilayah, clock=lambda: world.now)


def _sheet(world):
    return [list(r) for r in world.backend.tabs[OPD].rows]


def test_empty_archive_holds_the_tab_and_clears_no_tick(world, tmp_path):
    rid = archived(world)
    other = _add(world, Uraian_Data="Jumlah Dokter", Satuan="Orang")
    before = _sheet(world)
    _swap(world, f"sqlite:///{tmp_path / 'kosong.sqlite'}")  # [archive] url pointing at an empty database
    world.backend.add_row("DIKPORA", Uraian_Data="Jumlah SD", Satuan="Unit")
    report = world.poll()
    assert _sheet(world) == before  # no tick cleared, no ID replaced, no state moved
    memory = world.store.load_tab(OPD)
    assert memory.status == "arsip_asing" and memory.rows == {}
    note = world.backend.tabs[OPD].notes[(0, 0)]
    assert "satudata adopt DINKES" in note and rid in note and "dipulihkan" in note
    tab = next(t for t in report.tabs if t.opd == OPD)
    assert tab.status == "dilewati"
    assert world.backend.get("DIKPORA", 2, "Status") == "1 Draf"  # the other tabs go on
    assert other


def test_adopt_takes_rows_as_they_stand_and_the_next_cycle_archives_them_again(world, tmp_path):
    rid = archived(world)
    second = _add(world, Uraian_Data="Jumlah Dokter", Satuan="Orang")
    tick(world, second, *ALL[:3])
    world.poll()
    assert status(world, second) == "5 Disepakati"
    _swap(world, f"sqlite:///{tmp_path / 'kosong.sqlite'}")
    world.poll()
    assert adopt_tabs(_service(world), [OPD]) == [(OPD, 2, "")]
    world.poll()
    memory = world.store.load_tab(OPD)
    assert memory.status == "ok" and (0, 0) not in world.backend.tabs[OPD].notes
    assert status(world, rid) == "10 Diarsip" and world.backend.get(OPD, rid, "Terverifikasi") == "YA"
    assert status(world, second) == "5 Disepakati" and world.backend.get(OPD, second, "Disepakati OPD") == "YA"
    assert [(r["id"], r["versi"]) for r in world.reads.archive_rows()] == [(rid, 1)]
    new = _add(world, Uraian_Data="Jumlah Bidan", Satuan="Orang")
    assert new == "DINKES-0003"  # numbering goes on after the adopted IDs


def test_archive_restored_from_an_older_backup_holds_the_tab(world, tmp_path):
    rid = archived(world)
    backup = tmp_path / "cadangan.sqlite"
    world.store.engine.dispose()
    shutil.copy(tmp_path / "arsip.sqlite", backup)
    world.store = Store(make_engine(f"sqlite:///{tmp_path / 'arsip.sqlite'}"))
    later = _add(world, Uraian_Data="Jumlah Dokter", Satuan="Orang")
    tick(world, later, *ALL[:3])
    world.poll()
    before = _sheet(world)
    _swap(world, f"sqlite:///{backup}")  # the older archive is put back
    world.poll()
    assert _sheet(world) == before
    assert world.store.load_tab(OPD).status == "arsip_asing"
    assert later in world.backend.tabs[OPD].notes[(0, 0)] and rid


def test_confirm_refuses_a_held_replaced_archive_and_points_to_adopt(tmp_path):
    from datetime import datetime, timezone

    from click.testing import CliRunner

    from service.cli.commands import main
    from service.config import load_config
    runner = CliRunner()
    assert runner.invoke(main, ["init", str(tmp_path / "ws")]).exit_code == 0
    toml = tmp_path / "ws" / "satudata.toml"
    config = load_config(toml)
    store = Store(make_engine(config.archive_url))
    kode = config.opds[0].kode
    store.set_tab_problem(kode, "arsip_asing", "Arsip tidak mengenal ...", datetime.now(timezone.utc))
    store.engine.dispose()
    result = runner.invoke(main, ["-c", str(toml), "confirm", kode])
    assert result.exit_code != 0 and f"satudata adopt {kode}" in result.output
