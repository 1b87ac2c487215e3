"""Write the poller's cells straight into a sheet's XML, byte-wise, leaving every other byte alone.

openpyxl rebuilds a whole workbook from what it understands and drops the rest (text boxes,
threaded comments, rich text, dropdowns reading other tabs). Here only the ``<c>`` elements of
the cells the poller owns are replaced, inserted or emptied; rows, cells and parts nobody asked
to change keep their exact bytes. Strings are written inline (``t="inlineStr"``), so the shared
string table is never touched.
"""
from __future__ import annotations

import copy
import io
import math
import re
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from .ooxml import split_ref

BOX_TEXT = "YA"
_R = re.compile(rb'\sr="([^"]*)"')
_S = re.compile(rb'\ss="(\d+)"')
_SPANS = re.compile(rb'\sspans="(\d+):(\d+)"')
ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SHARED_FORMULA = re.compile(rb'<f\b[^>]*\bt="(?:shared|array|dataTable)"[^>]*\bref="')


class PatchRefused(Exception):
    """The workbook cannot be patched without losing something; the message (Indonesian) names it."""


@lru_cache(maxsize=1024)
def column_letters(col: int) -> str:
    letters, n = "", col + 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def ref(row: int, col: int) -> str:
    return f"{column_letters(col)}{row + 1}"


def escape_text(text: str) -> str:
    """Element text: characters XML cannot hold dropped, a carriage return kept as a character
    reference (a parser turns a literal one into a line feed)."""
    return _escape(ILLEGAL_XML.sub("", text))


