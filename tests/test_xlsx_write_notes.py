"""A write finds the notes it changes by their cells (DECISIONS.md #159): in the parts Excel,
LibreOffice and this writer write by a few byte scans, in any other part comment by comment and
shape by shape. Either way every note reads back as written, a human's note stays, each note
has one box, and comments stay in row order."""
from __future__ import annotations

import io
import random
import re
import zipfile
from xml.etree import ElementTree as ET

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sheets.base import OWNED_NOTE_PREFIX, CellWrite, NoteWrite, TabWrites
from sheets.xlsx import XlsxBackend, ooxml
from sheets.xlsx.notes import (_comment_elements, _index_comments, _note_shape_list, _patch_comments,
                               _shapes_at, comment_text)
from sheets.xlsx.patch import column_letters, rewrite_zip
from sheets.xlsx.write import patch_workbook
from tests import xlsx_rich
from tests.test_xlsx_patch import NILAI, ROWS, STATUS

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
EXCEL = "{urn:schemas-microsoft-com:office:excel}"
HUMAN = ("G3", "Angka dari BPS, jangan diubah")  # the note xlsx_rich.openpyxl_made puts on G3


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """A workbook with a human's note on G3 and its snapshot as read."""
    folder = tmp_path_factory.mktemp("catatan")
    backend = XlsxBackend(folder / "sheets")
    backend.ensure_tabs([("DINKES", "Dinas Kesehatan")])
    xlsx_rich.openpyxl_made(backend.path("DINKES"), "DINKES", ROWS * 10)
    [read] = backend.read(["DINKES"], {})
    return backend.path("DINKES").read_bytes(), read.snapshot


