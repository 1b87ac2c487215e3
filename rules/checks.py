"""Data checks of DESIGN section 5 over one tab: built-in, per-item and history.

Input is a DataFrame of raw cell values indexed by row ID, with the field keys as columns
(plus ``_persen``: the Nilai cell had a percent format). Output is findings as values.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from rules import fields as f
from rules.findings import GALAT, PERINGATAN, Finding
from rules.numbers import Parsed, format_number, parse_number, parse_year
from rules.rulefile import RuleSet
from rules.wilayah import Wilayah

COLUMN_LABEL = {f.KODE: "Kode Data", f.URAIAN: "Uraian Data", f.RINCIAN: "Rincian", f.SATUAN: "Satuan",
                f.TAHUN: "Tahun", f.NILAI: "Nilai", f.KETERANGAN: "Keterangan"}
# history: (item key, rincian key) -> [(tahun, nilai)] of archived versions
History = dict[tuple[str, str], list[tuple[int, float]]]


@dataclass
class CheckResult:
    findings: list[Finding] = field(default_factory=list)
    numbers: dict[str, float | None] = field(default_factory=dict)
    years: dict[str, int | None] = field(default_factory=dict)


def text(value: object) -> str:
    """A cell as the text a user reads (whole floats without '.0')."""
    if value.__class__ is str:  # the common case first: this runs for every cell
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        if value.is_integer():
            return str(int(value))
    return str(value).strip()


def item_key(kode: object, uraian: object) -> str:
    """Rows of one data item share a Kode Data, else an Uraian Data."""
    k = text(kode).casefold()
    return f"kode:{k}" if k else "uraian:" + re.sub(r"\W+", " ", text(uraian).casefold()).strip()


def rincian_key(rincian: object, wilayah: Wilayah) -> str:
    match = wilayah.lookup(text(rincian)) if text(rincian) else None
    if match is not None and match.status == "cocok" and match.place is not None:
        return match.place.kode
    if wilayah.is_kabupaten(text(rincian)):
        return "kabupaten"
    return re.sub(r"\W+", " ", text(rincian).casefold()).strip()


class _Frame:
    """Column lists of the tab: positional access is what pandas' .at makes slow."""

    def __init__(self, df: pd.DataFrame) -> None:
        self.index = list(df.index)
        self.columns = {k: (df[k].tolist() if k in df.columns else [None] * len(self.index))
                        for k in (*f.DATA_FIELDS, "_persen")}
        self.pos = {rid: i for i, rid in enumerate(self.index)}
        self.texts: dict[str, list[str]] = {}

    def text(self, key: str) -> list[str]:
        if key not in self.texts:
            self.texts[key] = [text(v) for v in self.columns[key]]
        return self.texts[key]

    def at(self, row_id: str, key: str) -> str:
        return self.text(key)[self.pos[row_id]]

    def raw(self, row_id: str, key: str) -> object:
        return self.columns[key][self.pos[row_id]]


def run_checks(df: pd.DataFrame, rules: RuleSet, wilayah: Wilayah, year: int,
               history: History | None = None) -> CheckResult:
    result = CheckResult()
    if df.empty:
        return result
    frame = _Frame(df)
    parsed = dict(zip(frame.index, (parse_number(None if v != v else v, percent_format=p is True or p == 1)
                                    for v, p in zip(frame.columns[f.NILAI], frame.columns["_persen"]))))
    years = dict(zip(frame.index, (parse_year(None if v != v else v) for v in frame.columns[f.TAHUN])))
    out = result.findings
    for row_id, p in parsed.items():
        result.numbers[row_id] = p.value
    for row_id, (y, _) in years.items():
        result.years[row_id] = y
    _required(frame, out)
    _values(frame, parsed, rules, out)
    _years(years, rules, year, frame, out)
    _places(frame, wilayah, out)
    _items(frame, parsed, years, rules, wilayah, out)
    _standar_data(frame, [k for k in f.STANDAR_DATA if k in df.columns], rules, out)
    _duplicates(frame, result.years, wilayah, out)
    if history:
        _history(frame, parsed, result.years, wilayah, history, rules, out)
    return result


def _required(frame: _Frame, out: list[Finding]) -> None:
    for key, label, step, blocks in ((f.URAIAN, "Uraian Data", 1, 5), (f.SATUAN, "Satuan", 1, 5),
                                     (f.TAHUN, "Tahun", 7, 7), (f.NILAI, "Nilai", 7, 7)):
        for row_id in (rid for rid, v in zip(frame.index, frame.text(key)) if not v):
            out.append(Finding(row_id, key, GALAT, f"{key}_wajib", f"{label} wajib diisi", step, blocks))


