"""Google requests and bytes per poll cycle at a regency's size (DECISIONS.md #5), against the fake.

    python bench/requests.py [--rows 500] [--edited 3] [--tabs 1 10 40] [--kuota-saja]

GoogleBackend runs whole poll cycles (service.poller.cycle.run_cycle, SQLite archive) against the
in-process fake Sheets API (tests/fake_sheets_api.py; nothing leaves the machine) for 1, 10 and 40
OPD tabs of ``--rows`` rows, in both layouts: one spreadsheet holding every tab, and one
spreadsheet per OPD. Cycles: ``first write`` (every row gets its ID, status, findings and time),
``after write`` (the cycle after our own write reads once to confirm), ``idle`` (nothing changed),
``busy`` (the Walidata ticks Dicek Bersama on ``--edited`` rows of every tab; its write is followed by
an ``after write`` cycle like the first one's). Per cycle: Drive
requests, Sheets reads (of which the values.batchGet that confirms row identity before a write,
DECISIONS.md #16), Sheets writes, request and response bytes (the answer re-encoded compactly, as
Google sends it with prettyPrint=false; before gzip; of which the identity batchGet's) and the
largest request (URL and body).

Peers, measured in the same run on the first write and its read: the per-row runs of updateCells
the backend sent before column blocks, and the read's previous fields mask (userEnteredValue,
effectiveValue, formattedValue, note, effectiveFormat.numberFormat).

Then Google's per-minute quotas (DECISIONS.md #90): 57 spreadsheets, one per OPD, with the fake enforcing
60 reads and 60 writes per minute per user (300 per project) over any 60 seconds and every request
taking ``--latency`` seconds on its clock; cycles start every 60 seconds (or at once when the last
one overran). Phases: the first run, all 57 edited within a minute (cycles until every edit is
written; the most Sheets reads and writes in any 60 seconds; 429 answers), one idle cycle, and a
deadline week's mix (``--mix`` cycles in which a random 10 to 57 OPDs edit: values, ticks, new rows,
a sort now and then). Sheets reads per busy spreadsheet = Sheets reads / spreadsheets served (each
spreadsheets.get). The peer ("before"), measured in the same run, is the backend without the request
budget (nothing deferred, a 429 only retried) and with the row-identity values.batchGet before every
write, as it was before; it keeps the rounds of one spreadsheet, so its requests are spread out more
than the old read-everything-then-write cycle spread them.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

# this file is named requests.py: keep its folder off sys.path so `import requests` finds the library
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

from rules.rulefile import load_rules  # noqa: E402
from rules.wilayah import Wilayah  # noqa: E402
from service.archive.store import Store, make_engine  # noqa: E402
from service.config import Config, Opd  # noqa: E402
from service.poller.cycle import run_cycle  # noqa: E402
from sheets.google.bodies import a1_title, body_size, extended_value  # noqa: E402
from sheets.layout import HEADERS  # noqa: E402
from tests.fake_sheets_api import FakeSheetsApi  # noqa: E402
from tests.fake_sheets_grid import Cell  # noqa: E402
from sheets.google.budget import KINDS, Quota  # noqa: E402
from tests.google_world import ActingGoogleBackend  # noqa: E402

WIB = ZoneInfo("Asia/Jakarta")
WALIDATA = "walidata@example.go.id"
COL = {h: i for i, h in enumerate(HEADERS)}
TWO_MB = 2_000_000
OLD_READ_FIELDS = ("sheets(properties(sheetId,title),data(startRow,startColumn,rowData.values("
                   "userEnteredValue,effectiveValue,formattedValue,note,effectiveFormat.numberFormat)))")


class MeteredApi(FakeSheetsApi):
    """The fake, recording each request's bytes: URL plus body out, the compact answer back."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.sizes: list[tuple[str, str, int, int]] = []  # (kind, method, request bytes, response bytes)
        self.at: list[tuple[float, int]] = []  # (fake clock, status) of each request
        self.real_time = False  # the fake clock also moves by the real time spent between requests
        self._last = time.perf_counter()

    def handle(self, request, timeout):
        if self.real_time:  # reconcile, archive commit, the bench itself: on the clock the gaps are measured by
            self.clock.advance(time.perf_counter() - self._last)
        response = super().handle(request, timeout)
        self._last = time.perf_counter()
        self.at.append((self.clock.now, response.status_code))
        sent = len(request.url) + len(request.body or b"")
        answer = len(json.dumps(json.loads(response.content), separators=(",", ":")).encode("utf-8"))
        self.sizes.append((self.log[-1].kind, self.log[-1].method, sent, answer))
        return response


