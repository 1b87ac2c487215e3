"""Rewritten checks give the findings of the implementations they replaced, on random tabs.

The reference implementations are the earlier code, kept only as oracles: the kecamatan sum was
a pandas groupby, and factorize/duplicated ran in pandas however few rows a tab had; both cost
more to set up than a small tab's work itself.
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import given, settings, strategies as st

import rules.checks as checks
from rules import fields as f
from rules.findings import GALAT, PERINGATAN, Finding
from rules.keys import item_key, rincian_key
from rules.rulefile import DEFAULT_FOLDER, RuleSet, load_rules
from tests import checks_reference
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


# --- the whole of run_checks against the code it replaced (DECISIONS.md #105) ----------------

def _rules_with_text_constraints() -> RuleSet:
    """The shipped rules plus one item with every text constraint (required, enum, pattern, unique)."""
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("bawaan.yaml", "per_item.yaml"):
            shutil.copy(DEFAULT_FOLDER / name, tmp)
        (Path(tmp) / "sumur.yaml").write_text(
            "item:\n  - nama: Sumur bor\n    uraian: sumur bor\n    kolom:\n"
            "      keterangan: {required: true}\n      satuan: {enum: [Unit, Buah]}\n"
            "      kode_data: {unique: true, pattern: 'SB-[0-9]+'}\n      tahun: {minimum: 2023, maximum: 2024}\n"
            "      nilai: {required: true, maximum: 50}\n      rincian: {unique: true}\n", encoding="utf-8")
        return load_rules(Path(tmp))


RULE_SETS = [RULES, _rules_with_text_constraints()]
WORDS = ["", " ", "-", "–", " − ", "…", "...", "NA", "n/a", "nihil", " Tidak  Tersedia ", "data tidak tersedia",
         "\u200b-", "?", "x", "abc", "12,5", "1.234", "12.5", "1.234.567", "1.234,5", "1,234.5", "1,234", "0,25",
         "Rp 13.500,-", "-2", "104,5", "12,5%", "(12)", "1 234", "７", "\u00a0 7 ", "9" * 70, "100", "200", "0.125", "1e3"]
cell_number = st.one_of(st.integers(-20, 300), st.floats(allow_nan=True, allow_infinity=True, width=32),
                        st.decimals(-10, 1000, places=3, allow_nan=False).map(float), st.booleans())
any_nilai = st.one_of(cell_number, st.sampled_from(WORDS), st.text("0123456789.,%- Rp", max_size=9), st.none())
any_row = st.fixed_dictionaries({
    f.KODE: st.sampled_from(["", "K-1", " k-1", "SB-1", "SB-x", "1101", None]),
    f.URAIAN: st.sampled_from(["Jumlah Posyandu menurut Kecamatan", "Angka Partisipasi Kasar SD", "APM SMP",
                               "Persentase Cakupan", "Curah Hujan", "Rata-rata harga beras", "Jumlah Sumur Bor",
                               "", "  ", None]),
    f.RINCIAN: st.sampled_from(KECAMATAN[:4] + ["Kabupaten Magetan", "", "Desa Entah", "Magetn", "Kec. Plaosen",
                                                "Poncol", None, float("nan")]),
    f.SATUAN: st.sampled_from(["Unit", "Jiwa", "%", "Persen", "Rupiah", "Rp/kg", "Ha", "Buah", "mm", "", None,
                               float("nan")]),
    f.TAHUN: st.one_of(st.sampled_from([2024, 2023, 2026, 2010, "2024", " 2023 ", "2024/2025", "", None, 2024.0,
                                        True, 1e9, float("nan")]), st.integers(1990, 2030)),
    f.NILAI: any_nilai, "_persen": st.sampled_from([None, False, True, 1, 0]),
    f.KETERANGAN: st.sampled_from(["", "Survei tidak dilaksanakan", None]),
    f.KONSEP: st.sampled_from(["", "Jumlah"]), f.DEFINISI: st.sampled_from(["", "Banyaknya"]),
    f.FREKUENSI: st.sampled_from(["", "Tahunan", "tahunan", "Kadang"])})


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.lists(any_row, max_size=4), st.lists(any_row, min_size=20, max_size=80)), st.sampled_from(RULE_SETS), st.booleans(), st.randoms(),
       st.lists(st.tuples(st.integers(0, 79), st.integers(2018, 2025), st.integers(-5, 400)), max_size=8),
       st.booleans())
def test_run_checks_finds_what_the_code_it_replaced_finds(rows, rules, large, rng, archived, full_item):
    """Every finding, in order, and every number and year read, as the earlier code gave them; on
    small tabs and (``large``) on the pandas path, with and without history."""
    if full_item:
        rows = rows + _full_item([rng.randrange(50) for _ in KECAMATAN], rng.choice([0, 1]), [])
    ids = [f"R{i}" for i in range(len(rows))]
    rng.shuffle(ids)  # the newer duplicate is the higher ID, wherever it stands
    df = pd.DataFrame(rows, index=ids, dtype=object)
    history: dict[tuple[str, str], list[tuple[int, float]]] = {}
    for i, year, value in archived:
        if i < len(rows):
            r = rows[i]
            key = (item_key(r.get(f.KODE), r.get(f.URAIAN)), rincian_key(r.get(f.RINCIAN), WILAYAH))
            history.setdefault(key, []).append((year, float(value)))

    def both():
        return (checks.run_checks(df, rules, WILAYAH, 2025, history or None),
                checks_reference.run_checks(df, rules, WILAYAH, 2025, history or None))

    if large:
        new, old = _with(checks_reference, "SMALL", -1, lambda: _with(checks, "SMALL", -1, both))
    else:
        new, old = both()
    assert new.findings == old.findings
    assert new.numbers.keys() == old.numbers.keys()
    assert all(a == b or (a != a and b != b) for a, b in zip(new.numbers.values(), old.numbers.values()))
    assert new.years == old.years
