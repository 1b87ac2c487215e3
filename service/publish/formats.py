"""The files of one data item: wide CSV and XLSX, portal JSON, long CSV. Same item, same bytes."""
from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from datetime import datetime

from service.publish.items import Item
from sheets.tables import neutralise

LONG_FIELDS = ("opd", "kode_data", "uraian_data", "rincian", "kode_wilayah", "satuan", "tahun", "nilai",
               "versi", "diverifikasi_pada", "status_nilai", "keterangan")
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can hold: no build time in the file


def number_text(value: float | None) -> str:
    """A value for CSV: decimal point, no thousands separator, whole numbers without '.0'."""
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def wide_csv(item: Item) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["rincian", "kode_wilayah", *map(str, item.years)])
    for row in item.rows:
        writer.writerow([neutralise(v) for v in (row.rincian, row.kode_wilayah,
                                                 *(row.symbols.get(y) or number_text(row.values.get(y))
                                                   for y in item.years))])
    return buffer.getvalue().encode("utf-8")


def long_csv(item: Item) -> bytes:
    """The Data Package resource: one line per datum, rincian in table order."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(LONG_FIELDS)
    for d in sorted(item.data, key=lambda d: (d.urutan, d.tahun)):
        writer.writerow([neutralise(v) for v in (d.opd, d.kode_data, d.uraian_data, d.rincian, d.kode_wilayah,
                                                 d.satuan, d.tahun, d.simbol or number_text(d.nilai), d.versi,
                                                 d.diverifikasi_pada, d.status_nilai, d.keterangan if d.simbol else "")])
    return buffer.getvalue().encode("utf-8")


def portal_json(item: Item) -> bytes:
    """Shaped like a Dasatama dataset: metadata, then one series per rincian of {tahun, nilai}."""
    body = {
        "judul": item.title, "kode_data": item.kode_data,
        "opd": {"kode": item.opd, "nama": item.opd_nama},
        "metadata": {"konsep": item.standar["konsep"], "definisi": item.standar["definisi"],
                     "klasifikasi": item.standar["klasifikasi"], "ukuran": item.standar["ukuran"],
                     "satuan": item.satuan, "periode": item.periode},
        "tahun": list(item.years),
        "series": [{"nama": r.rincian, "kode_wilayah": r.kode_wilayah,
                    "data": [{"tahun": y, "nilai": r.values[y],
                              **({"simbol": r.symbols[y], "keterangan": r.reasons[y]} if y in r.symbols else {})}
                             for y in item.years if y in r.values]}
                   for r in item.rows],
        "diperbarui": item.modified,
    }
    return (json.dumps(body, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def number_format(value: float) -> str:
    """Excel's code for thousands and decimals; an id-ID Excel or Calc shows 1.234,5."""
    if float(value).is_integer():
        return "#,##0"
    decimals = min(len(repr(float(value)).split(".")[1]), 6) if "e" not in repr(float(value)) else 2
    return "#,##0." + "0" * decimals


def wide_xlsx(item: Item) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Data"
    _text_row(sheet, [item.title])
    sheet["A1"].font = Font(bold=True)
    _text_row(sheet, [f"{item.opd_nama} · satuan: {item.satuan}" + (f" · {item.periode}" if item.periode else "")])
    _text_row(sheet, ["Rincian", "Kode wilayah", *item.years])
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for row in item.rows:
        _text_row(sheet, [row.rincian, row.kode_wilayah, *(row.shown(y) for y in item.years)])
        for cell in sheet[sheet.max_row][2:]:
            if isinstance(cell.value, (int, float)):
                cell.number_format = number_format(cell.value)
    sheet.column_dimensions["A"].width = 28
    sheet.freeze_panes = "C4"
    moment = datetime.fromisoformat(item.modified).replace(tzinfo=None)
    workbook.properties.creator = "Satu Data"
    workbook.properties.created = workbook.properties.modified = moment
    buffer = io.BytesIO()
    workbook.save(buffer)
    return fixed_zip(buffer.getvalue(), moment)


def _text_row(sheet, values: list) -> None:
    """Append a row whose text is neutralised and stored as text (openpyxl would take '=…' for a formula)."""
    sheet.append([neutralise(v) for v in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def fixed_zip(data: bytes, moment: datetime) -> bytes:
    """The same workbook as a zip with fixed member dates and the data's own time in its properties."""
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*", lambda m: m.group(1) + stamp.encode(),
                              body)
            member = zipfile.ZipInfo(info.filename, date_time=_ZIP_DATE)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o600 << 16
            dst.writestr(member, body)
    return out.getvalue()
