"""XlsxBackend's whole-row operations: append draft rows (distribute), keep a year's tab as a
record and start a fresh one (rollover). Both patch the workbook's XML like a poller write, so
everything else the user had (text boxes, pictures, charts, defined names, threaded comments)
stays. Same guards as a cell write: never while the workbook is open in Excel/LibreOffice, never
over a change made since the read, replaced atomically."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from ..base import CellWrite, TabSnapshot, TabWrites, WriteResult
from .files import BAD_FILE, find_tab, load, lock_file, replace_atomic, same_token, token_of, unreadable
from .patch import PatchRefused

_NEXT = "; tidak ditulis"


def lock_reason(path: Path) -> str | None:
    if (lock := lock_file(path)) is not None:
        return (f"Berkas {path.name} sedang dibuka di Excel/LibreOffice (ada {lock}); tutup berkasnya "
                "(atau hapus berkas kunci itu bila tidak ada yang membukanya) lalu ulangi")
    return None


def _refused(path: Path, exc: Exception) -> str:
    return (f"Berkas {path.name} tidak ditulis agar isinya tidak hilang: {exc}. "
            "Simpan ulang berkas di Excel atau LibreOffice sebagai .xlsx, lalu ulangi")


def append_rows(backend: Any, snapshot: TabSnapshot, rows: list[list[Any]]) -> WriteResult:
    """Rows written below the last row the read saw; text stays text (never a formula)."""
    from .write import patch_workbook

    if not rows:
        return WriteResult(None, snapshot.token)
    path = backend.path(snapshot.opd)
    if reason := backend.write_refused(path, snapshot.token):
        return WriteResult(reason.replace("; akan ditulis pada siklus berikutnya", _NEXT))
    data, token = load(path)
    if not same_token(snapshot.token, token):
        return WriteResult(f"Berkas {path.name} berubah sejak dibaca{_NEXT}")
    first = len(snapshot.rows) + 1  # 0-based sheet row after the last one the read saw
    cells = [CellWrite(first + i, col, value) for i, values in enumerate(rows)
             for col, value in enumerate(values) if value is not None]
    try:
        outcome = patch_workbook(data, TabWrites(snapshot.opd, snapshot.title, cells), snapshot, backend.guard)
    except PatchRefused as exc:
        return WriteResult(_refused(path, exc))
    except BAD_FILE:
        return WriteResult(f"Berkas {path.name} tidak dapat dibuka untuk ditulis (bukan berkas .xlsx yang utuh)"
                           f"{_NEXT}")
    backend.requests["write"] += 1
    reason = replace_atomic(path, outcome.payload, check=lambda: backend.write_refused(path, token))
    if reason:
        return WriteResult(reason)
    return WriteResult(None, token_of(path.stat()))


def _rewrite(backend: Any, kode: str, change: Callable[[bytes, list[str]], bytes | str | None]) -> str | None:
    """Read the OPD's workbook, let ``change(data, tab names)`` give the new bytes (or a reason it
    refuses, or None: nothing to do), and replace the file atomically unless it changed meanwhile."""
    import io
    import zipfile

    from . import ooxml

    path = backend.path(kode)
    if reason := lock_reason(path):
        return reason
    try:
        data, token = load(path)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = list(ooxml.package(archive).sheets)
    except FileNotFoundError:
        return f"Berkas {path.name} tidak ditemukan"
    except BAD_FILE:
        return unreadable(path)
    try:
        payload = change(data, names)
    except PatchRefused as exc:
        return _refused(path, exc)
    except BAD_FILE:
        return f"Berkas {path.name} tidak dapat dibuka untuk ditulis (bukan berkas .xlsx yang utuh)"
    if not isinstance(payload, bytes):
        return payload
    backend.requests["write"] += 1
    return replace_atomic(path, payload, check=lambda: lock_reason(path) or (
        None if token_of(path.stat()) == token else f"Berkas {path.name} berubah saat ditulis; ulangi"))


def archive_tab(backend: Any, kode: str, nama: str, title: str) -> str | None:
    """Rename tab ``kode`` to ``title`` (the year's record) and put a fresh ``kode`` tab first;
    nothing when the record exists already (an interrupted rollover run again)."""
    from .tabs import keep_as_record

    def change(data: bytes, names: list[str]) -> bytes | str | None:
        current = find_tab(names, kode)
        where = backend.path(kode).name
        if title in names:
            return None if current is not None else f"Tab {kode} tidak ditemukan di {where}"
        if current is None:
            return f"Tab {kode} tidak ditemukan di {where}"
        return keep_as_record(data, current, title, backend.template(kode, nama), kode)

    return _rewrite(backend, kode, change)


def add_metadata_tab(backend: Any, kode: str, rows: list[list[str]]) -> str | None:
    """Add the Metadata tab (rules/metadata.py) as the workbook's last tab, every other part kept byte
    for byte; never over a Metadata tab a person already keeps (a reason is returned instead)."""
    from rules.metadata import SHEET

    from .tabs import add_tab

    def change(data: bytes, names: list[str]) -> bytes | str:
        if find_tab(names, SHEET) is not None:
            return f"tab {SHEET} sudah ada di {backend.path(kode).name}"
        return add_tab(data, SHEET, rows, (10, 28, 40, 70))

    return _rewrite(backend, kode, change)