def _values(frame: _Frame, parsed: dict[str, Parsed], rules: RuleSet, out: list[Finding]) -> None:
    units = dict(zip(frame.index, (v.casefold() for v in frame.text(f.SATUAN))))
    for row_id, p in parsed.items():
        if p.code == "ambigu_titik" and _plainly_thousands(p, units[row_id], rules):
            pass  # "8.693" jiwa or "Rp 13.500": whole counts and rupiah are written with thousands dots
        elif p.code and p.level:
            out.append(Finding(row_id, f.NILAI, p.level, p.code, p.message or "Nilai tidak sah"))
        if p.value is None:
            continue
        unit = units[row_id]
        _unit_limits(frame, row_id, p, unit, rules, out)
        _percent_limits(frame, row_id, p, unit, rules, out)


def _unit_limits(frame: _Frame, row_id: str, p: Parsed, unit: str, rules: RuleSet, out: list[Finding]) -> None:
    """Counts are whole and never negative; money and area are never negative either."""
    cell, satuan = shown_value(frame, row_id), frame.at(row_id, f.SATUAN)
    if unit in rules.satuan_cacah and (p.value < 0 or not float(p.value).is_integer()):
        out.append(Finding(row_id, f.NILAI, GALAT, "cacah_tidak_bulat",
                           f"Nilai '{cell[:30]}' bersatuan '{satuan}' harus bilangan bulat >= 0"))
    elif p.value < 0 and _never_negative(unit, rules):
        out.append(Finding(row_id, f.NILAI, GALAT, "nilai_negatif",
                           f"Nilai '{cell[:30]}' negatif, padahal satuan '{satuan}' tidak bisa negatif "
                           "(LibreOffice membaca 'Rp 13.500,-' sebagai -13.500; tulis 13500 saja)"))


def _percent_limits(frame: _Frame, row_id: str, p: Parsed, unit: str, rules: RuleSet, out: list[Finding]) -> None:
    shown = format_number(p.value)
    if p.percent and unit not in rules.satuan_persen:
        out.append(Finding(row_id, f.NILAI, PERINGATAN, "persen_satuan",
                           f"Nilai ditulis sebagai persen ({shown}%) tetapi Satuan '{frame.at(row_id, f.SATUAN)}' "
                           "bukan persen; ubah Satuan menjadi % atau tulis angkanya tanpa %"))
    if unit in rules.satuan_persen or p.percent:
        if p.value < 0:
            out.append(Finding(row_id, f.NILAI, GALAT, "persen_negatif", f"Persentase {shown}% di bawah 0"))
        elif p.value > 100 and not _has_bound(rules, frame, row_id):
            out.append(Finding(row_id, f.NILAI, PERINGATAN, "persen_di_atas_100",
                               f"Persentase {shown}% di atas 100; periksa kembali (kecuali indikator seperti APK)"))


def _never_negative(unit: str, rules: RuleSet) -> bool:
    return unit in rules.satuan_tidak_negatif or "rupiah" in unit or unit.startswith("rp")


def shown_value(frame: _Frame, row_id: str) -> str:
    """The Nilai cell as the sheet shows it in id-ID ('12,5%', '0,5'), not as the machine stores it."""
    raw = frame.raw(row_id, f.NILAI)
    if isinstance(raw, (int, float)) and not isinstance(raw, bool) and raw == raw:
        percent = frame.raw(row_id, "_persen")
        return display_number(raw * 100) + "%" if percent is True or percent == 1 else display_number(raw)
    return frame.at(row_id, f.NILAI)


def display_number(value: float) -> str:
    """A number in id-ID with as many decimals as it has (up to 6): 0.125 -> '0,125'."""
    text_ = format_number(round(float(value), 6), 6)
    return text_.rstrip("0").rstrip(",") if "," in text_ else text_


def _plainly_thousands(p: Parsed, unit: str, rules: RuleSet) -> bool:
    """A dot before exactly three digits in a count or a rupiah amount can only mean thousands."""
    whole = p.value is not None and float(p.value).is_integer()
    return whole and (unit in rules.satuan_cacah or "rupiah" in unit or unit.startswith("rp"))


def _has_bound(rules: RuleSet, frame: _Frame, row_id: str) -> bool:
    items = rules.items_for(frame.at(row_id, f.KODE), frame.at(row_id, f.URAIAN))
    return any("maximum" in r.kolom.get(f.NILAI, {}) for r in items)


