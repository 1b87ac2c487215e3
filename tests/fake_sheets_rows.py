"""Whole rows and columns in tests/fake_sheets_api.py (DECISIONS.md #18): ``insertDimension``,
``deleteDimension``, ``moveDimension``, ``sortRange`` and ``copyPaste``, as a person does them in
the Sheets UI, and ``appendDimension``.

Cells move with everything they carry (value, formula, format, note); comment anchors move with
their cell. Ranges (protected ranges, data validation, conditional formats) shift, grow and shrink
as Sheets documents for inserting and deleting; a bounded range whose every row is deleted goes
away; a range without a row bound (a whole column or sheet) keeps having none.

Protection, as Google answers in real use (400, "You are trying to edit a protected cell or
object..."): deleting, moving or sorting rows needs edit rights on every protected cell those
rows (moved: every row between the source and the destination; sorted: the range) hold. Inserting
is refused only by a whole-sheet protection that leaves the user out; a protected column range
grows around the new rows instead (assumed from the UI's behaviour: inserting a row inside a range
adds cells to it without editing any). The owner and the listed editors of a range are never
refused. What only a live account can confirm: the exact transformation of a bounded range cut
by a move, and whether a sort moves data validation (the fake leaves validation where it was).
"""
from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from tests import fake_sheets_comments as comments
from tests.fake_sheets_grid import PROTECTED, ApiError, Sheet, Spreadsheet, bad, effective

_KEYS = {"ROWS": ("startRowIndex", "endRowIndex"), "COLUMNS": ("startColumnIndex", "endColumnIndex")}


def _dimension(book: Spreadsheet, rng: dict[str, Any], where: str) -> tuple[Sheet, str, int, int]:
    sheet = book.by_id(rng.get("sheetId", 0), where)
    dim = rng.get("dimension", "DIMENSION_UNSPECIFIED")
    if dim not in _KEYS:
        raise bad(f"Invalid {where}: range.dimension must be ROWS or COLUMNS")
    size = sheet.rows if dim == "ROWS" else sheet.cols
    start, end = rng.get("startIndex", 0), rng.get("endIndex", size)
    if not 0 <= start < end:
        raise bad(f"Invalid {where}: range.startIndex must be less than endIndex")
    if end > size:
        raise bad(f"Invalid {where}: Range ({start}, {end}) exceeds grid limits. Max {dim.lower()}: {size}")
    return sheet, dim, start, end


def _refuse_protected(sheet: Sheet, user: str, owner: str, dim: str, start: int, end: int,
                      cols: tuple[int, int] | None = None) -> None:
    """400 when a protected range that leaves ``user`` out covers a cell of [start, end) in ``dim``."""
    if user == owner:
        return
    other = range(*cols) if cols else range(sheet.cols if dim == "ROWS" else sheet.rows)
    for i in range(start, end):
        for j in other:
            row, col = (i, j) if dim == "ROWS" else (j, i)
            if sheet.blocking(user, owner, row, col):
                raise ApiError(400, PROTECTED, "INVALID_ARGUMENT")


def _move_cells(sheet: Sheet, dim: str, mapping: Callable[[int], int | None],
                cols: tuple[int, int] | None = None, rows: tuple[int, int] | None = None) -> None:
    """Every cell (inside ``rows`` x ``cols`` when given) moves to mapping(index); None drops it."""
    moved = {}
    for (r, c), cell in sheet.cells.items():
        inside = (cols is None or cols[0] <= c < cols[1]) and (rows is None or rows[0] <= r < rows[1])
        if not inside:
            moved[r, c] = cell
            continue
        new = mapping(r if dim == "ROWS" else c)
        if new is not None:
            moved[(new, c) if dim == "ROWS" else (r, new)] = cell
    sheet.cells = moved


