"""Progress of every OPD against the SOP's deadlines (DESIGN section 8), for CLI and dashboard."""
from __future__ import annotations

from datetime import datetime

from rules.calendar import WorkCalendar
from rules.sop import DIARSIP, load_sop
from service.config import Config
from service.store import Store


def opd_progress(kode: str, nama: str, rows: list[dict], tab: dict | None, now: datetime,
                 calendar: WorkCalendar) -> dict:
    """Phase = the least advanced row's state; its deadline counts from when that phase began."""
    sop = load_sop()
    live = [r for r in rows if not r["removed"]]
    counts: dict[str, int] = {}
    for state in sop.ordered():
        n = sum(r["state"] == state.code for r in live)
        if n:
            counts[state.label] = n
    galat = sum(1 for r in live for x in r["findings"] if x["level"] == "galat")
    peringatan = sum(1 for r in live for x in r["findings"] if x["level"] == "peringatan")
    out = {
        "kode": kode, "nama": nama, "baris": len(live), "jumlah_per_status": counts,
        "jumlah_per_kode": {s.code: sum(r["state"] == s.code for r in live) for s in sop.ordered()},
        "fase": None, "fase_kode": None, "fase_mulai": None, "tenggat": None, "hari_kerja_berjalan": None,
        "batas_hari_kerja": None, "ketepatan": "belum_mulai", "temuan_galat": galat,
        "temuan_peringatan": peringatan, "diarsip": sum(r["state"] == DIARSIP for r in live),
        "status_tab": (tab or {}).get("status", "belum_dibaca"), "pesan": (tab or {}).get("message", ""),
    }
    if not live:
        return out
    phase = min((sop.states[r["state"]] for r in live), key=lambda s: (s.order, s.code))
    started = max((r["updated_at"] for r in live if r["state"] == phase.code and r["updated_at"]), default=None)
    out.update(fase=phase.label, fase_kode=phase.code, fase_mulai=started)
    if phase.code == DIARSIP:
        out["ketepatan"] = "selesai"
        return out
    if started is None:
        return out
    days = sop.days_for(phase.code)
    deadline = calendar.add_working_days(started, days)
    spent = calendar.working_days_between(started, now)
    out.update(tenggat=deadline, hari_kerja_berjalan=round(spent, 1), batas_hari_kerja=days)
    if now > deadline:
        out["ketepatan"] = "terlambat"
    elif days - spent <= 1:
        out["ketepatan"] = "berisiko"
    else:
        out["ketepatan"] = "tepat_waktu"
    return out


def progress(config: Config, store: Store, now: datetime, calendar: WorkCalendar | None = None) -> dict:
    calendar = calendar or WorkCalendar()
    rows = store.tab_rows()
    tabs = {t["opd"]: t for t in store.tabs()}
    by_opd: dict[str, list[dict]] = {}
    for row in rows:
        by_opd.setdefault(row["opd"], []).append(row)
    opds = [opd_progress(o.kode, o.nama, by_opd.get(o.kode, []), tabs.get(o.kode), now, calendar)
            for o in config.opds]
    total = sum(o["baris"] for o in opds)
    archived = sum(o["diarsip"] for o in opds)
    return {
        "workspace": config.name, "tahun": config.year, "sekarang": now, "opd": opds,
        "total_baris": total, "total_diarsip": archived,
        "persen_diarsip": round(100 * archived / total, 1) if total else 0.0,
        "terlambat": [o["kode"] for o in opds if o["ketepatan"] == "terlambat"],
    }
