"""The dashboard (DECISIONS.md #24) on a workspace driven through the SOP by the shared world."""
from __future__ import annotations

import csv
import dataclasses
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from werkzeug.security import check_password_hash, generate_password_hash

from service.archive.queries import Queries
from service.web import views
from service.web.reads import DashboardReads
from service.cli.commands import main
from service.web.app import create_app
from service.archive.export import KEYS
from service.archive.progress import progress
from rules.calendar import WorkCalendar
from tests.conftest import WIB, World, make_config

OPDS = (("DINKES", "Dinas Kesehatan"), ("DIKPORA", "Dinas Pendidikan"),
        ("DISPENDUKCAPIL", "Dinas Kependudukan dan Pencatatan Sipil"), ("BPBD", "Badan Penanggulangan Bencana"))
XSS = "<script>alert(1)</script>"
AGREE = ("Dicek Bersama", "Disepakati OPD", "Disepakati Walidata", "Disetujui Ka. OPD")
PAGES = ("/", "/opd/DINKES", "/opd/BPBD", "/temuan", "/temuan?opd=DINKES&level=galat", "/riwayat",
         "/riwayat?opd=DIKPORA&batas=5", "/arsip", "/arsip?opd=DISPENDUKCAPIL&semua_versi=1", "/kesehatan")
APIS = ("/api/ringkasan", "/api/opd/DINKES", "/api/temuan", "/api/temuan?level=peringatan", "/api/riwayat",
        "/api/arsip", "/api/kesehatan")


def at(day: int, hour: int, month: int = 3) -> datetime:
    return datetime(2025, month, day, hour, 0, tzinfo=WIB)


class Scene:
    """Four OPDs at different places in the SOP, all moved on Monday 3 March 2025 (WIB):
    DINKES approved (6) plus a row sent back with a galat (8), DIKPORA a draft (1) whose
    Uraian is a script, DISPENDUKCAPIL archived (10), BPBD without rows."""

    def __init__(self, tmp_path: Path, start: datetime | None = None, url: str | None = None) -> None:
        self.world = w = World(tmp_path, url=url)
        w.config = make_config(tmp_path, opds=OPDS, url=url)
        if start is not None:
            w.now = start
        w.poll()  # creates the tabs
        w.backend.add_row("DINKES", Kode_Data="DEMO-DINKES-006", Uraian_Data="Jumlah Kasus Tuberkulosis",
                          Satuan="Kasus", Rincian="Total kabupaten")
        w.backend.add_row("DINKES", Kode_Data="DEMO-DINKES-007", Uraian_Data="Jumlah Puskesmas",
                          Satuan="Unit", Rincian="Total kabupaten")
        w.backend.add_row("DIKPORA", Kode_Data="DEMO-DIKPORA-001", Uraian_Data=XSS, Satuan="Unit",
                          Rincian="Total kabupaten")
        w.backend.add_row("DISPENDUKCAPIL", Kode_Data="DEMO-DUKCAPIL-001", Uraian_Data="Jumlah Penduduk",
                          Satuan="Jiwa", Rincian="Total kabupaten", Keterangan="=HYPERLINK(\"x\")")
        w.poll()
        for opd, rid in (("DINKES", "DINKES-0001"), ("DINKES", "DINKES-0002"),
                         ("DISPENDUKCAPIL", "DISPENDUKCAPIL-0001")):
            for header in AGREE:
                w.backend.set(opd, rid, header, "YA")
        w.poll()
        w.backend.set("DINKES", "DINKES-0002", "Tahun", 2024)
        w.backend.set("DINKES", "DINKES-0002", "Nilai", "banyak")
        w.backend.set("DINKES", "DINKES-0002", "Selesai Diisi", "YA")
        w.backend.set("DISPENDUKCAPIL", "DISPENDUKCAPIL-0001", "Tahun", 2024)
        w.backend.set("DISPENDUKCAPIL", "DISPENDUKCAPIL-0001", "Nilai", "52.345")
        w.backend.set("DISPENDUKCAPIL", "DISPENDUKCAPIL-0001", "Selesai Diisi", "YA")
        w.poll()
        w.backend.set("DISPENDUKCAPIL", "DISPENDUKCAPIL-0001", "Terverifikasi", "YA")  # once shown as 7 Diisi
        w.poll()

    def client(self, now: datetime, **config_changes):
        config = dataclasses.replace(self.world.config, **config_changes)
        return create_app(config, self.world.store, clock=lambda: now).test_client()


@pytest.fixture
def scene(tmp_path: Path) -> Scene:
    return Scene(tmp_path)


@pytest.fixture
def client(scene: Scene):
    return scene.client(at(4, 9))


