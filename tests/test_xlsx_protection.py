"""Roles in Excel (DECISIONS.md #10): sheet protection with the Walidata's password, operator columns
unlocked, Walidata and system columns locked, re-applied by every poller write."""
from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest

from service.archive.queries import Queries
from service.archive.store import Store, make_engine
from sheets.base import CellWrite, TabWrites
from sheets.layout import COLUMNS
from sheets.xlsx import XlsxBackend, save_atomic
from sheets.xlsx.protect import UNPROTECTED_NOTE, hash_password, legacy_hash, protection_state
from tests.test_xlsx_flow import CONFIG, Workspace

PASSWORD = "Rahasia Walidata 2025"
TOOL = Path(__file__).parent / "tools" / "lo_protection.py"
SHEET = "xl/worksheets/sheet1.xml"
OWNER = {c.header: c.owner for c in COLUMNS}


def _has_uno() -> bool:
    if shutil.which("soffice") is None or not Path("/usr/bin/python3").exists():
        return False
    return subprocess.run(["/usr/bin/python3", "-c", "import uno"], capture_output=True).returncode == 0


needs_uno = pytest.mark.skipif(not _has_uno(), reason="LibreOffice dengan python3-uno tidak terpasang")


def in_libreoffice(path: Path, tmp_path: Path, cells: str, *passwords: str) -> dict:
    done = subprocess.run(["/usr/bin/python3", str(TOOL), str(path), str(tmp_path / "lo-profile"), cells, *passwords],
                          capture_output=True, text=True, timeout=300, check=True)
    return json.loads(done.stdout)


def sheet_xml(path: Path) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read(SHEET)


def unprotect(path: Path) -> None:
    """What the Walidata does in Excel: Review > Unprotect Sheet, then save."""
    workbook = openpyxl.load_workbook(path)
    workbook.worksheets[0].protection.sheet = False
    save_atomic(workbook, path)


def test_the_password_hash_is_the_ooxml_sha512_with_salt_and_spin_count():
    # ECMA-376 Part 1, 18.2.29 / MS-OFFCRYPTO 2.4.2.4: H(salt + UTF-16LE password), then spin rounds
    import base64
    import hashlib
    salt = bytes(range(16))
    digest = hashlib.sha512(salt + "abc".encode("utf-16-le")).digest()
    for i in range(3):
        digest = hashlib.sha512(digest + i.to_bytes(4, "little")).digest()
    assert hash_password("abc", salt, 3) == base64.b64encode(digest).decode()
    assert legacy_hash("test") == "CBEB"  # Excel's documented verifier for "test"


@needs_uno
def test_libreoffice_accepts_only_the_walidata_password_and_locks_only_walidata_and_system_columns(tmp_path):
    backend = XlsxBackend(tmp_path / "sheets", PASSWORD)
    backend.ensure_tabs([("DINKES", "Dinas Kesehatan")])
    cells = {"B2": "Kode Data", "G2": "Nilai", "N2": "Dicek Bersama", "O2": "Disepakati OPD",
             "P2": "Disepakati Walidata", "S2": "Terverifikasi", "T2": "Catatan Walidata", "U2": "Status",
             "A2": "ID", "B900": "Kode Data", "S900": "Terverifikasi"}
    seen = in_libreoffice(backend.path("DINKES"), tmp_path, ",".join(cells), "salah", PASSWORD)
    assert seen["protected"] is True
    assert seen["unprotect"] == {"salah": False, PASSWORD: True}
    assert seen["locked"] == {cell: OWNER[header] != "operator" for cell, header in cells.items()}


def test_the_snapshot_tells_whether_the_sheet_is_protected_by_the_walidata_password(tmp_path):
    backend = XlsxBackend(tmp_path / "sheets", PASSWORD)
    backend.ensure_tabs([("DINKES", "Dinas Kesehatan")])
    path = backend.path("DINKES")
    assert backend.read(["DINKES"], {})[0].snapshot.protected is True
    assert XlsxBackend(backend.folder).read(["DINKES"], {})[0].snapshot.protected is None  # no password: unknown
    assert XlsxBackend(backend.folder, "lain").read(["DINKES"], {})[0].snapshot.protected is False
    edit = openpyxl.load_workbook(path)  # an operator's save in a program that keeps the protection
    edit.worksheets[0]["C2"] = "Jumlah bidan"
    save_atomic(edit, path)
    assert backend.read(["DINKES"], {})[0].snapshot.protected is True
    unprotect(path)
    assert backend.read(["DINKES"], {})[0].snapshot.protected is False


