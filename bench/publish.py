"""Publication cost: a cycle that archives one row, with and without [publikasi] otomatis, and
a full `satudata publish` at a growing number of items.

    .venv/bin/python bench/publish.py [--opd 40] [--items 100 400 1600] [--runs 3]

Each workspace is built with the product itself: rows added to the in-memory fake sheet, the
poller takes them through agreement, filling and verification until they are archived (four
rincian per item). Then, at the largest workspace, the same cycle (one value changed and
re-verified, so one row is archived) is measured with publication off (the floor) and on, in
the same run, alternating; the minimum CPU of --runs repetitions is printed with the ratio
(target <= 1.3x). A full build+write of the publication is timed at each size and printed
per item (target: linear, the per-item cost flat from the smallest to the largest size).
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
from service.archive.store import Store, make_engine  # noqa: E402
from service.config import Config, Opd  # noqa: E402
from service.poller.service import Service  # noqa: E402
from service.publish.build import build, write  # noqa: E402
from service.publish.settings import load_settings  # noqa: E402
from tests.fakes import FakeBackend  # noqa: E402

WIB = ZoneInfo("Asia/Jakarta")
AGREE = ("Dicek Bersama", "Disepakati OPD", "Disepakati Walidata", "Disetujui Ka. OPD")
RINCIAN = ("Kabupaten Magetan", "Poncol", "Magetan", "Plaosan")
STANDAR = {"Konsep": "Puskesmas", "Definisi": "Banyaknya puskesmas yang beroperasi di wilayah",
           "Klasifikasi": "Kecamatan", "Ukuran": "Jumlah", "Frekuensi": "Tahunan"}


class Workspace:
    def __init__(self, root: Path, n_opds: int, n_items: int) -> None:
        root.mkdir(parents=True)
        self.opds = [f"OPD{i:02d}" for i in range(n_opds)]
        self.config = Config(path=root / "satudata.toml", name="Bench", year=2025, backend="xlsx",
                             folder=root / "sheets", spreadsheet_id=None, credentials=None,
                             archive_url=f"sqlite:///{root / 'arsip.sqlite'}", interval_seconds=60,
                             walidata=("walidata@example.go.id",),
                             opds=tuple(Opd(k, f"Organisasi {k}") for k in self.opds), rules_folder=None)
        self.backend = FakeBackend()
        self.store = Store(make_engine(self.config.archive_url, upgrade=True))
        self.rules, self.wilayah = load_rules(), Wilayah.load()
        self.now = datetime(2025, 3, 3, 9, 0, tzinfo=WIB)
        self.service = self.with_publication(True)
        self.poll()  # the tabs
        per_opd = max(1, n_items // n_opds)
        for opd in self.opds:
            for item in range(per_opd):
                for rincian in RINCIAN:
                    self.backend.add_row(opd, Kode_Data=f"{opd}-K{item:04d}", Uraian_Data=f"Jumlah item {item}",
                                         Rincian=rincian, Satuan="Unit", Tahun=2024,
                                         **{k.replace(" ", "_"): v for k, v in STANDAR.items()})
        self.poll()
        for headers in (AGREE, ("Nilai",), ("Selesai Diisi",), ("Terverifikasi",)):
            self.set_all(headers)
            self.poll()
        self.poll()
        self.items = per_opd * n_opds

    def with_publication(self, on: bool) -> Service:
        config = dataclasses.replace(self.config, publikasi={"otomatis": on})
        return Service(config, self.backend, self.store, self.rules, self.wilayah, clock=lambda: self.now)

    def set_all(self, headers: tuple[str, ...]) -> None:
        for opd in self.opds:
            for n, rid in enumerate(self.backend.ids(opd)):
                for header in headers:
                    self.backend.set(opd, rid, header, str(10 + n) if header == "Nilai" else "YA")

    def poll(self, service: Service | None = None):
        self.now += timedelta(hours=1)
        return (service or self.service).poll()

    def archive_one(self, service: Service, opd: str, value: int) -> float:
        """CPU seconds of the cycle that archives one re-verified value."""
        rid = self.backend.ids(opd)[0]
        self.backend.set(opd, rid, "Nilai", str(value))
        self.poll(service)
        self.backend.set(opd, rid, "Terverifikasi", "YA")
        start = time.process_time()
        report = self.poll(service)
        spent = time.process_time() - start
        assert sum(t.archived for t in report.tabs) == 1, report.as_dict()
        return spent


def full_publish(ws: Workspace, out: Path) -> float:
    start = time.process_time()
    write(build(ws.config, ws.store, ws.rules, ws.wilayah, load_settings(ws.config)), out)
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--opd", type=int, default=40)
    parser.add_argument("--items", type=int, nargs="+", default=[100, 400, 1600])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        per_item = []
        ws = None
        for n in args.items:
            if ws is not None:
                ws.store.engine.dispose()
            ws = Workspace(Path(tmp) / f"ws{n}", min(args.opd, n), n)
            best = min(full_publish(ws, Path(tmp) / f"out{n}-{r}") for r in range(args.runs))
            per_item.append((ws.items, best))
            print(f"publish penuh {ws.items:>5} item: {best:7.3f} s CPU, {1000 * best / ws.items:6.2f} ms/item",
                  flush=True)
        first, last = per_item[0][1] / per_item[0][0], per_item[-1][1] / per_item[-1][0]
        print(f"biaya per item, terbesar / terkecil: {last / first:.2f}x (target: linear, ~1x)")
        off, on = ws.with_publication(False), ws.with_publication(True)
        full_publish(ws, load_settings(on.config).folder)  # the workspace's publication exists already
        floors, costs = [], []
        for r in range(args.runs):
            floors.append(ws.archive_one(off, ws.opds[r % len(ws.opds)], 1000 + r))
            costs.append(ws.archive_one(on, ws.opds[(r + 1) % len(ws.opds)], 2000 + r))
        floor, cost = min(floors), min(costs)
        print(f"siklus mengarsip 1 baris di {ws.items} item: publikasi mati {floor:.3f} s, "
              f"hidup {cost:.3f} s CPU -> {cost / floor:.2f}x (target <= 1,3x)")
        ws.store.engine.dispose()


if __name__ == "__main__":
    main()
