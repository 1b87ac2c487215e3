"""Exports of the archive (DECISIONS.md #20): CSV, XLSX, JSON with the agreed keys."""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path
from typing import Iterable

from service.timefmt import to_wib
from sheets.tables import neutralise, table_workbook

KEYS = ("opd", "id", "kode_data", "uraian_data", "rincian", "satuan", "tahun", "nilai", "keterangan",
        "versi", "diverifikasi_pada", "diarsip_pada",
        "kode_wilayah", "konsep", "definisi", "klasifikasi", "ukuran", "frekuensi", "status_nilai",
        "kode_wilayah_versi")
FORMATS = ("csv", "xlsx", "json")
TIME_KEYS = ("diverifikasi_pada", "diarsip_pada")
LOCALES = {"standar": (",", "."), "id": (";", ",")}  # (separator, decimal mark); id-ID spreadsheets read ';' and ','


def _csv_cell(value: object, decimal: str = ".") -> object:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return int(value)  # 45250, not 45250.0
    if isinstance(value, float):
        return repr(value).replace(".", decimal)
    return neutralise(value)


def _wib(value: object) -> datetime | None:
    """An archive timestamp (ISO text or datetime) in the workspace's zone (WIB), where its readers live."""
    if value in (None, ""):
        return None
    return to_wib(value if isinstance(value, datetime) else datetime.fromisoformat(str(value)))


def _in_wib(record: dict) -> dict:
    """Timestamps as ISO 8601 with the WIB offset (2025-03-04T09:00:00+07:00)."""
    return {**record, **{k: _wib(record[k]).isoformat(timespec="seconds") for k in TIME_KEYS if _wib(record.get(k)) is not None}}


def to_csv(records: Iterable[dict], locale: str = "standar") -> str:
    separator, decimal = LOCALES[locale]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator, lineterminator="\n")
    writer.writerow(KEYS)
    for record in records:
        record = _in_wib(record)
        writer.writerow([_csv_cell(record.get(k, ""), decimal) for k in KEYS])
    return buffer.getvalue()


def to_json(records: Iterable[dict]) -> str:
    return json.dumps([{k: _in_wib(r).get(k, "") for k in KEYS} for r in records], ensure_ascii=False, indent=2)


def to_xlsx(records: Iterable[dict]) -> bytes:
    def cell(record: dict, key: str) -> object:
        if key in TIME_KEYS and record.get(key):  # a real date a spreadsheet can sort (Excel has no zones: WIB)
            return _wib(record[key]).replace(tzinfo=None)
        return neutralise(record.get(key, ""))

    return table_workbook("Arsip", KEYS, ([cell(r, k) for k in KEYS] for r in records))


def render(records: Iterable[dict], fmt: str, locale: str = "standar") -> bytes:
    if fmt == "csv":
        return to_csv(records, locale).encode("utf-8-sig")
    if fmt == "json":
        return to_json(records).encode("utf-8")
    if fmt == "xlsx":
        return to_xlsx(records)
    raise ValueError(f"Format ekspor tidak dikenal: {fmt} (pilih {', '.join(FORMATS)})")


def format_of(path: str | Path) -> str | None:
    """The export format a file name asks for (arsip.xlsx -> xlsx), or None."""
    suffix = Path(str(path)).suffix.lower().lstrip(".")
    return suffix if suffix in FORMATS else None


def write_export(records: Iterable[dict], fmt: str, path: Path, locale: str = "standar", stream=None) -> int:
    """Write to ``path``, or to ``stream`` (a binary file, e.g. standard output) when given."""
    records = list(records)
    body = render(records, fmt, locale)
    if stream is not None:
        stream.write(body)
        stream.flush()
    else:
        Path(path).write_bytes(body)
    return len(records)
