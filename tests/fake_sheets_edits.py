"""Reads and edits of tests/fake_sheets_api.py: values.get/batchGet, values.update/batchUpdate
(RAW vs USER_ENTERED) and the spreadsheets.batchUpdate requests the backend and tests use."""
from __future__ import annotations

import copy
from typing import Any

from tests import fake_sheets_discovery as discovery
from tests.fake_sheets_grid import (
    PROTECTED, ApiError, Cell, Sheet, Spreadsheet, a1_cell, bad, effective, formatted, user_entered,
)

RENDER = ("FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA")
INPUT = ("RAW", "USER_ENTERED")
READ_ONLY = ("effectiveValue", "formattedValue", "effectiveFormat", "textFormatRuns", "hyperlink")


def _quoted(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


# --- values -------------------------------------------------------------------------------------


def _render(cell: Cell | None, render: str, datetime_render: str) -> Any:
    if cell is None:
        return ""
    value, error = effective(cell)
    if render == "FORMULA" and cell.formula:
        return cell.formula
    if render == "FORMATTED_VALUE" or error:
        return formatted(cell) or ""
    kind = (cell.number_format or {}).get("type")
    if kind in ("DATE", "DATE_TIME", "TIME") and datetime_render == "FORMATTED_STRING":
        return formatted(cell) or ""
    return "" if value is None else value


def read_values(book: Spreadsheet, ranges: list[str], opts: dict[str, str]) -> list[dict[str, Any]]:
    render = opts.get("valueRenderOption", "FORMATTED_VALUE")
    datetime_render = opts.get("dateTimeRenderOption", "SERIAL_NUMBER")
    major = opts.get("majorDimension", "ROWS")
    out = []
    for text in ranges:
        sheet, r0, r1, c0, c1 = book.resolve(text)
        r1 = sheet.rows if r1 is None else r1
        c1 = sheet.cols if c1 is None else c1
        last_row = max((r for (r, c) in sheet.cells if c0 <= c < c1), default=-1)
        last_col = max((c for (r, c) in sheet.cells if r0 <= r < r1), default=-1)
        values = [[_render(sheet.cells.get((r, c)), render, datetime_render) for c in range(c0, min(c1, last_col + 1))]
                  for r in range(r0, min(r1, last_row + 1))]
        if major == "COLUMNS":
            values = [list(col) for col in zip(*values)] if values else []
        for row in values:
            while row and row[-1] == "":
                row.pop()
        while values and not values[-1]:
            values.pop()
        answer: dict[str, Any] = {"range": f"{_quoted(sheet.title)}!{a1_cell(r0, c0)}:{a1_cell(r1 - 1, c1 - 1)}",
                                  "majorDimension": major}
        if values:
            answer["values"] = values
        out.append(answer)
    return out


def update_values(book: Spreadsheet, data: list[dict[str, Any]], option: str | None, user: str,
                  single: bool = False) -> dict[str, Any]:
    if option is None:
        raise bad("'valueInputOption' is required but not specified")
    if option not in INPUT:
        raise bad("Invalid value at 'value_input_option' "
                  f"(type.googleapis.com/google.apps.sheets.v4.ValueInputOption), \"{option}\"")
    changes: list[tuple[Sheet, int, int, Any]] = []
    items: list[int] = []  # which data[] item each change came from
    for index, item in enumerate(data):
        if "range" not in item:
            raise bad("Invalid data[0]: range is required")
        sheet, r0, r1, c0, c1 = book.resolve(item["range"])
        rows = item.get("values", [])
        if item.get("majorDimension") == "COLUMNS":
            rows = [list(col) for col in zip(*rows)]
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                r, c = r0 + i, c0 + j
                if r1 is not None and r >= r1:
                    raise bad(f"Requested writing within range [{item['range']}], but tried writing to row [{r + 1}]")
                if c1 is not None and c >= c1:
                    raise bad(f"Requested writing within range [{item['range']}], but tried writing to column "
                              f"[{c + 1}]")
                if isinstance(value, dict | list):
                    raise bad(f"Invalid values[{i}][{j}]: struct_value")
                if value is not None:  # null leaves the cell as it is
                    changes.append((sheet, r, c, value))
                    items.append(index)
    for index in dict.fromkeys(items):
        mine = [change for change, i in zip(changes, items) if i == index]
        try:
            mine[0][0].check_edit(user, book.owner, [(r, c) for _, r, c, _ in mine])
        except ApiError as exc:
            if single or exc.message != PROTECTED:
                raise
            # values.batchUpdate names the item ("Invalid data[0]: You are..."), values.update does not
            raise ApiError(exc.code, f"Invalid data[{index}]: {exc.message}", exc.status) from exc
    for sheet, r, c, value in changes:
        cell = sheet.cell(r, c)
        if option == "USER_ENTERED" and isinstance(value, str):
            typed = user_entered(value)
        else:
            typed = Cell(value=None if value == "" else value)
        cell.value, cell.formula = typed.value, typed.formula
        if typed.number_format is not None:
            cell.number_format = typed.number_format
        if cell.empty():
            del sheet.cells[r, c]
    if single:
        return {"spreadsheetId": book.spreadsheet_id, "updatedRange": data[0]["range"],
                "updatedRows": len({r for _, r, _, _ in changes}), "updatedColumns": len({c for *_, c, _ in changes}),
                "updatedCells": len(changes)}
    return {"spreadsheetId": book.spreadsheet_id, "totalUpdatedCells": len(changes), "responses": []}


# --- spreadsheets.batchUpdate --------------------------------------------------------------------


def batch_update(book: Spreadsheet, body: dict[str, Any], user: str) -> dict[str, Any]:
    replies = []
    for i, request in enumerate(body.get("requests", [])):
        kinds = list(request)
        if len(kinds) != 1:
            raise bad(f"Invalid requests[{i}]: " + ("No request set." if not kinds else
                      f"oneof field 'kind' is already set. Cannot set '{kinds[1]}'"))
        kind = kinds[0]
        handler = HANDLERS.get(kind)
        if handler is None:
            raise ApiError(501, f"fake Google API: request {kind} is not modelled", "UNIMPLEMENTED")
        try:
            replies.append(handler(book, request[kind], user, f"requests[{i}].{kind}") or {})
        except ApiError as exc:
            if exc.message == PROTECTED:  # Google names the request: "Invalid requests[0].updateCells: You are..."
                raise ApiError(exc.code, f"Invalid requests[{i}].{kind}: {exc.message}", exc.status) from exc
            raise
    return {"spreadsheetId": book.spreadsheet_id, "replies": replies}


def _add_sheet(book: Spreadsheet, args: dict[str, Any], user: str, where: str) -> dict[str, Any]:
    props = args.get("properties", {})
    title = props.get("title") or f"Sheet{len(book.sheets) + 1}"
    if book.by_title(title) is not None:
        raise bad(f"Invalid {where}: A sheet with the name \"{title}\" already exists. Please enter another name.")
    ids = {s.sheet_id for s in book.sheets}
    sheet_id = props.get("sheetId", max(ids | {0}) + 1)
    if sheet_id in ids:
        raise bad(f"Invalid {where}: A sheet with the id {sheet_id} already exists.")
    grid = props.get("gridProperties", {})
    sheet = Sheet(sheet_id, title, len(book.sheets), grid.get("rowCount", 1000), grid.get("columnCount", 26),
                  grid.get("frozenRowCount", 0))
    book.sheets.insert(props.get("index", len(book.sheets)), sheet)
    for index, s in enumerate(book.sheets):
        s.index = index
    return {"addSheet": {"properties": sheet.properties()}}


def _delete_sheet(book: Spreadsheet, args: dict[str, Any], user: str, where: str) -> None:
    sheet = book.by_id(args.get("sheetId", 0), where)
    book.sheets.remove(sheet)


def _update_sheet_properties(book: Spreadsheet, args: dict[str, Any], user: str, where: str) -> None:
    props = args.get("properties", {})
    sheet = book.by_id(props.get("sheetId", 0), where)
    mask = discovery.parse_mask(args.get("fields") or "")
    grid = props.get("gridProperties", {})
    if "title" in mask:
        sheet.title = props["title"]
    if "gridProperties" in mask:
        sub = mask["gridProperties"] or {"frozenRowCount": None, "rowCount": None, "columnCount": None}
        sheet.frozen_rows = grid.get("frozenRowCount", 0) if "frozenRowCount" in sub else sheet.frozen_rows
        sheet.rows = grid.get("rowCount", sheet.rows) if "rowCount" in sub else sheet.rows
        sheet.cols = grid.get("columnCount", sheet.cols) if "columnCount" in sub else sheet.cols


def _update_cells(book: Spreadsheet, args: dict[str, Any], user: str, where: str) -> None:
    if ("range" in args) == ("start" in args):
        raise bad(f"Invalid {where}: exactly one of start or range must be set")
    if not args.get("fields"):
        raise bad(f"Invalid {where}: fields is required")
    mask = discovery.parse_mask(args["fields"])
    discovery.check_mask(mask, "CellData", discovery.document("sheets.v4.json")["schemas"], f"{where}.fields: ")
    if any(name in READ_ONLY for name in mask):
        raise bad(f"Invalid {where}: read-only fields cannot be written: {args['fields']}")
    rows = args.get("rows", [])
    targets: dict[tuple[int, int], dict[str, Any]] = {}
    if "start" in args:
        start = args["start"]
        sheet = book.by_id(start.get("sheetId", 0), where)
        for i, row in enumerate(rows):
            for j, data in enumerate(row.get("values", [])):
                targets[start.get("rowIndex", 0) + i, start.get("columnIndex", 0) + j] = data
    else:
        rng = args["range"]
        sheet = book.by_id(rng.get("sheetId", 0), where)
        r0, c0 = rng.get("startRowIndex", 0), rng.get("startColumnIndex", 0)
        for r in range(r0, rng.get("endRowIndex", sheet.rows)):
            values = rows[r - r0].get("values", []) if r - r0 < len(rows) else []
            for c in range(c0, rng.get("endColumnIndex", sheet.cols)):
                targets[r, c] = values[c - c0] if c - c0 < len(values) else {}  # a cell left out is cleared
    sheet.check_edit(user, book.owner, list(targets))
    for (r, c), data in targets.items():
        _apply_cell(sheet, r, c, data, mask, where)


def _apply_cell(sheet: Sheet, r: int, c: int, data: dict[str, Any], mask: discovery.Mask, where: str) -> None:
    cell = sheet.cell(r, c)
    every = "*" in mask
    if every or "userEnteredValue" in mask:
        value = data.get("userEnteredValue") or {}
        if "errorValue" in value:
            raise bad(f"Invalid {where}: errorValue cannot be written")
        cell.formula = value.get("formulaValue")
        cell.value = next((value[k] for k in ("stringValue", "numberValue", "boolValue") if k in value), None)
    if every or "note" in mask:
        cell.note = data.get("note") or None
    if every or "userEnteredFormat" in mask:
        fmt = data.get("userEnteredFormat", {})
        sub = None if every else mask["userEnteredFormat"]
        names = list(fmt) + list(cell.style) + ["numberFormat"] if sub is None else list(sub)
        for name in names:
            if name == "numberFormat":
                cell.number_format = copy.deepcopy(fmt.get("numberFormat"))
            elif name in fmt:
                cell.style[name] = copy.deepcopy(fmt[name]) if sub is None or sub[name] is None \
                    else discovery.apply_mask(fmt[name], sub[name])
            else:
                cell.style.pop(name, None)
    if every or "dataValidation" in mask:
        sheet.validations.append(({"sheetId": sheet.sheet_id, "startRowIndex": r, "endRowIndex": r + 1,
                                   "startColumnIndex": c, "endColumnIndex": c + 1}, data.get("dataValidation")))
    if cell.empty():
        del sheet.cells[r, c]


def _append_cells(book: Spreadsheet, args: dict[str, Any], user: str, where: str) -> None:
    """Rows after the last row with data, the grid growing as needed (as Google does)."""
    if not args.get("fields"):
        raise bad(f"Invalid {where}: fields is required")
    mask = discovery.parse_mask(args["fields"])
    discovery.check_mask(mask, "CellData", discovery.document("sheets.v4.json")["schemas"], f"{where}.fields: ")
    sheet = book.by_id(args.get("sheetId", 0), where)
    rows = args.get("rows", [])
    first = sheet.last_row() + 1
    targets = {(first + i, j): data for i, row in enumerate(rows) for j, data in enumerate(row.get("values", []))}
    if any(c >= sheet.cols for _, c in targets):
        raise bad(f"Invalid {where}: column out of the grid")
    sheet.check_edit(user, book.owner, list(targets))
    sheet.rows = max(sheet.rows, first + len(rows))
    for (r, c), data in targets.items():
        _apply_cell(sheet, r, c, data, mask, where)


def _update_dimension_properties(book: Spreadsheet, args: dict[str, Any], user: str, where: str) -> None:
    rng = args.get("range", {})
    sheet = book.by_id(rng.get("sheetId", 0), where)
    if rng.get("dimension") == "COLUMNS" and "pixelSize" in (args.get("fields") or ""):
        for col in range(rng.get("startIndex", 0), rng.get("endIndex", sheet.cols)):
            sheet.widths[col] = args.get("properties", {}).get("pixelSize", 100)


def _set_data_validation(book: Spreadsheet, args: dict[str, Any], user: str, where: str) -> None:
    rng = args.get("range", {})
    book.by_id(rng.get("sheetId", 0), where).validations.append((copy.deepcopy(rng), copy.deepcopy(args.get("rule"))))


def _add_protected_range(book: Spreadsheet, args: dict[str, Any], user: str, where: str) -> dict[str, Any]:
    pr = copy.deepcopy(args.get("protectedRange", {}))
    sheet = book.by_id(pr.get("range", {}).get("sheetId", 0), where)
    if "protectedRangeId" in pr:
        raise bad(f"Invalid {where}: protectedRangeId is assigned by the server")
    pr["protectedRangeId"] = book.next_protection
    book.next_protection += 1
    users = pr.setdefault("editors", {}).setdefault("users", [])
    for editor in (user, book.owner):  # the requesting user and the owner can always edit
        if editor not in users:
            users.append(editor)
    sheet.protected.append(pr)
    return {"addProtectedRange": {"protectedRange": copy.deepcopy(pr)}}


def _add_conditional_format_rule(book: Spreadsheet, args: dict[str, Any], user: str, where: str) -> None:
    rule = copy.deepcopy(args.get("rule", {}))
    ranges = rule.get("ranges") or []
    if not ranges:
        raise bad(f"Invalid {where}: rule.ranges is required")
    sheet = book.by_id(ranges[0].get("sheetId", 0), where)
    sheet.conditional.insert(args.get("index", len(sheet.conditional)), rule)


HANDLERS = {
    "addSheet": _add_sheet,
    "deleteSheet": _delete_sheet,
    "updateSheetProperties": _update_sheet_properties,
    "updateCells": _update_cells,
    "appendCells": _append_cells,
    "updateDimensionProperties": _update_dimension_properties,
    "setDataValidation": _set_data_validation,
    "addProtectedRange": _add_protected_range,
    "addConditionalFormatRule": _add_conditional_format_rule,
}
from tests.fake_sheets_comments import HANDLERS as _COMMENT_HANDLERS  # noqa: E402  (DECISIONS.md #13)

from tests.fake_sheets_rows import HANDLERS as _ROW_HANDLERS  # noqa: E402  (DECISIONS.md #18)

HANDLERS.update(_COMMENT_HANDLERS)
HANDLERS.update(_ROW_HANDLERS)

from tests.fake_sheets_protect import HANDLERS as _PROTECT_HANDLERS  # noqa: E402  (DECISIONS.md #17)

HANDLERS.update(_PROTECT_HANDLERS)
