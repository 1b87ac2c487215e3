"""One shared in-memory backend: the sheet as users and the poller see it."""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from sheets.base import OWNED_NOTE_PREFIX, Backend, ExcelTrail, TabResult, TabSnapshot, TabWrites, WriteResult
from sheets.layout import HEADERS, match_headers, normalise_header


@dataclass
class FakeTab:
    header: list[Any]
    rows: list[list[Any]] = field(default_factory=list)
    notes: dict[tuple[int, int], str] = field(default_factory=dict)  # 0-based sheet coords
    percent: set[tuple[int, int]] = field(default_factory=set)
    version: int = 0
    saved_by: str | None = None  # as an Excel workbook's docProps/core.xml would say (DECISIONS.md #11)
    protected: bool | None = None
    metadata: list[list[Any]] | None = None  # the workbook's Metadata tab, as rows


class FakeBackend(Backend):
    """Implements sheets.base.Backend; edits through `set`/`add_row` act as a person would."""

    def __init__(self) -> None:
        self.tabs: dict[str, FakeTab] = {}
        self.requests: dict[str, int] = {"read": 0, "write": 0}
        self.writes: list[TabWrites] = []
        self.locked: set[str] = set()
        self.fail_write = False

    # --- Backend protocol ---------------------------------------------------
    def ensure_tabs(self, opds: list[tuple[str, str]]) -> list[str]:
        created = []
        for kode, _ in opds:
            if kode not in self.tabs:
                self.tabs[kode] = FakeTab(list(HEADERS))
                created.append(kode)
        return created

    def read(self, opds: list[str], known: dict[str, Any]) -> list[TabResult]:
        out = []
        for opd in opds:
            tab = self.tabs.get(opd)
            if tab is None:
                out.append(TabResult(opd, error=f"Tab {opd} tidak ditemukan"))
            elif known.get(opd) == tab.version:
                out.append(TabResult(opd, unchanged=True))
            else:
                self.requests["read"] += 1
                out.append(TabResult(opd, TabSnapshot(opd, opd, list(tab.header), copy.deepcopy(tab.rows),
                                                      set(tab.percent), {}, tab.version, trail=ExcelTrail(saved_by=tab.saved_by),
                                                      protected=tab.protected,
                                                      metadata=copy.deepcopy(tab.metadata))))
        return out

    def write(self, batches: list[TabWrites], snapshots: dict[str, TabSnapshot]) -> dict[str, WriteResult]:
        if self.fail_write:
            raise ConnectionError("koneksi terputus (simulasi)")
        out = {}
        for batch in batches:
            tab = self.tabs[batch.opd]
            if batch.opd in self.locked:
                out[batch.opd] = WriteResult("Berkas sedang dibuka; ditulis pada siklus berikutnya")
                continue
            if tab.version != snapshots[batch.opd].token:
                out[batch.opd] = WriteResult("Sheet berubah sejak dibaca; ditulis pada siklus berikutnya")
                continue
            self.requests["write"] += 1
            self.writes.append(batch)
            for w in batch.cells:
                self._put(tab, w.row, w.col, w.value)
            for n in batch.notes:
                current = tab.notes.get((n.row, n.col))
                if current is not None and not current.startswith(OWNED_NOTE_PREFIX):
                    continue
                if n.text is None:
                    tab.notes.pop((n.row, n.col), None)
                else:
                    tab.notes[(n.row, n.col)] = n.text
            tab.version += 1
            out[batch.opd] = WriteResult(None, tab.version)
        return out

    def append_rows(self, snapshot: TabSnapshot, rows: list[list[Any]]) -> WriteResult:
        tab = self.tabs[snapshot.opd]
        if snapshot.opd in self.locked:
            return WriteResult("Berkas sedang dibuka; tidak ditulis")
        if tab.version != snapshot.token:
            return WriteResult("Sheet berubah sejak dibaca; tidak ditulis")
        if rows:
            self.requests["write"] += 1
            while tab.rows and not any(v is not None for v in tab.rows[-1]):
                tab.rows.pop()
            tab.rows.extend([list(r) for r in rows])
            tab.version += 1
        return WriteResult(None, tab.version)

    def add_column(self, snapshot: TabSnapshot, header: str) -> WriteResult:
        tab = self.tabs[snapshot.opd]
        if snapshot.opd in self.locked:
            return WriteResult("Berkas sedang dibuka; tidak ditulis")
        if tab.version != snapshot.token:
            return WriteResult("Sheet berubah sejak dibaca; tidak ditulis")
        tab.header = [*tab.header, *[None] * (len(snapshot.header) - len(tab.header)), header]
        tab.version += 1
        return WriteResult(None, tab.version)

    def busy(self, opd: str) -> str | None:
        return "Berkas sedang dibuka" if opd in self.locked else None

    def archive_tab(self, opd: str, nama: str, title: str) -> str | None:
        if opd in self.locked:
            return "Berkas sedang dibuka"
        if title in self.tabs:
            return None
        self.tabs[title] = self.tabs.pop(opd)
        self.tabs[title].version += 1
        self.tabs[opd] = FakeTab(list(HEADERS))
        return None

    # --- acting as a person -----------------------------------------------------
    def _col(self, opd: str, header: str) -> int:
        tab = self.tabs[opd]
        wanted = normalise_header(header)
        for i, h in enumerate(tab.header):
            if normalise_header(h) == wanted:
                return i
        raise KeyError(header)

    @staticmethod
    def _put(tab: FakeTab, row: int, col: int, value: Any) -> None:
        while len(tab.rows) < row:
            tab.rows.append([])
        cells = tab.rows[row - 1]
        while len(cells) <= col:
            cells.append(None)
        cells[col] = value

    def add_row(self, opd: str, **values: Any) -> int:
        """Append a row; keys are headers with spaces as underscores (Uraian_Data=...). Returns its sheet row (1-based)."""
        tab = self.tabs[opd]
        row = [None] * len(tab.header)
        for name, value in values.items():
            row[self._col(opd, name.replace("_", " "))] = value
        tab.rows.append(row)
        tab.version += 1
        return len(tab.rows) + 1

    def row_of(self, opd: str, row_id: str) -> int:
        """1-based sheet row holding this ID."""
        col = self._col(opd, "ID")
        for i, cells in enumerate(self.tabs[opd].rows):
            if col < len(cells) and cells[col] == row_id:
                return i + 2
        raise KeyError(row_id)

    def set(self, opd: str, row: int | str, header: str, value: Any) -> None:
        row = self.row_of(opd, row) if isinstance(row, str) else row
        tab = self.tabs[opd]
        self._put(tab, row - 1, self._col(opd, header), value)
        tab.version += 1

    def get(self, opd: str, row: int | str, header: str) -> Any:
        row = self.row_of(opd, row) if isinstance(row, str) else row
        cells = self.tabs[opd].rows[row - 2]
        col = self._col(opd, header)
        return cells[col] if col < len(cells) else None

    def note(self, opd: str, row: int | str, header: str) -> str | None:
        row = self.row_of(opd, row) if isinstance(row, str) else row
        return self.tabs[opd].notes.get((row - 1, self._col(opd, header)))

    def delete_row(self, opd: str, row: int) -> None:
        tab = self.tabs[opd]
        del tab.rows[row - 2]
        tab.notes = {(r - (1 if r > row - 1 else 0), c): v for (r, c), v in tab.notes.items() if r != row - 1}
        tab.version += 1

    def ids(self, opd: str) -> list[Any]:
        col = self._col(opd, "ID")
        return [cells[col] if col < len(cells) else None for cells in self.tabs[opd].rows]

    def header_ok(self, opd: str) -> bool:
        return match_headers(self.tabs[opd].header).ok
