"""`satudata rollover YEAR`: the closed year's tab is kept as its record, next year's draft starts fresh."""
from __future__ import annotations

import copy
import dataclasses

import pytest
from python_calamine import CalamineWorkbook

from service.cli import rollover as rolling
from service.cli.distribute import distribute
from service.cli.rollover import RolloverRefused, rollover
from service.cli.rollover_marker import interrupted
from service.poller.service import Service
from sheets.tables import edit_tab
from tests.conftest import WILAYAH, World
from tests.google_world import SPREADSHEET, GoogleWorld
from tests.test_distribute import HEADER, cli, excel_workspace, write_csv

TOML = ('[workspace]\nname = "Uji"\nyear = 2025   # tahun data yang dikumpulkan\n\n'
        '[sheets]\nbackend = "xlsx"\n')
DAFTAR = [
    ["DINKES", "K-001", "Jumlah Kasus Tuberkulosis", "", "Kasus", "2025", "Kasus TB", "Tahunan"],
    ["DINKES", "K-002", "Jumlah Dokter", "Laki-laki;Perempuan", "Orang", "2025", "", "Tahunan"],
    ["DINKES", "K-003", "Jumlah Puskesmas", "", "Unit", "2025", "", "Tahunan"],  # left at 1 Draf
]
STEPS = (("Dicek Bersama",), ("Disepakati OPD", "Disepakati Walidata"), ("Disetujui Ka. OPD",),
         ("Selesai Diisi",), ("Terverifikasi",))


@pytest.fixture(params=["fake", "google"])
def any_world(request, tmp_path):
    w = World(tmp_path) if request.param == "fake" else GoogleWorld(tmp_path)
    w.config.path.write_text(TOML, encoding="utf-8")
    yield w
    w.store.engine.dispose()


def service_of(w) -> Service:
    return Service(w.config, w.backend, w.store, w.rules, w.wilayah, clock=lambda: w.now)


def archived_year(w, tmp_path) -> list[str]:
    """Distribute, poll, and walk the K-001 and K-002 rows to 10 Diarsip; returns their IDs."""
    distribute(write_csv(tmp_path / "daftar.csv", DAFTAR), w.config, w.backend, WILAYAH)
    w.poll()
    ids = w.backend.ids("DINKES")[:3]
    for step in STEPS:
        for rid in ids:
            if step == ("Selesai Diisi",):
                w.backend.set("DINKES", rid, "Nilai", 40)
            for box in step:
                w.backend.set("DINKES", rid, box, True if isinstance(w, GoogleWorld) else "YA")
        w.poll()
    assert [w.backend.get("DINKES", rid, "Status") for rid in ids] == ["10 Diarsip"] * 3
    return ids


def tab_content(w, title: str):
    if isinstance(w, GoogleWorld):
        return {k: (c.value, c.note) for k, c in w.api.sheet(SPREADSHEET, title).cells.items()}
    tab = w.backend.tabs[title]
    return copy.deepcopy((tab.rows, tab.notes))


def test_rollover_keeps_the_year_as_a_record_and_starts_next_years_draft(any_world, tmp_path):
    w = any_world
    old_ids = archived_year(w, tmp_path)
    before = tab_content(w, "DINKES")
    report = rollover(service_of(w), 2026)
    assert [(r.opd, r.record, r.carried, r.left, r.error) for r in report.opds] == [
        ("DINKES", "DINKES 2025", 3, 1, ""), ("DIKPORA", "", 0, 0, "")]
    assert tab_content(w, "DINKES 2025") == before
    text = w.config.path.read_text(encoding="utf-8")
    assert "year = 2026   # tahun data yang dikumpulkan" in text
    w.config = dataclasses.replace(w.config, year=2026)
    w.poll()
    ids = w.backend.ids("DINKES")
    assert len(ids) == 3 and all(ids) and not set(ids) & set(old_ids)
    rows = [[w.backend.get("DINKES", rid, h) for h in ("Kode Data", "Rincian", "Tahun", "Nilai", "Konsep", "Status")]
            for rid in ids]
    assert rows == [["K-001", None, 2026, None, "Kasus TB", "1 Draf"],
                    ["K-002", "Laki-laki", 2026, None, None, "1 Draf"],
                    ["K-002", "Perempuan", 2026, None, None, "1 Draf"]]
    assert tab_content(w, "DINKES 2025") == before  # no longer polled: nothing written to it
    tab = {t["opd"]: t for t in w.reads.tabs()}["DINKES"]
    assert tab["status"] == "ok" and not tab["message"]
    assert not [e for e in w.reads.events(opd="DINKES") if e["to_state"] == "dihapus"]
    archive = list(w.reads.archive_rows(all_versions=True))
    assert [(r["id"], r["tahun"], r["versi"]) for r in archive] == [(rid, 2025, 1) for rid in sorted(old_ids)]
    record = w.store.load_tab("DINKES 2025").rows
    assert set(old_ids) <= set(record) and all(record[rid].state == "10" for rid in old_ids)


