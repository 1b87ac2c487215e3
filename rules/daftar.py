"""A Daftar Data (the Walidata's draft data list, SOP step 2) expanded into sheet rows.

Pure: the caller reads the file and matches its headers; this decides, line by line, which
rows each OPD's tab should hold and names every bad line with its column.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from rules import fields as f
from rules.keys import item_key, rincian_key, text
from rules.wilayah import Wilayah

ITEM_FIELDS = (f.KODE, f.URAIAN, f.RINCIAN, f.SATUAN, f.TAHUN, f.KONSEP, f.DEFINISI, f.KLASIFIKASI,
               f.UKURAN, f.FREKUENSI, f.BIDANG)  # Bidang optional: the division that handles the item
OPD = "opd"
MAX_YEARS = 30
_RANGE = re.compile(r"\s*(\d{4})\s*[-–—]\s*(\d{4})\s*")
_YEAR = re.compile(r"\s*(\d{4})\s*")


@dataclass(frozen=True)
class Problem:
    line: int  # line number in the file (the header is line 1)
    column: str  # the column's header as written in the file ("" for the whole line)
    message: str  # Bahasa Indonesia


@dataclass
class Expansion:
    rows: dict[str, list[dict[str, object]]] = field(default_factory=dict)  # OPD -> rows (field key -> value)
    problems: list[Problem] = field(default_factory=list)


def rincian_values(raw: str, wilayah: Wilayah) -> list[str]:
    """'' -> one whole-kabupaten row; 'kecamatan' -> the kabupaten/kota total ('Kota Semarang')
    and its kecamatan in Kemendagri code order; 'a;b' -> one row each."""
    raw = raw.strip()
    if not raw:
        return [""]
    if raw.casefold() == "kecamatan":
        return [wilayah.nama, *(k.nama for k in wilayah.kecamatan)]
    return [part.strip() for part in raw.split(";") if part.strip()]


def years(raw: str, default: int) -> tuple[list[int], str | None]:
    """One year, a range '2021-2025' (one row per year) or empty (the workspace year)."""
    if not raw.strip():
        return [default], None
    if match := _RANGE.fullmatch(raw):
        first, last = int(match.group(1)), int(match.group(2))
        if last < first:
            return [], f"Rentang tahun '{raw}' terbalik; tulis tahun awal dulu, mis. 2021-2025."
        if last - first >= MAX_YEARS:
            return [], f"Rentang tahun '{raw}' lebih dari {MAX_YEARS} tahun."
        found = list(range(first, last + 1))
    elif match := _YEAR.fullmatch(raw):
        found = [int(match.group(1))]
    else:
        return [], f"Tahun '{raw}' tidak dikenal; tulis satu tahun (2025) atau rentang (2021-2025)."
    if not all(f.FIRST_YEAR <= y <= f.LAST_YEAR for y in found):
        return [], f"Tahun '{raw}' di luar {f.FIRST_YEAR}-{f.LAST_YEAR}."
    return found, None


def row_key(row: dict[str, object], wilayah: Wilayah) -> tuple[str, str, str]:
    """A row of a tab is the same draft row when its item (Kode Data, else Uraian), Rincian and Tahun match."""
    return (item_key(row.get(f.KODE), row.get(f.URAIAN)), rincian_key(row.get(f.RINCIAN), wilayah),
            text(row.get(f.TAHUN)))


def expand(lines: list[tuple[int, dict[str, str]]], headers: dict[str, str], known_opds: set[str],
           wilayah: Wilayah, default_year: int) -> Expansion:
    """``lines``: (line number, {field key or 'opd': text}); ``headers``: field key -> header as
    written, for messages. Rows repeated within the file are kept once."""
    out = Expansion()
    seen: set[tuple[str, tuple[str, str, str]]] = set()
    for number, values in lines:
        if not any(v.strip() for v in values.values()):
            continue  # an empty line
        problems = _line_problems(number, values, headers, known_opds)
        found, why = years(values.get(f.TAHUN, ""), default_year)
        if why:
            problems.append(Problem(number, headers.get(f.TAHUN, "Tahun"), why))
        if problems:
            out.problems += problems
            continue
        opd = values[OPD].strip().upper()
        base = {k: values[k].strip() for k in ITEM_FIELDS if k not in (f.RINCIAN, f.TAHUN) and values.get(k, "").strip()}
        for rincian in rincian_values(values.get(f.RINCIAN, ""), wilayah):
            for year in found:
                row = {**base, f.RINCIAN: rincian, f.TAHUN: year} if rincian else {**base, f.TAHUN: year}
                key = (opd, row_key(row, wilayah))
                if key not in seen:
                    seen.add(key)
                    out.rows.setdefault(opd, []).append(row)
    return out


def _line_problems(number: int, values: dict[str, str], headers: dict[str, str], known: set[str]) -> list[Problem]:
    problems = []
    opd = values.get(OPD, "").strip()
    if not opd:
        problems.append(Problem(number, headers.get(OPD, "opd"), "Kode OPD kosong."))
    elif opd.upper() not in known:
        problems.append(Problem(number, headers.get(OPD, "opd"),
                                f"Kode OPD '{opd}' tidak dikenal (tidak ada di [[opd]] satudata.toml)."))
    if not values.get(f.URAIAN, "").strip():
        problems.append(Problem(number, headers.get(f.URAIAN, "Uraian Data"), "Uraian Data kosong."))
    return problems
