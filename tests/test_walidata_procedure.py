"""The Walidata's procedure in LibreOffice Calc without false alarms: the sheet-protection
verifiers Calc writes are recognised for passwords of every length, and what Calc really does
with protection, checked in a headless Calc driven through its user interface (tests/tools/lo_save.py)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from sheets.xlsx import XlsxBackend
from sheets.xlsx.protect import Guard, legacy_hash, legacy_hashes, protection_state

TOOLS = Path(__file__).parent / "tools"
SHEET = "xl/worksheets/sheet1.xml"
# 1 to 64 characters, ASCII and not: Latin-1 letters, CJK, Arabic-Indic digits, an emoji
PASSWORDS = ["a", "Sandi-Walidata-2025", "x" * 15, "y" * 16, "Kata sandi ÄÖ é 東京 ٣", "ñ", "🔒Walidata🔒",
             "Magetan-Walidata-Diskominfo-2025-Satu-Data-Indonesia-Kab-Magetan"]


def _has_uno() -> bool:
    if shutil.which("soffice") is None or not Path("/usr/bin/python3").exists():
        return False
    return subprocess.run(["/usr/bin/python3", "-c", "import uno"], capture_output=True).returncode == 0


@pytest.fixture
def calc(tmp_path):
    """Run jobs in a headless LibreOffice Calc (a skip locally without it, a failure in CI)."""
    if not _has_uno():
        if os.environ.get("SATUDATA_REQUIRE_SERVICES") == "1":
            pytest.fail("LibreOffice Calc dengan python3-uno wajib tersedia di CI")
        pytest.skip("LibreOffice dengan python3-uno tidak terpasang")

    def run(jobs: list[dict]) -> list[dict]:
        done = subprocess.run(["/usr/bin/python3", str(TOOLS / "lo_save.py"), str(tmp_path / "lo-profile")],
                              input=json.dumps(jobs), capture_output=True, text=True, timeout=600, check=True,
                              cwd=TOOLS)
        return json.loads(done.stdout)
    return run


def sheet_xml(path: Path) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read(SHEET)


def test_the_legacy_verifier_covers_every_character_not_only_the_first_fifteen():
    assert legacy_hash("test") == "CBEB"  # Excel's documented verifier for "test"
    # what LibreOffice Calc 7.4 wrote (Tools > Protect Sheet, saved as .xlsx) for these passwords
    assert legacy_hash("Sandi-Walidata-2025") == "88C6"
    assert legacy_hash("x" * 64) == "CB5B"
    assert legacy_hash("Kata sandi ÄÖ é 東京 ٣") == "C169"
    assert legacy_hash("Sandi-Walidata-2025") != legacy_hash("Sandi-Walidata-2026")
    assert legacy_hashes("abc") == {legacy_hash("abc")}  # ASCII: one verifier whoever wrote it


def test_calc_protected_sheets_are_recognised_for_passwords_of_1_to_64_characters(calc, tmp_path):
    jobs = [{"in": None, "out": str(tmp_path / f"p{i}.xlsx"), "protect": pw, "type": {"B2": "isi"}}
            for i, pw in enumerate(PASSWORDS)]
    for job, password in zip(calc(jobs), PASSWORDS):
        xml = sheet_xml(Path(job["out"]))
        assert b'password="' in xml  # Calc writes the legacy verifier when a person protects a sheet
        assert protection_state(xml, password) is True, password
        assert protection_state(xml, password + "!") is False


def test_calc_checks_the_pollers_sha512_protection_for_passwords_of_1_to_64_characters(calc, tmp_path):
    jobs = []
    for i, password in enumerate(PASSWORDS):
        backend = XlsxBackend(tmp_path / f"ws{i}", password)
        backend.ensure_tabs([("DINKES", "Dinas Kesehatan")])
        jobs.append({"in": str(backend.path("DINKES")), "out": str(tmp_path / f"wrong{i}.xlsx"),
                     "unprotect": password + "!", "type": {"N2": "YA"}})
        jobs.append({"in": str(backend.path("DINKES")), "out": str(tmp_path / f"right{i}.xlsx"),
                     "unprotect": password, "type": {"N2": "YA"}})
    done = calc(jobs)
    for i, password in enumerate(PASSWORDS):
        wrong, right = done[2 * i], done[2 * i + 1]
        assert wrong["typed"] == {"N2": False} and wrong["protected"] is True, password
        assert right["typed"] == {"N2": True} and right["protected"] is False, password


def test_calc_keeps_the_pollers_protection_when_an_operator_saves_and_refuses_walidata_columns(calc, tmp_path):
    backend = XlsxBackend(tmp_path / "ws", "Sandi-Walidata-2025")
    backend.ensure_tabs([("DINKES", "Dinas Kesehatan")])
    [job] = calc([{"in": str(backend.path("DINKES")), "out": str(tmp_path / "op.xlsx"), "user": "Sari Operator",
                   "type": {"B2": "K-1", "N2": "YA", "U2": "9 Terverifikasi"}}])
    assert job["typed"] == {"B2": True, "N2": False, "U2": False}
    assert protection_state(sheet_xml(tmp_path / "op.xlsx"), "Sandi-Walidata-2025") is True


def test_calc_treats_an_edit_range_with_a_password_as_locked_and_one_without_as_open_to_anyone(calc, tmp_path):
    """Why the Walidata's procedure is not an Allow-Edit-Range: Calc never asks for a range's
    password, so a range with one is as locked as the rest, and one without lets operators in."""
    backend = XlsxBackend(tmp_path / "ws", "Sandi-Walidata-2025")
    backend.ensure_tabs([("DINKES", "Dinas Kesehatan")])
    xml = sheet_xml(backend.path("DINKES"))
    end = xml.index(b"/>", xml.index(b"<sheetProtection")) + 2
    ranges = {"sandi": b'<protectedRanges><protectedRange password="%s" sqref="N2:N1000" name="Walidata"/>'
                       b'</protectedRanges>' % legacy_hash("Sandi-Walidata-2025").encode(),
              "tanpa": b'<protectedRanges><protectedRange sqref="N2:N1000" name="Walidata"/></protectedRanges>'}
    jobs = []
    for name, element in ranges.items():
        path = tmp_path / f"{name}.xlsx"
        with zipfile.ZipFile(backend.path("DINKES")) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
            for part in src.namelist():
                out.writestr(part, xml[:end] + element + xml[end:] if part == SHEET else src.read(part))
        jobs.append({"in": str(path), "out": str(tmp_path / f"{name}-saved.xlsx"), "type": {"N2": "YA"}})
    sandi, tanpa = calc(jobs)
    assert sandi["typed"] == {"N2": False}
    assert tanpa["typed"] == {"N2": True}


def test_the_guard_recognises_calc_reprotection_so_the_procedure_raises_no_alarm(calc, tmp_path):
    backend = XlsxBackend(tmp_path / "ws", "Sandi-Walidata-2025")
    backend.ensure_tabs([("DINKES", "Dinas Kesehatan")])
    [job] = calc([{"in": str(backend.path("DINKES")), "out": str(tmp_path / "w.xlsx"), "user": "Budi Walidata",
                   "unprotect": "Sandi-Walidata-2025", "type": {"N2": "YA"}, "protect": "Sandi-Walidata-2025"}])
    assert job["typed"] == {"N2": True}
    assert Guard("Sandi-Walidata-2025").state(sheet_xml(tmp_path / "w.xlsx")) is True


PASSWORD_19 = "Sandi-Walidata-2025"


def _workspace(tmp_path: Path, monkeypatch):
    from tests.test_xlsx_flow import CONFIG, Workspace
    monkeypatch.setenv("SATUDATA_WALIDATA_SANDI", PASSWORD_19)
    ws = Workspace(tmp_path)
    (tmp_path / "satudata.toml").write_text(
        CONFIG + '\n[walidata]\nnama = "Budi Walidata"\nkata_sandi_env = "SATUDATA_WALIDATA_SANDI"\n', encoding="utf-8")
    ws.cli("poll", "--once")
    ws.edit("DINKES", 2, kode_data="DEMO-DINKES-006", uraian_data="Jumlah Kasus Tuberkulosis", satuan="Kasus")
    ws.cli("poll", "--once")
    return ws


def _events(ws) -> list[dict]:
    from service.archive.queries import Queries
    from service.archive.store import Store, make_engine
    return Queries(Store(make_engine(f"sqlite:///{ws.root / 'arsip.sqlite'}")).engine).events(opd="DINKES")


def _a1(ws) -> str:
    note = ws.cell("DINKES", 1, "ID").comment
    return note.text if note else ""


def _in_calc(calc, ws, tmp_path: Path, **job) -> dict:
    """The Walidata (or an operator) works on DINKES.xlsx in Calc and saves it in place."""
    saved = tmp_path / "calc-saved.xlsx"
    [done] = calc([{"in": str(ws.path("DINKES")), "out": str(saved), **job}])
    shutil.move(saved, ws.path("DINKES"))
    return done


def test_the_walidatas_procedure_in_calc_with_a_19_character_password_raises_no_alarm(calc, tmp_path, monkeypatch):
    ws = _workspace(tmp_path, monkeypatch)
    done = _in_calc(calc, ws, tmp_path, user="Budi Walidata", unprotect=PASSWORD_19, type={"N2": "YA"},
                    protect=PASSWORD_19)
    assert done["typed"] == {"N2": True}
    ws.cli("poll", "--once")
    assert ws.cell("DINKES", 2, "Status").value.startswith("3")
    assert "TANPA proteksi" not in _a1(ws)
    [event] = [e for e in _events(ws) if e["to_state"] == "3"]
    assert event["oleh"] == "Budi Walidata"
    assert "disimpan ketika lembar terproteksi" in event["bagaimana"]
    assert "tanpa proteksi" not in event["reason"] and "bukan Walidata" not in event["reason"]


def test_the_walidata_forgetting_to_protect_again_is_protected_quietly_with_an_audit_line(calc, tmp_path, monkeypatch):
    ws = _workspace(tmp_path, monkeypatch)
    _in_calc(calc, ws, tmp_path, user="Budi Walidata", unprotect=PASSWORD_19, type={"N2": "YA"})
    assert protection_state(sheet_xml(ws.path("DINKES")), PASSWORD_19) is False
    ws.cli("poll", "--once")
    assert protection_state(sheet_xml(ws.path("DINKES")), PASSWORD_19) is True
    assert "TANPA proteksi" not in _a1(ws)
    [event] = [e for e in _events(ws) if e["to_state"] == "3"]
    assert "tanpa proteksi" not in event["reason"]
    assert "disimpan tanpa proteksi oleh penyimpan yang tercantum di [walidata]; proteksi dipasang kembali" \
        in event["bagaimana"]


def test_an_operators_tick_in_a_walidata_column_still_raises_the_alarm(calc, tmp_path, monkeypatch):
    import openpyxl

    from sheets.xlsx import save_atomic
    ws = _workspace(tmp_path, monkeypatch)
    # an operator in Calc cannot type there while the sheet is protected ...
    assert _in_calc(calc, ws, tmp_path, user="Sari Operator", type={"N2": "YA"})["typed"] == {"N2": False}
    # ... so ticks with a tool that ignores protection, once leaving it on, once taking it off
    book = openpyxl.load_workbook(ws.path("DINKES"))
    book.worksheets[0]["N2"] = "YA"
    book.properties.lastModifiedBy = "Sari Operator"
    save_atomic(book, ws.path("DINKES"))
    ws.cli("poll", "--once")
    [event] = [e for e in _events(ws) if e["to_state"] == "3"]
    assert event["oleh"] == "Sari Operator" and "bukan Walidata" in event["reason"]
    assert "Sari Operator, yang tidak tercantum di [walidata], ketika lembar terproteksi" in _a1(ws)
    book = openpyxl.load_workbook(ws.path("DINKES"))
    book.worksheets[0]["N2"] = None
    save_atomic(book, ws.path("DINKES"))
    ws.cli("poll", "--once")  # stepped back to 1
    book = openpyxl.load_workbook(ws.path("DINKES"))
    book.worksheets[0].protection.sheet = False
    book.worksheets[0]["N2"] = "YA"
    book.properties.lastModifiedBy = "Sari Operator"
    save_atomic(book, ws.path("DINKES"))
    ws.cli("poll", "--once")
    assert "TANPA proteksi" in _a1(ws)
    last = [e for e in _events(ws) if e["to_state"] == "3"][0]  # newest first
    assert "tanpa proteksi" in last["reason"]
