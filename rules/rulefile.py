"""Loading the Walidata's YAML rule files, with errors that name file, line and key."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from rules.parse_errors import regex_error, yaml_error

DEFAULT_FOLDER = Path(__file__).with_name("checks_data")
CONSTRAINTS = {"minimum", "maximum", "enum", "pattern", "required", "unique"}
NUMERIC = {"nilai", "tahun"}  # minimum/maximum make sense only here
COLUMN_KEYS = {"nilai": "nilai", "satuan": "satuan", "rincian": "rincian", "tahun": "tahun",
               "uraian": "uraian_data", "uraian_data": "uraian_data", "kode_data": "kode_data",
               "keterangan": "keterangan"}


class RuleError(ValueError):
    """A rule file a Walidata must fix; the message is in Bahasa Indonesia."""


class _LineLoader(yaml.SafeLoader):
    """A safe loader that remembers the line of every mapping key."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    mapping = LineDict(loader.construct_mapping(node, deep=True))
    mapping.lines = {loader.construct_object(k): k.start_mark.line + 1 for k, _ in node.value}
    mapping.line = node.start_mark.line + 1
    return mapping


class LineDict(dict[Any, Any]):  # YAML keys may be any scalar
    lines: dict[str, Any] = {}
    line: int = 0


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


@dataclass(frozen=True)
class ItemRule:
    nama: str
    kode: str | None
    uraian: re.Pattern[str] | None
    kolom: dict[str, dict[str, Any]]
    jumlah_kecamatan: bool = False
    level: str = "galat"

    def matches(self, kode: str, uraian: str) -> bool:
        if self.kode and kode.strip().casefold() == self.kode.casefold():
            return True
        return bool(self.uraian and self.uraian.search(uraian))


@dataclass(frozen=True)
class RuleSet:
    tahun_mundur_maks: int = 10
    satuan_cacah: frozenset[str] = frozenset()
    satuan_persen: frozenset[str] = frozenset({"%", "persen"})
    satuan_tidak_negatif: frozenset[str] = frozenset()
    frekuensi: tuple[str, ...] = ("Tahunan", "Semesteran", "Triwulanan", "Bulanan")
    perubahan_maks: float = 0.5
    rasio_koma: tuple[float, ...] = (10, 100, 1000)
    toleransi_rasio: float = 0.02
    items: tuple[ItemRule, ...] = field(default=())

    def fingerprint(self) -> str:
        """Stable across processes (no set order, no hash seed): a change means checks changed."""
        items = [[r.nama, r.kode, r.uraian.pattern if r.uraian else None, sorted(r.kolom.items()),
                  r.jumlah_kecamatan, r.level] for r in self.items]
        payload = json.dumps([self.tahun_mundur_maks, sorted(self.satuan_cacah), sorted(self.satuan_persen),
                              sorted(self.satuan_tidak_negatif),
                              list(self.frekuensi), self.perubahan_maks, list(self.rasio_koma),
                              self.toleransi_rasio, items], sort_keys=True, default=str)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]

    def items_for(self, kode: str, uraian: str) -> list[ItemRule]:
        return [r for r in self.items if r.matches(kode, uraian)]


def _fail(path: Path, line: int, key: str, why: str) -> RuleError:
    return RuleError(f"Berkas aturan {path.name}, baris {line}, kunci '{key}': {why}")


class _Invalid(Exception):
    """A value a key table rejects; key and line are set only where they differ from the checked key's."""

    def __init__(self, why: str, key: str = "", line: int = 0) -> None:
        super().__init__(why)
        self.why, self.key, self.line = why, key, line


Check = Callable[[Any], Any]  # returns the value to keep, or raises _Invalid with the Indonesian reason


def _when(test: Callable[[Any], bool], why: str, convert: Callable[[Any], Any] = lambda v: v) -> Check:
    def check(value: Any) -> Any:
        if not test(value):
            raise _Invalid(why)
        return convert(value)
    return check


def _regex(value: Any, flags: int = 0) -> re.Pattern[str]:
    try:
        return re.compile(str(value), flags)
    except re.error as exc:
        raise _Invalid(f"pola tidak sah: {regex_error(exc)}") from None


def _number(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _choices(v: object) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(x, (str, int, float)) for x in v)