def ketepatan(client) -> dict[str, str]:
    data = client.get("/api/ringkasan").get_json()
    return {o["kode"]: o["ketepatan"] for o in data["opd"]} | {o["kode"]: "belum_mulai"
                                                               for o in data["opd_tanpa_baris"]}


def opd_row_html(html: str, kode: str) -> str:
    match = re.search(rf'<tr data-opd="{kode}">(.*?)</tr>', html, re.S)
    assert match, f"{kode} missing from the Ringkasan table"
    return match.group(1)


# --- every route ---------------------------------------------------------------------------
@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders_in_indonesian(client, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="id">' in html
    assert "Ringkasan" in html and "Kesehatan" in html
    assert "Data per 4 Maret 2025 09.00 WIB" in html
    assert "cdn" not in html.lower() and "<script" not in html
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")


@pytest.mark.parametrize("path", APIS)
def test_every_api_route_is_json_with_iso_datetimes(client, path):
    response = client.get(path)
    assert response.status_code == 200 and response.is_json
    text = response.get_data(as_text=True)
    assert re.search(r'"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}', text), "no ISO 8601 datetime in " + path
    assert "GMT" not in text  # not Flask's default HTTP-date rendering


def test_static_assets_are_served_locally(client):
    with client.get("/static/dashboard.css") as response:
        assert response.status_code == 200 and b"--brand" in response.data
    css = client.get("/status.css").get_data(as_text=True)
    assert ".st-10 {" in css and ".st-7a {" in css


# --- Ringkasan and deadlines ----------------------------------------------------------------
def test_ringkasan_shows_on_time_at_risk_done_and_not_started(client):
    assert ketepatan(client) == {"DINKES": "tepat_waktu", "DIKPORA": "berisiko", "DISPENDUKCAPIL": "selesai",
                                 "BPBD": "belum_mulai"}
    html = client.get("/").get_data(as_text=True)
    dinkes = opd_row_html(html, "DINKES")
    assert "Tepat waktu" in dinkes and "10 Maret 2025" in dinkes and "6 Disetujui" in dinkes
    assert "0,5 dari 5 hari" in dinkes
    dikpora = opd_row_html(html, "DIKPORA")
    assert "Berisiko" in dikpora and "4 Maret 2025" in dikpora
    assert "Selesai" in opd_row_html(html, "DISPENDUKCAPIL")
    assert 'data-opd="BPBD"' not in html  # OPDs without rows are collapsed into a list
    assert re.search(r"1 OPD belum punya baris data</summary>.*BPBD", html, re.S)


def test_ringkasan_shows_late_once_the_deadline_has_passed(scene):
    client = scene.client(at(11, 9))
    assert ketepatan(client) == {"DINKES": "terlambat", "DIKPORA": "terlambat", "DISPENDUKCAPIL": "selesai",
                                 "BPBD": "belum_mulai"}
    data = client.get("/api/ringkasan").get_json()
    assert [o["kode"] for o in data["opd"]][:2] == ["DINKES", "DIKPORA"]  # late OPDs first
    assert data["ketepatan"]["terlambat"] == 2 and data["terlambat"] == ["DINKES", "DIKPORA"]
    html = client.get("/").get_data(as_text=True)
    assert "Terlambat" in opd_row_html(html, "DINKES")


def test_deadline_skips_lebaran_and_cuti_bersama(tmp_path):
    scene = Scene(tmp_path, start=at(27, 8))  # Thursday 27 March 2025, before the Lebaran block
    client = scene.client(at(28, 9))
    data = {o["kode"]: o for o in client.get("/api/ringkasan").get_json()["opd"]}
    assert data["DIKPORA"]["tenggat"].startswith("2025-04-08T15:00:00")
    assert "8 April 2025" in opd_row_html(client.get("/").get_data(as_text=True), "DIKPORA")


def test_kabupaten_totals_and_percentage_archived(client):
    data = client.get("/api/ringkasan").get_json()
    assert (data["total_baris"], data["total_diarsip"], data["persen_diarsip"]) == (4, 1, 25.0)
    assert data["jumlah_per_kode"]["6"] == 1 and data["jumlah_per_kode"]["8"] == 1
    html = client.get("/").get_data(as_text=True)
    assert "25<small>%</small>" in html
    assert "<svg" in html and 'fill="#1f7a4d"' in html  # the archived segment of the stacked bar
    for label in ("1 Draf", "6 Disetujui", "8 Perlu Perbaikan", "10 Diarsip"):  # the legend
        assert label in html


def test_ringkasan_aggregates_agree_with_progress(scene):
    for now in (at(4, 9), at(11, 9)):
        fast = views.ringkasan(scene.world.config, DashboardReads(scene.world.store), now, WorkCalendar())
        full = progress(scene.world.config, scene.world.store, now)
        assert sorted(fast["opd"] + [o for o in full["opd"] if not o["baris"]], key=lambda o: o["kode"]) == \
            sorted(full["opd"], key=lambda o: o["kode"])


def test_dashboard_store_reads_agree_on_every_database(tmp_path, archive_url):
    scene = Scene(tmp_path, url=archive_url)
    store, now = scene.world.store, at(4, 9)
    reads = Queries(store.engine)
    fast = views.ringkasan(scene.world.config, DashboardReads(store), now, WorkCalendar())
    full = {o["kode"]: o for o in progress(scene.world.config, store, now)["opd"]}
    assert all(o == full[o["kode"]] for o in fast["opd"]) and len(fast["opd"]) == 3
    for all_versions in (False, True):
        for opd in (None, "DISPENDUKCAPIL", "DINKES"):
            rows = list(reads.archive_rows(all_versions=all_versions, opd=opd))
            assert reads.archive_count(all_versions=all_versions, opd=opd) == len(rows)
            assert reads.archive_page(0, 10, all_versions=all_versions, opd=opd) == rows[:10]
    found = reads.rows_with_findings()
    assert {(r["opd"], r["row_id"]) for r in found} >= {("DINKES", "DINKES-0002")}
    assert reads.rows_with_findings("DIKPORA") == [r for r in found if r["opd"] == "DIKPORA"]
    every = [(r["opd"], r["row_id"], f) for r in found for f in r["findings"]]
    assert sum(reads.finding_counts().values()) == len(every) > 2
    for level in (None, "galat", "peringatan"):  # pages of two findings, by the running sum in SQL
        want = [x for x in every if level is None or x[2]["level"] == level]
        got = []
        for offset in range(0, len(want) + 2, 2):
            for r in reads.findings_page(offset, 2, level=level):
                shown = [f for f in r["findings"] if level is None or f["level"] == level]
                got += [(i, (r["opd"], r["row_id"], f)) for i, f in enumerate(shown, r["first"]) if offset <= i < offset + 2]
        assert [x for _, x in got] == want and [i for i, _ in got] == list(range(len(want)))
    store.engine.dispose()


def test_ringkasan_follows_the_next_poll_cycle(scene, client):
    assert client.get("/api/ringkasan").get_json()["total_baris"] == 4
    scene.world.backend.add_row("BPBD", Uraian_Data="Jumlah Kejadian Bencana", Satuan="Kejadian")
    scene.world.poll()
    data = client.get("/api/ringkasan").get_json()
    assert data["total_baris"] == 5 and "BPBD" in [o["kode"] for o in data["opd"]]


# --- OPD, Temuan, Riwayat ----------------------------------------------------------------------
def test_opd_page_lists_rows_with_state_findings_and_history(client):
    html = client.get("/opd/DINKES").get_data(as_text=True)
    assert "Dinas Kesehatan" in html and "DINKES-0001" in html and "Jumlah Kasus Tuberkulosis" in html
    assert "6 Disetujui" in html and "8 Perlu Perbaikan" in html and "bukan angka" in html
    assert "Total kabupaten" in html and "2024" in html
    data = client.get("/api/opd/DINKES").get_json()
    rows = {r["id"]: r for r in data["baris"]}
    assert rows["DINKES-0001"]["status"] == "6"
    assert [(e["dari"], e["ke"]) for e in reversed(rows["DINKES-0001"]["riwayat"])] == \
        [(None, "1"), ("1", "3"), ("3", "5"), ("5", "6")]
    assert ("nilai", "galat") in {(f["kolom"], f["level"]) for f in rows["DINKES-0002"]["temuan"]}
    assert data["opd"]["tenggat"].startswith("2025-03-10T15:00:00")


def test_opd_page_follows_its_own_tab_and_keeps_its_rows_through_other_tabs_cycles(scene, client, monkeypatch):
    from service.web import views

    built: list[str] = []
    real = views._opd_rows
    monkeypatch.setattr(views, "_opd_rows", lambda reads, tab, *a: (built.append(tab), real(reads, tab, *a))[1])
    client.get("/api/opd/DINKES")
    scene.world.backend.add_row("BPBD", Uraian_Data="Jumlah Kejadian Bencana", Satuan="Kejadian")
    scene.world.poll()  # a cycle that changed BPBD only
    client.get("/api/opd/DINKES")
    assert built == ["DINKES"]  # DINKES's rows were not read again
    scene.world.backend.set("DINKES", "DINKES-0001", "Selesai Diisi", "YA")
    scene.world.poll()
    rows = {r["id"]: r for r in client.get("/api/opd/DINKES").get_json()["baris"]}
    assert built == ["DINKES", "DINKES"] and rows["DINKES-0001"]["status"] != "6"  # the tick is shown


def test_opd_pages_release_list_is_kept_through_other_tabs_cycles(scene, client, monkeypatch):
    from service.publish import source

    read: list[str | None] = []
    real = source.latest_data
    monkeypatch.setattr(source, "latest_data", lambda reads, wilayah, opd=None: (read.append(opd),
                                                                                real(reads, wilayah, opd))[1])
    client.get("/opd/DINKES")
    scene.world.backend.add_row("BPBD", Uraian_Data="Jumlah Kejadian Bencana", Satuan="Kejadian")
    scene.world.poll()  # a cycle that changed BPBD only
    client.get("/opd/DINKES")
    assert read == ["DINKES"]  # DINKES's archive was not read again for its releases
    scene.world.backend.set("DINKES", "DINKES-0001", "Selesai Diisi", "YA")
    scene.world.poll()
    assert client.get("/opd/DINKES").status_code == 200
    assert read == ["DINKES"]  # a cycle that archived nothing of DINKES reads none of its versions again


def test_opd_page_shows_one_page_of_rows_in_sheet_order_with_a_pager(client, monkeypatch):
    monkeypatch.setattr(views, "BARIS_PER_PAGE", 1)
    first = client.get("/opd/DINKES").get_data(as_text=True)
    assert 'id="baris-DINKES-0001"' in first and 'id="baris-DINKES-0002"' not in first
    assert "Baris 1–1 dari 2" in first and "Halaman 1 dari 2" in first and "/opd/DINKES?halaman=2" in first
    assert "8 Perlu Perbaikan" in first  # the status counts still cover every row
    second = client.get("/opd/DINKES?halaman=2").get_data(as_text=True)
    assert 'id="baris-DINKES-0002"' in second and 'id="baris-DINKES-0001"' not in second
    assert "bukan angka" in second and "/opd/DINKES?halaman=1" in second
    beyond = client.get("/opd/DINKES?halaman=99").get_data(as_text=True)
    assert 'id="baris-DINKES-0002"' in beyond  # clamped to the last page, never an empty one


def test_the_opd_api_answers_the_pages_rows_each_with_its_history_and_every_row_when_asked(client, monkeypatch):
    monkeypatch.setattr(views, "BARIS_PER_PAGE", 1)
    first, second = (client.get(f"/api/opd/DINKES?halaman={n}").get_json() for n in (1, 2))
    assert [r["id"] for r in first["baris"]] == ["DINKES-0001"] and [r["id"] for r in second["baris"]] == ["DINKES-0002"]
    assert (first["halaman"], first["jumlah_halaman"], first["jumlah_baris"], first["per_halaman"]) == (1, 2, 2, 1)
    assert second["baris"][0]["riwayat"] and second["baris"][0]["riwayat"][-1]["dari"] is None  # its whole history
    assert client.get("/api/opd/DINKES").get_json()["baris"] == first["baris"]
    every = client.get("/api/opd/DINKES?halaman=semua").get_json()
    assert every["baris"] == first["baris"] + second["baris"] and every["jumlah_halaman"] == 1
    assert every["opd"] == first["opd"]  # the counts cover every row on every page


def test_a_two_thousand_row_opd_page_stays_under_200_kb(tmp_path):
    w = World(tmp_path)
    w.config = make_config(tmp_path, opds=(("DINKES", "Dinas Kesehatan"),))
    w.poll()
    for i in range(2000):
        w.backend.add_row("DINKES", Kode_Data=f"K-{i:04d}", Uraian_Data=f"Jumlah sarana kesehatan jenis {i}",
                          Satuan="Unit", Rincian="Total kabupaten", Nilai="banyak" if i % 3 else "")
    w.poll()
    client = create_app(w.config, w.store, clock=lambda: w.now).test_client()
    html = client.get("/opd/DINKES").get_data(as_text=True)
    assert len(html.encode()) <= 200_000, len(html.encode())
    assert "Baris 1–100 dari 2.000" in html and "Halaman 1 dari 20" in html
    last = client.get("/opd/DINKES?halaman=20").get_data(as_text=True)
    assert 'id="baris-DINKES-2000"' in last and len(last.encode()) <= 200_000
    w.store.engine.dispose()


def test_unknown_opd_is_a_404_in_indonesian(client):
    response = client.get("/opd/TIDAKADA")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Halaman tidak ditemukan" in html and "TIDAKADA" in html and "Kembali ke Ringkasan" in html
    api = client.get("/api/opd/TIDAKADA")
    assert api.status_code == 404 and api.get_json()["galat"] == "Halaman tidak ditemukan"
    assert client.get("/temuan?opd=TIDAKADA").status_code == 404
    assert "tidak ada di dasbor" in client.get("/tidak/ada").get_data(as_text=True)


def test_an_opd_code_typed_in_another_case_is_sent_to_its_page(client):
    response = client.get("/opd/dinkes?halaman=1")
    assert response.status_code == 308 and response.headers["Location"].endswith("/opd/DINKES?halaman=1")
    api = client.get("/api/opd/Dinkes")
    assert api.status_code == 308 and api.headers["Location"].endswith("/api/opd/DINKES")
    assert client.get("/opd/dinkes", follow_redirects=True).status_code == 200
    assert client.get("/opd/dinkes?kode=LAIN").headers["Location"].split("?")[0].endswith("/opd/DINKES")


def test_uraian_with_a_script_renders_inert(client):
    for path in ("/opd/DIKPORA", "/riwayat", "/api/opd/DIKPORA"):
        body = client.get(path).get_data(as_text=True)
        assert XSS not in body or path.startswith("/api/")
    html = client.get("/opd/DIKPORA").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert client.get("/api/opd/DIKPORA").get_json()["baris"][0]["uraian_data"] == XSS
    assert client.get("/api/opd/DIKPORA").headers["Content-Type"].startswith("application/json")


def test_temuan_filters_by_opd_and_level(client):
    every = client.get("/api/temuan").get_json()
    assert {t["opd"] for t in every["temuan"]} >= {"DINKES"}
    galat = client.get("/api/temuan?level=galat").get_json()
    assert galat["jumlah"] >= 1 and {t["level"] for t in galat["temuan"]} == {"galat"}
    assert ("DINKES", "DINKES-0002", "Nilai") in {(t["opd"], t["id"], t["kolom"]) for t in galat["temuan"]}
    warnings = client.get("/api/temuan?opd=DIKPORA&level=peringatan").get_json()
    assert {t["opd"] for t in warnings["temuan"]} <= {"DIKPORA"}
    assert {t["level"] for t in warnings["temuan"]} <= {"peringatan"}
    html = client.get("/temuan?opd=DINKES&level=galat").get_data(as_text=True)
    assert "DINKES-0002" in html and 'value="galat" selected' in html and 'value="DINKES" selected' in html


@pytest.mark.parametrize("per_page", [1, 2, 3, 7, 200])
def test_temuan_pages_from_each_tabs_kept_counts_equal_the_pages_counted_in_sql(scene, monkeypatch, per_page):
    from service.archive.queries import Queries
    from service.web.reads import DashboardReads

    monkeypatch.setattr(views, "TEMUAN_PER_PAGE", per_page)
    kodes = frozenset(o.kode for o in scene.world.config.opds)
    kept, counted = DashboardReads(scene.world.store), DashboardReads(scene.world.store)
    asked: list[list[str]] = []
    real = Queries.finding_rows
    monkeypatch.setattr(Queries, "finding_rows", lambda self, tabs: (asked.append(sorted(tabs)), real(self, tabs))[1])
    for level in (None, "galat", "peringatan"):
        total = views._temuan(counted, None, level, 1, None)["jumlah_halaman"]
        for page in range(1, total + 2):  # the page past the last is clamped to it
            assert views._temuan(kept, None, level, page, kodes) == views._temuan(counted, None, level, page, None)
    assert asked == [sorted(kodes)]  # every tab's counts read once, then kept
    scene.world.backend.add_row("BPBD", Uraian_Data="Jumlah Kejadian Bencana", Satuan="Kejadian", Tahun="dua")
    scene.world.poll()  # a cycle that applied BPBD only
    asked.clear()
    for level in (None, "galat", "peringatan"):
        assert views._temuan(kept, None, level, 1, kodes) == views._temuan(counted, None, level, 1, None)
    assert asked == [["BPBD"]]


def test_riwayat_is_the_audit_feed_filtered_by_opd(client):
    feed = client.get("/api/riwayat").get_json()["peristiwa"]
    assert feed[0]["waktu"] >= feed[-1]["waktu"]  # newest first
    assert {e["opd"] for e in feed} == {"DINKES", "DIKPORA", "DISPENDUKCAPIL"}
    only = client.get("/api/riwayat?opd=DISPENDUKCAPIL").get_json()["peristiwa"]
    assert {e["opd"] for e in only} == {"DISPENDUKCAPIL"} and only[0]["ke"] == "10"
    html = client.get("/riwayat?opd=DISPENDUKCAPIL").get_data(as_text=True)
    assert "Disimpan di basis data arsip" in html and "3 Maret 2025" in html


def test_a_long_temuan_list_pages_with_links_that_keep_the_filters(client, monkeypatch):
    monkeypatch.setattr(views, "TEMUAN_PER_PAGE", 1)
    response = client.get("/temuan?level=peringatan")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Berikutnya" in html and "halaman=2" in html and "level=peringatan" in html


# --- Arsip ------------------------------------------------------------------------------------
def test_arsip_page_shows_indonesian_numbers_and_pages(client):
    html = client.get("/arsip").get_data(as_text=True)
    assert "DISPENDUKCAPIL-0001" in html and "52.345" in html and "Jumlah Penduduk" in html
    data = client.get("/api/arsip").get_json()
    assert (data["jumlah"], data["halaman"], data["jumlah_halaman"]) == (1, 1, 1)
    assert list(data["baris"][0]) == list(KEYS) and data["baris"][0]["nilai"] == 52345.0
    assert client.get("/api/arsip?halaman=99").get_json()["halaman"] == 1


def test_arsip_downloads_csv_xlsx_json_with_agreed_keys_and_neutralised_formulas(client):
    csv_resp = client.get("/arsip/unduh.csv")
    assert csv_resp.status_code == 200 and csv_resp.mimetype == "text/csv"
    assert 'attachment; filename="arsip-2025.csv"' == csv_resp.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(csv_resp.data.decode("utf-8-sig"))))
    assert rows[0] == list(KEYS)
    record = dict(zip(rows[0], rows[1]))
    assert record["keterangan"] == "'=HYPERLINK(\"x\")" and record["nilai"] == "52345"
    xlsx = client.get("/arsip/unduh.xlsx?opd=DISPENDUKCAPIL&semua_versi=1")
    assert "arsip-2025-DISPENDUKCAPIL-semua-versi.xlsx" in xlsx.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert [c.value for c in sheet[1]] == list(KEYS)
    assert sheet.cell(2, KEYS.index("keterangan") + 1).value == "'=HYPERLINK(\"x\")"
    records = json.loads(client.get("/arsip/unduh.json").data)
    assert [r["id"] for r in records] == ["DISPENDUKCAPIL-0001"] and list(records[0]) == list(KEYS)
    assert client.get("/arsip/unduh.pdf").status_code == 404


