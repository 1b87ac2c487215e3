"""End to end on real Excel workbooks through the CLI, as a Walidata and operators would work."""
from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from service.cli.commands import main
from sheets.layout import match_headers
from sheets.xlsx import save_atomic

CONFIG = """
[workspace]
name = "Uji"
year = 2025

[sheets]
backend = "xlsx"
folder = "sheets"

[archive]
url = "sqlite:///arsip.sqlite"

[[opd]]
kode = "DINKES"
nama = "Dinas Kesehatan"

[[opd]]
kode = "DIKPORA"
nama = "Dinas Pendidikan, Kepemudaan dan Olahraga"
"""


class Workspace:
    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "satudata.toml").write_text(CONFIG, encoding="utf-8")
        self.runner = CliRunner()

    def cli(self, *args: str):
        result = self.runner.invoke(main, ["-c", str(self.root / "satudata.toml"), *args])
        assert result.exit_code == 0, result.output
        return result

    def path(self, opd: str) -> Path:
        return self.root / "sheets" / f"{opd}.xlsx"

    def edit(self, opd: str, row: int, **values) -> None:
        """Type into cells as an operator would (keys are headers with _ for spaces)."""
        wb = openpyxl.load_workbook(self.path(opd))
        ws = wb.worksheets[0]
        cols = match_headers([c.value for c in ws[1]]).columns
        for name, value in values.items():
            key = next(k for k in cols if k.replace("_", " ") == name.replace("_", " ").lower()
                       or name.lower() == k)
            ws.cell(row, cols[key] + 1, value)
        save_atomic(wb, self.path(opd))

    def cell(self, opd: str, row: int, header: str):
        ws = openpyxl.load_workbook(self.path(opd)).worksheets[0]
        cols = match_headers([c.value for c in ws[1]]).columns
        key = next(k for k in cols if ws.cell(1, cols[k] + 1).value == header)
        return ws.cell(row, cols[key] + 1)

    def snapshot(self) -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in sorted((self.root / "sheets").glob("*.xlsx"))}


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace(tmp_path)


def test_poll_creates_missing_workbooks_from_the_template(ws):
    out = ws.cli("poll", "--once").output
    assert "DINKES" in out and ws.path("DINKES").exists() and ws.path("DIKPORA").exists()
    assert openpyxl.load_workbook(ws.path("DINKES")).sheetnames == ["DINKES"]


def test_row_goes_from_draft_to_archive_in_a_workbook(ws):
    ws.cli("poll", "--once")
    ws.edit("DINKES", 2, kode_data="DEMO-DINKES-006", uraian_data="Jumlah Kasus Tuberkulosis", satuan="Kasus")
    ws.cli("poll", "--once")
    assert ws.cell("DINKES", 2, "ID").value == "DINKES-0001"
    assert ws.cell("DINKES", 2, "Status").value == "1 Draf"
    ws.edit("DINKES", 2, dicek_bersama="YA", disepakati_opd="YA", disepakati_walidata="YA",
            disetujui_ka_opd="YA", tahun=2024, nilai="1.234", selesai_diisi="YA")
    ws.cli("poll", "--once")
    assert ws.cell("DINKES", 2, "Status").value == "7 Diisi"
    ws.edit("DINKES", 2, terverifikasi="YA")
    ws.cli("poll", "--once")
    assert ws.cell("DINKES", 2, "Status").value == "10 Diarsip"
    out = ws.root / "arsip.json"
    ws.cli("export", "--format", "json", "-o", str(out))
    records = json.loads(out.read_text(encoding="utf-8"))
    assert [(r["id"], r["nilai"], r["tahun"]) for r in records] == [("DINKES-0001", 1234.0, 2024)]
    assert list(records[0]) == ["opd", "id", "kode_data", "uraian_data", "rincian", "satuan", "tahun",
                                "nilai", "keterangan", "versi", "diverifikasi_pada", "diarsip_pada",
                                "kode_wilayah", "konsep", "definisi", "klasifikasi", "ukuran", "frekuensi", "status_nilai",
                                "kode_wilayah_versi"]


