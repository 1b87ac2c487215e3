"""One poll cycle: read -> reconcile -> commit -> write. The loop around it only calls it."""
from __future__ import annotations

import gc
import logging
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Callable

from rules.rulefile import RuleSet
from rules.wilayah import Wilayah
from service.config import Config
from service.reconcile.plan import TabStatus
from service.archive import dberrors, waiting
from service.reconcile.who import People
from service.archive.chain import ChainBroken
from service.archive.lease import LeaseLost
from service.archive.queries import Queries
from service.archive.store import Store
from service.timefmt import local_iso
from sheets.base import Backend, BackendError, TabResult, TabSnapshot, TabWrites

if TYPE_CHECKING:
    from service.reconcile.plan import Plan

log = logging.getLogger(__name__)
PROCESSED = (TabStatus.OK, TabStatus.PENDING_REMOVAL)  # tab statuses whose rows were processed this cycle
YOUNG_THRESHOLD = 50_000  # allocations between young-generation collections during a cycle


@contextmanager
def fewer_collections():
    """A cycle builds hundreds of thousands of small objects that reference counting frees (cells,
    findings, events); the cyclic collector's default young passes (every 700 allocations) rescan
    them for nothing, about a fifth of a busy cycle. During the cycle collect less often, and
    freeze what start-up built (modules, rules, wilayah) so full passes never rescan it."""
    if not gc.get_freeze_count():
        gc.collect()
        gc.freeze()
    before = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


@dataclass
class TabReport:
    opd: str
    status: str  # diproses, tidak_berubah, dilewati, galat
    message: str = ""
    rows: int = 0
    events: int = 0
    archived: int = 0
    writes: int = 0
    states: dict[str, int] = field(default_factory=dict)
    waiting: bool = False  # its write waits for a workbook open in Excel/LibreOffice: not an error
    open_idle: bool = False  # read while open in Excel/LibreOffice, and nothing of it waits to be written


@dataclass
class CycleReport:
    cycle_id: int
    started_at: datetime
    tabs: list[TabReport] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    backend_failed: bool = False
    archive_lost: bool = False  # the database connection dropped mid-cycle: worth running again at once
    requests: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "siklus": self.cycle_id, "mulai": local_iso(self.started_at),
            "dibuat": self.created, "galat": self.errors, "backend_gagal": self.backend_failed,
            "permintaan": self.requests,
            "tab": [t.__dict__ for t in self.tabs],
        }


def run_cycle(config: Config, backend: Backend, store: Store, rules: RuleSet, wilayah: Wilayah,
              now: datetime, clock: Callable[[], datetime] | None = None,
              lease: tuple[str, int] | None = None,
              progress: Callable[[int, int, str], None] | None = None) -> CycleReport:
    """One pass over every configured OPD. A failing tab is reported; the others go on.
    ``lease`` (holder, seconds): every commit renews this poller's lease, or stops the cycle.
    ``progress(done, total, opd)`` is told after each tab is decided (for a long first cycle)."""
    if now.tzinfo is None:
        raise ValueError("run_cycle needs an aware datetime (UTC or WIB)")
    clock = clock or (lambda: now)
    before = dict(backend.requests)
    report = CycleReport(store.cycle_log.start(now, wilayah.versi), now)
    cycle = _Cycle(config, store, rules, wilayah, now, clock, lease, f"{rules.fingerprint()}~{wilayah.fingerprint()}-{config.year}", report,
                   backend.service_account)
    try:
        results, written = None, set()
        for opds in _rounds(config, backend, store, cycle.unwrap):
            results = _read(config, backend, store, report, cycle.unwrap, progress, opds)
            if results is None:
                break
            batches, snapshots = _decide(cycle, results, progress)
            _write(backend, store, batches, snapshots, cycle.wrap, report, config, clock)
            written |= {b.opd for b in batches}
        if results is not None:
            _open_without_writes(config, report, written, clock())
            report.errors += backend.after_cycle()
            states = Queries(store.engine).state_counts({t.opd for t in report.tabs})
            for tab in report.tabs:
                tab.states = states.get(tab.opd, {})
    except Exception as exc:  # a database failure mid-cycle: recorded; the next cycle starts afresh
        _log_failure("cycle failed", exc)
        report.backend_failed = True
        report.archive_lost = dberrors.lost(exc)
        why = dberrors.describe(exc)
        report.errors.append(f"Siklus gagal: arsip {why}" if why else
                             f"Siklus gagal ({type(exc).__name__}); lihat log poller")
    finally:
        try:
            _finish(store, report, backend, before, clock())
        except Exception as exc:  # the database is gone: nothing more to record
            _log_failure(f"could not record the end of cycle {report.cycle_id}", exc)
    return report


