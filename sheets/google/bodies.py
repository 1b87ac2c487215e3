"""Request bodies for the Sheets v4 API and the parsing of what it answers.

Values are written with ``updateCells`` ``userEnteredValue`` (``stringValue`` for text, so text can
never become a formula), notes with ``fields: "note"`` over a range that covers exactly the cells
sent (a wider range would clear the notes of the cells left out).
"""
from __future__ import annotations

import json
import math
import zlib
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from rules import fields as f

from . import protect
from ..base import OWNED_NOTE_PREFIX
from ..layout import COLUMNS
from ..looks import OWNER_FILLS, STATUS_COLOURS, is_percent_format

# one spreadsheets.get reads every OPD tab of a spreadsheet, asking only for what cell_value uses:
# the value (effectiveValue), whether a value-less cell holds a formula, the note and the number
# format (a percent or date is told by its type and pattern, so formattedValue, about a third of
# the answer, is not needed; userEnteredValue would repeat every value)
READ_FIELDS = ("sheets(properties(sheetId,title),data(startRow,startColumn,rowData.values("
               "effectiveValue,userEnteredValue.formulaValue,note,effectiveFormat.numberFormat(type,pattern))))")
TITLE_FIELDS = "sheets.properties(sheetId,title)"
MAX_CELL_TEXT = 50_000  # Google's limit per cell
MAX_REQUEST_BYTES = 1_900_000  # below Google's advised 2 MB per request body
_EPOCH = datetime(1899, 12, 30)

Cell = tuple[int, int, Any]  # (row, col, value or note text), 0-based sheet coordinates


def a1_title(title: str) -> str:
    """A tab name as an A1 range on its own (the whole tab), quoted so no name reads as a cell."""
    return "'" + title.replace("'", "''") + "'"


def col_letters(col: int) -> str:
    """0 -> "A", 26 -> "AA"."""
    out = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def a1_of(title: str, rng: dict[str, int]) -> str:
    """A GridRange in A1 words for a message: 'DINKES'!A:A, 'DINKES'!U2:W40, or the tab alone."""
    r0, r1 = rng.get("startRowIndex"), rng.get("endRowIndex")
    c0, c1 = rng.get("startColumnIndex"), rng.get("endColumnIndex")
    if c0 is None and c1 is None and r0 is None and r1 is None:
        return a1_title(title)
    first = col_letters(c0 or 0) + ("" if r0 is None else str(r0 + 1))
    last = ("" if c1 is None else col_letters(c1 - 1)) + ("" if r1 is None else str(r1))
    if c0 is None and c1 is None:
        first, last = str((r0 or 0) + 1), "" if r1 is None else str(r1)
    return f"{a1_title(title)}!{first}:{last}" if last else f"{a1_title(title)} mulai {first}"


def grid_range(sheet_id: int, row: int | None = None, end_row: int | None = None,
               col: int | None = None, end_col: int | None = None) -> dict[str, int]:
    bounds = {"sheetId": sheet_id, "startRowIndex": row, "endRowIndex": end_row,
              "startColumnIndex": col, "endColumnIndex": end_col}
    return {k: v for k, v in bounds.items() if v is not None}


def owned(note: str | None) -> bool:
    return (note or "").lstrip().startswith(OWNED_NOTE_PREFIX)


# --- writing cells and notes --------------------------------------------------------------------


