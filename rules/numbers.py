"""Indonesian numbers and years as operators type them into a spreadsheet cell.

In an Indonesian sheet ``.`` groups thousands and ``,`` marks decimals, but
operators paste from English sources too. Whatever cannot be read for certain is
read one documented way and flagged, never silently scaled: ``12.5`` is read as
12,5 with a warning, because reading it as 125 or 12.500 would be a quiet ×10 or
×1000 (a real fault on regency portals). Parsing never raises: a problem is data.
"""
from __future__ import annotations

from typing import Any, Iterable

import math
import numbers
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import numpy as np

from rules.findings import GALAT, PERINGATAN

AMBIGU_TITIK = "ambigu_titik"
AMBIGU_KOMA = "ambigu_koma"
FORMAT_INGGRIS = "format_inggris"
FORMAT_SALAH = "nilai_format_salah"
KOSONG_SIMBOL = "nilai_kosong_simbol"
BUKAN_ANGKA = "nilai_bukan_angka"

# BPS table symbols for "nil" or "not available": never a number, never silently 0.
NIL_SYMBOLS = frozenset({"-", "–", "—", "−", "n/a", "na", "?", "..", "...", "x"})
# Those a table may publish in place of a value, with the reason beside it: '-' nihil (nothing
# happened), '…' data tidak tersedia (not collected), 'NA' not available; and their words (DECISIONS.md #44).
NIHIL, TIDAK_TERSEDIA = "nihil", "tidak_tersedia"
DECLARED = {"-": NIHIL, "–": NIHIL, "—": NIHIL, "−": NIHIL, "nihil": NIHIL,
            "...": TIDAK_TERSEDIA, "na": TIDAK_TERSEDIA, "n/a": TIDAK_TERSEDIA, "tidak tersedia": TIDAK_TERSEDIA,
            "data tidak tersedia": TIDAK_TERSEDIA}
SYMBOL = {NIHIL: "-", TIDAK_TERSEDIA: "…"}  # as a published table shows each
DECLARED_WORDS = "'-' (nihil) atau '…' / 'NA' (tidak tersedia)"


def declared_missing(raw: object) -> str:
    """NIHIL or TIDAK_TERSEDIA when the cell declares its value missing with a BPS symbol or its
    word ('-', '…', '...', 'NA', 'nihil', 'tidak tersedia'); '' otherwise."""
    if not isinstance(raw, str) or len(raw) > _MAX_LEN:
        return ""
    return DECLARED.get(" ".join(clean_text(raw).casefold().split()), "")
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff\u2060"))
_DASHES = "\u2212\u2013\u2014"  # minus sign, en dash, em dash
_MAX_LEN = 64  # no real cell value is longer; also keeps float() away from huge inputs
_SIGN_CHARS = f"[+\\-{_DASHES}]"
_SIGN = re.compile(rf"^({_SIGN_CHARS}?)\s*(?:rp\.?\s*)?({_SIGN_CHARS}?)\s*", re.I)
_SPACED = re.compile(r"^(\d{1,3}(?: +\d{3})+)(?:([.,])(\d+))?$")
_DOT_GROUPS = re.compile(r"^\d{1,3}(?:\.\d{3})+$")
_COMMA_GROUPS = re.compile(r"^\d{1,3}(?:,\d{3})+$")
_CENTS = re.compile(r"\d([,.]-{1,2})$")  # rupiah written "Rp 13.500,-": no cents
_BODY = re.compile(r"[0-9., ]+")
_YEAR = re.compile(r"[0-9]{4}")


@dataclass(frozen=True)
class Parsed:
    """A cell read as a number, with at most one problem found on the way."""

    value: float | None  # None when empty or not a number
    percent: bool = False  # text carried '%' or the cell had a percent number format
    code: str | None = None  # machine code of the problem, None when clean
    level: str | None = None  # None, GALAT or PERINGATAN
    message: str | None = None  # Bahasa Indonesia, names what was read
    declared: str = ""  # NIHIL / TIDAK_TERSEDIA: no value, declared missing with a BPS symbol (no problem here)

    @property
    def empty(self) -> bool:
        """The cell is blank (not the same as a value that failed to parse, or one declared missing)."""
        return self.value is None and self.code is None and not self.declared


