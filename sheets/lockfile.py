"""Who has a workbook open, from the lock file Excel or LibreOffice leaves beside it.

LibreOffice writes ``.~lock.NAME#``: one CSV line ``Full Name,login,host,DD.MM.YYYY HH:MM,profile;``
(the time is the local clock of the machine running LibreOffice, which for a workbook on this
server's disk is read as this server's zone; the callers show it in the workspace's zone). Excel writes ``~$NAME``: a small binary file
whose first byte is the length of the user name, the name following in the ANSI code page, and
at offset 54 the same name as a length-prefixed UTF-16 string; it holds no time, so the lock
file's own modification time says since when. Reading never fails: an unreadable lock file is
still a lock, with an unknown user.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

PROGRAMS = (("~$", "", "Excel"), (".~lock.", "#", "LibreOffice"))


@dataclass(frozen=True)
class Lock:
    path: Path  # the lock file
    program: str  # "Excel" or "LibreOffice"
    user: str  # "" when the file does not say
    since: datetime | None  # aware


def find_lock(workbook: Path) -> Lock | None:
    """The lock file of ``workbook`` (Excel's or LibreOffice's), read; None when nobody has it open."""
    workbook = Path(workbook)
    for prefix, suffix, program in PROGRAMS:
        path = workbook.with_name(f"{prefix}{workbook.name}{suffix}")
        try:
            data = path.read_bytes()
            mtime = datetime.fromtimestamp(path.stat().st_mtime, timezone.utc)
        except FileNotFoundError:
            continue
        except OSError:  # there, but unreadable: still a lock
            return Lock(path, program, "", None)
        user, since = (_libreoffice(data) if program == "LibreOffice" else (_excel(data), None))
        return Lock(path, program, user, since or mtime)
    return None


def lock_owner(workbook: Path) -> tuple[str, datetime | None] | None:
    """(user, since) of whoever has ``workbook`` open, or None."""
    lock = find_lock(workbook)
    return None if lock is None else (lock.user, lock.since)


def _libreoffice(data: bytes) -> tuple[str, datetime | None]:
    text = data.decode("utf-8", errors="replace").strip().rstrip(";")
    try:
        fields = next(csv.reader(io.StringIO(text), escapechar="\\"))
    except (StopIteration, csv.Error):
        return "", None
    fields += [""] * (5 - len(fields))
    user = fields[0].strip() or fields[1].strip()  # no full name set: the system login
    try:
        since = datetime.strptime(fields[3].strip(), "%d.%m.%Y %H:%M").astimezone()  # the server's zone
    except (ValueError, OverflowError, OSError):
        since = None
    return user, since


def _excel(data: bytes) -> str:
    if len(data) >= 56:
        length = int.from_bytes(data[54:56], "little")
        wide = data[56:56 + 2 * length]
        if 0 < length <= 54 and len(wide) == 2 * length:
            try:
                return wide.decode("utf-16-le").strip()
            except UnicodeDecodeError:
                pass
    if data:
        length = data[0]
        if 0 < length < len(data):
            return data[1:1 + length].decode("cp1252", errors="replace").strip()
    return ""
