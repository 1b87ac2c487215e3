"""XlsxBackend against real workbook files: template, raw reads, guarded atomic writes."""
from __future__ import annotations

import io
import json
import os
import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from openpyxl.comments import Comment
from openpyxl.utils import get_column_letter

from sheets.xlsx import files as xlsx_files
from sheets.looks import is_percent_format
from sheets.xlsx import ooxml as xlsx_xml
from sheets.base import OWNED_NOTE_PREFIX, CellWrite, NoteWrite, TabWrites
from sheets.layout import COLUMNS, HEADERS
from sheets.xlsx import XlsxBackend, new_workbook, save_atomic
from sheets.xlsx.ooxml import NO_CACHED_VALUE

NOTE = OWNED_NOTE_PREFIX + " Nilai harus berupa angka"
COL = {c.key: i for i, c in enumerate(COLUMNS)}
NILAI, STATUS, URAIAN = COL["nilai"], COL["status"], COL["uraian_data"]


@pytest.fixture
def backend(tmp_path: Path) -> XlsxBackend:
    backend = XlsxBackend(tmp_path / "sheets")
    backend.ensure_tabs([("DINKES", "Dinas Kesehatan")])
    return backend


def edit(backend: XlsxBackend, kode: str, change) -> None:
    """What an operator does: open the workbook, change it, save it."""
    path = backend.path(kode)
    workbook = openpyxl.load_workbook(path)
    change(workbook[kode])
    save_atomic(workbook, path)


def snapshot(backend: XlsxBackend, kode: str = "DINKES"):
    [result] = backend.read([kode], {})
    assert result.error is None, result.error
    return result.snapshot


def write(backend: XlsxBackend, cells=(), notes=(), kode: str = "DINKES", snap=None):
    snap = snap or snapshot(backend, kode)
    return backend.write([TabWrites(kode, kode, list(cells), list(notes))], {kode: snap})[kode]


def with_cached_results(path: Path, results: dict[str, tuple[str, str]]) -> None:
    """Give formula cells a cached result of type ``t``, as Excel does when it saves (openpyxl never does)."""
    source = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    out = io.BytesIO()
    with source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                for ref, (kind, value) in results.items():
                    pattern = rb'<c r="%s"([^>]*)>(<f>.*?</f>)<v ?/>' % ref.encode()
                    cached = rb'<c r="%s"\1 t="%s">\2<v>%s</v>' % (ref.encode(), kind.encode(), value.encode())
                    data, found = re.subn(pattern, cached, data)
                    assert found == 1
            target.writestr(info, data)
    path.write_bytes(out.getvalue())


# --- template ---------------------------------------------------------------------------------


