"""Progress of every OPD against the SOP's deadlines (DESIGN section 8), for CLI and dashboard."""
from __future__ import annotations

from datetime import datetime

from rules.calendar import WorkCalendar
from rules.sop import DIARSIP, load_sop
from service.config import Config
from service.archive.store import Store
from service.archive.waiting import lock_state


def opd_progress(kode: str, nama: str, by_state: dict[str, dict], tab: dict | None, now: datetime,
                calendar: WorkCalendar) -> dict:
    """Phase = the least advanced state with rows; its deadline counts from when the OPD entered
    that phase (``tab["phase_started_at"]``, else its earliest row there). ``by_state`` is
    Store.progress_counts()[kode]: per state code, rows, earliest/latest update, open findings."""
    sop = load_sop()
    present = [s for s in sop.ordered() if by_state.get(s.code, {}).get("baris")]
    out = {
        "kode": kode, "nama": nama, "baris": sum(by_state[s.code]["baris"] for s in present),
        "jumlah_per_status": {s.label: by_state[s.code]["baris"] for s in sop.for_display()
                              if by_state.get(s.code, {}).get("baris")},
        "jumlah_per_kode": {s.code: by_state.get(s.code, {}).get("baris", 0) for s in sop.ordered()},
        "fase": None, "fase_kode": None, "fase_mulai": None, "tenggat": None, "hari_kerja_berjalan": None,
        "batas_hari_kerja": None, "ketepatan": "belum_mulai",
        "temuan_galat": sum(by_state[s.code]["galat"] for s in present),
        "temuan_peringatan": sum(by_state[s.code]["peringatan"] for s in present),
        "diarsip": by_state.get(DIARSIP, {}).get("baris", 0),
        "status_tab": (tab or {}).get("status", "belum_dibaca"), "pesan": (tab or {}).get("message", ""),
    }
    if not present:
        return out
    # The poller records when the OPD's least advanced step last changed (7a and 8 are one
    # step); a row added at the same step, or a revision within it, does not restart the clock.
    lowest = present[0].order
    phase_states = [st for st in present if st.order == lowest]
    starts = [(by_state[st.code]["pertama"], st) for st in phase_states if by_state[st.code].get("pertama")]
    started, phase = min(starts, key=lambda x: x[0]) if starts else (None, phase_states[0])
    if tab and tab.get("phase_order") == lowest and tab.get("phase_started_at"):
        started = tab["phase_started_at"]
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
    counts = store.progress_counts()
    tabs = {t["opd"]: t for t in store.tabs()}
    opds = [opd_progress(o.kode, o.nama, counts.get(o.kode, {}), tabs.get(o.kode), now, calendar)
            for o in config.opds]
    for o in opds:
        o["dibuka"] = lock_state(config, o["kode"], now)
    total = sum(o["baris"] for o in opds)
    archived = sum(o["diarsip"] for o in opds)
    return {
        "workspace": config.name, "tahun": config.year, "sekarang": now, "opd": opds,
        "total_baris": total, "total_diarsip": archived,
        "persen_diarsip": round(100 * archived / total, 1) if total else 0.0,
        "terlambat": [o["kode"] for o in opds if o["ketepatan"] == "terlambat"],
    }
