"""The spreadsheet model behind tests/fake_sheets_api.py: cells as Google stores them, id_ID
rendering, USER_ENTERED parsing, A1 ranges and protected ranges."""
from __future__ import annotations

import ast
import copy
import operator
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any


class ApiError(Exception):
    """Answered as Google's error body: {"error": {"code", "message", "status", "details"}}."""

    def __init__(self, code: int, message: str, status: str = "INVALID_ARGUMENT",
                 details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.status, self.details = code, message, status, details or []

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        reason = _REASONS.get(self.code)
        if reason:  # the legacy errors[] list Google still sends beside status (seen on 400/403/404)
            error["errors"] = [{"message": self.message, "domain": "global", "reason": reason}]
        error["status"] = self.status
        if self.details:
            error["details"] = self.details
        return {"error": error}


_REASONS = {400: "badRequest", 403: "forbidden", 404: "notFound", 500: "backendError"}


def bad(message: str) -> ApiError:
    return ApiError(400, message)


PROTECTED = ("You are trying to edit a protected cell or object. Please contact the spreadsheet owner to "
             "remove protection if you need to edit.")
_EPOCH = date(1899, 12, 30)


@dataclass
class Cell:
    value: Any = None  # str, int, float, bool or None as stored (a formula's result is computed)
    formula: str | None = None
    number_format: dict[str, str] | None = None  # {"type": "PERCENT", "pattern": "0.00%"}
    style: dict[str, Any] = field(default_factory=dict)  # the rest of userEnteredFormat
    note: str | None = None

    def empty(self) -> bool:
        return self.value is None and self.formula is None and not self.note and not self.style \
            and self.number_format is None

    def __deepcopy__(self, memo: dict) -> "Cell":
        """A batchUpdate's rollback copy of a whole book, without copy's generic reconstruction
        per cell (value, formula and note are immutable; only the two dicts need copying)."""
        return Cell(self.value, self.formula, None if self.number_format is None else dict(self.number_format),
                    copy.deepcopy(self.style, memo) if self.style else {}, self.note)


@dataclass
class Sheet:
    sheet_id: int
    title: str
    index: int = 0
    rows: int = 1000
    cols: int = 26
    frozen_rows: int = 0
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    validations: list[tuple[dict[str, int], dict[str, Any]]] = field(default_factory=list)
    protected: list[dict[str, Any]] = field(default_factory=list)
    conditional: list[dict[str, Any]] = field(default_factory=list)
    widths: dict[int, int] = field(default_factory=dict)

    def __deepcopy__(self, memo: dict) -> "Sheet":
        """Every field copied deeply, but the cells' (row, col) keys, which are immutable, as they are."""
        new = copy.copy(self)
        new.__dict__.update({k: copy.deepcopy(v, memo) for k, v in self.__dict__.items() if k != "cells"})
        new.cells = {key: copy.deepcopy(cell, memo) for key, cell in self.cells.items()}
        return new

    # --- helpers for tests (no request, not counted) ---------------------------------------------
    def get(self, row: int, col: int) -> Any:
        cell = self.cells.get((row, col))
        return None if cell is None else effective(cell)[0]

    def note(self, row: int, col: int) -> str | None:
        cell = self.cells.get((row, col))
        return None if cell is None else cell.note

    def cell(self, row: int, col: int) -> Cell:
        return self.cells.setdefault((row, col), Cell())

    def last_row(self) -> int:
        """0-based index of the last row holding a value (-1 when empty)."""
        return max((r for (r, _), c in self.cells.items() if c.value is not None or c.formula), default=-1)

    def properties(self) -> dict[str, Any]:
        grid = {"rowCount": self.rows, "columnCount": self.cols}
        if self.frozen_rows:
            grid["frozenRowCount"] = self.frozen_rows
        props: dict[str, Any] = {"sheetId": self.sheet_id, "title": self.title, "index": self.index,
                                 "sheetType": "GRID", "gridProperties": grid}
        return {k: v for k, v in props.items() if v != 0}  # proto3 JSON leaves out zero values

    def covers(self, rng: dict[str, int], row: int, col: int) -> bool:
        return (rng.get("sheetId", 0) == self.sheet_id
                and rng.get("startRowIndex", 0) <= row < rng.get("endRowIndex", self.rows)
                and rng.get("startColumnIndex", 0) <= col < rng.get("endColumnIndex", self.cols))

    def validation(self, row: int, col: int) -> dict[str, Any] | None:
        for rng, rule in reversed(self.validations):  # the column first: most cells have no rule
            if rng.get("startColumnIndex", 0) <= col < rng.get("endColumnIndex", self.cols) and self.covers(rng, row, col):
                return rule
        return None

    def blocking(self, user: str, owner: str, row: int, col: int) -> dict[str, Any] | None:
        """The protected range that stops ``user`` editing the cell (the owner edits everything)."""
        if user == owner:
            return None
        for pr in self.protected:
            if pr.get("warningOnly") or not self.covers(pr.get("range", {}), row, col):
                continue
            if any(self.covers(u, row, col) for u in pr.get("unprotectedRanges", [])):
                continue
            if user not in pr.get("editors", {}).get("users", []):
                return pr
        return None

    def check_edit(self, user: str, owner: str, coords: list[tuple[int, int]]) -> None:
        for row, col in coords:
            if row >= self.rows or col >= self.cols:
                raise bad(f"Range ('{self.title}'!{a1_cell(row, col)}) exceeds grid limits. "
                          f"Max rows: {self.rows}, max columns: {self.cols}")
            if self.blocking(user, owner, row, col):
                raise ApiError(400, PROTECTED, "INVALID_ARGUMENT")  # what Google answers in real use


@dataclass
class Spreadsheet:
    spreadsheet_id: str
    title: str
    owner: str
    editors: set[str] = field(default_factory=set)
    viewers: set[str] = field(default_factory=set)
    sheets: list[Sheet] = field(default_factory=list)
    version: int = 1
    locale: str = "id_ID"
    next_protection: int = 1

    def can_read(self, user: str) -> bool:
        return user == self.owner or user in self.editors or user in self.viewers

    def can_edit(self, user: str) -> bool:
        return user == self.owner or user in self.editors

    def sheet(self, title: str) -> Sheet:
        return next(s for s in self.sheets if s.title == title)

    def by_id(self, sheet_id: int, where: str) -> Sheet:
        for sheet in self.sheets:
            if sheet.sheet_id == sheet_id:
                return sheet
        raise bad(f"Invalid {where}: No grid with id: {sheet_id}")

    def by_title(self, title: str) -> Sheet | None:
        return next((s for s in self.sheets if s.title.casefold() == title.casefold()), None)

    def resolve(self, text: str) -> tuple[Sheet, int, int | None, int, int | None]:
        """An A1 range -> (sheet, first row, end row or None, first col, end col or None), 0-based."""
        name, cells = split_a1(text)
        sheet = self.by_title(name) if name is not None else None
        if name is not None and sheet is None and cells is None and _CELLS.match(name):
            sheet, cells = self.sheets[0], name  # an unquoted "B2" names a cell of the first sheet
        if sheet is None:
            raise bad(f"Unable to parse range: {text}")
        if cells is None:
            return sheet, 0, None, 0, None
        m = _CELLS.match(cells)
        if not m:
            raise bad(f"Unable to parse range: {text}")
        c1, r1, c2, r2 = m.group("c1"), m.group("r1"), m.group("c2"), m.group("r2")
        two = ":" in cells
        row0 = int(r1) - 1 if r1 else 0
        col0 = col_index(c1) if c1 else 0
        if not two:
            if not (c1 and r1):
                raise bad(f"Unable to parse range: {text}")
            return sheet, row0, row0 + 1, col0, col0 + 1
        return sheet, row0, int(r2) if r2 else None, col0, col_index(c2) + 1 if c2 else None


_CELLS = re.compile(r"^(?P<c1>[A-Za-z]{1,3})?(?P<r1>\d+)?(?::(?P<c2>[A-Za-z]{1,3})?(?P<r2>\d+)?)?$")


def split_a1(text: str) -> tuple[str | None, str | None]:
    """('Tab name', 'A1:B2') of an A1 range; either may be None."""
    if text.startswith("'"):
        i, name = 1, []
        while i < len(text):
            if text[i] == "'":
                if text[i + 1:i + 2] == "'":
                    name.append("'")
                    i += 2
                    continue
                break
            name.append(text[i])
            i += 1
        else:
            raise bad(f"Unable to parse range: {text}")
        rest = text[i + 1:]
        if rest and not rest.startswith("!"):
            raise bad(f"Unable to parse range: {text}")
        return "".join(name), (rest[1:] or None)
    if "!" in text:
        name, cells = text.rsplit("!", 1)
        return name, cells or None
    return text, None


def col_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


def col_letters(index: int) -> str:
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def a1_cell(row: int, col: int) -> str:
    return f"{col_letters(col)}{row + 1}"


# --- values as Google computes and renders them (locale id_ID) ----------------------------------

_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
        ast.USub: operator.neg, ast.UAdd: operator.pos}


