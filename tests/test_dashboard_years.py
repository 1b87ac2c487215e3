"""The dashboard at several workspace years (DECISIONS.md #142): the open year's pages read the open
year only, a closed year's pages read that year, and what the dashboard keeps between cycles stays
equal to what a fresh read says, through cycles, rollover and restore. On SQLite, PostgreSQL and MariaDB."""
from __future__ import annotations

import dataclasses
import json

import pytest

from service.cli.rollover import rollover
from service.web.app import create_app
from tests.test_rollover import STEPS, TOML, archived_year, service_of


@pytest.fixture
def two_years(db_world, tmp_path):
    """DINKES's 2025 walked to 10 Diarsip and closed by rollover; 2026's draft polled and one row ticked."""
    w = db_world
    w.config.path.write_text(TOML, encoding="utf-8")
    w.old_ids = archived_year(w, tmp_path)
    rollover(service_of(w), 2026)
    w.config = dataclasses.replace(w.config, year=2026)
    w.poll()
    w.new_ids = w.backend.ids("DINKES")
    w.backend.set("DINKES", w.new_ids[0], "Dicek Bersama", "YA")
    w.poll()
    return w


def client_of(w):
    return create_app(w.config, w.store, clock=lambda: w.now).test_client()


def test_the_opd_page_reads_the_state_changes_of_its_own_year_only(two_years):
    w = two_years
    closed_year = w.reads.state_changes(limit=5000, opd="DINKES", year=2025)
    open_year = w.reads.state_changes(limit=5000, opd="DINKES", year=2026)
    assert closed_year and {e["row_id"] for e in closed_year} >= set(w.old_ids)
    assert {e["row_id"] for e in open_year} == set(w.new_ids)  # none of 2025's
    assert [e["id"] for e in open_year] == sorted((e["id"] for e in open_year), reverse=True)  # newest first
    every = {e["id"] for e in w.reads.state_changes(limit=5000, opd="DINKES")}
    assert every == {e["id"] for e in closed_year} | {e["id"] for e in open_year}


def test_a_closed_years_opd_page_shows_its_rows_state_changes(two_years):
    w = two_years
    client = client_of(w)
    closed = {r["id"]: r for r in client.get("/api/opd/DINKES?tahun=2025").get_json()["baris"]}
    assert set(w.old_ids) <= set(closed)
    for rid in w.old_ids:  # each archived row's way to 10 Diarsip, newest first
        assert closed[rid]["riwayat"][0]["ke"] == "10", closed[rid]["riwayat"]
        assert closed[rid]["riwayat"][-1]["dari"] is None
    html = client.get("/opd/DINKES?tahun=2025").get_data(as_text=True)
    assert "10 Diarsip" in html
    opened = {r["id"]: r for r in client.get("/api/opd/DINKES").get_json()["baris"]}
    assert set(opened) == set(w.new_ids)
    assert opened[w.new_ids[0]]["riwayat"][0]["dari"] == "1"  # its tick of 2026
    of_2026 = {e["id"] for e in w.reads.state_changes(limit=5000, opd="DINKES", year=2026)}
    assert {e["id"] for r in opened.values() for e in r["riwayat"]} == of_2026


def test_the_annual_review_reads_its_own_years_events_and_archive_and_says_the_same(two_years, monkeypatch):
    from service.archive.queries import Queries
    from service.publish.review import annual_review

    w = two_years
    of_2025 = {e["id"] for e in w.reads.state_changes(limit=5000, opd="DINKES", year=2025)}
    of_2026 = {e["id"] for e in w.reads.state_changes(limit=5000, opd="DINKES", year=2026)}
    reviews = {year: annual_review(w.config, w.store, w.now, year) for year in (2025, 2026)}
    dinkes = {y: next(o for o in r["opd"] if o["kode"] == "DINKES") for y, r in reviews.items()}
    assert dinkes[2025]["diverifikasi"] == 3 and dinkes[2025]["item_dipublikasikan"] == 2
    assert dinkes[2026]["diverifikasi"] == 0 and dinkes[2026]["item_dipublikasikan"] == 0

    read: list[dict] = []
    real_changes, real_events, real_rows = Queries.state_changes, Queries.events, Queries.archive_rows

    def changes(self, *a, **k):
        read.extend(found := real_changes(self, *a, **k))
        return found

    def events(self, *a, **k):
        read.extend(found := real_events(self, *a, **k))
        return found

    archive_read: list[dict] = []

    def archive_rows(self, *a, **k):
        for r in real_rows(self, *a, **k):
            archive_read.append(r)
            yield r
    monkeypatch.setattr(Queries, "state_changes", changes)
    monkeypatch.setattr(Queries, "events", events)
    monkeypatch.setattr(Queries, "archive_rows", archive_rows)
    assert annual_review(w.config, w.store, w.now, 2026) == reviews[2026]
    assert {e["id"] for e in read} <= of_2026 and not archive_read  # nothing of 2025
    read.clear()
    assert annual_review(w.config, w.store, w.now, 2025) == reviews[2025]
    assert {e["id"] for e in read} <= of_2025 and not archive_read


