"""One sheet row as a cycle reads it: its place, raw values and what the cycle learns about it
(ID, whether it changed, its item). Shared by the reconcile's identity, row-skip and planning steps."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from rules import fields as f
from rules.keys import text
from service.reconcile.changes import cell_text


@dataclass
class Slot:
    index: int  # 0-based index into snapshot.rows; sheet row = index + 2
    values: list[Any]
    columns: dict[str, int]
    row_id: str = ""
    percent: bool = False  # the Nilai cell has a percent number format
    id_note: str | None = None
    fingerprint: str = ""  # rowskip.raw_fingerprint, "" until computed
    changed: bool = True  # differs from how our last write left it
    copied: bool = False
    twin_of: str = ""  # an exact copy of this row (ID): it carries on the row's state and ticks
    item: str = ""  # the item key of its Kode/Uraian Data (set by rowskip.dirty)

    @property
    def row(self) -> int:  # 0-based sheet row for writes
        return self.index + 1

    @cached_property
    def cells(self) -> dict[str, object]:
        n = len(self.values)
        return {key: self.values[col] if col < n else None for key, col in self.columns.items()}

    @cached_property
    def texts(self) -> dict[str, str]:
        """The data cells present, as remembered and archived (changes.cell_text)."""
        cells = self.cells
        out = {k: v.strip() if (v := cells[k]).__class__ is str else text(v) for k in f.DATA_FIELDS if k in cells}
        if self.percent and f.NILAI in out:
            out[f.NILAI] = cell_text(cells[f.NILAI], f.NILAI, True)
        return out

    def get(self, key: str) -> object:
        col = self.columns.get(key)
        return self.values[col] if col is not None and col < len(self.values) else None
