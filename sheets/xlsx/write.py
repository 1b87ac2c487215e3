"""One poller write to one workbook as a patch of its parts: the tab's cells and notes, the YA
dropdowns, Hasil Pemeriksaan's wrap and the sheet protection; every other part is copied as is."""
from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rules import fields as f

from . import protect, validation, ooxml
from ..base import OWNED_NOTE_PREFIX, TabSnapshot, TabWrites
from ..layout import BY_KEY, match_headers
from .notes import note_at, patch_notes
from .patch import CellEdit, PatchRefused, is_empty, SheetEdits, merged_cells, patch_cells, rewrite_zip
from .styles import StyleBook

_COL = re.compile(rb"<col\b[^>]*/>")
_NUM = re.compile(rb'\b(min|max|style)="(\d+)"')


@dataclass(frozen=True)
class Outcome:
    payload: bytes
    changed: int  # cells and notes changed (protection alone counts as one)


def column_styles(sheet_xml: bytes) -> dict[int, int]:
    """0-based column -> the style a new cell there takes (Excel gives it the column's style)."""
    found: dict[int, int] = {}
    start, end = sheet_xml.find(b"<cols>"), sheet_xml.find(b"</cols>")
    if start < 0 or end < 0:
        return found
    for match in _COL.finditer(sheet_xml, start, end):
        numbers = {k.decode(): int(v) for k, v in _NUM.findall(match.group(0))}
        if "style" in numbers and "min" in numbers:
            for col in range(numbers["min"], min(numbers.get("max", numbers["min"]), 200) + 1):
                found[col - 1] = numbers["style"]
    return found


def _current(snapshot: TabSnapshot, row: int, col: int) -> Any:
    if row == 0:
        return snapshot.header[col] if col < len(snapshot.header) else None
    return snapshot.cell(row - 1, col) if row - 1 < len(snapshot.rows) else None