def test_withheld_totals_read_only_the_opds_that_hold_an_item_summing_its_kecamatan(two_years, monkeypatch, tmp_path):
    from rules.rulefile import load_rules
    from service.archive.queries import Queries
    from service.publish.withheld import withheld_in_archive

    w = two_years
    read: list[str | None] = []
    real = Queries.archive_rows

    def archive_rows(self, all_versions=False, opd=None):
        read.append(opd)
        return real(self, all_versions, opd)
    monkeypatch.setattr(Queries, "archive_rows", archive_rows)
    # DINKES archived Tuberkulosis and Dokter: no rule sums their kecamatan, so nothing can be withheld
    assert withheld_in_archive(w.config, w.store, w.wilayah, opds={"DINKES", "DIKPORA"}, rules=load_rules()) == []
    assert read == []
    folder = tmp_path / "aturan"
    folder.mkdir()
    (folder / "jumlah.yaml").write_text("item:\n  - nama: TB\n    kode_data: K-001\n    jumlah_kecamatan: true\n",
                                        encoding="utf-8")
    assert withheld_in_archive(w.config, w.store, w.wilayah, opds={"DINKES", "DIKPORA"},
                               rules=load_rules(folder)) == []  # a total without parts is not withheld
    assert read == ["DINKES"]  # K-001's OPD is read, DIKPORA (nothing archived) is not
    from rules.rulefile import RuleSet
    items_read: list[str] = []
    real_items = Queries.archived_items
    monkeypatch.setattr(Queries, "archived_items", lambda self, opd: (items_read.append(opd), real_items(self, opd))[1])
    assert withheld_in_archive(w.config, w.store, w.wilayah, opds={"DINKES", "DIKPORA"}, rules=RuleSet()) == []
    assert withheld_in_archive(w.config, w.store, w.wilayah, rules=RuleSet()) == []
    assert items_read == [] and read == ["DINKES"]  # no rule sums a kecamatan: nothing of the archive is read


def _write_config(w) -> None:
    """The world's configuration as a satudata.toml, for the dashboard to open."""
    toml = TOML + f'\n[archive]\nurl = "{w.config.archive_url}"\n' + "".join(
        f'\n[[opd]]\nkode = "{o.kode}"\nnama = "{o.nama}"\n' for o in w.config.opds)
    w.config.path.write_text(toml, encoding="utf-8")


def test_the_ringkasan_keeps_each_tabs_counts_equal_to_a_fresh_count_through_cycles_and_rollover(db_world, tmp_path,
                                                                                                  monkeypatch):
    from service.archive.queries import Queries

    w = db_world
    _write_config(w)
    counted: list[list[str]] = []
    real = Queries.progress_counts

    def progress_counts(self, opd=None, kodes=None):
        counted.append(sorted(kodes or [opd]))
        return real(self, opd, kodes)
    monkeypatch.setattr(Queries, "progress_counts", progress_counts)
    client = client_of(w)

    def shown() -> dict:
        return {o["kode"]: {s: n for s, n in o["jumlah_per_kode"].items() if n}
                for o in client.get("/api/ringkasan").get_json()["opd"]}

    def truth() -> dict:
        fresh = real(Queries(w.store.engine), kodes=[o.kode for o in w.config.opds])
        return {k: {s: v["baris"] for s, v in by_state.items()} for k, by_state in fresh.items() if by_state}

    assert shown() == truth() == {}
    old_ids = archived_year(w, tmp_path)
    assert shown() == truth() and shown()["DINKES"] == {"10": 3, "1": 1}
    w.backend.set("DINKES", w.backend.ids("DINKES")[3], "Dicek Bersama", "YA")
    w.poll()  # a cycle that changes DINKES only
    counted.clear()
    assert shown() == truth() and shown()["DINKES"] == {"10": 3, "3": 1}
    assert counted == [["DINKES"]]  # DIKPORA (its tab not applied) was not counted again
    w.backend.add_row("DIKPORA", Uraian_Data="Jumlah Sekolah", Satuan="Unit", Tahun=2025)
    w.poll()
    counted.clear()
    assert shown() == truth() and shown()["DIKPORA"] == {"1": 1}
    assert counted == [["DIKPORA"]]
    rollover(service_of(w), 2026)  # the workspace file changes: the dashboard reads it again
    w.config = dataclasses.replace(w.config, year=2026)
    w.poll()
    after = shown()
    assert after == truth() and not set(old_ids) & {r["id"] for r in client.get("/api/opd/DINKES").get_json()["baris"]}
    assert after == {"DINKES": {"1": 3}}  # DIKPORA's unarchived row stays in its 2025 record


