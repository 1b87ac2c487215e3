"""A poller write patches the workbook: everything other than the poller's own cells and notes
stays byte for byte as the user left it, and the result opens in LibreOffice, openpyxl and calamine."""
from __future__ import annotations

import re
import shutil
import subprocess
import warnings
import zipfile
from pathlib import Path

import openpyxl
import pytest

from sheets.xlsx import ooxml as xlsx_xml
from sheets.base import OWNED_NOTE_PREFIX, CellWrite, NoteWrite, TabWrites
from sheets.layout import COLUMNS
from sheets.xlsx import XlsxBackend
from sheets.xlsx.notes import comment_text
from tests import xlsx_rich

COL = {c.key: i for i, c in enumerate(COLUMNS)}
ID, NILAI, STATUS, HASIL, DIPERBARUI = COL["id"], COL["nilai"], COL["status"], COL["hasil_pemeriksaan"], COL["diperbarui"]
DICEK, SELESAI = COL["dicek_bersama"], COL["selesai_diisi"]
SOFFICE = shutil.which("soffice")
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) tidak terpasang")
ROWS = [[None, "K1", "Jumlah bidan", None, "Orang", 2024, 31] + [None] * 6 + ["YA", None, None, None, "YA"],
        [None, "K2", "Jumlah perawat", None, "Orang", 2024, 40] + [None] * 6 + ["YA"]]
NOTE = OWNED_NOTE_PREFIX + " Nilai harus berupa angka & <bukan> teks"
SHEET = "xl/worksheets/sheet1.xml"


def soffice(*args: str, cwd: Path) -> None:
    profile = cwd / "lo-profile"
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", *args],
                   cwd=cwd, check=True, capture_output=True, timeout=120)


def rich(tmp_path: Path, kind: str) -> XlsxBackend:
    backend = XlsxBackend(tmp_path / "sheets")
    backend.ensure_tabs([("DINKES", "Dinas Kesehatan")])
    path = backend.path("DINKES")
    xlsx_rich.openpyxl_made(path, "DINKES", ROWS)
    xlsx_rich.add_drawing_and_thread(path, "DINKES")
    if kind == "libreoffice":
        out = tmp_path / "lo"
        soffice("--convert-to", "xlsx", "--outdir", str(out), str(path), cwd=tmp_path)
        shutil.copyfile(out / "DINKES.xlsx", path)
    return backend


def poller_batch() -> TabWrites:
    cells = [CellWrite(1, ID, "DINKES-0001"), CellWrite(1, STATUS, "3 Dicek"),
             CellWrite(1, HASIL, "GALAT: Nilai harus berupa angka\nLANGKAH: urutan"),
             CellWrite(1, DIPERBARUI, "02-06-2025 09.00 WIB"), CellWrite(1, SELESAI, False),
             CellWrite(2, ID, "DINKES-0002"), CellWrite(2, STATUS, "1 Draf"), CellWrite(2, HASIL, "Lolos pemeriksaan")]
    notes = [NoteWrite(1, NILAI, NOTE), NoteWrite(2, NILAI, OWNED_NOTE_PREFIX + " menimpa catatan orang?")]
    return TabWrites("DINKES", "DINKES", cells, notes)


def cells_of(xml: bytes) -> dict[str, bytes]:
    return {m.group(1).decode(): m.group(0) for m in re.finditer(rb'<c r="([A-Z]+\d+)"[^>]*?(?:/>|>.*?</c>)', xml, re.S)}


def outside_sheet_data(xml: bytes) -> bytes:
    """The sheet XML without the parts a write may change: cells, dimension, dropdowns, the notes' drawing link."""
    xml = re.sub(rb"<sheetData.*?</sheetData>|<sheetData/>", b"", xml, flags=re.S)
    xml = re.sub(rb"<dimension [^>]*/>|<legacyDrawing [^>]*/>", b"", xml)
    return re.sub(rb'(<dataValidation\b[^>]*?sqref=")[^"]*(")', rb"\1\2", xml)


