"""Sheets/Drive requests per poll cycle, GoogleBackend vs a naive gspread poller (DESIGN section 7).

    python bench/requests.py [--rows 20] [--edited 3]

Both run against the in-process fake Sheets API (tests/fake_sheets_api.py; nothing leaves the
machine) on one spreadsheet with 1, 10 and 40 OPD tabs of ``--rows`` rows each. Cycles:
``new rows`` (every row gets an ID, a status and a time), ``idle`` (nothing changed), ``busy``
(the Walidata ticks a box on ``--edited`` rows of every tab) and, for GoogleBackend, ``after write``
(the cycle after a write reads once to confirm). The naive poller opens the spreadsheet, lists its
tabs, calls ``get_all_records()`` per tab and ``update_cell()`` per changed cell. The last column is
the minutes of the service account's quota (60 reads and 60 writes a minute) one cycle needs.
"""
from __future__ import annotations

import argparse
import math
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

# this file is named requests.py: keep its folder off sys.path so `import requests` finds the library
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

from rules.rulefile import load_rules  # noqa: E402
from rules.wilayah import Wilayah  # noqa: E402
from service.config import Config, Opd  # noqa: E402
from service.poller.cycle import run_cycle  # noqa: E402
from service.archive.store import Store, make_engine  # noqa: E402
from sheets.layout import HEADERS  # noqa: E402
from tests.fake_sheets_api import FakeSheetsApi  # noqa: E402
from tests.fake_sheets_grid import Cell  # noqa: E402
from tests.google_world import ActingGoogleBackend  # noqa: E402

WIB = ZoneInfo("Asia/Jakarta")
SID = "1BenchSatuData"
WALIDATA = "walidata@example.go.id"
COL = {h: i for i, h in enumerate(HEADERS)}


def setup(kodes: list[str], folder: Path) -> tuple[FakeSheetsApi, Config, ActingGoogleBackend]:
    api = FakeSheetsApi(quota_enabled=False)  # count every request, let none be refused
    config = Config(path=folder / "satudata.toml", name="Bench", year=2025, backend="google", folder=folder,
                    spreadsheet_id=SID, credentials=None, archive_url=f"sqlite:///{folder / 'arsip.sqlite'}",
                    interval_seconds=60, walidata=(WALIDATA,),
                    opds=tuple(Opd(k, k, (f"operator.{k.lower()}@example.go.id",)) for k in kodes), rules_folder=None)
    api.create_spreadsheet(SID, editors={api.service_account, WALIDATA, *(o.operators[0] for o in config.opds)})
    backend = ActingGoogleBackend(api, config)
    backend.ensure_tabs([(k, k) for k in kodes])
    return api, config, backend


def fill(api: FakeSheetsApi, kodes: list[str], rows: int) -> None:
    """Every tab gets ``rows`` data rows, typed straight into the model (not a poller's cost)."""
    for kode in kodes:
        sheet = api.sheet(SID, kode)
        for r in range(1, rows + 1):
            for header, value in (("Kode Data", f"{kode}-K{r:03d}"), ("Uraian Data", f"Jumlah item {r}"),
                                  ("Satuan", "Unit"), ("Tahun", 2024), ("Nilai", r * 10)):
                sheet.cells[r, COL[header]] = Cell(value=value)
    api.touch(SID)


def edit(api: FakeSheetsApi, backend: ActingGoogleBackend, kodes: list[str], edited: int) -> None:
    """The Walidata ticks Dicek Bersama on the first ``edited`` rows of every tab, through the API."""
    for kode in kodes:
        for r in range(2, 2 + edited):
            backend.type_into(WALIDATA, kode, r, COL["Dicek Bersama"], True)


def used(api: FakeSheetsApi, before: dict[str, int]) -> dict[str, int]:
    return {k: v - before[k] for k, v in api.counts().items()}