def clean_text(raw: str) -> str:
    """NFKC (full-width digits to ASCII, NBSP and thin spaces to spaces), without
    zero-width characters, stripped: what the operator meant to type."""
    return unicodedata.normalize("NFKC", raw).translate(_ZERO_WIDTH).strip()


def _quote(text: str) -> str:
    shown = "".join(c if c.isprintable() else "?" for c in text[:41])
    return shown[:40] + "…" if len(shown) > 40 else shown


def _galat(code: str, message: str, percent: bool = False) -> Parsed:
    return Parsed(None, percent, code, GALAT, message)


def _bukan_angka(shown: str, why: str = "bukan angka") -> Parsed:
    return _galat(BUKAN_ANGKA, f"Nilai '{_quote(shown)}' {why}. Tulis angka saja, "
                  "tanpa satuan atau rumus, mis. 1.234,5.")


def parse_number(raw: object, *, percent_format: bool = False) -> Parsed:
    """Read one cell value (str, int, float, bool, date/time or None) as a number.

    ``percent_format`` says the cell has a percent number format, so a stored
    0.125 is what the operator sees and means as 12,5 %.
    """
    if raw is None:
        return Parsed(None)
    if isinstance(raw, bool):
        return _galat(BUKAN_ANGKA, "Nilai berupa centang/TRUE-FALSE, bukan angka.")
    if isinstance(raw, (datetime, date, time)):
        return _galat(BUKAN_ANGKA, "Nilai berupa tanggal/jam, bukan angka. Ubah format sel "
                      "menjadi angka dan tulis nilainya.")
    if isinstance(raw, (numbers.Real, Decimal)):
        return _from_number(raw, percent_format)
    return _from_text(str(raw), percent_format)


def _from_number(raw: numbers.Real | Decimal, percent_format: bool) -> Parsed:
    try:
        value = float(raw)
    except (OverflowError, ValueError, InvalidOperation):
        value = math.inf
    if not math.isfinite(value):
        return _galat(BUKAN_ANGKA, "Nilai tidak valid (NaN atau tak hingga); tulis angkanya.")
    if percent_format:
        # via Decimal so that a stored 0.07 becomes 7, not 7.000000000000001
        return Parsed(float(Decimal(repr(value)) * 100), percent=True)
    return Parsed(value)


@lru_cache(maxsize=1 << 15)
def _from_text(raw: str, percent_format: bool) -> Parsed:
    """A text cell (read once per distinct text: a cycle compares a row's Nilai with the
    remembered one, checks it and hashes it for the archive)."""
    shown = raw.strip()
    text = clean_text(raw)
    if not text:
        return Parsed(None, percent_format)
    if len(text) > _MAX_LEN:
        return _bukan_angka(shown, "terlalu panjang untuk sebuah angka")
    if declared := declared_missing(text):
        return Parsed(None, percent_format, declared=declared)  # valid with a reason: rules.checks asks for it
    if text.casefold() in NIL_SYMBOLS:
        return _galat(KOSONG_SIMBOL, f"Nilai '{_quote(text)}' berupa simbol, bukan angka. Tulis angkanya; bila "
                      f"data memang tidak ada, tulis {DECLARED_WORDS} dan alasannya di Keterangan.")
    percent = percent_format
    if text.endswith("%"):
        percent, text = True, text[:-1].rstrip()
    cents = _CENTS.search(text)
    if cents:
        text = text[:cents.start(1)]
    head = _SIGN.match(text)
    if head is None:  # never: both signs are optional
        return _bukan_angka(shown)
    if head.group(1) and head.group(2):
        return _bukan_angka(shown)
    negative = (head.group(1) or head.group(2)) not in ("", "+")
    body = text[head.end():]
    if body.startswith("(") and body.endswith(")"):
        return _galat(FORMAT_SALAH, f"Nilai '{_quote(shown)}' memakai tanda kurung; tulis "
                      "tanda minus bila negatif, mis. -1.234.", percent)
    if not body or not _BODY.fullmatch(body) or not any(c.isdigit() for c in body):
        return _bukan_angka(shown)
    result = _read_body(body, shown)
    if result.value is None:
        return Parsed(None, percent, result.code, result.level, result.message)
    value = -result.value if negative else result.value
    return Parsed(value, percent, result.code, result.level, result.message)