# --- Kesehatan, secrets, read-only, auth -------------------------------------------------------
def test_kesehatan_shows_cycles_requests_and_the_quota(client, scene):
    data = client.get("/api/kesehatan").get_json()
    assert len(data["siklus"]) == 5 and data["siklus"][0]["status"] == "selesai"
    assert data["kuota"]["batas_per_menit"] == 60 and data["kuota"]["berlaku"] is False
    assert data["siklus"][0]["permintaan"]["baca"] >= 1
    html = client.get("/kesehatan").get_data(as_text=True)
    assert "60 permintaan baca per menit per pengguna" in html and "kuota Google tidak berlaku" in html
    google = scene.client(at(4, 9), backend="google", interval_seconds=5).get("/api/kesehatan").get_json()
    assert google["kuota"]["berlaku"] is True and google["kuota"]["siklus_per_menit"] == 12


def test_kesehatan_shows_the_last_verification_and_the_chain_heads(scene):
    from service.archive import chain
    w = scene.world
    client = scene.client(at(4, 9))
    before = client.get("/api/kesehatan").get_json()
    assert before["verifikasi"] is None and "belum pernah diperiksa" in client.get("/kesehatan").get_data(as_text=True)
    found = chain.verify(w.store.engine)
    chain.record_verification(w.store.engine, found, at(4, 8))
    data = client.get("/api/kesehatan").get_json()
    assert data["verifikasi"]["utuh"] is True and data["verifikasi"]["rekaman"] == found.records
    heads = {(h["opd"], h["jenis"]): h["kepala"] for h in data["rantai"]}
    assert heads[("DISPENDUKCAPIL", "arsip")] == next(h["kepala"] for h in found.heads
                                                       if (h["opd"], h["jenis"]) == ("DISPENDUKCAPIL", "arsip"))
    html = client.get("/kesehatan").get_data(as_text=True)
    assert "Integritas arsip" in html and "semua rantai utuh" in html and heads[("DINKES", "audit")] in html


