"""Reading one value of a TOML table with its type and range checked, every bad value named in
Bahasa Indonesia; shared by the section readers."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from service.config.model import ConfigError

SHEET_URL_RE = re.compile(r"/spreadsheets/(?:u/\d+/)?d/([A-Za-z0-9_-]+)")
SHEET_ID_RE = re.compile(r"^[A-Za-z0-9_-]+$")
REQUIRED: Any = ...  # the default that makes a key required


def value(table: dict, key: str, kind: type | tuple, where: str, default: Any = REQUIRED) -> Any:
    """``table[key]`` of ``kind``; ``default`` when absent, or an error naming ``where.key`` when required."""
    if key not in table:
        if default is REQUIRED:
            raise ConfigError(f"{where}.{key} wajib diisi")
        return default
    found = table[key]
    if kind is int and isinstance(found, bool) or not isinstance(found, kind):
        names = {str: "teks", int: "bilangan bulat", list: "daftar", dict: "tabel"}
        want = names.get(kind, "nilai yang sah") if isinstance(kind, type) else "nilai yang sah"
        raise ConfigError(f"{where}.{key} harus berupa {want} (sekarang: {found!r})")
    return found


def bounded(table: dict, key: str, where: str, default: int, low: int, high: int, unit: str = "") -> int:
    """An integer setting within the range it is used in, named when outside it."""
    number = value(table, key, int, where, default)
    if not low <= number <= high:
        raise ConfigError(f"{where}.{key} harus antara {low} dan {high}{unit} (sekarang: {number})")
    return number


def no_unknown_keys(table: dict, known: set[str], where: str) -> None:
    """A misspelt key would silently fall back to a default: name it instead."""
    for key in table:
        if key not in known:
            names = ", ".join(sorted(known))
            raise ConfigError(f"Kunci '{key}' di {where} tidak dikenal (salah ketik?). Kunci yang dikenal: {names}")


def resolve(root: Path, text: str) -> Path:
    """A path as written, relative ones against the workspace folder."""
    path = Path(text).expanduser()
    return path if path.is_absolute() else root / path


def spreadsheet_key(text: str, where: str) -> str | None:
    """The spreadsheet ID in an ID or a full URL (https://docs.google.com/spreadsheets/d/<ID>/edit#gid=0);
    None for an empty value (a placeholder not filled yet)."""
    text = text.strip()
    if not text:
        return None
    found = SHEET_URL_RE.search(text)
    if found:
        return found.group(1)
    if SHEET_ID_RE.match(text):
        return text
    raise ConfigError(f"{where} '{text}' bukan ID atau URL spreadsheet Google (salin URL dari bilah alamat, "
                      "mis. https://docs.google.com/spreadsheets/d/<ID>/edit)")
