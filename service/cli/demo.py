"""`satudata init --demo`: eight OPDs of the demo data list, driven through the SOP by
simulated operators and Walidata over a few weeks, so every state is on show."""
from __future__ import annotations

import csv
import random
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable

from rules import fields as f
from rules.wilayah import REFERENCE, Wilayah
from service.poller.wiring import Service
from service.config import load_config
from sheets.tables import edit_tab

DEMO_NOTE = "DEMO: angka rekaan untuk peragaan, bukan data resmi"
# How far each demo OPD gets: the number of SOP actions its people take.
TARGET = {"BPBD": 0, "DPUPR": 1, "DISNAKKAN": 2, "DTPHP": 3, "DIKPORA": 4, "DINKES": 5,
          "BAG-PEREKONOMIAN": 5, "DISPENDUKCAPIL": 5}
ACTIONS = (  # (boxes ticked at this action)
    (f.DICEK,),
    (f.SEPAKAT_OPD, f.SEPAKAT_WALIDATA),
    (f.SETUJU_KA,),
    (f.SELESAI_ISI,),
    (f.VERIFIKASI,),
)


@dataclass
class DemoRow:
    values: dict[str, Any]
    stop_before_verify: bool = False


def demo_items() -> list[dict[str, str]]:
    with open(Path(REFERENCE) / "demo_daftar_data.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _categories(rincian: str) -> list[str]:
    inside = re.search(r"\(([^)]*)\)", rincian)
    if not inside or inside.group(1).isdigit():
        return [""]
    parts = [p.strip() for p in re.split(r"[;/]", inside.group(1)) if p.strip() and p.strip() != "dll"]
    return parts[:4] or [""]


def _value(rng: random.Random, satuan: str) -> float | int:
    unit = satuan.casefold()
    if unit in ("persen", "%"):
        return round(rng.uniform(60, 99), 2)
    if "rupiah" in unit:
        return rng.randrange(12_000, 60_000, 50)
    if unit in ("ha", "km", "kw", "ton", "kg", "liter", "m", "mm", "jiwa/km2"):
        return round(rng.uniform(50, 5000), 1)
    return rng.randrange(5, 5000)


def build_rows(items: list[dict[str, str]], wilayah: Wilayah, year: int, rng: random.Random) -> dict[str, list[DemoRow]]:
    out: dict[str, list[DemoRow]] = {}
    for item in items:
        base = {f.KODE: item["kode_data"], f.URAIAN: item["uraian"], f.SATUAN: item["satuan"],
                f.FREKUENSI: item["frekuensi"], f.KETERANGAN: DEMO_NOTE}
        if item["opd"] in ("DISPENDUKCAPIL", "BAG-PEREKONOMIAN"):
            base.update({f.KONSEP: item["uraian"].split(" menurut")[0], f.UKURAN: "Jumlah",
                         f.DEFINISI: f"{item['uraian']} di Kabupaten Magetan", f.KLASIFIKASI: item["rincian"]})
        rows = out.setdefault(item["opd"], [])
        if "Kecamatan (18)" in item["rincian"]:
            parts = {k.nama: _value(rng, item["satuan"]) for k in wilayah.kecamatan}
            for nama, value in parts.items():
                rows.append(DemoRow({**base, f.RINCIAN: nama, f.TAHUN: year, f.NILAI: value}))
            total = sum(parts.values())
            if item["kode_data"] == "DEMO-DIKPORA-001":
                total += 7  # a total that does not add up: the sum rule catches it
            rows.append(DemoRow({**base, f.RINCIAN: "Kabupaten Magetan", f.TAHUN: year,
                                 f.NILAI: round(total, 1) if isinstance(total, float) else total}))
            continue
        for category in _categories(item["rincian"]):
            rows.append(DemoRow({**base, f.RINCIAN: category, f.TAHUN: year, f.NILAI: _value(rng, item["satuan"])}))
    # Show-cases: a lost decimal comma against last year's archive, a value that is no number,
    # an ambiguous dot, and a gross enrolment rate above 100 that its per-item rule allows.
    aki = [r for r in out["DINKES"] if r.values[f.KODE] == "DEMO-DINKES-005"][0]
    out["DINKES"].insert(0, DemoRow({**aki.values, f.TAHUN: year - 1, f.NILAI: "99,07"}))
    aki.values[f.NILAI] = 9907
    tb = [r for r in out["DINKES"] if r.values[f.KODE] == "DEMO-DINKES-006"][0]
    tb.values[f.NILAI] = "-"
    out["BAG-PEREKONOMIAN"][0].values[f.NILAI] = "12.5"
    for row in out["DIKPORA"]:
        if "Kasar" in row.values[f.URAIAN]:
            row.values[f.NILAI] = 104.3
    return out


def _put_rows(rows: list[DemoRow]) -> Callable:
    def change(sheet, columns: dict[str, int]) -> None:
        for i, row in enumerate(rows, start=2):
            for key, value in row.values.items():
                if key in columns and key != f.NILAI:
                    sheet.cell(i, columns[key] + 1, value)
    return change


def _act(rows: list[DemoRow], boxes: tuple[str, ...], fill: bool, skip: set[int]) -> Callable:
    def change(sheet, columns: dict[str, int]) -> None:
        for i, row in enumerate(rows, start=2):
            if i in skip:
                continue
            if fill:
                sheet.cell(i, columns[f.NILAI] + 1, row.values[f.NILAI])
            for box in boxes:
                sheet.cell(i, columns[box] + 1, "YA")
    return change


def run_demo(folder: Path, end: datetime, progress: Callable[[int, int, str], None] | None = None) -> Service:
    """Fill the demo OPDs and poll them along a timeline of a few weeks that ends at ``end``.
    ``progress(done, total, what)``: per OPD in the first cycle, then per demo cycle."""
    config = load_config(folder / "satudata.toml")
    timeline = [end - timedelta(days=d) for d in (26, 25, 24, 20, 16, 12, 8, 4, 1)]
    clock = [timeline[0]]
    service = Service.open(config, clock=lambda: clock[0])

    cycles = len(timeline) + 1

    def poll() -> None:
        clock[0] = timeline.pop(0) if timeline else end
        first = len(timeline) == cycles - 2
        service.poll(progress=progress if first else None)
        if progress is not None:
            progress(cycles - 1 - len(timeline), cycles, "siklus demo")

    poll()  # creates every OPD workbook from the template
    rows = build_rows(demo_items(), service.wilayah, config.year, random.Random(2025))
    for opd, demo in rows.items():
        edit_tab(config.folder / f"{opd}.xlsx", _put_rows(demo))
    poll()  # every row gets an ID: 1 Draf
    every_box = tuple(box for boxes in ACTIONS for box in boxes)
    edit_tab(config.folder / "DINKES.xlsx", _act(rows["DINKES"][:1], every_box, True, set()))
    poll()  # last year's AKI goes straight to the archive: the history check has something to compare
    for step, boxes in enumerate(ACTIONS, start=1):
        for opd, demo in rows.items():
            if TARGET[opd] >= step:
                skip = {i for i in range(2, len(demo) + 2) if i % 2} if (opd == "DINKES" and step == 5) else set()
                edit_tab(config.folder / f"{opd}.xlsx", _act(demo, boxes, step == 4, skip))
        poll()
    edit_tab(config.folder / "DINKES.xlsx", _revision_request)
    clock[0] = end
    service.poll()
    if progress is not None:
        progress(cycles, cycles, "selesai")
    service.release()
    return service


def _revision_request(sheet, columns: dict[str, int]) -> None:
    """The Walidata asks for a revision on one filled DINKES row (7a Revisi)."""
    for i in range(3, sheet.max_row + 1):
        status = str(sheet.cell(i, columns[f.STATUS] + 1).value or "")
        if status.startswith("7 "):
            sheet.cell(i, columns[f.CATATAN] + 1, "Mohon lengkapi sumber data pada Keterangan (nama aplikasi/laporan).")
            return
