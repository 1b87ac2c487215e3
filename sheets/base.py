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
    _marks: dict | None = field(default=None, init=False, repr=False, compare=False)
    # True when the tab was protected as the config asks at read time (Excel: the Walidata's
    # password; Google: the protected ranges), False when not, None when the backend cannot tell
    protected: bool | None = None
    comments: tuple["CellComment", ...] | None = None  # threads on this tab; None: not read (no comments here)
    # each display name of the people's posts in open threads -> who it maps to (sheets/google/people.py)
    authors: dict[str, "PostAuthor"] = field(default_factory=dict)
    # who may have made the changes, in the backend's own terms; None where it cannot tell
    trail: "ExcelTrail | GoogleTrail | None" = None
    # the workbook's Metadata tab (rules/metadata.py) as rows of cell values; None when it has none
    metadata: list[list[Any]] | None = None
    metadata_title: str = "Metadata"  # that tab's name (Google: "Metadata <KODE>", DECISIONS.md #74)

    def cell(self, row: int, col: int) -> Any:
        values = self.rows[row]
        return values[col] if col < len(values) else None

    def marks(self, row: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """(percent-formatted columns, unreadable columns) of one row, indexed once per snapshot."""
        if self._marks is None:
            marks: dict[int, tuple[list[int], list[int]]] = {}
            for i, c in self.percent:
                marks.setdefault(i, ([], []))[0].append(c)
            for i, c in self.problems:
                marks.setdefault(i, ([], []))[1].append(c)
            self._marks = {i: (tuple(sorted(p)), tuple(sorted(q))) for i, (p, q) in marks.items()}
        return self._marks.get(row, ((), ()))


@dataclass(frozen=True)
class ExcelTrail:
    """What a workbook file says of who worked on it."""

    saved_by: str | None = None  # docProps/core.xml cp:lastModifiedBy (the application's user name)
    opened_by: str | None = None  # the user in the lock file (~$name.xlsx, .~lock.name.xlsx#)
    opened_since: Any = None  # since when (datetime from the lock file), None when not open


@dataclass(frozen=True)
class GoogleTrail:
    """Who Drive says edited the spreadsheet since the last read."""

    editors: tuple[str, ...] = ()  # editors of the Drive revisions since the last read
    basis: str = ""  # how ``editors`` was found (Bahasa Indonesia), e.g. "riwayat revisi Drive"


@dataclass(frozen=True)
class CellComment:
    """A comment thread anchored on one cell (0-based sheet coordinates), as read from the
    spreadsheet. ``mine`` marks threads whose head post the service account wrote."""

    comment_id: str
    row: int
    col: int
    text: str  # the head post
    author: str  # display name of the head post's author
    status: str  # OPEN or RESOLVED
    mine: bool = False
    replies: tuple[tuple[str, str, bool], ...] = ()  # (author, text, mine) of each reply, in order
    assignee: str = ""


@dataclass(frozen=True)
class PostAuthor:
    """A comment author's display name mapped to accounts the spreadsheet is shared with:
    ``emails`` holds one account, several (``ambiguous``: the name cannot tell them apart) or none;
    ``how`` says how that was found (Bahasa Indonesia)."""

    name: str
    emails: tuple[str, ...]
    how: str
    ambiguous: bool = False


@dataclass(frozen=True)
class CommentWrite:
    """A change to a comment thread the poller owns (DECISIONS.md #13): ``open`` a thread on a cell
    (assigned to ``assignee``), ``reply`` in one, ``resolve`` or ``reopen`` it (with ``text``).
    A backend never edits or deletes a post it did not write."""

    action: str  # open, reply, resolve, reopen
    row: int = 0
    col: int = 0
    text: str = ""
    comment_id: str = ""
    assignee: str = ""


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
    comments: list["CommentWrite"] = field(default_factory=list)  # Google only; not counted in bool()
    # Excel: the sheet was found unprotected after the Walidata's own save: protect it again without the A1 alarm
    quiet_reprotect: bool = False
    alarm: str = ""  # Excel: a protection alarm for A1 that reconcile found (a Walidata tick saved by someone else)
    # Excel: the Walidata saved the sheet protected: A1's "TANPA proteksi" note has been seen and goes
    protected_by_walidata: bool = False

    def __bool__(self) -> bool:
        return bool(self.cells or self.notes or self.alarm)


@dataclass
class TabResult:
    """A tab the backend could read, or why it could not."""

    opd: str
    snapshot: TabSnapshot | None = None
    unchanged: bool = False  # nothing changed since the last read: no snapshot needed
    error: str | None = None  # Bahasa Indonesia, shown to users
    notice: str = ""  # something next to the tab the user should know (a stray .ods copy), Indonesian
    token: Any = None  # unchanged: a fresher token to remember for the same content (Google's feed position)
    deferred: str = ""  # changed, but left for the next cycle (Google's per-minute quota), Indonesian; not an error


@dataclass(frozen=True)
class WriteResult:
    """``reason`` is None when written, else why the batch was left for the next cycle
    (Bahasa Indonesia). ``token`` is the tab's change marker after the write."""

    reason: str | None = None
    token: Any = None


class BackendError(Exception):
    """A backend failure that stops this cycle for a tab or a spreadsheet."""


class Backend(Protocol):
    """The contract every backend keeps; backends subclass it, so the optional parts below
    (``service_account``, ``after_cycle``) have no-op defaults instead of being probed."""

    requests: dict[str, int]  # counted per kind ("read", "write", "drive") since opened
    service_account: str | None = None  # the account the poller writes as, where the backend knows one

    def ensure_tabs(self, opds: list[tuple[str, str]]) -> list[str]:
        """Create a tab from the template for every (kode, nama) that has none; return the created kodes."""

    def read(self, opds: list[str], known: dict[str, Any]) -> list[TabResult]:
        """Read every tab; ``known`` maps an OPD to the token of its last processed read,
        so a backend may answer ``unchanged`` without reading."""

    def write(self, batches: list[TabWrites], snapshots: dict[str, TabSnapshot]) -> dict[str, WriteResult]:
        """Apply the batches (each against the snapshot it was planned from); one result per OPD."""

    def append_rows(self, snapshot: TabSnapshot, rows: list[list[Any]]) -> WriteResult:
        """Add rows (cells in the tab's column order, None = empty) below the last row of
        ``snapshot``; an existing row is never touched. Refused (``reason``) when the tab changed
        since that read or is open in a spreadsheet program. Text is written as text (never parsed)."""

    def busy(self, opd: str) -> str | None:
        """Why the OPD's workbook must not be written now (open in Excel/LibreOffice), else None."""

    def archive_tab(self, opd: str, nama: str, title: str) -> str | None:
        """Rename the OPD's tab to ``title`` (kept as a record, no longer read) and put a fresh
        template tab named ``opd`` in the same workbook/spreadsheet. None when done (also when a
        rerun finds it done), else why not (Bahasa Indonesia)."""

    def after_cycle(self) -> list[str]:
        """Upkeep after a cycle's writes (Google: protected ranges brought in step with the
        config); the problems found, in Bahasa Indonesia. Nothing by default."""
        return []

    def add_column(self, snapshot: TabSnapshot, header: str) -> WriteResult:
        """Type ``header`` into row 1 of the first column after the tab's headers (an optional column
        such as Bidang that the template does not add); refused (``reason``) as ``append_rows`` is.
        Read the tab again before writing to it."""
        return WriteResult("backend ini tidak dapat menambah kolom")

    supports_metadata_tab: bool = False  # add_metadata_tab writes a Metadata tab (Excel, Google); others name the blocks

    def add_metadata_tab(self, opd: str, rows: list[list[str]]) -> str | None:
        """Add a Metadata tab with ``rows`` beside the OPD's tab, never over one that exists; None
        when done, else why not (Bahasa Indonesia). Only where ``supports_metadata_tab``."""
        return "backend ini tidak membuat tab Metadata"

    def rounds(self, opds: list[str], known: dict[str, Any]) -> list[list[str]]:
        """The OPDs in the order a cycle serves them, one list per round, each read, decided and
        written before the next is read. One round of every OPD by default; Google plans rounds
        against its per-minute quota."""
        return [opds]
