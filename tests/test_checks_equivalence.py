"""Rewritten checks give the findings of the implementations they replaced, on random tabs.

The reference implementations are the earlier code, kept only as oracles: the kecamatan sum was
a pandas groupby, and factorize/duplicated ran in pandas however few rows a tab had; both cost
more to set up than a small tab's work itself.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, strategies as st

import rules.checks as checks
from rules import fields as f
from rules.findings import GALAT, PERINGATAN, Finding
from rules.rulefile import load_rules
from tests.conftest import WILAYAH

RULES = load_rules()
KECAMATAN = [k.nama for k in WILAYAH.kecamatan]


def _reference_kecamatan_sums(tab, weight, numbers, out) -> None:
    rows = np.flatnonzero(weight > 0)
    if not len(rows):
        return
    kec = tab.each(f.RINCIAN, lambda r: checks._kecamatan_code(tab.wilayah, r))[rows]
    total = tab.each(f.RINCIAN, tab.wilayah.is_kabupaten, bool)[rows]
    item = pd.factorize(tab.item_keys[rows])[0].astype(np.int64)
    tahun = tab.distinct(f.TAHUN)[0][rows].astype(np.int64)
    group = pd.factorize(item * (tahun.max() + 1) + tahun)[0]
    frame = pd.DataFrame({"group": group, "kec": kec, "value": numbers.value[rows], "pos": rows})
    parts = frame[frame["kec"].notna()].drop_duplicates(["group", "kec"], keep="last")
    stats = parts.assign(missing=parts["value"].isna()).groupby("group").agg(
        count=("kec", "size"), missing=("missing", "sum"), summed=("value", "sum"))
    totals = frame[total & frame["value"].notna().to_numpy()].join(stats, on="group", how="inner")
    totals = totals.loc[totals.index.repeat(weight[totals["pos"]])]
    totals = totals.iloc[np.lexsort((totals["pos"].to_numpy(), totals["group"].to_numpy()))]
    expected = len(tab.wilayah.kecamatan)
    incomplete = ((totals["count"] < expected) | (totals["missing"] > 0)).to_numpy()
    value, summed = totals["value"].to_numpy(), totals["summed"].to_numpy()
    differs = ~incomplete & (np.abs(summed - value) > 1e-6 * np.maximum(1.0, np.abs(value)))
    pos, count, missing = totals["pos"].to_numpy(), totals["count"].to_numpy(), totals["missing"].to_numpy()
    for j in np.flatnonzero(incomplete | differs):
        pos_j, v, s = pos[j], value[j], summed[j]
        if incomplete[j]:
            out.append(Finding(tab.ids[pos_j], f.NILAI, PERINGATAN, "jumlah_kecamatan_belum_lengkap",
                               f"Baru {int(count[j] - missing[j])} dari {expected} kecamatan terisi; jumlah "
                               "kabupaten belum dapat dicek", 7))
        else:
            out.append(Finding(tab.ids[pos_j], f.NILAI, GALAT, "jumlah_kecamatan_beda",
                               f"Nilai kabupaten {checks.display_number(v)} tidak sama dengan jumlah {expected} "
                               f"kecamatan {checks.display_number(s)}", 7))


nilai = st.one_of(st.integers(-5, 400), st.sampled_from(["12,5", "abc", "", None, "1.234", "0,25", "7"]),
                  st.decimals(0, 1000, places=2).map(float))
rincian = st.sampled_from(KECAMATAN + ["Kabupaten Magetan", "Total", "", "Desa Entah", "Magetn"])
row = st.fixed_dictionaries({
    f.KODE: st.sampled_from(["", "K-1", "K-2"]),
    f.URAIAN: st.sampled_from(["Jumlah Posyandu menurut Kecamatan", "Jumlah Sekolah menurut Kecamatan",
                               "Persentase Cakupan", "Curah Hujan"]),
    f.RINCIAN: rincian, f.SATUAN: st.sampled_from(["Unit", "Jiwa", "%"]),
    f.TAHUN: st.sampled_from([2024, 2023, "2024", ""]), f.NILAI: nilai,
    f.KONSEP: st.sampled_from(["", "Jumlah"]), f.FREKUENSI: st.sampled_from(["", "Tahunan", "Kadang"])})


def _frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, index=[f"R{i}" for i in range(len(rows))], dtype=object)


def _full_item(values: list, drift: int, again: list[tuple[int, int]]) -> list[dict]:
    """One complete item: its 18 kecamatan (``again``: some listed twice) and the kabupaten total."""
    out = [{f.URAIAN: "Jumlah Posyandu menurut Kecamatan", f.RINCIAN: name, f.SATUAN: "Unit", f.TAHUN: 2024,
            f.NILAI: v} for name, v in [*zip(KECAMATAN, values), *((KECAMATAN[i], v) for i, v in again)]]
    return out + [{f.URAIAN: "Jumlah Posyandu menurut Kecamatan", f.RINCIAN: "Kabupaten Magetan",
                   f.SATUAN: "Unit", f.TAHUN: 2024, f.NILAI: sum(values) + drift}]


@given(st.lists(row, max_size=60), st.lists(st.integers(0, 50), min_size=18, max_size=18), st.integers(-1, 1),
       st.lists(st.tuples(st.integers(0, 17), st.integers(0, 50)), max_size=3), st.randoms())
def test_kecamatan_sums_match_the_pandas_groupby_they_replaced(rows, values, drift, again, rng):
    rows = rows + _full_item(values, drift, again)
    rng.shuffle(rows)
    df = _frame(rows)
    new = checks.run_checks(df, RULES, WILAYAH, 2025).findings
    assert new == _with(checks, "_kecamatan_sums", _reference_kecamatan_sums,
                        lambda: checks.run_checks(df, RULES, WILAYAH, 2025).findings)


def _with(module, name: str, replacement, run):
    """``run()`` with ``module.name`` swapped for the reference implementation."""
    kept = getattr(module, name)
    setattr(module, name, replacement)
    try:
        return run()
    finally:
        setattr(module, name, kept)


@given(st.lists(row, max_size=80), st.randoms())
def test_small_tabs_read_without_pandas_find_what_the_pandas_path_finds(rows, rng):
    """Up to checks.SMALL rows, factorize and duplicated run in plain Python (cheaper there)."""
    rows = rows + _full_item([rng.randrange(50) for _ in KECAMATAN], rng.choice([0, 1]), [])
    df = _frame(rows)
    small = checks.run_checks(df, RULES, WILAYAH, 2025)
    large = _with(checks, "SMALL", -1, lambda: checks.run_checks(df, RULES, WILAYAH, 2025))
    assert small.findings == large.findings
    assert small.numbers == large.numbers