def test_kesehatan_lists_tab_problems(scene):
    w = scene.world
    w.backend.tabs["DINKES"].header[w.backend._col("DINKES", "Satuan")] = "Unit Ukur"
    w.backend.tabs["DINKES"].version += 1
    w.poll()
    client = scene.client(at(4, 9))
    problems = {p["kode"]: p for p in client.get("/api/kesehatan").get_json()["masalah_tab"]}
    assert problems["DINKES"]["status"] == "header" and "Satuan" in problems["DINKES"]["pesan"]
    html = client.get("/kesehatan").get_data(as_text=True)
    assert "Judul kolom tidak cocok" in html
    assert "Judul kolom tidak cocok" in client.get("/").get_data(as_text=True)


def test_no_password_or_secret_is_ever_shown(scene):
    url = "postgresql+psycopg://walidata:s3cr3t-pw@db.example.go.id:5432/arsip"
    cycle = scene.world.store.cycle_log.start(at(4, 8))
    scene.world.store.cycle_log.finish(cycle, at(4, 8), status="galat",
                                   errors=[f"Koneksi gagal: {url}", "token=abc123 ditolak"])
    client = scene.client(at(4, 9), archive_url=url, credentials=Path("/etc/rahasia/sa.json"))
    for path in PAGES + APIS:
        body = client.get(path).get_data(as_text=True)
        assert "s3cr3t" not in body and "abc123" not in body and "rahasia/sa.json" not in body, path
    assert "walidata:***@db.example.go.id" in client.get("/kesehatan").get_data(as_text=True)


