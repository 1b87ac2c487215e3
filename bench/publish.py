"""Publication cost: a cycle that archives one row, with and without [publikasi] otomatis, and
a full `satudata publish` at a growing number of items.

    .venv/bin/python bench/publish.py [--opd 40] [--items 100 400 1600] [--years 5] [--runs 3] [--cycles 5]
                                      [--ruang DIR]

Each workspace is an Excel workspace built with the product itself: an operator's rows written into
the workbooks, the poller takes them through agreement, filling and verification until they are
archived (four rincian per item), then `rollover` closes the year and the next year's draft goes the
same way, for ``--years`` years: the archive holds the closed years and the open one. Then, at the
largest workspace, the same cycle (one value of the open year changed and re-verified, so one row
is archived) is measured with publication off (the floor) and on, on the same Excel workbooks, in
the same run, alternating; the minimum CPU of --cycles repetitions of each is printed with the
ratio (target <= 1.3x; a cycle is ~50 ms, so on a shared machine more than three are needed for
the minimum to be the cycle's own cost, not another process's). A full build+write of the
publication is timed at each size (--runs times) and printed per item (target: linear, the
per-item cost flat from the smallest to the largest size). Building takes
long (every year through the poller on Excel): ``--ruang DIR`` keeps the workspaces in DIR and a
later run with the same sizes reuses them (put DIR on a tmpfs such as /dev/shm to spare the disk).
"""
from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rules.rulefile import load_rules  # noqa: E402
from rules.wilayah import Wilayah  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from service.archive import schema  # noqa: E402
from service.archive.queries import Queries  # noqa: E402
from service.archive.store import Store, make_engine  # noqa: E402
from service.archive.timestamps import from_db  # noqa: E402
from service.cli.rollover import rollover  # noqa: E402
from service.config import Config, Opd  # noqa: E402
from service.poller.service import Service  # noqa: E402
from service.publish.build import build, publish_after_cycle, write  # noqa: E402
from service.publish.settings import load_settings  # noqa: E402
from sheets.base import CellWrite, TabWrites  # noqa: E402
from sheets.layout import COLUMNS  # noqa: E402
from sheets.xlsx import XlsxBackend  # noqa: E402

WIB = ZoneInfo("Asia/Jakarta")
COL = {c.key: i for i, c in enumerate(COLUMNS)}
AGREE = ("dicek_bersama", "disepakati_opd", "disepakati_walidata", "disetujui_ka_opd")
RINCIAN = ("Kabupaten Magetan", "Poncol", "Magetan", "Plaosan")
STANDAR = {"konsep": "Puskesmas", "definisi": "Banyaknya puskesmas yang beroperasi di wilayah",
           "klasifikasi": "Kecamatan", "ukuran": "Jumlah", "frekuensi": "Tahunan"}


