"""Progress of every OPD against the SOP's deadlines (DECISIONS.md #6), for CLI, dashboard and
JSON API. The counting is pure in ``rules/deadlines.py``; this module reads the store for it."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from rules.calendar import WorkCalendar
from rules.deadlines import (SELESAI, TERLAMBAT, extensions_of, finished_at, opd_progress, service_clock,
                             step_timeline, worst)
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
                 calendar: WorkCalendar, extensions: tuple | None = None) -> dict:
    """The OPD's phase deadline, its service clock against the SPM and its steps, one record;
    ``extensions``: the year's (default: every extension the OPD has)."""
    extensions = opd.perpanjangan if extensions is None else extensions
    out = opd_progress(opd.kode, opd.nama, by_state, tab, now, calendar, extensions)
    handed_out = (tab or {}).get("handed_out_at")
    standard = service_clock(handed_out, finished_at(log), now, calendar, extensions)
    steps = step_timeline(log, now, calendar, extensions)
    out["ketepatan_fase"] = out["ketepatan"]
    if out["baris"] and out["ketepatan"] != SELESAI:
        out["ketepatan"] = worst(out["ketepatan"], standard["ketepatan"])
    out.update(standar_pelayanan=standard, langkah=steps,
               langkah_terlambat=[s["langkah"] for s in steps if s["ketepatan"] == TERLAMBAT],
               perpanjangan=[{"hari": e.hari, "alasan": e.alasan, "langkah": e.langkah, "tahun": e.tahun,
                              "oleh": e.oleh} for e in extensions])
    return out


@dataclass(frozen=True)
class YearInputs:
    """What one workspace year's progress is computed from, per OPD code: live row counts, the
    tab's clock fields, the phase log, and the moment its clock stopped (a closed year's close)."""
    year: int
    counts: dict
    tabs: dict
    logs: dict
    stopped: dict = field(default_factory=dict)

    @property
    def closed(self) -> bool:
        return bool(self.stopped)


def year_inputs(config: Config, store: Store, year: int | None = None, counts: dict | None = None,
                logs: dict | None = None) -> YearInputs:
    """The open year's inputs (``counts``/``logs`` when the caller already read them), or a
    closed year's: the rows rollover kept under the year record ``<KODE> <year>``, that year's
    phase log and the handout it closed with."""
    if year is None or year == config.year:
        return YearInputs(config.year, Queries(store.engine).progress_counts() if counts is None else counts,
                          {t["opd"]: t for t in Queries(store.engine).tabs()},
                          store.phases.log() if logs is None else logs)
    closed = store.phases.closed(year)
    all_counts = Queries(store.engine).progress_counts()
    logs = store.phases.log(year=year)
    tabs = {}
    for kode, (handed, _) in closed.items():
        log = logs.get(kode)
        started, order = log[-1] if log else (None, None)
        tabs[kode] = {"opd": kode, "status": "ok", "message": "", "handed_out_at": handed,
                      "phase_order": order, "phase_started_at": started}
    return YearInputs(year, {o.kode: all_counts.get(f"{o.kode} {year}", {}) for o in config.opds if o.kode in closed},
                      tabs, logs, {kode: at for kode, (_, at) in closed.items()})


def known_years(config: Config, store: Store) -> list[int]:
    """The open workspace year and every year a rollover closed, newest first."""
    return sorted({config.year, *store.phases.closed_years()}, reverse=True)


def opd_summaries(config: Config, counts: dict, tabs: dict, logs: dict, now: datetime,
                  calendar: WorkCalendar, inputs: YearInputs | None = None) -> list[dict]:
    """Every configured OPD's progress record (phase, SPM clock, steps, who has its workbook open):
    the one computation behind `satudata status`, the Ringkasan and their JSON. With a closed
    year's ``inputs``, its clocks stop where rollover closed them and nobody has its tab open."""
    year = inputs.year if inputs else config.year
    opds = []
    for o in config.opds:
        stopped = inputs.stopped.get(o.kode) if inputs else None
        at = min(now, stopped) if stopped else now
        record = opd_standard(o, counts.get(o.kode, {}), tabs.get(o.kode), logs.get(o.kode, []), at, calendar,
                              extensions_of(o.perpanjangan, year, config.year))
        record["dibuka"] = None if inputs and inputs.closed else lock_state(config, o.kode, now)
        opds.append(record)
    return opds


def progress(config: Config, store: Store, now: datetime, calendar: WorkCalendar | None = None,
             year: int | None = None) -> dict:
    """Every OPD's progress in the open workspace year, or in a closed ``year``."""
    calendar = calendar or calendar_for(config)
    inputs = year_inputs(config, store, year)
    opds = opd_summaries(config, inputs.counts, inputs.tabs, inputs.logs, now, calendar, inputs)
    total = sum(o["baris"] for o in opds)
    archived = sum(o["diarsip"] for o in opds)
    last = Queries(store.engine).cycles(limit=1)
    return {
        "workspace": config.name, "tahun": inputs.year, "tahun_berjalan": config.year,
        "tahun_tersedia": known_years(config, store), "sekarang": now, "opd": opds,
        "total_baris": total, "total_diarsip": archived,
        "persen_diarsip": round(100 * archived / total, 1) if total else 0.0,
        "terlambat": [o["kode"] for o in opds if o["ketepatan"] == TERLAMBAT],
        "libur_tambahan": holidays_shown(config),
        "siklus_terakhir": {"id": last[0]["id"], "mulai": last[0]["started_at"], "status": last[0]["status"],
                            "galat": last[0]["errors"]} if last else None,
    }
