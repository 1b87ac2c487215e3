"""`satudata init --demo`: eight OPDs of the demo data list, driven through the SOP by
simulated operators and Walidata over a few weeks, so every state is on show."""
from __future__ import annotations

import csv
import random
import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any, Callable

from rules import fields as f
from rules.calendar import WorkCalendar
from rules.wilayah import REFERENCE
from service.cli.distribute import distribute, plan_file
from service.poller.service import Service
from service.config import load_config
from rules import metadata as ms
from sheets.tables import edit_tab, write_metadata_tab

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


# The demo OPD that keeps a Metadata tab: its counts are MS-Var, its percentage and density MS-Ind.
METADATA_OPD = "DISPENDUKCAPIL"
KEGIATAN = "Registrasi Penduduk dan Pencatatan Sipil"
INDICATORS = {"DEMO-DISPENDUKCAPIL-006": ("Jumlah penduduk ber-KTP elektronik dibagi jumlah penduduk wajib KTP, "
                                          "dikali 100", "DEMO-DISPENDUKCAPIL-001",
                                          "Makin mendekati 100, makin lengkap kepemilikan KTP elektronik."),
              "DEMO-DISPENDUKCAPIL-007": ("Jumlah penduduk dibagi luas wilayah (km2)", "DEMO-DISPENDUKCAPIL-002",
                                          "Makin besar, makin padat penduduk tinggal di wilayah itu.")}


def demo_metadata(kabupaten: str) -> list[list[str]]:
    """The demo OPD's Metadata tab: its activity (MS-Keg) and one block per item, from the demo list."""
    rows = [list(ms.HEADER)] + ms.template_rows(ms.KEG, KEGIATAN, {
        "judul_kegiatan": KEGIATAN, "tahun_kegiatan": "2025", "cara_pengumpulan_data": "Kompilasi Produk Administrasi",
        "sektor_kegiatan": "Kependudukan", "instansi_penyelenggara": "Dinas Kependudukan dan Pencatatan Sipil",
        "unit_eselon_penanggung_jawab": "Bidang Pelayanan Pendaftaran Penduduk",
        "email_penanggung_jawab": "operator.dispendukcapil@contoh.go.id", "tujuan_kegiatan":
        "Menyediakan data penduduk menurut registrasi administrasi kependudukan", "frekuensi_penyelenggaraan":
        "Tahunan", "cakupan_wilayah_pengumpulan_data": kabupaten, "metode_pengumpulan_data":
        "Kompilasi data registrasi SIAK", "unit_observasi": "Penduduk", "periode_pengumpulan_data": "Januari–Desember",
        "tingkat_penyajian_hasil": "Kabupaten dan kecamatan"})
    for item in demo_items():
        if item["opd"] != METADATA_OPD:
            continue
        common = {"konsep": item["konsep"], "definisi": item["definisi"], "satuan": item["satuan"],
                  "dapat_diakses_umum": "Ya"}
        if item["kode_data"] in INDICATORS:
            rumus, source, meaning = INDICATORS[item["kode_data"]]
            rows += ms.template_rows(ms.IND, item["kode_data"], {
                **common, "nama_indikator": item["uraian"], "interpretasi": meaning, "metode_rumus_perhitungan": rumus,
                "ukuran": item["ukuran"], "klasifikasi_penyajian": item["klasifikasi"], "indikator_komposit": "Tidak",
                "kegiatan_penghasil_variabel_pembangun": KEGIATAN, "nama_variabel_pembangun": source,
                "level_estimasi": "Kabupaten"})
        else:
            rows += ms.template_rows(ms.VAR, item["kode_data"], {
                **common, "nama_variabel": item["uraian"], "referensi_waktu": "Keadaan 31 Desember",
                "tipe_data": "Bilangan bulat", "klasifikasi_isian": item["klasifikasi"],
                "kegiatan_penghasil": KEGIATAN})
    return rows


@dataclass
class DemoRow:
    values: dict[str, Any]
    stop_before_verify: bool = False


