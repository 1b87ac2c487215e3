"""Loading the Walidata's YAML rule files, with errors that name file, line and key."""
from __future__ import annotations

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


def _item(path: Path, raw: Any, index: int) -> ItemRule:
    line = getattr(raw, "line", 0)
    if not isinstance(raw, dict):
        raise _fail(path, line, f"item[{index}]", "harus berupa pemetaan (nama, kode_data/uraian, kolom)")
    lines: dict[str, int] = getattr(raw, "lines", {})
    unknown = set(raw) - {"nama", "kode_data", "uraian", "kolom", "jumlah_kecamatan", "level"}
    if unknown:
        key = sorted(map(str, unknown))[0]
        raise _fail(path, lines.get(key, line), key, "kunci tidak dikenal")
    if not raw.get("kode_data") and not raw.get("uraian"):
        raise _fail(path, line, "item", "perlu kode_data atau uraian untuk mencocokkan item")
    pattern = None
    if raw.get("uraian"):
        try:
            pattern = re.compile(str(raw["uraian"]), re.IGNORECASE)
        except re.error as exc:
            raise _fail(path, lines.get("uraian", line), "uraian", f"pola tidak sah: {regex_error(exc)}") from None
    kolom = raw.get("kolom") or {}
    if not isinstance(kolom, dict):
        raise _fail(path, lines.get("kolom", line), "kolom", "harus berupa pemetaan kolom -> batasan")
    columns: dict[str, dict[str, Any]] = {}
    for name, constraints in kolom.items():
        where = kolom.lines.get(name, line) if isinstance(kolom, LineDict) else line
        if name not in COLUMN_KEYS:
            raise _fail(path, where, str(name), f"kolom tidak dikenal (pilih: {', '.join(sorted(COLUMN_KEYS))})")
        if not isinstance(constraints, dict) or set(constraints) - CONSTRAINTS:
            raise _fail(path, where, str(name), f"batasan yang dikenal: {', '.join(sorted(CONSTRAINTS))}")
        if name not in NUMERIC and {"minimum", "maximum"} & set(constraints):
            raise _fail(path, where, str(name), "minimum/maximum hanya untuk kolom nilai dan tahun")
        for key in ("required", "unique"):
            if key in constraints and not isinstance(constraints[key], bool):
                raise _fail(path, where, f"{name}.{key}", "harus true atau false")
        for bound in ("minimum", "maximum"):
            if bound in constraints and not isinstance(constraints[bound], (int, float)):
                raise _fail(path, where, f"{name}.{bound}", "harus berupa angka")
        if "enum" in constraints and not (isinstance(constraints["enum"], list) and constraints["enum"]
                                          and all(isinstance(v, (str, int, float)) for v in constraints["enum"])):
            raise _fail(path, where, f"{name}.enum", "harus berupa daftar pilihan dalam kurung siku, "
                                                     "mis. enum: [Unit, Buah]")
        if "pattern" in constraints:
            try:
                re.compile(str(constraints["pattern"]))
            except re.error as exc:
                raise _fail(path, where, f"{name}.pattern", f"pola tidak sah: {regex_error(exc)}") from None
        columns[COLUMN_KEYS[name]] = dict(constraints)
    level = raw.get("level", "galat")
    if level not in ("galat", "peringatan"):
        raise _fail(path, lines.get("level", line), "level", "pilih galat atau peringatan")
    kode = raw.get("kode_data")
    return ItemRule(str(raw.get("nama") or f"item {index + 1}"), str(kode).strip() if kode is not None else None, pattern,
                    columns, bool(raw.get("jumlah_kecamatan")), level)


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


def _number(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _bawaan(path: Path, raw: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if not isinstance(raw, dict):
        raise _fail(path, getattr(raw, "line", 1), "bawaan", "harus berupa pemetaan kunci -> nilai")
    lines = getattr(raw, "lines", {})
    for key, value in raw.items():
        line = lines.get(key, 0)
        if key == "tahun_mundur_maks":
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise _fail(path, line, key, "harus bilangan bulat >= 0")
            out[key] = value
        elif key in ("satuan_cacah", "satuan_persen", "satuan_tidak_negatif"):
            if not isinstance(value, list):
                raise _fail(path, line, key, "harus berupa daftar satuan")
            out[key] = frozenset(str(v).strip().casefold() for v in value)
        elif key == "frekuensi":
            if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
                raise _fail(path, line, key, "harus berupa daftar nama periode, mis. [Tahunan, Bulanan]")
            out[key] = tuple(v.strip() for v in value)
        elif key == "riwayat":
            if not isinstance(value, dict):
                raise _fail(path, line, key, "harus berupa pemetaan (perubahan_maks, rasio_koma, toleransi_rasio)")
            sub = getattr(value, "lines", {})
            for k, v in value.items():
                if k == "perubahan_maks" and _number(v) and v > 0:
                    out[k] = float(v)
                elif k == "rasio_koma" and isinstance(v, list) and v and all(_number(x) and x > 1 for x in v):
                    out[k] = tuple(float(x) for x in v)
                elif k == "toleransi_rasio" and _number(v) and 0 <= v < 1:
                    out[k] = float(v)
                else:
                    raise _fail(path, sub.get(k, line), f"riwayat.{k}", "kunci atau nilai tidak sah")
        else:
            raise _fail(path, line, str(key), "kunci bawaan tidak dikenal")
    return out