def setup(kodes: list[str], folder: Path, per_opd: bool) -> tuple[MeteredApi, Config, ActingGoogleBackend]:
    api = MeteredApi(quota_enabled=False)  # count every request, let none be refused
    sids = {k: f"1Bench{k}" if per_opd else "1BenchSatuData" for k in kodes}
    opds = tuple(Opd(k, k, (f"operator.{k.lower()}@example.go.id",), sids[k] if per_opd else None) for k in kodes)
    config = Config(path=folder / "satudata.toml", name="Bench", year=2025, backend="google", folder=folder,
                    spreadsheet_id=None if per_opd else sids[kodes[0]], credentials=None,
                    archive_url=f"sqlite:///{folder / 'arsip.sqlite'}", interval_seconds=60, walidata=(WALIDATA,),
                    opds=opds, rules_folder=None)
    for sid in dict.fromkeys(sids.values()):
        api.create_spreadsheet(sid, editors={api.service_account, WALIDATA, *(o.operators[0] for o in opds)})
    backend = ActingGoogleBackend(api, config)
    backend.ensure_tabs([(k, k) for k in kodes])
    return api, config, backend


def fill(api: MeteredApi, backend: ActingGoogleBackend, kodes: list[str], rows: int) -> None:
    """Every tab gets ``rows`` data rows, typed straight into the model (not a poller's cost)."""
    for kode in kodes:
        sheet = api.sheet(backend.spreadsheets[kode], kode)
        sheet.rows = max(sheet.rows, rows + 1)
        for r in range(1, rows + 1):
            for header, value in (("Kode Data", f"{kode}-K{r:03d}"), ("Uraian Data", f"Jumlah item {r}"),
                                  ("Rincian", "Total kabupaten"), ("Satuan", "Unit"), ("Tahun", 2024),
                                  ("Nilai", r * 10)):
                sheet.cells[r, COL[header]] = Cell(value=value)
    for sid in set(backend.spreadsheets.values()):
        api.touch(sid)


def edit(backend: ActingGoogleBackend, kodes: list[str], edited: int) -> None:
    """The Walidata ticks Dicek Bersama on the first ``edited`` rows of every tab, through the API."""
    for kode in kodes:
        for r in range(2, 2 + edited):
            backend.type_into(WALIDATA, kode, r, COL["Dicek Bersama"], True)


def figures(api: MeteredApi, since: int) -> dict[str, int]:
    done = api.sizes[since:]
    sheets = [s for s in done if s[0] != "drive"]
    return {"drive": sum(s[0] == "drive" for s in done), "read": sum(s[0] == "read" for s in done),
            "identity": sum(s[1].endswith("values.batchGet") for s in done),
            "write": sum(s[0] == "write" for s in done),
            "out": sum(s[2] for s in done), "in": sum(s[3] for s in done),
            "identity_in": sum(s[3] for s in done if s[1].endswith("values.batchGet")),
            "largest": max((s[2] for s in sheets), default=0)}


def old_runs(batches) -> tuple[int, int]:
    """(updateCells, bytes) of the same values as the backend sent them before column blocks:
    one updateCells per run of adjacent cells on one row."""
    count = size = 0
    for batch in batches:
        cells = sorted({(w.row, w.col): w.value for w in batch.cells}.items())
        runs: list[list] = []
        for (r, c), v in cells:
            if runs and runs[-1][-1][0] == (r, c - 1):
                runs[-1].append(((r, c), v))
            else:
                runs.append([((r, c), v)])
        for run in runs:
            (r, c), _ = run[0]
            values = [{"userEnteredValue": ev} if (ev := extended_value(v)) is not None else {} for _, v in run]
            count += 1
            size += body_size({"updateCells": {"range": {"sheetId": 1, "startRowIndex": r, "endRowIndex": r + 1,
                                                         "startColumnIndex": c, "endColumnIndex": c + len(run)},
                                               "rows": [{"values": values}], "fields": "userEnteredValue"}})
    return count, size


def old_read_bytes(api: MeteredApi, backend: ActingGoogleBackend, kodes: list[str]) -> int:
    """Response bytes of one spreadsheets.get per spreadsheet with the previous fields mask."""
    since = len(api.sizes)
    for sid in dict.fromkeys(backend.spreadsheets[k] for k in kodes):
        tabs = [k for k in kodes if backend.spreadsheets[k] == sid]
        backend.call("read", "GET", f"https://sheets.googleapis.com/v4/spreadsheets/{sid}", "bench",
                      params=[*(("ranges", a1_title(t)) for t in tabs), ("fields", OLD_READ_FIELDS)])
    return sum(s[3] for s in api.sizes[since:])


