"""Our data checks against frictionless-py on the same rows, for a ratio.

    python bench/frictionless_ratio.py --rows 20000          # wall time
    python bench/frictionless_ratio.py --rows 20000 --instr  # instructions (valgrind callgrind)

frictionless validates a CSV with a Table Schema carrying the built-in constraints that
translate directly (required, integer year with minimum/maximum, number with Indonesian
decimal/group characters, minimum 0). Our run_checks does those and more (Kemendagri places,
per-item rules, the kecamatan sum, duplicates, Standar Data). Needs `pip install frictionless`.

``--instr`` runs each side in its own process under ``valgrind --tool=callgrind`` and counts
only the checking work: collection starts off (``--collect-atstart=no``) and is toggled on and
off around the one call made through ``sys.call_tracing`` (``--toggle-collect=sys_call_tracing``,
a C function nothing else in either library calls), so interpreter start, imports, generating the
rows and writing frictionless' CSV are not counted. Instruction counts do not depend on the
load of a shared machine; ``PYTHONHASHSEED`` is fixed so both runs repeat exactly.
"""
from __future__ import annotations

import argparse
import csv
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pandas as pd  # noqa: E402

from rules.checks import run_checks  # noqa: E402
from rules.rulefile import load_rules  # noqa: E402
from rules.wilayah import Wilayah  # noqa: E402

FIELDS = ["kode_data", "uraian_data", "rincian", "satuan", "tahun", "nilai", "keterangan"]


def rows(n: int, wilayah: Wilayah) -> list[dict]:
    rng = random.Random(39)
    names = [k.nama for k in wilayah.kecamatan]
    out = []
    for i in range(n):
        value = f"{rng.randrange(1, 90000):,}".replace(",", ".")
        if i % 97 == 0:
            value = "abc"  # a bad cell now and then
        out.append({"kode_data": f"K{i // 19:04d}", "uraian_data": f"Jumlah Item {i // 19} menurut Kecamatan",
                    "rincian": names[i % 19] if i % 19 < 18 else "", "satuan": "Unit",
                    "tahun": 2024, "nilai": value, "keterangan": "uji"})
    return out


TARGET = 4.0  # our checks at least 4x cheaper than frictionless by instruction count (DECISIONS.md #105)
SIDES = ("satudata", "frictionless")


def schema_descriptor() -> dict[str, Any]:
    return {"fields": [
        {"name": "kode_data", "type": "string"},
        {"name": "uraian_data", "type": "string", "constraints": {"required": True}},
        {"name": "rincian", "type": "string"},
        {"name": "satuan", "type": "string", "constraints": {"required": True}},
        {"name": "tahun", "type": "integer", "constraints": {"required": True, "minimum": 2015, "maximum": 2025}},
        {"name": "nilai", "type": "number", "decimalChar": ",", "groupChar": ".",
         "constraints": {"required": True, "minimum": 0}},
        {"name": "keterangan", "type": "string"},
    ]}


def prepare(side: str, n: int, tmp: str) -> Callable[[], int]:
    """Everything but the checking (imports, rows, the CSV file); returns the check itself,
    which returns how many findings or errors it reported."""
    wilayah = Wilayah.load()
    data = rows(n, wilayah)
    if side == "satudata":
        rules = load_rules()
        df = pd.DataFrame.from_records(data, index=[f"R{i}" for i in range(len(data))])
        return lambda: len(run_checks(df, rules, wilayah, 2025).findings)
    from frictionless import Resource, Schema
    schema = Schema.from_descriptor(schema_descriptor())
    path = Path(tmp) / "data.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(data)

    def check() -> int:
        report = Resource(path=path.name, basepath=tmp, schema=schema).validate(limit_errors=10**6)
        if not report.valid and report.flatten(["type"])[0] == ["resource-error"]:
            raise SystemExit(f"frictionless gagal membaca berkas: {report.flatten(['note'])[0]}")
        return len(report.flatten(["rowNumber"]))

    return check