class Workspace:
    def __init__(self, root: Path, n_opds: int, n_items: int, years: int) -> None:
        """Build the workspace in ``root``, or open the one a run with the same sizes left there."""
        self.opds = [f"OPD{i:02d}" for i in range(n_opds)]
        first = 2026 - years
        done = root / "selesai"
        path = root / "satudata.toml"
        self.config = Config(path=path, name="Bench", year=2025 if done.exists() else first, backend="xlsx",
                             folder=root / "sheets", spreadsheet_id=None, credentials=None,
                             archive_url=f"sqlite:///{root / 'arsip.sqlite'}", interval_seconds=60,
                             walidata=("walidata@example.go.id",),
                             opds=tuple(Opd(k, f"Organisasi {k}") for k in self.opds), rules_folder=None)
        self.backend = XlsxBackend(self.config.folder)
        self.rules, self.wilayah = load_rules(), Wilayah.load()
        self.items = max(1, n_items // n_opds) * n_opds
        if done.exists():
            self.store = Store(make_engine(self.config.archive_url, upgrade=True))
            with self.store.engine.connect() as conn:  # a day after the last run's last cycle (and its lease)
                last = conn.execute(select(func.max(schema.cycles.c.started_at))).scalar()
            self.now = from_db(last).astimezone(WIB) + timedelta(days=1)
            self.service = self.with_publication(False)
            self.poll()  # this process's first read of every workbook
            return
        root.mkdir(parents=True)
        path.write_text(f'[workspace]\nname = "Bench"\nyear = {first}\n', encoding="utf-8")  # rollover edits it
        self.backend.ensure_tabs([(o, f"Organisasi {o}") for o in self.opds])
        self.store = Store(make_engine(self.config.archive_url, upgrade=True))
        self.now = datetime(first, 3, 3, 9, 0, tzinfo=WIB)
        self.service = self.with_publication(False)
        self.poll()  # the tabs
        per_opd = max(1, n_items // n_opds)
        for opd in self.opds:
            self.append(opd, [{"kode_data": f"{opd}-K{item:04d}", "uraian_data": f"Jumlah item {item}",
                               "rincian": rincian, "satuan": "Unit", "tahun": first, **STANDAR}
                              for item in range(per_opd) for rincian in RINCIAN])
        for year in range(first, first + years):
            if year > first:
                self.config = dataclasses.replace(self.config, year=year)
                self.now = datetime(year, 3, 3, 9, 0, tzinfo=WIB)
                self.service = self.with_publication(False)
            self.poll()
            self.set_all(AGREE, True)
            self.poll()
            self.set_all(("nilai",), None)
            self.set_all(("selesai_diisi",), True)
            self.poll()
            self.set_all(("terverifikasi",), True)
            self.poll()
            self.poll()
            if year < first + years - 1:
                report = rollover(self.service, year + 1)
                assert not any(r.error for r in report.opds), report
        archived = Queries(self.store.engine).archive_count()
        assert archived == self.items * len(RINCIAN) * years, (archived, self.items, years)  # every year archived
        done.write_text("", encoding="utf-8")

    def with_publication(self, on: bool) -> Service:
        config = dataclasses.replace(self.config, publikasi={"otomatis": on})
        return Service(config, self.backend, self.store, self.rules, self.wilayah, clock=lambda: self.now)

    def tab(self, opd: str):
        return self.backend.read([opd], {})[0].snapshot

    def write(self, opd: str, cells: list[CellWrite]) -> None:
        snapshot = self.tab(opd)
        self.backend.write([TabWrites(opd, snapshot.title, cells)], {opd: snapshot})

    def append(self, opd: str, rows: list[dict]) -> None:
        start = len(self.tab(opd).rows)
        self.write(opd, [CellWrite(start + i + 1, COL[k], v) for i, row in enumerate(rows) for k, v in row.items()])

    def set_all(self, keys: tuple[str, ...], value) -> None:
        """Every row's ``keys`` set to ``value`` (None: a value of its own, for Nilai)."""
        for opd in self.opds:
            rows = self.tab(opd).rows
            self.write(opd, [CellWrite(i + 1, COL[k], 10 + i if value is None else value)
                             for i in range(len(rows)) for k in keys])

    def poll(self, service: Service | None = None):
        self.now += timedelta(hours=1)
        return (service or self.service).poll()

    def archive_one(self, service: Service, opd: str, value: int) -> float:
        """CPU seconds of the cycle that archives one re-verified value of the open year (with
        publication on, the publication is first brought up to the archive, so the cycle
        publishes its own row only, not also the floor's)."""
        self.write(opd, [CellWrite(1, COL["nilai"], value)])
        self.poll(service)
        self.write(opd, [CellWrite(1, COL["terverifikasi"], True)])
        assert publish_after_cycle(service.config, self.store, self.rules, self.wilayah) is None
        start = time.process_time()
        report = self.poll(service)
        spent = time.process_time() - start
        assert sum(t.archived for t in report.tabs) == 1, report.as_dict()
        assert not report.errors, report.errors
        return spent


def full_publish(ws: Workspace, out: Path) -> float:
    start = time.process_time()
    write(build(ws.config, ws.store, ws.rules, ws.wilayah, load_settings(ws.config)), out)
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--opd", type=int, default=40)
    parser.add_argument("--items", type=int, nargs="+", default=[100, 400, 1600])
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--runs", type=int, default=3, help="full publishes per size")
    parser.add_argument("--cycles", type=int, default=5, help="one-row cycles with publication off and on")
    parser.add_argument("--ruang", type=Path, help="keep the built workspaces here and reuse them on the next run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        where = args.ruang or Path(tmp)
        per_item = []
        ws = None
        for n in args.items:
            if ws is not None:
                ws.store.engine.dispose()
            ws = Workspace(where / f"ws{n}-{min(args.opd, n)}-{args.years}", min(args.opd, n), n, args.years)
            best = min(full_publish(ws, Path(tmp) / f"out{n}-{r}") for r in range(args.runs))
            per_item.append((ws.items, best))
            print(f"publish penuh {ws.items:>5} item: {best:7.3f} s CPU, {1000 * best / ws.items:6.2f} ms/item",
                  flush=True)
        first, last = per_item[0][1] / per_item[0][0], per_item[-1][1] / per_item[-1][0]
        print(f"biaya per item, terbesar / terkecil: {last / first:.2f}x (target: linear, ~1x)")
        off, on = ws.with_publication(False), ws.with_publication(True)
        full_publish(ws, load_settings(on.config).folder)  # the workspace's publication exists already
        floors, costs = [], []
        fresh = 10**6 + Queries(ws.store.engine).archive_watermark()  # values no earlier run archived
        for r in range(args.cycles):
            floors.append(ws.archive_one(off, ws.opds[r % len(ws.opds)], fresh + 2 * r))
            costs.append(ws.archive_one(on, ws.opds[(r + 1) % len(ws.opds)], fresh + 2 * r + 1))
        floor, cost = min(floors), min(costs)
        print(f"siklus Excel mengarsip 1 baris di {ws.items} item, arsip {args.years} tahun: publikasi mati {floor:.3f} s, "
              f"hidup {cost:.3f} s CPU -> {cost / floor:.2f}x (target <= 1,3x)")
        ws.store.engine.dispose()


if __name__ == "__main__":
    main()