def run(tabs: int, rows: int, edited: int, per_opd: bool) -> tuple[list[tuple[str, dict[str, int]]], dict]:
    kodes = [f"OPD{i:02d}" for i in range(tabs)]
    with tempfile.TemporaryDirectory() as tmp:
        api, config, backend = setup(kodes, Path(tmp), per_opd)
        store, rules, wilayah = Store(make_engine(config.archive_url, upgrade=True)), load_rules(), Wilayah.load()
        clock = [datetime(2025, 3, 3, 9, 0, tzinfo=WIB)]

        def cycle() -> dict[str, int]:
            clock[0] += timedelta(minutes=1)
            api.clock.advance(60)
            since = len(api.sizes)
            report = run_cycle(config, backend, store, rules, wilayah, clock[0])
            assert not report.errors, report.errors
            return figures(api, since)

        cycle()  # the tabs exist and are empty
        fill(api, backend, kodes, rows)
        out = [("first write", cycle())]
        peers = {"runs": old_runs(backend.writes)}
        out += [("after write", cycle()), ("idle", cycle())]
        if not per_opd:  # the same cells either way: measured once
            peers["read"] = (old_read_bytes(api, backend, kodes), out[1][1]["in"])
        edit(backend, kodes, edited)
        out.append(("busy", cycle()))
        store.engine.dispose()
    return out, peers


def _kb(n: int) -> str:
    return f"{n / 1000:,.0f}" if n >= 1000 else f"{n / 1000:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=500, help="rows per tab")
    parser.add_argument("--edited", type=int, default=3, help="rows edited per tab in the busy cycle")
    parser.add_argument("--tabs", type=int, nargs="+", default=[1, 10, 40], help="numbers of OPD tabs")
    parser.add_argument("--kuota-saja", dest="quota_only", action="store_true", help="only the quota section")
    parser.add_argument("--quota-tabs", type=int, default=57, help="spreadsheets in the quota section")
    parser.add_argument("--quota-rows", type=int, default=50, help="rows per tab in the quota section")
    parser.add_argument("--latency", type=float, default=0.3, help="seconds per request on the fake clock")
    parser.add_argument("--mix", type=int, default=20, help="cycles of the deadline mix")
    parser.add_argument("--seed", type=int, default=26)
    args = parser.parse_args()
    if args.quota_only:
        problems = quota_section(args)
        print("All limits hold." if not problems else "LIMITS BROKEN:")
        for problem in problems:
            print("  " + problem)
        return
    print(f"Google requests per poll cycle, {args.rows} rows per tab, {args.edited} rows edited per tab when busy "
          "(fake Sheets API; bytes before gzip)\n")
    print(f"{'layout':<12} {'tabs':>4} {'cycle':<12} {'Drive':>5} {'read':>4} {'(ident)':>7} {'write':>5} "
          f"{'req KB':>8} {'resp KB':>8} {'(ident)':>7} {'max req KB':>10}")
    problems, started = [], time.process_time()
    for per_opd in (False, True):
        layout = "per OPD" if per_opd else "one sheet"
        for tabs in args.tabs:
            cycles, peers = run(tabs, args.rows, args.edited, per_opd)
            books = tabs if per_opd else 1
            for name, n in cycles:
                print(f"{layout:<12} {tabs:>4} {name:<12} {n['drive']:>5} {n['read']:>4} {n['identity']:>7} "
                      f"{n['write']:>5} {_kb(n['out']):>8} {_kb(n['in']):>8} {_kb(n['identity_in']):>7} "
                      f"{_kb(n['largest']):>10}")
                problems += check(layout, tabs, books, name, n)
            runs, size = peers["runs"]
            first = cycles[0][1]
            print(f"{'':<12} {'':>4} peer: the first write as per-row runs = {runs:,} updateCells, {_kb(size)} KB "
                  f"of bodies (now {first['write']} requests, {_kb(first['out'])} KB)")
            if "read" in peers:
                print(f"{'':<12} {'':>4} peer: the read with the previous fields mask answers "
                      f"{_kb(peers['read'][0])} KB (now {_kb(peers['read'][1])} KB)")
        print()
    problems += quota_section(args)
    print(f"CPU time {time.process_time() - started:.0f} s.", "All limits hold." if not problems else "LIMITS BROKEN:")
    for problem in problems:
        print("  " + problem)


