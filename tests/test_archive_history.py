"""An edit reads the archive of what was edited (DECISIONS.md #148): the history the checks compare
with and the latest versions are read for the data items of the rows a cycle decides, and an item's
earlier years are still found when that item is edited."""
from __future__ import annotations

from dataclasses import replace

from rules.datum import datum_of
from service.archive.history import ArchiveHistory
from tests.conftest import WILAYAH
from tests.test_datum import OPD, _verified_rows


class Recording(ArchiveHistory):
    """The store's history, noting the items each read asked for."""

    def __init__(self, engine) -> None:
        super().__init__(engine)
        self.asked: list[tuple[str, object]] = []

    def values(self, opd, wilayah, items=None):
        self.asked.append(("values", None if items is None else sorted(items)))
        return super().values(opd, wilayah, items)

    def latest(self, opd, items=None):
        self.asked.append(("latest", None if items is None else sorted(items)))
        return super().latest(opd, items)


def _second_item(world, value: str) -> str:
    """A second data item of the tab, filled (not verified); its row ID."""
    world.backend.add_row(OPD, Kode_Data="DINKES-RS", Uraian_Data="Jumlah Rumah Sakit", Satuan="Unit",
                          Rincian="Total kabupaten", Tahun=2026, Nilai=value)
    world.poll()
    return world.backend.ids(OPD)[-1]


def test_history_and_latest_read_for_some_items_are_those_items_of_the_whole_archive(db_world):
    world = db_world
    _verified_rows(world, 2025, {"Total kabupaten": "62", "Kec. Maospati": "3"})
    history, store = ArchiveHistory(world.store.engine), world.store
    whole, latest = history.values(OPD, WILAYAH), history.latest(OPD)
    assert history.values(OPD, WILAYAH, {"kode:dinkes-pkm"}) == whole and len(whole) == 2
    assert history.latest(OPD, {"kode:dinkes-pkm"}) == latest and len(latest) == 2
    assert history.values(OPD, WILAYAH, {"kode:dinkes-lain"}) == {} == history.latest(OPD, {"kode:dinkes-lain"})
    assert history.values(OPD, WILAYAH, set()) == {} == history.latest(OPD, set())
    assert store.history.latest("DIKPORA", {"kode:dinkes-pkm"}) == {}


def test_an_edit_reads_the_archive_of_the_edited_item_only(world):
    ids = _verified_rows(world, 2025, {"Total kabupaten": "62"})
    world.config = replace(world.config, year=2026)
    other = _second_item(world, "10")
    world.store.history = spy = Recording(world.store.engine)
    world.backend.set(OPD, other, "Nilai", "11")
    world.poll()
    assert spy.asked == [("values", ["kode:dinkes-rs"]), ("latest", ["kode:dinkes-rs"])]
    spy.asked.clear()
    world.poll()  # nothing changed: nothing is read
    assert spy.asked == []
    assert world.row(OPD, ids[0]).state == "10"


def test_an_items_earlier_year_is_compared_with_when_that_item_is_edited(world):
    ids = _verified_rows(world, 2025, {"Total kabupaten": "62"})
    world.config = replace(world.config, year=2026)
    other = _second_item(world, "10")
    world.backend.set(OPD, other, "Nilai", "11")  # another item's edit reads nothing of this one
    world.backend.set(OPD, ids[0], "Tahun", 2026)
    world.backend.set(OPD, ids[0], "Nilai", "620")
    world.poll()
    codes = [x["kode"] for x in world.row(OPD, ids[0]).findings]
    assert "lonjakan_riwayat" in codes, codes
    assert "lonjakan_riwayat" not in [x["kode"] for x in world.row(OPD, other).findings]


def test_a_verified_edit_becomes_the_next_version_of_its_datum(world):
    ids = _verified_rows(world, 2025, {"Total kabupaten": "62"})
    world.backend.set(OPD, ids[0], "Nilai", "63")
    world.poll()
    world.backend.set(OPD, ids[0], "Terverifikasi", "YA")
    world.poll()
    assert world.backend.get(OPD, ids[0], "Status") == "10 Diarsip"
    key = datum_of(world.row(OPD, ids[0]).data, WILAYAH).key
    assert world.store.history.latest(OPD)[key][0] == 2 == world.row(OPD, ids[0]).archived_version

