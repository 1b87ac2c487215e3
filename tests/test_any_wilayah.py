"""Any kabupaten/kota by configuration: `init --wilayah 33.74` serves Kota Semarang end to end,
with no trace of the demo kabupaten in its sheets, dashboard or PDFs."""
from __future__ import annotations

import csv
import io
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from rules import fields as f
from service.cli.commands import main
from service.config import ConfigError, load_config
from service.config.wilayah import load_wilayah
from service.poller.opening import open_store
from service.poller.service import Service
from service.publish.pdf import berita_acara_pdf
from service.web.app import create_app
from sheets.tables import edit_tab

SEMARANG_KECAMATAN = ["Semarang Tengah", "Semarang Utara", "Semarang Timur", "Gayamsari", "Genuk", "Pedurungan",
                      "Semarang Selatan", "Candisari", "Gajahmungkur", "Tembalang", "Banyumanik", "Gunungpati",
                      "Semarang Barat", "Mijen", "Ngaliyan", "Tugu"]


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def semarang(tmp_path_factory):
    """A Kota Semarang workspace whose DINKES list was handed out, checked, agreed and approved."""
    root = tmp_path_factory.mktemp("semarang")
    result = run("init", str(root / "ws"), "--wilayah", "33.74")
    assert result.exit_code == 0, result.output
    path = root / "ws" / "satudata.toml"
    daftar = root / "daftar.csv"
    with open(daftar, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["opd", "Uraian Data", "Rincian", "Satuan", "Tahun", "Konsep", "Frekuensi"],
                                  ["DINKES", "Jumlah Puskesmas", "kecamatan", "Unit", "2025", "Puskesmas", "Tahunan"]])
    result = run("-c", str(path), "distribute", str(daftar))
    assert result.exit_code == 0, result.output
    config = load_config(path)
    clock = [datetime(2025, 3, 3, 2, 0, tzinfo=timezone.utc)]

    def poll():
        clock[0] += timedelta(hours=1)
        service = Service.open(config, lambda: clock[0])
        try:
            service.poll()
        finally:
            service.release()

    poll()
    for boxes in ((f.DICEK,), (f.SEPAKAT_OPD, f.SEPAKAT_WALIDATA), (f.SETUJU_KA,)):
        def tick(sheet, columns, boxes=boxes):
            for row in range(2, sheet.max_row + 1):
                for box in boxes:
                    sheet.cell(row, columns[box] + 1).value = "YA"
        edit_tab(config.folder / "DINKES.xlsx", tick)
        poll()
    return config


def test_init_with_a_wilayah_names_that_city_and_its_kecamatan_as_opds(semarang):
    text = semarang.path.read_text(encoding="utf-8")
    assert semarang.kode_wilayah == "33.74" and "Kota Semarang" in text
    kodes = [o.kode for o in semarang.opds]
    assert "DINKES" in kodes and "KEC-SEMARANG-TENGAH" in kodes and "KEC-TUGU" in kodes
    assert "magetan" not in text.casefold()


def test_distribute_of_kecamatan_gives_the_city_total_and_its_kecamatan_in_code_order(semarang):
    wilayah = load_wilayah(semarang)
    assert [(p.kode, p.nama) for p in wilayah.kecamatan] == [
        (f"33.74.{i:02d}", nama) for i, nama in enumerate(SEMARANG_KECAMATAN, 1)]
    import openpyxl
    sheet = openpyxl.load_workbook(semarang.folder / "DINKES.xlsx").worksheets[0]
    headers = [c.value for c in sheet[1]]
    rincian = [sheet.cell(r, headers.index("Rincian") + 1).value for r in range(2, sheet.max_row + 1)]
    assert rincian == ["Kota Semarang", *SEMARANG_KECAMATAN]
    status = {sheet.cell(r, headers.index("Status") + 1).value for r in range(2, sheet.max_row + 1)}
    assert status == {"6 Disetujui"}


def test_no_demo_kabupaten_name_in_the_workbooks(semarang):
    for workbook in semarang.folder.glob("*.xlsx"):
        with zipfile.ZipFile(workbook) as zf:
            for name in zf.namelist():
                assert b"magetan" not in zf.read(name).lower(), (workbook.name, name)


def test_no_demo_kabupaten_name_on_the_dashboard_or_public_pages(semarang):
    client = create_app(semarang).test_client()
    for url in ("/", "/opd/DINKES", "/temuan", "/riwayat", "/arsip", "/kesehatan", "/data"):
        page = client.get(url).get_data(as_text=True)
        assert "Magetan" not in page and "magetan" not in page, url
    assert "Satu Data Kota Semarang" in client.get("/").get_data(as_text=True)


def test_the_berita_acara_heads_with_the_city_and_never_the_demo_kabupaten(semarang):
    store = open_store(semarang)
    pdf = berita_acara_pdf(semarang, store, "DINKES", "kesepakatan", datetime(2025, 4, 1, 10, 0, tzinfo=timezone.utc))
    store.engine.dispose()
    words = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "PEMERINTAH KOTA SEMARANG" in words and "Semarang," in words and "Semarang Tengah" in words
    assert "magetan" not in words.casefold()


def test_an_unknown_wilayah_is_refused_in_indonesian(tmp_path: Path):
    result = run("init", str(tmp_path / "ws"), "--wilayah", "99.99")
    assert result.exit_code != 0 and "bukan kabupaten/kota Kemendagri yang dikenal" in result.output
    (tmp_path / "x").mkdir()
    bad = tmp_path / "x" / "satudata.toml"
    bad.write_text('[workspace]\nyear = 2025\nkode_wilayah = "Magetan"\n[sheets]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="kode_wilayah"):
        load_config(bad)