def _log_failure(what: str, exc: Exception) -> None:
    """A database failure the product explains (dberrors) is one line, its traceback only with -v;
    anything else is a bug and keeps its traceback."""
    if dberrors.describe(exc) is None:
        log.exception(what)
    else:
        log.info(what, exc_info=True)


def _ensure_tabs(backend: Backend, missing: list[tuple[str, str]],
                 progress: Callable[[int, int, str], None] | None) -> list[str]:
    """Create missing tabs; one workbook at a time when progress is shown (a local file costs
    the same either way; Google tabs are made in one request, so never split there)."""
    if progress is None or len(missing) < 2:
        return backend.ensure_tabs(missing)
    created: list[str] = []
    for done, opd in enumerate(missing, 1):
        created += backend.ensure_tabs([opd])
        progress(done, len(missing), f"berkas {opd[0]} dibuat")
    return created


def _rounds(config: Config, backend: Backend, store: Store, unwrap: Callable[[Any], Any]) -> list[list[str]]:
    """The OPDs in rounds, each read, decided and written before the next is read: one round for
    a backend that does not plan (Excel), one per changed spreadsheet for Google (its quota and
    the short gap between a read and its write: sheets/google/backend.py, DECISIONS.md #90)."""
    opds = [o.kode for o in config.opds]
    try:
        known = store.tokens()
        return backend.rounds(opds, {o: unwrap(known.get(o)) for o in opds}) or [[]]
    except Exception:  # the read that follows reports what is wrong (a traceback only with -v)
        log.info("rounds could not be planned", exc_info=True)
        return [opds]


def _read(config: Config, backend: Backend, store: Store, report: CycleReport,
          unwrap: Callable[[Any], Any], progress: Callable[[int, int, str], None] | None = None,
          opds: list[str] | None = None) -> list | None:
    """Create missing tabs, then read every tab (of this round); None when the backend cannot be read at all."""
    opds = [o.kode for o in config.opds] if opds is None else opds
    if not opds:
        return []
    try:
        seen = store.tokens(pending_as_none=False)
        # only tabs never read, or that failed their last read (a tab deleted), are looked for: an idle
        # cycle costs no listing, nor does the read after a write (whose token is None until then)
        unsure = [o for o in config.opds if o.kode in opds and seen.get(o.kode) is None]
        failed = ({t["opd"] for t in Queries(store.engine).tabs() if t.get("status") == TabStatus.ERROR}
                  if unsure else set())
        report.created += _ensure_tabs(backend, [(o.kode, o.nama) for o in unsure
                                                 if o.kode not in seen or o.kode in failed],
                                       progress if config.backend == "xlsx" else None)
        known = store.tokens()
        tokens = {o: unwrap(known.get(o)) for o in opds}
        if config.backend == "google":  # a new or answered report on an item: its thread on the row
            from service.archive.pengaduan import Tickets
            tokens.update(dict.fromkeys(Tickets(store.engine).unsynced_opds() & set(opds)))
        return _with_fresh_notices(backend, store, backend.read(opds, tokens))
    except Exception as exc:  # the cycle changes nothing; a BackendError already speaks Indonesian
        if not isinstance(exc, BackendError) and dberrors.describe(exc) is not None:
            raise  # the archive, not the spreadsheet, failed: told as the cycle's failure
        if isinstance(exc, BackendError):
            log.warning("backend tidak dapat dibaca: %s", exc)
        else:
            log.exception("backend read failed")
        report.backend_failed = True
        report.errors.append(f"Spreadsheet tidak dapat dibaca: {exc}")
        return None


NOTICE_MARK = "Excel 2007-365 (.xlsx)"  # in every stray-.ods notice (sheets/xlsx.py)


def _with_fresh_notices(backend: Backend, store: Store, results: list) -> list:
    """An unchanged tab whose notice appeared or went away is read again, so A1 and status say so."""
    remembered = {t["opd"]: t.get("message") or "" for t in Queries(store.engine).tabs()}
    stale = [r.opd for r in results if r.unchanged and (
        (r.notice and r.notice not in remembered.get(r.opd, "")) or
        (not r.notice and NOTICE_MARK in remembered.get(r.opd, "")))]
    if not stale:
        return results
    fresh = {r.opd: r for r in backend.read(stale, {o: None for o in stale})}
    return [fresh.get(r.opd, r) for r in results]


@dataclass
class _Cycle:
    """What deciding every tab of one cycle shares."""

    config: Config
    store: Store
    rules: RuleSet
    wilayah: Wilayah
    now: datetime
    clock: Callable[[], datetime]
    lease: tuple[str, int] | None  # (holder, seconds): every commit renews it, or the cycle stops
    # Tokens carry a fingerprint of the rules and the workspace year: when a Walidata edits a
    # rule file, every tab is read and every row checked again.
    salt: str
    report: CycleReport
    service_account: str | None = None

    def wrap(self, token: Any) -> Any:
        return None if token is None else {"aturan": self.salt, "token": token}

    def unwrap(self, stored: Any) -> Any:
        return stored.get("token") if isinstance(stored, dict) and stored.get("aturan") == self.salt else None


