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
    from service.poller.wiring import open_backend

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