def test_the_supervisors_review_keeps_each_tabs_part_equal_to_a_fresh_review_through_cycles_and_rollover(
        db_world, tmp_path, monkeypatch):
    from service.publish import review
    from service.web.views import jsonable

    w = db_world
    _write_config(w)
    computed: list[list[str]] = []
    real = review.opd_parts

    def opd_parts(reads, record, year, tab_reads=None):
        computed.append(sorted(record))
        return real(reads, record, year, tab_reads)
    monkeypatch.setattr(review, "opd_parts", opd_parts)
    from service.archive import queries
    decoded: list[str] = []
    real_row = queries.opd_row
    monkeypatch.setattr(queries, "opd_row", lambda tab, record: (decoded.append(record[0]), real_row(tab, record))[1])
    after: list[int | None] = []
    real_changes = queries.Queries.state_changes

    def state_changes(self, *a, **k):
        after.append(k.get("after_seq"))
        return real_changes(self, *a, **k)
    client = client_of(w)

    def shown_is_fresh() -> dict:
        shown = client.get("/api/pengawasan").get_json()
        computed.clear()
        fresh = review.annual_review(w.config, w.store, w.now)
        assert shown == json.loads(json.dumps(jsonable(fresh))), "the kept review differs from a fresh one"
        computed.clear()
        return {o["kode"]: o for o in shown["opd"]}

    assert shown_is_fresh()["DINKES"]["baris"] == 0
    archived_year(w, tmp_path)
    assert shown_is_fresh()["DINKES"]["item_dipublikasikan"] == 2
    rid = w.backend.ids("DINKES")[3]  # K-003, left at 1 Draf: agreed, then filled with a value that is no number
    for step in STEPS[:3]:
        for box in step:
            w.backend.set("DINKES", rid, box, "YA")
        w.poll()
    w.backend.set("DINKES", rid, "Nilai", "banyak")
    w.backend.set("DINKES", rid, "Selesai Diisi", "YA")
    w.poll()  # a cycle that changes DINKES only: sent back by the checks
    decoded.clear()
    monkeypatch.setattr(queries.Queries, "state_changes", state_changes)
    client.get("/api/pengawasan")
    monkeypatch.setattr(queries.Queries, "state_changes", real_changes)
    assert computed == [["DINKES"]]  # DIKPORA's part (its tab not applied) was kept
    assert decoded == [rid]  # of DINKES's rows, only the changed one is decoded again
    assert after and all(a is not None for a in after)  # its rounds: only what its chain appended
    assert shown_is_fresh()["DINKES"]["putaran_revisi"] >= 1
    w.backend.add_row("DIKPORA", Uraian_Data="Jumlah Sekolah", Satuan="Unit", Tahun=2025)
    w.poll()
    client.get("/pengawasan")
    assert computed == [["DIKPORA"]]
    assert shown_is_fresh()["DIKPORA"]["baris"] == 1
    rollover(service_of(w), 2026)  # the workspace file changes: the dashboard reads it again
    w.config = dataclasses.replace(w.config, year=2026)
    w.poll()
    after = shown_is_fresh()
    assert after["DINKES"]["baris"] == 3 and after["DINKES"]["putaran_revisi"] == 0