def _decide(cycle: _Cycle, results: list, progress: Callable[[int, int, str], None] | None = None
            ) -> tuple[list[TabWrites], dict[str, TabSnapshot]]:
    """Reconcile each changed tab and commit its plan; a failing tab is reported, the others go on."""
    batches: list[TabWrites] = []
    snapshots: dict[str, TabSnapshot] = {}
    remembered = {t["opd"]: t for t in Queries(cycle.store.engine).tabs()}
    for done, result in enumerate(results, 1):
        if progress is not None and done > 1:
            progress(done - 1, len(results), result.opd)
        tab = TabReport(result.opd, "tidak_berubah", result.notice)
        cycle.report.tabs.append(tab)
        if result.deferred:  # Google's quota is spent this minute: served first next cycle, not an error
            tab.status, tab.message = "ditunda", result.deferred
            cycle.store.defer_tab(result.opd, result.deferred, cycle.now)
            continue
        if result.error:
            tab.status, tab.message = TabStatus.ERROR, result.error
            cycle.report.errors.append(f"{result.opd}: {result.error}")
            cycle.store.set_tab_problem(result.opd, TabStatus.ERROR, result.error, cycle.now)
            continue
        if result.unchanged or result.snapshot is None:
            if result.unchanged and result.token is not None:  # same content, fresher bookkeeping (Google's feed)
                cycle.store.mark_written({result.opd: cycle.wrap(result.token)})
            _still_held(tab, remembered.get(result.opd))
            continue
        try:
            plan = _reconcile(cycle, result)
            tab.archived = _commit(cycle, plan, result.snapshot)
            if plan.utas:
                from service.archive.pengaduan import Tickets
                Tickets(cycle.store.engine).mark_threads(plan.utas)
        except LeaseLost as exc:  # another poller owns the archive now: write nothing more
            cycle.report.errors.append(str(exc))
            return [], {}
        except ChainBroken as exc:  # nothing is appended to a chain that no longer holds: the tab is held
            tab.status = "dilewati"
            tab.message = (f"Tab ditahan: {exc}. Periksa dengan 'satudata verify-archive' dan pulihkan arsip "
                           "dari cadangan ('satudata restore').")
            cycle.report.errors.append(f"{result.opd}: {tab.message}")
            cycle.store.set_tab_problem(result.opd, TabStatus.CHAIN_BROKEN, tab.message, cycle.now)
            continue
        except Exception as exc:  # a bug or a database failure on one tab must not stop the others
            if dberrors.lost(exc):
                raise  # every other tab would fail the same way: the cycle is run again
            _tab_failed(cycle.report, tab, exc)
            continue
        _planned(tab, plan)
        # an unprotected sheet is protected again even with nothing else to write
        if plan.writes or plan.writes.comments or plan.writes.protected_by_walidata or result.snapshot.protected is False:
            batches.append(plan.writes)
            snapshots[result.opd] = result.snapshot
    if progress is not None and results:
        progress(len(results), len(results), "selesai")
    return batches, snapshots


def _reconcile(cycle: _Cycle, result: TabResult) -> Plan:
    """The pure step: the tab as read, against what the archive remembers of it, into a Plan."""
    from service.reconcile.tab import Context, reconcile  # the checks (pandas) only for a changed tab
    store, opd = cycle.store, result.opd
    wilayah = cycle.wilayah
    ctx = Context(cycle.rules, wilayah, cycle.config.year, salt=cycle.salt,
                  history_for=lambda items: store.history.values(opd, wilayah, items),
                  archived_for=lambda items: store.history.latest(opd, items),
                  notices=(result.notice,) if result.notice else (),
                  people=people_of(cycle.config, opd, cycle.service_account),
                  tickets=ticket_threads(store, opd) if cycle.config.backend == "google" else ())
    return reconcile(result.snapshot, store.load_tab(opd, later=True), ctx, cycle.now)


def _commit(cycle: _Cycle, plan: Plan, snapshot: TabSnapshot) -> int:
    """The plan in one transaction, renewing the lease; the number of rows archived."""
    lease = cycle.lease
    renewal = (lease[0], cycle.clock() + timedelta(seconds=lease[1])) if lease else None
    return cycle.store.apply(plan, cycle.report.cycle_id, cycle.now, token=cycle.wrap(snapshot.token), lease=renewal,
                             year=cycle.config.year)


def _tab_failed(report: CycleReport, tab: TabReport, exc: Exception) -> None:
    _log_failure(f"tab {tab.opd} failed", exc)
    tab.status = "galat"
    why = dberrors.describe(exc)
    tab.message = (f"Tab tidak dapat diarsipkan: {why}" if why else
                   f"Galat internal saat memproses tab ({type(exc).__name__}); lihat log poller")
    report.errors.append(f"{tab.opd}: {tab.message}")


