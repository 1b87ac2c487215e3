"""Exports people can open (DECISIONS.md #20): id-ID CSV, WIB timestamps, real XLSX dates, stdout, format by name."""
from __future__ import annotations

import csv
import io
from datetime import datetime

from click.testing import CliRunner
from openpyxl import load_workbook

from service.archive.export import format_of, render
from service.cli.commands import main

RECORD = {"opd": "DINKES", "id": "DINKES-0001", "kode_data": "K-1", "uraian_data": "Rata-rata Harga",
          "rincian": "", "satuan": "Rupiah/kg", "tahun": 2025, "nilai": 1234.5, "keterangan": "=1+1",
          "versi": 1, "diverifikasi_pada": "2025-03-04T02:00:00+00:00", "diarsip_pada": "2025-03-04T02:00:00+00:00"}


def _rows(body: bytes, delimiter: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig")), delimiter=delimiter))


def test_csv_for_an_indonesian_spreadsheet_uses_semicolon_and_decimal_comma():
    row = _rows(render([RECORD], "csv", "id"), ";")[0]
    assert row["nilai"] == "1234,5" and row["tahun"] == "2025" and row["keterangan"] == "'=1+1"


def test_standard_csv_keeps_comma_and_decimal_point():
    assert _rows(render([RECORD], "csv"), ",")[0]["nilai"] == "1234.5"


def test_timestamps_are_wib_with_offset_in_csv_and_json():
    assert _rows(render([RECORD], "csv"), ",")[0]["diarsip_pada"] == "2025-03-04T09:00:00+07:00"
    assert '"diverifikasi_pada": "2025-03-04T09:00:00+07:00"' in render([RECORD], "json").decode()


def test_xlsx_timestamps_are_real_dates_in_wib():
    sheet = load_workbook(io.BytesIO(render([RECORD], "xlsx"))).active
    header = [c.value for c in sheet[1]]
    cell = sheet.cell(2, header.index("diarsip_pada") + 1)
    assert cell.is_date and cell.value == datetime(2025, 3, 4, 9, 0)


def test_format_from_the_file_name():
    assert format_of("arsip.XLSX") == "xlsx" and format_of("a.json") == "json" and format_of("a.txt") is None


def test_export_to_standard_output_and_by_extension(tmp_path):
    runner = CliRunner()
    assert runner.invoke(main, ["init", str(tmp_path / "ws")]).exit_code == 0
    config = str(tmp_path / "ws" / "satudata.toml")
    result = runner.invoke(main, ["-c", config, "export", "-o", "-", "--format", "csv", "--locale", "id"])
    assert result.exit_code == 0, result.output
    assert result.stdout.lstrip("\ufeff").startswith("opd;id;kode_data")
    assert runner.invoke(main, ["-c", config, "export", "-o", str(tmp_path / "a.xlsx")]).exit_code == 0
    assert (tmp_path / "a.xlsx").read_bytes()[:2] == b"PK"
    unknown = runner.invoke(main, ["-c", config, "export", "-o", str(tmp_path / "a.txt")])
    assert unknown.exit_code == 2 and "Sebutkan --format" in unknown.output