def test_an_unprotected_sheet_is_protected_again_with_a_note_on_a1_even_with_nothing_else_to_write(tmp_path):
    backend = XlsxBackend(tmp_path / "sheets", PASSWORD)
    backend.ensure_tabs([("DINKES", "Dinas Kesehatan")])
    path = backend.path("DINKES")
    unprotect(path)
    [read] = backend.read(["DINKES"], {})
    result = backend.write([TabWrites("DINKES", "DINKES")], {"DINKES": read.snapshot})["DINKES"]
    assert result.reason is None
    assert protection_state(sheet_xml(path), PASSWORD) is True
    sheet = openpyxl.load_workbook(path).worksheets[0]
    assert sheet["A1"].comment.text == UNPROTECTED_NOTE
    [again] = backend.read(["DINKES"], {})
    assert again.snapshot.protected is True
    assert backend.write([TabWrites("DINKES", "DINKES")], {"DINKES": again.snapshot}) == {}


def test_a_workbook_made_before_protection_gets_its_operator_cells_unlocked_when_the_poller_writes(tmp_path):
    folder = tmp_path / "sheets"
    XlsxBackend(folder).ensure_tabs([("DINKES", "Dinas Kesehatan")])  # no password: no protection, no col styles
    path = folder / "DINKES.xlsx"
    old = openpyxl.load_workbook(path)
    sheet = old.worksheets[0]
    for dimension in list(sheet.column_dimensions.values()):
        dimension.protection = openpyxl.styles.Protection(locked=True)
    sheet["B2"], sheet["C2"], sheet["N2"] = "K1", "Jumlah bidan", "YA"
    save_atomic(old, path)
    backend = XlsxBackend(folder, PASSWORD)
    [read] = backend.read(["DINKES"], {})
    assert read.snapshot.protected is False
    backend.write([TabWrites("DINKES", "DINKES", [CellWrite(1, 0, "DINKES-0001")])], {"DINKES": read.snapshot})
    sheet = openpyxl.load_workbook(path).worksheets[0]
    assert sheet.protection.sheet is True
    assert [sheet[c].protection.locked for c in ("B2", "C2", "N2", "A2")] == [False, False, True, True]
    letters = {"B": False, "G": False, "N": True, "S": True, "U": True}
    assert {k: sheet.column_dimensions[k].protection.locked for k in letters} == letters


def test_a_walidata_tick_on_an_unprotected_sheet_is_accepted_and_recorded_tanpa_proteksi(tmp_path, monkeypatch):
    monkeypatch.setenv("SATUDATA_WALIDATA_SANDI", PASSWORD)
    ws = Workspace(tmp_path)
    (tmp_path / "satudata.toml").write_text(CONFIG + '\n[walidata]\nkata_sandi_env = "SATUDATA_WALIDATA_SANDI"\n',
                                            encoding="utf-8")
    ws.cli("poll", "--once")
    assert protection_state(sheet_xml(ws.path("DINKES")), PASSWORD) is True
    ws.edit("DINKES", 2, kode_data="DEMO-DINKES-006", uraian_data="Jumlah Kasus Tuberkulosis", satuan="Kasus")
    ws.cli("poll", "--once")
    unprotect(ws.path("DINKES"))
    ws.edit("DINKES", 2, dicek_bersama="YA")
    ws.cli("poll", "--once")
    assert ws.cell("DINKES", 2, "Status").value.startswith("3")
    assert protection_state(sheet_xml(ws.path("DINKES")), PASSWORD) is True
    assert ws.cell("DINKES", 1, "ID").comment.text == UNPROTECTED_NOTE
    store = Store(make_engine(f"sqlite:///{tmp_path / 'arsip.sqlite'}"))
    reasons = [e["reason"] for e in Queries(store.engine).events(opd="DINKES") if e["to_state"].startswith("3")]
    assert reasons and all("tanpa proteksi" in r and "Dicek Bersama" in r for r in reasons)


def test_a_walidata_tick_on_a_protected_sheet_is_not_marked(tmp_path, monkeypatch):
    monkeypatch.setenv("SATUDATA_WALIDATA_SANDI", PASSWORD)
    ws = Workspace(tmp_path)
    (tmp_path / "satudata.toml").write_text(CONFIG + '\n[walidata]\nkata_sandi_env = "SATUDATA_WALIDATA_SANDI"\n',
                                            encoding="utf-8")
    ws.cli("poll", "--once")
    ws.edit("DINKES", 2, kode_data="DEMO-DINKES-006", uraian_data="Jumlah Kasus Tuberkulosis", satuan="Kasus",
            dicek_bersama="YA")
    ws.cli("poll", "--once")
    store = Store(make_engine(f"sqlite:///{tmp_path / 'arsip.sqlite'}"))
    assert all("tanpa proteksi" not in e["reason"] for e in Queries(store.engine).events(opd="DINKES"))


