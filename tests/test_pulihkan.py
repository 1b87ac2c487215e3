"""A way back after a bad save: `satudata pulihkan KODE` writes the rows as the poller last saw them
beside the workbook, never over it, after a partial sort saved in a real LibreOffice Calc."""
from __future__ import annotations

import subprocess
from pathlib import Path

import openpyxl

from tests.test_distribute import HEADER, cli, excel_workspace, write_csv
from tests.test_readme_guide import edit, status_of
from tests.test_xlsx_protection import needs_uno

SORT = Path(__file__).parent / "tools" / "lo_sort.py"
DAFTAR = [["DINKES", "KES-001", "Jumlah Puskesmas", "kecamatan", "Unit", "2025", "", "Tahunan"]]


def _table(path: Path) -> dict[str, tuple]:
    """ID -> (Rincian, Nilai, Status) of every row."""
    sheet = openpyxl.load_workbook(path).worksheets[0]
    header = [c.value for c in sheet[1]]
    at = {h: header.index(h) for h in ("ID", "Rincian", "Nilai", "Status")}
    return {r[at["ID"]]: (r[at["Rincian"]], str(r[at["Nilai"]]), r[at["Status"]])
            for r in sheet.iter_rows(min_row=2, values_only=True) if r[at["ID"]]}


def filled_year(tmp_path: Path) -> tuple[Path, Path]:
    """19 DINKES rows (the regency and 18 kecamatan) filled, each with its own value: 7 Diisi."""
    cfg = excel_workspace(tmp_path)
    book = cfg.parent / "sheets" / "DINKES.xlsx"
    assert cli("-c", str(cfg), "distribute", str(write_csv(tmp_path / "d.csv", DAFTAR, HEADER))).exit_code == 0
    cli("-c", str(cfg), "poll", "--once")
    rows = range(2, 21)
    for boxes in (("dicek_bersama",), ("disepakati_opd", "disepakati_walidata"), ("disetujui_ka_opd",)):
        edit(book, "Operator", {r: dict.fromkeys(boxes, "YA") for r in rows})
        cli("-c", str(cfg), "poll", "--once")
    edit(book, "Operator", {r: {"nilai": str(r * 3), "selesai_diisi": "YA"} for r in rows})
    cli("-c", str(cfg), "poll", "--once")
    assert set(status_of(book)) == {"7 Diisi"}
    return cfg, book


@needs_uno
def test_pulihkan_after_a_partial_sort_saved_in_libreoffice_gives_every_value_back_beside_its_id(tmp_path):
    cfg, book = filled_year(tmp_path)
    good = _table(book)
    # the operator sorts her own columns only (Kode Data..Frekuensi) by Nilai, and saves
    done = subprocess.run(["/usr/bin/python3", str(SORT), str(book), str(tmp_path / "lo-profile"), "B2:M20", "5"],
                          capture_output=True, text=True, timeout=300, cwd=SORT.parent)
    assert done.returncode == 0, done.stderr
    sorted_now = _table(book)
    assert sorted_now != good  # values detached from their IDs
    held = cli("-c", str(cfg), "poll", "--once").output
    assert "satudata pulihkan DINKES" in held, held
    before = book.read_bytes()

    result = cli("-c", str(cfg), "pulihkan", "DINKES")
    assert result.exit_code == 0, result.output
    restored = cfg.parent / "sheets" / "DINKES.dipulihkan.xlsx"
    assert "19 baris DINKES" in result.output and str(restored) in result.output
    assert book.read_bytes() == before  # never over the workbook
    assert _table(restored) == good  # every value back beside its ID, with its status
    again = cli("-c", str(cfg), "pulihkan", "DINKES")
    assert "DINKES.dipulihkan-2.xlsx" in again.output  # an earlier copy is never overwritten either


def test_pulihkan_sebelum_undoes_the_value_changes_since_that_moment(tmp_path):
    import time
    from datetime import datetime

    from service.timefmt import WIB
    cfg, book = filled_year(tmp_path)
    good = _table(book)
    time.sleep(1.1)
    moment = datetime.now(WIB)
    edit(book, "Operator", {2: {"nilai": "999"}})
    cli("-c", str(cfg), "poll", "--once")
    assert _table(book)[next(iter(good))][1] == "999"
    result = cli("-c", str(cfg), "pulihkan", "DINKES", "--sebelum", moment.strftime("%Y-%m-%d %H:%M:%S"))
    assert result.exit_code == 0, result.output
    restored = _table(cfg.parent / "sheets" / "DINKES.dipulihkan.xlsx")
    assert {k: v[:2] for k, v in restored.items()} == {k: v[:2] for k, v in good.items()}


def test_pulihkan_names_what_it_cannot_do(tmp_path):
    cfg = excel_workspace(tmp_path)
    assert "tidak ada dalam konfigurasi" in cli("-c", str(cfg), "pulihkan", "BUKAN").output
    assert "belum pernah dibaca poller" in cli("-c", str(cfg), "pulihkan", "DINKES").output
    assert "bukan waktu" in cli("-c", str(cfg), "pulihkan", "DINKES", "--sebelum", "kemarin").output


def test_a_restored_tahun_and_whole_nilai_are_numbers_and_other_text_stays_as_typed(tmp_path):
    from service.cli.pulihkan import write_restored
    from service.config import load_config

    config = load_config(excel_workspace(tmp_path))
    row = {"id": "DINKES-0001", "state": "7", "boxes": {}, "catatan": "",
           "data": {"uraian_data": "Jumlah Puskesmas", "tahun": "2026", "nilai": "20", "kode_data": "007"}}
    decimal = {**row, "id": "DINKES-0002", "data": {**row["data"], "nilai": "12.345"}}
    sheet = openpyxl.load_workbook(write_restored(config, "DINKES", "Dinas Kesehatan", [row, decimal])).worksheets[0]
    header = [c.value for c in sheet[1]]
    first, second = (dict(zip(header, r)) for r in sheet.iter_rows(min_row=2, max_row=3, values_only=True))
    assert (first["Tahun"], first["Nilai"], first["Kode Data"]) == (2026, 20, "007")
    assert second["Nilai"] == "12.345"  # Indonesian thousands: never read back as 12.345
