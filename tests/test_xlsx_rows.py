"""distribute (append rows) and rollover (keep the year's tab, start a fresh one) patch the
workbook's XML: a text box, a picture, a chart, a threaded comment and a defined name the user
had all survive, and the result opens in LibreOffice, openpyxl and calamine."""
from __future__ import annotations

import re
import warnings
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.chart import BarChart, Reference
from openpyxl.workbook.defined_name import DefinedName
from python_calamine import CalamineWorkbook

from sheets.xlsx import ooxml as xlsx_xml
from sheets.layout import COLUMNS
from sheets.xlsx import XlsxBackend
from tests import xlsx_rich
from tests.test_xlsx_patch import ROWS, SOFFICE, needs_soffice, soffice

DRAFT = [[None, "K9", "Jumlah puskesmas", "Kec. Poncol", "Unit", 2025, None],
         [None, "K9", "Jumlah puskesmas", "Kec. Parang", "Unit", 2025, None]]


def with_chart_and_name(path: Path) -> None:
    """A chart on the Daftar tab that plots DINKES's Nilai, and a defined name for the same cells."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        workbook = openpyxl.load_workbook(path)
    chart = BarChart()
    chart.add_data(Reference(workbook["DINKES"], min_col=7, min_row=2, max_row=3))
    workbook["Daftar"].add_chart(chart, "D2")
    workbook.defined_names["NilaiDinkes"] = DefinedName("NilaiDinkes", attr_text="DINKES!$G$2:$G$3")
    workbook.save(path)


@pytest.fixture(params=["openpyxl", "libreoffice"])
def rich(tmp_path: Path, request) -> XlsxBackend:
    """The user's workbook, last saved by openpyxl or by LibreOffice (whose XML differs)."""
    if request.param == "libreoffice" and SOFFICE is None:
        pytest.skip("LibreOffice (soffice) tidak terpasang")
    backend = XlsxBackend(tmp_path / "sheets")
    backend.ensure_tabs([("DINKES", "Dinas Kesehatan")])
    path = backend.path("DINKES")
    xlsx_rich.openpyxl_made(path, "DINKES", ROWS)
    with_chart_and_name(path)
    xlsx_rich.add_drawing_and_thread(path, "DINKES")
    if request.param == "libreoffice":
        out = tmp_path / "lo"
        soffice("--convert-to", "xlsx", "--outdir", str(out), str(path), cwd=tmp_path)
        path.write_bytes((out / "DINKES.xlsx").read_bytes())
    return backend


def user_parts(parts: dict[str, bytes]) -> dict[str, bytes]:
    """The parts a rollover or distribute has no business changing."""
    return {n: d for n, d in parts.items() if re.match(r"xl/(drawings|media|threadedComments|persons)/", n)}


def grid(path: Path, title: str) -> list[list]:
    with CalamineWorkbook.from_path(str(path)) as book:
        return book.get_sheet_by_name(title).to_python()


def test_distribute_appends_rows_and_keeps_everything_else(rich):
    path = rich.path("DINKES")
    before = xlsx_rich.parts_of(path)
    snapshot = rich.read(["DINKES"], {})[0].snapshot
    assert rich.append_rows(snapshot, DRAFT).reason is None
    after = xlsx_rich.parts_of(path)
    sheet = xlsx_xml.package(zipfile.ZipFile(path)).sheets["DINKES"]
    assert {n: d for n, d in after.items() if n != sheet} == {n: d for n, d in before.items() if n != sheet}
    rows = grid(path, "DINKES")
    assert [r[1:7] for r in rows[3:]] == [["K9", "Jumlah puskesmas", "Kec. Poncol", "Unit", 2025.0, ""],
                                          ["K9", "Jumlah puskesmas", "Kec. Parang", "Unit", 2025.0, ""]]
    assert grid(path, "DINKES")[:3] == grid_of(before, "DINKES", path)


def grid_of(parts: dict[str, bytes], title: str, where: Path) -> list[list]:
    copy = where.with_name("copy.xlsx")
    with zipfile.ZipFile(copy, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return grid(copy, title)


def test_rollover_keeps_the_record_and_everything_the_user_had(rich):
    path = rich.path("DINKES")
    before = xlsx_rich.parts_of(path)
    old_rows = grid(path, "DINKES")
    assert rich.archive_tab("DINKES", "Dinas Kesehatan", "DINKES 2025") is None
    after = xlsx_rich.parts_of(path)
    assert user_parts(after) == user_parts(before)
    with CalamineWorkbook.from_path(str(path)) as book:
        assert book.sheet_names == ["DINKES", "DINKES 2025", "Daftar"]
    assert grid(path, "DINKES 2025") == old_rows
    assert grid(path, "DINKES") == [[c.header for c in COLUMNS]]
    workbook = next(d for n, d in after.items() if n.endswith("workbook.xml")).decode()
    assert re.search(r"<definedName [^>]*name=\"NilaiDinkes\"[^>]*>'DINKES 2025'!\$G\$2:\$G\$3<", workbook)
    chart = next(d for n, d in after.items() if n.startswith("xl/charts/chart")).decode()
    assert "'DINKES 2025'!" in chart and "DINKES!" not in chart.replace("'DINKES 2025'!", "")
    assert rich.archive_tab("DINKES", "Dinas Kesehatan", "DINKES 2025") is None  # run again: nothing more
    assert xlsx_rich.parts_of(path) == after
    fresh = rich.read(["DINKES"], {})[0].snapshot
    assert fresh.header == [c.header for c in COLUMNS] and fresh.rows == []
    assert rich.append_rows(fresh, DRAFT).reason is None
    assert [r[1] for r in grid(path, "DINKES")[1:]] == ["K9", "K9"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["DINKES", "DINKES 2025", "Daftar"] and book.active.title == "DINKES"
    assert [bool(s.sheet_view.tabSelected) for s in book.worksheets] == [True, False, False]


@needs_soffice
def test_a_rolled_over_workbook_opens_in_libreoffice_with_its_text_box_and_chart(rich, tmp_path):
    path = rich.path("DINKES")
    assert rich.archive_tab("DINKES", "Dinas Kesehatan", "DINKES 2025") is None
    out = tmp_path / "lo-out"
    soffice("--convert-to", "xlsx", "--outdir", str(out), str(path), cwd=tmp_path)
    saved = xlsx_rich.parts_of(out / "DINKES.xlsx")
    assert any(xlsx_rich.TEXT_BOX.encode() in d for n, d in saved.items() if n.startswith("xl/drawings/"))
    charts = [d.decode() for n, d in saved.items() if n.startswith("xl/charts/chart")]
    assert charts and any("DINKES 2025" in c for c in charts)
    with CalamineWorkbook.from_path(str(out / "DINKES.xlsx")) as book:
        assert book.sheet_names == ["DINKES", "DINKES 2025", "Daftar"]
        assert book.get_sheet_by_name("DINKES").to_python()[0][:3] == [c.header for c in COLUMNS][:3]
