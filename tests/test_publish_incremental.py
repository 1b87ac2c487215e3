"""Publication after a cycle rebuilds only the items archived since, and is byte for byte what a
full `satudata publish` writes (DECISIONS.md #101)."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from service.poller.service import Service
from service.publish import build as building
from service.publish.build import INDEX, build
from service.publish.settings import load_settings
from tests.conftest import WILAYAH
from tests.publish_world import AGREE, PublishedWorld

PUSKESMAS = "dinkes-demo-dinkes-007"
POSYANDU = "dinkes-k-010"


def published_files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
            if p.is_file() and INDEX not in p.relative_to(folder).parts}


def assert_same_as_full_build(world: PublishedWorld, folder: Path) -> None:
    full = build(world.config, world.store, world.rules, WILAYAH, load_settings(world.config))
    assert published_files(folder) == full.files


class Operator:
    """Types into the fake sheet; every cycle is the poller's own, publication on."""

    def __init__(self, world: PublishedWorld) -> None:
        self.world = world
        self.service = Service(world.config, world.backend, world.store, world.rules, WILAYAH,
                               clock=lambda: world.now)

    def poll(self):
        self.world.now += timedelta(hours=1)
        report = self.service.poll()
        assert report.errors == [], report.errors
        return report

    def verify(self, opd: str, values: dict[str, str]) -> None:
        """Each row (ID -> Nilai) filled, then verified, until archived."""
        for rid, value in values.items():
            self.world.backend.set(opd, rid, "Nilai", value)
            self.world.backend.set(opd, rid, "Selesai Diisi", "YA")
        self.poll()
        for rid in values:
            self.world.backend.set(opd, rid, "Terverifikasi", "YA")
        self.poll()
        self.poll()


def test_each_cycle_rebuilds_only_its_items_and_the_folder_stays_a_full_build(tmp_path, monkeypatch):
    world = PublishedWorld(tmp_path)
    folder = load_settings(world.config).folder
    rebuilt: list[list[str] | None] = []
    refresh = building.refresh

    def watched(*args, **kwargs):
        publication = refresh(*args, **kwargs)
        rebuilt.append(None if publication is None else sorted(i.slug for i in publication.items))
        return publication
    monkeypatch.setattr(building, "refresh", watched)
    full_builds = []
    whole = building.build
    monkeypatch.setattr(building, "build", lambda *a, **k: full_builds.append(1) or whole(*a, **k))
    op = Operator(world)
    op.poll()  # no index yet: the first publication is a full one
    assert_same_as_full_build(world, folder)
    assert len(full_builds) == 1

    op.verify("DINKES", {world.ids[0]: "21"})  # one value of one item re-verified
    assert [r for r in rebuilt if r][-1] == [PUSKESMAS]  # not the OPD's other item
    assert_same_as_full_build(world, folder)

    op.verify("DIKPORA", {world.backend.ids("DIKPORA")[0]: "12"})  # an OPD published for the first time
    assert [r for r in rebuilt if r][-1] == ["dikpora-demo-dikpora-001"]
    assert_same_as_full_build(world, folder)

    places = ["Kabupaten Magetan", *(k.nama for k in WILAYAH.kecamatan)]
    for place in places:
        world.backend.add_row("DINKES", Kode_Data="K-010", Uraian_Data="Jumlah Posyandu menurut kecamatan",
                              Rincian=place, Satuan="Unit", Tahun=2024)
    op.poll()
    posyandu = world.backend.ids("DINKES")[-len(places):]
    for rid in posyandu:
        for header in AGREE:
            world.backend.set("DINKES", rid, header, "YA")
    op.poll()
    op.verify("DINKES", dict(zip(posyandu, [str(len(places) - 1), *["1"] * (len(places) - 1)])))  # 18 = 18 × 1
    assert [r for r in rebuilt if r][-1] == [POSYANDU]
    assert (folder / "data" / f"{POSYANDU}.csv").is_file()
    assert_same_as_full_build(world, folder)

    op.verify("DINKES", {posyandu[1]: "2"})  # corrected after verification: 19 ≠ 18, the item is withheld
    assert not (folder / "data" / f"{POSYANDU}.csv").exists()  # its files go with it
    assert b"Jumlah Posyandu menurut kecamatan" in (folder / "datapackage.json").read_bytes()  # as withheld
    assert_same_as_full_build(world, folder)

    op.verify("DINKES", {posyandu[1]: "1"})  # corrected again: published again
    assert (folder / "data" / f"{POSYANDU}.csv").is_file()
    assert_same_as_full_build(world, folder)
    assert len(full_builds) == 1  # every later cycle was incremental
    op.service.release()
    world.store.engine.dispose()


