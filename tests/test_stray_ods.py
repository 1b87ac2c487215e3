"""A stray KODE.ods (LibreOffice's default save) next to KODE.xlsx is named, not ignored (DECISIONS.md #9)."""
from __future__ import annotations

import openpyxl

from tests.test_xlsx_flow import Workspace


def test_stray_ods_is_named_in_the_cycle_report_status_and_a1_until_removed(tmp_path):
    ws = Workspace(tmp_path)
    ws.cli("poll", "--once")
    ws.edit("DINKES", 2, uraian_data="Jumlah Kasus Tuberkulosis", satuan="Kasus")
    ws.cli("poll", "--once")
    ods = tmp_path / "sheets" / "DINKES.ods"
    ods.write_bytes(b"PK\x03\x04 saved by LibreOffice")  # the operator's edits went here
    out = ws.cli("poll", "--once").output
    assert "DINKES.ods" in out and "simpan sebagai Excel 2007-365 (.xlsx)" in out
    out = ws.cli("poll", "--once").output  # every cycle, not only the first
    assert "DINKES.ods" in out
    assert "DINKES.ods" in ws.cli("status").output
    note = openpyxl.load_workbook(ws.path("DINKES")).worksheets[0]["A1"].comment
    assert note is not None and "DINKES.ods" in note.text
    assert "DIKPORA.ods" not in out
    ods.unlink()
    out = ws.cli("poll", "--once").output
    assert ".ods" not in out and ".ods" not in ws.cli("status").output
    assert openpyxl.load_workbook(ws.path("DINKES")).worksheets[0]["A1"].comment is None