def test_rejected_fill_is_noted_on_the_cell_and_box_cleared(ws):
    ws.cli("poll", "--once")
    ws.edit("DINKES", 2, uraian_data="Jumlah Puskesmas", satuan="Unit", dicek_bersama="YA",
            disepakati_opd="YA", disepakati_walidata="YA", disetujui_ka_opd="YA",
            tahun=2024, nilai="dua puluh", selesai_diisi="YA")
    result = ws.cli("poll", "--once")
    assert result.exit_code == 0
    assert ws.cell("DINKES", 2, "Status").value == "8 Perlu Perbaikan"
    assert ws.cell("DINKES", 2, "Selesai Diisi").value is None
    note = ws.cell("DINKES", 2, "Nilai").comment
    assert note is not None and note.text.startswith("[Pemeriksaan otomatis]")
    assert ws.cell("DINKES", 2, "Nilai").value == "dua puluh"  # never rewritten
    assert "GALAT" in ws.cell("DINKES", 2, "Hasil Pemeriksaan").value


def test_second_poll_without_edits_leaves_every_workbook_byte_identical(ws):
    ws.cli("poll", "--once")
    ws.edit("DINKES", 2, uraian_data="Jumlah Puskesmas", satuan="Unit", disetujui_ka_opd="YA")
    ws.edit("DIKPORA", 2, uraian_data="Jumlah SD", satuan="Unit", rincian="Kec. Plaosen")
    ws.cli("poll", "--once")
    before = ws.snapshot()
    ws.cli("poll", "--once")
    ws.cli("poll", "--once")
    assert ws.snapshot() == before


def test_open_workbook_is_not_written_until_its_lock_file_goes(ws):
    ws.cli("poll", "--once")
    ws.edit("DINKES", 2, uraian_data="Jumlah Puskesmas", satuan="Unit")
    lock = ws.root / "sheets" / "~$DINKES.xlsx"
    lock.write_bytes(b"lock")
    before = ws.path("DINKES").read_bytes()
    out = ws.cli("poll", "--once").output
    assert ws.path("DINKES").read_bytes() == before
    assert "dibuka" in out
    lock.unlink()
    ws.cli("poll", "--once")
    assert ws.cell("DINKES", 2, "ID").value == "DINKES-0001"
    assert ws.cell("DINKES", 2, "Status").value == "1 Draf"


def test_human_comment_is_never_replaced(ws):
    ws.cli("poll", "--once")
    wb = openpyxl.load_workbook(ws.path("DINKES"))
    sheet = wb.worksheets[0]
    sheet.cell(2, 3, "Jumlah Puskesmas")
    sheet.cell(2, 7, "abc").comment = openpyxl.comments.Comment("Nilai dari laporan Q3", "Operator")
    save_atomic(wb, ws.path("DINKES"))
    ws.cli("poll", "--once")
    assert ws.cell("DINKES", 2, "Nilai").comment.text == "Nilai dari laporan Q3"
    assert "bukan angka" in ws.cell("DINKES", 2, "Hasil Pemeriksaan").value


def test_tab_with_missing_header_is_reported_and_skipped(ws):
    ws.cli("poll", "--once")
    wb = openpyxl.load_workbook(ws.path("DINKES"))
    wb.worksheets[0].cell(1, 5, "Unit Ukur")  # "Satuan" renamed
    wb.worksheets[0].cell(2, 3, "Jumlah Puskesmas")
    save_atomic(wb, ws.path("DINKES"))
    ws.edit("DIKPORA", 2, uraian_data="Jumlah SD", satuan="Unit")
    out = ws.cli("poll", "--once").output
    assert "DILEWATI" in out and "Satuan" in out
    assert ws.cell("DINKES", 2, "ID").value is None
    assert ws.cell("DIKPORA", 2, "ID").value == "DIKPORA-0001"
    assert "Satuan" in openpyxl.load_workbook(ws.path("DINKES")).worksheets[0]["A1"].comment.text