def test_the_opd_pages_archived_data_reads_only_the_items_a_cycle_archived_and_equals_a_fresh_read(
        db_world, tmp_path, monkeypatch):
    from service.archive.queries import Queries
    from service.publish.items import build_items
    from service.publish.source import latest_data
    from service.web.reads import DashboardReads

    w = db_world
    w.config.path.write_text(TOML, encoding="utf-8")
    reads = DashboardReads(w.store)

    names = {o.kode: o.nama for o in w.config.opds}

    def kept_is_fresh() -> list:
        kept = reads.archived_data("DINKES", w.wilayah)
        assert kept == latest_data(Queries(w.store.engine), w.wilayah, "DINKES")
        assert reads.archived_items("DINKES", w.wilayah, names) == build_items(kept, names)
        return kept

    assert kept_is_fresh() == []
    archived_year(w, tmp_path)
    assert {d.kode_data for d in kept_is_fresh()} == {"K-001", "K-002"}
    read_every: list[str | None] = []
    read_items: list[set[str]] = []
    real_rows, real_items = Queries.archive_rows, Queries.archive_rows_of_items
    monkeypatch.setattr(Queries, "archive_rows", lambda self, all_versions=False, opd=None: (
        read_every.append(opd), real_rows(self, all_versions, opd))[1])
    monkeypatch.setattr(Queries, "archive_rows_of_items", lambda self, opd, keys: (
        read_items.append(set(keys)), real_items(self, opd, keys))[1])
    w.backend.set("DINKES", w.backend.ids("DINKES")[3], "Dicek Bersama", "YA")
    w.poll()  # DINKES's tab changed, nothing archived
    kept = reads.archived_data("DINKES", w.wilayah)
    assert read_every == [] and read_items == []
    rid = w.fill_and_verify("DINKES", "41")  # K-001 archived again
    monkeypatch.setattr(Queries, "archive_rows", real_rows)
    fresh = kept_is_fresh()
    assert read_items == [{next(d.item for d in kept if d.row_id == rid)}]  # K-001 alone, not K-002
    assert fresh != kept and next(d.nilai for d in fresh if d.row_id == rid) == 41
    rollover(service_of(w), 2026)
    w.config = dataclasses.replace(w.config, year=2026)
    w.poll()
    assert kept_is_fresh() == fresh


def test_the_opd_pages_rows_and_history_equal_a_fresh_read_reading_only_the_events_and_rows_a_cycle_changed(
        db_world, tmp_path, monkeypatch):
    from service.archive.progress import calendar_for
    from service.archive.queries import Queries
    from service.web import views
    from service.web.reads import DashboardReads

    w = db_world
    _write_config(w)
    client = client_of(w)
    after: list[int | None] = []
    real = Queries.state_changes

    def state_changes(self, *a, **k):
        after.append(k.get("after_seq"))
        return real(self, *a, **k)

    def shown_is_fresh(path: str = "/api/opd/DINKES?halaman=semua", year: int | None = None) -> dict:
        shown = client.get(path).get_json()
        fresh = views.opd_detail(w.config, DashboardReads(w.store), "DINKES", w.now, calendar_for(w.config), year)
        assert shown == json.loads(json.dumps(views.jsonable(views.opd_page(fresh, 1, len(fresh["baris"]) or 1))))
        return {r["id"]: r for r in shown["baris"]}

    archived_year(w, tmp_path)
    assert shown_is_fresh()[w.backend.ids("DINKES")[0]]["riwayat"][0]["ke"] == "10"
    monkeypatch.setattr(Queries, "state_changes", state_changes)
    decoded: list[str] = []
    real_row = views.opd_row
    monkeypatch.setattr(views, "opd_row", lambda tab, record: (decoded.append(record[0]), real_row(tab, record))[1])
    w.backend.set("DINKES", w.backend.ids("DINKES")[3], "Dicek Bersama", "YA")
    w.poll()
    client.get("/api/opd/DINKES")
    assert len(after) == 1 and after[0] is not None  # only the events after the last one read
    assert decoded == [w.backend.ids("DINKES")[3]]  # only the row the cycle changed is shown again
    monkeypatch.setattr(Queries, "state_changes", real)
    assert shown_is_fresh()[w.backend.ids("DINKES")[3]]["riwayat"][0]["ke"] == "3"
    rollover(service_of(w), 2026)
    w.config = dataclasses.replace(w.config, year=2026)
    w.poll()
    shown_is_fresh()
    old = shown_is_fresh("/api/opd/DINKES?tahun=2025&halaman=semua", 2025)
    w.poll()
    assert shown_is_fresh("/api/opd/DINKES?tahun=2025&halaman=semua", 2025) == old