def _salah(shown: str) -> Parsed:
    return _galat(FORMAT_SALAH, f"Nilai '{_quote(shown)}' tidak dapat dibaca: pemisah ribuan/"
                  "desimal tidak beraturan. Gunakan titik untuk ribuan (1.234.567) dan koma "
                  "untuk desimal (12,5).")


def _num(whole: str, frac: str = "") -> float:
    return float(f"{whole or '0'}.{frac or '0'}")


def _read_body(body: str, shown: str) -> Parsed:
    """Digits with '.', ',' and spaces; the sign, 'Rp' and '%' are already gone."""
    if " " in body:
        m = _SPACED.fullmatch(body)
        if not m:
            return _salah(shown)
        return Parsed(_num(m.group(1).replace(" ", ""), m.group(3) or ""))
    dots, commas = body.count("."), body.count(",")
    if not dots and not commas:
        return Parsed(float(body))
    if dots and commas:
        return _read_both(body, shown)
    sep = "." if dots else ","
    whole, _, frac = body.partition(sep)
    if dots + commas == 1:
        if not frac:
            return _salah(shown)
        value = _num(whole, frac)
        if sep == ",":
            if len(frac) == 3 and whole:
                return _warn(value, AMBIGU_KOMA, f"Nilai '{_quote(shown)}' ambigu: koma dibaca "
                             f"sebagai desimal ({format_number(value, 3)}). Tulis {whole}.{frac} "
                             "bila ribuan.")
            return Parsed(value)
        return _single_dot(whole, frac, shown)
    groups = _DOT_GROUPS if sep == "." else _COMMA_GROUPS
    if not groups.fullmatch(body):
        return _salah(shown)
    value = float(body.replace(sep, ""))
    if sep == ",":
        return _english(value, shown)
    return Parsed(value)


def _single_dot(whole: str, frac: str, shown: str) -> Parsed:
    """'1.234' is Indonesian thousands; '12.5', '0.75', '1234.567' can only be decimals.
    Either way it is flagged: the operator may have meant the other reading."""
    as_thousands = len(frac) == 3 and 1 <= len(whole) <= 3 and not whole.startswith("0")
    if as_thousands:
        value = float(whole + frac)
        return _warn(value, AMBIGU_TITIK, f"Nilai '{_quote(shown)}' ambigu: titik dibaca sebagai "
                     f"pemisah ribuan (nilai {whole}{frac}). Tulis {whole},{frac} bila desimal.")
    value = _num(whole, frac)
    as_decimal = format_number(value, len(frac))
    hint = f"Tulis {as_decimal} bila desimal"
    if len(frac) < 3 and 1 <= len(whole) <= 3 and not whole.startswith("0"):
        hint += f", {whole}.{frac.ljust(3, '0')} bila ribuan"
    return _warn(value, AMBIGU_TITIK, f"Nilai '{_quote(shown)}' ambigu: titik dibaca sebagai "
                 f"desimal ({as_decimal}). {hint}.")


def _read_both(body: str, shown: str) -> Parsed:
    """Both separators: the last one is the decimal mark and must occur once."""
    last = max(body.rfind("."), body.rfind(","))
    whole, frac, decimal = body[:last], body[last + 1:], body[last]
    if not frac or decimal in whole:
        return _salah(shown)
    groups = _DOT_GROUPS if decimal == "," else _COMMA_GROUPS
    if not groups.fullmatch(whole):
        return _salah(shown)
    value = _num(whole.replace("." if decimal == "," else ",", ""), frac)
    return Parsed(value) if decimal == "," else _english(value, shown)


def _english(value: float, shown: str) -> Parsed:
    return _warn(value, FORMAT_INGGRIS, f"Nilai '{_quote(shown)}' ditulis dengan format Inggris "
                 f"dan dibaca sebagai {format_number(value, _decimals(value))}. Gunakan format "
                 "Indonesia: titik untuk ribuan, koma untuk desimal.")


def _decimals(value: float) -> int:
    text = repr(value)
    return 0 if "e" in text or text.endswith(".0") else len(text.partition(".")[2])


