"""The release calendar (rules/jadwal.py, /data/jadwal, "terlambat" publicly and on the dashboard),
the priority flag, and what the public is told about each item's verification and open checks."""
from __future__ import annotations

import dataclasses
import re
from datetime import date, datetime

import pytest

from rules.calendar import WorkCalendar
from rules.jadwal import add_months, next_release
from service.web.app import create_app
from tests.conftest import WIB
from tests.publish_world import PublishedWorld

PUSKESMAS = "dinkes-demo-dinkes-007"
BALITA = "dinkes-persentase-balita-ditimbang"
CAL = WorkCalendar()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    world = PublishedWorld(tmp_path_factory.mktemp("jadwal"))
    yield world
    world.store.engine.dispose()


def client(world, now: datetime, **publikasi):
    config = dataclasses.replace(world.config, publikasi=publikasi)
    return create_app(config, world.store, clock=lambda: now).test_client()


def test_the_next_release_is_one_period_later_on_a_working_day():
    assert next_release(date(2025, 3, 5), "Tahunan", date(2025, 6, 1), CAL).berikutnya == date(2026, 3, 5)
    assert next_release(date(2025, 3, 5), "triwulanan", date(2025, 6, 1), CAL).berikutnya == date(2025, 6, 5)
    # 2025-11-15 is a Saturday, 2025-11-17 the Monday after
    assert next_release(date(2025, 5, 15), "semesteran", date(2025, 6, 1), CAL).berikutnya == date(2025, 11, 17)
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)


def test_an_unknown_frequency_is_taken_as_yearly_and_marked_as_an_estimate():
    release = next_release(date(2025, 3, 5), "", date(2026, 3, 6), CAL)
    assert release.perkiraan and release.terlambat and release.berikutnya == date(2026, 3, 5)


def test_the_calendar_page_lists_every_item_and_says_when_one_is_late(world):
    modified = datetime.fromisoformat(world_item_modified(world)).astimezone(WIB).date()
    on_time = client(world, datetime(2025, 6, 1, 9, 0, tzinfo=WIB)).get("/data/jadwal").get_data(as_text=True)
    rows = re.findall(r'<tr data-item="([^"]+)">(.*?)</tr>', on_time, re.S)
    assert {slug for slug, _ in rows} == {PUSKESMAS, BALITA}
    assert "terlambat" not in " ".join(r for _, r in rows) and "sesuai jadwal" in rows[0][1]
    late_day = datetime(modified.year + 1, 12, 1, 9, 0, tzinfo=WIB)
    late = client(world, late_day).get("/data/jadwal").get_data(as_text=True)
    assert late.count('<span class="badge terlambat">terlambat</span>') == 2 and "2 item terlambat" in late
    item = client(world, late_day).get(f"/data/{PUSKESMAS}").get_data(as_text=True)
    assert re.search(r'id="rilis-berikutnya">[^<]*<span class="badge terlambat">terlambat', item)
    dashboard = client(world, late_day).get("/opd/DINKES").get_data(as_text=True)
    assert 'id="tabel-rilis"' in dashboard and "badge terlambat\">terlambat" in dashboard
    assert f'href="/data/{PUSKESMAS}"' in dashboard and f'href="/data/{BALITA}"' in dashboard


def world_item_modified(world) -> str:
    from service.publish.build import build
    return build(world.config, world.store).item(PUSKESMAS).modified


def test_priority_items_are_flagged_and_filterable(world):
    now = datetime(2025, 6, 1, 9, 0, tzinfo=WIB)
    c = client(world, now, prioritas=["DEMO-DINKES-007"])
    everything = c.get("/data").get_data(as_text=True)
    assert everything.count("badge prioritas") == 1 and "Persentase Balita Ditimbang" in everything
    only = c.get("/data?prioritas=1").get_data(as_text=True)
    assert "Jumlah Puskesmas" in only and "Persentase Balita Ditimbang" not in only
    calendar = c.get("/data/jadwal?prioritas=1").get_data(as_text=True)
    assert re.findall(r'data-item="([^"]+)"', calendar) == [PUSKESMAS]
    assert "Data prioritas" in c.get(f"/data/{PUSKESMAS}").get_data(as_text=True)