def test_template_has_headers_frozen_header_filter_and_opd_name_in_properties(backend):
    workbook = openpyxl.load_workbook(backend.path("DINKES"))
    assert workbook.sheetnames == ["DINKES"]
    sheet = workbook["DINKES"]
    assert [c.value for c in sheet[1]] == HEADERS
    assert all(c.font.b and c.alignment.wrap_text for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{get_column_letter(len(COLUMNS))}1"
    assert sheet.max_row == 1  # the OPD name is not in the data rows
    assert workbook.properties.title == "Dinas Kesehatan"
    assert sheet.column_dimensions["C"].width == COLUMNS[2].width


def test_template_fills_headers_by_owner(backend):
    sheet = openpyxl.load_workbook(backend.path("DINKES"))["DINKES"]
    fills = {c.owner: set() for c in COLUMNS}
    for column, cell in zip(COLUMNS, sheet[1]):
        fills[column.owner].add(cell.fill.fgColor.rgb)
    assert all(len(colours) == 1 for colours in fills.values())
    assert len({next(iter(colours)) for colours in fills.values()}) == 3


def test_template_has_a_ya_dropdown_on_every_box_column(backend):
    sheet = openpyxl.load_workbook(backend.path("DINKES"))["DINKES"]
    covered = {}
    for validation in sheet.data_validations.dataValidation:
        assert (validation.type, validation.formula1, validation.allow_blank) == ("list", '"YA"', True)
        assert validation.error and validation.prompt
        for cells in validation.sqref.ranges:
            covered[cells.min_col - 1] = (cells.min_row, cells.max_row)
    assert covered == {i: (2, 2000) for i, c in enumerate(COLUMNS) if c.box}


def test_template_colours_the_status_column(backend):
    sheet = openpyxl.load_workbook(backend.path("DINKES"))["DINKES"]
    letter = get_column_letter(STATUS + 1)
    [(ranges, rules)] = [(str(cf.sqref), cf.rules) for cf in sheet.conditional_formatting]
    assert ranges == f"{letter}2:{letter}2000"
    assert [r.formula[0] for r in rules][:2] == [f'LEFT(${letter}2,2)="10"', f'LEFT(${letter}2,1)="9"']


def test_ensure_tabs_creates_only_missing_workbooks_and_never_touches_existing(backend, tmp_path):
    before = backend.path("DINKES").read_bytes()
    created = backend.ensure_tabs([("DINKES", "Dinas Kesehatan"), ("BAPPEDA", "Badan Perencanaan")])
    assert created == ["BAPPEDA"]
    assert backend.path("DINKES").read_bytes() == before
    assert backend.ensure_tabs([("BAPPEDA", "Badan Perencanaan")]) == []
    assert sorted(p.name for p in (tmp_path / "sheets").iterdir()) == ["BAPPEDA.xlsx", "DINKES.xlsx"]


def test_a_kode_that_is_not_a_safe_file_name_is_refused(backend):
    with pytest.raises(ValueError):
        backend.ensure_tabs([("../DINKES", "x")])


# --- read -------------------------------------------------------------------------------------


def test_read_returns_raw_cell_values(backend):
    def fill(sheet):
        sheet.cell(2, 1, "0123")
        sheet.cell(2, 2, "1.234,5")
        sheet.cell(2, 3, 12.5)
        sheet.cell(2, 4, datetime(2025, 3, 4, 10, 30))
        sheet.cell(2, 5, date(2025, 3, 4))
        sheet.cell(2, 6, True)
        sheet.cell(2, 7, 2025)

    edit(backend, "DINKES", fill)
    snap = snapshot(backend)
    assert snap.header == HEADERS
    assert snap.rows[0][:7] == ["0123", "1.234,5", 12.5, datetime(2025, 3, 4, 10, 30), date(2025, 3, 4), True, 2025]
    assert isinstance(snap.rows[0][2], float) and isinstance(snap.rows[0][5], bool)
    assert snap.rows[0][7:] == [None] * (len(HEADERS) - 7)
    assert snap.token == (backend.path("DINKES").stat().st_size, backend.path("DINKES").stat().st_mtime_ns)


def test_blank_middle_rows_keep_sheet_row_numbers_and_trailing_blank_rows_are_dropped(backend):
    def fill(sheet):
        sheet.cell(2, URAIAN + 1, "Jumlah puskesmas")
        sheet.cell(5, URAIAN + 1, "Jumlah dokter")
        sheet.cell(9, URAIAN + 1).number_format = "0.00"  # styled but empty

    edit(backend, "DINKES", fill)
    rows = snapshot(backend).rows
    assert len(rows) == 4  # sheet rows 2..5
    assert rows[0][URAIAN] == "Jumlah puskesmas"
    assert rows[1] == rows[2] == [None] * len(HEADERS)
    assert rows[3][URAIAN] == "Jumlah dokter"  # sheet row 5 = rows[3]


def test_percent_formatted_numbers_are_reported(backend):
    def fill(sheet):
        sheet.cell(2, NILAI + 1, 0.125).number_format = "0.0%"
        sheet.cell(3, NILAI + 1, 0.5).number_format = "0%"
        sheet.cell(4, NILAI + 1, 7).number_format = '0.00"%"'  # a literal sign, not a percentage
        sheet.cell(5, NILAI + 1, 0.25)

    edit(backend, "DINKES", fill)
    snap = snapshot(backend)
    assert snap.percent == {(0, NILAI), (1, NILAI)}
    assert snap.cell(0, NILAI) == 0.125


def test_formula_without_cached_value_is_reported(backend):
    def fill(sheet):
        sheet.cell(2, NILAI + 1, 4)
        sheet.cell(3, NILAI + 1, 6)
        sheet.cell(4, NILAI + 1, "=SUM(G2:G3)")  # openpyxl stores no result

    edit(backend, "DINKES", fill)
    snap = snapshot(backend)
    assert snap.problems == {(2, NILAI): NO_CACHED_VALUE}
    assert snap.cell(2, NILAI) is None


def test_formula_with_cached_result_reads_the_result_and_an_error_result_is_reported(backend):
    def fill(sheet):
        sheet["G2"], sheet["H2"], sheet["G3"] = "=2*5", '=IF(G2>5,"A & B","")', "=1/0"

    edit(backend, "DINKES", fill)
    with_cached_results(backend.path("DINKES"), {"G2": ("n", "10"), "H2": ("str", "A &amp; B"), "G3": ("e", "#DIV/0!")})
    snap = snapshot(backend)
    assert (snap.cell(0, NILAI), snap.cell(0, NILAI + 1)) == (10, "A & B")
    assert snap.problems == {(1, NILAI): "Sel berisi galat Excel #DIV/0!; perbaiki rumus atau isinya"}


CANONICAL = (
    b'<worksheet xmlns="m"><sheetData><row r="1" s="9" customFormat="1"><c r="A1" t="s"><v>0</v></c></row>'
    b'<row r="2"><c r="A2" s="9"><v>0.5</v></c><c r="B2" s="9"/><c r="C2"><f>1/0</f><v /></c>'
    b'<c r="D2" t="e"><v>#N/A</v></c><c r="E2" t="str"><f>""</f><v></v></c><c r="F2" s="1"><v>3</v></c>'
    b'<c r="G2" s="9"><f>A2</f><v>0.5</v></c></row></sheetData></worksheet>'
)


@pytest.mark.parametrize("xml", [
    CANONICAL,
    CANONICAL.replace(b"<", b"<x:").replace(b"<x:/", b"</x:").replace(b'xmlns="m"', b'xmlns:x="m"'),
    CANONICAL.replace(b'"', b"'"),
    CANONICAL.replace(b'<c r="F2" s="1">', b'<c s="1">'),  # a cell without its address
    re.sub(rb' r="[A-Z]*[0-9]+"', b"", CANONICAL),  # no row or cell carries its address
    CANONICAL.replace(b'<c r="B2" s="9"/>', b'<c s="9" r="B2"/>'),  # an address not first
    CANONICAL.replace(b'<c r="F2" s="1"><v>3</v></c>', b'<c><v>3</v></c>'),  # a bare start tag
], ids=["canonical", "prefixed", "single-quoted", "one-unaddressed", "all-unaddressed", "address-not-first",
        "bare-tag"])
def test_sheet_scan_finds_percent_formulas_and_errors_in_any_layout(xml):
    scan = xlsx_xml.scan_sheet(xml, frozenset({9}))
    assert scan.percent == {(1, 0), (1, 6)}
    assert scan.problems == {(1, 2): NO_CACHED_VALUE, (1, 3): "Sel berisi galat Excel #N/A; perbaiki rumus atau isinya"}
    assert scan.cached == {"E2": ("str", ""), "G2": ("n", "0.5")}


@pytest.mark.parametrize("code, percent", [
    ("0%", True), ("0.0%", True), ("#,##0.00%;[Red]-0.00%", True), ('0.00"%"', False), ("0.0\\%", False),
    ("[$%-421]0", False), ("General", False), ("dd/mm/yyyy", False),
])
def test_percent_number_formats(code, percent):
    assert is_percent_format(code) is percent


def test_unchanged_workbook_is_answered_without_opening_it(backend):
    token = snapshot(backend).token
    reads = backend.requests["read"]
    [result] = backend.read(["DINKES"], {"DINKES": token})
    assert (result.unchanged, result.snapshot, result.error) == (True, None, None)
    [result] = backend.read(["DINKES"], {"DINKES": json.loads(json.dumps(token))})
    assert result.unchanged
    assert backend.requests["read"] == reads


def test_changed_workbook_is_read_again(backend):
    token = snapshot(backend).token
    edit(backend, "DINKES", lambda s: s.cell(2, URAIAN + 1, "Jumlah bidan"))
    [result] = backend.read(["DINKES"], {"DINKES": token})
    assert not result.unchanged and result.snapshot.cell(0, URAIAN) == "Jumlah bidan"


def test_tab_is_matched_ignoring_case_but_another_tab_is_never_used(backend):
    save_atomic(new_workbook("dinkes", "Dinas Kesehatan"), backend.path("DINKES"))
    assert snapshot(backend).title == "dinkes"
    assert write(backend, cells=[CellWrite(1, URAIAN, "Jumlah bidan")]).reason is None
    assert snapshot(backend).cell(0, URAIAN) == "Jumlah bidan"
    save_atomic(new_workbook("Lembar1", "Dinas Kesehatan"), backend.path("DINKES"))
    [result] = backend.read(["DINKES"], {})
    assert result.error == ("Tab DINKES tidak ditemukan di DINKES.xlsx (tab yang ada: Lembar1); "
                            "kembalikan nama tab menjadi DINKES")  # names the tab it did find


def test_missing_and_corrupt_workbooks_give_error_results_and_others_are_still_read(backend):
    backend.path("RUSAK").write_bytes(b"bukan berkas excel")
    with zipfile.ZipFile(backend.path("ZIP"), "w") as archive:
        archive.writestr("halo.txt", "bukan xlsx")
    fresh = {r.opd: r for r in backend.read(["RUSAK"], {})}
    assert "sedang disimpan" in fresh["RUSAK"].error  # just written: taken for a save in progress
    for name in ("RUSAK", "ZIP"):
        os.utime(backend.path(name), (1_600_000_000, 1_600_000_000))
    results = {r.opd: r for r in backend.read(["HILANG", "RUSAK", "ZIP", "DINKES"], {})}
    assert "tidak ditemukan" in results["HILANG"].error
    assert "bukan berkas Excel (.xlsx) yang utuh" in results["RUSAK"].error
    assert "bukan berkas Excel (.xlsx) yang utuh" in results["ZIP"].error
    assert results["DINKES"].snapshot is not None


# --- write ------------------------------------------------------------------------------------


def test_write_sets_values_and_owned_notes(backend):
    result = write(
        backend,
        cells=[CellWrite(1, 0, "DINKES-0001"), CellWrite(1, STATUS, "3 Dicek"), CellWrite(1, NILAI, 12.5),
               CellWrite(1, COL["dicek_bersama"], True), CellWrite(1, COL["selesai_diisi"], False)],
        notes=[NoteWrite(1, NILAI, NOTE)],
    )
    assert result.reason is None
    path = backend.path("DINKES")
    assert result.token == (path.stat().st_size, path.stat().st_mtime_ns)
    sheet = openpyxl.load_workbook(path)["DINKES"]
    assert [sheet.cell(2, c + 1).value for c in (0, STATUS, NILAI, COL["dicek_bersama"], COL["selesai_diisi"])] == [
        "DINKES-0001", "3 Dicek", 12.5, "YA", None]
    assert (sheet.cell(2, NILAI + 1).comment.text, sheet.cell(2, NILAI + 1).comment.author) == (NOTE, "Satu Data")
    [again] = backend.read(["DINKES"], {"DINKES": result.token})
    assert again.unchanged
    assert backend.requests["write"] == 1


def test_false_clears_a_ticked_box(backend):
    box = COL["selesai_diisi"]
    edit(backend, "DINKES", lambda s: s.append(["DINKES-0001", None, "Jumlah bidan"] + [None] * (box - 3) + ["YA"]))
    assert snapshot(backend).cell(0, box) == "YA"
    assert write(backend, cells=[CellWrite(1, box, False)]).reason is None
    assert snapshot(backend).cell(0, box) is None


def test_human_comments_are_left_alone_and_only_owned_notes_are_removed(backend):
    def fill(sheet):
        sheet.cell(2, NILAI + 1).comment = Comment("Angka dari BPS, jangan diubah", "Operator")
        sheet.cell(3, NILAI + 1).comment = Comment(OWNED_NOTE_PREFIX + " lama", "Satu Data Magetan")

    edit(backend, "DINKES", fill)
    write(backend, notes=[NoteWrite(1, NILAI, NOTE), NoteWrite(2, NILAI, None)])
    sheet = openpyxl.load_workbook(backend.path("DINKES"))["DINKES"]
    assert sheet.cell(2, NILAI + 1).comment.text == "Angka dari BPS, jangan diubah"
    assert sheet.cell(3, NILAI + 1).comment is None
    write(backend, notes=[NoteWrite(1, NILAI, None)])
    assert openpyxl.load_workbook(backend.path("DINKES"))["DINKES"].cell(2, NILAI + 1).comment is not None


def test_text_starting_with_equals_is_stored_as_text(backend):
    write(backend, cells=[CellWrite(1, URAIAN, "=HYPERLINK(\"http://x\")"), CellWrite(1, STATUS, "=1+2")])
    with zipfile.ZipFile(backend.path("DINKES")) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")
    snap = snapshot(backend)
    assert (snap.cell(0, URAIAN), snap.cell(0, STATUS)) == ('=HYPERLINK("http://x")', "=1+2")
    assert snap.problems == {}


def test_write_keeps_the_cached_results_of_formulas(backend):
    def fill(sheet):
        sheet["G2"], sheet["H2"] = "=2*5", '=IF(G2>5,"A & B","")'

    edit(backend, "DINKES", fill)
    with_cached_results(backend.path("DINKES"), {"G2": ("n", "10"), "H2": ("str", "A &amp; B")})
    assert write(backend, cells=[CellWrite(1, STATUS, "2 Diusulkan")]).reason is None
    snap = snapshot(backend)
    assert (snap.cell(0, NILAI), snap.cell(0, NILAI + 1), snap.problems) == (10, "A & B", {})
    assert openpyxl.load_workbook(backend.path("DINKES"))["DINKES"]["G2"].value == "=2*5"


@pytest.mark.parametrize("lock", ["~$DINKES.xlsx", ".~lock.DINKES.xlsx#"])
def test_a_lock_file_blocks_the_write_and_leaves_the_file_byte_identical(backend, lock):
    snap = snapshot(backend)
    before = backend.path("DINKES").read_bytes()
    (backend.folder / lock).write_text("operator")
    result = write(backend, cells=[CellWrite(1, STATUS, "2 Diusulkan")], snap=snap)
    assert result.reason and "siklus berikutnya" in result.reason and result.token is None
    assert backend.path("DINKES").read_bytes() == before
    assert backend.requests["write"] == 0


def test_a_workbook_changed_after_it_was_read_is_not_written(backend):
    snap = snapshot(backend)
    edit(backend, "DINKES", lambda s: s.cell(2, URAIAN + 1, "Jumlah bidan"))
    before = backend.path("DINKES").read_bytes()
    result = write(backend, cells=[CellWrite(1, STATUS, "2 Diusulkan")], snap=snap)
    assert "berubah sejak dibaca" in result.reason and "siklus berikutnya" in result.reason
    assert backend.path("DINKES").read_bytes() == before


def test_a_cycle_with_nothing_to_write_leaves_every_file_byte_identical(backend):
    backend.ensure_tabs([("BAPPEDA", "Badan Perencanaan")])
    write(backend, cells=[CellWrite(1, STATUS, "2 Diusulkan")], notes=[NoteWrite(1, NILAI, NOTE)])
    before = {p: p.read_bytes() for p in backend.folder.iterdir()}
    snaps = {r.opd: r.snapshot for r in backend.read(["DINKES", "BAPPEDA"], {})}
    results = backend.write([TabWrites("DINKES", "DINKES"), TabWrites("BAPPEDA", "BAPPEDA")], snaps)
    assert results == {}
    # writing what the cells already hold is no change either
    same = backend.write([TabWrites("DINKES", "DINKES", [CellWrite(1, STATUS, "2 Diusulkan")],
                                    [NoteWrite(1, NILAI, NOTE)])], snaps)
    assert same["DINKES"].reason is None and same["DINKES"].token == snaps["DINKES"].token
    assert {p: p.read_bytes() for p in backend.folder.iterdir()} == before
    assert backend.requests["write"] == 1


def test_a_failed_save_leaves_the_original_intact_and_no_temporary_file(backend, monkeypatch):
    snap = snapshot(backend)
    before = backend.path("DINKES").read_bytes()

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(xlsx_files.os, "fsync", disk_full)
    result = write(backend, cells=[CellWrite(1, STATUS, "2 Diusulkan")], snap=snap)
    assert "gagal disimpan" in result.reason
    assert backend.path("DINKES").read_bytes() == before
    assert [p.name for p in backend.folder.iterdir()] == ["DINKES.xlsx"]


def test_a_missing_tab_or_workbook_is_reported_for_the_write_and_others_are_written(backend):
    backend.ensure_tabs([("BAPPEDA", "Badan Perencanaan")])
    snaps = {r.opd: r.snapshot for r in backend.read(["DINKES", "BAPPEDA"], {})}
    os.remove(backend.path("BAPPEDA"))
    results = backend.write(
        [TabWrites("BAPPEDA", "BAPPEDA", [CellWrite(1, STATUS, "x")]), TabWrites("DINKES", "DINKES", [CellWrite(1, STATUS, "x")])],
        snaps,
    )
    assert "tidak ditemukan" in results["BAPPEDA"].reason
    assert results["DINKES"].reason is None


def test_new_workbook_is_the_template_for_the_demo_builder(tmp_path):
    workbook = new_workbook("DISDIK", "Dinas Pendidikan")
    workbook["DISDIK"].append(["DISDIK-0001", None, "Jumlah sekolah"])
    save_atomic(workbook, tmp_path / "DISDIK.xlsx")
    snap = snapshot(XlsxBackend(tmp_path), "DISDIK")
    assert snap.rows == [["DISDIK-0001", None, "Jumlah sekolah"] + [None] * (len(HEADERS) - 3)]
