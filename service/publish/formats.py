"""The files of one data item: wide CSV and XLSX, portal JSON, long CSV. Same item, same bytes."""
from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import datetime

from service.publish.items import Item
from sheets.tables import neutralise
from sheets.xlsx.patch import escape_text, ooxml_text
from sheets.xlsx.patch import column_letters

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
    """The wide table as a one-sheet workbook, written directly: a few fixed parts and one sheet
    of inline strings and numbers (an openpyxl workbook per item cost more than all other files)."""
    formats: dict[str, int] = {}  # number format -> style index (0 plain, 1 bold, then one per format)

    def cell(ref: str, value, bold: bool = False) -> str:
        if value is None:
            return ""
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            style = 1 if bold else formats.setdefault(number_format(value), 2 + len(formats))
            return f'<c r="{ref}" s="{style}"><v>{number_text(value)}</v></c>'
        bold_style = ' s="1"' if bold else ""
        return (f'<c r="{ref}" t="inlineStr"{bold_style}><is><t xml:space="preserve">'
                f'{ooxml_text(str(neutralise(str(value))))}</t></is></c>')

    def row(n: int, values: list, bold: bool = False) -> str:
        cells = "".join(cell(f"{column_letters(i)}{n}", v, bold) for i, v in enumerate(values))
        return f'<row r="{n}">{cells}</row>'

    lines = [row(1, [item.title], bold=True),
             row(2, [f"{item.opd_nama} · satuan: {item.satuan}" + (f" · {item.periode}" if item.periode else "")]),
             row(3, ["Rincian", "Kode wilayah", *item.years], bold=True)]
    lines += [row(4 + i, [r.rincian, r.kode_wilayah, *(r.shown(y) for y in item.years)])
              for i, r in enumerate(item.rows)]
    sheet = (f'{_XML_HEAD}<worksheet xmlns="{_MAIN}"><sheetViews><sheetView workbookViewId="0">'
             '<pane xSplit="2" ySplit="3" topLeftCell="C4" activePane="bottomRight" state="frozen"/>'
             '<selection pane="bottomRight" activeCell="C4" sqref="C4"/></sheetView></sheetViews>'
             '<sheetFormatPr defaultRowHeight="15"/><cols><col min="1" max="1" width="28" customWidth="1"/></cols>'
             f'<sheetData>{"".join(lines)}</sheetData></worksheet>')
    moment = datetime.fromisoformat(item.modified).replace(tzinfo=None)
    parts = {**_XLSX_FIXED, "xl/styles.xml": _styles(formats), "xl/worksheets/sheet1.xml": sheet,
             "docProps/core.xml": _CORE.format(stamp=moment.strftime("%Y-%m-%dT%H:%M:%SZ"))}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, body in parts.items():
            member = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o600 << 16
            dst.writestr(member, body.encode("utf-8"))
    return out.getvalue()


_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument."
_XLSX_FIXED = {
    "[Content_Types].xml": (
        f'{_XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}spreadsheetml.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_CT}spreadsheetml.worksheet+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{_CT}spreadsheetml.styles+xml"/>'
        '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        f'<Override PartName="/docProps/app.xml" ContentType="{_CT}extended-properties+xml"/></Types>'),
    "_rels/.rels": (
        f'{_XML_HEAD}<Relationships xmlns="{_PKG_REL}">'
        f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/'
        'core-properties" Target="docProps/core.xml"/>'
        f'<Relationship Id="rId3" Type="{_REL}/extended-properties" Target="docProps/app.xml"/></Relationships>'),
    "docProps/app.xml": (
        f'{_XML_HEAD}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        '<Application>Satu Data</Application></Properties>'),
    "xl/workbook.xml": (
        f'{_XML_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><bookViews><workbookView/></bookViews>'
        '<sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>'),
    "xl/_rels/workbook.xml.rels": (
        f'{_XML_HEAD}<Relationships xmlns="{_PKG_REL}">'
        f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/></Relationships>'),
}
_CORE = (
    f'{_XML_HEAD}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
    ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:creator>Satu Data</dc:creator>'
    '<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
    '<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified></cp:coreProperties>')
def _styles(formats: dict[str, int]) -> str:
    """Fonts plain and bold; one cell style per number format in use (custom ids from 164)."""
    numfmts = "".join(f'<numFmt numFmtId="{164 + i}" formatCode="{escape_text(code)}"/>' for i, code in enumerate(formats))
    xfs = "".join(f'<xf numFmtId="{164 + i}" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
                  for i in range(len(formats)))
    return (f'{_XML_HEAD}<styleSheet xmlns="{_MAIN}"><numFmts count="{len(formats)}">{numfmts}</numFmts>'
            '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
            '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            f'<cellXfs count="{2 + len(formats)}"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
            f'<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>{xfs}</cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')

