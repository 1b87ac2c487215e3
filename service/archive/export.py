"""Exports of the archive (DESIGN section 10): CSV, XLSX, JSON with the agreed keys."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Iterable

from sheets.tables import table_workbook

KEYS = ("opd", "id", "kode_data", "uraian_data", "rincian", "satuan", "tahun", "nilai", "keterangan",
        "versi", "diverifikasi_pada", "diarsip_pada",
        "kode_wilayah", "konsep", "definisi", "klasifikasi", "ukuran", "frekuensi")
FORMATS = ("csv", "xlsx", "json")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Text a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _csv_cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return int(value)  # 45250, not 45250.0
    return neutralise(value)


def to_csv(records: Iterable[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(KEYS)
    for record in records:
        writer.writerow([_csv_cell(record[k]) for k in KEYS])
    return buffer.getvalue()


def to_json(records: Iterable[dict]) -> str:
    return json.dumps([{k: r[k] for k in KEYS} for r in records], ensure_ascii=False, indent=2)


def to_xlsx(records: Iterable[dict]) -> bytes:
    return table_workbook("Arsip", KEYS, ([neutralise(r[k]) for k in KEYS] for r in records))


def render(records: Iterable[dict], fmt: str) -> bytes:
    if fmt == "csv":
        return to_csv(records).encode("utf-8-sig")
    if fmt == "json":
        return to_json(records).encode("utf-8")
    if fmt == "xlsx":
        return to_xlsx(records)
    raise ValueError(f"Format ekspor tidak dikenal: {fmt} (pilih {', '.join(FORMATS)})")


def write_export(records: Iterable[dict], fmt: str, path: Path) -> int:
    records = list(records)
    Path(path).write_bytes(render(records, fmt))
    return len(records)