def test_rollover_to_a_year_not_after_the_workspace_year_is_refused(world):
    world.config.path.write_text(TOML, encoding="utf-8")
    with pytest.raises(RolloverRefused, match="Tahun 2025 tidak sesudah tahun ruang kerja"):
        rollover(service_of(world), 2025)


def test_rollover_is_refused_while_a_tab_is_held_or_open(world, tmp_path):
    world.config.path.write_text(TOML, encoding="utf-8")
    archived_year(world, tmp_path)
    world.backend.locked.add("DINKES")
    with pytest.raises(RolloverRefused, match="DINKES: Berkas sedang dibuka"):
        rollover(service_of(world), 2026)
    world.backend.locked.clear()
    world.backend.delete_row("DINKES", 2)
    world.backend.delete_row("DINKES", 2)
    world.poll()
    with pytest.raises(RolloverRefused, match="satudata confirm DINKES"):
        rollover(service_of(world), 2026)
    assert "DINKES 2025" not in world.backend.tabs and "year = 2025" in world.config.path.read_text(encoding="utf-8")


def test_an_interrupted_rollover_is_finished_by_running_it_again(world, tmp_path, monkeypatch):
    world.config.path.write_text(TOML, encoding="utf-8")
    archived_year(world, tmp_path)
    real = rolling.retire_rows

    def crash(*args):
        raise RuntimeError("listrik padam")
    monkeypatch.setattr(rolling, "retire_rows", crash)
    with pytest.raises(RuntimeError):
        rollover(service_of(world), 2026)
    assert "satudata rollover 2026" in interrupted(world.config)
    monkeypatch.setattr(rolling, "retire_rows", real)
    report = rollover(service_of(world), 2026)
    assert [(r.opd, r.carried, r.error) for r in report.opds][0] == ("DINKES", 3, "")
    assert interrupted(world.config) is None
    world.config = dataclasses.replace(world.config, year=2026)
    world.poll()
    assert [world.backend.get("DINKES", rid, "Status") for rid in world.backend.ids("DINKES")] == ["1 Draf"] * 3


# --- on Excel workbooks, through the command line ----------------------------------------------

def _tick(*headers: str, nilai: object = None):
    def change(sheet, columns):
        for row in range(2, 5):
            if nilai is not None:
                sheet.cell(row, columns["nilai"] + 1, nilai)
            for header in headers:
                key = {"Dicek Bersama": "dicek_bersama", "Disepakati OPD": "disepakati_opd",
                       "Disepakati Walidata": "disepakati_walidata", "Disetujui Ka. OPD": "disetujui_ka_opd",
                       "Selesai Diisi": "selesai_diisi", "Terverifikasi": "terverifikasi"}[header]
                sheet.cell(row, columns[key] + 1, "YA")
    return change


def grid(path, title):
    with CalamineWorkbook.from_path(str(path)) as book:
        return book.sheet_names, book.get_sheet_by_name(title).to_python()


def excel_year(tmp_path):
    """An Excel workspace whose DINKES list was distributed and three rows walked to 10 Diarsip:
    (satudata.toml, DINKES.xlsx)."""
    cfg = excel_workspace(tmp_path)
    book = cfg.parent / "sheets" / "DINKES.xlsx"
    assert cli("-c", str(cfg), "distribute", str(write_csv(tmp_path / "d.csv", DAFTAR, HEADER))).exit_code == 0
    cli("-c", str(cfg), "poll", "--once")
    for step in STEPS:
        edit_tab(book, _tick(*step, nilai=40 if step == ("Selesai Diisi",) else None))
        cli("-c", str(cfg), "poll", "--once")
    return cfg, book


def test_excel_rollover_then_poll_shows_the_new_draft_and_the_record_unchanged(tmp_path):
    cfg, book = excel_year(tmp_path)
    _, before = grid(book, "DINKES")
    assert [r[-3] for r in before[1:]] == ["10 Diarsip"] * 3 + ["1 Draf"]
    (cfg.parent / "sheets" / "~$DINKES.xlsx").write_text("x", encoding="utf-8")
    refused = cli("-c", str(cfg), "rollover", "2026")
    assert refused.exit_code != 0 and "DINKES: Berkas DINKES.xlsx sedang dibuka" in refused.output
    (cfg.parent / "sheets" / "~$DINKES.xlsx").unlink()
    result = cli("-c", str(cfg), "rollover", "2026")
    assert result.exit_code == 0, result.output
    assert "DINKES             tab DINKES 2025 disimpan; 3 baris draf 2026 di tab DINKES" in result.output
    poll = cli("-c", str(cfg), "poll", "--once")
    assert "DINKES             diproses       1 Draf: 3" in poll.output, poll.output
    names, fresh = grid(book, "DINKES")
    assert names == ["DINKES", "DINKES 2025"]
    assert [(r[0].startswith("DINKES-"), r[1], r[5], r[6], r[-3]) for r in fresh[1:]] == [
        (True, "K-001", 2026.0, "", "1 Draf"), (True, "K-002", 2026.0, "", "1 Draf"),
        (True, "K-002", 2026.0, "", "1 Draf")]
    assert grid(book, "DINKES 2025")[1] == before
    assert "year = 2026   # tahun data yang dikumpulkan" in cfg.read_text(encoding="utf-8")


