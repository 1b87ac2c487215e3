"""What the public is told about each published item beyond its values: whether and when the
Walidata verified them, whether a check still warns about them, when the next release is due
(rules/jadwal.py) and whether the regency lists the item as data prioritas."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from rules.calendar import WorkCalendar
from rules.jadwal import Release, next_release
from service.archive.queries import Queries
from service.publish.items import Item

ARCHIVED = "10"


@dataclass(frozen=True)
class ItemStatus:
    diverifikasi_pada: str  # ISO moment of the newest verification among the published values
    galat: int  # open findings on the item's rows now, by level
    peringatan: int
    diperbaiki: int  # rows of the item back in the SOP (re-verification asked) since it was published
    jadwal: Release
    prioritas: bool

    @property
    def ringkasan(self) -> str:
        """The checks' summary in one Indonesian sentence (never the raw findings)."""
        parts = []
        if self.galat or self.peringatan:
            found = [f"{n} {word}" for n, word in ((self.galat, "galat"), (self.peringatan, "peringatan")) if n]
            parts.append(f"pemeriksaan otomatis masih mencatat {' dan '.join(found)} pada baris item ini")
        else:
            parts.append("tidak ada peringatan pemeriksaan otomatis yang terbuka")
        if self.diperbaiki:
            parts.append(f"{self.diperbaiki} baris sedang diperiksa ulang; yang tampil adalah versi terverifikasi "
                         "terakhir")
        text = "; ".join(parts)
        return text[0].upper() + text[1:] + "."


def prioritas_keys(raw: object) -> frozenset[str]:
    """``[publikasi] prioritas``: Kode Data or item slugs, compared case-insensitively."""
    return frozenset(str(k).strip().casefold() for k in raw or () if str(k).strip())


def item_status(items: list[Item], queries: Queries, today: date, calendar: WorkCalendar,
                prioritas: frozenset[str] = frozenset(), opd: str | None = None,
                kept: dict | None = None) -> dict[str, ItemStatus]:
    """Each item's status by slug; ``opd``: the items are all that OPD's (fewer rows read).
    ``kept`` (a dict the caller keeps between calls): a status is computed again only when its
    Item object is new, ``prioritas`` differs from the last call's, or one of its rows' checks
    changed; the rest are taken as they were without looking at their rows, on a new day with
    only their lateness told again (the next release's date does not depend on the day)."""
    checks = queries.row_checks(opd)
    kept = {} if kept is None else kept
    before = kept.get("checks") if kept.get("prioritas") == prioritas else None
    changed = None if before is None else \
        {row for row, value in checks.items() if before.get(row) != value} | (before.keys() - checks.keys())
    out = {}
    releases: dict[tuple[date, str], Release] = {}  # items archived the same day share their schedule
    fresh: dict = {"checks": checks, "prioritas": prioritas}
    for item in items:
        hit = kept.get(id(item))
        if changed is not None and hit is not None and hit[0] is item and changed.isdisjoint(hit[1]):
            rows, status = hit[1], hit[2]
            if status.jadwal.terlambat != (today > status.jadwal.berikutnya):
                status = replace(status, jadwal=replace(status.jadwal, terlambat=today > status.jadwal.berikutnya))
        else:
            rows = hit[1] if hit is not None and hit[0] is item else frozenset((d.opd, d.row_id) for d in item.data)
            seen = tuple(checks.get(row, (ARCHIVED, 0, 0, False)) for row in rows)
            status = _status(item, seen, today, calendar, prioritas, releases)
        fresh[id(item)] = (item, rows, status)
        out[item.slug] = status
    kept.clear()
    kept.update(fresh)
    return out


def _status(item: Item, checks: tuple, today: date, calendar: WorkCalendar, prioritas: frozenset[str],
            releases: dict[tuple[date, str], Release]) -> ItemStatus:
    galat = peringatan = diperbaiki = 0
    for state, g, p, removed in checks:
        if removed:
            continue
        galat, peringatan = galat + g, peringatan + p
        diperbaiki += state != ARCHIVED
    last = datetime.fromisoformat(item.modified).astimezone(calendar.tz).date()
    frekuensi = item.standar.get("frekuensi", "")
    jadwal = releases.get((last, frekuensi))
    if jadwal is None:
        jadwal = releases[(last, frekuensi)] = next_release(last, frekuensi, today, calendar)
    return ItemStatus(
        diverifikasi_pada=max(d.diverifikasi_pada for d in item.data), galat=galat, peringatan=peringatan,
        diperbaiki=diperbaiki, jadwal=jadwal,
        prioritas=bool({item.slug.casefold(), item.kode_data.casefold()} & prioritas))
