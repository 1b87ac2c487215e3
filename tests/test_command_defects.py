"""Defects found by an adversarial run against the newer commands (distribute, rollover, adopt,
publish, PDFs, config): each test failed on the code before its fix."""
from __future__ import annotations

import io
import os
import shutil
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
    monkeypatch.setattr(building, "latest_data", lambda reads, wilayah, **_: data)
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
    root = json.loads((tmp_path / "pub" / "datapackage.json").read_text(encoding="utf-8"))
    package = json.loads((tmp_path / "pub" / root["resources"][0]["path"]).read_text(encoding="utf-8"))
    paths = [r["path"] for r in package["resources"]]
    assert len(set(paths)) == 3
    for resource, item in zip(package["resources"], publication.items):
        with open(tmp_path / "pub" / "data" / resource["path"], encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        assert [(r["uraian_data"], float(r["nilai"])) for r in rows] == [(item.uraian_data, item.data[0].nilai)]
    names = [n for n in publication.files if n.startswith("data/") and not n.endswith(".datapackage.json")]
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


def test_text_with_control_characters_and_ooxml_escapes_publishes_and_reads_back_exactly(world, monkeypatch, tmp_path):
    import io

    from python_calamine import CalamineWorkbook

    uraian = "Jumlah\x0bKlinik _x0041_ Pratama"
    publication = _publish(world, monkeypatch, [_datum(uraian, 7.0)], tmp_path / "pub")
    books = [body for name, body in publication.files.items() if name.endswith(".xlsx")]
    assert books and "datapackage.json" in publication.files
    for body in books:
        cells = [c for row in CalamineWorkbook.from_filelike(io.BytesIO(body)).get_sheet_by_index(0).to_python()
                 for c in row]
        assert uraian in cells


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


# --- a broken rule file and the public pages ------------------------------------------------------

def _rules_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "aturan"
    shutil.copytree(Path("rules/checks_data"), folder)
    return folder


def _break(folder: Path) -> Path:
    (folder / "per_item.yaml").write_text("item:\n  - kode: [tidak ditutup\n", encoding="utf-8")
    return folder


def test_a_broken_rule_file_never_takes_the_public_pages_down(tmp_path):
    import dataclasses

    from service.web.app import create_app
    from tests.publish_world import PublishedWorld

    (tmp_path / "w").mkdir()
    world = PublishedWorld(tmp_path / "w")
    try:
        config = dataclasses.replace(world.config, rules_folder=_rules_copy(tmp_path))
        running = create_app(config, world.store, clock=lambda: world.now).test_client()
        assert running.get("/data").status_code == 200  # the last good publication
        before = running.get("/datapackage.json").get_json()
        _break(config.rules_folder)
        world.poll()  # a new cycle: the dashboard reads again
        started = create_app(config, world.store, clock=lambda: world.now).test_client()
        for c in (running, started):
            for url in ("/data", "/data/dinkes-demo-dinkes-007", "/datapackage.json", "/katalog.ttl",
                        "/katalog.jsonld"):
                answer = c.get(url)
                assert answer.status_code == 200, (url, answer.status_code)
            page = c.get("/data").get_data(as_text=True)
            assert "Berkas aturan" in page and "per_item.yaml" in page, page
            assert "aturan" in c.get("/datapackage.json").headers.get("Warning", "")
            assert "aturan" in c.get("/katalog.ttl").headers.get("Warning", "")
            assert [r["path"] for r in c.get("/datapackage.json").get_json()["resources"]] == \
                [r["path"] for r in before["resources"]]
    finally:
        world.store.engine.dispose()


def test_a_broken_rule_file_never_takes_the_dashboard_down_and_the_ringkasan_names_it(tmp_path):
    import dataclasses

    from service.web.app import create_app
    from tests.publish_world import PublishedWorld

    (tmp_path / "w").mkdir()
    world = PublishedWorld(tmp_path / "w")
    try:
        config = dataclasses.replace(world.config, rules_folder=_rules_copy(tmp_path))
        _break(config.rules_folder)
        world.poll()
        client = create_app(config, world.store, clock=lambda: world.now).test_client()
        for url in ("/", "/api/ringkasan", "/temuan", "/opd/DINKES", "/kesehatan", "/arsip"):
            answer = client.get(url)
            assert answer.status_code == 200, (url, answer.status_code)
        page = client.get("/").get_data(as_text=True)
        assert "Berkas aturan tidak dapat dibaca" in page and "per_item.yaml" in page
        assert "per_item.yaml" in client.get("/api/ringkasan").get_json()["galat_aturan"]
    finally:
        world.store.engine.dispose()


def test_publish_with_a_broken_rule_file_says_so_in_indonesian_and_keeps_the_last_publication(tmp_path):
    from tests.publish_world import PublishedWorld, write_toml

    (tmp_path / "w").mkdir()
    world = PublishedWorld(tmp_path / "w")
    try:
        path = write_toml(world)
        out = tmp_path / "out"
        assert cli("-c", str(path), "publish", "-o", str(out)).exit_code == 0
        before = (out / "datapackage.json").read_bytes()
        folder = _break(_rules_copy(tmp_path))
        path.write_text(path.read_text(encoding="utf-8").replace(
            "[publikasi]", f'[rules]\nfolder = "{folder}"\n[publikasi]'), encoding="utf-8")
        result = cli("-c", str(path), "publish", "-o", str(out))
        assert result.exit_code == 1 and "Traceback" not in result.output
        assert "per_item.yaml" in result.output and "tidak diubah" in result.output, result.output
        assert (out / "datapackage.json").read_bytes() == before
    finally:
        world.store.engine.dispose()


# --- satudata.toml as Notepad saves it, and TOML errors in Indonesian ------------------------------

def test_a_satudata_toml_saved_with_a_utf8_bom_is_accepted(tmp_path):
    from service.config import load_config
    cfg = excel_workspace(tmp_path)
    cfg.write_bytes(b"\xef\xbb\xbf" + cfg.read_bytes())
    assert load_config(cfg).year == 2025
    assert cli("-c", str(cfg), "poll", "--once").exit_code == 0


def test_toml_syntax_errors_name_line_column_and_what_was_expected_in_indonesian(tmp_path):
    import pytest

    from rules.parse_errors import toml_error
    from service.config import ConfigError, load_config
    cfg = excel_workspace(tmp_path)
    good = cfg.read_text(encoding="utf-8")
    cases = [('name = "Uji"', 'name "Uji"', "baris 2, kolom 6", "tanda '=' sesudah nama kunci"),
             ('name = "Uji"', 'name = "Uji', "baris 2", "tanda kutip"),
             ('[sheets]', '[sheets', "baris 5", "']'"),
             ('name = "Uji"', 'name = Uji', "baris 2, kolom 8", "nilai tidak sah")]
    for old, new, where, what in cases:
        cfg.write_text(good.replace(old, new, 1), encoding="utf-8")
        with pytest.raises(ConfigError) as caught:
            load_config(cfg)
        message = str(caught.value)
        assert where in message and what in message, message
        assert not any(word in message for word in ("Expected", "Invalid", "at line", "Unterminated")), message
    assert toml_error(ValueError("Something new (at end of document)")) == "susunan TOML tidak sah (di akhir berkas)"


# --- English cores inside Indonesian messages -------------------------------------------------------

ENGLISH = ("codec", "can't", "Could not", "invalid", "Invalid", "Errno", "FATAL", "No such", "plugin",
           "Traceback", "does not exist", "Not a directory", "File exists", "Zip")


def _indonesian_only(output: str) -> None:
    assert not [w for w in ENGLISH if w in output], output


def test_a_daftar_data_saved_as_latin1_or_utf16_is_read(tmp_path):
    cfg = excel_workspace(tmp_path)
    rows = "opd;Kode Data;uraian;Satuan;Tahun\nDINKES;;Jumlah Posyandu Mandiri – Kecamatan Kawedanan°;Unit;2025\n"
    for encoding, name in (("cp1252", "ansi.csv"), ("utf-16", "unicode.csv")):
        path = tmp_path / name
        path.write_bytes(rows.replace(";", "\t" if encoding == "utf-16" else ";").encode(encoding))
        result = cli("-c", str(cfg), "distribute", str(path), "--opd", "DINKES")
        _indonesian_only(result.output)
        assert result.exit_code == 0, result.output
    assert _column(tmp_path / "ws" / "sheets" / "DINKES.xlsx", "Uraian Data") == [
        "Jumlah Posyandu Mandiri – Kecamatan Kawedanan°"]


def test_a_file_named_xlsx_that_is_not_one_is_named_in_indonesian(tmp_path):
    cfg = excel_workspace(tmp_path)
    fake = tmp_path / "daftar.xlsx"
    fake.write_text("opd,uraian\nDINKES,Jumlah\n", encoding="utf-8")
    result = cli("-c", str(cfg), "distribute", str(fake))
    assert result.exit_code != 0 and "bukan berkas Excel" in result.output, result.output
    _indonesian_only(result.output)
    assert cli("-c", str(cfg), "poll", "--once").exit_code == 0
    book = tmp_path / "ws" / "sheets" / "DINKES.xlsx"
    book.write_text("bukan xlsx", encoding="utf-8")
    os.utime(book, (1_600_000_000, 1_600_000_000))  # long ago: not a save in progress
    result = cli("-c", str(cfg), "poll", "--once")
    assert "bukan berkas Excel" in result.output, result.output
    _indonesian_only(result.output)


def test_a_workbook_caught_mid_save_is_said_to_be_saving_not_broken(tmp_path):
    cfg = excel_workspace(tmp_path)
    assert cli("-c", str(cfg), "poll", "--once").exit_code == 0
    book = tmp_path / "ws" / "sheets" / "DINKES.xlsx"
    book.write_bytes(book.read_bytes()[:2000])  # Excel has written the first part of the file
    result = cli("-c", str(cfg), "poll", "--once")
    assert "sedang disimpan" in result.output and "rusak" not in result.output, result.output
    _indonesian_only(result.output)


def _with_archive_url(cfg: Path, url: str) -> None:
    cfg.write_text(cfg.read_text(encoding="utf-8").replace('url = "sqlite:///arsip.sqlite"', f'url = "{url}"'),
                   encoding="utf-8")


def test_archive_urls_a_new_user_writes_are_judged_in_indonesian(tmp_path):
    cfg = excel_workspace(tmp_path)
    text = cfg.read_text(encoding="utf-8")
    for url, expected in (("", "archive.url kosong"), ("arsip.sqlite", "archive.url"),
                          ("oracle://x/y", "tidak dikenal")):
        cfg.write_text(text, encoding="utf-8")
        _with_archive_url(cfg, url)
        result = cli("-c", str(cfg), "poll", "--once")
        assert result.exit_code != 0 and expected in result.output, (url, result.output)
        _indonesian_only(result.output)


def test_a_postgres_url_without_driver_and_a_missing_database_are_told_in_indonesian(tmp_path):
    import pytest
    from sqlalchemy import create_engine, text

    probe = create_engine("postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    try:
        with probe.connect() as conn:
            conn.execute(text("select 1"))
    except Exception:
        pytest.skip("PostgreSQL tidak dapat dihubungi")
    finally:
        probe.dispose()
    cfg = excel_workspace(tmp_path)
    text_before = cfg.read_text(encoding="utf-8")
    _with_archive_url(cfg, "postgres://postgres@127.0.0.1:5432/defects_tidak_ada_sama_sekali")
    result = cli("-c", str(cfg), "poll", "--once")
    assert result.exit_code != 0 and "tidak ada" in result.output and "defects_tidak_ada" in result.output, \
        result.output
    _indonesian_only(result.output)
    cfg.write_text(text_before, encoding="utf-8")


def test_write_failures_a_new_user_meets_are_told_in_indonesian(tmp_path):
    from tests.publish_world import PublishedWorld, write_toml

    (tmp_path / "w").mkdir()
    world = PublishedWorld(tmp_path / "w")
    try:
        path = write_toml(world, 'folder = "berkas.txt"')
        (path.parent / "berkas.txt").write_text("bukan folder", encoding="utf-8")
        result = cli("-c", str(path), "publish")
        assert result.exit_code != 0 and "bukan folder" in result.output, result.output
        _indonesian_only(result.output)
        result = cli("-c", str(path), "rekap", "DINKES", "-o", str(path.parent / "berkas.txt" / "rekap.pdf"))
        assert result.exit_code != 0 and "bukan folder" in result.output, result.output
        _indonesian_only(result.output)
    finally:
        world.store.engine.dispose()


def test_a_missing_kata_sandi_file_is_told_in_indonesian(tmp_path):
    cfg = excel_workspace(tmp_path)
    cfg.write_text(cfg.read_text(encoding="utf-8").replace(
        "[archive]", '[walidata]\nkata_sandi_file = "rahasia.txt"\n\n[archive]'), encoding="utf-8")
    result = cli("-c", str(cfg), "poll", "--once")
    assert result.exit_code != 0 and "rahasia.txt" in result.output and "tidak ada" in result.output, result.output
    _indonesian_only(result.output)


# --- a dropped PostgreSQL connection ----------------------------------------------------------------

def test_a_dropped_postgresql_connection_is_one_indonesian_line_and_the_cycle_is_retried(tmp_path, caplog):
    import logging

    from sqlalchemy import create_engine, event, text

    from service.poller.errors import PollerBusy
    from service.poller.service import Service
    from tests.conftest import World, _own_database
    from tests.test_sop_flow import OPD

    caplog.set_level(logging.WARNING)
    with _own_database("postgresql") as url:
        world = World(tmp_path, url=url)
        admin = create_engine("postgresql+psycopg://postgres@127.0.0.1:5432/postgres", isolation_level="AUTOCOMMIT")
        dbname = world.store.engine.url.database
        service = Service(world.config, world.backend, world.store, world.rules, world.wilayah,
                          clock=lambda: world.now)
        try:
            service.poll()
            for n in range(3):
                world.backend.add_row(OPD, Uraian_Data=f"Jumlah Puskesmas {n}", Satuan="Unit", Tahun=2025)
            count = {"n": 0, "at": 0}

            def kill(conn, cursor, statement, parameters, context, executemany):
                count["n"] += 1
                if count["n"] == count["at"]:
                    with admin.connect() as c:
                        c.execute(text("select pg_terminate_backend(pid) from pg_stat_activity "
                                       "where datname = :d and pid <> pg_backend_pid()"), {"d": dbname})
            event.listen(world.store.engine, "before_cursor_execute", kill)
            outcomes = []
            for at in (1, 2, 3, 4, 6, 9, 13, 20, 30, 45):
                world.backend.add_row(OPD, Uraian_Data=f"Jumlah Bidan {at}", Satuan="Orang", Tahun=2025)
                count.update(n=0, at=at)
                world.now += __import__("datetime").timedelta(minutes=5)
                try:
                    report = service.poll()
                    outcomes.append(("ok", report.errors))
                except PollerBusy as exc:
                    outcomes.append(("busy", [str(exc)]))
            event.remove(world.store.engine, "before_cursor_execute", kill)
            traced = [r for r in caplog.records if r.exc_info and r.levelno >= logging.WARNING]
            assert not traced, [r.getMessage() for r in traced]
            for _kind, errors in outcomes:
                assert all("terputus" in e or not e for e in errors), outcomes
                assert not [e for e in errors if "Error" in e or "Exception" in e], outcomes
            world.now += __import__("datetime").timedelta(minutes=5)
            final = service.poll()
            assert not final.errors, final.errors
            assert [world.backend.get(OPD, rid, "Status") for rid in world.backend.ids(OPD)] == ["1 Draf"] * 13
            assert len(set(world.backend.ids(OPD))) == 13  # no row lost, none given two IDs
        finally:
            service.release()
            world.store.engine.dispose()
            admin.dispose()


# --- next year's draft ------------------------------------------------------------------------------

def test_next_years_draft_takes_the_rows_latest_archived_datum_not_its_highest_version(archive_url):
    from datetime import datetime

    from sqlalchemy import insert

    from service.archive import schema
    from service.archive.store import Store, make_engine
    from service.archive.year import latest_archived

    store = Store(make_engine(archive_url, upgrade=True))
    try:
        def version(rincian: str, v: int, day: int) -> dict:
            moment = datetime(2025, 3, day, 2, 0)
            return dict(opd="DINKES", row_id="DINKES-0001", version=v, kode_data="", uraian_data="Jumlah Bidan",
                        rincian=rincian, satuan="Orang", tahun=2025, nilai=float(day), nilai_teks=str(day),
                        keterangan="", content_hash=f"{rincian}{v}".ljust(64, "0"), verified_at=moment,
                        archived_at=moment, datum=f"d-{rincian}".ljust(64, "0"), item_key="uraian:jumlah bidan",
                        rincian_key=rincian.lower())
        with store.engine.begin() as conn:
            conn.execute(insert(schema.archive), [version("Plaosan", 1, 3), version("Plaosan", 2, 4),
                                                  version("Bendo", 1, 5)])
        assert latest_archived(store, "DINKES", ["DINKES-0001"])["DINKES-0001"]["rincian"] == "Bendo"
    finally:
        store.engine.dispose()


# --- dashboard users ------------------------------------------------------------------------------

def test_a_malformed_dashboard_user_hash_is_refused_at_config_check(tmp_path):
    import pytest
    from werkzeug.security import generate_password_hash

    from service.config import ConfigError, load_config
    cfg = excel_workspace(tmp_path)
    base = cfg.read_text(encoding="utf-8")
    good = generate_password_hash("rahasia-magetan")
    cfg.write_text(base + f'\n[dashboard]\nusers = {{ budi = "{good}" }}\n', encoding="utf-8")
    assert load_config(cfg).dashboard_users["budi"] == good
    for bad in ("scrypt:1:1:1$$", "scrypt:32768:8:1$garam$", "scrypt:3:8:1$garam$abcd", "pbkdf2:sha256:x$garam$ab",
                "pbkdf2:tidakada:1000$garam$ab", "md5:1$garam$ab", "scrypt:32768:8:1$$abcd"):
        cfg.write_text(base + f'\n[dashboard]\nusers = {{ budi = "{bad}" }}\n', encoding="utf-8")
        with pytest.raises(ConfigError, match="dashboard.users.budi") as caught:
            load_config(cfg)
        assert "hash kata sandi" in str(caught.value), bad


# --- the automatic publication's failure is the cycle's own result --------------------------------

def test_a_failing_automatic_publication_is_reported_as_the_cycles_result_never_a_traceback(tmp_path, caplog):
    import dataclasses
    import json
    import logging

    from service.archive.queries import Queries
    from service.poller.service import Service
    from service.web.app import create_app
    from tests.conftest import WILAYAH
    from tests.publish_world import PublishedWorld, write_toml

    caplog.set_level(logging.WARNING)
    (tmp_path / "w").mkdir()
    world = PublishedWorld(tmp_path / "w")
    try:
        path = write_toml(world, 'folder = "berkas.txt"')
        (path.parent / "berkas.txt").write_text("bukan folder", encoding="utf-8")
        config = dataclasses.replace(world.config, publikasi={"folder": "berkas.txt"})
        service = Service(config, world.backend, world.store, world.rules, WILAYAH, clock=lambda: world.now)
        world.backend.set("DINKES", world.ids[0], "Nilai", "21")
        service.poll()
        world.backend.set("DINKES", world.ids[0], "Terverifikasi", "YA")
        report = service.poll()
        service.release()
        assert sum(t.archived for t in report.tabs) == 1
        said = [e for e in report.errors if "Publikasi otomatis gagal" in e]
        assert said and "bukan folder" in said[0], report.errors
        assert said[0] in json.dumps(report.as_dict(), ensure_ascii=False)
        assert not [r for r in caplog.records if r.exc_info], [r.getMessage() for r in caplog.records]
        last = Queries(world.store.engine).cycles(limit=1)[0]
        assert last["status"] == "galat" and said[0] in last["errors"]
        page = create_app(config, world.store, clock=lambda: world.now).test_client().get("/kesehatan")
        assert "Publikasi otomatis gagal" in page.get_data(as_text=True)
        shown = cli("-c", str(path), "status")
        assert "Publikasi otomatis gagal" in shown.output, shown.output
        as_json = json.loads(cli("-c", str(path), "status", "--json").output)
        assert said[0] in as_json["siklus_terakhir"]["galat"]
    finally:
        world.store.engine.dispose()


def test_the_ringkasan_reads_the_rule_files_again_only_when_they_change(tmp_path, monkeypatch):
    import dataclasses
    import os

    from service.web import reads
    from service.web.app import create_app
    from tests.publish_world import PublishedWorld

    (tmp_path / "w").mkdir()
    world = PublishedWorld(tmp_path / "w")
    parsed: list[Path] = []
    real = reads.load_rules
    monkeypatch.setattr(reads, "load_rules", lambda folder: (parsed.append(folder), real(folder))[1])
    try:
        config = dataclasses.replace(world.config, rules_folder=_rules_copy(tmp_path))
        client = create_app(config, world.store, clock=lambda: world.now).test_client()
        for _ in range(3):  # cycles that archived nothing and one more: the files are the same
            world.poll()
            assert client.get("/api/ringkasan").get_json()["galat_aturan"] == ""
        assert len(parsed) == 1
        broken = _break(config.rules_folder)
        os.utime(broken / "per_item.yaml", ns=(1, 1))  # even with an old time: the size changed
        world.poll()
        assert "per_item.yaml" in client.get("/api/ringkasan").get_json()["galat_aturan"]
        assert len(parsed) == 2
        world.poll()
        assert "per_item.yaml" in client.get("/api/ringkasan").get_json()["galat_aturan"]  # kept, still told
        assert len(parsed) == 2
    finally:
        world.store.engine.dispose()