def _check_mapping(raw: Any, table: dict[str, Check], *, line: int, prefix: str = "",
                   unknown: str = "kunci tidak dikenal", lines: dict[Any, int] | None = None) -> dict[str, Any]:
    """Check every key of one YAML mapping, in file order, against its table (DECISIONS.md #120)."""
    lines = getattr(raw, "lines", {}) if lines is None else lines
    out: dict[str, Any] = {}
    for key, value in raw.items():
        name, where = f"{prefix}{key}", lines.get(key, line)
        if key not in table:
            raise _Invalid(unknown, name, where)
        try:
            out[key] = table[key](value)
        except _Invalid as bad:
            raise _Invalid(bad.why, bad.key or name, bad.line or where) from None
    return out


_BOOL = _when(lambda v: isinstance(v, bool), "harus true atau false")
_BOUND = _when(lambda v: isinstance(v, (int, float)), "harus berupa angka")
# one column's constraints, checked in this order; the values are kept as written
CONSTRAINT_CHECKS: dict[str, Check] = {
    "required": _BOOL, "unique": _BOOL, "minimum": _BOUND, "maximum": _BOUND,
    "enum": _when(_choices, "harus berupa daftar pilihan dalam kurung siku, mis. enum: [Unit, Buah]"),
    "pattern": _regex,
}
CONSTRAINTS = set(CONSTRAINT_CHECKS)


def _columns(kolom: Any) -> dict[str, dict[str, Any]]:
    kolom = kolom or {}
    if not isinstance(kolom, dict):
        raise _Invalid("harus berupa pemetaan kolom -> batasan")
    lines = getattr(kolom, "lines", {})
    columns: dict[str, dict[str, Any]] = {}
    for name, constraints in kolom.items():
        where = lines.get(name, 0)
        if name not in COLUMN_KEYS:
            raise _Invalid(f"kolom tidak dikenal (pilih: {', '.join(sorted(COLUMN_KEYS))})", str(name), where)
        if not isinstance(constraints, dict) or set(constraints) - CONSTRAINTS:
            raise _Invalid(f"batasan yang dikenal: {', '.join(sorted(CONSTRAINTS))}", str(name), where)
        if name not in NUMERIC and {"minimum", "maximum"} & set(constraints):
            raise _Invalid("minimum/maximum hanya untuk kolom nilai dan tahun", str(name), where)
        ordered = {k: constraints[k] for k in CONSTRAINT_CHECKS if k in constraints}
        _check_mapping(ordered, CONSTRAINT_CHECKS, line=where, prefix=f"{name}.", lines={})
        columns[COLUMN_KEYS[name]] = dict(constraints)
    return columns


ITEM_KEYS: dict[str, Check] = {
    "nama": lambda v: v, "kode_data": lambda v: v,
    "uraian": lambda v: _regex(v, re.IGNORECASE) if v else None,
    "kolom": _columns, "jumlah_kecamatan": bool,
    "level": _when(lambda v: v in ("galat", "peringatan"), "pilih galat atau peringatan"),
}


def _item(path: Path, raw: Any, index: int) -> ItemRule:
    line = getattr(raw, "line", 0)
    if not isinstance(raw, dict):
        raise _fail(path, line, f"item[{index}]", "harus berupa pemetaan (nama, kode_data/uraian, kolom)")
    try:
        item = _check_mapping(raw, ITEM_KEYS, line=line)
    except _Invalid as bad:
        raise _fail(path, bad.line, bad.key, bad.why) from None
    if not item.get("kode_data") and not item.get("uraian"):
        raise _fail(path, line, "item", "perlu kode_data atau uraian untuk mencocokkan item")
    kode = item.get("kode_data")
    return ItemRule(str(item.get("nama") or f"item {index + 1}"), str(kode).strip() if kode is not None else None,
                    item.get("uraian"), item.get("kolom", {}), item.get("jumlah_kecamatan", False),
                    item.get("level", "galat"))


