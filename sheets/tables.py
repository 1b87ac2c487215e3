"""Plain workbooks outside the sheet contract: an export table, and a person's edit of a tab."""
from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from .layout import match_headers

# a sign or an at followed by nothing, or by a plain number (-5, -12,5, -1.234,5): no formula
_INERT_SIGN = re.compile(r"[-@]|-\s*\d[\d.,]*")


def neutralise(value: object) -> object:
    """The one guard for every file people open in a spreadsheet (exports, published CSV and
    XLSX): text a spreadsheet would run as a formula gets a leading apostrophe. Formula-like is
    text starting with '=', '+', a tab or a carriage return, or '-'/'@' followed by more than a
    plain number, so a declared missing value '-' or a negative number is written as it is."""
    if not isinstance(value, str) or not value:
        return value
    if value[0] in "=+\t\r" or (value[0] in "-@" and not _INERT_SIGN.fullmatch(value.rstrip())):
        return "'" + value
    return value


def table_workbook(title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """An .xlsx with one frozen header row; text stays text (it can never run as a formula)."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(list(header))
    for values in rows:
        sheet.append(list(values))
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def edit_tab(path: Path, change: Callable[[Any, dict[str, int]], None]) -> None:
    """Open an OPD workbook as a person would, let ``change(sheet, columns)`` type into it
    (columns: field key -> 0-based column), and save it atomically."""
    import openpyxl

    from .xlsx.backend import save_atomic

    workbook = openpyxl.load_workbook(path)
    sheet = workbook.worksheets[0]
    change(sheet, match_headers([c.value for c in sheet[1]]).columns)
    save_atomic(workbook, path)


def write_metadata_tab(path: Path, rows: Sequence[Sequence[Any]], title: str = "Metadata") -> None:
    """Add (or replace) a workbook's Metadata tab with ``rows`` (header first), as a person pasting
    it would; the OPD's data tab stays first."""
    import openpyxl

    from .xlsx.backend import save_atomic

    workbook = openpyxl.load_workbook(path)
    if title in workbook.sheetnames:
        del workbook[title]
    sheet = workbook.create_sheet(title)
    for row in rows:
        sheet.append([neutralise(v) for v in row])
    for column, width in zip("ABCD", (10, 28, 40, 70)):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    save_atomic(workbook, path)