def test_after_rollover_and_a_fresh_distribute_the_clock_restarts_and_last_year_stays_readable(tmp_path):
    from datetime import datetime

    from sqlalchemy import create_engine, update

    from service.archive import schema
    from service.config import load_config
    from service.web.app import create_app

    cfg, book = excel_year(tmp_path)
    handed = datetime(2025, 11, 10, 2, 0)  # 09.00 WIB: the 2025 list went out long ago
    engine = create_engine(f"sqlite:///{cfg.parent / 'arsip.sqlite'}")
    with engine.begin() as conn:
        conn.execute(update(schema.tabs).values(handed_out_at=handed))
        conn.execute(update(schema.phases).values(at=handed))
    engine.dispose()
    assert "sejak 10 November 2025" in cli("-c", str(cfg), "status").output
    dashboard = create_app(load_config(cfg)).test_client()  # already running when the year rolls over
    assert dashboard.get("/api/ringkasan").get_json()["tahun"] == 2025

    assert cli("-c", str(cfg), "rollover", "2026").exit_code == 0
    cli("-c", str(cfg), "poll", "--once")
    fresh = [["DINKES", "K-004", "Jumlah Bidan", "", "Orang", "2026", "", "Tahunan"]]
    assert cli("-c", str(cfg), "distribute", str(write_csv(tmp_path / "d26.csv", fresh, HEADER))).exit_code == 0
    cli("-c", str(cfg), "poll", "--once")

    now = cli("-c", str(cfg), "status").output
    assert "tahun 2026" in now and "standar pelayanan 0 dari 25 hari kerja sejak" in now, now
    assert "10 November 2025" not in now and "TERLAMBAT" not in now
    last = cli("-c", str(cfg), "status", "--tahun", "2025").output
    assert "tahun 2025 (sudah ditutup)" in last and "sejak 10 November 2025" in last, last
    assert "10 Diarsip: 3" in last
    unknown = cli("-c", str(cfg), "status", "--tahun", "2019")
    assert unknown.exit_code != 0 and "Tahun 2019 tidak dikenal" in unknown.output

    api = dashboard.get("/api/ringkasan").get_json()
    dinkes = next(o for o in api["opd"] if o["kode"] == "DINKES")
    assert api["tahun"] == 2026 and api["tahun_tersedia"] == [2026, 2025]
    assert dinkes["standar_pelayanan"]["hari_kerja_berjalan"] == 0
    page = dashboard.get("/").get_data(as_text=True)
    assert 'id="pilih-tahun"' in page and 'href="/?tahun=2025"' in page
    old = dashboard.get("/api/ringkasan?tahun=2025").get_json()
    spm = next(o for o in old["opd"] if o["kode"] == "DINKES")["standar_pelayanan"]
    assert old["tahun"] == 2025 and spm["dibagikan"].startswith("2025-11-10")
    detail = dashboard.get("/api/opd/DINKES?tahun=2025").get_json()
    assert detail["opd"]["tahun"] == 2025 and len(detail["baris"]) == 4
    assert dashboard.get("/api/ringkasan?tahun=2019").status_code == 404


def test_a_closed_years_rows_stay_out_of_the_open_years_findings_and_counts(world, tmp_path):
    from service.web.app import create_app

    w = world
    w.config.path.write_text(TOML, encoding="utf-8")
    old_ids = archived_year(w, tmp_path)
    left = w.backend.ids("DINKES")[3]  # still at 1 Draf: a finding on it stays in the record
    w.backend.set("DINKES", left, "Nilai", "banyak")
    w.poll()
    before = w.reads.finding_counts()
    assert before["galat"] >= 1
    rollover(service_of(w), 2026)
    w.config = dataclasses.replace(w.config, year=2026)
    w.poll()
    kodes = [o.kode for o in w.config.opds]
    assert set(w.reads.progress_counts()) >= {"DINKES", "DINKES 2025"}  # the record is still remembered
    assert set(w.reads.progress_counts(kodes=kodes)) == {"DINKES"}
    assert w.reads.finding_counts(kodes=kodes) == {"galat": 0, "peringatan": 0}
    assert w.reads.rows_with_findings(kodes=kodes) == []
    assert w.reads.findings_page(0, 10, kodes=kodes) == []
    dashboard = create_app(w.config, w.store, clock=lambda: w.now).test_client()
    temuan = dashboard.get("/api/temuan").get_json()
    assert temuan["jumlah"] == 0 and temuan["temuan"] == [], temuan
    ringkasan = dashboard.get("/api/ringkasan").get_json()
    assert ringkasan["temuan_galat"] == 0 and ringkasan["total_baris"] == 3
    assert all(r["id"] not in old_ids for r in dashboard.get("/api/opd/DINKES").get_json()["baris"])
