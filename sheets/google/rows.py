"""Writes land on the row they were decided for (DECISIONS.md #16).

Drive's ``version`` can lag minutes behind an edit, so the version check before a write may pass
while an operator has just sorted, inserted or deleted rows: coordinates from the read would then
put a status, an ID or a note on another row. Before writing, the identity of the rows being
written is read again, in ONE ``values.batchGet`` per spreadsheet (Sheets read quota): each
written tab's header row and its identity columns (ID, Kode Data, Uraian Data, Rincian, Tahun,
the datum's fields and the row ID). A row whose identity is unchanged at its index is written
there; a row found at exactly one other index (and unique in the read) is written where it now
is; any other row is skipped and redone by the next cycle, which reads again. A header whose
known columns moved (a column inserted, deleted or moved) skips the whole tab.

Row-dimension developer metadata would move with the rows, but it needs a request per row to
create and the values API's data filters cannot set notes; one read of a few columns can.
"""
from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time
from typing import Any
from urllib.parse import quote

from rules import fields as f

from ..base import TabSnapshot
from .comments import SHEETS_URL
from .bodies import a1_title, col_letters
from .retry import GoogleError
from ..layout import match_headers

IDENTITY = (f.ID, f.KODE, f.URAIAN, f.RINCIAN, f.TAHUN)
_WILD = object()  # a cell the read could not give a value for: matches where it stands, never moves
_EPOCH = datetime(1899, 12, 30)


def _ident(value: Any) -> Any:
    """A cell as both reads render it: the grid read's parsed value and the values API's
    UNFORMATTED_VALUE/SERIAL_NUMBER (dates as serial numbers) compare equal."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, datetime):
        value = (value - _EPOCH).total_seconds() / 86400
    elif isinstance(value, date):
        value = (value - _EPOCH.date()).days
    elif isinstance(value, time):
        value = (value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6) / 86400
    if isinstance(value, int | float):
        return round(float(value), 6)
    return str(value)


class RowMap:
    """Where each row the read saw stands now (0-based sheet rows; None: cannot be confirmed)."""

    def __init__(self, snapshot: TabSnapshot, cols: list[int], now: list[tuple[Any, ...]]) -> None:
        self._then = [tuple(_WILD if (i, c) in snapshot.problems else _ident(snapshot.cell(i, c)) for c in cols)
                      for i in range(len(snapshot.rows))]
        self._now, self._empty = now, tuple(None for _ in cols)
        self._then_count, self._now_count = Counter(self._then), Counter(now)
        self._now_at = {key: i for i, key in enumerate(now)}
        self.skipped: set[int] = set()

    def _key(self, rows: list[tuple[Any, ...]], i: int) -> tuple[Any, ...]:
        return rows[i] if 0 <= i < len(rows) else self._empty

    def row(self, sheet_row: int) -> int | None:
        if sheet_row == 0:
            return 0  # the header row, confirmed unchanged
        then, now = self._key(self._then, sheet_row - 1), self._key(self._now, sheet_row - 1)
        if all(a is _WILD or a == b for a, b in zip(then, now)):
            return sheet_row
        if _WILD not in then and then != self._empty and self._then_count[then] == 1 \
                and self._now_count[then] == 1:
            return self._now_at[then] + 1  # moved (sorted, or rows inserted/deleted above it)
        self.skipped.add(sheet_row)
        return None


class _Same:
    """Every row where the read saw it: a write that follows its read within seconds (backend.FRESH_SECONDS)."""

    skipped: frozenset[int] = frozenset()

    @staticmethod
    def row(sheet_row: int) -> int:
        return sheet_row


SAME = _Same()


def _columns(snapshot: TabSnapshot) -> list[int]:
    found = match_headers(list(snapshot.header)).columns
    return sorted(found[k] for k in IDENTITY if k in found)


def _ranges(title: str, cols: list[int]) -> list[str]:
    out = [f"{a1_title(title)}!1:1"]
    if cols:
        out.append(f"{a1_title(title)}!{col_letters(cols[0])}2:{col_letters(cols[-1])}")
    return out


def _answer(snapshot: TabSnapshot, cols: list[int], header: dict[str, Any],
            block: dict[str, Any] | None) -> RowMap | None:
    # the known columns where the read found them: a column inserted, deleted or moved shifts them
    # (an unknown column's header, or a header cell the grid read could not give, does not matter)
    if match_headers(list((header.get("values") or [[]])[0])).columns != match_headers(list(snapshot.header)).columns:
        return None
    rows = (block or {}).get("values") or []
    first = cols[0] if cols else 0
    now = [tuple(_ident(r[c - first]) if c - first < len(r) else None for c in cols) for r in rows]
    return RowMap(snapshot, cols, now)


def confirm(backend: Any, sid: str, tabs: list[tuple[str, str, TabSnapshot]]) -> dict[str, RowMap | str | None]:
    """{OPD: its RowMap, None when its header changed, or why it could not be confirmed} for
    (OPD, tab title, snapshot) of one spreadsheet, in one values.batchGet. A tab renamed since
    the read fails the request for all: then each tab is asked alone, so it fails only itself."""
    cols = {opd: _columns(snapshot) for opd, _, snapshot in tabs}
    params = [("ranges", r) for opd, title, _ in tabs for r in _ranges(title, cols[opd])]
    params += [("valueRenderOption", "UNFORMATTED_VALUE"), ("dateTimeRenderOption", "SERIAL_NUMBER"),
               ("fields", "valueRanges.values")]
    try:
        data = backend.call("read", "GET", f"{SHEETS_URL}/{quote(sid, safe='')}/values:batchGet",
                             f"values.batchGet {sid}", params=params)
    except GoogleError as exc:
        if exc.status == 400 and len(tabs) > 1:
            return {k: v for tab in tabs for k, v in confirm(backend, sid, [tab]).items()}
        return {opd: backend.explain(exc, sid) for opd, _, _ in tabs}
    answers = iter(data.get("valueRanges", []))
    out: dict[str, RowMap | str | None] = {}
    for opd, _, snapshot in tabs:
        header = next(answers, {})
        block = next(answers, {}) if cols[opd] else None
        out[opd] = _answer(snapshot, cols[opd], header, block)
    return out