def _move_anchors(book: Spreadsheet, sheet: Sheet, dim: str, mapping: Callable[[int], int | None],
                  cols: tuple[int, int] | None = None, rows: tuple[int, int] | None = None) -> None:
    """Comment threads are anchored to one cell and follow it; a thread on a deleted cell goes."""
    lo, hi = _KEYS[dim]
    for thread in list(comments.threads_of(book)):
        if thread["sheetId"] != sheet.sheet_id:
            continue
        rng = thread["range"]
        r, c = rng.get("startRowIndex", 0), rng.get("startColumnIndex", 0)
        if (cols is not None and not cols[0] <= c < cols[1]) or (rows is not None and not rows[0] <= r < rows[1]):
            continue
        new = mapping(r if dim == "ROWS" else c)
        if new is None:
            comments.threads_of(book).remove(thread)
        else:
            rng[lo], rng[hi] = new, new + 1


def _ranges(sheet: Sheet) -> list[tuple[list, Any, dict[str, Any]]]:
    """(owner list, item, GridRange) of every range the sheet keeps, so each can be shifted or dropped."""
    out: list[tuple[list, Any, dict[str, Any]]] = []
    for pr in sheet.protected:
        out.append((sheet.protected, pr, pr.setdefault("range", {"sheetId": sheet.sheet_id})))
        out += [(pr["unprotectedRanges"], u, u) for u in pr.get("unprotectedRanges", [])]
    out += [(sheet.validations, item, item[0]) for item in sheet.validations]
    for rule in sheet.conditional:
        out += [(rule["ranges"], r, r) for r in rule.get("ranges", [])]
    return out


def _shift_ranges(sheet: Sheet, dim: str, start_of: Callable[[int], int], end_of: Callable[[int], int]) -> None:
    lo, hi = _KEYS[dim]
    for owner, item, rng in _ranges(sheet):
        if lo in rng:
            rng[lo] = start_of(rng[lo])
        if hi in rng:
            rng[hi] = end_of(rng[hi])
        if rng.get(lo, 0) >= rng.get(hi, 1 << 30) and item in owner:
            owner.remove(item)  # every row of a bounded range was deleted
    sheet.conditional[:] = [rule for rule in sheet.conditional if rule.get("ranges")]


def _resize(sheet: Sheet, dim: str, by: int) -> None:
    if dim == "ROWS":
        sheet.rows += by
    else:
        sheet.cols += by


# --- the requests -----------------------------------------------------------------------------------


def _insert_dimension(book: Spreadsheet, args: dict[str, Any], user: str, where: str) -> None:
    rng = args.get("range") or {}
    sheet = book.by_id(rng.get("sheetId", 0), where)
    dim = rng.get("dimension")
    size = sheet.rows if dim == "ROWS" else sheet.cols
    if dim not in _KEYS:
        raise bad(f"Invalid {where}: range.dimension must be ROWS or COLUMNS")
    start, end = rng.get("startIndex", 0), rng.get("endIndex", 0)
    if not 0 <= start < end or start > size:
        raise bad(f"Invalid {where}: range.startIndex must be less than endIndex and within the grid")
    if args.get("inheritFromBefore") and start == 0:
        raise bad(f"Invalid {where}: Cannot inherit from before when inserting at index 0.")
    whole = [pr for pr in sheet.protected if set(pr.get("range", {})) <= {"sheetId"}]
    if user != book.owner and any(not pr.get("warningOnly") and user not in pr.get("editors", {}).get("users", [])
                                  for pr in whole):
        raise ApiError(400, PROTECTED, "INVALID_ARGUMENT")
    n = end - start
    _move_cells(sheet, dim, lambda i: i + n if i >= start else i)
    _move_anchors(book, sheet, dim, lambda i: i + n if i >= start else i)
    _shift_ranges(sheet, dim, lambda s: s + n if s >= start else s, lambda e: e + n if e > start else e)
    if dim == "COLUMNS":
        sheet.widths = {c + n if c >= start else c: w for c, w in sheet.widths.items()}
    _resize(sheet, dim, n)


def _append_dimension(book: Spreadsheet, args: dict[str, Any], user: str, where: str) -> None:
    """AppendDimensionRequest: ``length`` rows or columns added at the end; nothing moves, and (as for
    inserting) only a whole-sheet protection that leaves the user out refuses it."""
    sheet = book.by_id(args.get("sheetId", 0), where)
    dim, length = args.get("dimension"), args.get("length", 0)
    if dim not in _KEYS:
        raise bad(f"Invalid {where}: dimension must be ROWS or COLUMNS")
    if not isinstance(length, int) or length <= 0:
        raise bad(f"Invalid {where}: length must be greater than 0")
    whole = [pr for pr in sheet.protected if set(pr.get("range", {})) <= {"sheetId"}]
    if user != book.owner and any(not pr.get("warningOnly") and user not in pr.get("editors", {}).get("users", [])
                                  for pr in whole):
        raise ApiError(400, PROTECTED, "INVALID_ARGUMENT")
    _resize(sheet, dim, length)


