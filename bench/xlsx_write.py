"""What an Excel write costs: a real `satudata poll --once` on N workbooks x M rows, and the XML
patch writer against openpyxl's full load + save (the writer it replaced) in the same run.

    python bench/xlsx_write.py --opd 40 --rows 500 --edited 0.01

Prints wall seconds of: the first poll (every row new, every row written), an idle poll, a poll
after --edited of the rows of every workbook changed, and per workbook the patch write of such a
change against openpyxl's load + save of the same workbook. Targets (issue 14.4): 1 % edited in
every workbook <= 3 s, first poll <= 10 s. The rest of a poll (archive store, reconcile, start-up)
is measured by bench/cycle.py.
"""
from __future__ import annotations

import argparse
import io
import random
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import openpyxl  # noqa: E402

from sheets.base import CellWrite, TabWrites  # noqa: E402
from sheets.layout import COLUMNS  # noqa: E402
from sheets.xlsx import XlsxBackend, save_atomic  # noqa: E402

COL = {c.key: i for i, c in enumerate(COLUMNS)}
KECAMATAN = ("Poncol", "Parang", "Lembeyan", "Takeran", "Nguntoronadi", "Kawedanan", "Magetan", "Ngariboyo",
             "Plaosan", "Sidorejo", "Panekan", "Sukomoro", "Bendo", "Maospati", "Karangrejo", "Karas",
             "Barat", "Kartoharjo")


def config(root: Path, opds: list[str]) -> Path:
    text = ('[workspace]\nname = "Bench"\nyear = 2025\n\n[sheets]\nbackend = "xlsx"\nfolder = "sheets"\n\n'
            '[archive]\nurl = "sqlite:///arsip.sqlite"\n')
    text += "".join(f'\n[[opd]]\nkode = "{o}"\nnama = "{o}"\n' for o in opds)
    path = root / "satudata.toml"
    path.write_text(text, encoding="utf-8")
    return path


def build(folder: Path, opds: list[str], rows: int, rng: random.Random) -> None:
    """Workbooks from the template, each filled with ``rows`` rows typed by an operator."""
    backend = XlsxBackend(folder)
    backend.ensure_tabs([(o, o) for o in opds])
    for opd in opds:
        workbook = openpyxl.load_workbook(backend.path(opd))
        sheet = workbook[opd]
        for i in range(rows):
            sheet.append([None, f"{opd}-K{i // 19:03d}", f"Jumlah Item {i // 19} menurut Kecamatan",
                          f"Kec. {KECAMATAN[i % 18]}", "Unit", 2024, rng.randrange(1, 90000)])
        save_atomic(workbook, backend.path(opd))


def poll(config_path: Path) -> float:
    start = time.perf_counter()
    satudata = Path(sys.executable).with_name("satudata")  # the installed command, as a Walidata runs it
    subprocess.run([str(satudata), "-c", str(config_path), "poll", "--once"], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def edit(folder: Path, opds: list[str], share: float, rng: random.Random) -> int:
    """An operator changes Nilai in ``share`` of the rows of every workbook (written with the patch
    writer, as a stand-in for the user's own save)."""
    backend = XlsxBackend(folder)
    count = 0
    for result in backend.read(opds, {}):
        snapshot = result.snapshot
        picked = rng.sample(range(len(snapshot.rows)), max(1, round(share * len(snapshot.rows))))
        cells = [CellWrite(i + 1, COL["nilai"], rng.randrange(1, 90000)) for i in picked]
        backend.write([TabWrites(result.opd, result.opd, cells)], {result.opd: snapshot})
        count += len(cells)
    return count


def peer(folder: Path, opds: list[str], share: float, rng: random.Random) -> tuple[list[float], list[float]]:
    """Per workbook: the patch write of a poller batch for ``share`` of the rows, and openpyxl's
    load + set the same cells + save of the same workbook (in memory, not replacing the file)."""
    backend = XlsxBackend(folder)
    patch_times, openpyxl_times = [], []
    for result in backend.read(opds, {}):
        snapshot = result.snapshot
        picked = rng.sample(range(len(snapshot.rows)), max(1, round(share * len(snapshot.rows))))
        cells = [CellWrite(i + 1, COL[k], f"bench {rng.random()}") for i in picked for k in ("status", "hasil_pemeriksaan")]
        data = backend.path(result.opd).read_bytes()
        start = time.perf_counter()
        backend.write([TabWrites(result.opd, result.opd, cells)], {result.opd: snapshot})
        patch_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(data))
        sheet = workbook[result.opd]
        for cell in cells:
            sheet.cell(cell.row + 1, cell.col + 1, cell.value)
        workbook.save(io.BytesIO())
        openpyxl_times.append(time.perf_counter() - start)
    return patch_times, openpyxl_times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--opd", type=int, default=40)
    parser.add_argument("--rows", type=int, default=500)
    parser.add_argument("--edited", type=float, default=0.01)
    args = parser.parse_args()
    rng = random.Random(14)
    opds = [f"OPD{i:02d}" for i in range(args.opd)]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        path = config(root, opds)
        build(root / "sheets", opds, args.rows, rng)
        print(f"{args.opd} buku kerja x {args.rows} baris, `satudata poll --once` (detik, wall)")
        print(f"{'siklus':<44}{'detik':>8}{'target':>10}")
        print(f"{'pertama (semua baris baru, semua ditulis)':<44}{poll(path):>8.2f}{'<= 10':>10}")
        print(f"{'tanpa perubahan':<44}{poll(path):>8.2f}{'':>10}")
        edited = edit(root / "sheets", opds, args.edited, rng)
        label = f"{args.edited:.0%} diedit di setiap buku kerja ({edited} baris)"
        print(f"{label:<44}{poll(path):>8.2f}{'<= 3':>10}")
        for share in (args.edited, 1.0):
            patch_times, openpyxl_times = peer(root / "sheets", opds, share, rng)
            print(f"\nTulis per buku kerja ({share:.0%} baris, Status + Hasil), median / jumlah {args.opd} buku kerja")
            print(f"{'patch XML (XlsxBackend.write)':<44}{statistics.median(patch_times) * 1000:>8.1f} ms"
                  f"{sum(patch_times):>9.2f} s")
            print(f"{'openpyxl load + save (pembanding)':<44}{statistics.median(openpyxl_times) * 1000:>8.1f} ms"
                  f"{sum(openpyxl_times):>9.2f} s")
            print(f"{'rasio openpyxl / patch':<44}{sum(openpyxl_times) / sum(patch_times):>8.1f} x")


if __name__ == "__main__":
    main()
