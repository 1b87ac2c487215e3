"""DECISIONS.md #11 in Excel: the saving user (docProps/core.xml cp:lastModifiedBy, as Excel and
LibreOffice write it) and the user in the lock file name who made a change."""
from __future__ import annotations

import json

import openpyxl

from tests.test_xlsx_flow import Workspace
from sheets.layout import match_headers
from sheets.xlsx import save_atomic


def edit_as(ws: Workspace, user: str, row: int, **values) -> None:
    """Save the workbook as ``user``'s spreadsheet program would: cp:lastModifiedBy is the user."""
    wb = openpyxl.load_workbook(ws.path("DINKES"))
    sheet = wb.worksheets[0]
    cols = match_headers([c.value for c in sheet[1]]).columns
    for key, value in values.items():
        sheet.cell(row, cols[key] + 1, value)
    wb.properties.lastModifiedBy = user
    save_atomic(wb, ws.path("DINKES"))


def history(ws: Workspace, row_id: str) -> list[dict]:
    return json.loads(ws.cli("riwayat", "DINKES", row_id, "--json").output)["peristiwa"]


def test_the_saving_user_of_the_workbook_is_who_made_the_change(tmp_path):
    ws = Workspace(tmp_path)
    ws.cli("poll", "--once")
    edit_as(ws, "Sari Operator Dinkes", 2, uraian_data="Jumlah Puskesmas", satuan="Unit")
    ws.cli("poll", "--once")
    edit_as(ws, "Budi Walidata", 2, dicek_bersama="YA")
    ws.cli("poll", "--once")
    edit_as(ws, "Sari Operator Dinkes", 2, satuan="Buah")
    ws.cli("poll", "--once")
    events = history(ws, "DINKES-0001")
    assert [(e["jenis"], e["kolom"], e["dari"], e["ke"], e["oleh"]) for e in events] == [
        ("status", None, None, "1", "Sari Operator Dinkes"),
        ("nilai", "Dicek Bersama", "kosong", "dicentang", "Budi Walidata"),
        ("status", None, "1", "3", "Budi Walidata"),
        ("nilai", "Satuan", "Unit", "Buah", "Sari Operator Dinkes"),
    ]
    assert all("lastModifiedBy" in e["bagaimana"] for e in events)


def test_a_user_who_has_the_workbook_open_is_a_candidate_too(tmp_path):
    ws = Workspace(tmp_path)
    ws.cli("poll", "--once")
    edit_as(ws, "Sari", 2, uraian_data="Jumlah Puskesmas", satuan="Unit")
    (tmp_path / "sheets" / ".~lock.DINKES.xlsx#").write_text(
        "Budi Santoso,budi,PC-07,01.12.2026 10:00,file:///home/budi/.config/libreoffice/4;", encoding="utf-8")
    ws.cli("poll", "--once")
    first = history(ws, "DINKES-0001")[0]
    assert first["oleh"] == "salah satu dari: Sari, Budi Santoso"
    assert "berkas kunci" in first["bagaimana"]


def test_lock_files_of_libreoffice_and_excel_name_their_user(tmp_path):
    from sheets.xlsx import XlsxBackend

    backend = XlsxBackend(tmp_path / "sheets")
    backend.ensure_tabs([("DINKES", "Dinas Kesehatan")])
    folder = backend.folder

    def opened_by():
        [result] = backend.read(["DINKES"], {})
        return result.snapshot.trail.opened_by

    assert opened_by() is None
    lo = folder / ".~lock.DINKES.xlsx#"
    lo.write_text(",sari,PC-01,01.12.2026 09:00,file:///C:/Users/sari/AppData/Roaming/LibreOffice/4;", encoding="utf-8")
    assert opened_by() == "sari"  # no full name set in LibreOffice: the system user
    lo.unlink()
    name = "Ani Rahayu"
    excel = bytes([len(name)]) + name.encode("cp1252")
    excel = excel.ljust(0x36, b" ") + len(name).to_bytes(2, "little") + name.encode("utf-16-le")
    (folder / "~$DINKES.xlsx").write_bytes(excel.ljust(165, b"\0"))
    assert opened_by() == "Ani Rahayu"
    (folder / "~$DINKES.xlsx").write_bytes(b"")
    assert opened_by() == "(pengguna tidak tercatat di berkas kunci)"
