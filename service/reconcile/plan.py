"""What the database remembers between cycles, and the plan one cycle produces."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from collections.abc import Collection
from typing import TYPE_CHECKING, Any, Callable

from rules.findings import Finding
from sheets.base import TabWrites


class TabStatus(StrEnum):
    """What the archive remembers about a tab as a whole (stored as its text in ``tabs.status``)."""

    OK = "ok"
    HEADER = "header"  # required columns missing: the tab is not processed
    ERROR = "galat"  # the tab could not be read
    MASS_REMOVAL = "hapus_massal"  # held: many rows vanished at once
    MASS_CHANGE = "ubah_massal"  # held: many agreed rows changed at once
    PENDING_REMOVAL = "hapus_tertunda"  # processed, with agreed rows whose removal waits for the Walidata
    ARCHIVE_UNKNOWN = "arsip_asing"  # held: the archive does not know the sheet's IDs (satudata adopt)
    CHAIN_BROKEN = "rantai_rusak"  # held: the archive's hash chain no longer holds
    DEFERRED = "ditunda_kuota"  # changed, left for the next cycle by Google's per-minute quota (not held)
    NOT_HELD = "tidak_ditahan"  # adopt's answer for a tab that needs no adoption (never stored)


CONFIRMABLE = (TabStatus.MASS_REMOVAL, TabStatus.MASS_CHANGE, TabStatus.PENDING_REMOVAL)  # satudata confirm KODE


@dataclass
class RowMemory:
    row_id: str
    state: str
    data: dict[str, str] = field(default_factory=dict)  # data fields as last seen (text)
    boxes: dict[str, bool] = field(default_factory=dict)  # step boxes as the poller left them
    catatan: str = field(default_factory=str)  # Catatan Walidata as last seen
    box_notes: dict[str, str] = field(default_factory=dict)  # boxes the poller cleared -> why
    clear_kinds: dict[str, str] = field(default_factory=dict)  # the same boxes -> rules.workflow.ClearKind
    notes: dict[str, str] = field(default_factory=dict)  # column key -> owned note last written
    findings: list[dict[str, Any]] = field(default_factory=list)  # shown findings, for the dashboard
    # the fields below without a plain class default can be read later (RowMemory.lazy)
    updated_at: datetime | None = field(default_factory=lambda: None)  # last state change
    archived_hash: str | None = field(default_factory=lambda: None)
    archived_version: int = 0
    removed: bool = False
    position: int = field(default_factory=int)  # sheet row number when last seen (display only, never identity)
    fingerprint: str = ""  # the row as the sheet shows it after our writes: unchanged rows are skipped

    if not TYPE_CHECKING:  # the type checker still sees only the fields, so a misspelt one stays an error
        def __getattr__(self, name: str) -> Any:
            """A row read from the archive decodes each JSON field on its first use (DECISIONS.md #145):
            a cycle touches the few rows (and fields) that changed, not the thousands it remembers."""
            fields = self.__dict__
            later = fields.get("_later")
            if later is not None and name in later[1]:  # read beyond identity and fingerprint (#156)
                later[0](self)  # sets the row's stored fields and drops "_later"
                return getattr(self, name)
            lazy = fields.get("_lazy")
            if lazy is None or name not in lazy[1]:
                raise AttributeError(name)
            source, decoders = lazy
            decode, column = decoders[name]
            value = self.__dict__[name] = decode(getattr(source, column))
            return value

    @classmethod
    def lazy(cls, source: Any, decoders: dict[str, tuple[Callable[[Any], Any], str]], **fields: Any) -> RowMemory:
        """A row with ``fields`` set now; each field named in ``decoders`` (field -> (decode,
        attribute of ``source``)) is decoded when first read, unless assigned before. Only fields
        without a class-level default can be lazy: a default is found on the class first."""
        assert not [n for n in decoders if n in cls.__dict__], "a lazy field must have no plain class default"
        row = cls.__new__(cls)
        row.__dict__.update(fields, _lazy=(source, decoders))
        return row


@dataclass
class TabMemory:
    opd: str
    next_seq: int = 1
    rows: dict[str, RowMemory] = field(default_factory=dict)
    token: Any = None  # read token of the last fully processed cycle
    write_pending: bool = False  # the last planned sheet write has not been confirmed
    confirm_removal: bool = False  # a person confirmed a mass removal in the CLI
    status: str = TabStatus.OK
    message: str = ""
    header_note: str | None = None
    # reads the remembered rows' deferred fields of these IDs in one go (Store.load_tab's lazy
    # rows, DECISIONS.md #156); reconcile calls it once it knows the rows it will read
    prefetch: Callable[[Collection[str]], None] | None = field(default=None, compare=False, repr=False)


@dataclass
class Event:
    """One audit event. Not frozen, only because a frozen dataclass costs six times as much to
    build and a first poll builds five per row; nothing changes an event once made
    (dataclasses.replace makes a new one)."""

    at: datetime
    opd: str
    row_id: str
    from_state: str | None
    to_state: str
    reason: str
    values: dict[str, Any]
    oleh: str = ""  # who made the change, or the honest candidates (DECISIONS.md #11)
    bagaimana: str = ""  # how that is known
    kind: str = "status"  # "status": a state change; "nilai": a cell's value changed (DECISIONS.md #12)
    column: str | None = None  # for "nilai": the column key, its text before and after
    old: str | None = None
    new: str | None = None


@dataclass(frozen=True)
class ArchiveRecord:
    opd: str
    row_id: str
    version: int
    data: dict[str, str]
    nilai: float | None
    tahun: int | None
    content_hash: str
    verified_at: datetime
    archived_at: datetime
    datum: str = ""  # rules.datum.Datum.key: the archive's identity, versions count per datum
    item_key: str = ""
    rincian_key: str = ""
    kode_wilayah: str = ""
    kode_wilayah_versi: str = ""  # the Kemendagri code list the Rincian was read with
    status_nilai: str = ""  # rules.numbers.NIHIL / TIDAK_TERSEDIA: a Nilai declared missing


@dataclass(frozen=True)
class MetadataRecord:
    """A block of the Metadata tab (MS-Keg, MS-Ind, MS-Var) as archived with its item's data."""
    opd: str
    jenis: str
    kunci: str
    key: str  # rules.metadata.block_key: one per (jenis, kunci) however it is spelt
    values: dict[str, str]  # element key -> text
    content_hash: str


@dataclass
class Plan:
    opd: str
    writes: TabWrites
    rows: dict[str, RowMemory] = field(default_factory=dict)  # rows whose memory changed
    events: list[Event] = field(default_factory=list)
    archive: list[ArchiveRecord] = field(default_factory=list)
    metadata: list[MetadataRecord] = field(default_factory=list)  # blocks of the items archived this cycle
    next_seq: int = 1
    status: str = TabStatus.OK
    message: str = ""
    header_note: str | None = None
    confirm_removal_used: bool = False
    findings: dict[str, list[Finding]] = field(default_factory=dict)
    rows_seen: int = 0
    utas: dict[str, str] = field(default_factory=dict)  # ticket number -> its Google thread as planned