def read_with_openpyxl(path: Path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about the parts it does not understand
        return openpyxl.load_workbook(path)["DINKES"]


@needs_soffice
@pytest.mark.parametrize("kind", ["openpyxl", "libreoffice"])
def test_a_poller_write_changes_only_the_pollers_cells_and_notes(tmp_path, kind):
    backend = rich(tmp_path, kind)
    path = backend.path("DINKES")
    before = xlsx_rich.parts_of(path)
    [read] = backend.read(["DINKES"], {})
    result = backend.write([poller_batch()], {"DINKES": read.snapshot})["DINKES"]
    assert result.reason is None
    after = xlsx_rich.parts_of(path)

    may_change = {SHEET, "xl/worksheets/_rels/sheet1.xml.rels", "[Content_Types].xml", "xl/styles.xml"}
    may_change |= {n for n in after if re.fullmatch(r"xl/(comments/)?comments?\d*\.xml|xl/drawings/\w+\.vml", n)}
    assert set(before) <= set(after) and set(after) - set(before) <= may_change
    assert {n: d for n, d in before.items() if n not in may_change} == \
           {n: d for n, d in after.items() if n in before and n not in may_change}

    written = {"A2", "U2", "V2", "W2", "R2", "A3", "U3", "V3"}
    old_cells, new_cells = cells_of(before[SHEET]), cells_of(after[SHEET])
    assert {r: c for r, c in old_cells.items() if r not in written} == \
           {r: c for r, c in new_cells.items() if r not in written}
    assert outside_sheet_data(before[SHEET]) == outside_sheet_data(after[SHEET])
    assert rows_in_order(after[SHEET])

    [again] = backend.read(["DINKES"], {})
    expected = [list(row) for row in read.snapshot.rows]
    for write in poller_batch().cells:
        expected[write.row - 1][write.col] = write.value or None
    assert again.snapshot.rows == expected
    sheet = read_with_openpyxl(path)
    assert [sheet.cell(2, c + 1).value for c in (ID, STATUS, HASIL, SELESAI)] == [
        "DINKES-0001", "3 Dicek", "GALAT: Nilai harus berupa angka\nLANGKAH: urutan", None]
    assert sheet.cell(2, NILAI + 1).comment.text == NOTE
    assert sheet.cell(3, NILAI + 1).comment.text == "Angka dari BPS, jangan diubah"  # a human's note is kept
    assert sheet["H2"].value is not None and sheet["D2"].value is None

    soffice("--convert-to", "csv", "--outdir", str(tmp_path / "csv"), str(path), cwd=tmp_path)
    csv = (tmp_path / "csv" / "DINKES.csv").read_text(encoding="utf-8")
    assert "DINKES-0001" in csv and "3 Dicek" in csv and "Jumlah perawat" in csv


def test_writing_the_same_values_again_changes_no_byte(tmp_path):
    backend = XlsxBackend(tmp_path / "sheets")
    backend.ensure_tabs([("DINKES", "Dinas Kesehatan")])
    xlsx_rich.openpyxl_made(backend.path("DINKES"), "DINKES", ROWS)
    [read] = backend.read(["DINKES"], {})
    backend.write([poller_batch()], {"DINKES": read.snapshot})
    before = backend.path("DINKES").read_bytes()
    [read] = backend.read(["DINKES"], {})
    result = backend.write([poller_batch()], {"DINKES": read.snapshot})["DINKES"]
    assert result.reason is None and result.token == read.snapshot.token
    assert backend.path("DINKES").read_bytes() == before


def test_notes_are_written_into_a_new_comments_part_and_removed_again(tmp_path):
    backend = XlsxBackend(tmp_path / "sheets")
    backend.ensure_tabs([("DINKES", "Dinas Kesehatan")])
    path = backend.path("DINKES")
    [read] = backend.read(["DINKES"], {})
    backend.write([TabWrites("DINKES", "DINKES", [], [NoteWrite(1, NILAI, NOTE)])], {"DINKES": read.snapshot})
    parts = xlsx_rich.parts_of(path)
    comments = next(d for n, d in parts.items() if re.fullmatch(r"xl/comments\d+\.xml", n))
    assert comment_text(comments) == NOTE
    assert b'<legacyDrawing r:id="' in parts[SHEET]
    assert read_with_openpyxl(path).cell(2, NILAI + 1).comment.text == NOTE
    [read] = backend.read(["DINKES"], {})
    backend.write([TabWrites("DINKES", "DINKES", [], [NoteWrite(1, NILAI, None)])], {"DINKES": read.snapshot})
    assert read_with_openpyxl(path).cell(2, NILAI + 1).comment is None
    assert b"ObjectType=\"Note\"" not in next(d for n, d in xlsx_rich.parts_of(path).items() if n.endswith(".vml"))


def test_a_cell_holding_a_formula_shared_with_other_cells_refuses_the_write_and_says_so(tmp_path):
    backend = XlsxBackend(tmp_path / "sheets")
    backend.ensure_tabs([("DINKES", "Dinas Kesehatan")])
    path = backend.path("DINKES")
    xlsx_rich.openpyxl_made(path, "DINKES", ROWS)
    with zipfile.ZipFile(path) as archive:
        parts = {i.filename: archive.read(i) for i in archive.infolist()}
    sheet = parts[SHEET].decode()
    assert '<c r="U2"' not in sheet
    sheet = sheet.replace("</row>", "</row>", 1)
    sheet = re.sub(r'(<row r="2"[^>]*>.*?)</row>', r'\1<c r="U2"><f t="shared" ref="U2:U3" si="0">B2</f><v>0</v></c></row>',
                   sheet, count=1, flags=re.S)
    parts[SHEET] = sheet.encode()
    with zipfile.ZipFile(path, "w") as target:
        for name, data in parts.items():
            target.writestr(name, data)
    before = path.read_bytes()
    [read] = backend.read(["DINKES"], {})
    result = backend.write([TabWrites("DINKES", "DINKES", [CellWrite(1, STATUS, "1 Draf")])],
                           {"DINKES": read.snapshot})["DINKES"]
    assert "tidak ditulis agar isinya tidak hilang" in result.reason and "U2" in result.reason
    assert path.read_bytes() == before


def test_the_ya_dropdowns_are_reapplied_past_the_used_rows_after_libreoffice_trimmed_them(tmp_path):
    backend = XlsxBackend(tmp_path / "sheets")
    backend.ensure_tabs([("DINKES", "Dinas Kesehatan")])
    path = backend.path("DINKES")
    xlsx_rich.openpyxl_made(path, "DINKES", ROWS * 700)  # 1,400 rows
    with zipfile.ZipFile(path) as archive:
        parts = {i.filename: archive.read(i) for i in archive.infolist()}
    # what LibreOffice leaves: the YA dropdowns only down to row 1,001
    parts[SHEET] = re.sub(rb'sqref="N2:N2000[^"]*"', b'sqref="N2:S1001"', parts[SHEET])
    with zipfile.ZipFile(path, "w") as target:
        for name, data in parts.items():
            target.writestr(name, data)
    [read] = backend.read(["DINKES"], {})
    backend.write([TabWrites("DINKES", "DINKES", [CellWrite(1, STATUS, "1 Draf")])], {"DINKES": read.snapshot})
    sheet = read_with_openpyxl(path)
    boxes = [v for v in sheet.data_validations.dataValidation if v.formula1 == '"YA"']
    covered = {str(r) for v in boxes for r in v.sqref.ranges}
    assert {f"{c}2:{c}2401" for c in "NOPQRS"} <= covered
    others = [v for v in sheet.data_validations.dataValidation if v.formula1 == "Daftar!$A$1:$A$4"]
    assert [str(r) for r in others[0].sqref.ranges] == ["E2:E500"]  # the user's own dropdown is kept


def test_hasil_pemeriksaan_is_written_wrapped(tmp_path):
    backend = XlsxBackend(tmp_path / "sheets")
    backend.ensure_tabs([("DINKES", "Dinas Kesehatan")])
    [read] = backend.read(["DINKES"], {})
    backend.write([TabWrites("DINKES", "DINKES", [CellWrite(1, HASIL, "a\nb"), CellWrite(1, STATUS, "1 Draf")])],
                  {"DINKES": read.snapshot})
    sheet = read_with_openpyxl(backend.path("DINKES"))
    assert sheet.cell(2, HASIL + 1).alignment.wrap_text is True


def test_a_read_only_workbook_is_not_replaced_and_the_tab_is_told_why(tmp_path):
    backend = XlsxBackend(tmp_path / "sheets")
    backend.ensure_tabs([("DINKES", "Dinas Kesehatan")])
    path = backend.path("DINKES")
    [read] = backend.read(["DINKES"], {})
    path.chmod(0o444)
    before = path.read_bytes()
    try:
        result = backend.write([TabWrites("DINKES", "DINKES", [CellWrite(1, STATUS, "1 Draf")])],
                               {"DINKES": read.snapshot})["DINKES"]
        assert "hanya-baca" in result.reason and "tidak ditulis" in result.reason
        assert path.read_bytes() == before and oct(path.stat().st_mode & 0o777) == "0o444"
        assert backend.requests["write"] == 0
    finally:
        path.chmod(0o644)


def test_a_stray_ods_beside_the_workbook_is_named_with_how_to_save_it(tmp_path):
    backend = XlsxBackend(tmp_path / "sheets")
    backend.ensure_tabs([("DINKES", "Dinas Kesehatan"), ("BAPPEDA", "Bappeda")])
    (backend.folder / "DINKES.ods").write_bytes(b"PK")
    backend.path("BAPPEDA").rename(backend.folder / "BAPPEDA.ods")
    results = {r.opd: r for r in backend.read(["DINKES", "BAPPEDA"], {})}
    warning = results["DINKES"].notice
    assert "DINKES.ods" in warning and "simpan sebagai Excel 2007-365 (.xlsx)" in warning
    assert "BAPPEDA.ods" in results["BAPPEDA"].error and "Excel 2007-365 (.xlsx)" in results["BAPPEDA"].error


def test_the_snapshot_names_the_saving_user_and_the_user_who_has_it_open(tmp_path):
    backend = XlsxBackend(tmp_path / "sheets")
    backend.ensure_tabs([("DINKES", "Dinas Kesehatan")])
    path = backend.path("DINKES")
    workbook = openpyxl.load_workbook(path)
    workbook.properties.lastModifiedBy = "Operator DINKES"
    workbook.save(path)
    (backend.folder / ".~lock.DINKES.xlsx#").write_text(
        "Budi Santoso,budi,PC-DINKES,02.06.2025 08:00,file:///home/budi/.config/libreoffice/4;", encoding="utf-8")
    [read] = backend.read(["DINKES"], {})
    assert read.snapshot.trail.saved_by == "Operator DINKES"
    assert read.snapshot.trail.opened_by == "Budi Santoso"
    assert read.snapshot.trail.opened_since.strftime("%d.%m.%Y %H:%M") == "02.06.2025 08:00"


def test_the_workbook_as_written_keeps_its_parts_readable_by_the_read_path(tmp_path):
    backend = XlsxBackend(tmp_path / "sheets")
    backend.ensure_tabs([("DINKES", "Dinas Kesehatan")])
    [read] = backend.read(["DINKES"], {})
    backend.write([poller_batch()], {"DINKES": read.snapshot})
    with zipfile.ZipFile(backend.path("DINKES")) as archive:
        parts = xlsx_xml.package(archive)
        assert archive.testzip() is None and parts.sheets["DINKES"] == SHEET


@needs_soffice
def test_dropdowns_libreoffice_trimmed_on_save_reach_the_template_rows_again_after_a_write(tmp_path):
    backend = XlsxBackend(tmp_path / "sheets")
    backend.ensure_tabs([("DINKES", "Dinas Kesehatan")])
    path = backend.path("DINKES")
    soffice("--convert-to", "xlsx", "--outdir", str(tmp_path / "lo"), str(path), cwd=tmp_path)
    shutil.copyfile(tmp_path / "lo" / "DINKES.xlsx", path)
    trimmed = re.findall(rb'<dataValidation\b[^>]*>', xlsx_rich.parts_of(path)[SHEET])
    assert any(b'sqref="N2:S1001"' in v for v in trimmed)  # what LibreOffice does on save
    [read] = backend.read(["DINKES"], {})
    backend.write([TabWrites("DINKES", "DINKES", [CellWrite(1, STATUS, "1 Draf")])], {"DINKES": read.snapshot})
    sheet = read_with_openpyxl(path)
    covered = {str(r) for v in sheet.data_validations.dataValidation for r in v.sqref.ranges}
    assert {f"{c}2:{c}2000" for c in "NOPQRS"} <= covered


@needs_soffice
def test_with_sheet_protection_the_users_content_is_kept_too_and_libreoffice_opens_it(tmp_path):
    backend = rich(tmp_path, "openpyxl")
    protected = XlsxBackend(backend.folder, "sandi Walidata")
    path = backend.path("DINKES")
    before = xlsx_rich.parts_of(path)
    [read] = protected.read(["DINKES"], {})
    assert protected.write([poller_batch()], {"DINKES": read.snapshot})["DINKES"].reason is None
    after = xlsx_rich.parts_of(path)
    may_change = {SHEET, "xl/worksheets/_rels/sheet1.xml.rels", "[Content_Types].xml", "xl/styles.xml"}
    may_change |= {n for n in after if re.fullmatch(r"xl/(comments/)?comments?\d*\.xml|xl/drawings/\w+\.vml", n)}
    assert {n: d for n, d in before.items() if n not in may_change} == \
           {n: d for n, d in after.items() if n in before and n not in may_change}
    assert b"<sheetProtection " in after[SHEET]
    [again] = protected.read(["DINKES"], {})
    assert again.snapshot.protected is True and again.snapshot.cell(0, 7) == "Sumber: Dinkes"
    soffice("--convert-to", "csv", "--outdir", str(tmp_path / "csv"), str(path), cwd=tmp_path)
    assert "DINKES-0001" in (tmp_path / "csv" / "DINKES.csv").read_text(encoding="utf-8")


def test_a_stray_ods_is_reported_by_poll_every_cycle_even_when_the_workbook_is_unchanged(tmp_path):
    from tests.test_xlsx_flow import Workspace
    ws = Workspace(tmp_path)
    ws.cli("poll", "--once")
    (tmp_path / "sheets" / "DINKES.ods").write_bytes(b"PK")
    for _ in range(2):
        out = ws.cli("poll", "--once").output
        assert "DINKES.ods" in out and "simpan sebagai Excel 2007-365 (.xlsx)" in out


def test_many_notes_are_added_in_row_order_beside_a_humans_and_replaced_in_place(tmp_path):
    backend = XlsxBackend(tmp_path / "sheets")
    backend.ensure_tabs([("DINKES", "Dinas Kesehatan")])
    xlsx_rich.openpyxl_made(backend.path("DINKES"), "DINKES", ROWS * 20)  # a human note on G3
    rows = [9, 1, 30, 4, 17, 22, 3, 12]
    [read] = backend.read(["DINKES"], {})
    notes = [NoteWrite(r, NILAI, f"{OWNED_NOTE_PREFIX} baris {r + 1}") for r in rows]
    backend.write([TabWrites("DINKES", "DINKES", [], notes)], {"DINKES": read.snapshot})
    [read] = backend.read(["DINKES"], {})
    again = [NoteWrite(r, NILAI, f"{OWNED_NOTE_PREFIX} baris {r + 1} diganti") for r in rows]
    backend.write([TabWrites("DINKES", "DINKES", [], again)], {"DINKES": read.snapshot})
    parts = xlsx_rich.parts_of(backend.path("DINKES"))
    comments = next(d for n, d in parts.items() if re.fullmatch(r"xl/(comments/)?comments?\d*\.xml", n))
    order = [int(r) for r in re.findall(rb'<comment ref="G(\d+)"', comments)]
    assert order == sorted(r + 1 for r in [*rows, 2]) and len(order) == len(set(order))
    sheet = read_with_openpyxl(backend.path("DINKES"))
    assert sheet.cell(3, NILAI + 1).comment.text == "Angka dari BPS, jangan diubah"
    assert [sheet.cell(r + 1, NILAI + 1).comment.text for r in rows if r != 2] == [n.text for n in again if n.row != 2]


def test_control_characters_an_operator_pasted_never_make_the_xml_invalid(tmp_path):
    backend = XlsxBackend(tmp_path / "sheets")
    backend.ensure_tabs([("DINKES", "Dinas Kesehatan")])
    text = OWNED_NOTE_PREFIX + " isian 'a\x01b' & <c>"
    batch = TabWrites("DINKES", "DINKES", [CellWrite(1, HASIL, "GALAT: 'a\x01b'")], [NoteWrite(1, NILAI, text)])
    [read] = backend.read(["DINKES"], {})
    backend.write([batch], {"DINKES": read.snapshot})
    sheet = read_with_openpyxl(backend.path("DINKES"))
    assert sheet.cell(2, HASIL + 1).value == "GALAT: 'a_x0001_b'"  # OOXML's escape, as Excel writes it
    assert sheet.cell(2, NILAI + 1).comment.text == OWNED_NOTE_PREFIX + " isian 'ab' & <c>"
    [read] = backend.read(["DINKES"], {})
    assert read.snapshot.rows[0][HASIL] == "GALAT: 'a\x01b'"  # and read back exactly
    before = backend.path("DINKES").read_bytes()
    assert backend.write([batch], {"DINKES": read.snapshot})["DINKES"].reason is None
    assert backend.path("DINKES").read_bytes() == before  # the same write again changes nothing


def rows_in_order(xml: bytes) -> bool:
    """Valid OOXML: rows ascending, and the cells of each row ascending by column."""
    from xml.etree import ElementTree as ET
    root = ET.fromstring(xml)
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    numbers = [int(r.get("r")) for r in root.iterfind("m:sheetData/m:row", ns)]
    if numbers != sorted(set(numbers)):
        return False
    for row in root.iterfind("m:sheetData/m:row", ns):
        cols = [xlsx_xml.split_ref(c.get("r"))[1] for c in row.iterfind("m:c", ns)]
        if cols != sorted(set(cols)):
            return False
    return True


def test_cells_written_into_new_and_existing_rows_stay_in_column_order_write_after_write(tmp_path):
    backend = XlsxBackend(tmp_path / "sheets")
    backend.ensure_tabs([("DINKES", "Dinas Kesehatan")])
    xlsx_rich.openpyxl_made(backend.path("DINKES"), "DINKES", ROWS * 3)
    for round_ in range(3):
        [read] = backend.read(["DINKES"], {})
        cells = [CellWrite(r, c, f"{round_}-{r}-{c}") for r in (1, 3, 9, 12) for c in (DIPERBARUI, ID, HASIL, STATUS)]
        cells.append(CellWrite(4, SELESAI, round_ % 2 == 0))
        backend.write([TabWrites("DINKES", "DINKES", cells)], {"DINKES": read.snapshot})
        assert rows_in_order(xlsx_rich.parts_of(backend.path("DINKES"))[SHEET])
    [read] = backend.read(["DINKES"], {})
    assert read.snapshot.cell(11, STATUS) == f"2-12-{STATUS}" and read.snapshot.cell(0, DIPERBARUI) == f"2-1-{DIPERBARUI}"


def compressed_members(path: Path) -> dict[str, tuple[int, int, int, bytes]]:
    """Each member's (CRC, sizes) and its compressed bytes exactly as stored in the zip."""
    data = path.read_bytes()
    out = {}
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            at = info.header_offset
            start = at + 30 + int.from_bytes(data[at + 26:at + 28], "little") + int.from_bytes(data[at + 28:at + 30], "little")
            out[info.filename] = (info.CRC, info.compress_size, info.file_size, data[start:start + info.compress_size])
    return out


@needs_soffice
def test_a_write_copies_every_untouched_member_compressed_bytes_and_all_and_readers_open_it(tmp_path):
    """Untouched parts are copied without being inflated and deflated again: their compressed
    stream, CRC and sizes are byte-identical; calamine, openpyxl and LibreOffice still open it."""
    from python_calamine import CalamineWorkbook
    backend = rich(tmp_path, "libreoffice")
    path = backend.path("DINKES")
    with zipfile.ZipFile(path) as made:  # as another writer compresses (level 1), so a recompression shows
        members = [(info, made.read(info)) for info in made.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as repacked:
        for info, data in members:
            repacked.writestr(info, data, compresslevel=1)
    before = compressed_members(path)
    [read] = backend.read(["DINKES"], {})
    backend.write([TabWrites("DINKES", "DINKES", [CellWrite(1, STATUS, "1 Draf")])], {"DINKES": read.snapshot})
    after = compressed_members(path)
    untouched = [n for n in before if n not in (SHEET, "[Content_Types].xml", "xl/styles.xml")
                 and not re.search(r"comments|drawings/\w+\.vml|_rels/sheet1", n)]
    assert len(untouched) >= 5
    assert {n: before[n] for n in untouched} == {n: after[n] for n in untouched}
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
    assert CalamineWorkbook.from_path(str(path)).get_sheet_by_name("DINKES").to_python()[1][STATUS] == "1 Draf"
    assert read_with_openpyxl(path).cell(2, STATUS + 1).value == "1 Draf"
    soffice("--convert-to", "csv", "--outdir", str(tmp_path / "csv"), str(path), cwd=tmp_path)
    assert "1 Draf" in (tmp_path / "csv" / "DINKES.csv").read_text(encoding="utf-8")


@pytest.mark.parametrize("rows", [
    b'<row r="2" spans="1:3"><c r="A2"><v>1</v></c></row><row r="3"/><row r="12"><c r="A12"><v>2</v></c></row>',
    b'<row spans="1:3" r="2"><c r="A2"><v>1</v></c></row><row r="3"/><row r="12"><c r="A12"><v>2</v></c></row>',
    b'<row r="3"/><row r="2"><c r="A2"><v>1</v></c></row><row r="12"><c r="A12"><v>2</v></c></row>',
    b'<row r="2"><c r="A2"><v>1</v></c></row><row r="120"><c r="A120"><v>2</v></c></row>',
])
def test_the_rows_written_are_found_without_a_scan_as_a_full_scan_finds_them(rows):
    """Rows found by their address (ordered sheet, ``r`` first) or, otherwise, by a full scan
    give the same spans as scanning every row."""
    from sheets.xlsx import patch
    xml = b"<worksheet><sheetData>" + rows + b"</sheetData></worksheet>"
    start, stop, _ = patch.sheet_data_span(xml)
    every = {int(r): span for r, span in patch._spans(xml, patch._ROW_ELEMENT, start, stop)}
    for wanted in ([2], [3, 12], [2, 3, 12], [12], [2, 120], [120]):
        found = patch._row_spans(xml, wanted, start, stop)
        assert {n: found[n] for n in wanted if n in found} == {n: every[n] for n in wanted if n in every}


def test_the_comments_index_reads_each_comments_ref_attribute_as_the_attribute_parser_does():
    from sheets.xlsx.notes import _COMMENT, _attrs, _comment_elements

    xml = (b'<comments><authors><author>a</author></authors><commentList>'
           b'<comment ref="A2" authorId="0" shapeId="0" xr:uid="{1}"><text><t>x</t></text></comment>'
           b'<comment xr:ref="Z9" authorId="0" ref="b3"><text><t>y</t></text></comment>'
           b'<comment authorId="0" xref="C1" ref="C&amp;4"/>'
           b'<comment authorId="0"><text><t>no ref</t></text></comment></commentList></comments>')
    expected = {}
    for match in _COMMENT.finditer(xml):
        end = match.end() if match.group(2) == b"/" else xml.index(b"</comment>", match.end()) + len(b"</comment>")
        expected[_attrs(match.group(1)).get("ref", "").upper()] = (match.start(), end)
    assert {a: (start, end) for a, start, end in _comment_elements(xml)} == expected and set(expected) == {"A2", "B3", "C&4", ""}
