"""The service standard as the SOP states it (DECISIONS.md #6), pure: counts, no clock, no I/O.

Two clocks per OPD. The phase clock: the OPD's phase is its least advanced row, and the
work that follows it must end within the SOP's days for those steps (``rules/sop.yaml``).
The service clock: working days since the OPD's list was handed out, against the SPM's
25 working days (``standar_pelayanan_hari_kerja``). A deadline extension (``Extension``)
adds working days to the service clock, and to one step's allowance when it names one."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable

from rules.calendar import WorkCalendar
from rules.sop import DIARSIP, Sop, State, load_sop

TERLAMBAT, BERISIKO, TEPAT_WAKTU, SELESAI, BELUM_MULAI = "terlambat", "berisiko", "tepat_waktu", "selesai", "belum_mulai"
SEVERITY = (TERLAMBAT, BERISIKO, TEPAT_WAKTU, SELESAI, BELUM_MULAI)  # worst first
AT_RISK_DAYS = 1  # working days left at which a running clock is "berisiko"


@dataclass(frozen=True)
class Extension:
    """A deadline extension the Walidata granted an OPD (``[[opd]] perpanjangan``) in one
    workspace year: it extends that year's clock only."""
    hari: int
    alasan: str
    langkah: int | None = None  # the SOP step it extends; None: the whole service only
    tahun: int | None = None  # the workspace year; None: the open one (rollover writes the year in)
    oleh: str = ""  # who granted it, as the config names them


def extensions_of(extensions: Iterable[Extension], year: int, open_year: int) -> tuple[Extension, ...]:
    """The extensions of workspace year ``year`` (one naming no year belongs to the open year)."""
    return tuple(e for e in extensions if (e.tahun if e.tahun is not None else open_year) == year)


def classify(start: datetime, allowed: float, end: datetime | None, now: datetime,
             calendar: WorkCalendar) -> dict[str, Any]:
    """A clock that started at ``start`` with ``allowed`` working days, ended at ``end`` (None:
    still running at ``now``): its deadline, the working days spent and whether it ran late."""
    deadline = calendar.add_working_days(start, int(allowed))
    stop = end or now
    spent = calendar.working_days_between(start, stop)
    if stop > deadline:
        verdict = TERLAMBAT
    elif end is not None:
        verdict = SELESAI
    elif allowed - spent <= AT_RISK_DAYS:
        verdict = BERISIKO
    else:
        verdict = TEPAT_WAKTU
    return {"tenggat": deadline, "hari_kerja_berjalan": round(spent, 1), "batas_hari_kerja": allowed,
            "ketepatan": verdict}


def phase_order(states: Iterable[str], sop: Sop) -> int | None:
    """The OPD's phase: the order of the least advanced state its live rows are in (None: no rows).
    The phase clock counts from the moment this changed."""
    return min((sop.states[s].order for s in states if s in sop.states), default=None)


def worst(*verdicts: str) -> str:
    return min(verdicts, key=SEVERITY.index)


def _groups(sop: Sop) -> list[tuple[int, list[State], tuple[int, ...]]]:
    """(order, states, SOP steps) of every phase whose work takes time, least advanced first."""
    out: dict[int, list[State]] = {}
    for state in sop.ordered():
        out.setdefault(state.order, []).append(state)
    groups = []
    for order, states in out.items():
        steps = tuple(sorted({n for s in states for n in s.next_steps}))
        if steps and sum(sop.steps[n].hari_kerja for n in steps):
            groups.append((order, states, steps))
    return groups


def step_spans(log: list[tuple[datetime, int | None]], order: int) -> tuple[datetime | None, datetime | None]:
    """When the OPD's phase first reached ``order`` (or passed it) and when it last left it
    for good; (None, None) before it got there, end None while it is there (or back there).
    ``log`` is the phase log: (moment, least advanced order or None when the tab had no rows)."""
    began = next((at for at, o in log if o is not None and o >= order), None)
    if began is None:
        return None, None
    current = next((o for _, o in reversed(log) if o is not None), None)
    if current is None or current <= order:
        return began, None
    ended = None
    for (_, before), (at, after) in zip(log, log[1:]):
        if after is not None and after > order and (before is None or before <= order):
            ended = at
    return began, max(ended or began, began)