def child(side: str, n: int) -> None:
    """One side under callgrind: only the call made through sys.call_tracing is collected."""
    with tempfile.TemporaryDirectory() as tmp:
        check = prepare(side, n, tmp)
        found = sys.call_tracing(check, ())
    print(f"temuan {found}")


def instructions(side: str, n: int, out_dir: str) -> tuple[int, int]:
    """(Ir of the checking work, findings) of one side, from its own callgrind run."""
    out = Path(out_dir) / f"callgrind.{side}.out"
    command = ["valgrind", "--tool=callgrind", "--collect-atstart=no", "--toggle-collect=sys_call_tracing",
               f"--callgrind-out-file={out}", sys.executable, str(Path(__file__).resolve()),
               "--rows", str(n), "--side", side]
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"})
    found = re.search(r"^temuan (\d+)$", done.stdout, re.M)
    if done.returncode or not found or not out.exists():
        raise SystemExit(f"callgrind gagal untuk {side}:\n{done.stdout}{done.stderr[-2000:]}")
    totals = re.search(r"^(?:summary|totals): (\d+)", out.read_text(), re.M)
    if not totals:
        raise SystemExit(f"tidak ada total Ir di {out}")
    return int(totals.group(1)), int(found.group(1))


def by_instructions(n: int, keep: str | None) -> None:
    if shutil.which("valgrind") is None:
        print("valgrind tidak terpasang: apt-get install valgrind")
        return
    with tempfile.TemporaryDirectory() as tmp:
        out_dir = keep or tmp
        if keep:
            Path(keep).mkdir(parents=True, exist_ok=True)
        counts = {side: instructions(side, n, out_dir) for side in SIDES}
    ours, theirs = counts["satudata"][0], counts["frictionless"][0]
    print(f"{n} baris, instruksi (callgrind Ir) hanya untuk pemeriksaan")
    print(f"{'pemeriksa':<28}{'Ir':>16}{'Ir/baris':>12}{'temuan':>10}")
    for side, label in zip(SIDES, ("satudata run_checks", "frictionless validate")):
        ir, found = counts[side]
        print(f"{label:<28}{ir:>16,}{ir / n:>12,.0f}{found:>10}")
    ratio = theirs / ours
    print(f"rasio Ir (frictionless / satudata): {ratio:.2f}x; target >= {TARGET:.0f}x: "
          f"{'tercapai' if ratio >= TARGET else 'BELUM'}")
    if keep:
        print(f"berkas callgrind di {keep} (callgrind_annotate --inclusive=yes ...)")


def by_wall_time(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        ours_check, theirs_check = (prepare(side, n, tmp) for side in SIDES)
        start = time.perf_counter()
        ours = ours_check()
        ours_s = time.perf_counter() - start
        start = time.perf_counter()
        errors = theirs_check()
        theirs_s = time.perf_counter() - start
    print(f"{n} baris")
    print(f"{'pemeriksa':<28}{'detik':>10}{'baris/s':>12}{'temuan':>10}")
    print(f"{'satudata run_checks':<28}{ours_s:>10.3f}{n / ours_s:>12.0f}{ours:>10}")
    print(f"{'frictionless validate':<28}{theirs_s:>10.3f}{n / theirs_s:>12.0f}{errors:>10}")
    print(f"rasio (frictionless / satudata): {theirs_s / ours_s:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--instr", action="store_true",
                        help="hitung instruksi dengan valgrind callgrind, bukan waktu")
    parser.add_argument("--keep", metavar="DIR", help="simpan berkas callgrind di DIR (dengan --instr)")
    parser.add_argument("--side", choices=SIDES, help=argparse.SUPPRESS)  # the process under callgrind
    args = parser.parse_args()
    try:
        import frictionless  # noqa: F401
    except ImportError:
        print("frictionless tidak terpasang: pip install frictionless")
        return
    if args.side:
        child(args.side, args.rows)
    elif args.instr:
        by_instructions(args.rows, args.keep)
    else:
        by_wall_time(args.rows)


if __name__ == "__main__":
    main()
