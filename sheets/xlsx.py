"""XlsxBackend, the embedded default: one workbook per OPD in a folder (``<KODE>.xlsx``, one tab
named ``<KODE>``), read with python-calamine, written with openpyxl, replaced atomically.

An idle cycle costs one ``stat`` per workbook: a workbook whose size and modification time match
the token of its last read is not opened. A workbook is never written while it is open in Excel
or LibreOffice (their lock file exists) or when it changed after it was read.
"""
from __future__ import annotations

import io
import logging
import math
import os
import re
import secrets
import stat
import time as clock
import warnings
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, MergedCell
from openpyxl.comments import Comment
from python_calamine import CalamineError, CalamineWorkbook

from . import xlsx_xml
from .base import OWNED_NOTE_PREFIX, TabResult, TabSnapshot, TabWrites, WriteResult
from .xlsx_template import BOX_VALUE, new_workbook

__all__ = ["XlsxBackend", "new_workbook", "save_atomic"]

log = logging.getLogger(__name__)

NOTE_AUTHOR = "Satu Data Magetan"
_NEXT_CYCLE = "; akan ditulis pada siklus berikutnya"
_SAFE_KODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,30}")
# what a damaged or non-xlsx file raises while we read it
_BAD_FILE = (CalamineError, zipfile.BadZipFile, zipfile.LargeZipFile, ET.ParseError, KeyError, ValueError, EOFError)

Token = tuple[int, int]  # (st_size, st_mtime_ns)


class _TabMissing(Exception):
    pass


class XlsxBackend:
    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
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
                save_atomic(new_workbook(kode, nama), path)
            except OSError as exc:
                log.warning("Gagal membuat %s: %s", path, exc)
                continue
            created.append(kode)
        return created

    # --- read -------------------------------------------------------------------------------

    def read(self, opds: list[str], known: dict[str, Any]) -> list[TabResult]:
        self._sweep()
        return [self._read_one(opd, known.get(opd)) for opd in opds]

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
            if _same(known, _token(path.stat())):
                return TabResult(opd, unchanged=True)
            data, token = _load(path)
        except FileNotFoundError:
            return TabResult(opd, error=f"Berkas {path.name} tidak ditemukan di folder {self.folder}")
        except OSError as exc:
            return TabResult(opd, error=f"Berkas {path.name} tidak dapat dibuka: {exc}")
        self.requests["read"] += 1
        try:
            return TabResult(opd, snapshot=_snapshot(opd, path.name, data, token))
        except _TabMissing as exc:
            return TabResult(opd, error=str(exc))
        except _BAD_FILE as exc:
            return TabResult(opd, error=f"Berkas {path.name} rusak atau bukan berkas .xlsx ({exc})")

    # --- write ------------------------------------------------------------------------------

    def write(self, batches: list[TabWrites], snapshots: dict[str, TabSnapshot]) -> dict[str, WriteResult]:
        return {b.opd: self._write_one(b, snapshots.get(b.opd)) for b in batches if b}

    def _write_one(self, batch: TabWrites, snapshot: TabSnapshot | None) -> WriteResult:
        path = self.path(batch.opd)
        if snapshot is None or snapshot.token is None:
            return WriteResult(f"Tab {batch.opd} belum dibaca pada siklus ini{_NEXT_CYCLE}")
        if reason := self._busy(path, snapshot.token):
            return WriteResult(reason)
        try:
            data, token = _load(path)
        except OSError as exc:
            return WriteResult(f"Berkas {path.name} tidak dapat dibuka ({exc}){_NEXT_CYCLE}")
        if not _same(snapshot.token, token):
            return WriteResult(_changed(path))
        try:
            with _logged_warnings(path.name):
                workbook = openpyxl.load_workbook(io.BytesIO(data))
        except Exception as exc:  # openpyxl raises many kinds on a damaged workbook
            return WriteResult(f"Berkas {path.name} tidak dapat dibuka untuk ditulis ({exc}){_NEXT_CYCLE}")
        title = _find_tab(workbook.sheetnames, batch.opd)
        if title is None:
            return WriteResult(f"Tab {batch.opd} tidak ditemukan di {path.name}{_NEXT_CYCLE}")
        sheet = workbook[title]
        changed = False
        for write in batch.cells:
            changed |= _set_value(sheet.cell(write.row + 1, write.col + 1), write.value)
        for note in batch.notes:
            changed |= _set_note(sheet.cell(note.row + 1, note.col + 1), note.text)
        if not changed:
            return WriteResult(None, token)
        payload = _with_cached_results(_to_bytes(workbook), data, title, path.name)
        self.requests["write"] += 1
        try:
            reason = _replace_atomic(path, payload, check=lambda: self._busy(path, token))
            if reason:
                return WriteResult(reason)
            self.requests["stat"] += 1
            return WriteResult(None, _token(path.stat()))
        except OSError as exc:
            return WriteResult(f"Berkas {path.name} gagal disimpan ({exc}){_NEXT_CYCLE}")

    def _busy(self, path: Path, expected: Any) -> str | None:
        """Why ``path`` must not be written now: open in a spreadsheet program, or changed since read."""
        for lock in (f"~${path.name}", f".~lock.{path.name}#"):
            if (path.parent / lock).exists():
                return (f"Berkas {path.name} sedang dibuka di Excel/LibreOffice (ada {lock}; hapus berkas itu "
                        f"bila tidak ada yang membukanya){_NEXT_CYCLE}")
        try:
            self.requests["stat"] += 1
            current = _token(path.stat())
        except FileNotFoundError:
            return f"Berkas {path.name} tidak ditemukan{_NEXT_CYCLE}"
        except OSError as exc:
            return f"Berkas {path.name} tidak dapat dibuka ({exc}){_NEXT_CYCLE}"
        return None if _same(expected, current) else _changed(path)