def _warn(value: float, code: str, message: str) -> Parsed:
    return Parsed(value, code=code, level=PERINGATAN, message=message)


def parse_year(raw: object) -> tuple[int | None, str | None]:
    """A reference year: (year, None), (None, None) when blank, or (None, message).

    Range limits (not after the workspace year, ...) depend on config and live in the
    checks; this only decides whether the cell holds one 4-digit year.
    """
    if raw is None:
        return None, None
    if isinstance(raw, bool):
        return None, "Tahun berupa centang/TRUE-FALSE; tulis tahun 4 digit, mis. 2024."
    if isinstance(raw, (datetime, date, time)):
        return None, "Tahun berupa tanggal; tulis tahunnya saja (4 digit), mis. 2024."
    if isinstance(raw, (numbers.Real, Decimal)):
        try:
            value = float(raw)
        except (OverflowError, ValueError, InvalidOperation):
            value = math.nan
        if math.isfinite(value) and value.is_integer() and 1000 <= value <= 9999:
            return int(value), None
        shown = f"{value:g}".replace(".", ",") if math.isfinite(value) else str(raw)
        return None, f"Tahun '{shown}' tidak valid; tulis satu tahun 4 digit, mis. 2024."
    text = clean_text(str(raw))
    if not text:
        return None, None
    if _YEAR.fullmatch(text) and not text.startswith("0"):
        return int(text), None
    return None, f"Tahun '{_quote(text)}' tidak valid; tulis satu tahun 4 digit, mis. 2024."


def format_number(value: float, decimals: int | None = None) -> str:
    """Indonesian display ('52.345', '12,5'): what a Walidata reads in a message.

    Without ``decimals`` a whole number shows none and a fraction up to two,
    trailing zeros trimmed; with ``decimals`` exactly that many are shown.
    """
    try:
        value = float(value)
    except (TypeError, ValueError, OverflowError):
        return str(value)
    if not math.isfinite(value):
        return str(value)
    places = decimals if decimals is not None else (0 if value.is_integer() else 2)
    text = f"{abs(value):,.{max(places, 0)}f}"
    if decimals is None and "." in text:
        text = text.rstrip("0").rstrip(".")
    if text.strip("0.,") and value < 0:
        text = "-" + text
    return text.translate(str.maketrans(",.", ".,"))


# --- whole columns -------------------------------------------------------------------------
# The shapes most cells take, read without the general parser. Each reads exactly as
# parse_number reads it (tests/test_numbers.py holds the two in agreement); everything else
# goes through parse_number itself.
_FAST = re.compile(r"(?P<bulat>[0-9]+)"                      # 1234
                   r"|(?P<ribuan>[0-9]{1,3}(?:\.[0-9]{3}){2,})"  # 1.234.567
                   r"|(?P<desimal>[0-9]+,(?:[0-9]{1,2}|[0-9]{4,}))"  # 12,5
                   r"|(?P<ribuan_desimal>[0-9]{1,3}(?:\.[0-9]{3})+,[0-9]+)"  # 1.234,5
                   r"|(?P<titik>[1-9][0-9]{0,2}\.[0-9]{3})")  # 8.693: thousands, flagged as ambiguous
_FAST_READ = {"bulat": lambda t: float(t), "ribuan": lambda t: float(t.replace(".", "")),
              "desimal": lambda t: float(t.replace(",", ".")),
              "ribuan_desimal": lambda t: float(t.replace(".", "").replace(",", ".")),
              "titik": lambda t: float(t.replace(".", ""))}


_BIG_INT = 2 ** 1023


def number_of(raw: object) -> tuple[float | None, bool]:
    """(value, percent) as parse_number(raw) reads them, the common text shapes without the
    general parser: a cycle compares every edited Nilai with the remembered one."""
    if raw.__class__ is str:
        t = raw.strip()
        m = _FAST.fullmatch(t) if len(t) <= _MAX_LEN else None
        if m is not None:
            return _FAST_READ[m.lastgroup](t), False  # type: ignore[index]
    parsed = parse_number(raw)
    return parsed.value, parsed.percent


