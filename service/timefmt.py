"""Times as users read them: WIB, dd/mm/yyyy HH:MM."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

WIB = ZoneInfo("Asia/Jakarta")
BULAN = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
         "September", "Oktober", "November", "Desember")


def to_wib(moment: datetime) -> datetime:
    return moment.replace(tzinfo=WIB) if moment.tzinfo is None else moment.astimezone(WIB)


def format_wib(moment: datetime) -> str:
    return to_wib(moment).strftime("%d/%m/%Y %H:%M")


def format_tanggal(moment: datetime, with_time: bool = False) -> str:
    """8 April 2025 (and 14.05 WIB); a bare date (a holiday) is shown as that day."""
    if not isinstance(moment, datetime):
        return f"{moment.day} {BULAN[moment.month - 1]} {moment.year}"
    t = to_wib(moment)
    out = f"{t.day} {BULAN[t.month - 1]} {t.year}"
    return out + (f" {t:%H.%M} WIB" if with_time else "")
