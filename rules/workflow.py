"""The state machine of one row (DECISIONS.md #2): pure, clock-free.

Given the state the database remembers and the boxes the sheet shows now, it returns the
new state, the boxes to clear (each with the reason shown to the user) and the
transitions passed through, so every state change becomes an audit event.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Callable

from rules import fields as f
from rules.keys import text
from rules.findings import Finding
from rules.sop import DIARSIP, DICEK, DIISI, DISEPAKATI, DISETUJUI, DRAF, PERBAIKAN, REVISI, TERVERIFIKASI, load_sop

def _order(code: str) -> int:
    """How advanced a state is (sop.yaml); read when first needed, not at import."""
    return load_sop().states[code].order


@lru_cache(maxsize=4)
def box_labels() -> dict[str, str]:
    """Step box key -> its column header, in the order the boxes may be ticked (sop.yaml); shared, do not modify."""
    return {key: box.label for key, box in load_sop().boxes.items()}


@dataclass
class RowInput:
    prev_state: str | None  # None: a row seen for the first time
    boxes: dict[str, bool]
    prev_boxes: dict[str, bool] = field(default_factory=dict)  # as the poller left them
    agreed_changed: tuple[str, ...] = ()  # column headers of agreed fields edited
    values_changed: tuple[str, ...] = ()  # column headers of Tahun/Nilai edited
    catatan: str = ""
    prev_catatan: str = ""


class ClearKind(StrEnum):
    """Why the poller cleared a box. The reason shown to people may be reworded freely; what the
    poller does next depends on the kind alone (DECISIONS.md #29)."""

    EARLY = "terlalu_awal"  # ticked before its turn, or its prerequisite was withdrawn
    BLOCKED = "galat"  # the checks stop the step
    UNREADABLE = "isi_tak_dikenal"  # text that is no tick
    COPY = "salinan"  # the ticks of a copied row
    REVISION = "revisi"  # the Walidata asked for a revision
    REOPENED = "dibuka_ulang"  # the agreed list changed
    REVERIFY = "verifikasi_ulang"  # archived values changed after verification
    UNSEEN = "belum_tampil"  # verified before the row was shown as 7 Diisi

    @property
    def sticky(self) -> bool:
        """The poller's own step back (revision, reopened list, re-verification, unseen): re-reading
        the box would undo it, so a clear that never reached the sheet is applied again. Early
        ticks, failed checks, unreadable text and copies are simply judged again instead."""
        return self in (ClearKind.REVISION, ClearKind.REOPENED, ClearKind.REVERIFY, ClearKind.UNSEEN)


@dataclass
class RowOutcome:
    state: str
    clears: dict[str, str] = field(default_factory=dict)  # box key -> reason
    kinds: dict[str, ClearKind] = field(default_factory=dict)  # box key -> why, as the poller acts on it
    transitions: list[tuple[str | None, str, str]] = field(default_factory=list)
    held: bool = False  # verified and untouched: its findings are for the Walidata to review


UNSEEN = ("Dikosongkan otomatis: Terverifikasi hanya berlaku untuk baris yang sudah tampil sebagai "
          "7 Diisi pada pemeriksaan sebelumnya (belum tampil sebagai 7 Diisi); periksa hasilnya lalu centang lagi.")


def _messages(findings: list[Finding]) -> str:
    return "; ".join(dict.fromkeys(x.message for x in findings))


def legacy_kinds(box_notes: dict[str, str]) -> dict[str, ClearKind]:
    """The kinds of clears remembered before kinds were stored, told from their reasons as they
    were worded then; only an archive written by an older version needs this, once per row."""
    words = ((ClearKind.REVISION, "meminta revisi"), (ClearKind.REOPENED, "berubah setelah disepakati"),
             (ClearKind.REVERIFY, "berubah setelah diverifikasi"), (ClearKind.UNSEEN, "belum tampil sebagai 7 Diisi"),
             (ClearKind.BLOCKED, "galat"), (ClearKind.BLOCKED, "Belum dapat disepakati"))
    return {key: next(kind for kind, word in words if word in reason) for key, reason in box_notes.items()
            if any(word in reason for _, word in words)}


def _count(errors: list[Finding]) -> str:
    columns = ", ".join(dict.fromkeys(x.column.replace("_", " ").title() for x in errors))
    return f"ada {len(errors)} galat pada {columns} saat dicentang"  # still true once the operator fixed it


def advance(row: RowInput, blocking: Callable[[int], list[Finding]]) -> RowOutcome:
    """``blocking(n)`` lists the errors that stop the row entering state number n."""
    out = RowOutcome(state=row.prev_state or DRAF)
    boxes = {k: bool(row.boxes.get(k)) for k in load_sop().boxes}

    def clear(key: str, reason: str, kind: ClearKind) -> None:
        if boxes[key]:
            out.clears[key], out.kinds[key] = reason, kind
        boxes[key] = False

    def move(to: str, reason: str) -> None:
        if to != out.state:
            out.transitions.append((out.state, to, reason))
            out.state = to

    if row.prev_state is None:
        out.transitions.append((None, DRAF, "Baris baru dalam daftar data"))

    if row.agreed_changed and _order(out.state) >= _order(DISEPAKATI):
        what = ", ".join(row.agreed_changed)
        for key in (f.SEPAKAT_OPD, f.SEPAKAT_WALIDATA, f.SETUJU_KA, f.SELESAI_ISI, f.VERIFIKASI):
            clear(key, f"Dikosongkan otomatis: {what} berubah setelah disepakati; daftar perlu disepakati ulang.",
                  ClearKind.REOPENED)
        move(DICEK, f"Daftar yang disepakati berubah ({what}); kembali ke langkah 3-4")
    elif row.values_changed and out.state in (TERVERIFIKASI, DIARSIP):
        what = ", ".join(row.values_changed)
        clear(f.VERIFIKASI, f"Dikosongkan otomatis: {what} berubah setelah diverifikasi; perlu verifikasi ulang.",
              ClearKind.REVERIFY)
        move(DIISI, f"{what} berubah setelah diverifikasi; perlu verifikasi ulang")

    note = row.catatan.strip()
    new_note = bool(note) and note != row.prev_catatan.strip()

    def revise() -> None:
        for key in (f.SELESAI_ISI, f.VERIFIKASI):
            clear(key, "Dikosongkan otomatis: Walidata meminta revisi (lihat Catatan Walidata).", ClearKind.REVISION)
        move(REVISI, f"Walidata meminta revisi: {note[:200]}")

    if new_note and out.state in (DIISI, TERVERIFIKASI, DIARSIP):
        revise()
        new_note = False

    # Verified stays verified: a row whose own fields did not change keeps the Walidata's
    # verification whatever the checks say now (a new rule, another workspace year, another
    # row of its item); the Walidata reopens it by clearing Terverifikasi.
    out.held = out.state in (TERVERIFIKASI, DIARSIP) and boxes[f.VERIFIKASI]
    if out.held:
        blocking = _nothing_blocks
    # The Walidata verifies what the poller has shown as checked: only a row an earlier cycle
    # already showed as 7 Diisi, with the same archived fields, can be verified.
    seen = out.held or (row.prev_state == DIISI and out.state == DIISI and not row.values_changed)

    level, reached = _walk(boxes, clear, blocking, seen)
    _prerequisites(boxes, level, row, clear)
    _settle(out, level, reached, row)
    if new_note and out.state in (DIISI, TERVERIFIKASI):  # filled (or verified) and asked to revise at once
        revise()
    return out


def _walk(boxes: dict[str, bool], clear: Callable[[str, str, ClearKind], None], blocking: Callable[[int], list[Finding]],
          seen: bool) -> tuple[str, list[tuple[str, str]]]:
    """Walk the boxes in SOP order: how far do they carry the row (and through which states)?"""
    reached: list[tuple[str, str]] = []
    states, label = load_sop().states, box_labels()
    if boxes[f.DICEK]:
        reached.append((DICEK, f"{label[f.DICEK]} dicentang"))
        if boxes[f.SEPAKAT_OPD] and boxes[f.SEPAKAT_WALIDATA]:
            errors = blocking(states[DISEPAKATI].step)
            if errors:
                reason = f"Belum dapat disepakati: {_messages(errors)}"
                clear(f.SEPAKAT_OPD, reason, ClearKind.BLOCKED)
                clear(f.SEPAKAT_WALIDATA, reason, ClearKind.BLOCKED)
            else:
                reached.append((DISEPAKATI, "Disepakati OPD dan Walidata"))
    level = reached[-1][0] if reached else DRAF
    if level == DISEPAKATI and boxes[f.SETUJU_KA]:
        reached.append((DISETUJUI, f"{label[f.SETUJU_KA]} dicentang"))
        level = DISETUJUI
    if level == DISETUJUI and boxes[f.SELESAI_ISI]:
        errors = blocking(states[DIISI].step)
        if errors:
            clear(f.SELESAI_ISI, f"Dikosongkan otomatis: {_count(errors)} (lihat Hasil Pemeriksaan). "
                                 "Perbaiki lalu centang lagi.", ClearKind.BLOCKED)
            reached.append((PERBAIKAN, f"{label[f.SELESAI_ISI]} ditolak: {_messages(errors)}"))
            level = PERBAIKAN
        else:
            reached.append((DIISI, f"{label[f.SELESAI_ISI]} dicentang dan lolos pemeriksaan"))
            level = DIISI
    if level == DIISI and boxes[f.VERIFIKASI]:
        errors = blocking(states[TERVERIFIKASI].step)
        if not seen:
            clear(f.VERIFIKASI, UNSEEN, ClearKind.UNSEEN)
        elif errors:
            clear(f.VERIFIKASI, f"Dikosongkan otomatis: {_count(errors)} (lihat Hasil Pemeriksaan).", ClearKind.BLOCKED)
        else:
            reached.append((TERVERIFIKASI, f"{label[f.VERIFIKASI]} dicentang"))
            level = TERVERIFIKASI
    return level, reached


def _prerequisites(boxes: dict[str, bool], level: str, row: RowInput,
                   clear: Callable[[str, str, ClearKind], None]) -> None:
    """Boxes ticked beyond what the boxes before them allow are cleared (sop.yaml: syarat)."""
    sop = load_sop()
    for key, box in sop.boxes.items():
        if box.needs and boxes[key] and sop.states[level].rank < sop.states[box.needs].rank:
            if row.prev_boxes.get(key):
                clear(key, f"Dikosongkan otomatis: langkah sebelumnya dibatalkan; {box.needs_why}.", ClearKind.EARLY)
            else:
                clear(key, f"Dikosongkan otomatis: {box.label} dicentang terlalu awal; {box.needs_why}.",
                      ClearKind.EARLY)


def _nothing_blocks(_state_number: int) -> list[Finding]:
    return []


def _settle(out: RowOutcome, level: str, reached: list[tuple[str, str]], row: RowInput) -> None:
    """Move the row to what its boxes carry, keeping a pending revision or repair open."""
    current = out.state
    if level == current or (level == DISETUJUI and current in (REVISI, PERBAIKAN)):
        return  # nothing new, or waiting for the operator to fix and tick Selesai Diisi again
    if level == TERVERIFIKASI and current == DIARSIP:
        return  # still verified; archiving is decided by the caller
    if level == PERBAIKAN or _order(level) > _order(current):
        for state, reason in reached:
            if _order(state) > _order(out.state) or (state == PERBAIKAN and out.state != PERBAIKAN):
                out.transitions.append((out.state, state, reason))
                out.state = state
        return
    cleared = [label for k, label in box_labels().items() if row.prev_boxes.get(k) and not row.boxes.get(k)]
    reason = f"{', '.join(cleared)} dikosongkan" if cleared else "centang langkah tidak lengkap"
    out.transitions.append((current, level, f"Mundur: {reason}"))
    out.state = level


_TRUE = {"true", "ya", "y", "v", "✓", "✔", "☑", "x", "1"}
_FALSE = {"false", "tidak", "", "0", "☐"}


def parse_box(value: object) -> bool | None:
    """A step cell as ticked (True), not ticked (False) or unreadable (None)."""
    if value is None or value is False or value == "":
        return False
    if value is True:
        return True
    if isinstance(value, (int, float)):
        return True if value == 1 else False if value == 0 else None
    return parse_box_text(str(value))


@lru_cache(maxsize=256)
def parse_box_text(value: str) -> bool | None:
    """parse_box of a text cell (cached: a step column repeats a few texts)."""
    s = value.strip().casefold()
    return True if s in _TRUE else False if s in _FALSE else None


COPY_CLEAR = ("Dikosongkan otomatis: baris ini salinan (atau ID-nya diketik); langkah SOP "
              "dimulai lagi dari Draf untuk baris baru ini.")


def read_boxes(cells: dict[str, object], unsent: dict[str, str], unsent_kinds: dict[str, ClearKind],
               copied: bool) -> tuple[dict[str, bool], dict[str, str], dict[str, ClearKind]]:
    """The step cells as ticks, and the boxes to clear before the SOP walk (key -> reason, key ->
    kind): text that is no tick, the poller's own step back that never reached the sheet
    (``unsent``: the reasons and kinds of the last write, when it may not have landed), and the
    ticks of a copied row."""
    boxes: dict[str, bool] = {}
    clears: dict[str, str] = {}
    kinds: dict[str, ClearKind] = {}
    for key, label in box_labels().items():
        raw = cells.get(key)
        value = parse_box(raw)
        if value is None:
            clears[key] = (f"Dikosongkan otomatis: isi '{text(raw)[:30]}' tidak dikenal di kolom {label}; "
                           "gunakan YA atau centang.")
            kinds[key], value = ClearKind.UNREADABLE, False
        elif value and key in unsent and key in unsent_kinds and ClearKind(unsent_kinds[key]).sticky:
            clears[key], kinds[key] = unsent[key], ClearKind(unsent_kinds[key])
            value = False
        elif value and copied:
            clears[key], kinds[key] = COPY_CLEAR, ClearKind.COPY
            value = False
        boxes[key] = value
    return boxes, clears, kinds