@dataclass
class NumberColumn:
    """A Nilai column read as numbers: arrays by row, full results (with messages) on demand."""

    raw: list[Any]
    percent_format: list[Any]
    value: np.ndarray  # float, NaN where there is no number
    percent: np.ndarray  # bool
    code: np.ndarray  # object: problem code or None
    level: np.ndarray  # object: GALAT, PERINGATAN or None

    def parsed(self, i: int) -> Parsed:
        raw = self.raw[i]
        return parse_number(None if raw != raw else raw, percent_format=bool(self.percent_format[i]))


def parse_numbers(raw: Iterable[Any], percent_format: Iterable[Any]) -> NumberColumn:
    """parse_number over a column, with the common shapes read in one pass."""

    raw = raw.tolist() if isinstance(raw, np.ndarray) else list(raw)
    pct = [bool(p) for p in (percent_format.tolist() if isinstance(percent_format, np.ndarray) else percent_format)]
    n = len(raw)
    nan = math.nan
    values = [nan] * n  # filled as Python floats, made an array once
    code = np.full(n, None, dtype=object)
    level = np.full(n, None, dtype=object)
    fullmatch, read, slow, titik = _FAST.fullmatch, _FAST_READ, [], []
    for i, v in enumerate(raw):
        cls = v.__class__
        if cls is str:
            t = v.strip()
            if not t:
                continue
            if len(t) <= _MAX_LEN and t.isascii():  # the two commonest shapes by str methods, not the regex
                if t.isdigit():  # 1234 ('bulat'): ASCII digits are 0-9 only
                    values[i] = float(t)
                    continue
                whole, dot, frac = t.partition(".")
                if (dot and len(frac) == 3 and 1 <= len(whole) <= 3 and whole.isdigit() and frac.isdigit()
                        and not whole.startswith("0")):
                    values[i] = float(whole + frac)  # 8.693 ('titik'): thousands, flagged as ambiguous
                    titik.append(i)
                    continue
            m = fullmatch(t) if len(t) <= _MAX_LEN else None
            if m is None:
                slow.append(i)
                continue
            kind = m.lastgroup
            if kind == "bulat":
                values[i] = float(t)
            elif kind == "titik":
                values[i] = float(t.replace(".", ""))
                titik.append(i)
            else:
                values[i] = read[str(kind)](t)
        elif v is None or (cls is float and v != v):
            continue
        elif not pct[i] and ((cls is float and v - v == 0) or (cls is int and -_BIG_INT < v < _BIG_INT)):
            values[i] = float(v)  # a finite float, or an int that a float holds
        else:
            slow.append(i)
    value = np.array(values, dtype=np.float64)
    percent = np.array(pct, dtype=bool)
    flagged = np.fromiter(titik, dtype=np.intp, count=len(titik))
    code[flagged], level[flagged] = AMBIGU_TITIK, PERINGATAN
    for i in slow:
        p = parse_number(raw[i], percent_format=pct[i])
        value[i] = np.nan if p.value is None else p.value
        percent[i], code[i], level[i] = p.percent, p.code, p.level
    return NumberColumn(raw, pct, value, percent, code, level)


@dataclass
class YearColumn:
    """A Tahun column: years by row (-1 where there is none) and the problem of each cell."""

    value: np.ndarray  # int64
    problem: np.ndarray  # object: message or None

    def as_objects(self) -> list[int | None]:
        years: list[int | None] = self.value.tolist()
        for i in np.flatnonzero(self.value < 0).tolist():
            years[i] = None
        return years


def parse_years(raw: Iterable[Any]) -> YearColumn:
    """parse_year over a column; a column repeats a few years, each is read once."""

    raw = list(raw)
    seen: dict[tuple[Any, ...], tuple[int | None, str | None]] = {}
    value = np.full(len(raw), -1, dtype=np.int64)
    problem = np.full(len(raw), None, dtype=object)
    for i, v in enumerate(raw):
        if v is None or (v.__class__ is float and v != v):
            continue
        key = (v.__class__, repr(v) if v.__class__ is float else v)  # 0.0 and -0.0 read differently
        try:
            year, why = seen[key]
        except KeyError:
            year, why = seen[key] = parse_year(v)
        except TypeError:  # unhashable: read it on its own
            year, why = parse_year(v)
        if year is not None:
            value[i] = year
        problem[i] = why
    return YearColumn(value, problem)