# --- reading ------------------------------------------------------------------------------------


def _snapshot(opd: str, name: str, data: bytes, token: Token) -> TabSnapshot:
    with CalamineWorkbook.from_filelike(io.BytesIO(data)) as book:
        title = _find_tab(book.sheet_names, opd)
        if title is None:
            found = ", ".join(book.sheet_names) or "tidak ada"
            raise _TabMissing(f"Tab {opd} tidak ditemukan di {name} (tab yang ada: {found}); "
                              f"kembalikan nama tab menjadi {opd}")
        grid = book.get_sheet_by_name(title).to_python(skip_empty_area=False)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = xlsx_xml.package(archive)
        percent = xlsx_xml.percent_styles(archive, parts.styles)
        scan = xlsx_xml.scan_sheet(archive.read(parts.sheets[title]), percent)

    values = [[None if v == "" else v for v in row] for row in grid]
    header, rows = (values[0], values[1:]) if values else ([], [])
    # sheet coordinates (row 0 = header) -> snapshot coordinates (rows[0] = sheet row 2)
    problems = {(r - 1, c): message for (r, c), message in scan.problems.items() if r >= 1}
    last = max((i for i, row in enumerate(rows) if any(v is not None for v in row)), default=-1)
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
    )


def _find_tab(names: Sequence[str], opd: str) -> str | None:
    """The tab named ``opd``, exactly or ignoring case; never another tab."""
    if opd in names:
        return opd
    return next((n for n in names if n.casefold() == opd.casefold()), None)


# --- writing ------------------------------------------------------------------------------------


def _set_value(cell: Any, value: Any) -> bool:
    """Set one cell; True when its content changed. Text always stays text (never a formula)."""
    if value is True:
        value = BOX_VALUE
    elif value is False:
        value = None
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    elif isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"Nilai {value!r} tidak bisa disimpan di Excel")
    elif isinstance(value, datetime | time) and value.tzinfo is not None:
        raise ValueError("Excel tidak menyimpan zona waktu; kirim waktu WIB tanpa tzinfo")
    elif value is not None and not isinstance(value, int | float | date | time):
        raise TypeError(f"Nilai bertipe {type(value).__name__} tidak bisa ditulis ke sel")
    if isinstance(cell, MergedCell):
        log.warning("Sel %s tergabung (merge); tidak ditulis", cell.coordinate)
        return False
    if cell.data_type != "f" and type(cell.value) is type(value) and cell.value == value:
        return False
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl would turn "=…" into a formula
    return True


