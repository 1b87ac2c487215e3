"""What every backend offers the service: snapshots in, cell writes out."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

OWNED_NOTE_PREFIX = "[Pemeriksaan otomatis]"


@dataclass
class TabSnapshot:
    """One OPD tab as read: raw cell values, never numericised or formatted by a library.

    ``rows[i]`` is sheet row ``i + 2`` (row 1 holds the headers). Values are str, int,
    float, bool, datetime/date or None. ``percent`` holds (row index, column index) of
    numeric cells shown with a percent format (0.125 shown as 12,5%). ``problems`` holds
    cells whose value could not be read, e.g. a formula with no cached value.
    """

    opd: str
    title: str
    header: list[Any]
    rows: list[list[Any]]
    percent: set[tuple[int, int]] = field(default_factory=set)
    problems: dict[tuple[int, int], str] = field(default_factory=dict)
    token: Any = None  # backend's change marker (mtime+size, Drive version), for the write guard
    # Excel: True when the sheet was protected by the Walidata's password at read time, False when
    # not (or by another password), None when the backend cannot tell (no password configured)
    protected: bool | None = None
    saved_by: str | None = None  # who saved the file last (Excel: docProps/core.xml cp:lastModifiedBy)
    opened_by: str | None = None  # who has it open now (Excel: the user in the lock file)
    opened_since: Any = None  # since when (Excel: datetime from the lock file), None when not open
    warnings: list[str] = field(default_factory=list)  # Indonesian, for the tab's report (e.g. a stray .ods)

    def cell(self, row: int, col: int) -> Any:
        values = self.rows[row]
        return values[col] if col < len(values) else None


@dataclass(frozen=True)
class CellWrite:
    """A value for one cell; ``row`` and ``col`` are 0-based sheet coordinates
    (row 0 is the header row). ``False`` on a step box means unticked."""

    row: int
    col: int
    value: Any


@dataclass(frozen=True)
class NoteWrite:
    """An owned note to set (text starting with OWNED_NOTE_PREFIX) or to remove (None).
    Backends never replace or remove a note that does not start with the prefix."""

    row: int
    col: int
    text: str | None


@dataclass
class TabWrites:
    opd: str
    title: str
    cells: list[CellWrite] = field(default_factory=list)
    notes: list[NoteWrite] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.cells or self.notes)


@dataclass
class TabResult:
    """A tab the backend could read, or why it could not."""

    opd: str
    snapshot: TabSnapshot | None = None
    unchanged: bool = False  # nothing changed since the last read: no snapshot needed
    error: str | None = None  # Bahasa Indonesia, shown to users
    warnings: list[str] = field(default_factory=list)  # Bahasa Indonesia, e.g. a stray KODE.ods beside the workbook


@dataclass(frozen=True)
class WriteResult:
    """``reason`` is None when written, else why the batch was left for the next cycle
    (Bahasa Indonesia). ``token`` is the tab's change marker after the write."""

    reason: str | None = None
    token: Any = None


class BackendError(Exception):
    """A backend failure that stops this cycle for a tab or a spreadsheet."""


class Backend(Protocol):
    requests: dict[str, int]  # counted per kind ("read", "write", "drive") since opened

    def ensure_tabs(self, opds: list[tuple[str, str]]) -> list[str]:
        """Create a tab from the template for every (kode, nama) that has none; return the created kodes."""

    def read(self, opds: list[str], known: dict[str, Any]) -> list[TabResult]:
        """Read every tab; ``known`` maps an OPD to the token of its last processed read,
        so a backend may answer ``unchanged`` without reading."""

    def write(self, batches: list[TabWrites], snapshots: dict[str, TabSnapshot]) -> dict[str, WriteResult]:
        """Apply the batches (each against the snapshot it was planned from); one result per OPD."""