def load_rules(folder: Path | None = None) -> RuleSet:
    """Read every *.yaml in the folder: `bawaan` sets the built-in checks, `item` adds per-item rules."""
    folder = Path(folder or DEFAULT_FOLDER)
    if not folder.is_dir():
        raise RuleError(f"Folder aturan {folder} tidak ditemukan")
    params: dict[str, Any] = {}
    items: list[ItemRule] = []
    for path in sorted(folder.glob("*.yaml")):
        data = _read_yaml(path)
        if not isinstance(data, dict):
            raise _fail(path, 1, "(akar)", "harus berisi pemetaan 'bawaan' dan/atau 'item'")
        lines: dict[str, int] = getattr(data, "lines", {})
        for key in data:
            if key not in ("bawaan", "item"):
                raise _fail(path, lines.get(key, 1), str(key), "kunci tidak dikenal (pilih bawaan atau item)")
        params.update(_bawaan(path, data.get("bawaan") or {}))
        raw_items = data.get("item") or []
        if not isinstance(raw_items, list):
            raise _fail(path, lines.get("item", 1), "item", "harus berupa daftar")
        items.extend(_item(path, raw, i) for i, raw in enumerate(raw_items))
    return RuleSet(**params, items=tuple(items))


def _read_yaml(path: Path) -> Any:
    """One rule file's YAML; every way it can fail to be read is told in Indonesian."""
    if not path.is_file():
        raise RuleError(f"{path.name} di folder aturan bukan berkas (sebuah folder?): ganti namanya "
                        "agar tidak berakhiran .yaml, atau pindahkan")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[:exc.start].count(b"\n") + 1
        raise RuleError(f"Berkas aturan {path.name}, baris {line}: bukan teks UTF-8; simpan ulang berkas "
                        "sebagai UTF-8 (mis. di Notepad: Simpan Sebagai, Encoding UTF-8)") from None
    except OSError as exc:
        raise RuleError(f"Berkas aturan {path.name} tidak dapat dibaca ({exc.strerror or type(exc).__name__})") from None
    try:
        return yaml.load(text, Loader=_LineLoader) or {}
    except yaml.YAMLError as exc:
        line, why = yaml_error(exc)
        raise RuleError(f"Berkas aturan {path.name}, baris {line}: YAML tidak sah: {why}") from None


_SATUAN = _when(lambda v: isinstance(v, list), "harus berupa daftar satuan",
                lambda v: frozenset(str(x).strip().casefold() for x in v))
_RIWAYAT_BAD = "kunci atau nilai tidak sah"
RIWAYAT_KEYS: dict[str, Check] = {
    "perubahan_maks": _when(lambda v: _number(v) and v > 0, _RIWAYAT_BAD, float),
    "rasio_koma": _when(lambda v: isinstance(v, list) and bool(v) and all(_number(x) and x > 1 for x in v),
                        _RIWAYAT_BAD, lambda v: tuple(float(x) for x in v)),
    "toleransi_rasio": _when(lambda v: _number(v) and 0 <= v < 1, _RIWAYAT_BAD, float),
}


def _riwayat(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _Invalid("harus berupa pemetaan (perubahan_maks, rasio_koma, toleransi_rasio)")
    return _check_mapping(value, RIWAYAT_KEYS, line=0, prefix="riwayat.", unknown=_RIWAYAT_BAD)


# `bawaan` keys -> check and conversion into RuleSet fields; `riwayat` nests three more
BAWAAN_KEYS: dict[str, Check] = {
    "tahun_mundur_maks": _when(lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0,
                               "harus bilangan bulat >= 0"),
    "satuan_cacah": _SATUAN, "satuan_persen": _SATUAN, "satuan_tidak_negatif": _SATUAN,
    "frekuensi": _when(lambda v: isinstance(v, list) and all(isinstance(x, str) and x.strip() for x in v),
                       "harus berupa daftar nama periode, mis. [Tahunan, Bulanan]",
                       lambda v: tuple(x.strip() for x in v)),
    "riwayat": _riwayat,
}


def _bawaan(path: Path, raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise _fail(path, getattr(raw, "line", 1), "bawaan", "harus berupa pemetaan kunci -> nilai")
    try:
        out = _check_mapping(raw, BAWAAN_KEYS, line=0, unknown="kunci bawaan tidak dikenal")
    except _Invalid as bad:
        raise _fail(path, bad.line, bad.key, bad.why) from None
    out.update(out.pop("riwayat", {}))
    return out