def test_each_item_says_when_the_walidata_verified_it_and_whether_a_check_warns(world):
    now = datetime(2025, 6, 1, 9, 0, tzinfo=WIB)
    html = client(world, now).get(f"/data/{PUSKESMAS}").get_data(as_text=True)
    mutu = html[html.index('id="mutu"'):html.index("</section>", html.index('id="mutu"'))]
    assert "Nilai diverifikasi Walidata pada" in mutu and "2025" in mutu
    assert "Tidak ada peringatan pemeriksaan otomatis yang terbuka." in mutu


def test_an_open_warning_and_a_row_back_in_review_are_summarised_not_listed(tmp_path):
    world = PublishedWorld(tmp_path)
    try:
        world.backend.set("DINKES", world.ids[1], "Nilai", "230")  # ten times last year's: a history warning
        world.poll()
        now = datetime(2025, 6, 1, 9, 0, tzinfo=WIB)
        html = client(world, now).get(f"/data/{PUSKESMAS}").get_data(as_text=True)
        mutu = html[html.index('id="mutu"'):html.index("</section>", html.index('id="mutu"'))]
        assert "1 baris sedang diperiksa ulang; yang tampil adalah versi terverifikasi terakhir" in mutu
        table = re.search(r'<table id="tabel-data">(.*?)</table>', html, re.S).group(1)
        assert "230" not in table  # the public still sees the verified value
    finally:
        world.store.engine.dispose()


def test_a_priority_list_that_is_not_a_list_is_named(tmp_path):
    from service.config import ConfigError
    from service.publish.settings import load_settings
    from tests.conftest import make_config
    config = dataclasses.replace(make_config(tmp_path), publikasi={"prioritas": "DEMO-DINKES-007"})
    with pytest.raises(ConfigError, match="publikasi.prioritas harus berupa daftar"):
        load_settings(config)


def test_statuses_kept_between_calls_equal_fresh_ones_and_are_computed_again_only_when_their_inputs_change(
        world, monkeypatch):
    from service.archive.queries import Queries
    from service.publish import status
    from service.publish.build import build

    items, queries, kept = build(world.config, world.store).items, Queries(world.store.engine), {}
    computed: list[str] = []
    real = status._status
    monkeypatch.setattr(status, "_status", lambda item, *a: (computed.append(item.slug), real(item, *a))[1])
    today = date(2025, 6, 1)
    assert status.item_status(items, queries, today, CAL, kept=kept) == status.item_status(items, queries, today, CAL)
    computed.clear()
    assert status.item_status(items, queries, today, CAL, kept=kept) == status.item_status(items, queries, today, CAL)
    assert computed == [i.slug for i in items]  # the fresh call alone
    computed.clear()
    late = date(2027, 12, 1)
    assert status.item_status(items, queries, late, CAL, kept=kept) == status.item_status(items, queries, late, CAL)
    # a new day: the kept statuses only tell their lateness again (equal to fresh ones, asserted above)
    assert computed == [i.slug for i in items]


def test_a_changed_row_check_computes_again_only_the_status_of_its_item(world, monkeypatch):
    from service.archive.queries import Queries
    from service.publish import status
    from service.publish.build import build

    items, queries, kept = build(world.config, world.store).items, Queries(world.store.engine), {}
    today = date(2025, 6, 1)
    status.item_status(items, queries, today, CAL, kept=kept)
    computed: list[str] = []
    real = status._status
    monkeypatch.setattr(status, "_status", lambda item, *a: (computed.append(item.slug), real(item, *a))[1])
    target = items[0]
    row = (target.data[0].opd, target.data[0].row_id)
    checks = queries.row_checks()
    monkeypatch.setattr(queries, "row_checks", lambda opd=None: {**checks, row: ("8", 2, 0, False)})
    shown = status.item_status(items, queries, today, CAL, kept=kept)
    assert computed == [target.slug]
    assert shown[target.slug].galat >= 2 and shown[target.slug].diperbaiki >= 1
    computed.clear()
    assert status.item_status(items, queries, today, CAL, kept=kept) == status.item_status(items, queries, today, CAL)
    assert computed == [i.slug for i in items]  # the fresh call alone: nothing changed for the kept one