def _delete_dimension(book: Spreadsheet, args: dict[str, Any], user: str, where: str) -> None:
    sheet, dim, start, end = _dimension(book, args.get("range") or {}, where)
    size = sheet.rows if dim == "ROWS" else sheet.cols
    if end - start >= size:
        raise bad(f"Invalid {where}: You can't delete all the {dim.lower()} on the sheet.")
    frozen = sheet.frozen_rows if dim == "ROWS" else 0
    if frozen and size - frozen - max(0, end - max(start, frozen)) <= 0:
        raise bad(f"Invalid {where}: Sorry, it is not possible to delete all non-frozen rows.")
    _refuse_protected(sheet, user, book.owner, dim, start, end)
    n = end - start

    def mapping(i: int) -> int | None:
        return None if start <= i < end else (i - n if i >= end else i)

    _move_cells(sheet, dim, mapping)
    _move_anchors(book, sheet, dim, mapping)
    _shift_ranges(sheet, dim, lambda s: s - max(0, min(s, end) - start) if s > start else s,
                  lambda e: e - max(0, min(e, end) - start) if e > start else e)
    if dim == "COLUMNS":
        sheet.widths = {mapping(c): w for c, w in sheet.widths.items() if mapping(c) is not None}
    _resize(sheet, dim, -n)


def _move_dimension(book: Spreadsheet, args: dict[str, Any], user: str, where: str) -> None:
    sheet, dim, start, end = _dimension(book, args.get("source") or {}, f"{where}.source")
    size = sheet.rows if dim == "ROWS" else sheet.cols
    dest = args.get("destinationIndex", 0)
    if not 0 <= dest <= size:
        raise bad(f"Invalid {where}: destinationIndex {dest} is outside the grid")
    if start <= dest <= end:
        return  # onto itself: nothing moves
    n = end - start
    span = (min(start, dest), max(end, dest))
    _refuse_protected(sheet, user, book.owner, dim, *span)

    def mapping(i: int) -> int:
        if start <= i < end:  # the moved block lands before the original index ``dest``
            return i - start + (dest if dest < start else dest - n)
        if dest < start and dest <= i < start:
            return i + n
        if dest > end and end <= i < dest:
            return i - n
        return i

    _move_cells(sheet, dim, mapping)
    _move_anchors(book, sheet, dim, mapping)
    lo, hi = _KEYS[dim]
    for _, _, rng in _ranges(sheet):
        if lo in rng and hi in rng and start <= rng[lo] and rng[hi] <= end:  # inside the block: moves with it
            rng[lo], rng[hi] = mapping(rng[lo]), mapping(rng[hi] - 1) + 1
        elif lo in rng and hi in rng and not (rng[hi] <= span[0] or rng[lo] >= span[1]):
            first, last = mapping(rng[lo]), mapping(rng[hi] - 1)  # cut by the move: its ends follow their rows
            rng[lo], rng[hi] = min(first, last), max(first, last) + 1
    if dim == "COLUMNS":
        sheet.widths = {mapping(c): w for c, w in sheet.widths.items()}


def sort_key(value: Any, descending: bool) -> tuple[int, Any]:
    """Sheets' order: numbers (dates are numbers), then text ignoring case, then FALSE < TRUE;
    empty cells stay last in both directions."""
    if value is None or value == "":
        return (3, 0)
    if isinstance(value, bool):
        rank, key = 2, int(value)
    elif isinstance(value, int | float):
        rank, key = 0, value
    else:
        rank, key = 1, str(value).casefold()
    return ((2 - rank) if descending else rank, key)


