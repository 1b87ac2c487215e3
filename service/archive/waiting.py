"""A workbook open in Excel/LibreOffice is a waiting state, not an error: who, since when, stale?

Read live from the lock file (sheets.lockfile) wherever it is shown (status, Ringkasan, OPD
page, Kesehatan) and by the cycle when a write is held, so every place says the same sentence.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from service.config import Config
from service.timefmt import format_tanggal, to_wib, zone_label
from sheets.lockfile import find_lock


def workbook(config: Config, kode: str) -> Path | None:
    """The OPD's workbook file; None for Google Sheets (no lock files there)."""
    return config.folder / f"{kode}.xlsx" if config.backend == "xlsx" else None


def _when(since: datetime, now: datetime) -> str:
    """'08.00 WIB' today, else '1 Desember 2026 08.00 WIB'."""
    if to_wib(since).date() == to_wib(now).date():
        return f"{to_wib(since):%H.%M} {zone_label(since)}"
    return format_tanggal(since, with_time=True)


def lock_state(config: Config, kode: str, now: datetime) -> dict | None:
    """``{"oleh", "sejak", "program", "berkas_kunci", "basi", "pesan"}`` when the OPD's workbook is
    open somewhere, else None. A lock older than ``[sheets] kunci_basi_jam`` is stale: most likely
    left by a program that crashed, and only a person can tell, so the hint says how to clear it."""
    path = workbook(config, kode)
    lock = find_lock(path) if path is not None else None
    if lock is None:
        return None
    who = f" oleh {lock.user}" if lock.user else ""
    since = f" sejak {_when(lock.since, now)}" if lock.since else ""
    stale = lock.since is not None and now - lock.since > timedelta(hours=config.stale_lock_hours)
    if stale:
        text = (f"Berkas {path.name} tercatat dibuka{who}{since} di {lock.program}, lebih dari "
                f"{config.stale_lock_hours} jam: bila tidak ada yang sedang membukanya, hapus berkas kunci "
                f"{lock.path.name} di folder sheet; hasil pemeriksaan ditulis pada siklus berikutnya.")
    else:
        text = (f"Menunggu: berkas {path.name} dibuka{who}{since} di {lock.program}; hasil pemeriksaan "
                "ditulis setelah berkas ditutup.")
    return {"oleh": lock.user, "sejak": lock.since, "program": lock.program, "berkas_kunci": lock.path.name,
            "basi": stale, "pesan": text, "ringkas": ("kunci basi: " if stale else "") + f"dibuka{who}{since}"}