class Killed(BaseException):
    """The process dies here (not an error the publication could catch)."""


@pytest.mark.parametrize("new_process", [False, True])
def test_a_publication_cut_short_is_repaired_by_the_next_cycle(tmp_path, monkeypatch, new_process):
    world = PublishedWorld(tmp_path)
    folder = load_settings(world.config).folder
    op = Operator(world)
    op.poll()
    put = building._put
    calls = []

    def dies_at_the_third_file(path, body):
        calls.append(path)
        if len(calls) == 3:  # the rebuilt item's files are written, the indexes not yet
            raise Killed()
        return put(path, body)
    monkeypatch.setattr(building, "_put", dies_at_the_third_file)
    world.backend.set("DINKES", world.ids[0], "Nilai", "21")
    world.backend.set("DINKES", world.ids[0], "Selesai Diisi", "YA")
    op.poll()
    world.backend.set("DINKES", world.ids[0], "Terverifikasi", "YA")
    with pytest.raises(Killed):
        op.service.poll()
    assert calls and not any(p.name == "tanda.json" for p in calls)
    monkeypatch.setattr(building, "_put", put)
    if new_process:
        building._remembered.clear()
        building._blocks.clear()
        op.service.release()
        op = Operator(world)
    full = build(world.config, world.store, world.rules, WILAYAH, load_settings(world.config))
    assert published_files(folder) != full.files  # cut short: the indexes are behind the item's files
    op.poll()  # nothing new archived: the stamp left by the cut-short publication says what to redo
    assert_same_as_full_build(world, folder)
    op.service.release()
    world.store.engine.dispose()


def test_a_cycle_that_archived_nothing_reads_no_kept_part(tmp_path, monkeypatch):
    """A new process's cycle with nothing archived since the last publication reads the stamp
    only, not every item's kept part (an idle poll read them all: ~0.2 s at 57 OPDs)."""
    world = PublishedWorld(tmp_path)
    op = Operator(world)
    op.verify("DINKES", {world.ids[0]: "12"})
    op.service.release()
    building._remembered.clear()
    read: list[object] = []
    real = building.part_of
    monkeypatch.setattr(building, "part_of", lambda record: (read.append(record), real(record))[1])
    op = Operator(world)
    world.backend.set("DINKES", world.ids[1], "Nilai", "3")
    op.poll()
    assert read == []
    op.service.release()
    world.store.engine.dispose()


def test_an_opd_published_for_the_first_time_rewrites_no_other_opds_package(tmp_path, monkeypatch):
    """A new OPD changes its neighbours' catalogue pages (their links), never another OPD's
    Data Package, which depends on that OPD's items only (DECISIONS.md #152)."""
    world = PublishedWorld(tmp_path)
    folder = load_settings(world.config).folder
    op = Operator(world)
    op.poll()
    assert (folder / "data" / "dinkes.datapackage.json").is_file()
    assert not (folder / "data" / "dikpora.datapackage.json").exists()
    put, written = building._put_pieces, []
    monkeypatch.setattr(building, "_put_pieces",
                        lambda path, pieces: (written.append(path.relative_to(folder).as_posix()), put(path, pieces)))
    op.verify("DIKPORA", {world.backend.ids("DIKPORA")[0]: "12"})
    assert sorted(written) == ["data/dikpora.datapackage.json", "katalog/dikpora.jsonld", "katalog/dikpora.ttl",
                               "katalog/dinkes.jsonld", "katalog/dinkes.ttl"]
    assert_same_as_full_build(world, folder)
    op.service.release()
    world.store.engine.dispose()
