"""Progress of every OPD against the SOP's deadlines (DESIGN section 8), for CLI, dashboard and
JSON API. The counting is pure in ``rules/deadlines.py``; this module reads the store for it."""
from __future__ import annotations

from datetime import datetime

from rules.calendar import WorkCalendar
from rules.deadlines import SELESAI, TERLAMBAT, finished_at, opd_progress, service_clock, step_timeline, worst
from service.config import Config, Opd
from service.archive.queries import Queries
from service.archive.store import Store
from service.archive.waiting import lock_state

__all__ = ["calendar_for", "opd_progress", "opd_standard", "progress", "holidays_shown"]


def calendar_for(config: Config) -> WorkCalendar:
    """The working calendar with the workspace's local holidays (``[kalender] libur_tambahan``)."""
    return WorkCalendar(config.extra_holidays)


def holidays_shown(config: Config) -> list[dict]:
    return [{"tanggal": d, "nama": n or "Libur tambahan"} for d, n in sorted(config.extra_holidays.items())]


def opd_standard(opd: Opd, by_state: dict[str, dict], tab: dict | None, log: list, now: datetime,
                 calendar: WorkCalendar) -> dict:
    """The OPD's phase deadline, its service clock against the SPM and its steps, one record."""
    out = opd_progress(opd.kode, opd.nama, by_state, tab, now, calendar, opd.perpanjangan)
    handed_out = (tab or {}).get("handed_out_at")
    standard = service_clock(handed_out, finished_at(log), now, calendar, opd.perpanjangan)
    steps = step_timeline(log, now, calendar, opd.perpanjangan)
    out["ketepatan_fase"] = out["ketepatan"]
    if out["baris"] and out["ketepatan"] != SELESAI:
        out["ketepatan"] = worst(out["ketepatan"], standard["ketepatan"])
    out.update(standar_pelayanan=standard, langkah=steps,
               langkah_terlambat=[s["langkah"] for s in steps if s["ketepatan"] == TERLAMBAT],
               perpanjangan=[{"hari": e.hari, "alasan": e.alasan, "langkah": e.langkah} for e in opd.perpanjangan])
    return out


def opd_summaries(config: Config, counts: dict, tabs: dict, logs: dict, now: datetime,
                  calendar: WorkCalendar) -> list[dict]:
    """Every configured OPD's progress record (phase, SPM clock, steps, who has its workbook open):
    the one computation behind `satudata status`, the Ringkasan and their JSON."""
    opds = [opd_standard(o, counts.get(o.kode, {}), tabs.get(o.kode), logs.get(o.kode, []), now, calendar)
            for o in config.opds]
    for o in opds:
        o["dibuka"] = lock_state(config, o["kode"], now)
    return opds


def progress(config: Config, store: Store, now: datetime, calendar: WorkCalendar | None = None) -> dict:
    calendar = calendar or calendar_for(config)
    reads = Queries(store.engine)
    counts = reads.progress_counts()
    tabs = {t["opd"]: t for t in reads.tabs()}
    logs = store.phases.log()
    opds = opd_summaries(config, counts, tabs, logs, now, calendar)
    total = sum(o["baris"] for o in opds)
    archived = sum(o["diarsip"] for o in opds)
    last = reads.cycles(limit=1)
    return {
        "workspace": config.name, "tahun": config.year, "sekarang": now, "opd": opds,
        "total_baris": total, "total_diarsip": archived,
        "persen_diarsip": round(100 * archived / total, 1) if total else 0.0,
        "terlambat": [o["kode"] for o in opds if o["ketepatan"] == TERLAMBAT],
        "libur_tambahan": holidays_shown(config),
        "siklus_terakhir": {"id": last[0]["id"], "mulai": last[0]["started_at"], "status": last[0]["status"],
                            "galat": last[0]["errors"]} if last else None,
    }