def _archived_dinkes(w, tmp_path):
    """DINKES's year archived, and a client whose dashboard keeps its reads from now on."""
    _write_config(w)
    archived_year(w, tmp_path)
    return client_of(w)


def _dinkes_page_is_fresh(client, w) -> str:
    """The kept /opd/DINKES, asserted equal to a new dashboard's."""
    page = client.get("/opd/DINKES").get_data(as_text=True)
    assert page == client_of(w).get("/opd/DINKES").get_data(as_text=True)
    return page


def test_the_opd_pages_release_list_is_rendered_once_per_change_of_its_tab_and_equals_a_fresh_page(
        db_world, tmp_path, monkeypatch):
    from service.web import public

    w = db_world
    client = _archived_dinkes(w, tmp_path)
    rendered: list[str] = []
    real = public.render_template
    monkeypatch.setattr(public, "render_template", lambda name, **k: (rendered.append(name), real(name, **k))[1])

    def shown_is_fresh() -> str:
        return _dinkes_page_is_fresh(client, w)

    first = shown_is_fresh()
    assert 'id="tabel-rilis"' in first and rendered.count("_rilis_opd.html") == 2  # the kept one and the fresh one
    rendered.clear()
    assert client.get("/opd/DINKES").get_data(as_text=True) == first and rendered == []  # kept
    w.fill_and_verify("DINKES", "41")  # DINKES archives K-001 again: its list is rendered again
    assert shown_is_fresh() != first and rendered.count("_rilis_opd.html") == 2


def test_the_opd_pages_rows_markup_is_rendered_again_only_for_the_row_a_cycle_changed_and_equals_a_fresh_page(
        db_world, tmp_path, monkeypatch):
    import flask

    from service.web import pages

    w = db_world
    client = _archived_dinkes(w, tmp_path)
    drawn: list[str] = []
    real = pages.get_template_attribute

    def row_macro(template, name):
        macro = real(template, name)
        return lambda r, url: (drawn.append(r["id"]), macro(r, url))[1]
    monkeypatch.setattr(pages, "get_template_attribute", row_macro)

    ids = w.backend.ids("DINKES")
    first = _dinkes_page_is_fresh(client, w)
    assert f'id="baris-{ids[0]}"' in first
    drawn.clear()
    assert client.get("/opd/DINKES").get_data(as_text=True) == first and drawn == []  # every row kept
    w.backend.set("DINKES", ids[2], "Catatan Walidata", "periksa lagi sumbernya")
    w.poll()
    drawn.clear()
    page = client.get("/opd/DINKES").get_data(as_text=True)
    assert drawn == [ids[2]] and "periksa lagi sumbernya" in page  # the changed row alone is drawn again
    assert page == client_of(w).get("/opd/DINKES").get_data(as_text=True)
    with client_of(w).application.test_request_context("/", base_url="http://x/sub"):
        flask.request.environ["SCRIPT_NAME"] = "/sub"
        assert 'href="/sub/opd/DINKES/baris/' in str(pages.opd_rows_html([shown_row(w, ids[0])], "DINKES"))


def shown_row(w, row_id):
    from service.archive.progress import calendar_for
    from service.web import views
    from service.web.reads import DashboardReads

    fresh = views.opd_detail(w.config, DashboardReads(w.store), "DINKES", w.now, calendar_for(w.config))
    return next(r for r in fresh["baris"] if r["id"] == row_id)


def test_a_rows_page_reads_that_row_alone_not_its_whole_tab(db_world, tmp_path, monkeypatch):
    from service.archive.queries import Queries

    w = db_world
    _write_config(w)
    archived_year(w, tmp_path)
    rid = w.backend.ids("DINKES")[1]
    whole = client_of(w).get(f"/api/opd/DINKES/baris/{rid}").get_json()
    monkeypatch.setattr(Queries, "tab_rows", lambda *a, **k: pytest.fail("the whole tab was read for one row"))
    assert client_of(w).get(f"/api/opd/DINKES/baris/{rid}").get_json() == whole
    assert whole["id"] == rid and whole["status"] == "10" and whole["peristiwa"]
    assert client_of(w).get("/api/opd/DINKES/baris/TIDAK-ADA").status_code == 404


