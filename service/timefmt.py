"""Times as users read them: in the workspace's zone (``[workspace] zona_waktu``, default
Asia/Jakarta, WIB), dd/mm/yyyy HH:MM, always with the zone's name or offset.

The zone is one per process: the entry points (CLI, dashboard, poller) call ``use_zone`` with
the workspace's setting after reading satudata.toml (DECISIONS.md #43)."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_ZONE = "Asia/Jakarta"
WIB = ZoneInfo(DEFAULT_ZONE)
LABELS = {"Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}
BULAN = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
         "September", "Oktober", "November", "Desember")
_zone: list[ZoneInfo] = [WIB]


def zone_of(name: str) -> ZoneInfo | None:
    """The IANA zone called ``name``, or None when there is none."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def use_zone(name: str) -> None:
    """Show and write every time in ``name`` (an IANA zone the config has checked)."""
    _zone[0] = zone_of(name) or WIB


def zone() -> ZoneInfo:
    return _zone[0]


def zone_label(moment: datetime) -> str:
    """WIB / WITA / WIT, else the offset as UTC+hh:mm."""
    local = to_wib(moment)
    if isinstance(local.tzinfo, ZoneInfo) and local.tzinfo.key in LABELS:
        return LABELS[local.tzinfo.key]
    offset = local.strftime("%z")
    return f"UTC{offset[:3]}:{offset[3:]}"


def to_wib(moment: datetime) -> datetime:
    """``moment`` in the workspace's zone (a naive one is taken as already there)."""
    return moment.replace(tzinfo=zone()) if moment.tzinfo is None else moment.astimezone(zone())


def format_wib(moment: datetime) -> str:
    return to_wib(moment).strftime("%d/%m/%Y %H:%M")


def iso(moment: datetime) -> str:
    """ISO 8601 to the second in the workspace's zone, with its offset (2025-03-04T09:00:00+07:00)."""
    return to_wib(moment).isoformat(timespec="seconds")


def local_iso(value: datetime | date) -> str:
    """For JSON: an aware moment in the workspace's zone with its offset, a date or a naive moment
    as it is (a program reading it gets the same local time a person is shown)."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(zone()).isoformat()
    return value.isoformat()


def format_tanggal(moment: datetime | date, with_time: bool = False) -> str:
    """8 April 2025 (and 14.05 WIB); a bare date (a holiday) is shown as that day."""
    if not isinstance(moment, datetime):
        return f"{moment.day} {BULAN[moment.month - 1]} {moment.year}"
    t = to_wib(moment)
    out = f"{t.day} {BULAN[t.month - 1]} {t.year}"
    return out + (f" {t:%H.%M} {zone_label(t)}" if with_time else "")