def demo_items() -> list[dict[str, str]]:
    with open(Path(REFERENCE) / "demo_daftar_data.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def write_demo_daftar(folder: Path, year: int) -> Path:
    """The demo's Daftar Data in the workspace (years moved to the workspace year): the file
    the demo hands out with `satudata distribute`, there for a Walidata to read and run again."""
    items = demo_items()
    shift = year - 2025
    for item in items:
        item["tahun"] = re.sub(r"\d{4}", lambda m: str(int(m.group()) + shift), item["tahun"])
    path = folder / "daftar_data_demo.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(items[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(items)
    return path


def _value(rng: random.Random, satuan: str) -> float | int:
    unit = satuan.casefold()
    if unit in ("persen", "%"):
        return round(rng.uniform(60, 99), 2)
    if "rupiah" in unit:
        return rng.randrange(12_000, 60_000, 50)
    if unit in ("ha", "km", "kw", "ton", "kg", "liter", "m", "mm", "jiwa/km2"):
        return round(rng.uniform(50, 5000), 1)
    return rng.randrange(5, 5000)


def build_rows(distributed: dict[str, list[dict[str, Any]]], year: int, rng: random.Random,
               kabupaten: str) -> dict[str, list[DemoRow]]:
    """The demo's values for the rows `distribute` put in each tab (same order as in the tab)."""
    out: dict[str, list[DemoRow]] = {}
    for opd, rows in distributed.items():
        demo = out[opd] = [DemoRow({**row, f.KETERANGAN: DEMO_NOTE}) for row in rows]
        totals: dict[tuple, DemoRow] = {}
        parts: dict[tuple, list[float | int]] = {}
        for row in demo:
            key = (row.values.get(f.KODE), row.values.get(f.TAHUN))
            if row.values.get(f.RINCIAN) == kabupaten:
                totals[key] = row
                continue
            row.values[f.NILAI] = _value(rng, row.values.get(f.SATUAN, ""))
            parts.setdefault(key, []).append(row.values[f.NILAI])
        for key, row in totals.items():
            total = sum(parts.get(key, [])) + (7 if key[0] == "DEMO-DIKPORA-001" else 0)  # a sum that does not add up
            row.values[f.NILAI] = round(total, 1) if isinstance(total, float) else total
    # Show-cases: a lost decimal comma against last year's archive, a value that is no number,
    # an ambiguous dot, and a gross enrolment rate above 100 that its per-item rule allows.
    aki = [r for r in out["DINKES"] if r.values[f.KODE] == "DEMO-DINKES-005"]
    for row in aki:
        row.values[f.NILAI] = "99,07" if row.values[f.TAHUN] == year - 1 else 9907
    tb = [r for r in out["DINKES"] if r.values[f.KODE] == "DEMO-DINKES-006"][0]
    tb.values[f.NILAI] = "-"
    out["BAG-PEREKONOMIAN"][0].values[f.NILAI] = "12.5"
    for row in out["DIKPORA"]:
        if "Kasar" in row.values[f.URAIAN]:
            row.values[f.NILAI] = 104.3
    return out


def _act(rows: list[DemoRow], boxes: tuple[str, ...], fill: bool, skip: set[int]) -> Callable:
    def change(sheet, columns: dict[str, int]) -> None:
        for i, row in enumerate(rows, start=2):
            if i in skip:
                continue
            if fill:
                for key in (f.NILAI, f.KETERANGAN):
                    sheet.cell(i, columns[key] + 1, row.values[key])
            for box in boxes:
                sheet.cell(i, columns[box] + 1, "YA")
    return change


def demo_timeline(end: datetime, calendar: WorkCalendar) -> list[datetime]:
    """The demo's poll moments, in working days before ``end``, so that whatever the day it runs
    the Ringkasan shows OPDs late (BPBD, still at 1 Draf after weeks), at risk (DISNAKKAN: the
    2 days of step 6 end on the next working day) and on time (the others), and every OPD's
    service clock some 20 working days into the SPM's 25."""
    def working_day_before(day, n: int):
        for _ in range(n):
            day -= timedelta(days=1)
            while not calendar.is_working_day(day):
                day -= timedelta(days=1)
        return day

    def at(day, hour: int) -> datetime:
        return datetime.combine(day, time(hour, 0), calendar.tz)

    ahead = calendar.next_working_day(end.astimezone(calendar.tz).date())  # the at-risk deadline falls here
    agreed = working_day_before(ahead, 2)  # step 6 (2 working days) began here: at risk
    checked = working_day_before(agreed, 1)  # steps 4-5 (5 working days) began here: on time
    listed = working_day_before(checked, 18)  # the lists were handed out and typed in
    moments = [at(listed, 8), at(listed, 9), at(listed, 10), at(listed, 11), at(checked, 8), at(agreed, 8), at(agreed, 9),
               at(agreed, 10), at(agreed, 11)]
    return [min(m, end) for m in moments]


def run_demo(folder: Path, end: datetime, progress: Callable[[int, int, str], None] | None = None) -> Service:
    """Fill the demo OPDs and poll them along a timeline of a few weeks that ends at ``end``.
    ``progress(done, total, what)``: per OPD in the first cycle, then per demo cycle."""
    config = load_config(folder / "satudata.toml")
    timeline = demo_timeline(end, WorkCalendar(config.extra_holidays))
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
    daftar = write_demo_daftar(folder, config.year)
    report = distribute(daftar, config, service.backend, service.wilayah)  # SOP step 2
    failed = [f"{r.opd}: {r.error}" for r in report.results if r.error]
    if failed:
        raise RuntimeError("distribute gagal pada demo: " + "; ".join(failed))
    rows = build_rows(plan_file(daftar, config, service.wilayah).rows, config.year, random.Random(2025),
                      service.wilayah.nama)
    write_metadata_tab(config.folder / f"{METADATA_OPD}.xlsx", demo_metadata(service.wilayah.nama))
    poll()  # every row gets an ID: 1 Draf
    every_box = tuple(box for boxes in ACTIONS for box in boxes)
    last_year = {i for i, r in enumerate(rows["DINKES"], start=2) if r.values[f.TAHUN] == config.year - 1}
    others = set(range(2, len(rows["DINKES"]) + 2)) - last_year
    edit_tab(config.folder / "DINKES.xlsx", _act(rows["DINKES"], every_box, True, others))
    poll()  # last year's AKI is filled at once and shown as 7 Diisi ...
    edit_tab(config.folder / "DINKES.xlsx", _act(rows["DINKES"], (f.VERIFIKASI,), False, others))
    poll()  # ... then verified and archived: the history check has something to compare
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
