"""Data checks over one tab (DECISIONS.md #3): built-in, per-item and history.

Input is a DataFrame of raw cell values indexed by row ID, with the field keys as columns
(plus ``_persen``: the Nilai cell had a percent format). Output is findings as values.

The checks run column-wise: each column is read once into arrays, place names, item keys and
rules are decided once per distinct value (a tab repeats a few items, places and units over
many rows), and every check is a mask over the rows. Messages are written only for the rows
that have a finding. Findings keep one order: check by check, and row by row within a check.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from rules import fields as f
from rules.findings import GALAT, PERINGATAN, Finding
from rules.keys import History, item_key, rincian_key, text
from rules.numbers import (AMBIGU_TITIK, DECLARED_WORDS, NIHIL, NumberColumn, YearColumn, declared_missing,
                           format_number, parse_numbers, parse_years)
from rules.rulefile import ItemRule, RuleSet
from rules.wilayah import Wilayah

__all__ = ["CheckResult", "run_checks"]

COLUMN_LABEL = {f.KODE: "Kode Data", f.URAIAN: "Uraian Data", f.RINCIAN: "Rincian", f.SATUAN: "Satuan",
                f.TAHUN: "Tahun", f.NILAI: "Nilai", f.KETERANGAN: "Keterangan"}


@dataclass
class CheckResult:
    findings: list[Finding] = field(default_factory=list)
    numbers: dict[str, float | None] = field(default_factory=dict)
    years: dict[str, int | None] = field(default_factory=dict)


def _objects(items: list[Any]) -> np.ndarray:
    """A 1-d object array, element-wise (np.array would turn a list of tuples into 2-d)."""
    return np.fromiter(items, dtype=object, count=len(items))


SMALL = 2000  # rows up to which plain Python beats pandas' set-up (a cycle checks a few items per tab)


def factorize(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """pd.factorize of values with no missing ones: (row -> code in order of first appearance,
    code -> value)."""
    if len(values) > SMALL:
        factorized: tuple[np.ndarray, np.ndarray] = pd.factorize(values)
        return factorized
    seen: dict[str, Any] = {}
    codes = np.fromiter((seen.setdefault(v, len(seen)) for v in values.tolist()), dtype=np.intp, count=len(values))
    return codes, _objects(list(seen))


def duplicated(values: np.ndarray) -> np.ndarray:
    """pd.Series(values).duplicated(): True where a value appeared on an earlier row."""
    if len(values) > SMALL:
        flags: np.ndarray = pd.Series(values).duplicated().to_numpy()
        return flags
    seen: dict[Any, None] = {}
    return np.fromiter((v in seen or seen.setdefault(v) is not None for v in values.tolist()), dtype=bool,
                       count=len(values))


def _spread(results: list[Any], dtype: Any, codes: np.ndarray) -> np.ndarray:
    """One result per distinct code, spread back to the rows."""
    distinct = _objects(results) if dtype is object else np.array(results, dtype=dtype)
    rows: np.ndarray = distinct[codes]
    return rows


def _texts(values: np.ndarray) -> np.ndarray:
    cells = values.tolist()
    if len(cells) > SMALL and pd.api.types.infer_dtype(values, skipna=False) == "string":
        return _objects(list(map(str.strip, cells)))  # all text: no Python-level step per cell
    return _objects([v.strip() if v.__class__ is str else text(v) for v in cells])


def factorize_cells(values: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """pd.factorize of a large column of raw cells that are all text, or all whole numbers, besides
    blanks (None or NaN, code -1): equal cells then read alike, so a cell's text or year is worked out once
    per distinct cell. None for any other column (True == 1 == 1.0 there, yet each reads its own way)
    and for small tabs, where plain Python is cheaper than pandas' set-up."""
    if len(values) <= SMALL or pd.api.types.infer_dtype(values, skipna=True) not in ("string", "integer"):
        return None
    factorized: tuple[np.ndarray, np.ndarray] = pd.factorize(values)
    for cell in values[factorized[0] < 0].tolist():  # pandas' missing values: only None and NaN read blank
        if not (cell is None or (cell.__class__ is float and cell != cell)):
            return None
    return factorized