# --- Google's per-minute quotas at 57 spreadsheets (DECISIONS.md #90) -------------------------------


def _per_minute(api: MeteredApi, since: int, kind: str) -> int:
    """The most ``kind`` requests the service account sent in any 60 seconds from ``since`` on."""
    times = sorted(t for (t, _), s, r in zip(api.at[since:], api.sizes[since:], api.log[since:])
                   if s[0] == kind and r.user == api.service_account)
    most, first = 0, 0
    for last, t in enumerate(times):
        while times[first] <= t - 60:
            first += 1
        most = max(most, last - first + 1)
    return most


class QuotaRun:
    """57 per-OPD spreadsheets on the fake with its quotas on, polled every 60 fake seconds."""

    def __init__(self, tmp: Path, tabs: int, rows: int, latency: float, old: bool, seed: int) -> None:
        self.kodes = [f"OPD{i:02d}" for i in range(tabs)]
        self.api, self.config, self.backend = setup(self.kodes, tmp, per_opd=True)
        fill(self.api, self.backend, self.kodes, rows)
        self.api.quota_enabled, self.api.latency, self.api.real_time = True, latency, True
        self.backend.retry.rand = random.Random(seed).random
        self.random = random.Random(seed)
        if old:  # the peer: no request budget, the row-identity batchGet before every write
            self.backend.fresh_seconds = -1.0
            self.backend.budget.quota = Quota(10**6, 10**6, 10**6, 10**6, 10**6)
            self.backend.budget.limits = {k: 10**6 for k in KINDS}
            self.backend.budget.ceiling = dict(self.backend.budget.limits)
            self.backend.budget.limited = lambda *_: None  # a 429 lowers nothing: it is only retried
        self.store = Store(make_engine(self.config.archive_url, upgrade=True))
        self.rules, self.wilayah = load_rules(), Wilayah.load()
        self.now = datetime(2025, 3, 3, 9, 0, tzinfo=WIB)
        self.next_start = self.api.clock.now

    def cycle(self):
        self.api.clock.now = max(self.api.clock.now, self.next_start)  # the loop's schedule: every 60 s
        self.next_start = self.api.clock.now + 60
        self.now += timedelta(minutes=1)
        return run_cycle(self.config, self.backend, self.store, self.rules, self.wilayah, self.now)

    def phase(self, until_idle: bool, cycles: int, edit=None) -> dict:
        since, served_at, ran = len(self.api.sizes), None, 0
        for n in range(1, cycles + 1):
            if edit is not None:
                edit(n)
            mark = len(self.api.sizes)
            report = self.cycle()
            ran = n
            done = [s for s, r in zip(self.api.sizes[mark:], self.api.log[mark:]) if r.user == self.api.service_account]
            if served_at is None and not any(t.status == "ditunda" for t in report.tabs):
                served_at = n
            if until_idle and [s[0] for s in done] == ["drive"]:
                break
        done = [s for s, r in zip(self.api.sizes[since:], self.api.log[since:]) if r.user == self.api.service_account]
        gets = sum(s[1].endswith("spreadsheets.get") for s in done)
        reads = sum(s[0] == "read" for s in done)
        refused = sum(st == 429 for (_, st), r in zip(self.api.at[since:], self.api.log[since:])
                      if r.user == self.api.service_account)
        return {"cycles": ran, "served": served_at or ran, "refused": refused,
                "reads": reads, "writes": sum(s[0] == "write" for s in done), "gets": gets,
                "per_busy": reads / gets if gets else 0.0,
                "read_min": _per_minute(self.api, since, "read"), "write_min": _per_minute(self.api, since, "write"),
                "drive_min": _per_minute(self.api, since, "drive")}

    def busy_all(self, n: int) -> None:
        if n == 1:
            edit(self.backend, self.kodes, 3)

    def mix(self, n: int) -> None:
        """A deadline week: a random 10 to 57 OPDs edit before each cycle."""
        for kode in self.random.sample(self.kodes, self.random.randint(10, len(self.kodes))):
            roll, row = self.random.random(), self.random.randint(2, 11)
            if roll < 0.6:
                self.backend.type_into(f"operator.{kode.lower()}@example.go.id", kode, row, COL["Nilai"],
                                       self.random.randint(1, 999))
            elif roll < 0.85:
                self.backend.type_into(WALIDATA, kode, row, COL["Dicek Bersama"], True)
            elif roll < 0.97:
                self.backend.add_row(kode, Kode_Data=f"{kode}-B{n:03d}", Uraian_Data=f"Jumlah baru {n}",
                                     Satuan="Unit", Tahun=2024, Nilai=n)
            else:
                self.backend.sort_by(self.backend.owner, kode, "Uraian Data", descending=bool(n % 2))