def patch_workbook(data: bytes, batch: TabWrites, snapshot: TabSnapshot,
                   guard: protect.Guard | None = None) -> Outcome:
    """The workbook with the batch applied, or the same bytes when nothing would change."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = ooxml.package(archive)
        if snapshot.title not in parts.sheets:
            raise PatchRefused(f"tab {snapshot.title} tidak ditemukan")
        sheet_part = parts.sheets[snapshot.title]
        sheet = archive.read(sheet_part)
        styles = StyleBook(archive.read(parts.styles) if parts.styles else None)
        header = match_headers(snapshot.header).columns
        unprotected = guard is not None and not guard.protects(sheet)
        notes = _with_protection_note([(n.row, n.col, n.text) for n in batch.notes], guard,
                                      unprotected and not batch.quiet_reprotect, batch.alarm)
        if batch.protected_by_walidata and guard is not None and not unprotected:
            notes = _without_protection_note(notes, note_at(archive, sheet_part, 0, 0))
        edits = _edits(batch, snapshot, sheet, styles, header, guard)
        hidden = merged_cells(sheet)
        notes = [n for n in notes if not hidden(n[0], n[1])]  # a cell merged away holds no note
        sheet, cells = patch_cells(sheet, edits, hidden)
        sheet, note_parts, noted = patch_notes(archive, sheet_part, sheet, notes)
        if not (cells or noted or unprotected):
            return Outcome(data, 0)
        last_row = max(len(snapshot.rows), *(w.row for w in batch.cells), 1)  # 0-based sheet row
        sheet = validation.ensure_boxes(sheet, header, last_row)
        if guard is not None:
            sheet = guard.protect(lock_columns(sheet, header, styles))
        changed = {**note_parts, sheet_part: sheet}
        if (style_data := styles.data()) is not None:
            changed[parts.styles] = style_data
    return Outcome(rewrite_zip(data, changed), cells + noted + (1 if unprotected and not cells + noted else 0))


def _with_protection_note(notes: list[tuple[int, int, str | None]], guard: protect.Guard | None,
                          unprotected: bool, alarm: str = "") -> list[tuple[int, int, str | None]]:
    """A1 says the sheet was found unprotected (or carries reconcile's ``alarm``), beside what
    reconcile may say there about the header."""
    if guard is None or not (unprotected or alarm):
        return notes
    header = next((n for n in notes if n[:2] == (0, 0)), None)
    text = guard.unprotected_note() if unprotected else OWNED_NOTE_PREFIX
    text = f"{text}\n\n{alarm}" if unprotected and alarm else f"{text} {alarm}" if alarm else text
    if header is not None and header[2]:
        text = header[2] + "\n\n" + text.removeprefix(OWNED_NOTE_PREFIX).lstrip()
    return [n for n in notes if n[:2] != (0, 0)] + [(0, 0, text)]


def _without_protection_note(notes: list[tuple[int, int, str | None]],
                             current: str | None) -> list[tuple[int, int, str | None]]:
    """A1 without its "TANPA proteksi" paragraph, what else it says kept (the audit keeps the event)."""
    body = protect.UNPROTECTED_NOTE.removeprefix(OWNED_NOTE_PREFIX).strip()
    if any(n[:2] == (0, 0) for n in notes) or not current or body not in current:
        return notes
    rest = "\n\n".join(p for p in (x.strip() for x in current.replace(body, "").split("\n\n"))
                        if p and p != OWNED_NOTE_PREFIX)
    rest = rest.removeprefix(OWNED_NOTE_PREFIX).strip()
    return notes + [(0, 0, f"{OWNED_NOTE_PREFIX} {rest}" if rest else None)]


def lock_columns(sheet: bytes, header: dict[str, int], styles: StyleBook) -> bytes:
    """``<cols>`` so that a cell typed later in an operator column is unlocked and one in a
    Walidata or system column locked (a new cell takes its column's format)."""
    wanted = {col: BY_KEY[key] for key, col in header.items()}
    if not wanted:
        return sheet
    top = max(wanted) + 1  # 1-based
    start, end = sheet.find(b"<cols>"), sheet.find(b"</cols>")
    elements = [m.group(0) for m in _COL.finditer(sheet, start, end)] if start >= 0 and end > start else []
    out: list[bytes] = []
    covered: set[int] = set()
    for element in elements:
        numbers = {k.decode(): int(v) for k, v in _NUM.findall(element)}
        low, high = numbers.get("min", 1), numbers.get("max", numbers.get("min", 1))
        if high < 1 or low > top:
            out.append(element)
            continue
        for col in range(low, min(high, top) + 1):
            out.append(_col(element, col, styles, wanted.get(col - 1)))
            covered.add(col)
        if high > top:
            out.append(_set_num(element, b"min", top + 1))
    for col in range(1, top + 1):
        if col not in covered and (column := wanted.get(col - 1)) is not None:
            base = b'<col min="%d" max="%d" width="%d" customWidth="1"/>' % (col, col, column.width)
            out.append(_col(base, col, styles, column))
    out.sort(key=lambda e: int(re.search(rb'\bmin="(\d+)"', e).group(1)))
    block = b"<cols>" + b"".join(out) + b"</cols>"
    if start >= 0 and end > start:
        if sheet[start:end + len(b"</cols>")] == block:
            return sheet
        return sheet[:start] + block + sheet[end + len(b"</cols>"):]
    at = sheet.find(b"<sheetData")
    return sheet[:at] + block + sheet[at:]


def _set_num(element: bytes, name: bytes, value: int) -> bytes:
    return re.sub(rb'\b%s="\d+"' % name, b'%s="%d"' % (name, value), element, count=1)


def _col(element: bytes, col: int, styles: StyleBook, column: Any) -> bytes:
    element = _set_num(_set_num(element, b"min", col), b"max", col)
    if column is None:
        return element
    match = re.search(rb'\bstyle="(\d+)"', element)
    current = int(match.group(1)) if match else None
    style = styles.variant(current, lock=column.owner != "operator")
    if style == current:
        return element
    if match:
        return element[:match.start()] + b'style="%d"' % style + element[match.end():]
    return element[:-2] + b' style="%d"/>' % style


def _edits(batch: TabWrites, snapshot: TabSnapshot, sheet: bytes, styles: StyleBook, header: dict[str, int],
           guard: protect.Guard | None) -> SheetEdits:
    edits = SheetEdits(column_styles=column_styles(sheet))
    hasil = header.get(f.HASIL)
    wrap: Callable[[int | None], int | None] = lambda s: styles.variant(s, wrap=True)  # noqa: E731
    for write in batch.cells:
        style = wrap if write.col == hasil and write.row > 0 and not is_empty(write.value) else None
        edits.put(write.row, write.col, CellEdit(write.value, _current(snapshot, write.row, write.col), style))
    if guard is not None:
        for key, col in header.items():
            lock = BY_KEY[key].owner != "operator"
            edits.restyle[col] = (lambda s, lock=lock: styles.variant(s, lock=lock))
            edits.column_styles[col] = styles.variant(edits.column_styles.get(col), lock=lock)
    return edits