def _arith(node: ast.AST) -> float:
    if isinstance(node, ast.Expression):
        return _arith(node.body)
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return node.value
    if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
        return _OPS[type(node.op)](_arith(node.left), _arith(node.right))
    if isinstance(node, ast.UnaryOp) and type(node.op) in _OPS:
        return _OPS[type(node.op)](_arith(node.operand))
    raise ValueError("unsupported")


def effective(cell: Cell) -> tuple[Any, dict[str, str] | None]:
    """(value, errorValue) of a cell; formulas of plain arithmetic are computed, others are #NAME?."""
    if cell.formula is None:
        return cell.value, None
    try:
        result = _arith(ast.parse(cell.formula[1:].replace(",", "."), mode="eval"))
    except ZeroDivisionError:
        return None, {"type": "DIVIDE_BY_ZERO", "message": "Function DIVIDE parameter 2 cannot be zero."}
    except (SyntaxError, ValueError):
        return None, {"type": "NAME", "message": f"Unknown function or range in {cell.formula}"}
    return (int(result) if float(result).is_integer() else result), None


def extended(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int | float):
        return {"numberValue": int(value) if float(value).is_integer() else value}
    return {"stringValue": value}


def _number_text(value: float, decimals: int | None, thousands: bool) -> str:
    if decimals is None:
        text = str(int(value)) if float(value).is_integer() else f"{value:.10g}"
    else:
        text = f"{value:,.{decimals}f}" if thousands else f"{value:.{decimals}f}"
    return text.translate(str.maketrans({",": ".", ".": ","}))  # id_ID: 1.234,5


