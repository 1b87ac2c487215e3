"""XlsxBackend, the embedded default: one workbook per OPD in a folder (``<KODE>.xlsx``, one tab
named ``<KODE>``), read with python-calamine, written by patching the tab's XML parts (never a
full load and save, which would drop what openpyxl does not understand), replaced atomically.

An idle cycle costs one ``stat`` per workbook: a workbook whose size and modification time match
the token of its last read is not opened. A workbook is never written while it is open in Excel
or LibreOffice (their lock file exists) or when it changed after it was read.
"""
from __future__ import annotations

import dataclasses

import io
import logging
import re
import time as clock
import zipfile
from contextlib import suppress
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from rules.metadata import SHEET as METADATA_SHEET

from . import ooxml
from ..base import Backend, ExcelTrail, TabResult, TabSnapshot, TabWrites, WriteResult
from ..lockfile import find_lock
from .notes import NOTE_AUTHOR
from .patch import PatchRefused, rewrite_zip
from .protect import Guard
from .write import patch_workbook
from .files import (BAD_FILE, Token, find_tab, load, read_only, replace_atomic, same_token, to_bytes, token_of,
                    unreadable)

__all__ = ["NOTE_AUTHOR", "XlsxBackend", "save_atomic"]

log = logging.getLogger(__name__)

_NEXT_CYCLE = "; akan ditulis pada siklus berikutnya"
_SAFE_KODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,30}")



class _TabMissing(Exception):
    pass