def _escape(text: str) -> str:
    """escape_text of text already free of the characters XML cannot hold."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
            .replace("\r", "&#13;"))


_OOXML_ESCAPE = re.compile("_(?=x[0-9A-Fa-f]{4}_)")


def ooxml_text(text: str) -> str:
    """Cell text as OOXML stores it, so Excel, LibreOffice and calamine read back exactly
    ``text``: a character XML cannot hold becomes ``_xHHHH_``, and text that already looks like
    such an escape has its underscore escaped (``_x005F_``) so it is not decoded."""
    text = _OOXML_ESCAPE.sub("_x005F_", text)
    return _escape(ILLEGAL_XML.sub(lambda m: f"_x{ord(m.group()):04X}_", text))


def is_empty(value: Any) -> bool:
    """None, False (an unticked box) and "" all mean an empty cell; 0 is a number."""
    return value is None or value is False or (isinstance(value, str) and _clean(value) == "")


def cell_xml(address: str, style: int | None, value: Any) -> bytes | None:
    """The ``<c>`` element for a value; None when the cell should not exist (empty, unstyled)."""
    return _cell_xml(address, style, _clean(value))


def _cell_xml(address: str, style: int | None, value: Any) -> bytes | None:
    """cell_xml of a value already passed through _clean."""
    s = b"" if style is None else b' s="%d"' % style
    head = b'<c r="%s"%s' % (address.encode(), s)
    if value is None or value is False or value == "":
        return None if style is None else head + b"/>"
    if isinstance(value, str):
        text = ooxml_text(value).encode()
        return head + b' t="inlineStr"><is><t xml:space="preserve">%s</t></is></c>' % text
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"Nilai {value!r} tidak bisa disimpan di Excel")
        return head + b"><v>%s</v></c>" % repr(value).encode()
    raise TypeError(f"Nilai bertipe {type(value).__name__} tidak bisa ditulis ke sel")


def _clean(value: Any) -> Any:
    """True is a ticked box; text is kept exactly (ooxml_text escapes what XML cannot hold)."""
    return BOX_TEXT if value is True else value


def same_value(current: Any, value: Any) -> bool:
    """Whether a cell read as ``current`` already shows ``value`` (True is a ticked box)."""
    return _same_value(current, _clean(value))


def _same_value(current: Any, value: Any) -> bool:
    """same_value of a value already passed through _clean."""
    if value is None or value is False or value == "":
        return current is None or current == ""
    if isinstance(value, str):
        return isinstance(current, str) and current == value
    return isinstance(current, int | float) and not isinstance(current, bool) and current == value


@dataclass
class CellEdit:
    value: Any
    current: Any  # as the snapshot read it
    style: Callable[[int | None], int | None] | None = None  # maps the cell's style to the one to use


@dataclass
class SheetEdits:
    """Per 0-based sheet row, per 0-based column: what to write."""

    cells: dict[int, dict[int, CellEdit]] = field(default_factory=dict)
    column_styles: dict[int, int] = field(default_factory=dict)  # style of a new cell per column
    restyle: dict[int, Callable[[int | None], int | None]] = field(default_factory=dict)  # every cell of a column

    def put(self, row: int, col: int, edit: CellEdit) -> None:
        self.cells.setdefault(row, {})[col] = edit


@dataclass
class _Span:
    start: int
    head_end: int  # index just past the start tag
    end: int
    closed: bool  # written as <x .../>


# a whole element in one match: its attributes, then "/>" or ">" ... its end tag (text inside is
# escaped, so the end tag cannot occur in it; rows hold only cells, cells never nest)
_ROW_ELEMENT = re.compile(rb"<row\b([^>]*?)(/>|>.*?</row>)", re.S)
_CELL_TAG = re.compile(rb"<c\b")
_CELL_START = re.compile(rb'<c r="([A-Z]+)[0-9]+"')  # every writer we know puts r= first


def _spans(xml: bytes, pattern: re.Pattern[bytes], start: int, stop: int) -> list[tuple[bytes, _Span]]:
    """Elements (rows or cells) between ``start`` and ``stop`` with their ``r`` attribute."""
    found = []
    for match in pattern.finditer(xml, start, stop):
        attributes = match.group(1)
        r = _R.search(attributes)
        if r is None:
            raise PatchRefused("tata letak XML lembar tidak dikenal (sel atau baris tanpa alamat)")
        closed = match.group(2) == b"/>"
        found.append((r.group(1), _Span(match.start(), match.end() if closed else match.start(2) + 1,
                                        match.end(), closed)))
    return found


def _row_spans(xml: bytes, numbers: list[int], start: int, stop: int) -> dict[int, _Span]:
    """The spans of the rows numbered ``numbers`` (ascending), found by their ``r`` attribute
    without scanning the rows between them (DECISIONS.md #146); every row, by a full scan, when
    one of them is not where an ordered sheet puts it (absent, out of order, ``r`` not first)."""
    found: dict[int, _Span] = {}
    cursor = start
    for number in numbers:
        at = xml.find(b'<row r="%d"' % number, cursor, stop)
        match = _ROW_ELEMENT.match(xml, at, stop) if at >= 0 else None
        if match is None:
            return {int(r): span for r, span in _spans(xml, _ROW_ELEMENT, start, stop)}
        closed = match.group(2) == b"/>"
        found[number] = _Span(at, match.end() if closed else match.start(2) + 1, match.end(), closed)
        cursor = match.end()
    return found


def sheet_data_span(xml: bytes) -> tuple[int, int, bool]:
    """(content start, content end, empty-element form) of ``<sheetData>``. Its end is looked for
    from the end of the sheet: the sheet has one ``sheetData`` and a cell's text never holds a raw
    ``<``, so this finds what a search from its start finds without reading every row."""
    start = xml.find(b"<sheetData")
    if start < 0:
        raise PatchRefused("lembar tanpa bagian sheetData")
    head_end = xml.index(b">", start) + 1
    if xml[head_end - 2] == ord("/"):
        return head_end, head_end, True
    end = xml.rfind(b"</sheetData>", head_end)
    if end < 0:
        raise ValueError("sheetData tanpa penutup")
    return head_end, end, False


def patch_cells(xml: bytes, edits: SheetEdits, merged: Callable[[int, int], bool]) -> tuple[bytes, int]:
    """The sheet XML with the edits applied and the number of cells that changed."""
    if not edits.cells and not edits.restyle:
        return xml, 0
    data_start, data_end, empty = sheet_data_span(xml)
    if edits.restyle:  # every row is restyled
        rows = {int(r): span for r, span in _spans(xml, _ROW_ELEMENT, data_start, data_end)}
        wanted = sorted(set(edits.cells) | {r - 1 for r in rows if r > 1})
    else:
        wanted = sorted(edits.cells)
        rows = _row_spans(xml, [row + 1 for row in wanted], data_start, data_end)
    view = memoryview(xml)
    pieces: list[bytes | memoryview] = []
    cursor, changed = data_start, 0
    existing = sorted(rows)
    index = 0
    for row in wanted:
        number = row + 1
        while index < len(existing) and existing[index] < number:
            index += 1
        span = rows.get(number)
        if span is not None:
            new, count = _patch_row(xml, span, row, edits, merged)
            if count:
                pieces += [view[cursor:span.start], new]
                cursor, changed = span.end, changed + count
            continue
        new, count = _patch_row(b"", None, row, edits, merged)
        if count:
            at = rows[existing[index]].start if index < len(existing) else data_end
            pieces += [view[cursor:at], new]
            cursor, changed = at, changed + count
    if not changed:
        return xml, 0
    pieces.append(view[cursor:data_end])
    if empty:
        start = xml.rfind(b"<sheetData", 0, data_start)
        body = b"".join(pieces)
        out = xml[:start] + xml[start:data_start - 2] + b">" + body[0:] + b"</sheetData>" + xml[data_start:]
        return _dimension(out, edits), changed
    # one copy of the sheet: the unchanged stretches as views into it, joined once with the new rows
    # and the widened <dimension> (which comes before <sheetData>, so row offsets stay valid)
    head: list[bytes | memoryview] = [view[:data_start]]
    if (dimension := _dimension_edit(xml, edits)) is not None:
        at, end, element = dimension
        head = [view[:at], element, view[end:data_start]]
    return b"".join([*head, *pieces, view[data_end:]]), changed


def _patch_row(xml: bytes, span: _Span | None, row: int, edits: SheetEdits,
               merged: Callable[[int, int], bool]) -> tuple[bytes, int]:
    """One row's XML with its edits (and restyles) applied."""
    if span is None:
        head, body = b'<row r="%d">' % (row + 1), b""
    elif span.closed:
        head, body = xml[span.start:span.end - 2] + b">", b""
    else:
        head, body = xml[span.start:span.head_end], xml[span.head_end:span.end - 6]
    cells = _cells(body)
    if list(cells) != sorted(cells):  # cells out of column order (not valid OOXML): put them in order
        body = b"".join(body[start:_cell_end(body, start)] for _, start in sorted(cells.items()))
        cells = _cells(body)
    targets = edits.cells.get(row, {})
    if edits.restyle and row > 0:
        targets = dict(targets)
        for col, restyle in edits.restyle.items():
            if col in targets:
                targets[col] = _compose(targets[col], restyle)
            elif col in cells:
                targets[col] = CellEdit(None, None, restyle)  # restyle only: value kept
    pieces: list[bytes] = []  # the new body, left to right: kept bytes and new cells
    cursor = changed = 0
    top = max(cells, default=-1)
    existing = iter(sorted(cells.items()))
    following = next(existing, None)
    for col in sorted(targets):
        while following is not None and following[0] < col:
            following = next(existing, None)
        if following is not None and following[0] == col:
            cell: tuple[int, int] | None = (following[1], _cell_end(body, following[1]))
        else:
            cell = None
        if merged(row, col) or (new := _new_cell(body, cell, row, col, targets[col], edits)) is None:
            continue
        at, end = cell if cell is not None else ((following[1] if following is not None else len(body)),) * 2
        pieces += [body[cursor:at], new]
        cursor, changed, top = end, changed + 1, max(top, col)
    if not changed:
        return head + body + b"</row>", 0
    pieces.append(body[cursor:])
    if match := _SPANS.search(head):
        low, high = int(match.group(1)), int(match.group(2))
        low = min([low, *(c + 1 for c in targets)])
        head = head[:match.start()] + b' spans="%d:%d"' % (low, max(high, top + 1)) + head[match.end():]
    return head + b"".join(pieces) + b"</row>", changed


_COLUMNS: dict[bytes, int] = {}


def _column(address: bytes) -> int:
    """0-based column of a cell address or its letters (b"AB12", b"AB" -> 27), remembered."""
    letters = address.rstrip(b"0123456789")
    col = _COLUMNS.get(letters)
    if col is None:
        col = _COLUMNS[letters] = split_ref(letters.decode() + "1")[1]
    return col


def _cells(body: bytes) -> dict[int, int]:
    """Column -> start of each ``<c>`` in a row's body, in file order."""
    starts = [(m.start(), m.group(1)) for m in _CELL_START.finditer(body)]
    if len(starts) != len(_CELL_TAG.findall(body)):  # a cell whose first attribute is not r=
        starts = []
        for match in _CELL_TAG.finditer(body):
            r = _R.search(body, match.end(), body.index(b">", match.end()))
            if r is None:
                raise PatchRefused("tata letak XML lembar tidak dikenal (sel atau baris tanpa alamat)")
            starts.append((match.start(), r.group(1)))
    cells = {_column(letters): start for start, letters in starts}
    if len(cells) != len(starts):
        raise PatchRefused("satu baris memuat sel yang sama dua kali")
    return cells


def _cell_end(body: bytes, start: int) -> int:
    """Where the ``<c>`` element starting at ``start`` ends (cell text is escaped: no stray ``</c>``)."""
    close = body.index(b">", start)
    return close + 1 if body[close - 1] == 47 else body.index(b"</c>", close) + 4  # 47: "/"


def _compose(edit: CellEdit, restyle: Callable[[int | None], int | None]) -> CellEdit:
    if edit.style is None:
        return CellEdit(edit.value, edit.current, restyle)
    first = edit.style
    return CellEdit(edit.value, edit.current, lambda s: restyle(first(s)))


def _new_cell(body: bytes, cell: tuple[int, int] | None, row: int, col: int, edit: CellEdit,
              edits: SheetEdits) -> bytes | None:
    """The replacement bytes for one cell, or None to leave it as it is."""
    if cell is None:  # a new cell takes its column's format
        style = edits.column_styles.get(col)
        new_style = edit.style(style) if edit.style else style
        value = _clean(edit.value)
        if (value is None or value is False or value == "") and new_style is None:
            return None
        if _same_value(edit.current, value) and new_style == style:
            return None
        return _cell_xml(ref(row, col), new_style, value) or b""
    old = body[cell[0]:cell[1]]
    if _SHARED_FORMULA.search(old):
        raise PatchRefused(f"sel {ref(row, col)} memuat rumus bersama/array milik sel lain")
    style_match = _S.search(old, 0, old.index(b">") + 1)
    style = int(style_match.group(1)) if style_match else None  # an existing cell without s= has format 0
    new_style = edit.style(style) if edit.style else style
    if edit.value is None and edit.current is None and edit.style is not None:
        if new_style == style:  # restyle only, and the style already fits
            return None
        if style_match is None:
            return old[:2] + b' s="%d"' % new_style + old[2:]
        return old[:style_match.start()] + b' s="%d"' % new_style + old[style_match.end():]
    if b"<f" not in old and same_value(edit.current, edit.value) and new_style == style:
        return None
    return cell_xml(ref(row, col), new_style, edit.value) or b""


_DIMENSION = re.compile(rb'<dimension ref="([A-Z]+[0-9]+)(?::([A-Z]+[0-9]+))?"\s*/>')


def _dimension(xml: bytes, edits: SheetEdits) -> bytes:
    """Widen ``<dimension>`` to cover the written cells (it is a hint, but Excel trusts it)."""
    edit = _dimension_edit(xml, edits)
    if edit is None:
        return xml
    start, end, element = edit
    return xml[:start] + element + xml[end:]


def _dimension_edit(xml: bytes, edits: SheetEdits) -> tuple[int, int, bytes] | None:
    """(start, end, new element) of the ``<dimension>`` that covers the written cells; None when
    there is none to widen."""
    if not edits.cells:
        return None
    data = xml.find(b"<sheetData")  # <dimension> comes before <sheetData> (CT_Worksheet's order)
    match = _DIMENSION.search(xml, 0, data if data >= 0 else len(xml))
    if match is None:
        return None
    first = split_ref(match.group(1).decode())
    last = split_ref((match.group(2) or match.group(1)).decode())
    rows = [r for r, cols in edits.cells.items() if any(not is_empty(e.value) for e in cols.values())]
    cols = [c for r in rows for c in edits.cells[r]]
    if not rows:
        return None
    low = (min(first[0], *rows), min(first[1], *cols))
    high = (max(last[0], *rows), max(last[1], *cols))
    text = f"{ref(*low)}:{ref(*high)}" if low != high else ref(*low)
    return match.start(), match.end(), b'<dimension ref="%s"/>' % text.encode()


_MERGE = re.compile(rb'<mergeCell\b[^>]*\bref="([A-Z]+[0-9]+):([A-Z]+[0-9]+)"')


def after_sheet_data(xml: bytes) -> int:
    """Where the elements that follow ``<sheetData>`` (merged cells, data validations...) may
    start: a worksheet's elements come in the schema's order, and a cell's text never holds a
    raw ``<``, so searching for them from here finds what a search of the whole sheet finds,
    without reading every row (DECISIONS.md #156). 0 when the sheet has no ``</sheetData>``."""
    return max(xml.rfind(b"</sheetData>"), 0)


def merged_cells(xml: bytes) -> Callable[[int, int], bool]:
    """A test for cells hidden inside a merged range (the range's top-left cell is writable)."""
    ranges = []
    for match in _MERGE.finditer(xml, after_sheet_data(xml)):
        (r1, c1), (r2, c2) = split_ref(match.group(1).decode()), split_ref(match.group(2).decode())
        ranges.append((r1, c1, r2, c2))
    if not ranges:
        return lambda row, col: False
    return lambda row, col: any(r1 <= row <= r2 and c1 <= col <= c2 and (row, col) != (r1, c1)
                                for r1, c1, r2, c2 in ranges)


# --- the zip ---------------------------------------------------------------------------------


# A rewritten part is deflated at level 1 (DECISIONS.md #155): a changed sheet's XML is ~1 KB a row,
# and level 6 spends 3-4x the CPU for a file ~20 % smaller; any level reads back the same bytes.
PART_LEVEL = 1


def rewrite_zip(original: bytes, parts: dict[str, bytes]) -> bytes:
    """The package with ``parts`` replaced or added; every other part keeps its bytes, order and
    date: its compressed bytes are copied as they are, never inflated and deflated again
    (DECISIONS.md #147)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(original)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        names = set()
        for info in source.infolist():
            names.add(info.filename)
            data = parts.get(info.filename)
            if data is None:
                _copy_member(original, info, target)
            else:
                target.writestr(info, data, compresslevel=PART_LEVEL)
        for name, data in parts.items():
            if name not in names:
                target.writestr(name, data, compresslevel=PART_LEVEL)
    return out.getvalue()


def _copy_member(original: bytes, info: zipfile.ZipInfo, target: zipfile.ZipFile) -> None:
    """One member's compressed bytes into ``target`` with its CRC, sizes and date: a new local
    header (sizes in it, so no data descriptor), then the bytes; the central directory entry is
    written by ``target`` on close as for any member."""
    at = info.header_offset
    if original[at:at + 4] != b"PK\x03\x04":
        raise PatchRefused("arsip XLSX rusak (kepala berkas di dalamnya tidak ditemukan)")
    name_length, extra_length = struct.unpack("<HH", original[at + 26:at + 30])
    start = at + 30 + name_length + extra_length
    raw = original[start:start + info.compress_size]
    copied = copy.copy(info)
    copied.flag_bits &= ~0x08  # sizes and CRC are known: they go in the local header
    copied.header_offset = target.fp.tell()  # type: ignore[union-attr]
    target.fp.write(copied.FileHeader())  # type: ignore[union-attr]
    target.fp.write(raw)  # type: ignore[union-attr]
    target.filelist.append(copied)
    target.NameToInfo[copied.filename] = copied
    target.start_dir = target.fp.tell()  # type: ignore[union-attr]
    target._didModify = True  # type: ignore[attr-defined]
