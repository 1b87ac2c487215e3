"""Defects found by an adversarial run against the newer commands (distribute, rollover, adopt,
publish, PDFs, config): each test failed on the code before its fix."""
from __future__ import annotations

import io
import os
from pathlib import Path

from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from service.cli.commands import main
from tests.test_distribute import DAFTAR, excel_workspace, write_csv


def cli(*args: str):
    return CliRunner().invoke(main, list(args))


def _column(path: Path, header: str) -> list[object]:
    with CalamineWorkbook.from_filelike(io.BytesIO(path.read_bytes())) as book:
        rows = book.get_sheet_by_index(0).to_python()
    col = rows[0].index(header)
    return [r[col] for r in rows[1:] if r[col] != ""]


# --- distribute -----------------------------------------------------------------------------------

def test_distribute_writes_control_characters_and_ooxml_escapes_exactly_and_again_adds_nothing(tmp_path):
    cfg = str(excel_workspace(tmp_path))
    odd = [["DINKES", "", "Jumlah\x0bKasus", "", "Kasus", "2025", "", ""],
           ["DINKES", "", "Kode _x0041_ mentah", "", "Kasus", "2025", "", ""],
           ["DINKES", "", "Biasa", "", "Kasus", "2025", "", ""]]
    daftar = write_csv(tmp_path / "daftar.csv", odd, delimiter=";")
    first = cli("-c", cfg, "distribute", str(daftar), "--opd", "DINKES")
    assert first.exit_code == 0, first.output
    book = tmp_path / "ws" / "sheets" / "DINKES.xlsx"
    assert _column(book, "Uraian Data") == ["Jumlah\x0bKasus", "Kode _x0041_ mentah", "Biasa"]
    again = cli("-c", cfg, "distribute", str(daftar), "--opd", "DINKES")
    assert again.exit_code == 0, again.output
    assert "DINKES             0 baris ditambahkan, 3 dilewati" in again.output
    assert len(_column(book, "Uraian Data")) == 3


def test_distribute_with_every_row_present_writes_nothing_even_when_the_workbook_changed_since_read(tmp_path):
    from rules.wilayah import Wilayah
    from service.cli.distribute import append_draft, plan_file
    from service.config import load_config
    from service.poller.opening import open_backend

    cfg = excel_workspace(tmp_path)
    daftar = write_csv(tmp_path / "daftar.csv", DAFTAR, delimiter=";")
    assert cli("-c", str(cfg), "distribute", str(daftar)).exit_code == 0
    config = load_config(cfg)
    backend, wilayah = open_backend(config), Wilayah.load()
    rows = plan_file(daftar, config, wilayah).rows["DINKES"]
    result = backend.read(["DINKES"], {})[0]
    book = tmp_path / "ws" / "sheets" / "DINKES.xlsx"
    os.utime(book, ns=(book.stat().st_atime_ns, book.stat().st_mtime_ns + 5_000_000_000))  # saved meanwhile
    out = append_draft(backend, result, rows, wilayah)
    assert (out.added, out.skipped, out.error) == (0, 20, "")


# --- rollover and adopt ---------------------------------------------------------------------------

def test_rollover_to_a_mistyped_year_is_refused_and_changes_nothing(tmp_path):
    cfg = excel_workspace(tmp_path)
    assert cli("-c", str(cfg), "poll", "--once").exit_code == 0
    typo = cli("-c", str(cfg), "rollover", "20266")
    assert typo.exit_code != 0 and "Tahun 20266" in typo.output and "2000 dan 2100" in typo.output
    skip = cli("-c", str(cfg), "rollover", "2027")
    assert skip.exit_code != 0 and "satudata rollover 2026" in skip.output and "--lompat" in skip.output
    assert "year = 2025" in cfg.read_text(encoding="utf-8")
    assert not (cfg.parent / ".satudata-rollover.json").exists()
    jump = cli("-c", str(cfg), "rollover", "2027", "--lompat")
    assert jump.exit_code == 0, jump.output
    assert "year = 2027" in cfg.read_text(encoding="utf-8")


def _dead_holder(cfg: Path) -> None:
    """The poller lease as a process killed on this machine left it: held for a day."""
    import socket
    import subprocess
    import sys
    from datetime import datetime, timezone

    from service.archive.lease import Lease
    from service.config import load_config
    from service.poller.opening import open_store

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True).stdout.strip()
    store = open_store(load_config(cfg))
    try:
        now = datetime.now(timezone.utc)
        assert Lease(store.engine).acquire(f"{socket.gethostname()}:{gone}:dead00", now, 86400) is None
    finally:
        store.engine.dispose()


def test_a_killed_rollover_or_adopt_leaves_a_lease_the_next_run_takes_over(tmp_path):
    cfg = excel_workspace(tmp_path)
    assert cli("-c", str(cfg), "poll", "--once").exit_code == 0
    _dead_holder(cfg)
    adopted = cli("-c", str(cfg), "adopt", "semua")
    assert "Poller lain" not in adopted.output, adopted.output
    _dead_holder(cfg)
    rolled = cli("-c", str(cfg), "rollover", "2026")
    assert rolled.exit_code == 0, rolled.output
    assert "year = 2026" in cfg.read_text(encoding="utf-8")


