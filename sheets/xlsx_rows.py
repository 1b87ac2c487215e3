"""XlsxBackend's whole-row operations: append draft rows (distribute), keep a year's tab as a
record and start a fresh one (rollover). Same guards as a cell write: never while the workbook is
open in Excel/LibreOffice, never over a change made since the read, replaced atomically."""
from __future__ import annotations

import io
import logging
import math
import re
import warnings
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from . import xlsx_xml
from .base import TabSnapshot, WriteResult
from .xlsx_template import lay_out

log = logging.getLogger(__name__)
_NEXT = "; tidak ditulis"
_EMPTY_FORMULA = re.compile(rb'<c r="([A-Z]+[0-9]+)"([^>]*)>(<f\b[^>]*?(?:/>|>[^<]*</f>))(?:<v\s*/>|<v></v>)</c>')


@contextmanager
def _logged_warnings(name: str) -> Iterator[None]:
    """openpyxl warns when it drops what it cannot keep (e.g. Excel 2010 extensions): log it."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.filterwarnings("always", category=UserWarning, module="openpyxl")
        yield
    for warning in caught:
        log.warning("%s: %s", name, warning.message)


def _set_value(cell: Any, value: Any) -> None:
    """Set one draft cell. Text always stays text (never a formula)."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    elif isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"Nilai {value!r} tidak bisa disimpan di Excel")
    elif value is not None and not isinstance(value, int | float | date | time | datetime):
        raise TypeError(f"Nilai bertipe {type(value).__name__} tidak bisa ditulis ke sel")
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl would turn "=…" into a formula


def lock_reason(path: Path) -> str | None:
    for lock in (f"~${path.name}", f".~lock.{path.name}#"):
        if (path.parent / lock).exists():
            return (f"Berkas {path.name} sedang dibuka di Excel/LibreOffice (ada {lock}); tutup berkasnya "
                    "(atau hapus berkas kunci itu bila tidak ada yang membukanya) lalu ulangi")
    return None


def append_rows(backend: Any, snapshot: TabSnapshot, rows: list[list[Any]]) -> WriteResult:
    from .xlsx import _find_tab, _load, _replace_atomic, _same, _to_bytes, _token

    path = backend.path(snapshot.opd)
    if reason := backend._busy(path, snapshot.token):
        return WriteResult(reason.replace("; akan ditulis pada siklus berikutnya", _NEXT))
    if not rows:
        return WriteResult(None, snapshot.token)
    data, token = _load(path)
    if not _same(snapshot.token, token):
        return WriteResult(f"Berkas {path.name} berubah sejak dibaca{_NEXT}")
    with _logged_warnings(path.name):
        workbook = openpyxl.load_workbook(io.BytesIO(data))
    title = _find_tab(workbook.sheetnames, snapshot.opd)
    if title is None:
        return WriteResult(f"Tab {snapshot.opd} tidak ditemukan di {path.name}{_NEXT}")
    sheet = workbook[title]
    first = len(snapshot.rows) + 2  # 1-based: the row after the last one the read saw
    for i, values in enumerate(rows):
        for col, value in enumerate(values):
            if value is not None:
                _set_value(sheet.cell(first + i, col + 1), value)
    payload = _keep_cached(_to_bytes(workbook), data, {title: title})
    backend.requests["write"] += 1
    reason = _replace_atomic(path, payload, check=lambda: backend._busy(path, token))
    if reason:
        return WriteResult(reason)
    return WriteResult(None, _token(path.stat()))


def archive_tab(backend: Any, kode: str, nama: str, title: str) -> str | None:
    from .xlsx import _find_tab, _load, _replace_atomic, _to_bytes, _token

    path = backend.path(kode)
    if reason := lock_reason(path):
        return reason
    try:
        data, token = _load(path)
    except FileNotFoundError:
        return f"Berkas {path.name} tidak ditemukan"
    with _logged_warnings(path.name):
        workbook = openpyxl.load_workbook(io.BytesIO(data))
    current = _find_tab(workbook.sheetnames, kode)
    if title in workbook.sheetnames:
        return None if current is not None else f"Tab {kode} tidak ditemukan di {path.name}"
    if current is None:
        return f"Tab {kode} tidak ditemukan di {path.name}"
    workbook[current].title = title
    fresh = workbook.create_sheet(kode, 0)
    lay_out(fresh)
    workbook.active = 0
    for sheet in workbook.worksheets:
        sheet.sheet_view.tabSelected = sheet is fresh
    payload = _keep_cached(_to_bytes(workbook), data, {current: title})
    backend.requests["write"] += 1
    return _replace_atomic(path, payload, check=lambda: lock_reason(path) or (
        None if _token(path.stat()) == token else f"Berkas {path.name} berubah saat ditulis; ulangi"))


def _keep_cached(saved: bytes, original: bytes, renamed: dict[str, str]) -> bytes:
    """openpyxl drops formula results; put them back (old tab name -> its name in ``saved``)."""
    from .xlsx import _BAD_FILE

    try:
        with zipfile.ZipFile(io.BytesIO(original)) as archive:
            parts = xlsx_xml.package(archive)
            for old, new in renamed.items():
                cached = xlsx_xml.scan_sheet(archive.read(parts.sheets[old]), frozenset()).cached
                saved = restore_cached(saved, new, cached)
    except _BAD_FILE:  # a damaged part: the values stay, only formula results are lost
        return saved
    return saved


def restore_cached(workbook: bytes, sheet_name: str, cached: dict[str, tuple[str, str]]) -> bytes:
    """Put the cached formula results of one tab back into a workbook openpyxl has just saved."""
    if not cached:
        return workbook
    with zipfile.ZipFile(io.BytesIO(workbook)) as source:
        part = xlsx_xml.package(source).sheets[sheet_name]

        def put_back(match: re.Match[bytes]) -> bytes:
            ref = match.group(1).decode()
            if ref not in cached or b" t=" in match.group(2):
                return match.group(0)
            kind, text = cached[ref]
            typed = b"" if kind == "n" else f' t="{kind}"'.encode()
            value = text.encode()  # already XML text
            return b'<c r="%s"%s%s>%s<v>%s</v></c>' % (match.group(1), match.group(2), typed, match.group(3), value)

        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
            for info in source.infolist():
                data = source.read(info)
                if info.filename == part:
                    data = _EMPTY_FORMULA.sub(put_back, data)
                target.writestr(info, data)
    return out.getvalue()