def ours(tabs: int, rows: int, edited: int) -> list[tuple[str, dict[str, int]]]:
    kodes = [f"OPD{i:02d}" for i in range(tabs)]
    with tempfile.TemporaryDirectory() as tmp:
        api, config, backend = setup(kodes, Path(tmp))
        store, rules, wilayah = Store(make_engine(config.archive_url, upgrade=True)), load_rules(), Wilayah.load()
        clock = [datetime(2025, 3, 3, 9, 0, tzinfo=WIB)]

        def cycle() -> dict[str, int]:
            clock[0] += timedelta(minutes=1)
            api.clock.advance(60)
            before = api.counts()
            report = run_cycle(config, backend, store, rules, wilayah, clock[0])
            assert not report.errors, report.errors
            return used(api, before)

        cycle()
        fill(api, kodes, rows)
        out = [("new rows", cycle()), ("after write", cycle()), ("idle", cycle())]
        edit(api, backend, kodes, edited)
        out += [("busy", cycle()), ("after write", cycle()), ("idle", cycle())]
        store.engine.dispose()
    return [out[0], out[2], out[3], out[4]]


class NaivePoller:
    """What a first gspread poller looks like: read every tab as records, write cell by cell."""

    def __init__(self, client, kodes: list[str]) -> None:
        self.client, self.kodes = client, kodes
        self.seen: dict[tuple[str, int], tuple] = {}
        self.seq = 0

    def cycle(self, now: str) -> None:
        spreadsheet = self.client.open_by_key(SID)
        worksheets = {ws.title: ws for ws in spreadsheet.worksheets()}
        for kode in self.kodes:
            ws = worksheets[kode]
            for row, record in enumerate(ws.get_all_records(), start=2):
                if self.seen.get((kode, row)) == tuple(record.values()):
                    continue
                if not record["ID"]:
                    self.seq += 1
                    record["ID"] = f"{kode}-{self.seq:04d}"
                    ws.update_cell(row, COL["ID"] + 1, record["ID"])
                status = "3 Dicek" if record["Dicek Bersama"] in (True, "TRUE") else "1 Draf"
                for header, value in (("Status", status), ("Diperbarui", now)):
                    if record[header] != value:
                        record[header] = value
                        ws.update_cell(row, COL[header] + 1, value)
                self.seen[(kode, row)] = tuple(record.values())


def naive(tabs: int, rows: int, edited: int) -> list[tuple[str, dict[str, int]]]:
    kodes = [f"OPD{i:02d}" for i in range(tabs)]
    with tempfile.TemporaryDirectory() as tmp:
        api, _, backend = setup(kodes, Path(tmp))
    fill(api, kodes, rows)
    poller = NaivePoller(api.client(), kodes)
    out = []
    for name in ("new rows", "idle", "busy"):
        if name == "busy":
            edit(api, backend, kodes, edited)
        before = api.counts()
        poller.cycle(now=f"03/03/2025 09:{len(out):02d}")
        out.append((name, used(api, before)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20, help="rows per tab")
    parser.add_argument("--edited", type=int, default=3, help="rows edited per tab in the busy cycle")
    args = parser.parse_args()
    print(f"Requests per poll cycle, one spreadsheet, {args.rows} rows per tab, {args.edited} rows edited per "
          "tab when busy (fake Sheets API)\n")
    print(f"{'tabs':>4}  {'poller':<14} {'cycle':<12} {'Drive':>5} {'Sheets read':>11} {'Sheets write':>12} "
          f"{'quota min':>9}")
    for tabs in (1, 10, 40):
        for name, rows in (("GoogleBackend", ours(tabs, args.rows, args.edited)),
                           ("naive gspread", naive(tabs, args.rows, args.edited))):
            for cycle, n in rows:
                minutes = max(1, math.ceil(max(n["read"], n["write"]) / 60))
                print(f"{tabs:>4}  {name:<14} {cycle:<12} {n['drive']:>5} {n['read']:>11} {n['write']:>12} "
                      f"{minutes:>9}")
        print()


if __name__ == "__main__":
    main()