def test_dashboard_is_read_only(client):
    for path in ("/", "/api/ringkasan", "/arsip/unduh.csv"):
        response = client.post(path)
        assert response.status_code == 405
        assert "hanya-baca" in response.get_data(as_text=True).lower() or response.is_json


def test_basic_auth_when_users_are_configured(scene):
    users = {"walidata": generate_password_hash("rahasia-magetan")}
    client = scene.client(at(4, 9), dashboard_users=users)
    for path in ("/", "/api/ringkasan", "/static/dashboard.css"):
        with client.get(path) as response:
            assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Basic")
    assert client.get("/", auth=("walidata", "salah")).status_code == 401
    assert client.get("/", auth=("orang-lain", "rahasia-magetan")).status_code == 401
    assert client.get("/", auth=("walidata", "rahasia-magetan")).status_code == 200
    assert client.get("/api/kesehatan", auth=("walidata", "rahasia-magetan")).status_code == 200


def test_without_users_no_login_is_asked(client):
    assert "WWW-Authenticate" not in client.get("/").headers


# --- CLI ------------------------------------------------------------------------------------------
def test_hash_password_prints_a_werkzeug_hash():
    result = CliRunner().invoke(main, ["hash-password"], input="rahasia\nrahasia\n")
    assert result.exit_code == 0, result.output
    assert check_password_hash(result.output.strip().splitlines()[-1], "rahasia")