def _owned(text: str | None) -> bool:
    text = (text or "").lstrip()
    if text.startswith(NOTE_AUTHOR + ":"):  # Excel may put the author's name in front
        text = text[len(NOTE_AUTHOR) + 1 :].lstrip()
    return text.startswith(OWNED_NOTE_PREFIX)


def _set_note(cell: Any, text: str | None) -> bool:
    """Set or remove an owned note; a human's comment is never replaced or removed."""
    if text is not None and not text.startswith(OWNED_NOTE_PREFIX):
        raise ValueError(f"Catatan milik sistem harus diawali {OWNED_NOTE_PREFIX!r}")
    if isinstance(cell, MergedCell):
        return False
    current = cell.comment
    if current is not None and not _owned(current.text):
        return False
    if text is None:
        if current is None:
            return False
        cell.comment = None
        return True
    if current is not None and current.text == text:
        return False
    lines = sum(1 + len(line) // 50 for line in text.splitlines() or [""])
    cell.comment = Comment(text, NOTE_AUTHOR, height=min(400, 24 + 15 * lines), width=320)
    return True


def _with_cached_results(saved: bytes, original: bytes, title: str, name: str) -> bytes:
    """openpyxl drops every formula's cached result; put this tab's back, so the next read
    (python-calamine, which does not calculate) still sees them."""
    try:
        with zipfile.ZipFile(io.BytesIO(original)) as archive:
            part = xlsx_xml.package(archive).sheets[title]
            cached = xlsx_xml.scan_sheet(archive.read(part), frozenset()).cached
        return xlsx_xml.restore_cached(saved, title, cached)
    except _BAD_FILE as exc:
        log.warning("%s: hasil rumus tidak dapat dipertahankan (%s)", name, exc)
        return saved


@contextmanager
def _logged_warnings(name: str) -> Iterator[None]:
    """openpyxl warns when it drops what it cannot keep (e.g. Excel 2010 extensions): log it."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.filterwarnings("always", category=UserWarning, module="openpyxl")
        yield
    for warning in caught:
        log.warning("%s: %s", name, warning.message)


# --- files --------------------------------------------------------------------------------------


def _token(st: os.stat_result) -> Token:
    return (st.st_size, st.st_mtime_ns)


def _same(known: Any, token: Token) -> bool:
    """Tokens compare equal after a JSON round trip too (a tuple comes back as a list)."""
    return isinstance(known, list | tuple) and tuple(known) == token


def _changed(path: Path) -> str:
    return f"Berkas {path.name} berubah sejak dibaca{_NEXT_CYCLE}"


def _load(path: Path) -> tuple[bytes, Token]:
    """The file's bytes and the token of exactly those bytes."""
    with open(path, "rb") as handle:
        return handle.read(), _token(os.fstat(handle.fileno()))


def _to_bytes(workbook: Any) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def save_atomic(workbook: Any, path: Path) -> None:
    """Save an openpyxl workbook so that ``path`` is either the old file or the whole new one."""
    _replace_atomic(Path(path), _to_bytes(workbook))


def _replace_atomic(path: Path, payload: bytes, check: Callable[[], str | None] | None = None) -> str | None:
    """Write a temporary file next to ``path``, fsync it, and replace ``path`` with it, unless
    ``check`` (asked just before the replace) gives a reason not to; that reason is returned."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        with suppress(FileNotFoundError):
            os.chmod(temporary, stat.S_IMODE(path.stat().st_mode))  # keep the original's permissions
        if check is not None and (reason := check()):
            os.unlink(temporary)
            return reason
        os.replace(temporary, path)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    if os.name == "posix":
        with suppress(OSError):
            directory = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(directory)
            finally:
                os.close(directory)
    return None