class XlsxBackend(Backend):
    def __init__(self, folder: Path, password: str | None = None) -> None:
        """``password`` is the Walidata's sheet-protection password; without it no protection is applied."""
        self.folder = Path(folder)
        self.password = password or None
        self.guard = Guard(password) if password else None
        self.requests: dict[str, int] = {"stat": 0, "read": 0, "write": 0}

    def path(self, kode: str) -> Path:
        if not _SAFE_KODE.fullmatch(kode):
            raise ValueError(f"Kode OPD {kode!r} tidak bisa dipakai sebagai nama berkas dan tab")
        return self.folder / f"{kode}.xlsx"

    # --- tabs -------------------------------------------------------------------------------

    def ensure_tabs(self, opds: list[tuple[str, str]]) -> list[str]:
        created = []
        for kode, nama in opds:
            path = self.path(kode)
            if path.exists():
                continue
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                replace_atomic(path, self.template(kode, nama))
            except OSError as exc:
                log.warning("Gagal membuat %s: %s", path, exc)
                continue
            created.append(kode)
        return created

    def template(self, kode: str, nama: str) -> bytes:
        """A new workbook's bytes, protected with the Walidata's password when there is one."""
        from .template import new_workbook

        payload = to_bytes(new_workbook(kode, nama))
        if self.guard is None:
            return payload
        with zipfile.ZipFile(io.BytesIO(payload)) as archive:
            part = ooxml.package(archive).sheets[kode]
            sheet = self.guard.protect(archive.read(part))
        return rewrite_zip(payload, {part: sheet})

    # --- read -------------------------------------------------------------------------------

    def read(self, opds: list[str], known: dict[str, Any]) -> list[TabResult]:
        self._sweep()
        return [_with_notice(self._read_one(opd, known.get(opd)), self.folder) for opd in opds]

    def _lock(self, path: Path) -> Any:
        """Who has the workbook open now, from Excel's or LibreOffice's lock file (None: nobody)."""
        return find_lock(path)

    def _sweep(self, older_than: float = 600.0) -> None:
        """Temporary files a killed poller left behind (``.<name>.xlsx.<hex>.tmp``), once stale."""
        if not self.folder.is_dir():
            return
        now = clock.time()
        for stray in self.folder.glob(".*.xlsx.*.tmp"):
            with suppress(OSError):
                if now - stray.stat().st_mtime > older_than:
                    stray.unlink()

    def _read_one(self, opd: str, known: Any) -> TabResult:
        path = self.path(opd)
        try:
            self.requests["stat"] += 1
            if same_token(known, token_of(path.stat())):
                return TabResult(opd, unchanged=True)
            data, token = load(path)
        except FileNotFoundError:
            if stray := stray_ods_notice(self.folder, opd):
                return TabResult(opd, error=f"Berkas {path.name} tidak ditemukan di folder {self.folder}. {stray}")
            return TabResult(opd, error=f"Berkas {path.name} tidak ditemukan di folder {self.folder}")
        except OSError as exc:
            return TabResult(opd, error=f"Berkas {path.name} tidak dapat dibuka: {exc}")
        self.requests["read"] += 1
        try:
            snapshot = _snapshot(opd, path.name, data, token, self.guard)
            if (lock := self._lock(path)) is not None:
                snapshot.trail = dataclasses.replace(
                    snapshot.trail or ExcelTrail(), opened_by=lock.user or "(pengguna tidak tercatat di berkas kunci)",
                    opened_since=lock.since)
            return TabResult(opd, snapshot=snapshot)
        except _TabMissing as exc:
            return TabResult(opd, error=str(exc))
        except BAD_FILE as exc:
            log.info("%s tidak terbaca: %r", path, exc)
            return TabResult(opd, error=unreadable(path))

    # --- write ------------------------------------------------------------------------------

    def write(self, batches: list[TabWrites], snapshots: dict[str, TabSnapshot]) -> dict[str, WriteResult]:
        wanted = [b for b in batches if b or b.protected_by_walidata or self._unprotected(snapshots.get(b.opd))]
        return {b.opd: self._write_one(b, snapshots.get(b.opd)) for b in wanted}

    def _unprotected(self, snapshot: TabSnapshot | None) -> bool:
        """A sheet read without the Walidata's protection is written (protected again) even with no cells to write."""
        return self.guard is not None and snapshot is not None and snapshot.protected is False

    def _write_one(self, batch: TabWrites, snapshot: TabSnapshot | None) -> WriteResult:
        path = self.path(batch.opd)
        if snapshot is None or snapshot.token is None:
            return WriteResult(f"Tab {batch.opd} belum dibaca pada siklus ini{_NEXT_CYCLE}")
        if reason := self.write_refused(path, snapshot.token):
            return WriteResult(reason)
        if reason := read_only(path):
            return WriteResult(reason)
        try:
            data, token = load(path)
        except OSError as exc:
            return WriteResult(f"Berkas {path.name} tidak dapat dibuka ({exc}){_NEXT_CYCLE}")
        if not same_token(snapshot.token, token):
            return WriteResult(_changed(path))
        try:
            outcome = patch_workbook(data, batch, snapshot, self.guard)
        except PatchRefused as exc:
            return WriteResult(f"Berkas {path.name} tidak ditulis agar isinya tidak hilang: {exc}. "
                               "Simpan ulang berkas di Excel atau LibreOffice sebagai .xlsx")
        except BAD_FILE:
            return WriteResult(f"Berkas {path.name} tidak dapat dibuka untuk ditulis (bukan berkas .xlsx yang utuh)"
                               f"{_NEXT_CYCLE}")
        if not outcome.changed:
            return WriteResult(None, token)
        self.requests["write"] += 1
        try:
            reason = replace_atomic(path, outcome.payload, check=lambda: self.write_refused(path, token))
            if reason:
                return WriteResult(reason)
            self.requests["stat"] += 1
            return WriteResult(None, token_of(path.stat()))
        except OSError as exc:
            return WriteResult(f"Berkas {path.name} gagal disimpan ({exc}){_NEXT_CYCLE}")

    # --- whole rows and tabs (distribute, rollover): sheets/xlsx_rows.py ----------------------

    def append_rows(self, snapshot: TabSnapshot, rows: list[list[Any]]) -> WriteResult:
        from .rows import append_rows
        return append_rows(self, snapshot, rows)

    def busy(self, opd: str) -> str | None:
        from .rows import lock_reason
        return lock_reason(self.path(opd))

    def archive_tab(self, opd: str, nama: str, title: str) -> str | None:
        from .rows import archive_tab
        return archive_tab(self, opd, nama, title)

    def add_column(self, snapshot: TabSnapshot, header: str) -> WriteResult:
        """The header typed into the first free column of row 1, through the guarded write (a file
        open or changed since ``snapshot`` is not written)."""
        from ..base import CellWrite, TabWrites
        batch = TabWrites(snapshot.opd, snapshot.title, [CellWrite(0, len(snapshot.header), header)])
        return self.write([batch], {snapshot.opd: snapshot}).get(snapshot.opd, WriteResult("tidak ditulis"))

    supports_metadata_tab = True

    def add_metadata_tab(self, opd: str, rows: list[list[str]]) -> str | None:
        """A Metadata tab with ``rows`` added to the OPD's workbook; refused (a reason) when it has one."""
        from .rows import add_metadata_tab
        return add_metadata_tab(self, opd, rows)

    def write_refused(self, path: Path, expected: Any) -> str | None:
        """Why ``path`` must not be written now: open in a spreadsheet program, or changed since read."""
        for lock in (f"~${path.name}", f".~lock.{path.name}#"):
            if (path.parent / lock).exists():
                return (f"Berkas {path.name} sedang dibuka di Excel/LibreOffice (ada {lock}; hapus berkas itu "
                        f"bila tidak ada yang membukanya){_NEXT_CYCLE}")
        try:
            self.requests["stat"] += 1
            current = token_of(path.stat())
        except FileNotFoundError:
            return f"Berkas {path.name} tidak ditemukan{_NEXT_CYCLE}"
        except OSError as exc:
            return f"Berkas {path.name} tidak dapat dibuka ({exc}){_NEXT_CYCLE}"
        return None if same_token(expected, current) else _changed(path)