def _sort_range(book: Spreadsheet, args: dict[str, Any], user: str, where: str) -> None:
    sheet, r0, r1, c0, c1 = _grid(book, args.get("range") or {}, where)
    specs = args.get("sortSpecs") or []
    for i, spec in enumerate(specs):
        if not c0 <= spec.get("dimensionIndex", 0) < c1:
            raise bad(f"Invalid {where}.sortSpecs[{i}]: dimensionIndex is outside the sorted range")
        if spec.get("sortOrder", "SORT_ORDER_UNSPECIFIED") == "SORT_ORDER_UNSPECIFIED":
            raise bad(f"Invalid {where}.sortSpecs[{i}]: sortOrder must be ASCENDING or DESCENDING")
    _refuse_protected(sheet, user, book.owner, "ROWS", r0, r1, (c0, c1))
    order = list(range(r0, r1))
    for spec in reversed(specs):  # stable sorts, least significant key first
        col, down = spec.get("dimensionIndex", 0), spec["sortOrder"] == "DESCENDING"

        def key(row: int, col: int = col, down: bool = down) -> tuple[int, Any]:
            cell = sheet.cells.get((row, col))
            rank, value = sort_key(None if cell is None else effective(cell)[0], down)
            return (rank, _Reversed(value) if down and rank != 3 else value)

        order.sort(key=key)
    new_index = {old: r0 + i for i, old in enumerate(order)}
    _move_cells(sheet, "ROWS", new_index.get, (c0, c1), (r0, r1))
    _move_anchors(book, sheet, "ROWS", new_index.get, (c0, c1), (r0, r1))


class _Reversed:
    """A key that sorts in the opposite order (descending inside one rank, still stable)."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __lt__(self, other: "_Reversed") -> bool:
        return other.value < self.value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Reversed) and other.value == self.value


def _grid(book: Spreadsheet, rng: dict[str, Any], where: str) -> tuple[Sheet, int, int, int, int]:
    sheet = book.by_id(rng.get("sheetId", 0), where)
    r0, r1 = rng.get("startRowIndex", 0), rng.get("endRowIndex", sheet.rows)
    c0, c1 = rng.get("startColumnIndex", 0), rng.get("endColumnIndex", sheet.cols)
    if not (0 <= r0 < r1 <= sheet.rows and 0 <= c0 < c1 <= sheet.cols):
        raise bad(f"Invalid {where}: range is outside the grid")
    return sheet, r0, r1, c0, c1


def _copy_paste(book: Spreadsheet, args: dict[str, Any], user: str, where: str) -> None:
    """Copy and paste (PASTE_NORMAL: values, formats and notes; PASTE_VALUES: values only) of a
    source onto a destination of the same size, as Ctrl+C / Ctrl+V of whole cells does."""
    sheet, r0, r1, c0, c1 = _grid(book, args.get("source") or {}, f"{where}.source")
    target, d0, d1, e0, e1 = _grid(book, args.get("destination") or {}, f"{where}.destination")
    if (d1 - d0, e1 - e0) != (r1 - r0, c1 - c0):
        raise bad(f"Invalid {where}: the fake pastes only onto a destination of the source's size")
    kind = args.get("pasteType", "PASTE_NORMAL")
    if kind not in ("PASTE_NORMAL", "PASTE_VALUES"):
        raise ApiError(501, f"fake Google API: pasteType {kind} is not modelled", "UNIMPLEMENTED")
    target.check_edit(user, book.owner, [(r, c) for r in range(d0, d1) for c in range(e0, e1)])
    source = {(r - r0, c - c0): copy.deepcopy(cell) for (r, c), cell in sheet.cells.items()
              if r0 <= r < r1 and c0 <= c < c1}
    for r in range(d1 - d0):
        for c in range(e1 - e0):
            cell = source.get((r, c))
            if kind == "PASTE_NORMAL":
                if cell is None:
                    target.cells.pop((d0 + r, e0 + c), None)
                else:
                    target.cells[d0 + r, e0 + c] = cell
                continue
            here = target.cell(d0 + r, e0 + c)
            here.value, here.formula = (cell.value, cell.formula) if cell else (None, None)
            if here.empty():
                del target.cells[d0 + r, e0 + c]


HANDLERS = {"insertDimension": _insert_dimension, "appendDimension": _append_dimension, "deleteDimension": _delete_dimension,
            "moveDimension": _move_dimension, "sortRange": _sort_range, "copyPaste": _copy_paste}