def _years(years: dict, rules: RuleSet, year: int, frame: _Frame, out: list[Finding]) -> None:
    oldest = year - rules.tahun_mundur_maks
    for row_id, (y, problem) in years.items():
        if problem and frame.at(row_id, f.TAHUN):
            out.append(Finding(row_id, f.TAHUN, GALAT, "tahun_tidak_sah", problem))
        elif y is not None and y > year:
            out.append(Finding(row_id, f.TAHUN, GALAT, "tahun_masa_depan",
                               f"Tahun {y} melewati tahun kerja {year}"))
        elif y is not None and y < oldest:
            out.append(Finding(row_id, f.TAHUN, GALAT, "tahun_terlalu_lama",
                               f"Tahun {y} lebih dari {rules.tahun_mundur_maks} tahun sebelum {year}"))


def _places(frame: _Frame, wilayah: Wilayah, out: list[Finding]) -> None:
    for row_id, value in zip(frame.index, frame.text(f.RINCIAN)):
        if not value:
            continue
        match = wilayah.lookup(value)
        if match.status in ("tidak_dikenal", "mirip"):
            out.append(Finding(row_id, f.RINCIAN, GALAT, f"wilayah_{match.status}",
                               match.message or f"Rincian '{value}' bukan wilayah Magetan yang dikenal"))


def _items(frame: _Frame, parsed: dict[str, Parsed], years: dict, rules: RuleSet, wilayah: Wilayah,
           out: list[Finding]) -> None:
    if not rules.items:
        return
    groups: dict[tuple[str, object], list[str]] = {}
    matched: dict[int, tuple] = {}
    for row_id in frame.index:
        for rule in rules.items_for(frame.at(row_id, f.KODE), frame.at(row_id, f.URAIAN)):
            _constraints(row_id, rule, frame, parsed[row_id], years[row_id][0], out)
            matched.setdefault(id(rule), (rule, []))[1].append(row_id)
            if rule.jumlah_kecamatan:
                key = (item_key(frame.raw(row_id, f.KODE), frame.raw(row_id, f.URAIAN)), frame.at(row_id, f.TAHUN))
                groups.setdefault(key, []).append(row_id)
    for row_ids in groups.values():
        _kecamatan_sum(row_ids, frame, parsed, wilayah, out)
    for rule, row_ids in matched.values():
        _unique(rule, row_ids, frame, out)


def _constraints(row_id: str, rule, frame: _Frame, p: Parsed, year: int | None, out: list[Finding]) -> None:
    """Frictionless constraints of a per-item rule on one row (``unique`` is checked across rows)."""
    for key, limits in rule.kolom.items():
        label = COLUMN_LABEL.get(key, key)
        shown = frame.at(row_id, key)
        if limits.get("required") and not shown:
            out.append(Finding(row_id, key, rule.level, "wajib_menurut_aturan",
                               f"{label} wajib diisi untuk item ini ({rule.nama})", 3 if key != f.NILAI else 7))
            continue
        if key in (f.NILAI, f.TAHUN):
            value = p.value if key == f.NILAI else year
            if value is None:
                continue
            show = display_number if key == f.NILAI else (lambda v: str(int(v)))  # a year has no dots
            if "minimum" in limits and value < limits["minimum"]:
                out.append(Finding(row_id, key, rule.level, "di_bawah_minimum",
                                   f"{label} {show(value)} di bawah batas {show(limits['minimum'])} ({rule.nama})"))
            if "maximum" in limits and value > limits["maximum"]:
                out.append(Finding(row_id, key, rule.level, "di_atas_maksimum",
                                   f"{label} {show(value)} di atas batas {show(limits['maximum'])} ({rule.nama})"))
            if key == f.NILAI:
                continue
        if not shown:
            continue
        if "enum" in limits and shown.casefold() not in {str(v).casefold() for v in limits["enum"]}:
            out.append(Finding(row_id, key, rule.level, "bukan_pilihan",
                               f"{label} '{shown[:40]}' bukan pilihan yang sah ({', '.join(map(str, limits['enum']))})"))
        if "pattern" in limits and not re.fullmatch(str(limits["pattern"]), shown):
            out.append(Finding(row_id, key, rule.level, "pola_tidak_cocok",
                               f"{label} '{shown[:40]}' tidak sesuai pola {limits['pattern']} ({rule.nama})"))


def _unique(rule, row_ids: list[str], frame: _Frame, out: list[Finding]) -> None:
    for key, limits in rule.kolom.items():
        if not limits.get("unique"):
            continue
        first: dict[str, str] = {}
        for row_id in row_ids:
            value = frame.at(row_id, key).casefold()
            if not value:
                continue
            if value in first:
                out.append(Finding(row_id, key, rule.level, "tidak_unik",
                                   f"{COLUMN_LABEL.get(key, key)} '{frame.at(row_id, key)[:40]}' sama dengan baris "
                                   f"{first[value]}; harus unik ({rule.nama})", 3))
            else:
                first[value] = row_id