def _planned(tab: TabReport, plan: Plan) -> None:
    tab.status = "diproses" if plan.status in PROCESSED else "dilewati"
    tab.message, tab.rows = plan.message, plan.rows_seen
    tab.events = sum(e.kind == "status" for e in plan.events)  # value changes are audited apart
    tab.writes = len(plan.writes.cells) + len(plan.writes.notes)


def ticket_threads(store: Store, opd: str) -> tuple:
    """The public's reports on this OPD's items whose thread is to be opened or closed."""
    from service.archive.pengaduan import TERBUKA, Tickets
    from service.reconcile.comments import TicketThread
    return tuple(TicketThread(t["nomor"], t["item_key"], "\n".join(x for x in (t["baris"], t["isi"]) if x),
                              t["status"] == TERBUKA, t["jawaban"]) for t in Tickets(store.engine).threads_for(opd))


def _still_held(tab: TabReport, remembered: dict | None) -> None:
    """An unchanged tab that is held (or waits for a confirmation) says so every cycle."""
    if remembered is None or remembered.get("status") in (None, TabStatus.ERROR) or (
            remembered.get("status") == TabStatus.OK and NOTICE_MARK not in (remembered.get("message") or "")):
        return
    if remembered["status"] not in PROCESSED:
        tab.status = "dilewati"
    tab.message = remembered.get("message") or ""


def _write(backend: Backend, store: Store, batches: list[TabWrites], snapshots: dict[str, TabSnapshot],
           wrap: Callable[[Any], Any], report: CycleReport, config: Config,
           clock: Callable[[], datetime]) -> None:
    """Tell the sheets what the database already holds; what fails is repaired next cycle."""
    if not batches:
        return
    try:
        outcomes = backend.write(batches, snapshots)
    except Exception as exc:
        log.exception("backend write failed")
        report.errors.append(f"Gagal menulis ke spreadsheet: {exc}")
        return
    by_opd = {t.opd: t for t in report.tabs}
    store.mark_written({opd: wrap(outcome.token) for opd, outcome in outcomes.items() if outcome.reason is None})
    for opd, outcome in outcomes.items():
        if outcome.reason is not None:
            lock = waiting.lock_state(config, opd, clock())
            by_opd[opd].message = lock["pesan"] if lock else outcome.reason
            if lock and not lock["basi"]:
                by_opd[opd].waiting = True  # someone is working in the file: the write simply waits
            else:
                report.errors.append(f"{opd}: {by_opd[opd].message}")


def _open_without_writes(config: Config, report: CycleReport, written: set[str], now: datetime) -> None:
    """A workbook saved while still open is read again; when nothing of it had to be written, say the
    file is open rather than that it was processed (no result waits for it to close)."""
    for tab in report.tabs:
        if tab.status != "diproses" or tab.opd in written or tab.message or tab.events or tab.archived:
            continue
        lock = waiting.lock_state(config, tab.opd, now)
        if lock and not lock["basi"]:
            tab.open_idle = True
            tab.message = (f"Berkas {tab.opd} {lock['ringkas']} di {lock['program']}; tidak ada hasil pemeriksaan "
                           "yang menunggu ditulis.")


def _finish(store: Store, report: CycleReport, backend: Backend, before: dict[str, int], now: datetime) -> None:
    used = {k: v - before.get(k, 0) for k, v in backend.requests.items()}
    report.requests = used
    store.cycle_log.finish(
        report.cycle_id, now, status="gagal" if report.backend_failed else ("galat" if report.errors else "selesai"),
        requests_read=used.get("read", 0), requests_write=used.get("write", 0),
        requests_other=sum(v for k, v in used.items() if k not in ("read", "write")),
        tabs_read=sum(t.status in ("diproses", "dilewati") for t in report.tabs),
        rows_seen=sum(t.rows for t in report.tabs), events=sum(t.events for t in report.tabs),
        archived=sum(t.archived for t in report.tabs), errors=report.errors)


def people_of(config: Config, opd: str, service_account: str | None = None) -> People:
    """Who works on an OPD's tab, as the workspace file says (the audit's evidence, DECISIONS.md #11)."""
    entry = next((o for o in config.opds if o.kode == opd), None)
    named = (*config.walidata_orang, *(entry.petugas if entry else ()))
    return People(opd, entry.operators if entry else (), tuple(config.walidata), entry.kepala if entry else None,
                  service_account, (config.walidata_nama,) if config.walidata_nama else (),
                  tuple((p.email, p.nama) for p in named if p.email and p.nama),
                  bidang=getattr(entry, "bidang", ()) if entry else ())