# --- reading ------------------------------------------------------------------------------------


_BLANK: dict[Any, Any] = {"": None}


def _snapshot(opd: str, name: str, data: bytes, token: Token, guard: Guard | None = None) -> TabSnapshot:
    with CalamineWorkbook.from_filelike(io.BytesIO(data)) as book:
        title = find_tab(book.sheet_names, opd)
        if title is None:
            found = ", ".join(book.sheet_names) or "tidak ada"
            raise _TabMissing(f"Tab {opd} tidak ditemukan di {name} (tab yang ada: {found}); "
                              f"kembalikan nama tab menjadi {opd}")
        grid = book.get_sheet_by_name(title).to_python(skip_empty_area=False)
        meta = find_tab([n for n in book.sheet_names if n != title], METADATA_SHEET)
        metadata = book.get_sheet_by_name(meta).to_python(skip_empty_area=False) if meta else None
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = ooxml.package(archive)
        percent = ooxml.percent_styles(archive, parts.styles)
        sheet = archive.read(parts.sheets[title])
        scan = ooxml.scan_sheet(sheet, percent)
        saved_by = ooxml.last_modified_by(archive)

    # calamine's blank cell ("") as None, through a dict lookup per cell (every cell is hashable)
    blank = _BLANK.get
    values = [list(map(blank, row, row)) for row in grid]
    header, rows = (values[0], values[1:]) if values else ([], [])
    # sheet coordinates (row 0 = header) -> snapshot coordinates (rows[0] = sheet row 2)
    problems = {(r - 1, c): message for (r, c), message in scan.problems.items() if r >= 1}
    last = next((i for i in range(len(rows) - 1, -1, -1) if rows[i].count(None) < len(rows[i])), -1)
    last = max([last, *(r for r, _ in problems)])
    del rows[last + 1 :]
    rows.extend([None] * len(header) for _ in range(last + 1 - len(rows)))
    return TabSnapshot(
        opd=opd,
        title=title,
        header=header,
        rows=rows,
        percent={(r - 1, c) for r, c in scan.percent if r >= 1},
        problems=problems,
        token=token,
        protected=None if guard is None else guard.state(sheet),
        trail=ExcelTrail(saved_by=saved_by),
        metadata=metadata,
    )





def _changed(path: Path) -> str:
    return f"Berkas {path.name} berubah sejak dibaca{_NEXT_CYCLE}"


# --- files --------------------------------------------------------------------------------------


def __getattr__(name: str) -> Any:
    if name == "new_workbook":  # openpyxl is imported only where a workbook is built
        from .template import new_workbook

        return new_workbook
    raise AttributeError(name)


def save_atomic(workbook: Any, path: Path) -> None:
    """Save an openpyxl workbook so that ``path`` is either the old file or the whole new one."""
    replace_atomic(Path(path), to_bytes(workbook))


def stray_ods_notice(folder: Path, opd: str) -> str:
    """LibreOffice saves as .ods by default: edits there never reach KODE.xlsx, so name the file."""
    if not (folder / f"{opd}.ods").is_file():
        return ""
    return (f"Berkas {opd}.ods ada di folder {folder}, tetapi poller hanya membaca {opd}.xlsx: isian di "
            f"{opd}.ods tidak terbaca. Buka {opd}.ods, simpan sebagai Excel 2007-365 (.xlsx) dengan nama "
            f"{opd}.xlsx, lalu hapus {opd}.ods.")


def _with_notice(result: TabResult, folder: Path) -> TabResult:
    notice = stray_ods_notice(folder, result.opd)
    return dataclasses.replace(result, notice=notice) if notice else result