def extended_value(value: Any) -> dict[str, Any] | None:
    """The ``userEnteredValue`` for a value; None clears the cell. ``False`` is an unticked box."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise ValueError(f"Nilai {value!r} tidak bisa disimpan di Google Sheets")
        return {"numberValue": value}
    if isinstance(value, datetime | date | time):
        value = value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    if not isinstance(value, str):
        raise TypeError(f"Nilai bertipe {type(value).__name__} tidak bisa ditulis ke sel")
    if len(value) > MAX_CELL_TEXT:
        value = value[: MAX_CELL_TEXT - 1] + "…"
    return {"stringValue": value}


def body_size(value: Any) -> int:
    """Bytes of ``value`` as sent: compact JSON (what GoogleBackend puts on the wire)."""
    return len(json.dumps(value, separators=(",", ":")).encode("utf-8"))


def _blocks(cells: Iterable[Cell]) -> list[tuple[int, int, int, int]]:
    """[r0, r1) x [c0, c1) rectangles that cover exactly the cells given (the last write to a
    cell wins): each column's runs of consecutive rows, then neighbouring columns with the same
    run joined. A block never holds a cell that is not being written, so nothing else is
    cleared; the first write of a tab is one block per span of adjacent system columns."""
    rows_of: dict[int, set[int]] = {}
    for r, c, _ in cells:
        rows_of.setdefault(c, set()).add(r)
    by_span: dict[tuple[int, int], list[int]] = {}
    for c, rows in rows_of.items():
        ordered = sorted(rows)
        start = ordered[0]
        for prev, row in zip(ordered, ordered[1:] + [None]):
            if row != prev + 1:
                by_span.setdefault((start, prev + 1), []).append(c)
                start = row
    out = []
    for (r0, r1), cols in by_span.items():
        cols.sort()
        first = cols[0]
        for prev, col in zip(cols, cols[1:] + [None]):
            if col != prev + 1:
                out.append((r0, r1, first, prev + 1))
                first = col
    return sorted(out, key=lambda b: (b[2], b[0]))


def _block_updates(sheet_id: int, cells: Iterable[Cell], field: str, data: Callable[[Any], dict[str, Any]],
                   max_bytes: int) -> list[dict[str, Any]]:
    """One ``updateCells`` per block, its range exactly the block; a block whose body would pass
    ``max_bytes`` is halved by rows until it fits (a single cell always fits: 50,000 characters)."""
    latest = {(r, c): v for r, c, v in cells}
    out: list[dict[str, Any]] = []
    pending = _blocks((r, c, None) for r, c in latest)[::-1]  # popped in order
    while pending:
        r0, r1, c0, c1 = pending.pop()
        request = {"updateCells": {
            "range": grid_range(sheet_id, r0, r1, c0, c1),
            "rows": [{"values": [data(latest[r, c]) for c in range(c0, c1)]} for r in range(r0, r1)],
            "fields": field,
        }}
        if r1 - r0 > 1 and body_size(request) > max_bytes:
            middle = (r0 + r1) // 2
            pending += [(middle, r1, c0, c1), (r0, middle, c0, c1)]
            continue
        out.append(request)
    return out


def _value_data(value: Any) -> dict[str, Any]:
    ev = extended_value(value)
    return {"userEnteredValue": ev} if ev is not None else {}


def value_updates(sheet_id: int, cells: Iterable[Cell], max_bytes: int = MAX_REQUEST_BYTES) -> list[dict[str, Any]]:
    """The poller's values as ``userEnteredValue`` (stringValue/boolValue, never parsed), in blocks."""
    return _block_updates(sheet_id, cells, "userEnteredValue", _value_data, max_bytes)


def append_request(sheet_id: int, rows: Sequence[Sequence[Any]]) -> dict[str, Any]:
    """appendCells: whole rows after the last row with data; None leaves a cell empty."""
    data = [{"values": [_value_data(value) for value in values]} for values in rows]
    return {"appendCells": {"sheetId": sheet_id, "rows": data, "fields": "userEnteredValue"}}


def note_updates(sheet_id: int, notes: Iterable[Cell], max_bytes: int = MAX_REQUEST_BYTES) -> list[dict[str, Any]]:
    """Set (text) or remove (None) notes; each range covers exactly the cells it names."""
    return _block_updates(sheet_id, notes, "note", lambda text: {"note": text} if text else {}, max_bytes)


# --- the template of one OPD tab ----------------------------------------------------------------


def new_sheet_id(kode: str, taken: Iterable[int]) -> int:
    """A stable, free sheetId for a new tab (never assume the first tab's id is 0)."""
    used = set(taken)
    sheet_id = zlib.crc32(kode.encode("utf-8")) % 2_000_000_000 + 1
    while sheet_id in used:
        sheet_id += 1
    return sheet_id


def _rgb(hex_colour: str) -> dict[str, float]:
    return {k: round(int(hex_colour[i:i + 2], 16) / 255, 4) for k, i in (("red", 0), ("green", 2), ("blue", 4))}


def template_requests(kode: str, sheet_id: int, operators: Sequence[str], walidata: Sequence[str],
                      service_account: str | None, rows: int = 1000) -> list[dict[str, Any]]:
    """Everything a new OPD tab needs, for one spreadsheets.batchUpdate: the tab with a frozen
    header, the header row, widths, checkboxes, protected ranges and Status colours."""
    width = len(COLUMNS)
    requests: list[dict[str, Any]] = [{"addSheet": {"properties": {
        "sheetId": sheet_id, "title": kode,
        "gridProperties": {"rowCount": rows, "columnCount": width, "frozenRowCount": 1},
    }}}]
    header = [{"userEnteredValue": {"stringValue": c.header},
               "userEnteredFormat": {"backgroundColor": _rgb(OWNER_FILLS[c.owner]), "textFormat": {"bold": True},
                                     "wrapStrategy": "WRAP", "verticalAlignment": "MIDDLE"}} for c in COLUMNS]
    requests.append({"updateCells": {
        "range": grid_range(sheet_id, 0, 1, 0, width), "rows": [{"values": header}],
        "fields": "userEnteredValue,userEnteredFormat(backgroundColor,textFormat.bold,wrapStrategy,verticalAlignment)",
    }})
    for i, column in enumerate(COLUMNS):
        requests.append({"updateDimensionProperties": {
            "range": {"sheetId": sheet_id, "dimension": "COLUMNS", "startIndex": i, "endIndex": i + 1},
            "properties": {"pixelSize": column.width * 7 + 5}, "fields": "pixelSize",
        }})
        if column.box:
            requests.append({"setDataValidation": {
                "range": grid_range(sheet_id, 1, rows, i, i + 1),
                "rule": {"condition": {"type": "BOOLEAN"}, "strict": True, "showCustomUi": True},
            }})
    # protected ranges: system columns, Walidata columns, the whole tab (kept in step by google_protect)
    requests += protect.template(kode, sheet_id, operators, walidata, service_account)
    status = next(i for i, c in enumerate(COLUMNS) if c.key == f.STATUS)
    for index, (prefix, background, font) in enumerate(STATUS_COLOURS):
        requests.append({"addConditionalFormatRule": {"index": index, "rule": {
            "ranges": [grid_range(sheet_id, 1, rows, status, status + 1)],
            "booleanRule": {
                "condition": {"type": "TEXT_STARTS_WITH", "values": [{"userEnteredValue": prefix}]},
                "format": {"backgroundColor": _rgb(background), "textFormat": {"foregroundColor": _rgb(font)}},
            },
        }}})
    return requests


