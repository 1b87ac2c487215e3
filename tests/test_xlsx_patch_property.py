"""Any batch of cell writes into any sheet gives valid XML whose every cell reads back as
expected: the written cells hold the written values, every other cell what it held."""
from __future__ import annotations

import io
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from sheets.xlsx.patch import CellEdit, SheetEdits, merged_cells, patch_cells, ref
from tests.test_xlsx_patch import rows_in_order

HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main"><dimension ref="A1"/><sheetData>')
TAIL = b"</sheetData></worksheet>"
values = st.one_of(st.none(), st.just(False), st.just(True), st.integers(-10**6, 10**6),
                   st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12),
                   st.sampled_from(["_x0041_", "a\x0bb", "_x005F_x0041_", "_X00411_", "\x08"]))
coords = st.tuples(st.integers(0, 12), st.integers(0, 8))


def sheet_of(grid: dict[tuple[int, int], object], r_last: bool = False) -> bytes:
    """The sheet XML of a grid; ``r_last``: numbers written ``<c t="n" r=...>`` (r not the first attribute)."""
    rows: dict[int, list[bytes]] = {}
    for (r, c), v in sorted(grid.items()):
        number = b'<c t="n" r="%s"><v>%d</v></c>' if r_last else b'<c r="%s"><v>%d</v></c>'
        cell = (number % (ref(r, c).encode(), v) if isinstance(v, int)
                else b'<c r="%s" t="inlineStr"><is><t>%s</t></is></c>' % (ref(r, c).encode(), str(v).encode()))
        rows.setdefault(r, []).append(cell)
    body = b"".join(b'<row r="%d">%s</row>' % (r + 1, b"".join(cells)) for r, cells in sorted(rows.items()))
    return HEAD + body + TAIL


def read_back(xml: bytes) -> dict[tuple[int, int], object]:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                         'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>')
        package.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                         'package/2006/relationships"><Relationship Id="r1" Type="http://schemas.openxmlformats.org/'
                         'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        package.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/'
                         'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
                         'relationships"><sheets><sheet name="T" sheetId="1" r:id="r1"/></sheets></workbook>')
        package.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.'
                         'openxmlformats.org/package/2006/relationships"><Relationship Id="r1" Type="http://schemas.'
                         'openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/s.xml"/>'
                         '</Relationships>')
        package.writestr("xl/worksheets/s.xml", xml)
    with CalamineWorkbook.from_filelike(io.BytesIO(out.getvalue())) as book:
        grid = book.get_sheet_by_name("T").to_python(skip_empty_area=False)
    found = {}
    for r, row in enumerate(grid):
        for c, v in enumerate(row):
            if v != "":
                found[r, c] = int(v) if isinstance(v, float) and v.is_integer() else v
    return found


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(coords, st.one_of(st.integers(1, 99), st.sampled_from(["a", "YA", "x y"])), max_size=25),
       st.dictionaries(coords, values, max_size=20), st.booleans())
def test_any_batch_of_writes_reads_back_exactly(existing, writes, r_last):
    xml = sheet_of(existing, r_last)
    edits = SheetEdits()
    for (r, c), v in writes.items():
        edits.put(r, c, CellEdit(v, existing.get((r, c))))
    patched, _ = patch_cells(xml, edits, merged_cells(xml))
    assert rows_in_order(patched)
    expected = dict(existing)
    for (r, c), v in writes.items():
        v = "YA" if v is True else v  # text reads back exactly, control characters and _xHHHH_ too
        if v is None or v is False or v == "":
            expected.pop((r, c), None)
        else:
            expected[r, c] = v
    got = read_back(patched)
    assert got == {k: v for k, v in expected.items() if v != ""}
    again = SheetEdits()
    for (r, c), v in writes.items():
        again.put(r, c, CellEdit(v, got.get((r, c))))
    assert patch_cells(patched, again, merged_cells(patched)) == (patched, 0)  # the same batch again: no change
