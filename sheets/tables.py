"""Plain workbooks outside the sheet contract: an export table, and a person's edit of a tab."""
from __future__ import annotations

import io
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from .layout import match_headers


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