# --- reading ------------------------------------------------------------------------------------


def cell_value(cell: dict[str, Any]) -> tuple[Any, bool, str | None]:
    """(value, shown as a percentage, problem) of one CellData, never numericised from text."""
    entered = cell.get("userEnteredValue") or {}
    value = cell.get("effectiveValue")
    if value is None:
        if "formulaValue" in entered:
            return None, False, "Rumus belum punya hasil; periksa rumusnya di Google Sheets"
        value = entered
    if "errorValue" in value:
        error = value["errorValue"]
        return None, False, (f"Sel berisi galat {error.get('type', '')} {error.get('message', '')}".rstrip()
                             + "; perbaiki rumus atau isinya")
    if "boolValue" in value:
        return bool(value["boolValue"]), False, None
    if "stringValue" in value:
        return value["stringValue"], False, None
    if "numberValue" in value:
        number = value["numberValue"]
        kind = ((cell.get("effectiveFormat") or {}).get("numberFormat") or {}).get("type")
        if kind in ("DATE", "DATE_TIME", "TIME"):
            try:
                moment = _EPOCH + timedelta(days=number)
            except (OverflowError, ValueError):  # beyond 31/12/9999 (serial 2,958,465) or not a number
                return None, False, (f"Angka {number} berformat tanggal di luar rentang tanggal yang dapat "
                                     "dibaca; ubah format selnya menjadi angka atau perbaiki isinya")
            return (moment.date() if kind == "DATE" else moment.time() if kind == "TIME" else moment), False, None
        pattern = ((cell.get("effectiveFormat") or {}).get("numberFormat") or {}).get("pattern", "")
        # a custom pattern shows a percentage when it has an unquoted % (0.0"%" only appends a sign)
        return number, kind == "PERCENT" or is_percent_format(pattern), None
    return None, False, None


def _readable(cell: dict[str, Any]) -> tuple[Any, bool, str | None]:
    """cell_value, or a problem on this cell when Google sent what it cannot read: one odd
    cell is a finding where it stands, never an exception that loses every tab's read."""
    try:
        return cell_value(cell)
    except (TypeError, ValueError, OverflowError, AttributeError) as exc:
        return None, False, f"Sel tidak dapat dibaca ({type(exc).__name__}); periksa isi dan format selnya"


def parse_sheet(sheet: dict[str, Any]) -> tuple[list[list[Any]], set[tuple[int, int]],
                                                 dict[tuple[int, int], str], dict[tuple[int, int], str]]:
    """(grid, percent, problems, notes) of one tab in sheet coordinates (row 0 = header). The API
    drops trailing empty rows and cells and sends an empty row as ``{}``."""
    grid: list[list[Any]] = []
    percent: set[tuple[int, int]] = set()
    problems: dict[tuple[int, int], str] = {}
    notes: dict[tuple[int, int], str] = {}
    for block in sheet.get("data") or []:
        top, left = block.get("startRow", 0), block.get("startColumn", 0)
        for i, row in enumerate(block.get("rowData") or []):
            r = top + i
            while len(grid) <= r:
                grid.append([])
            for j, cell in enumerate(row.get("values") or []):
                c = left + j
                value, is_percent, problem = _readable(cell)
                if cell.get("note"):
                    notes[r, c] = cell["note"]
                if value is None and problem is None:
                    continue
                cells = grid[r]
                cells.extend([None] * (c + 1 - len(cells)))
                cells[c] = value
                if is_percent:
                    percent.add((r, c))
                if problem:
                    problems[r, c] = problem
    return grid, percent, problems, notes