def test_a_password_reference_that_resolves_to_nothing_is_a_clear_config_error(tmp_path, monkeypatch):
    from service.cli.commands import main
    monkeypatch.delenv("SATUDATA_WALIDATA_SANDI", raising=False)
    ws = Workspace(tmp_path)
    (tmp_path / "satudata.toml").write_text(CONFIG + '\n[walidata]\nkata_sandi_env = "SATUDATA_WALIDATA_SANDI"\n',
                                            encoding="utf-8")
    result = ws.runner.invoke(main, ["-c", str(tmp_path / "satudata.toml"), "poll", "--once"])
    assert result.exit_code != 0 and "SATUDATA_WALIDATA_SANDI" in result.output


def test_the_password_can_come_from_a_file_beside_the_workspace(tmp_path):
    from service.config import load_config
    from service.walidata_password import walidata_password
    (tmp_path / "sandi.txt").write_text(PASSWORD + "\n", encoding="utf-8")
    (tmp_path / "satudata.toml").write_text(CONFIG + '\n[walidata]\nkata_sandi_file = "sandi.txt"\n', encoding="utf-8")
    assert walidata_password(load_config(tmp_path / "satudata.toml")) == PASSWORD


def test_a_new_poller_process_keeps_the_salt_it_finds_so_the_costly_hash_is_computed_once(tmp_path):
    import re
    folder = tmp_path / "sheets"
    XlsxBackend(folder, PASSWORD).ensure_tabs([("DINKES", "Dinas Kesehatan")])
    XlsxBackend(folder).ensure_tabs([("BAPPEDA", "Bappeda")])  # made without protection
    later = XlsxBackend(folder, PASSWORD)  # another process: another random salt
    reads = {r.opd: r.snapshot for r in later.read(["DINKES", "BAPPEDA"], {})}
    assert (reads["DINKES"].protected, reads["BAPPEDA"].protected) == (True, False)
    later.write([TabWrites("BAPPEDA", "BAPPEDA")], reads)
    salts = {k: re.search(rb'saltValue="([^"]*)"', sheet_xml(folder / f"{k}.xlsx")).group(1) for k in reads}
    assert salts["DINKES"] == salts["BAPPEDA"]


def test_the_tanpa_proteksi_note_goes_at_the_walidatas_next_protected_save_and_the_audit_keeps_it(tmp_path, monkeypatch):
    monkeypatch.setenv("SATUDATA_WALIDATA_SANDI", PASSWORD)
    ws = Workspace(tmp_path)
    (tmp_path / "satudata.toml").write_text(CONFIG + '\n[walidata]\nnama = "Budi Santoso"\n'
                                            'kata_sandi_env = "SATUDATA_WALIDATA_SANDI"\n', encoding="utf-8")
    ws.cli("poll", "--once")
    ws.edit("DINKES", 2, kode_data="DEMO-DINKES-006", uraian_data="Jumlah Kasus Tuberkulosis", satuan="Kasus")
    ws.cli("poll", "--once")
    unprotect(ws.path("DINKES"))
    ws.edit("DINKES", 2, dicek_bersama="YA")  # saved unprotected by an operator
    ws.cli("poll", "--once")
    assert ws.cell("DINKES", 1, "ID").comment.text == UNPROTECTED_NOTE
    ws.cli("poll", "--once")  # the poller's own protection, read back: the alarm stays for the Walidata
    assert ws.cell("DINKES", 1, "ID").comment.text == UNPROTECTED_NOTE
    book = openpyxl.load_workbook(ws.path("DINKES"))  # her normal save: protected, as the procedure says
    assert book.worksheets[0].protection.sheet
    book.worksheets[0]["D2"] = "Jumlah Kasus Tuberkulosis Paru"
    book.properties.lastModifiedBy = "Budi Santoso"
    save_atomic(book, ws.path("DINKES"))
    ws.cli("poll", "--once")
    assert protection_state(sheet_xml(ws.path("DINKES")), PASSWORD) is True
    note = ws.cell("DINKES", 1, "ID").comment
    assert note is None or "TANPA proteksi" not in note.text
    store = Store(make_engine(f"sqlite:///{tmp_path / 'arsip.sqlite'}"))
    reasons = [e["reason"] for e in Queries(store.engine).events(opd="DINKES") if e["to_state"].startswith("3")]
    assert reasons and all("tanpa proteksi" in r for r in reasons)
    store.engine.dispose()
