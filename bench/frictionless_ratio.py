"""Our data checks against frictionless-py on the same rows, for a ratio.

    python bench/frictionless_ratio.py --rows 20000

frictionless validates a CSV with a Table Schema carrying the built-in constraints that
translate directly (required, integer year with minimum/maximum, number with Indonesian
decimal/group characters, minimum 0). Our run_checks does those and more (Kemendagri places,
per-item rules, the kecamatan sum, duplicates, Standar Data). Needs `pip install frictionless`.
"""
from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
from pathlib import Path

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20000)
    args = parser.parse_args()
    try:
        from frictionless import Resource, Schema
    except ImportError:
        print("frictionless tidak terpasang: pip install frictionless")
        return
    wilayah = Wilayah.load()
    data = rows(args.rows, wilayah)
    rules = load_rules()
    df = pd.DataFrame.from_records(data, index=[f"R{i}" for i in range(len(data))])
    start = time.perf_counter()
    ours = run_checks(df, rules, wilayah, 2025)
    ours_s = time.perf_counter() - start
    schema = Schema.from_descriptor({"fields": [
        {"name": "kode_data", "type": "string"},
        {"name": "uraian_data", "type": "string", "constraints": {"required": True}},
        {"name": "rincian", "type": "string"},
        {"name": "satuan", "type": "string", "constraints": {"required": True}},
        {"name": "tahun", "type": "integer", "constraints": {"required": True, "minimum": 2015, "maximum": 2025}},
        {"name": "nilai", "type": "number", "decimalChar": ",", "groupChar": ".",
         "constraints": {"required": True, "minimum": 0}},
        {"name": "keterangan", "type": "string"},
    ]})
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "data.csv"
        with open(path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=FIELDS)
            writer.writeheader()
            writer.writerows(data)
        start = time.perf_counter()
        report = Resource(path=path.name, basepath=tmp, schema=schema).validate(limit_errors=10**6)
        theirs_s = time.perf_counter() - start
    errors = len(report.flatten(["rowNumber"]))
    if not report.valid and report.flatten(["type"])[0] == ["resource-error"]:
        print("frictionless gagal membaca berkas:", report.flatten(["note"])[0])
        return
    print(f"{args.rows} baris")
    print(f"{'pemeriksa':<28}{'detik':>10}{'baris/s':>12}{'temuan':>10}")
    print(f"{'satudata run_checks':<28}{ours_s:>10.3f}{args.rows / ours_s:>12.0f}{len(ours.findings):>10}")
    print(f"{'frictionless validate':<28}{theirs_s:>10.3f}{args.rows / theirs_s:>12.0f}{errors:>10}")
    print(f"rasio (frictionless / satudata): {theirs_s / ours_s:.1f}x")


if __name__ == "__main__":
    main()
