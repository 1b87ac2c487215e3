"""Benchmark every dashboard page (HTML and JSON) on a large archive.

A temporary SQLite store holds 40 OPDs x 500 rows in every SOP state, 50,000 archive
versions, events and cycles, inserted directly through the schema. The Flask test client
asks for each page N times warm, then N/2 times each right after the poller finished a new
cycle (when cached reads are read again), and prints p50/p95 wall milliseconds with the p95
of CPU time (steadier on a shared machine). Target: p95 <= 50 ms everywhere.

    .venv/bin/python bench/dashboard.py [-n 50] [--opds 40] [--rows 500] [--versions 50000]

With ``--tahun N`` the archive is instead grown by the product itself, on SQLite and then on a
PostgreSQL database of its own (created and dropped; skipped when the server is not reachable):
rows added to the in-memory fake sheet, every row walked through the SOP by the poller to
10 Diarsip, ``rollover`` to the next year (which hands out the next year's draft), N times; in
the open year a third of the rows keep a galat. "After a cycle" then means after a real cycle
that archived a row (one value re-verified). Each page's p95 is printed beside the 50 ms target
and as a ratio to a floor measured in the same run: a bare Flask route on the same machine.

    .venv/bin/python bench/dashboard.py --tahun 3                      # ~10 x 200 rows, minutes
    .venv/bin/python bench/dashboard.py --tahun 5 --opds 57 --rows 500 # full size (~57 x 500,
                                                                       #  five years)

Growing takes long (12 OPD x 500 rows x 5 years: ~47 min per engine on a loaded 2-core machine;
the first year of 57 x 500 alone took over 20 min), so each grown archive is kept in ``--cache``
(default ~/.cache/satudata-bench/<parameters>/: the SQLite file, and a PostgreSQL template
database perf2_cache_<parameters>, with the fake sheets pickled) and every later run measures a
copy of it. ``--hanya-bangun`` only builds; ``--mesin`` picks the engines; ``--halaman`` the pages;
``--profil N`` prints each page's costliest functions on its first request after a cycle.
"""
from __future__ import annotations

import argparse
import json
import os
import pickle
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, insert, select  # noqa: E402

from service.archive import schema as t, texts  # noqa: E402
from service.config import Config, Opd  # noqa: E402
from service.archive.engine import refresh_statistics  # noqa: E402
from service.archive.store import Store, make_engine  # noqa: E402

STATES = ("1", "3", "5", "6", "7a", "8", "7", "9", "10")
NOW = datetime(2025, 4, 16, 3, 0, tzinfo=timezone.utc)  # 10.00 WIB on a Wednesday
FINDINGS = (
    [],
    [{"kode": "standar_data_belum_lengkap", "kolom": "konsep", "level": "peringatan",
      "pesan": "Standar Data belum lengkap: Konsep, Definisi kosong"}],
    [{"kode": "nilai_bukan_angka", "kolom": "nilai", "level": "galat", "pesan": "Nilai 'banyak' bukan angka"},
     {"kode": "tahun_kosong", "kolom": "tahun", "level": "galat", "pesan": "Tahun wajib diisi"}],
)