def test_adopt_on_a_healthy_tab_is_refused_and_never_archives_an_unverified_change(world):
    from service.cli.adopt import adopt_tabs
    from service.poller.service import Service
    from tests.test_sop_flow import OPD, status
    from tests.test_verified_stays import archived

    rid = archived(world)
    world.backend.set(OPD, rid, "Nilai", "99999")  # an operator's change, not verified
    service = Service(world.config, world.backend, world.store, world.rules, world.wilayah, clock=lambda: world.now)
    [(opd, count, problem)] = adopt_tabs(service, [OPD])
    assert (opd, count) == (OPD, 0) and "tidak ditahan" in problem and "adopt" in problem
    world.poll()
    assert [(r["id"], r["versi"], r["nilai"]) for r in world.reads.archive_rows()] == [(rid, 1, 12.0)]
    assert status(world, rid) != "10 Diarsip"


def test_adopt_semua_on_a_healthy_workspace_writes_nothing(tmp_path):
    from sqlalchemy import create_engine, func, select

    from service.archive import schema

    cfg = excel_workspace(tmp_path)
    assert cli("-c", str(cfg), "distribute", str(write_csv(tmp_path / "d.csv", DAFTAR))).exit_code == 0
    assert cli("-c", str(cfg), "poll", "--once").exit_code == 0
    engine = create_engine(f"sqlite:///{cfg.parent / 'arsip.sqlite'}")
    try:
        with engine.connect() as conn:
            before = conn.execute(select(func.count()).select_from(schema.events)).scalar()
        result = cli("-c", str(cfg), "adopt", "semua")
        assert result.exit_code == 0, result.output
        assert "tidak ditahan" in result.output and "diambil apa adanya" not in result.output
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(schema.events)).scalar() == before
    finally:
        engine.dispose()


# --- publish: file names and formula injection ----------------------------------------------------

SAKERNAS = ("Penduduk Berumur 15 Tahun ke Atas yang Bekerja Selama Seminggu yang Lalu menurut Lapangan Pekerjaan "
            "Utama, Status Pekerjaan Utama, Jumlah Jam Kerja Seluruhnya, dan Pendidikan Tertinggi yang Ditamatkan "
            "di Kabupaten Magetan Hasil Survei Angkatan Kerja Nasional Agustus")


def _datum(uraian: str, nilai: float, kode: str = "", rincian: str = "", opd: str = "DINKES"):
    from rules.keys import item_key
    from service.publish.source import Datum
    standar = (("konsep", ""), ("definisi", ""), ("klasifikasi", ""), ("ukuran", ""), ("frekuensi", "Tahunan"))
    return Datum(opd=opd, item=item_key(kode, uraian), rincian_key=rincian or "kabupaten", row_id=f"{opd}-0001",
                 kode_data=kode, uraian_data=uraian, rincian=rincian or "Kabupaten Magetan",
                 kode_wilayah="" if rincian else "35.20", urutan=(3, 0, rincian) if rincian else (0, 0, ""),
                 satuan="Ton", tahun=2025, nilai=nilai, versi=1, diverifikasi_pada="2025-03-03T02:00:00+00:00",
                 diarsip_pada="2025-03-03T02:00:00+00:00", keterangan="", standar=standar)


def _publish(world, monkeypatch, data, folder: Path):
    from service.publish import build as building
    from tests.conftest import WILAYAH
    monkeypatch.setattr(building, "latest_data", lambda reads, wilayah: data)
    publication = building.build(world.config, world.store, world.rules, WILAYAH)
    building.write(publication, folder)
    return publication


def test_a_253_character_uraian_publishes_under_a_bounded_stable_name_and_leaves_no_temporary_file(
        world, monkeypatch, tmp_path):
    assert len(SAKERNAS) >= 253
    data = [_datum(SAKERNAS, 1200.0), _datum(SAKERNAS + " Tahun Lalu", 900.0)]
    first = _publish(world, monkeypatch, data, tmp_path / "pub")
    again = _publish(world, monkeypatch, data, tmp_path / "pub2")
    slugs = [i.slug for i in first.items]
    assert slugs == [i.slug for i in again.items] and len(set(slugs)) == 2
    assert all(len(s) <= 80 for s in slugs)
    assert (tmp_path / "pub" / "datapackage.json").is_file() and (tmp_path / "pub" / "katalog.ttl").is_file()
    assert not [p for p in (tmp_path / "pub").rglob(".tmp-*")]


def test_a_failed_publish_write_leaves_no_temporary_file(world, monkeypatch, tmp_path):
    from service.publish import build as building

    def refuse(src, dst):
        raise OSError(36, "File name too long")
    monkeypatch.setattr(building.os, "replace", refuse)
    try:
        _publish(world, monkeypatch, [_datum("Produksi Padi", 5.0)], tmp_path / "pub")
    except OSError:
        pass
    assert not [p for p in (tmp_path / "pub").rglob(".tmp-*")]