WORKSPACE = """\
[workspace]
name = "Uji Dasbor"
year = 2025

[sheets]
backend = "xlsx"
folder = "sheets"

[archive]
url = "sqlite:///arsip.sqlite"

[poller]
interval_seconds = 3600

[[opd]]
kode = "DINKES"
nama = "Dinas Kesehatan"
"""


@pytest.mark.parametrize("command", ["run", "serve"])
def test_run_and_serve_answer_and_stop_cleanly_on_sigterm(tmp_path, command):
    (tmp_path / "satudata.toml").write_text(WORKSPACE, encoding="utf-8")
    exe = Path(sys.executable).with_name("satudata")
    proc = subprocess.Popen([str(exe), "-c", str(tmp_path / "satudata.toml"), command, "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        url = None
        deadline = time.monotonic() + 30
        while url is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            assert line or proc.poll() is None, "process ended early"
            found = re.search(r"http://127\.0\.0\.1:\d+/", line)
            url = found.group(0) if found else None
        assert url, "no dashboard URL printed"
        if command == "run":  # the poller's first cycle lands in the same database
            for _ in range(100):
                cycles = json.load(urllib.request.urlopen(url + "api/kesehatan", timeout=5))["siklus"]
                if cycles and cycles[0]["selesai"]:
                    break
                time.sleep(0.1)
            assert cycles and cycles[0]["status"] == "selesai"
        with urllib.request.urlopen(url, timeout=5) as response:
            assert response.status == 200 and "Ringkasan" in response.read().decode()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
        assert "berhenti" in proc.stdout.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()


def test_archive_counts_since_a_watermark_count_only_what_is_new_on_every_database(tmp_path, archive_url):
    from sqlalchemy import select

    from service.archive import schema as t
    from tests.publish_world import PublishedWorld
    world = PublishedWorld(tmp_path, archive_url)
    world.backend.set("DINKES", world.ids[1], "Nilai", "24")  # a second version of one datum
    world.poll()
    world.backend.set("DINKES", world.ids[1], "Terverifikasi", "YA")
    world.poll()
    reads = world.reads
    with world.store.engine.connect() as conn:
        versions = [tuple(r) for r in conn.execute(select(t.archive.c.id, t.archive.c.opd, t.archive.c.datum))]
    assert len(versions) == 10
    for after in (0, sorted(v[0] for v in versions)[len(versions) // 2], reads.archive_watermark()):
        for opd in (None, "DINKES"):
            mine = [v for v in versions if opd in (None, v[1])]
            earlier = {v[1:] for v in mine if v[0] <= after}
            assert reads.archive_count(True, opd, after=after) == sum(v[0] > after for v in mine)
            assert reads.archive_count(False, opd, after=after) == len({v[1:] for v in mine if v[0] > after} - earlier)
    world.store.engine.dispose()


def test_the_dashboard_keeps_archive_counts_and_adds_only_new_versions(tmp_path, monkeypatch):
    from tests.publish_world import PublishedWorld
    world = PublishedWorld(tmp_path)
    reads = DashboardReads(world.store)
    assert reads.archive_count(False, None) == world.reads.archive_count() == 9
    rid = world.ids[1]  # a new version of a datum already counted
    world.backend.set("DINKES", rid, "Nilai", "24")
    world.poll()
    world.backend.set("DINKES", rid, "Terverifikasi", "YA")
    world.poll()
    asked = []
    real = reads.queries.archive_count
    monkeypatch.setattr(reads.queries, "archive_count", lambda *a, **k: asked.append(k.get("after")) or real(*a, **k))
    assert (reads.archive_count(False, None), reads.archive_count(True, None)) == (9, 10)
    assert asked == [world.reads.archive_watermark() - 1, None]  # the kept count grew by the new versions alone
    world.store.engine.dispose()


def test_opd_page_names_the_operator_and_flags_a_missing_sk(scene):
    from service.config import Person
    w = scene.world
    sari = Person("sari@dinkes.go.id", "Sari Wulandari", "198805122011012004", "800/12/403.102/2025", "2025-01-06")
    opds = tuple(dataclasses.replace(o, petugas=(sari,), operators=(sari.email,)) if o.kode == "DINKES" else o
                 for o in w.config.opds)
    client = scene.client(at(4, 9), opds=opds)
    dinkes = client.get("/opd/DINKES").get_data(as_text=True)
    assert "Sari Wulandari" in dinkes and "SK 800/12/403.102/2025 tanggal 6 Januari 2025" in dinkes
    assert 'id="tanpa-sk"' not in dinkes
    dikpora = client.get("/opd/DIKPORA").get_data(as_text=True)
    assert 'id="tanpa-sk"' in dikpora and "SPM 3" in dikpora
    assert client.get("/api/opd/DIKPORA").get_json()["opd"]["tanpa_sk"] is True


def test_per_opd_reads_of_the_archive_are_kept_and_only_opds_that_archived_are_read_again(tmp_path):
    from tests.publish_world import PublishedWorld
    world = PublishedWorld(tmp_path)
    reads, asked = DashboardReads(world.store), []

    def compute(opds):
        asked.append(opds)
        return {o: [f"{o}@{len(asked)}"] for o in (opds or {"DINKES", "DIKPORA"})}

    first = reads.per_opd_of_archive("ditahan", compute, "aturan-1")
    assert reads.per_opd_of_archive("ditahan", compute, "aturan-1") == first and asked == [None]
    world.fill_and_verify("DIKPORA", "12")
    assert reads.per_opd_of_archive("ditahan", compute, "aturan-1") == {"DINKES": ["DINKES@1"], "DIKPORA": ["DIKPORA@2"]}
    assert asked[-1] == {"DIKPORA"}
    reads.per_opd_of_archive("ditahan", compute, "aturan-2")  # the rules changed: every OPD again
    assert asked[-1] is None
    world.store.engine.dispose()


def test_the_opds_archived_since_a_watermark_are_found_by_the_primary_key_not_a_scan_of_every_version(tmp_path):
    from sqlalchemy import event

    from tests.publish_world import PublishedWorld
    world = PublishedWorld(tmp_path)
    mark = world.reads.archive_watermark()
    world.fill_and_verify("DIKPORA", "12")
    plans: list[str] = []

    def explain(conn, cursor, statement, parameters, context, executemany):
        if "FROM archive" in statement and "archive.id >" in statement:
            plans.extend(str(r) for r in cursor.connection.execute("EXPLAIN QUERY PLAN " + statement, parameters))
    event.listen(world.store.engine, "before_cursor_execute", explain)
    assert world.reads.opds_archived_since(mark) == {"DIKPORA"} and world.reads.opds_archived_since(0) >= {"DIKPORA"}
    assert plans and all("PRIMARY KEY" in p for p in plans), plans  # DISTINCT made SQLite scan an index of them all
    world.store.engine.dispose()


def test_the_footer_says_what_the_dashboard_writes(client):
    """Public forms write tickets (DECISIONS.md #80): the footer no longer calls the dashboard read-only."""
    footer = client.get("/").get_data(as_text=True).split("<footer>", 1)[1].split("</footer>", 1)[0]
    assert "hanya-baca" not in footer
    assert "tidak mengubah spreadsheet maupun arsip data" in footer
    assert "laporan dan permintaan data dari masyarakat" in footer