def quota_section(args) -> list[str]:
    print(f"\nGoogle's per-minute quotas: {args.quota_tabs} spreadsheets (one per OPD), {args.quota_rows} rows each, "
          f"{args.latency} s per request, a cycle every 60 s; the fake refuses above 60 reads / 60 writes per user "
          "in any 60 s\n")
    print(f"{'backend':<8} {'phase':<22} {'cycles':>6} {'all in':>6} {'429':>4} {'reads':>5} {'writes':>6} "
          f"{'read/min':>8} {'write/min':>9} {'Drive/min':>9} {'reads/busy':>10}")
    rows: dict[tuple[str, str], dict] = {}
    for old in (False, True):
        name = "before" if old else "now"
        with tempfile.TemporaryDirectory() as tmp:
            run_ = QuotaRun(Path(tmp), args.quota_tabs, args.quota_rows, args.latency, old, args.seed)
            rows[name, "first run"] = run_.phase(True, 12)
            rows[name, "57 edited in a minute"] = run_.phase(True, 12, run_.busy_all)
            rows[name, "idle"] = run_.phase(False, 1)
            rows[name, "deadline mix"] = run_.phase(False, args.mix, run_.mix)
            run_.store.engine.dispose()
        for phase in ("first run", "57 edited in a minute", "idle", "deadline mix"):
            n = rows[name, phase]
            print(f"{name:<8} {phase:<22} {n['cycles']:>6} {n['served']:>6} {n['refused']:>4} {n['reads']:>5} "
                  f"{n['writes']:>6} {n['read_min']:>8} {n['write_min']:>9} {n['drive_min']:>9} {n['per_busy']:>10.2f}")
    now, before = rows["now", "57 edited in a minute"], rows["before", "57 edited in a minute"]
    mix_now, mix_before = rows["now", "deadline mix"], rows["before", "deadline mix"]
    print(f"\n57 edited within a minute: {now['served']} cycle(s) to serve all, {now['refused']} x 429 "
          f"(before: {before['served']} cycle(s), {before['refused']} x 429); Sheets reads per busy spreadsheet "
          f"{now['per_busy']:.2f} (before {before['per_busy']:.2f}, ratio {now['per_busy'] / before['per_busy']:.2f})")
    print(f"Deadline mix over {args.mix} cycles: Sheets reads per busy spreadsheet {mix_now['per_busy']:.2f} "
          f"(before {mix_before['per_busy']:.2f}), {mix_now['refused']} x 429 (before {mix_before['refused']})")
    idle = rows["now", "idle"]
    print(f"Idle: {idle['reads'] + idle['writes']} Sheets requests, "
          f"{idle['drive_min']} Drive call(s) in the cycle")
    problems = []
    for phase in ("57 edited in a minute", "idle", "deadline mix"):
        n = rows["now", phase]
        if n["refused"] or n["read_min"] > 60 or n["write_min"] > 60:
            problems.append(f"quota, {phase}: {n['refused']} x 429, {n['read_min']} reads / {n['write_min']} writes "
                            "in a minute")
    if now["per_busy"] > 1.2 or mix_now["per_busy"] > 1.2:
        problems.append(f"Sheets reads per busy spreadsheet {now['per_busy']:.2f} / {mix_now['per_busy']:.2f} > 1.2")
    if idle["reads"] + idle["writes"] or idle["drive_min"] != 1:
        problems.append(f"idle: {idle['drive_min']} Drive calls, {idle['reads'] + idle['writes']} Sheets requests")
    return problems


def check(layout: str, tabs: int, books: int, name: str, n: dict[str, int]) -> list[str]:
    """The budget (DECISIONS.md #5, #14): no request above 2 MB, idle costs no Sheets request, a busy cycle
    is one read (+ the identity batchGet) and at most two writes per spreadsheet."""
    where = f"{layout}, {tabs} tabs, {name}: "
    out = [where + f"a request of {n['largest']:,} bytes"] if n["largest"] > TWO_MB else []
    if name == "idle" and n["read"] + n["write"]:
        out.append(where + f"{n['read'] + n['write']} Sheets requests")
    if name == "busy" and (n["read"] - n["identity"] > books or n["identity"] > books or n["write"] > 2 * books):
        out.append(where + f"{n['read']} reads, {n['write']} writes for {books} spreadsheets")
    return out


if __name__ == "__main__":
    main()