def test_every_published_resource_holds_only_its_own_items_data(world, monkeypatch, tmp_path):
    import csv
    import json

    data = [_datum("Produksi Kacang", 11.0), _datum("Produksi Kacang Panjang", 22.0),
            _datum("Produksi Kacang Panjang Panjang", 33.0)]
    publication = _publish(world, monkeypatch, data, tmp_path / "pub")
    package = json.loads((tmp_path / "pub" / "datapackage.json").read_text(encoding="utf-8"))
    paths = [r["path"] for r in package["resources"]]
    assert len(set(paths)) == 3
    for resource, item in zip(package["resources"], publication.items):
        with open(tmp_path / "pub" / resource["path"], encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        assert [(r["uraian_data"], float(r["nilai"])) for r in rows] == [(item.uraian_data, item.data[0].nilai)]
    names = [n for n in publication.files if n.startswith("data/")]
    assert len(names) == len(set(names)) == 3 * 4  # four files per item, none shared


def test_the_one_neutraliser_treats_only_formula_like_text():
    from sheets.tables import neutralise
    for formula in ('=HYPERLINK("http://evil.example/","klik")', "+cmd|' /C calc'!A0", "-1+2", "-cmd|x",
                    "@SUM(A1:A9)", "\t=1", "\r=1", "-A1"):
        assert neutralise(formula) == "'" + formula, formula
    for plain in ("-", " - ", "-5", "-12,5", "-1.234,5", "Jumlah", "", "@", "a=b"):
        assert neutralise(plain) == plain, plain
    assert neutralise(12.5) == 12.5


def test_published_csv_and_xlsx_never_carry_a_live_formula(world, monkeypatch, tmp_path):
    import csv
    import io

    from openpyxl import load_workbook

    evil = '=HYPERLINK("http://evil.example/","klik")'
    data = [_datum(evil, 7.0, kode="+cmd|' /C calc'!A0", rincian="@SUM(A1)")]
    publication = _publish(world, monkeypatch, data, tmp_path / "pub")
    for name, body in publication.files.items():
        if name.endswith(".csv"):
            for row in csv.reader(io.StringIO(body.decode("utf-8"))):
                assert not [c for c in row if c[:1] in ("=", "+", "@")], (name, row)
        if name.endswith(".xlsx"):
            sheet = load_workbook(io.BytesIO(body)).active
            cells = [c for r in sheet.iter_rows() for c in r if c.value is not None]
            assert not [c.value for c in cells if c.data_type == "f"], name
            assert not [c.value for c in cells if isinstance(c.value, str) and c.value[:1] in ("=", "+", "@")]


# --- PDF layout ---------------------------------------------------------------------------------

DPPKBPPPA = "Dinas Pengendalian Penduduk, Keluarga Berencana, Pemberdayaan Perempuan dan Perlindungan Anak"


def _text_positions(body: bytes) -> tuple[list[tuple[float, str]], str, float]:
    from pypdf import PdfReader
    page = PdfReader(io.BytesIO(body)).pages[0]
    found: list[tuple[float, str]] = []
    page.extract_text(visitor_text=lambda text, cm, tm, font, size: found.append((tm[4], text)) if text.strip()
                      else None)
    return found, page.extract_text(), float(page.mediabox.width)


def test_a_93_character_opd_name_wraps_inside_the_page_in_every_heading(caplog, capsys):
    from datetime import datetime, timezone

    from service.publish.pdf import Document
    assert len(DPPKBPPPA) == 93
    doc = Document("Rekap", datetime(2025, 3, 3, tzinfo=timezone.utc))
    doc.heading(DPPKBPPPA, "REKAP DATA SEKTORAL", f"{DPPKBPPPA} — tahun data 2025")
    positions, text, width = _text_positions(bytes(doc.output()))
    assert positions and all(0 <= x < width for x, _ in positions), positions
    assert "Perlindungan" in text and "PERLINDUNGAN" in text and "tahun data 2025" in text


def test_missing_glyphs_show_a_visible_mark_right_to_left_text_is_shaped_and_nothing_english_is_printed(
        caplog, capsys):
    import logging
    from datetime import datetime, timezone

    from service.publish.pdf import MISSING_GLYPH, Document
    caplog.set_level(logging.DEBUG)
    doc = Document("Rekap", datetime(2025, 3, 3, tzinfo=timezone.utc))
    doc.grid(["Uraian", "Nilai"], [["Produksi 中文 padi 🛰", "1"], ["عدد السكان", "2"]], (120, 50))
    _, text, _ = _text_positions(bytes(doc.output()))
    assert f"Produksi {MISSING_GLYPH}{MISSING_GLYPH} padi {MISSING_GLYPH}" in text
    assert "عدد السكان" in text  # shaped: read back in logical order, not reversed
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    out = capsys.readouterr()
    assert "missing" not in out.err + out.out and "WARNING" not in out.err + out.out