def step_timeline(log: list[tuple[datetime, int | None]], now: datetime, calendar: WorkCalendar,
                  extensions: tuple[Extension, ...] = (), sop: Sop | None = None) -> list[dict[str, Any]]:
    """For every SOP step (grouped as the phases run them), when it began and ended, the
    working days it took against its allowance and whether it ran late."""
    sop = sop or load_sop()
    out = []
    for order, states, steps in _groups(sop):
        allowed = sum(sop.steps[n].hari_kerja for n in steps) + sum(
            e.hari for e in extensions if e.langkah in steps)
        began, ended = step_spans(log, order)
        item = {"langkah": list(steps), "nama": "; ".join(sop.steps[n].nama for n in steps),
                "status": [s.label for s in states], "mulai": began, "selesai": ended, "tenggat": None,
                "hari_kerja_berjalan": None, "batas_hari_kerja": allowed, "ketepatan": BELUM_MULAI}
        if began is not None:
            item.update(classify(began, allowed, ended, now, calendar))
        out.append(item)
    return out


def service_clock(handed_out: datetime | None, finished: datetime | None, now: datetime,
                  calendar: WorkCalendar, extensions: tuple[Extension, ...] = (),
                  sop: Sop | None = None) -> dict[str, Any]:
    """Working days since the list was handed out against the SPM's days plus extensions;
    ``finished`` is when every row reached the archive (None while the work goes on)."""
    sop = sop or load_sop()
    extra = sum(e.hari for e in extensions)
    out = {"dibagikan": handed_out, "selesai": finished, "standar_hari_kerja": sop.total_days,
           "perpanjangan_hari_kerja": extra, "batas_hari_kerja": sop.total_days + extra,
           "tenggat": None, "hari_kerja_berjalan": None, "ketepatan": BELUM_MULAI}
    if handed_out is not None:
        out.update(classify(handed_out, sop.total_days + extra, finished, now, calendar))
    return out


def finished_at(log: list[tuple[datetime, int | None]], sop: Sop | None = None) -> datetime | None:
    """When the OPD's phase last reached the archive, if it is there now."""
    sop = sop or load_sop()
    done = sop.states[DIARSIP].order
    if not log or log[-1][1] != done:
        return None
    at = log[-1][0]
    for moment, order in reversed(log):
        if order != done:
            break
        at = moment
    return at


def opd_progress(kode: str, nama: str, by_state: dict[str, dict[str, Any]], tab: dict[str, Any] | None, now: datetime,
                 calendar: WorkCalendar, extensions: tuple[Extension, ...] = (), sop: Sop | None = None) -> dict[str, Any]:
    """Phase = the least advanced state with rows; its deadline counts from when the OPD entered
    that phase (``tab["phase_started_at"]``, else its earliest row there), extended by the
    extensions that name its steps. ``by_state`` is the store's per-state counts: rows,
    earliest/latest update, open findings."""
    sop = sop or load_sop()
    present = [s for s in sop.ordered() if by_state.get(s.code, {}).get("baris")]
    out = {
        "kode": kode, "nama": nama, "baris": sum(by_state[s.code]["baris"] for s in present),
        "jumlah_per_status": {s.label: by_state[s.code]["baris"] for s in sop.for_display()
                              if by_state.get(s.code, {}).get("baris")},
        "jumlah_per_kode": {s.code: by_state.get(s.code, {}).get("baris", 0) for s in sop.ordered()},
        "fase": None, "fase_kode": None, "fase_mulai": None, "tenggat": None, "hari_kerja_berjalan": None,
        "batas_hari_kerja": None, "ketepatan": BELUM_MULAI,
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
        out["ketepatan"] = SELESAI
        return out
    if started is None:
        return out
    steps = phase.next_steps
    allowed = sop.days_for(phase.code) + sum(e.hari for e in extensions if e.langkah in steps)
    out.update(classify(started, allowed, None, now, calendar))
    return out
