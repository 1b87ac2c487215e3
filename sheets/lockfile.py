"""Who has a workbook open: the lock files Excel (``~$name.xlsx``) and LibreOffice
(``.~lock.name.xlsx#``) leave beside it while it is open. Pure parsing; unreadable means unknown."""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path


@dataclass(frozen=True)
class LockInfo:
    user: str | None  # the name the program knows the person by, None when the file does not say
    since: datetime | None  # naive local time of the machine that opened it (LibreOffice), else the file's mtime


def read_lock(path: Path) -> LockInfo | None:
    """The lock file's user and time, or None when there is no lock file."""
    path = Path(path)
    try:
        data = path.read_bytes()
        mtime = datetime.fromtimestamp(os.stat(path).st_mtime)
    except FileNotFoundError:
        return None
    except OSError:
        return LockInfo(None, None)
    if path.name.startswith(".~lock."):
        return _libreoffice(data, mtime)
    return LockInfo(_excel_user(data), mtime)


def _libreoffice(data: bytes, mtime: datetime) -> LockInfo:
    """``Name,sysuser,host,DD.MM.YYYY HH:MM,url;`` (commas inside a field escaped with a backslash)."""
    text = data.decode("utf-8", "replace").split(";", 1)[0]
    fields, current, escaped = [], "", False
    for char in text:
        if escaped:
            current, escaped = current + char, False
        elif char == "\\":
            escaped = True
        elif char == ",":
            fields, current = [*fields, current], ""
        else:
            current += char
    fields.append(current)
    user = next((f.strip() for f in fields[:2] if f.strip()), None)
    since = mtime
    if len(fields) > 3:
        try:
            since = datetime.strptime(fields[3].strip(), "%d.%m.%Y %H:%M")
        except ValueError:
            pass
    return LockInfo(user, since)


def _excel_user(data: bytes) -> str | None:
    """Excel's owner file: a length byte and the name in the ANSI code page, padded to 54 bytes,
    then (newer versions) a length and the name in UTF-16LE."""
    if len(data) >= 57 and data[54] and data[55] == 0:
        size = data[54]
        wide = data[56:56 + 2 * size]
        if len(wide) == 2 * size:
            name = wide.decode("utf-16-le", "replace").strip()
            if name:
                return name
    if data and 0 < data[0] < len(data):
        name = data[1:1 + data[0]].decode("cp1252", "replace").strip()
        return name or None
    return None
