"""Reading a Daftar Data file (CSV or XLSX) as text lines, with its headers matched like a tab's."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from rules.keys import text
from rules.daftar import ITEM_FIELDS, OPD

from .layout import BY_KEY, match_headers, normalise_header

_OPD_HEADERS = {"opd", "kodeopd", "perangkatdaerah"}


class DaftarFileError(Exception):
    """The file cannot be read at all (Bahasa Indonesia)."""


@dataclass
class DaftarFile:
    name: str
    headers: dict[str, str]  # field key (or "opd") -> header as written in the file
    lines: list[tuple[int, dict[str, str]]]  # (line number, field key -> text)
    missing: list[str]  # required columns not found


def read_grid(path: Path) -> list[list[object]]:
    """The first sheet of an XLSX, or a CSV (',', ';' or tab), as rows of cell values."""
    path = Path(path)
    try:
        grid = _xlsx(path) if path.suffix.casefold() in (".xlsx", ".xlsm") else _csv(path)
    except FileNotFoundError:
        raise DaftarFileError(f"Berkas {path} tidak ditemukan") from None
    except IsADirectoryError:
        raise DaftarFileError(f"{path} adalah folder, bukan berkas Daftar Data") from None
    except PermissionError:
        raise DaftarFileError(f"Berkas {path.name} tidak boleh dibaca (izin berkas); periksa izinnya") from None
    except (OSError, csv.Error):
        raise DaftarFileError(f"Berkas {path.name} tidak dapat dibaca sebagai CSV (mis. tanda kutip tidak ditutup); "
                              "simpan ulang sebagai CSV UTF-8 atau Excel (.xlsx)") from None
    if not grid:
        raise DaftarFileError(f"Berkas {path.name} kosong")
    return grid


def read_metadata(path: Path) -> list[list[object]] | None:
    """The Daftar Data workbook's Metadata tab (rules/metadata.py), None for a CSV or a workbook without one."""
    from python_calamine import CalamineError, CalamineWorkbook

    from rules.metadata import SHEET
    if Path(path).suffix.casefold() not in (".xlsx", ".xlsm"):
        return None
    try:
        with CalamineWorkbook.from_path(str(path)) as book:
            name = next((n for n in book.sheet_names if n.casefold() == SHEET.casefold()), None)
            return book.get_sheet_by_name(name).to_python(skip_empty_area=False) if name else None
    except (CalamineError, OSError) as exc:
        raise DaftarFileError(f"Tab {SHEET} di {Path(path).name} tidak dapat dibaca ({exc})") from None


def read_daftar(path: Path) -> DaftarFile:
    path = Path(path)
    grid = read_grid(path)
    header = [text(h) for h in grid[0]]
    columns = {k: c for k, c in match_headers(header).columns.items() if k in ITEM_FIELDS}
    opd = next((i for i, h in enumerate(header) if normalise_header(h) in _OPD_HEADERS), None)
    if opd is not None:
        columns[OPD] = opd
    missing = [name for key, name in ((OPD, "opd"), ("uraian_data", BY_KEY["uraian_data"].header))
               if key not in columns]
    lines = []
    for number, values in enumerate(grid[1:], start=2):
        lines.append((number, {k: text(values[c]) if c < len(values) else "" for k, c in columns.items()}))
    return DaftarFile(path.name, {k: header[c] for k, c in columns.items()}, lines, missing)


def _decode(data: bytes) -> str:
    """CSV text as Excel saves it: UTF-8 (with or without BOM), "Unicode Text" (UTF-16 with BOM),
    or a Windows "CSV (Comma delimited)" in the ANSI code page (cp1252; Latin-1 where undefined)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            return data.decode("latin-1")


def _csv(path: Path) -> list[list[object]]:
    raw = _decode(path.read_bytes())
    first = raw.splitlines()[0] if raw.strip() else ""
    delimiter = max(",;\t", key=first.count)  # Excel in id-ID saves CSV with ';'
    return [row for row in csv.reader(io.StringIO(raw, newline=""), delimiter=delimiter)]


def _xlsx(path: Path) -> list[list[object]]:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        with CalamineWorkbook.from_path(str(path)) as book:
            return book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except CalamineError:
        raise DaftarFileError(f"Berkas {path.name} bukan berkas Excel (.xlsx) yang utuh; buka di Excel lalu simpan "
                              "ulang sebagai .xlsx, atau simpan sebagai CSV") from None
