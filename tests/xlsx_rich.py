"""Workbooks with what a user adds and openpyxl cannot keep: a text box and a picture (drawing
part), a threaded comment, rich text inside a cell, a dropdown reading another tab, a human note.
Built by adding parts to a template workbook, so the test knows every byte a write must keep."""
from __future__ import annotations

import base64
import io
import re
import zipfile
from pathlib import Path

import openpyxl
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.comments import Comment
from openpyxl.worksheet.datavalidation import DataValidation

from sheets.xlsx import save_atomic

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")
TEXT_BOX = "Catatan operator: angka sementara"
THREAD = "Mohon dicek lagi angka ini"
_DRAWING = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" \
xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" \
xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">\
<xdr:twoCellAnchor><xdr:from><xdr:col>24</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>1</xdr:row><xdr:rowOff>0</xdr:rowOff>\
</xdr:from><xdr:to><xdr:col>27</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>5</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:to>\
<xdr:sp macro="" textlink=""><xdr:nvSpPr><xdr:cNvPr id="2" name="Kotak Teks 1"/><xdr:cNvSpPr txBox="1"/></xdr:nvSpPr>\
<xdr:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="1828800" cy="731520"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/>\
</a:prstGeom></xdr:spPr><xdr:txBody><a:bodyPr wrap="square" rtlCol="0"/><a:lstStyle/><a:p><a:r><a:rPr lang="id-ID" \
sz="1100"/><a:t>{text}</a:t></a:r></a:p></xdr:txBody></xdr:sp><xdr:clientData/></xdr:twoCellAnchor>\
<xdr:oneCellAnchor><xdr:from><xdr:col>24</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>7</xdr:row><xdr:rowOff>0</xdr:rowOff>\
</xdr:from><xdr:ext cx="952500" cy="952500"/><xdr:pic><xdr:nvPicPr><xdr:cNvPr id="3" name="Gambar 1"/><xdr:cNvPicPr>\
<a:picLocks noChangeAspect="1"/></xdr:cNvPicPr></xdr:nvPicPr><xdr:blipFill><a:blip r:embed="rId1"/><a:stretch>\
<a:fillRect/></a:stretch></xdr:blipFill><xdr:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="952500" cy="952500"/></a:xfrm>\
<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></xdr:spPr></xdr:pic><xdr:clientData/></xdr:oneCellAnchor></xdr:wsDr>"""
_THREAD = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<ThreadedComments xmlns="http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments" \
xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><threadedComment ref="{ref}" \
dT="2025-06-02T08:00:00.00" personId="{{6B2A0F3C-0000-4000-8000-000000000001}}" \
id="{{6B2A0F3C-0000-4000-8000-000000000002}}"><text>{text}</text></threadedComment></ThreadedComments>"""
_PERSONS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<personList xmlns="http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments" \
xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><person displayName="Walidata Magetan" \
id="{6B2A0F3C-0000-4000-8000-000000000001}" userId="walidata@magetan.go.id" providerId="None"/></personList>"""
_REL = '<Relationship Id="{id}" Type="{type}" Target="{target}"/>'
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_TC = "http://schemas.microsoft.com/office/2017/10/relationships/threadedComment"


def openpyxl_made(path: Path, kode: str, rows: list[list]) -> None:
    """Rows typed into the template, a second tab whose list a dropdown reads, rich text in a
    cell and a human note (what openpyxl itself can write)."""
    workbook = openpyxl.load_workbook(path)
    sheet = workbook[kode]
    for row in rows:
        sheet.append(row)
    lists = workbook.create_sheet("Daftar")
    for i, unit in enumerate(("Orang", "Unit", "Persen", "Rupiah"), start=1):
        lists.cell(i, 1, unit)
    satuan = DataValidation(type="list", formula1="Daftar!$A$1:$A$4", allow_blank=True)
    satuan.add("E2:E500")
    sheet.add_data_validation(satuan)
    sheet["H2"] = CellRichText([TextBlock(InlineFont(b=True), "Sumber: "), "Dinkes"])
    sheet["G3"].comment = Comment("Angka dari BPS, jangan diubah", "Operator")
    save_atomic(workbook, path)


def add_drawing_and_thread(path: Path, kode: str, thread_ref: str = "C2") -> None:
    """A text box and a picture in a drawing part, and a threaded comment (Excel 365), as parts."""
    source = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    parts = {i.filename: source.read(i) for i in source.infolist()}
    sheet_part = "xl/worksheets/sheet1.xml"
    rels_part = "xl/worksheets/_rels/sheet1.xml.rels"
    rels = parts.get(rels_part, b'<?xml version="1.0" encoding="UTF-8"?>\n<Relationships xmlns="http://schemas.'
                                 b'openxmlformats.org/package/2006/relationships"></Relationships>').decode()
    rels = rels.replace("</Relationships>",
                        _REL.format(id="rIdGambar", type=_R + "/drawing", target="../drawings/drawing9.xml")
                        + _REL.format(id="rIdUtas", type=_TC, target="../threadedComments/threadedComment9.xml")
                        + "</Relationships>")
    parts[rels_part] = rels.encode()
    sheet = parts[sheet_part].decode()
    anchor = next(t for t in ("<legacyDrawing", "<tableParts", "<extLst", "</worksheet>") if t in sheet)
    sheet = sheet.replace(anchor, '<drawing r:id="rIdGambar"/>' + anchor, 1)
    if 'xmlns:r=' not in sheet[:600]:
        sheet = sheet.replace("<worksheet ", f'<worksheet xmlns:r="{_R}" ', 1)
    parts[sheet_part] = sheet.encode()
    parts["xl/drawings/drawing9.xml"] = _DRAWING.format(text=TEXT_BOX).encode()
    parts["xl/drawings/_rels/drawing9.xml.rels"] = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/'
        '2006/relationships">' + _REL.format(id="rId1", type=_R + "/image", target="../media/image9.png")
        + "</Relationships>").encode()
    parts["xl/media/image9.png"] = PNG
    parts["xl/threadedComments/threadedComment9.xml"] = _THREAD.format(ref=thread_ref, text=THREAD).encode()
    parts["xl/persons/person.xml"] = _PERSONS.encode()
    workbook_rels = parts["xl/_rels/workbook.xml.rels"].decode()
    parts["xl/_rels/workbook.xml.rels"] = workbook_rels.replace(
        "</Relationships>", _REL.format(id="rIdOrang", type="http://schemas.microsoft.com/office/2017/10/"
                                        "relationships/person", target="persons/person.xml") + "</Relationships>"
    ).encode()
    types = parts["[Content_Types].xml"].decode()
    extra = ('<Default Extension="png" ContentType="image/png"/>'
             '<Override PartName="/xl/drawings/drawing9.xml" ContentType="application/vnd.openxmlformats-'
             'officedocument.drawing+xml"/><Override PartName="/xl/threadedComments/threadedComment9.xml" '
             'ContentType="application/vnd.ms-excel.threadedcomments+xml"/><Override PartName="/xl/persons/'
             'person.xml" ContentType="application/vnd.ms-excel.person+xml"/>')
    parts["[Content_Types].xml"] = re.sub("</Types>", extra + "</Types>", types).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    path.write_bytes(out.getvalue())


def parts_of(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {i.filename: archive.read(i) for i in archive.infolist()}