def note_parts(data: bytes) -> tuple[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
    comments = next(n for n in names if re.fullmatch(r"xl/comments/?\w*\.xml", n))
    return comments, next(n for n in names if n.endswith(".vml"))


def unusual(data: bytes) -> bytes:
    """The same workbook as another writer could put it: each comment's ref after its author,
    and spaces around each note box's row number (valid, but not the plain form)."""
    comments, vml = note_parts(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml, drawing = archive.read(comments), archive.read(vml)
    xml = re.sub(rb'<comment ref="([^"]+)" authorId="(\d+)"', rb'<comment authorId="\2" ref="\1"', xml)
    drawing = re.sub(rb"<(\w+):Row>(\d+)</\1:Row>", rb"<\1:Row> \2 </\1:Row>", drawing)
    return rewrite_zip(data, {comments: xml, vml: drawing})


def notes_of(data: bytes) -> tuple[list[tuple[str, str]], list[str]]:
    """(cell, text) of each comment in file order, and the cell of each note box."""
    comments, vml = note_parts(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        root, drawing = ET.fromstring(archive.read(comments)), ET.fromstring(archive.read(vml))
    texts = [(c.get("ref"), "".join(t.text or "" for t in c.iter(MAIN + "t")))
             for c in root.iter(MAIN + "comment")]
    boxes = [column_letters(int(d.find(EXCEL + "Column").text)) + str(int(d.find(EXCEL + "Row").text) + 1)
             for d in drawing.iter(EXCEL + "ClientData") if d.get("ObjectType") == "Note"]
    return texts, boxes


def position(address: str) -> tuple[int, int]:
    row, col = ooxml.split_ref(address)
    return row, col


CELLS = st.tuples(st.integers(1, 14), st.sampled_from([NILAI, STATUS, 2]))
TEXTS = st.one_of(st.none(), st.sampled_from(["a", "b & <c>", "panjang " * 12]).map(lambda t: f"{OWNED_NOTE_PREFIX} {t}"))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(st.dictionaries(CELLS, TEXTS, max_size=8), min_size=1, max_size=3), st.lists(st.booleans(), min_size=3, max_size=3))
def test_notes_added_changed_and_removed_read_back_with_one_box_each_in_row_order_in_any_form(made, batches, forms):
    data, snapshot = made
    expected = {HUMAN[0]: HUMAN[1]}
    for batch, plain in zip(batches, forms):
        data = data if plain else unusual(data)
        notes = [NoteWrite(r, c, text) for (r, c), text in batch.items()]
        data = patch_workbook(data, TabWrites("DINKES", "DINKES", [], notes), snapshot).payload
        for (r, c), text in batch.items():
            address = f"{column_letters(c)}{r + 1}"
            if address == HUMAN[0]:
                continue  # a human's note wins
            if text is None:
                expected.pop(address, None)
            else:
                expected[address] = text
        texts, boxes = notes_of(data)
        assert dict(texts) == expected and len(texts) == len(expected)
        assert [a for a, _ in texts] == sorted(expected, key=position)
        assert sorted(boxes) == sorted(expected)


def test_a_write_of_cells_and_notes_changes_what_it_names_and_keeps_the_humans_note(made):
    data, snapshot = made
    batch = TabWrites("DINKES", "DINKES", [CellWrite(4, STATUS, "1 Draf"), CellWrite(30, STATUS, "2 Diusulkan")],
                      [NoteWrite(4, NILAI, f"{OWNED_NOTE_PREFIX} cek"), NoteWrite(2, NILAI, None)])
    plain = patch_workbook(data, batch, snapshot)
    assert plain.changed == 3  # the human's note on G3 stays


# --- the plain-part lookups against the part read whole ---------------------------------------------


def comments_part(cells: list[str], rng: random.Random) -> bytes:
    """A comments part with these cells' comments in this order, tags as Excel writes them or,
    at random, in a form the plain lookup does not take (ref not first, an escaped ref, a
    lowercase ref, a self-closing comment)."""
    out = []
    for i, cell in enumerate(cells):
        text = f"<text><t>{OWNED_NOTE_PREFIX} {i}</t></text>"
        form = rng.random()
        if form < 0.85:
            out.append(f'<comment ref="{cell}" authorId="0" shapeId="0">{text}</comment>')
        elif form < 0.9:
            out.append(f'<comment authorId="0" ref="{cell}">{text}</comment>')
        elif form < 0.95:
            out.append(f'<comment ref="{cell.lower()}" authorId="0">{text}</comment>')
        else:
            out.append(f'<comment ref="{cell}" authorId="0"/>')
    return ('<comments xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><authors><author>Satu Data'
            '</author></authors><commentList>' + "".join(out) + "</commentList></comments>").encode()


def vml_part(cells: list[str], rng: random.Random, spaced: float = 0.05) -> bytes:
    """A drawing with a box on each cell, one in ten a button, at random ``spaced`` of the rows
    written with spaces (valid, not plain)."""
    shapes = ['<v:shapetype id="_x0000_t202"><v:path/></v:shapetype>']
    for i, cell in enumerate(cells):
        row, col = ooxml.split_ref(cell)
        kind = "Note" if rng.random() < 0.9 else "Button"
        number = f" {row} " if rng.random() < spaced else str(row)
        shapes.append(f'<v:shape id="_x0000_s{1025 + i}"><x:ClientData ObjectType="{kind}"><x:Row>{number}</x:Row>'
                      f'<x:Column>{col}</x:Column></x:ClientData></v:shape>')
    return ('<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
            'xmlns:x="urn:schemas-microsoft-com:office:excel">' + "".join(shapes) + "</xml>").encode()


ADDRESSES = [f"{col}{row}" for row in range(1, 9) for col in "ABG"]


def random_parts(test):
    """Random comment and drawing parts (their cells), the cells a write touches, a random source."""
    return settings(max_examples=300, deadline=None)(given(
        st.lists(st.sampled_from(ADDRESSES), max_size=14), st.sets(st.sampled_from(ADDRESSES), max_size=8),
        st.randoms(use_true_random=False))(test))


def every_box(drawing: bytes) -> dict[str, list[tuple[int, int]]]:
    """Each cell's note boxes as reading every box finds them."""
    every: dict[str, list[tuple[int, int]]] = {}
    for address, start, end in _note_shape_list(drawing, "v", "x"):
        every.setdefault(address, []).append((start, end))
    return every


@random_parts
def test_the_plain_lookups_find_what_reading_every_comment_and_box_finds(cells, wanted, rng):
    xml = comments_part(cells, rng)
    whole = {a: (start, end) for a, start, end in _comment_elements(xml)}
    found = _index_comments(xml, wanted)
    assert {a: found.spans[a] for a in wanted if a in found.spans} == {a: whole[a] for a in wanted if a in whole}
    drawing = vml_part(cells, rng)
    shapes = _shapes_at(drawing, "v", "x", wanted)
    if shapes is not None:
        every = every_box(drawing)
        assert shapes == {a: every[a] for a in wanted if a in every}


@random_parts
def test_notes_placed_by_the_plain_lookup_are_placed_as_reading_every_comment_places_them(cells, touched, rng):
    xml = comments_part(cells, rng)
    whole = {a: (start, end) for a, start, end in _comment_elements(xml)}
    ours = sorted(a for a in touched if a in whole and comment_text(xml[slice(*whole[a])]).startswith(OWNED_NOTE_PREFIX))
    removals = set(ours[::2])
    replacements = {a: f"{OWNED_NOTE_PREFIX} baru" for a in ours[1::2]}
    additions = {a: f"{OWNED_NOTE_PREFIX} tambah {a}" for a in sorted(touched - set(whole))}
    index = _index_comments(xml, touched)
    assert _patch_comments(xml, removals, replacements, additions, index) == \
        _patch_comments(xml, removals, replacements, additions)


@pytest.mark.parametrize("rows", [5, 40, 300])
def test_the_boxes_of_few_or_many_cells_are_found_as_reading_every_box_finds_them(rows):
    """A few rows are searched by a pattern of their own, many by every row tag filtered."""
    rng = random.Random(rows)
    cells = [f"{col}{row}" for row in range(1, 400) for col in "AG" if rng.random() < 0.5]
    drawing = vml_part(cells, random.Random(0), spaced=0)
    wanted = {f"{col}{row}" for row in rng.sample(range(1, 400), rows) for col in "AGZ"}
    every = every_box(drawing)
    assert _shapes_at(drawing, "v", "x", wanted) == {a: every[a] for a in wanted if a in every}
    assert any(a in every for a in wanted)


def test_a_first_note_goes_after_the_rows_even_when_a_sheet_view_has_an_extlst():
    """Excel may give a <sheetView> its own <extLst>; the sheet's <legacyDrawing> still belongs
    after <sheetData> (the schema's order), not inside the sheet views."""
    from sheets.xlsx.notes import _add_legacy_drawing

    sheet = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
             b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
             b'<sheetViews><sheetView workbookViewId="0"><extLst><ext uri="x"/></extLst></sheetView></sheetViews>'
             b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>ID</t></is></c></row></sheetData>'
             b'<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
             b'</worksheet>')
    out = _add_legacy_drawing(sheet, "rId9")
    assert out.index(b'<legacyDrawing r:id="rId9"/>') > out.index(b"</sheetData>")
    assert out.index(b'<legacyDrawing r:id="rId9"/>') > out.index(b"<pageMargins")
    assert out.endswith(b'<legacyDrawing r:id="rId9"/></worksheet>')