def test_a_closed_years_row_page_names_its_value_state_and_archived_version_as_before_rollover(db_world, tmp_path):
    """After rollover a row of the closed year is shown as its year's OPD page shows it: its own
    value text (not the archive's float, 1702.0), its state and its archived version (not 0)."""
    w = db_world
    w.config.path.write_text(TOML, encoding="utf-8")
    old_ids = archived_year(w, tmp_path)
    before = {rid: client_of(w).get(f"/api/opd/DINKES/baris/{rid}").get_json() for rid in old_ids}
    rollover(service_of(w), 2026)
    w.config = dataclasses.replace(w.config, year=2026)
    w.poll()
    for rid in old_ids:
        after = client_of(w).get(f"/api/opd/DINKES/baris/{rid}").get_json()
        assert before[rid]["versi_arsip"] >= 1
        for key in ("uraian_data", "rincian", "tahun", "nilai", "status", "versi_arsip", "dihapus"):
            assert after[key] == before[rid][key], (rid, key)
        assert after["peristiwa"] == before[rid]["peristiwa"]


def test_the_opd_page_lists_its_first_releases_and_links_to_the_opds_whole_calendar(db_world, tmp_path, monkeypatch):
    from service.web import public

    w = db_world
    _write_config(w)
    archived_year(w, tmp_path)
    w.backend.add_row("DIKPORA", Kode_Data="S-1", Uraian_Data="Jumlah Sekolah", Satuan="Unit", Tahun=2025)
    w.poll()
    def releases(page: str) -> int:
        rilis = page[page.index('id="tabel-rilis"'):]
        return rilis[:rilis.index("</table>")].count("<tr><td>")

    page = client_of(w).get("/opd/DINKES").get_data(as_text=True)
    shown = releases(page)
    assert shown >= 2 and "Tampil" not in page and 'href="/data/jadwal?opd=DINKES"' in page
    monkeypatch.setattr(public, "RILIS_DI_HALAMAN_OPD", 1)
    page = client_of(w).get("/opd/DINKES").get_data(as_text=True)
    assert releases(page) == 1 and f"{shown} item diterbitkan" in page and "Tampil 1 item pertama" in page
    whole = client_of(w).get("/data/jadwal?opd=DINKES").get_data(as_text=True)
    assert whole.count('<tr data-item=') == shown and "Jadwal rilis data DINKES" in whole
    everyone = client_of(w).get("/data/jadwal").get_data(as_text=True)
    assert everyone.count('<tr data-item=') >= shown
    assert client_of(w).get("/data/jadwal?opd=dinkes").get_data(as_text=True).count('<tr data-item=') == shown
    unknown = client_of(w).get("/data/jadwal?opd=TIDAKADA")
    assert unknown.status_code == 404 and "TIDAKADA&#39; tidak ada dalam konfigurasi" in unknown.get_data(as_text=True)
    none = client_of(w).get("/data/jadwal?opd=DIKPORA&prioritas=1").get_data(as_text=True)
    assert "Belum ada data prioritas DIKPORA yang diterbitkan" in none and "<tr data-item=" not in none


def test_what_one_request_reads_once_is_kept_for_its_own_thread_only(db_world):
    import threading

    from service.web.reads import DashboardReads

    reads, calls = DashboardReads(db_world.store), []
    reads.queries.tabs = lambda: (calls.append(threading.current_thread().name), [])[1]
    both_inside, b_done = threading.Barrier(2, timeout=30), threading.Event()

    def a() -> None:
        reads.begin_request()
        reads.tabs()
        both_inside.wait()
        assert b_done.wait(30)  # b began after a, read and ended its own request meanwhile
        reads.tabs()
        reads.end_request()

    def b() -> None:
        both_inside.wait()
        reads.begin_request()
        reads.tabs()
        reads.tabs()
        reads.end_request()
        b_done.set()

    threads = [threading.Thread(target=a, name="a"), threading.Thread(target=b, name="b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(calls) == ["a", "b"]  # once per request, each kept in its own thread
    reads.tabs()
    reads.tabs()
    assert len(calls) == 4  # outside a request nothing is kept
