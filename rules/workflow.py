"""The state machine of one row (DECISIONS.md #2): pure, clock-free.

Given the state the database remembers and the boxes the sheet shows now, it returns the
new state, the boxes to clear (each with the reason shown to the user) and the
transitions passed through, so every state change becomes an audit event.
"""
from __future__ import annotations

from dataclasses import dataclass, field
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


@dataclass
class RowOutcome:
    state: str
    clears: dict[str, str] = field(default_factory=dict)  # box key -> reason
    transitions: list[tuple[str | None, str, str]] = field(default_factory=list)
    held: bool = False  # verified and untouched: its findings are for the Walidata to review


UNSEEN = ("Dikosongkan otomatis: Terverifikasi hanya berlaku untuk baris yang sudah tampil sebagai "
          "7 Diisi pada pemeriksaan sebelumnya (belum tampil sebagai 7 Diisi); periksa hasilnya lalu centang lagi.")


def _messages(findings: list[Finding]) -> str:
    return "; ".join(dict.fromkeys(x.message for x in findings))


STICKY_CLEARS = ("meminta revisi", "berubah setelah disepakati", "berubah setelah diverifikasi",
                 "belum tampil sebagai 7 Diisi")


def is_sticky(reason: str) -> bool:
    """A clear that records the poller's own step back (revision, reopened list, re-verification):
    re-reading the box would undo it, so a clear that never reached the sheet is applied again.
    Early ticks and failed checks are simply judged again instead."""
    return any(marker in reason for marker in STICKY_CLEARS)


def _count(errors: list[Finding]) -> str:
    columns = ", ".join(dict.fromkeys(x.column.replace("_", " ").title() for x in errors))
    return f"masih ada {len(errors)} galat pada {columns}"


def advance(row: RowInput, blocking: Callable[[int], list[Finding]]) -> RowOutcome:
    """``blocking(n)`` lists the errors that stop the row entering state number n."""
    out = RowOutcome(state=row.prev_state or DRAF)
    boxes = {k: bool(row.boxes.get(k)) for k in load_sop().boxes}

    def clear(key: str, reason: str) -> None:
        if boxes[key]:
            out.clears[key] = reason
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
            clear(key, f"Dikosongkan otomatis: {what} berubah setelah disepakati; daftar perlu disepakati ulang.")
        move(DICEK, f"Daftar yang disepakati berubah ({what}); kembali ke langkah 3-4")
    elif row.values_changed and out.state in (TERVERIFIKASI, DIARSIP):
        what = ", ".join(row.values_changed)
        clear(f.VERIFIKASI, f"Dikosongkan otomatis: {what} berubah setelah diverifikasi; perlu verifikasi ulang.")
        move(DIISI, f"{what} berubah setelah diverifikasi; perlu verifikasi ulang")

    note = row.catatan.strip()
    new_note = bool(note) and note != row.prev_catatan.strip()

    def revise() -> None:
        for key in (f.SELESAI_ISI, f.VERIFIKASI):
            clear(key, "Dikosongkan otomatis: Walidata meminta revisi (lihat Catatan Walidata).")
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


def _walk(boxes: dict[str, bool], clear: Callable[[str, str], None], blocking: Callable[[int], list[Finding]],
          seen: bool) -> tuple[str, list[tuple[str, str]]]:
    """Walk the boxes in SOP order: how far do they carry the row (and through which states)?"""
    reached: list[tuple[str, str]] = []
    if boxes[f.DICEK]:
        reached.append((DICEK, "Dicek Bersama dicentang"))
        if boxes[f.SEPAKAT_OPD] and boxes[f.SEPAKAT_WALIDATA]:
            errors = blocking(5)
            if errors:
                reason = f"Belum dapat disepakati: {_messages(errors)}"
                clear(f.SEPAKAT_OPD, reason)
                clear(f.SEPAKAT_WALIDATA, reason)
            else:
                reached.append((DISEPAKATI, "Disepakati OPD dan Walidata"))
    level = reached[-1][0] if reached else DRAF
    if level == DISEPAKATI and boxes[f.SETUJU_KA]:
        reached.append((DISETUJUI, "Disetujui Ka. OPD dicentang"))
        level = DISETUJUI
    if level == DISETUJUI and boxes[f.SELESAI_ISI]:
        errors = blocking(7)
        if errors:
            clear(f.SELESAI_ISI, f"Dikosongkan otomatis: {_count(errors)} (lihat Hasil Pemeriksaan). "
                                 "Perbaiki lalu centang lagi.")
            reached.append((PERBAIKAN, f"Selesai Diisi ditolak: {_messages(errors)}"))
            level = PERBAIKAN
        else:
            reached.append((DIISI, "Selesai Diisi dicentang dan lolos pemeriksaan"))
            level = DIISI
    if level == DIISI and boxes[f.VERIFIKASI]:
        errors = blocking(9)
        if not seen:
            clear(f.VERIFIKASI, UNSEEN)
        elif errors:
            clear(f.VERIFIKASI, f"Dikosongkan otomatis: {_count(errors)} (lihat Hasil Pemeriksaan).")
        else:
            reached.append((TERVERIFIKASI, "Terverifikasi dicentang"))
            level = TERVERIFIKASI
    return level, reached


def _prerequisites(boxes: dict[str, bool], level: str, row: RowInput, clear: Callable[[str, str], None]) -> None:
    """Boxes ticked beyond what the boxes before them allow are cleared (sop.yaml: syarat)."""
    sop = load_sop()
    for key, box in sop.boxes.items():
        if box.needs and boxes[key] and sop.states[level].rank < sop.states[box.needs].rank:
            if row.prev_boxes.get(key):
                clear(key, f"Dikosongkan otomatis: langkah sebelumnya dibatalkan; {box.needs_why}.")
            else:
                clear(key, f"Dikosongkan otomatis: {box.label} dicentang terlalu awal; {box.needs_why}.")


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


def read_boxes(cells: dict[str, object], unsent: dict[str, str], copied: bool) -> tuple[dict[str, bool], dict[str, str]]:
    """The step cells as ticks, and the boxes to clear before the SOP walk (key -> reason):
    text that is no tick, the poller's own step back that never reached the sheet (``unsent``:
    the reasons of the last write, when it may not have landed), and the ticks of a copied row."""
    boxes: dict[str, bool] = {}
    clears: dict[str, str] = {}
    for key, label in box_labels().items():
        raw = cells.get(key)
        value = parse_box(raw)
        if value is None:
            clears[key] = (f"Dikosongkan otomatis: isi '{text(raw)[:30]}' tidak dikenal di kolom {label}; "
                           "gunakan YA atau centang.")
            value = False
        elif value and key in unsent and is_sticky(unsent[key]):
            clears[key] = unsent[key]
            value = False
        elif value and copied:
            clears[key] = COPY_CLEAR
            value = False
        boxes[key] = value
    return boxes, clears