def _kecamatan_sum(row_ids: list[str], frame: _Frame, parsed: dict[str, Parsed], wilayah: Wilayah,
                   out: list[Finding]) -> None:
    totals = [r for r in row_ids if wilayah.is_kabupaten(frame.at(r, f.RINCIAN))]
    parts: dict[str, float | None] = {}
    for r in row_ids:
        match = wilayah.lookup(frame.at(r, f.RINCIAN)) if frame.at(r, f.RINCIAN) else None
        if match and match.status == "cocok" and match.place and match.place.kind == "kecamatan":
            parts[match.place.kode] = parsed[r].value
    if not totals or not parts:
        return
    expected = len(wilayah.kecamatan)
    for total_id in totals:
        total = parsed[total_id].value
        if total is None:
            continue
        if len(parts) < expected or any(v is None for v in parts.values()):
            filled = sum(v is not None for v in parts.values())
            out.append(Finding(total_id, f.NILAI, PERINGATAN, "jumlah_kecamatan_belum_lengkap",
                               f"Baru {filled} dari {expected} kecamatan terisi; jumlah kabupaten belum dapat dicek", 7))
            continue
        summed = sum(v for v in parts.values() if v is not None)
        if abs(summed - total) > 1e-6 * max(1.0, abs(total)):
            out.append(Finding(total_id, f.NILAI, GALAT, "jumlah_kecamatan_beda",
                               f"Nilai kabupaten {display_number(total)} tidak sama dengan jumlah {expected} kecamatan "
                               f"{display_number(summed)}", 7))


def _standar_data(frame: _Frame, present: list[str], rules: RuleSet, out: list[Finding]) -> None:
    if not present:
        return
    seen: set[str] = set()
    for row_id in frame.index:
        key = item_key(frame.at(row_id, f.KODE), frame.at(row_id, f.URAIAN))
        if key in seen or key in ("kode:", "uraian:"):
            continue
        seen.add(key)
        empty = [k.capitalize() for k in present if not frame.at(row_id, k)]
        if empty:
            out.append(Finding(row_id, empty[0].casefold(), PERINGATAN, "standar_data_belum_lengkap",
                               f"Standar Data belum lengkap: {', '.join(empty)} kosong", 5))
        if f.FREKUENSI in present:
            freq = frame.at(row_id, f.FREKUENSI)
            if freq and freq.casefold() not in {x.casefold() for x in rules.frekuensi}:
                out.append(Finding(row_id, f.FREKUENSI, PERINGATAN, "frekuensi_tidak_dikenal",
                                   f"Frekuensi '{freq[:30]}' bukan {', '.join(rules.frekuensi)}", 5))


def _duplicates(frame: _Frame, years: dict[str, int | None], wilayah: Wilayah,
                out: list[Finding]) -> None:
    seen: dict[tuple, str] = {}
    # the newer row (higher ID number) carries the error, wherever it stands in the sheet
    for row_id in sorted(frame.index, key=lambda rid: (len(str(rid)), str(rid))):
        if not frame.at(row_id, f.URAIAN) and not frame.at(row_id, f.KODE):
            continue
        key = (item_key(frame.raw(row_id, f.KODE), frame.raw(row_id, f.URAIAN)),
               rincian_key(frame.raw(row_id, f.RINCIAN), wilayah), years.get(row_id))
        if key in seen:
            out.append(Finding(row_id, f.URAIAN, GALAT, "baris_ganda",
                               f"Item, Rincian dan Tahun sama dengan baris {seen[key]}", 3))
        else:
            seen[key] = row_id


def _history(frame: _Frame, parsed: dict[str, Parsed], years: dict[str, int | None], wilayah: Wilayah,
             history: History, rules: RuleSet, out: list[Finding]) -> None:
    for row_id, p in parsed.items():
        year = years.get(row_id)
        if p.value is None or year is None:
            continue
        key = (item_key(frame.raw(row_id, f.KODE), frame.raw(row_id, f.URAIAN)),
               rincian_key(frame.raw(row_id, f.RINCIAN), wilayah))
        archived = history.get(key, ())
        same_year = [(y, v) for y, v in archived if y == year]  # an archived value edited again
        earlier = [(y, v) for y, v in archived if y < year]
        if same_year:
            prev_year, prev = same_year[-1]  # the newest archived version
        elif earlier:
            prev_year, prev = max(earlier, key=lambda yv: yv[0])
        else:
            continue
        message = _jump(p.value, prev, rules)
        if message:
            out.append(Finding(row_id, f.NILAI, PERINGATAN, "lonjakan_riwayat",
                               f"Nilai {display_number(p.value)} dibanding {display_number(prev)} (tahun {prev_year}): {message}", 7))


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