def _decimals(pattern: str) -> int:
    m = re.search(r"\.(0+)", pattern)
    return len(m.group(1)) if m else 0


def formatted(cell: Cell) -> str | None:
    """The text the cell shows in an id_ID spreadsheet (FORMATTED_VALUE)."""
    value, error = effective(cell)
    if error:
        return {"DIVIDE_BY_ZERO": "#DIV/0!", "NAME": "#NAME?"}.get(error["type"], "#ERROR!")
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        return value
    fmt = cell.number_format or {}
    kind, pattern = fmt.get("type"), fmt.get("pattern", "")
    if kind == "PERCENT":
        return _number_text(value * 100, _decimals(pattern or "0.00%"), False) + "%"
    if kind in ("DATE", "DATE_TIME"):
        try:
            return (_EPOCH + timedelta(days=int(value))).strftime("%d/%m/%Y")
        except OverflowError:  # beyond 31/12/9999: Sheets shows the bare number
            return _number_text(value, None, False)
    if kind == "NUMBER":
        return _number_text(value, _decimals(pattern), "," in pattern)
    return _number_text(value, None, False)


_PERCENT = re.compile(r"^([+-]?\d{1,3}(?:\.\d{3})*|[+-]?\d+)(?:,(\d+))?\s*%$")
_GROUPED = re.compile(r"^([+-]?\d{1,3}(?:\.\d{3})+)(?:,(\d+))?$")
_PLAIN = re.compile(r"^([+-]?\d+)(?:,(\d+))?$")
_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def _to_number(whole: str, frac: str | None) -> int | float:
    number = float(whole.replace(".", "") + ("." + frac if frac else ""))
    return int(number) if number.is_integer() and not frac else number


def user_entered(text: str) -> Cell:
    """What Sheets stores when a person types ``text`` in an id_ID spreadsheet (USER_ENTERED)."""
    if text.startswith("="):
        return Cell(formula=text)
    if text.startswith("'"):
        return Cell(value=text[1:])
    t = text.strip()
    if t.upper() in ("TRUE", "FALSE"):
        return Cell(value=t.upper() == "TRUE")
    if m := _PERCENT.match(t):
        digits = len(m.group(2) or "")
        pattern = "0" + ("." + "0" * digits if digits else "") + "%"
        return Cell(value=_to_number(m.group(1), m.group(2)) / 100, number_format={"type": "PERCENT", "pattern": pattern})
    if m := _GROUPED.match(t):
        digits = len(m.group(2) or "")
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return Cell(value=_to_number(m.group(1), m.group(2)), number_format={"type": "NUMBER", "pattern": pattern})
    if m := _PLAIN.match(t):
        return Cell(value=_to_number(m.group(1), m.group(2)))
    if m := _DATE.match(t):
        try:
            day = date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        except ValueError:
            return Cell(value=text)
        return Cell(value=(day - _EPOCH).days, number_format={"type": "DATE", "pattern": "dd/mm/yyyy"})
    return Cell(value=text if text else None)


def cell_data(sheet: Sheet, row: int, col: int) -> dict[str, Any]:
    """The full CellData of a cell, before any field mask."""
    cell = sheet.cells.get((row, col))
    out: dict[str, Any] = {}
    rule = sheet.validation(row, col)
    if rule:
        out["dataValidation"] = rule
    if cell is None:
        return out
    value, error = effective(cell)
    if cell.formula is not None:
        out["userEnteredValue"] = {"formulaValue": cell.formula}
    elif cell.value is not None:
        out["userEnteredValue"] = extended(cell.value)
    if error:
        out["effectiveValue"] = {"errorValue": error}
    elif value is not None:
        out["effectiveValue"] = extended(value)
    shown = formatted(cell)
    if shown is not None:
        out["formattedValue"] = shown
    entered_format = dict(cell.style)
    if cell.number_format:
        entered_format["numberFormat"] = dict(cell.number_format)
    if entered_format:
        out["userEnteredFormat"] = entered_format
    if "userEnteredValue" in out or entered_format:
        out["effectiveFormat"] = {"verticalAlignment": "BOTTOM", "wrapStrategy": "OVERFLOW_CELL", **entered_format}
    if cell.note:
        out["note"] = cell.note
    return out