class _Tab:
    """The tab's columns as arrays; whatever depends on a cell's text alone (a place, a unit, an
    item key, the rules that match) is computed once per distinct text and spread to the rows."""

    def __init__(self, df: pd.DataFrame, wilayah: Wilayah) -> None:
        self.ids = np.array(df.index, dtype=object)
        self.n = len(self.ids)
        self.present = set(df.columns)
        self.wilayah = wilayah
        cells = df.to_numpy(dtype=object)  # one conversion, not one per column
        at = {k: i for i, k in enumerate(df.columns)}
        self.raw = {k: cells[:, at[k]] if k in at else np.full(self.n, None, dtype=object)
                    for k in (*f.DATA_FIELDS, "_persen")}
        self._texts: dict[str, np.ndarray] = {}
        self._distinct: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._cells: dict[str, tuple[np.ndarray, np.ndarray] | None] = {}
        self._empty: dict[str, np.ndarray] = {}
        self._cache: dict[str, np.ndarray] = {}

    def cells(self, key: str) -> tuple[np.ndarray, np.ndarray] | None:
        """factorize_cells of a column's raw cells (Nilai's are nearly all distinct: not tried)."""
        if key not in self._cells:
            self._cells[key] = factorize_cells(self.raw[key]) if key != f.NILAI else None
        return self._cells[key]

    def text(self, key: str) -> np.ndarray:
        if key not in self._texts:
            cells = self.cells(key)
            if cells is None:
                self._texts[key] = _texts(self.raw[key])
            else:  # each distinct cell stripped once; a blank (-1) picks the "" put last
                codes, uniques = cells
                self._texts[key] = _objects([*_texts(uniques).tolist(), ""])[codes]
        return self._texts[key]

    def empty(self, key: str) -> np.ndarray:
        if key not in self._empty:
            cells = self.cells(key)
            if cells is None:
                self._empty[key] = self.text(key) == ""
            else:  # decided per distinct cell; a blank (-1) picks the True put last
                codes, uniques = cells
                self._empty[key] = np.array([t == "" for t in _texts(uniques).tolist()] + [True], dtype=bool)[codes]
        return self._empty[key]

    def distinct(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        """(row -> code, code -> text) of a column's texts."""
        if key not in self._distinct:
            cells = self.cells(key)
            if cells is not None and len(cells[1]) and not (cells[0] < 0).any():
                # distinct cells are in order of first appearance, so are their distinct texts
                codes, uniques = cells
                text_codes, texts = factorize(_texts(uniques))
                self._distinct[key] = (text_codes[codes], texts)
            else:
                self._distinct[key] = factorize(self.text(key))
        return self._distinct[key]

    def each(self, key: str, fn: Callable[[Any], Any], dtype: Any = object) -> np.ndarray:
        """``fn`` of every row's text in column ``key``, called once per distinct text."""
        codes, uniques = self.distinct(key)
        results = [fn(u) for u in uniques]
        return _spread(results, dtype, codes)

    def pairs(self) -> tuple[np.ndarray, list[tuple[str, str]]]:
        """(row -> code, code -> (Kode Data, Uraian Data)): the rows of one item share a pair."""
        if "pairs" not in self._cache:
            kode, kodes = self.distinct(f.KODE)
            uraian, uraians = self.distinct(f.URAIAN)
            codes, combined = factorize(kode.astype(np.int64) * (len(uraians) + 1) + uraian)
            self._cache["pairs"] = codes
            self._cache["pair_list"] = [(kodes[c // (len(uraians) + 1)], uraians[c % (len(uraians) + 1)])
                                        for c in combined]  # type: ignore[assignment]
        return self._cache["pairs"], self._cache["pair_list"]  # type: ignore[return-value]

    def per_pair(self, fn: Callable[[str, str], Any], dtype: Any = object) -> np.ndarray:
        codes, pairs = self.pairs()
        results = [fn(k, u) for k, u in pairs]
        return _spread(results, dtype, codes)

    @property
    def item_keys(self) -> np.ndarray:
        if "item" not in self._cache:
            self._cache["item"] = self.per_pair(item_key)
        return self._cache["item"]

    @property
    def rincian_keys(self) -> np.ndarray:
        if "rincian" not in self._cache:
            self._cache["rincian"] = self.each(f.RINCIAN, lambda r: rincian_key(r, self.wilayah))
        return self._cache["rincian"]

    def codes(self, key: str) -> np.ndarray:
        """factorize(item_keys)[0] or factorize(rincian_keys)[0] (``key`` "item" or "rincian"), from
        the keys of the distinct pairs or texts: those come in order of first appearance, so the
        codes of their keys do too."""
        if key + "_codes" not in self._cache:
            if key == "item":
                rows, pairs = self.pairs()
                per = [item_key(k, u) for k, u in pairs]
            else:
                rows, uniques = self.distinct(f.RINCIAN)
                per = [rincian_key(r, self.wilayah) for r in uniques]
            self._cache[key + "_codes"] = factorize(_objects(per))[0][rows].astype(np.int64)
        return self._cache[key + "_codes"]

    def places(self) -> np.ndarray:
        """The Kemendagri match of each row's Rincian (None where Rincian is empty)."""
        if "places" not in self._cache:
            self._cache["places"] = self.each(f.RINCIAN, lambda r: self.wilayah.lookup(r) if r else None)
        return self._cache["places"]


class _Out:
    """Findings of one check, put back in row order however the masks found them."""

    def __init__(self) -> None:
        self.items: list[tuple[tuple[Any, ...], Finding]] = []

    def add(self, order: tuple[Any, ...], finding: Finding) -> None:
        self.items.append((order, finding))

    def flush(self, out: list[Finding]) -> None:
        out.extend(finding for _, finding in sorted(self.items, key=lambda item: item[0]))
        self.items.clear()


def run_checks(df: pd.DataFrame, rules: RuleSet, wilayah: Wilayah, year: int,
               history: History | None = None) -> CheckResult:
    result = CheckResult()
    if df.empty:
        return result
    tab = _Tab(df, wilayah)
    persen = (np.array([p is True or p == 1 for p in tab.raw["_persen"].tolist()], dtype=bool)
              if "_persen" in tab.present else np.zeros(tab.n, dtype=bool))
    numbers = parse_numbers(tab.raw[f.NILAI], persen)
    years = _parse_years(tab)
    ids = tab.ids.tolist()
    values = numbers.value
    floats: list[float | None] = values.tolist()  # Python floats already
    for i in np.flatnonzero(np.isnan(values)).tolist():
        floats[i] = None
    result.numbers = dict(zip(ids, floats))
    result.years = dict(zip(ids, years.as_objects()))
    out = result.findings
    _required(tab, out)
    _values(tab, numbers, rules, out)
    _years(tab, years, rules, year, out)
    _places(tab, out)
    _items(tab, numbers, years, rules, out)
    _standar_data(tab, [k for k in f.STANDAR_DATA if k in tab.present], rules, out)
    _duplicates(tab, years, out)
    if history:
        _history(tab, numbers, years, history, rules, out)
    return result


def _parse_years(tab: _Tab) -> YearColumn:
    """parse_years of the Tahun column, once per distinct cell where equal cells read alike."""
    cells = tab.cells(f.TAHUN)
    if cells is None:
        return parse_years(tab.raw[f.TAHUN])
    codes, uniques = cells
    distinct = parse_years([*uniques.tolist(), None])  # a blank (-1) picks the None put last
    return YearColumn(distinct.value[codes], distinct.problem[codes])


def _required(tab: _Tab, out: list[Finding]) -> None:
    for key, label, step, blocks in ((f.URAIAN, "Uraian Data", 1, 5), (f.SATUAN, "Satuan", 1, 5),
                                     (f.TAHUN, "Tahun", 7, 7), (f.NILAI, "Nilai", 7, 7)):
        for i in np.flatnonzero(tab.empty(key)):
            message = f"{label} wajib diisi"
            if key == f.NILAI:
                message += (f"; bila data memang tidak ada, tulis {DECLARED_WORDS} dan alasannya di Keterangan, "
                            "mis. 'Data tidak tersedia karena survei tidak dilaksanakan'")
            out.append(Finding(tab.ids[i], key, GALAT, f"{key}_wajib", message, step, blocks))


def _values(tab: _Tab, numbers: NumberColumn, rules: RuleSet, out: list[Finding]) -> None:
    cacah = tab.each(f.SATUAN, lambda u: u.casefold() in rules.satuan_cacah, bool)
    rupiah = tab.each(f.SATUAN, lambda u: "rupiah" in u.casefold() or u.casefold().startswith("rp"), bool)
    never_negative = rupiah | tab.each(f.SATUAN, lambda u: u.casefold() in rules.satuan_tidak_negatif, bool)
    persen_unit = tab.each(f.SATUAN, lambda u: u.casefold() in rules.satuan_persen, bool)
    value, has = numbers.value, ~np.isnan(numbers.value)
    filled = np.where(has, value, 0)
    whole = has & np.isfinite(filled) & (np.floor(filled) == filled)
    thousands = (numbers.code == AMBIGU_TITIK) & whole & (cacah | rupiah)  # "8.693" jiwa, "Rp 13.500"
    problem = (numbers.code != None) & (numbers.level != None) & ~thousands  # noqa: E711 (elementwise)
    bad_count = has & cacah & ((value < 0) | ~whole)
    negative = has & ~bad_count & never_negative & (value < 0)  # money, area, weight: "Rp 13.500,-" read as -13500
    percent_unit_mismatch = has & numbers.percent & ~persen_unit
    as_percent = has & (persen_unit | numbers.percent)
    buf = _Out()
    # a cell read as a number has a digit, which no declared-missing word has: only the others are asked
    nilai, declared_of = tab.text(f.NILAI), dict[str, str]()
    for i in np.flatnonzero(~has & tab.empty(f.KETERANGAN)).tolist():
        shown = nilai[i]
        declared = declared_of.get(shown)
        if declared is None:
            declared = declared_of[shown] = declared_missing(shown)
        if not declared:
            continue
        buf.add((i, 0), Finding(tab.ids[i], f.NILAI, GALAT, "alasan_nilai_kosong",
                                f"Nilai '{shown[:20]}' menyatakan data "
                                f"{'nihil' if declared == NIHIL else 'tidak tersedia'}: "
                                "tulis alasannya di Keterangan, mis. 'Data tidak tersedia karena survei tidak "
                                "dilaksanakan'", 7, 7))
    for i in np.flatnonzero(problem).tolist():
        p = numbers.parsed(i)
        assert p.level and p.code  # the mask holds only rows with both
        buf.add((i, 0), Finding(tab.ids[i], f.NILAI, p.level, p.code, p.message or "Nilai tidak sah"))
    for i in np.flatnonzero(bad_count).tolist():
        buf.add((i, 1), Finding(tab.ids[i], f.NILAI, GALAT, "cacah_tidak_bulat",
                                f"Nilai '{shown_value(tab, i)[:30]}' bersatuan '{tab.text(f.SATUAN)[i]}' "
                                "harus bilangan bulat >= 0"))
    for i in np.flatnonzero(negative).tolist():
        buf.add((i, 1), Finding(tab.ids[i], f.NILAI, GALAT, "nilai_negatif",
                                f"Nilai '{shown_value(tab, i)[:30]}' negatif, padahal satuan '{tab.text(f.SATUAN)[i]}' "
                                "tidak bisa negatif (LibreOffice membaca 'Rp 13.500,-' sebagai -13.500; tulis 13500 saja)"))
    for i in np.flatnonzero(percent_unit_mismatch).tolist():
        buf.add((i, 2), Finding(tab.ids[i], f.NILAI, PERINGATAN, "persen_satuan",
                                f"Nilai ditulis sebagai persen ({format_number(value[i])}%) tetapi Satuan "
                                f"'{tab.text(f.SATUAN)[i]}' bukan persen; ubah Satuan menjadi % atau tulis angkanya tanpa %"))
    for i in np.flatnonzero(as_percent & (value < 0)).tolist():
        buf.add((i, 3), Finding(tab.ids[i], f.NILAI, GALAT, "persen_negatif",
                                f"Persentase {format_number(value[i])}% di bawah 0"))
    for i in np.flatnonzero(as_percent & (value > 100)).tolist():
        if not _has_bound(rules, tab, i):
            buf.add((i, 3), Finding(tab.ids[i], f.NILAI, PERINGATAN, "persen_di_atas_100",
                                    f"Persentase {format_number(value[i])}% di atas 100; periksa kembali "
                                    "(kecuali indikator seperti APK)"))
    buf.flush(out)


def shown_value(tab: _Tab, i: int) -> str:
    """The Nilai cell as the sheet shows it in id-ID ('12,5%', '0,5'), not as the machine stores it."""
    raw = tab.raw[f.NILAI][i]
    if isinstance(raw, (int, float)) and not isinstance(raw, bool) and raw == raw:
        percent = tab.raw["_persen"][i]
        return display_number(raw * 100) + "%" if percent is True or percent == 1 else display_number(raw)
    return str(tab.text(f.NILAI)[i])


def display_number(value: float) -> str:
    """A number in id-ID with as many decimals as it has (up to 6): 0.125 -> '0,125'."""
    shown = format_number(round(float(value), 6), 6)
    return shown.rstrip("0").rstrip(",") if "," in shown else shown


def _has_bound(rules: RuleSet, tab: _Tab, i: int) -> bool:
    items = rules.items_for(tab.text(f.KODE)[i], tab.text(f.URAIAN)[i])
    return any("maximum" in r.kolom.get(f.NILAI, {}) for r in items)


def _years(tab: _Tab, years: YearColumn, rules: RuleSet, year: int, out: list[Finding]) -> None:
    oldest = year - rules.tahun_mundur_maks
    y, known = years.value, years.value >= 0
    invalid = (years.problem != None) & ~tab.empty(f.TAHUN)  # noqa: E711 (elementwise)
    for i in np.flatnonzero(invalid | (known & ((y > year) | (y < oldest)))):
        if invalid[i]:
            out.append(Finding(tab.ids[i], f.TAHUN, GALAT, "tahun_tidak_sah", years.problem[i]))
        elif y[i] > year:
            out.append(Finding(tab.ids[i], f.TAHUN, GALAT, "tahun_masa_depan",
                               f"Tahun {y[i]} melewati tahun kerja {year}"))
        else:
            out.append(Finding(tab.ids[i], f.TAHUN, GALAT, "tahun_terlalu_lama",
                               f"Tahun {y[i]} lebih dari {rules.tahun_mundur_maks} tahun sebelum {year}"))


def _places(tab: _Tab, out: list[Finding]) -> None:
    matches = tab.places()
    bad = tab.each(f.RINCIAN, lambda r: bool(r) and tab.wilayah.lookup(r).status in ("tidak_dikenal", "mirip"), bool)
    for i in np.flatnonzero(bad):
        match, value = matches[i], tab.text(f.RINCIAN)[i]
        out.append(Finding(tab.ids[i], f.RINCIAN, GALAT, f"wilayah_{match.status}",
                           match.message or f"Rincian '{value}' bukan wilayah {tab.wilayah.nama} yang dikenal"))
    warned = tab.each(f.RINCIAN, lambda r: bool(r) and bool(tab.wilayah.lookup(r).warning), bool)
    for row in np.flatnonzero(warned).tolist():  # renamed or dropped by the current code list: a warning only
        out.append(Finding(tab.ids[row], f.RINCIAN, PERINGATAN, "wilayah_berubah", matches[row].warning))


def _items(tab: _Tab, numbers: NumberColumn, years: YearColumn, rules: RuleSet, out: list[Finding]) -> None:
    if not rules.items:
        return
    codes, pairs = tab.pairs()
    hits = np.array([[r.matches(k, u) for r in rules.items] for k, u in pairs], dtype=bool)  # pair x rule
    buf = _Out()
    first_match: dict[int, int] = {}
    for index, rule in enumerate(rules.items):
        rows = np.flatnonzero(hits[codes, index])
        if not len(rows):
            continue
        first_match[index] = int(rows[0])
        _constraints(tab, rows, index, rule, numbers, years, buf)
    buf.flush(out)
    summing = np.array([r.jumlah_kecamatan for r in rules.items], dtype=bool)
    if summing.any():
        _kecamatan_sums(tab, (hits[:, summing].sum(axis=1))[codes], numbers, out)
    # `unique` is checked per rule, rules in the order their first row appears
    for index in sorted(first_match, key=lambda i: (first_match[i], i)):
        _unique(tab, np.flatnonzero(hits[codes, index]), rules.items[index], out)


def _constraints(tab: _Tab, rows: np.ndarray, index: int, rule: ItemRule, numbers: NumberColumn,
                 years: YearColumn, buf: _Out) -> None:
    """Frictionless constraints of a per-item rule on its rows (``unique`` is checked across rows)."""
    for k_index, (key, limits) in enumerate(rule.kolom.items()):
        label = COLUMN_LABEL.get(key, key)
        here, shown = rows, tab.text(key)[rows]
        missing = shown == ""
        if limits.get("required"):
            for i in here[missing]:
                buf.add((i, index, k_index, 0), Finding(tab.ids[i], key, rule.level, "wajib_menurut_aturan",
                                                        f"{label} wajib diisi untuk item ini ({rule.nama})",
                                                        3 if key != f.NILAI else 7))
            here, shown, missing = here[~missing], shown[~missing], missing[~missing]
        if key in (f.NILAI, f.TAHUN):
            _bounds(tab, here, index, k_index, key, label, limits, rule, numbers, years, buf)
            if key == f.NILAI:
                continue
        here, shown = here[~missing], shown[~missing]
        if "enum" in limits:
            allowed = {str(v).casefold() for v in limits["enum"]}
            for i, value in zip(here, shown):
                if value.casefold() not in allowed:
                    buf.add((i, index, k_index, 2), Finding(
                        tab.ids[i], key, rule.level, "bukan_pilihan",
                        f"{label} '{value[:40]}' bukan pilihan yang sah ({', '.join(map(str, limits['enum']))})"))
        if "pattern" in limits:
            pattern = re.compile(str(limits["pattern"]))
            for i, value in zip(here, shown):
                if not pattern.fullmatch(value):
                    buf.add((i, index, k_index, 3), Finding(
                        tab.ids[i], key, rule.level, "pola_tidak_cocok",
                        f"{label} '{value[:40]}' tidak sesuai pola {limits['pattern']} ({rule.nama})"))


def _bounds(tab: _Tab, rows: np.ndarray, index: int, k_index: int, key: str, label: str, limits: dict[str, Any],
            rule: ItemRule, numbers: NumberColumn, years: YearColumn, buf: _Out) -> None:
    show: Callable[[float], str]
    if key == f.NILAI:
        value, show = numbers.value[rows], display_number
    else:
        value = np.where(years.value[rows] >= 0, years.value[rows], np.nan).astype(float)
        show = lambda v: str(int(v))  # noqa: E731 (a year has no dots)
    for bound, code, word, below in (("minimum", "di_bawah_minimum", "di bawah", True),
                                     ("maximum", "di_atas_maksimum", "di atas", False)):
        if bound not in limits:
            continue
        limit = limits[bound]
        broken = (value < limit) if below else (value > limit)
        for i, v in zip(rows[broken], value[broken]):
            buf.add((i, index, k_index, 1), Finding(tab.ids[i], key, rule.level, code,
                                                    f"{label} {show(v)} {word} batas {show(limit)} ({rule.nama})"))


def _unique(tab: _Tab, rows: np.ndarray, rule: ItemRule, out: list[Finding]) -> None:
    for key, limits in rule.kolom.items():
        if not limits.get("unique"):
            continue
        shown = tab.text(key)[rows]
        folded = pd.Series([v.casefold() for v in shown], dtype=object)
        filled = (folded != "").to_numpy()
        dup = folded.duplicated().to_numpy() & filled
        first = dict(zip(folded[filled & ~dup], tab.ids[rows][filled & ~dup]))
        for i, value, fold in zip(rows[dup], shown[dup], folded[dup]):
            out.append(Finding(tab.ids[i], key, rule.level, "tidak_unik",
                               f"{COLUMN_LABEL.get(key, key)} '{value[:40]}' sama dengan baris "
                               f"{first[fold]}; harus unik ({rule.nama})", 3))


def _kecamatan_sums(tab: _Tab, weight: np.ndarray, numbers: NumberColumn, out: list[Finding]) -> None:
    """A kabupaten total must equal the sum of its kecamatan, per item and Tahun (DHIS2-like).
    ``weight``: how many summing rules match each row. Plain numpy: a tab checks a few items
    per cycle, where a pandas groupby costs more to set up than the sums themselves."""
    rows = np.flatnonzero(weight > 0)
    if not len(rows):
        return
    group = _item_year_groups(tab, rows)
    value = numbers.value[rows]
    count, missing, summed = _kecamatan_parts(tab, rows, group, value)
    # the totals of groups with a kecamatan part; a row summed by two rules counts twice
    total = tab.each(f.RINCIAN, tab.wilayah.is_kabupaten, bool)[rows] & ~np.isnan(value)
    total &= count[group] > 0
    picked = np.flatnonzero(total)
    picked = np.repeat(picked, weight[rows[picked]])
    # groups in the order their first row appears, rows in sheet order within a group
    picked = picked[np.lexsort((rows[picked], group[picked]))]
    g = group[picked]
    expected = len(tab.wilayah.kecamatan)
    incomplete = (count[g] < expected) | (missing[g] > 0)
    v, s = value[picked], summed[g]
    differs = ~incomplete & (np.abs(s - v) > 1e-6 * np.maximum(1.0, np.abs(v)))
    for j in np.flatnonzero(incomplete | differs):
        pos_j = rows[picked[j]]
        if incomplete[j]:
            out.append(Finding(tab.ids[pos_j], f.NILAI, PERINGATAN, "jumlah_kecamatan_belum_lengkap",
                               f"Baru {int(count[g[j]] - missing[g[j]])} dari {expected} kecamatan terisi; jumlah "
                               "kabupaten belum dapat dicek", 7))
        else:
            out.append(Finding(tab.ids[pos_j], f.NILAI, GALAT, "jumlah_kecamatan_beda",
                               f"Nilai kabupaten {display_number(v[j])} tidak sama dengan jumlah {expected} "
                               f"kecamatan {display_number(s[j])}", 7))


def _item_year_groups(tab: _Tab, rows: np.ndarray) -> np.ndarray:
    """Group number of each row: one per item and Tahun, numbered in order of appearance."""
    item = tab.codes("item")[rows]  # any one-to-one numbering: the groups are numbered below
    tahun = tab.distinct(f.TAHUN)[0][rows].astype(np.int64)
    return factorize(item * (tahun.max() + 1) + tahun)[0]


def _kecamatan_parts(tab: _Tab, rows: np.ndarray, group: np.ndarray,
                     value: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per group: how many kecamatan it has, how many of them lack a number, and their sum.
    A kecamatan listed twice in a group counts once, with its last row."""
    kec = tab.each(f.RINCIAN, lambda r: _kecamatan_code(tab.wilayah, r))[rows]
    is_kec = np.flatnonzero(kec != None)  # noqa: E711 (elementwise)
    groups = int(group.max()) + 1
    if not len(is_kec):
        return np.zeros(groups, dtype=np.int64), np.zeros(groups), np.zeros(groups)
    codes, names = factorize(kec[is_kec])
    key = group[is_kec].astype(np.int64) * (len(names) + 1) + codes
    _, from_end = np.unique(key[::-1], return_index=True)
    last = np.sort(len(key) - 1 - from_end)  # the last row of each (group, kecamatan), in sheet order
    part_group, part_value = group[is_kec][last], value[is_kec][last]
    lacking = np.isnan(part_value)
    count = np.bincount(part_group, minlength=groups)
    missing = np.bincount(part_group, weights=lacking, minlength=groups)
    summed = np.bincount(part_group, weights=np.where(lacking, 0.0, part_value), minlength=groups)
    return count, missing, summed


def _kecamatan_code(wilayah: Wilayah, rincian: str) -> str | None:
    match = wilayah.lookup(rincian) if rincian else None
    if match is not None and match.status == "cocok" and match.place is not None and match.place.kind == "kecamatan":
        return match.place.kode
    return None


def _standar_data(tab: _Tab, present: list[str], rules: RuleSet, out: list[Finding]) -> None:
    if not present:
        return
    keys = tab.item_keys
    first = np.flatnonzero(~duplicated(tab.codes("item")) & (keys != "kode:") & (keys != "uraian:"))
    known = {x.casefold() for x in rules.frekuensi}
    for i in first:
        empty = [k.capitalize() for k in present if not tab.text(k)[i]]
        if empty:
            out.append(Finding(tab.ids[i], empty[0].casefold(), PERINGATAN, "standar_data_belum_lengkap",
                               f"Standar Data belum lengkap: {', '.join(empty)} kosong", 5))
        if f.FREKUENSI in present:
            freq = tab.text(f.FREKUENSI)[i]
            if freq and freq.casefold() not in known:
                out.append(Finding(tab.ids[i], f.FREKUENSI, PERINGATAN, "frekuensi_tidak_dikenal",
                                   f"Frekuensi '{freq[:30]}' bukan {', '.join(rules.frekuensi)}", 5))


def _duplicates(tab: _Tab, years: YearColumn, out: list[Finding]) -> None:
    # the newer row (higher ID number) carries the error, wherever it stands in the sheet
    names = list(map(str, tab.ids.tolist()))
    ids = _objects(names)
    by_id = np.argsort(ids, kind="stable")
    order = by_id[np.argsort(np.fromiter(map(len, names), dtype=np.int64, count=len(names))[by_id], kind="stable")]
    order = order[~(tab.empty(f.URAIAN) & tab.empty(f.KODE))[order]]
    if not len(order):
        return
    item, rincian = tab.codes("item"), tab.codes("rincian")
    year = years.value + 1  # -1 (no year) -> 0
    key = (item * (rincian.max() + 1) + rincian) * (year.max() + 1) + year
    keys = key[order]
    dup = duplicated(keys)
    first = dict(zip(keys[~dup].tolist(), tab.ids[order][~dup]))
    for i, k in zip(order[dup], keys[dup].tolist()):
        out.append(Finding(tab.ids[i], f.URAIAN, GALAT, "baris_ganda",
                           f"Item, Rincian dan Tahun sama dengan baris {first[k]}", 3))


def _history(tab: _Tab, numbers: NumberColumn, years: YearColumn, history: History, rules: RuleSet,
             out: list[Finding]) -> None:
    """A change of more than a set share against the last archived value of the same datum."""
    rows = np.flatnonzero(~np.isnan(numbers.value) & (years.value >= 0))
    if not len(rows):
        return
    keys = list(zip(tab.item_keys[rows], tab.rincian_keys[rows], years.value[rows].tolist()))
    previous = {key: _previous(history.get(key[:2], ()), key[2]) for key in set(keys)}
    prev = np.array([old[1] if (old := previous[k]) else np.nan for k in keys], dtype=np.float64)
    value = numbers.value[rows]
    with np.errstate(divide="ignore", invalid="ignore"):
        change = np.abs(value - prev) / np.abs(prev)
    jumped = ~np.isnan(prev) & ((prev == 0) & (value != 0) | (prev != 0) & (change > rules.perubahan_maks))
    for j in np.flatnonzero(jumped):
        i, v, p = rows[j], float(value[j]), float(prev[j])
        last = previous[keys[j]]
        assert last is not None  # a jump needs an archived value
        out.append(Finding(tab.ids[i], f.NILAI, PERINGATAN, "lonjakan_riwayat",
                           f"Nilai {display_number(v)} dibanding {display_number(p)} "
                           f"(tahun {last[0]}): {_jump(v, p, rules)}", 7))


def _previous(archived: Iterable[tuple[int, float]], year: int) -> tuple[int, float] | None:
    """The value to compare with: this year's newest archived version, else the latest earlier year."""
    same_year = [(y, v) for y, v in archived if y == year]  # an archived value edited again
    if same_year:
        return same_year[-1]
    earlier = [(y, v) for y, v in archived if y < year]
    return max(earlier, key=lambda yv: yv[0]) if earlier else None


def _jump(value: float, prev: float, rules: RuleSet) -> str | None:
    if prev == 0:
        return None if value == 0 else "sebelumnya 0, periksa kembali"
    change = abs(value - prev) / abs(prev)
    if change <= rules.perubahan_maks:
        return None
    if value != 0:
        ratio = abs(value / prev)
        for r in rules.rasio_koma:
            for target in (r, 1 / r):
                if abs(ratio - target) <= rules.toleransi_rasio * target:
                    return f"rasio sekitar {format_number(ratio, 3 if ratio < 1 else 0)}, kemungkinan koma desimal hilang"
    return f"berubah {format_number(change * 100, 0)}%, periksa kembali"
