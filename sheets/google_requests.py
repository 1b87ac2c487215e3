"""Request bodies for the Sheets v4 API and the parsing of what it answers.

Values are written with ``updateCells`` ``userEnteredValue`` (``stringValue`` for text, so text can
never become a formula), notes with ``fields: "note"`` over a range that covers exactly the cells
sent (a wider range would clear the notes of the cells left out).
"""
from __future__ import annotations

import math
import zlib
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from rules import fields as f

from . import google_protect
from .base import OWNED_NOTE_PREFIX
from .layout import COLUMNS
from .xlsx_template import OWNER_FILLS, STATUS_COLOURS

# one spreadsheets.get reads every OPD tab of a spreadsheet: values, notes and number formats
READ_FIELDS = ("sheets(properties(sheetId,title),data(startRow,startColumn,rowData.values("
               "userEnteredValue,effectiveValue,formattedValue,note,effectiveFormat.numberFormat)))")
TITLE_FIELDS = "sheets.properties(sheetId,title)"
MAX_CELL_TEXT = 50_000  # Google's limit per cell
_EPOCH = datetime(1899, 12, 30)

Cell = tuple[int, int, Any]  # (row, col, value or note text), 0-based sheet coordinates


def a1_title(title: str) -> str:
    """A tab name as an A1 range on its own (the whole tab), quoted so no name reads as a cell."""
    return "'" + title.replace("'", "''") + "'"


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


def _runs(cells: Iterable[Cell]) -> list[list[Cell]]:
    """Cells grouped into runs of adjacent columns on one row (the last write to a cell wins)."""
    latest = {(r, c): (r, c, v) for r, c, v in cells}
    runs: list[list[Cell]] = []
    for r, c, v in sorted(latest.values(), key=lambda x: (x[0], x[1])):
        if runs and runs[-1][-1][0] == r and runs[-1][-1][1] == c - 1:
            runs[-1].append((r, c, v))
        else:
            runs.append([(r, c, v)])
    return runs


def _update(sheet_id: int, run: list[Cell], field: str, data: list[dict[str, Any]]) -> dict[str, Any]:
    row, first = run[0][0], run[0][1]
    return {"updateCells": {
        "range": grid_range(sheet_id, row, row + 1, first, first + len(run)),  # exactly the cells sent
        "rows": [{"values": data}],
        "fields": field,
    }}


def value_updates(sheet_id: int, cells: Iterable[Cell]) -> list[dict[str, Any]]:
    out = []
    for run in _runs(cells):
        data = []
        for _, _, value in run:
            ev = extended_value(value)
            data.append({"userEnteredValue": ev} if ev is not None else {})
        out.append(_update(sheet_id, run, "userEnteredValue", data))
    return out


def append_request(sheet_id: int, rows: Sequence[Sequence[Any]]) -> dict[str, Any]:
    """appendCells: whole rows after the last row with data; None leaves a cell empty."""
    data = []
    for values in rows:
        cells = []
        for value in values:
            ev = extended_value(value)
            cells.append({"userEnteredValue": ev} if ev is not None else {})
        data.append({"values": cells})
    return {"appendCells": {"sheetId": sheet_id, "rows": data, "fields": "userEnteredValue"}}


def note_updates(sheet_id: int, notes: Iterable[Cell]) -> list[dict[str, Any]]:
    """Set (text) or remove (None) notes; each range covers exactly the cells it names."""
    return [_update(sheet_id, run, "note", [{"note": t} if t else {} for _, _, t in run]) for run in _runs(notes)]


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
    requests += google_protect.template(kode, sheet_id, operators, walidata, service_account)
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
        shown = str(cell.get("formattedValue") or "")
        return number, kind == "PERCENT" or shown.rstrip().endswith("%"), None
    return None, False, None


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
                value, is_percent, problem = cell_value(cell)
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
