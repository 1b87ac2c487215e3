"""The workbook file as a whole: its change token, reading it with that token, replacing it
atomically, finding a tab by name. Shared by XlsxBackend's cell writes and its row operations (rows.py)."""
from __future__ import annotations

import io
import os
import secrets
import stat
import time
import zipfile
from collections.abc import Callable, Sequence
from contextlib import suppress
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from python_calamine import CalamineError

# what a damaged or non-xlsx file raises while we read it
BAD_FILE = (CalamineError, zipfile.BadZipFile, zipfile.LargeZipFile, ET.ParseError, KeyError, ValueError, EOFError)

Token = tuple[int, int]  # (st_size, st_mtime_ns)


def token_of(st: os.stat_result) -> Token:
    return (st.st_size, st.st_mtime_ns)


def same_token(known: Any, token: Token) -> bool:
    """Tokens compare equal after a JSON round trip too (a tuple comes back as a list)."""
    return isinstance(known, list | tuple) and tuple(known) == token


def read_only(path: Path) -> str | None:
    """The user's read-only mark on the file (chmod a-w, Windows' read-only attribute) is respected."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) and os.access(path, os.W_OK):
        return None
    return (f"Berkas {path.name} ditandai hanya-baca, jadi tidak ditulis: hasil pemeriksaan belum tampil di "
            "lembar. Hapus tanda hanya-baca bila poller boleh menulis ke berkas ini")


SAVING_SECONDS = 120  # a workbook changed this recently and unreadable is taken for one being saved


def lock_file(path: Path) -> str | None:
    """The name of Excel's or LibreOffice's lock file next to ``path``, if there is one."""
    return next((lock for lock in (f"~${path.name}", f".~lock.{path.name}#") if (path.parent / lock).exists()), None)


def unreadable(path: Path) -> str:
    """Why a workbook could not be read: caught while Excel, LibreOffice or a sync client was
    still writing it (a lock file, or changed in the last two minutes), or not a whole .xlsx."""
    try:
        recent = time.time() - path.stat().st_mtime < SAVING_SECONDS
    except OSError:
        recent = False
    if recent or lock_file(path) is not None:
        return f"Berkas {path.name} sedang disimpan (baru saja berubah); dibaca lagi pada siklus berikutnya"
    return (f"Berkas {path.name} bukan berkas Excel (.xlsx) yang utuh; buka di Excel atau LibreOffice lalu "
            "simpan ulang sebagai .xlsx, atau pulihkan dari cadangan")


def load(path: Path) -> tuple[bytes, Token]:
    """The file's bytes and the token of exactly those bytes."""
    with open(path, "rb") as handle:
        return handle.read(), token_of(os.fstat(handle.fileno()))


def to_bytes(workbook: Any) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def replace_atomic(path: Path, payload: bytes, check: Callable[[], str | None] | None = None) -> str | None:
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


def find_tab(names: Sequence[str], opd: str) -> str | None:
    """The tab named ``opd``, exactly or ignoring case; never another tab."""
    if opd in names:
        return opd
    return next((n for n in names if n.casefold() == opd.casefold()), None)
