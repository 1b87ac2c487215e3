"""What an Excel write costs: the XML patch writer against openpyxl's full load + save (the
writer it replaced), per workbook, in the same run.

    python bench/xlsx_write.py --opd 40 --rows 500 --edited 0.01

Prints, for a batch of Status + Hasil writes to --edited of the rows and to every row of each
workbook, the median and total wall seconds of both writers. The real `satudata poll --once`
(first, idle, edited, against DECISIONS.md #5's budget, with its phases) is bench/poll.py.
"""
from __future__ import annotations

import argparse
import io
import random
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import openpyxl  # noqa: E402

from poll import build  # noqa: E402  (bench/poll.py: the same generated workspace)
from sheets.base import CellWrite, TabWrites  # noqa: E402
from sheets.layout import COLUMNS  # noqa: E402
from sheets.xlsx import XlsxBackend  # noqa: E402

COL = {c.key: i for i, c in enumerate(COLUMNS)}
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
        build(root / "sheets", opds, args.rows, rng)
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