def build(folder: Path, n_opds: int = 40, n_rows: int = 500, n_versions: int = 50_000,
          seed: int = 7) -> tuple[Config, Store]:
    rng = random.Random(seed)
    url = f"sqlite:///{folder / 'arsip.sqlite'}"
    opds = tuple(Opd(f"OPD{i:02d}", f"Organisasi Perangkat Daerah {i:02d}") for i in range(n_opds))
    config = Config(path=folder / "satudata.toml", name="Bench", year=2025, backend="xlsx",
                    folder=folder / "sheets", spreadsheet_id=None, credentials=None, archive_url=url,
                    interval_seconds=60, walidata=(), opds=opds, rules_folder=None)
    engine = make_engine(url, upgrade=True)
    rows, events = [], []
    for o, opd in enumerate(opds):
        # each OPD leans towards one stage so phases and deadlines differ between OPDs
        lean = o % len(STATES)
        for r in range(n_rows):
            state = STATES[min(len(STATES) - 1, max(0, lean + rng.choice((-1, 0, 0, 1, 2))))]
            updated = NOW - timedelta(hours=rng.randint(1, 24 * 30))
            findings = FINDINGS[rng.choice((0, 0, 0, 1, 1, 2))]
            data = {"kode_data": f"K-{o:02d}-{r:03d}", "uraian_data": f"Uraian data nomor {r}",
                    "rincian": "Total kabupaten", "satuan": "Unit", "tahun": "2024",
                    "nilai": str(rng.randint(1, 99_999)), "keterangan": "", "konsep": "", "definisi": "",
                    "klasifikasi": "", "ukuran": "", "frekuensi": "Tahunan"}
            row_id = f"{opd.kode}-{r + 1:04d}"
            rows.append({"opd": opd.kode, "row_id": row_id, "state": state,
                         "data": json.dumps(data, ensure_ascii=False), "boxes": "{}", "catatan": "",
                         "box_notes": "{}", "notes": "{}", "findings": json.dumps(findings, ensure_ascii=False),
                         "updated_at": updated.replace(tzinfo=None), "archived_hash": None,
                         "archived_version": 0, "removed": False, "position": r + 2,
                         "galat": sum(x["level"] == "galat" for x in findings),
                         "peringatan": sum(x["level"] == "peringatan" for x in findings)})
            events.append({"cycle_id": 1, "at": updated.replace(tzinfo=None), "opd": opd.kode,
                           "row_id": row_id, "from_state": None, "to_state": state, "reason": "bench",
                           "cell_values": json.dumps(data, ensure_ascii=False)})
    archive = []
    per_row = max(1, n_versions // len(rows))
    for i in range(n_versions):
        row = rows[(i // per_row) % len(rows)]
        version = i % per_row + 1 + (i // (per_row * len(rows))) * per_row
        at = (NOW - timedelta(days=rng.randint(1, 300))).replace(tzinfo=None)
        archive.append({"opd": row["opd"], "row_id": row["row_id"], "version": version,
                        "kode_data": "K", "uraian_data": "Uraian", "rincian": "", "satuan": "Unit",
                        "tahun": 2024, "nilai": float(rng.randint(1, 99_999)), "nilai_teks": "1",
                        "keterangan": "", "content_hash": f"h{i}", "verified_at": at, "archived_at": at,
                        "datum": row["row_id"], "item_key": "uraian:uraian", "rincian_key": "kabupaten",
                        "kode_wilayah": "", "konsep": "", "definisi": "", "klasifikasi": "", "ukuran": "",
                        "frekuensi": ""})
    cycles = [{"started_at": (NOW - timedelta(minutes=i)).replace(tzinfo=None),
               "finished_at": (NOW - timedelta(minutes=i) + timedelta(seconds=3)).replace(tzinfo=None),
               "status": "selesai", "requests_read": 2, "requests_write": 1, "requests_other": 1,
               "tabs_read": 2, "rows_seen": 1000, "events": 3, "archived": 1, "errors": "[]"}
              for i in range(200)]
    with engine.begin() as conn:
        conn.execute(insert(t.tabs), [{"opd": o.kode, "next_seq": n_rows + 1, "token": None,
                                       "write_pending": False, "confirm_removal": False, "status": "ok",
                                       "message": "", "header_note": None,
                                       "checked_at": NOW.replace(tzinfo=None)} for o in opds])
        conn.execute(insert(t.rows), rows)
        texts.refer(conn, events)
        conn.execute(insert(t.events), events)
        conn.execute(insert(t.archive), archive)
        conn.execute(insert(t.cycles), cycles)
    return config, Store(engine)


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


PAGES = ("/", "/api/ringkasan", "/opd/OPD00", "/api/opd/OPD00", "/opd/OPD00/baris/OPD00-0001", "/temuan",
         "/api/temuan", "/temuan?level=galat&halaman=3", "/riwayat", "/arsip", "/arsip?semua_versi=1&halaman=50",
         "/kesehatan")
# with --tahun: every page of service/web (the HTML pages, their JSON, the Walidata's queues); the
# OPD pages of an OPD that did not archive in the cycle and of one that did (the cycle's turn)
GROWN_PAGES = ("/", "/api/ringkasan", "/opd/OPD00", "/opd/OPD00?halaman=2", "/api/opd/OPD00",
               "/opd/OPD00/baris/OPD00-0002", "/api/opd/OPD00/baris/OPD00-0002", "/temuan", "/api/temuan",
               "/temuan?level=galat&halaman=3", "/temuan?opd=OPD00", "/riwayat", "/api/riwayat",
               "/riwayat?opd=OPD00", "/arsip", "/api/arsip", "/arsip?semua_versi=1&halaman=50",
               "/arsip?opd=OPD00", "/kesehatan", "/api/kesehatan", "/pengawasan", "/api/pengawasan",
               "/pengaduan", "/api/pengaduan", "/?tahun={closed}", "/opd/OPD00?tahun={closed}")


def time_route(client, path: str, n: int, before=None) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds of n requests (``before`` runs untimed ahead of each)."""
    client.get(path)  # warm-up: templates compiled, holidays loaded
    wall, cpu = [], []
    for _ in range(n):
        if before is not None:
            before()
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(path)
        cpu.append((time.process_time() - start_cpu) * 1000)
        wall.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return wall, cpu


AGREE = ("Dicek Bersama", "Disepakati OPD", "Disepakati Walidata", "Disetujui Ka. OPD")
TOML = '[workspace]\nname = "Bench"\nyear = {year}\n\n[sheets]\nbackend = "xlsx"\n'


class GrownArchive:
    """A workspace whose archive holds ``years`` years, grown by the poller and ``rollover``."""

    def __init__(self, folder: Path, url: str, n_opds: int, n_rows: int, years: int, *, grow: bool = True) -> None:
        from rules.rulefile import load_rules
        from rules.wilayah import Wilayah
        from tests.fakes import FakeBackend

        folder.mkdir(parents=True, exist_ok=True)
        self.opds = tuple(Opd(f"OPD{i:02d}", f"Organisasi Perangkat Daerah {i:02d}") for i in range(n_opds))
        self.config = Config(path=folder / "satudata.toml", name="Bench", year=2025 - years + 1, backend="xlsx",
                             folder=folder / "sheets", spreadsheet_id=None, credentials=None, archive_url=url,
                             interval_seconds=60, walidata=("walidata@example.go.id",), opds=self.opds,
                             rules_folder=None)
        self.config.path.write_text(TOML.format(year=self.config.year), encoding="utf-8")
        self.backend, self.store = FakeBackend(), Store(make_engine(url, upgrade=True))
        self.rules, self.wilayah = load_rules(), Wilayah.load()
        self.now = datetime(self.config.year, 3, 3, 2, 0, tzinfo=timezone.utc)
        if not grow:
            return
        self.poll()  # the tabs
        for opd in self.opds:
            for r in range(n_rows):
                self.backend.add_row(opd.kode, Kode_Data=f"K-{r:04d}", Uraian_Data=f"Uraian data nomor {r}",
                                     Rincian="Total kabupaten", Satuan="Unit", Tahun=self.config.year)
        self.poll()
        for y in range(years):
            last = y == years - 1
            self.walk(keep_galat=last)
            if not last:
                self.roll()

    def state(self) -> bytes:
        """What besides the archive a later run needs: the fake sheets, the year and the clock."""
        return pickle.dumps((self.backend, self.config.year, self.now))

    def restore(self, state: bytes) -> None:
        import dataclasses

        self.backend, year, self.now = pickle.loads(state)  # noqa: S301 - our own cache file
        self.config = dataclasses.replace(self.config, year=year)
        self.config.path.write_text(TOML.format(year=year), encoding="utf-8")

    def service(self):
        from service.poller.service import Service
        return Service(self.config, self.backend, self.store, self.rules, self.wilayah, clock=lambda: self.now)

    def poll(self):
        self.now += timedelta(hours=1)
        return self.service().poll()

    def walk(self, keep_galat: bool) -> None:
        """Every row agreed, filled and verified (archived); with ``keep_galat`` every third row
        gets a value that is not a number instead and stays at the filling step."""
        for step in (AGREE, ("Nilai", "Tahun"), ("Selesai Diisi",), ("Terverifikasi",)):
            for opd in self.opds:
                for n in range(len(self.backend.ids(opd.kode))):
                    stuck = keep_galat and n % 3 == 0
                    if stuck and step == ("Terverifikasi",):
                        continue
                    for header in step:
                        value = {"Nilai": "banyak" if stuck else str(10 + n), "Tahun": self.config.year}
                        self.backend.set(opd.kode, n + 2, header, value.get(header, "YA"))
            self.poll()

    def roll(self) -> None:
        import dataclasses

        from service.cli.rollover import rollover
        year = self.config.year + 1
        self.now = datetime(year, 1, 5, 2, 0, tzinfo=timezone.utc)
        report = rollover(self.service(), year)
        assert not any(r.error for r in report.opds), [r.error for r in report.opds]
        self.config = dataclasses.replace(self.config, year=year)
        self.now = datetime(year, 3, 3, 2, 0, tzinfo=timezone.utc)
        self.poll()

    def archive_one(self, turn: int) -> None:
        """A real cycle that archives one row again (a verified value changed and re-verified)."""
        opd = self.opds[0].kode  # the OPD the pages name: its kept reads are the ones made stale
        rid = self.backend.ids(opd)[(1, 2, 4, 5, 7, 8)[turn % 6]]  # verified rows (every third keeps a galat)
        self.backend.set(opd, rid, "Nilai", str(1000 + turn))
        self.poll()
        self.backend.set(opd, rid, "Terverifikasi", "YA")
        report = self.poll()
        assert sum(t.archived for t in report.tabs) == 1, report.as_dict()


def floor_p95(n: int) -> float:
    """p95 wall ms of a bare Flask route on this machine now: the floor every page is divided by."""
    from flask import Flask

    app = Flask("lantai")
    app.add_url_rule("/", "lantai", lambda: "ok")
    wall, _ = time_route(app.test_client(), "/", n)
    return percentile(wall, 0.95)


BUILD = 1  # raise when GrownArchive grows a different archive: older caches are then not used


def cache_key(args) -> str:
    return f"o{args.opds}_r{args.rows}_t{args.tahun}_b{BUILD}"


def pg_server():
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    server = make_url(os.environ.get("SATUDATA_TEST_POSTGRES_URL",
                                     "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"))
    return server, create_engine(server, isolation_level="AUTOCOMMIT")


def own_postgres(template: str | None = None):
    """(URL of a new PostgreSQL database, drop()) or None when the server is not reachable;
    with ``template`` the new database is a copy of that one (the cached archive)."""
    import secrets

    from sqlalchemy import text

    name = f"perf2_bench_{secrets.token_hex(4)}"
    try:
        server, admin = pg_server()
        with admin.connect() as conn:
            conn.execute(text(f"create database {name}" + (f" template {template}" if template else "")))
    except Exception as exc:  # noqa: BLE001 - the driver's own message says why
        print(f"PostgreSQL dilewati: {exc}")
        return None

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f"drop database if exists {name} with (force)"))
        admin.dispose()
    return server.set(database=name).render_as_string(hide_password=False), drop


def pg_has(database: str) -> bool:
    from sqlalchemy import text

    _, admin = pg_server()
    with admin.connect() as conn:
        found = conn.execute(text("select 1 from pg_database where datname = :n"), {"n": database}).scalar()
    admin.dispose()
    return bool(found)


def workspace(label: str, tmp: Path, args) -> tuple[GrownArchive, object]:
    """The grown archive for this engine, from the cache when one was kept for these parameters
    (a copy: the measuring run changes it), else built now and then kept. Returns (ws, drop)."""
    from sqlalchemy import text

    key, folder = cache_key(args), tmp / label.lower()
    cache = Path(args.cache) / key
    state = cache / f"{label.lower()}.pickle"
    cached = state.exists() and not args.bangun_ulang
    started = time.perf_counter()
    if label == "SQLite":
        url, drop = f"sqlite:///{folder / 'arsip.sqlite'}", None
        if cached:
            folder.mkdir(parents=True)
            shutil.copyfile(cache / "arsip.sqlite", folder / "arsip.sqlite")
    else:
        template = f"perf2_cache_{key}"
        cached = cached and pg_has(template)
        made = own_postgres(template if cached else None)
        if made is None:
            raise LookupError("PostgreSQL")
        url, drop = made
    ws = GrownArchive(folder, url, args.opds, args.rows, args.tahun, grow=not cached)
    if cached:
        ws.restore(state.read_bytes())
    # planner statistics, as autovacuum keeps them in a database grown over five years: a database
    # built in minutes, or copied from a template, has none yet (PostgreSQL only; DECISIONS.md #157)
    refresh_statistics(ws.store.engine)
    if not cached:
        cache.mkdir(parents=True, exist_ok=True)
        state.unlink(missing_ok=True)
        if label == "SQLite":
            ws.store.engine.dispose()
            shutil.copyfile(folder / "arsip.sqlite", cache / "arsip.sqlite")
        else:
            ws.store.engine.dispose()
            _, admin = pg_server()
            with admin.connect() as conn:
                conn.execute(text(f"drop database if exists {template} with (force)"))
                conn.execute(text(f"create database {template} template {ws.store.engine.url.database}"))
            admin.dispose()
        state.write_bytes(ws.state())  # last: a cut-short build leaves no state, so it is built again
    print(f"\n{label}: arsip {'dari cache ' + str(cache) if cached else 'dibangun dan disimpan di ' + str(cache)} "
          f"({time.perf_counter() - started:.0f} s)", flush=True)
    return ws, drop


def measure(label: str, ws: GrownArchive, args) -> tuple[float, str]:
    """Print every page's p95 warm and first after a real archiving cycle, and its size; the
    worst (p95, page). With ``--profil N`` the first request after a cycle of each page is
    profiled too, and its N costliest product functions (cumulative) printed."""
    from service.web.app import create_app
    from service.web.server import freeze_startup_heap

    client = create_app(ws.config, ws.store, clock=lambda: ws.now).test_client()
    freeze_startup_heap()
    floor = floor_p95(args.n)
    print(f"lantai (rute Flask kosong) p95 {floor:.2f} ms; target 50 ms = {50 / floor:.0f}x lantai")
    print(f"{'halaman':<38} {'KB':>5} {'hangat p95 (CPU p95)':>28}   {'pertama sesudah siklus mengarsip p95 (CPU)':>38}")
    turns = iter(range(1, 10**9))
    worst = (0.0, "")
    pages = [p.format(closed=ws.config.year - 1) for p in GROWN_PAGES]
    for path in (p for p in pages if not args.halaman or any(p == h[:-1] if h.endswith("$") else h in p
                                                              for h in args.halaman)):
        size = len(client.get(path).data) / 1024
        warm = time_route(client, path, args.n)
        cold = time_route(client, path, args.siklus, before=lambda: ws.archive_one(next(turns)))
        cells = []
        for wall, cpu in (warm, cold):
            p95 = percentile(wall, 0.95)
            worst = max(worst, (p95, f"{label} {path}"))
            cells.append(f"{p95:6.1f} ({percentile(cpu, 0.95):5.1f}) ms = {p95 / floor:5.0f}x{' ✓' if p95 <= 50 else ' ✗'}")
        print(f"{path:<38} {size:5.0f} {cells[0]:>28}   {cells[1]:>38}", flush=True)
        if args.profil:
            profile_first(client, path, ws, next(turns), args.profil)
    return worst


def profile_first(client, path: str, ws: GrownArchive, turn: int, top: int) -> None:
    import cProfile
    import io
    import pstats

    ws.archive_one(turn)
    profiler = cProfile.Profile()
    profiler.runcall(client.get, path)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
    stats.print_stats(r"satudata|service/|rules/|sqlalchemy/engine/base|cursor", top)
    print("\n".join("    " + line for line in out.getvalue().splitlines()
                    if "/" in line or "ncalls" in line), flush=True)


def grown(args) -> int:
    worst = (0.0, "")
    labels = {"sqlite": ["SQLite"], "postgresql": ["PostgreSQL"], "keduanya": ["SQLite", "PostgreSQL"]}[args.mesin]
    if args.tanpa_postgres:
        labels = [x for x in labels if x != "PostgreSQL"]
    with tempfile.TemporaryDirectory() as tmp:
        for label in labels:
            try:
                ws, drop = workspace(label, Path(tmp), args)
            except LookupError:
                continue
            try:
                with ws.store.engine.connect() as conn:
                    versions = conn.execute(select(func.count()).select_from(t.archive)).scalar()
                    remembered = conn.execute(select(func.count()).select_from(t.rows)).scalar()
                print(f"{label}: {args.opds} OPD x {args.rows} baris x {args.tahun} tahun, {versions} versi arsip, "
                      f"{remembered} baris diingat", flush=True)
                if not args.hanya_bangun:
                    worst = max(worst, measure(label, ws, args))
            finally:
                ws.store.engine.dispose()
                if drop is not None:
                    drop()
    if args.hanya_bangun:
        return 0
    ok = worst[0] <= 50
    print(f"target p95 <= 50 ms on every page, warm and after a cycle: {'tercapai' if ok else 'TIDAK tercapai'} "
          f"(terburuk {worst[1]} p95 {worst[0]:.1f} ms)")
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=50, help="requests per route")
    parser.add_argument("--opds", type=int, default=None, help="OPDs (40; with --tahun 10)")
    parser.add_argument("--rows", type=int, default=None, help="rows per OPD (500; with --tahun 200)")
    parser.add_argument("--versions", type=int, default=50_000)
    parser.add_argument("--tahun", type=int, default=0, help="grow N years with the product's own commands")
    parser.add_argument("--siklus", type=int, default=20, help="with --tahun: requests after a real cycle, per page "
                        "(20: a p95 that one full garbage collection of the in-process poller cannot decide alone)")
    parser.add_argument("--tanpa-postgres", action="store_true", help="with --tahun: SQLite only")
    parser.add_argument("--mesin", choices=("sqlite", "postgresql", "keduanya"), default="keduanya",
                        help="with --tahun: which engines")
    parser.add_argument("--cache", default=os.path.expanduser("~/.cache/satudata-bench"),
                        help="with --tahun: folder keeping each built archive, keyed by its parameters")
    parser.add_argument("--bangun-ulang", action="store_true", help="with --tahun: build again, ignore the cache")
    parser.add_argument("--halaman", nargs="*", help="with --tahun: only the pages containing one of these ('/$': that page exactly)")
    parser.add_argument("--profil", type=int, default=0, help="with --tahun: profile each page's first request "
                        "after a cycle and print its N costliest functions")
    parser.add_argument("--hanya-bangun", action="store_true", help="with --tahun: build (or check) the cache only")
    args = parser.parse_args(argv)
    if args.tahun:
        args.opds, args.rows = args.opds or 10, args.rows or 200
        return grown(args)
    args.opds, args.rows = args.opds or 40, args.rows or 500

    from service.web.app import create_app
    from service.web.server import freeze_startup_heap

    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        config, store = build(Path(tmp), args.opds, args.rows, args.versions)
        print(f"store: {args.opds} OPD x {args.rows} baris, {args.versions} versi arsip "
              f"({time.perf_counter() - started:.1f} s)")
        client = create_app(config, store, clock=lambda: NOW).test_client()
        freeze_startup_heap()  # as `satudata serve` does once the app is built

        def new_cycle() -> None:  # the poller finished another cycle: cached reads are read again
            store.cycle_log.finish(store.cycle_log.start(NOW), NOW, status="selesai")

        print(f"{'halaman':<34} {'hangat p50/p95 (CPU p95)':>28}   {'sesudah siklus baru p50/p95 (CPU p95)':>38}")
        worst = (0.0, "")
        for path in PAGES:
            warm, warm_cpu = time_route(client, path, args.n)
            cold, cold_cpu = time_route(client, path, max(5, args.n // 2), before=new_cycle)
            row = []
            for wall, cpu in ((warm, warm_cpu), (cold, cold_cpu)):
                p95 = percentile(wall, 0.95)
                worst = max(worst, (p95, path))
                row.append(f"{statistics.median(wall):6.1f} /{p95:6.1f} ms ({percentile(cpu, 0.95):5.1f})")
            print(f"{path:<34} {row[0]:>28}   {row[1]:>38}")
        store.engine.dispose()
    ok = worst[0] <= 50
    print(f"target p95 <= 50 ms on every page, warm and after a cycle: {'tercapai' if ok else 'TIDAK tercapai'} "
          f"(terburuk {worst[1]} p95 {worst[0]:.1f} ms)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