def test_notes_held_back_by_a_lock_file_arrive_once_it_is_gone(ws):
    ws.cli("poll", "--once")
    ws.edit("DINKES", 2, uraian_data="Jumlah Puskesmas", satuan="Unit", dicek_bersama="YA", disepakati_opd="YA",
            disepakati_walidata="YA", disetujui_ka_opd="YA", tahun=2024)
    ws.cli("poll", "--once")
    lock = ws.root / "sheets" / ".~lock.DINKES.xlsx#"
    lock.write_text("x")
    ws.edit("DINKES", 2, nilai="12,5", selesai_diisi="YA")  # not whole: a count of Unit
    ws.cli("poll", "--once")
    lock.unlink()
    ws.cli("poll", "--once")
    assert ws.cell("DINKES", 2, "Status").value == "8 Perlu Perbaikan"
    assert ws.cell("DINKES", 2, "Selesai Diisi").value is None
    assert "bilangan bulat" in ws.cell("DINKES", 2, "Nilai").comment.text
    assert ws.cell("DINKES", 2, "Selesai Diisi").comment.text.startswith("[Pemeriksaan otomatis]")


def test_operator_completing_steps_during_a_lock_keeps_their_tick(ws):
    ws.cli("poll", "--once")
    ws.edit("DINKES", 2, uraian_data="Jumlah Puskesmas", satuan="Unit")
    ws.cli("poll", "--once")
    lock = ws.root / "sheets" / "~$DINKES.xlsx"
    lock.write_text("x")
    ws.edit("DINKES", 2, disetujui_ka_opd="YA")  # too early: rejected, but the write is held back
    ws.cli("poll", "--once")
    ws.edit("DINKES", 2, dicek_bersama="YA", disepakati_opd="YA", disepakati_walidata="YA")
    lock.unlink()
    ws.cli("poll", "--once")
    assert ws.cell("DINKES", 2, "Status").value == "6 Disetujui"
    assert ws.cell("DINKES", 2, "Disetujui Ka. OPD").value == "YA"


def test_rows_added_and_edited_while_the_workbook_stays_open_keep_their_ids(ws):
    ws.cli("poll", "--once")
    lock = ws.root / "sheets" / "~$DINKES.xlsx"
    lock.write_text("x")
    for r in range(2, 8):
        ws.edit("DINKES", r, uraian_data=f"Item {r}", satuan="Unit")
    ws.cli("poll", "--once")  # IDs decided, but the workbook is open: not written
    for r in range(2, 8):
        ws.edit("DINKES", r, tahun=2024, nilai=r * 10)  # the operator goes on working and saves
    ws.cli("poll", "--once")
    lock.unlink()
    ws.cli("poll", "--once")
    assert [ws.cell("DINKES", r, "ID").value for r in range(2, 8)] == [f"DINKES-{i:04d}" for i in range(1, 7)]
    out = json.loads(ws.cli("status", "--json").output)
    dinkes = next(o for o in out["opd"] if o["kode"] == "DINKES")
    assert dinkes["status_tab"] == "ok" and dinkes["baris"] == 6


def test_an_error_value_in_nilai_is_named_not_called_empty(ws):
    from tests.test_xlsx_backend import with_cached_results

    ws.cli("poll", "--once")  # creates the workbook
    ws.edit("DINKES", 2, Uraian_Data="Jumlah Puskesmas", Satuan="Unit", Tahun=2024, Nilai="=1/0",
            Dicek_Bersama="YA", Disepakati_OPD="YA", Disepakati_Walidata="YA", disetujui_ka_opd="YA",
            Selesai_Diisi="YA")  # the fill is checked, so Nilai's findings show
    column = ws.cell("DINKES", 2, "Nilai").column_letter
    with_cached_results(ws.path("DINKES"), {f"{column}2": ("e", "#DIV/0!")})
    ws.cli("poll", "--once")
    hasil = ws.cell("DINKES", 2, "Hasil Pemeriksaan").value
    assert ws.cell("DINKES", 2, "Status").value == "8 Perlu Perbaikan"
    assert "#DIV/0!" in hasil and "Nilai wajib diisi" not in hasil
