"""Tabs added and renamed by patching a workbook's XML (rollover): the year's tab is renamed to
its record, as Excel renames (formulas, defined names, dropdowns and charts that read the tab
follow it), and a fresh tab laid out like the template goes first. Every other part keeps its
bytes, so text boxes, pictures, charts and threaded comments stay as the user left them."""
from __future__ import annotations

import io
import posixpath
import re
import zipfile
from xml.sax.saxutils import escape, quoteattr

from . import ooxml
from .patch import PatchRefused, column_letters, rewrite_zip
from .styles import StyleMerge

WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
WORKSHEET_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
# text holding formulas: cell formulas, defined names, validation and conditional formulas, charts' series
_FORMULA_TEXT = re.compile(rb"(<(?:\w+:)?(?:f|formula[12]?|definedName)\b[^>]*(?<!/)>)([^<]*)(?=</)")
_SELECTED = re.compile(rb'(<sheetView\b[^>]*?)\stabSelected="(?:1|true)"')
_LOCAL_ID = re.compile(rb'(<definedName\b[^>]*?\blocalSheetId=")(\d+)"')


def _reference(name: str) -> bytes:
    """A tab name as formulas write it, quoted (always valid, needed for names with spaces)."""
    return ("'" + name.replace("'", "''") + "'!").encode()


def rename_references(xml: bytes, old: str, new: str) -> bytes:
    """Formulas in one part that read tab ``old`` read tab ``new`` instead (as Excel does on rename)."""
    quoted = re.escape(escape(old.replace("'", "''")).encode())
    plain = re.escape(escape(old).encode())
    pattern = re.compile(rb"(?<![\w.\]'])(?:'%s'|%s)!" % (quoted, plain), re.IGNORECASE)
    target = escape(_reference(new).decode()).encode()

    def formula(match: re.Match[bytes]) -> bytes:
        return match.group(1) + pattern.sub(lambda _: target, match.group(2))

    return _FORMULA_TEXT.sub(formula, xml)


def _workbook_part(archive: zipfile.ZipFile) -> str:
    rels = ooxml._relationships(archive, "")
    root = next((t for ty, t in rels.values() if ty.endswith("/officeDocument")), None)
    if root is None:
        raise KeyError("bagian workbook tidak ada")
    return root


def _rename_sheet(workbook: bytes, old: str, new: str) -> bytes:
    """workbook.xml with the ``<sheet>`` named ``old`` renamed (its defined names follow)."""
    pattern = re.compile(rb'(<(?:\w+:)?sheet\b[^>]*?\sname=)"%s"' % re.escape(escape(old, {'"': "&quot;"}).encode()))
    renamed, count = pattern.subn(lambda m: m.group(1) + quoteattr(new).encode(), workbook, count=1)
    if not count:
        raise PatchRefused(f"tab {old} tidak ditemukan di workbook.xml")
    return rename_references(renamed, old, new)


def _register(root: str, rels: bytes, types: bytes, part: str) -> tuple[str, bytes, bytes]:
    """A new worksheet part's relationship (its id) and content type."""
    ids = {int(n) for n in re.findall(rb'\bId="rId(\d+)"', rels)}
    rel_id = f"rId{max(ids, default=0) + 1}"
    target = posixpath.relpath(part, posixpath.dirname(root))
    rels = rels.replace(b"</Relationships>", f'<Relationship Id="{rel_id}" Type="{WORKSHEET_REL}" '
                        f'Target="{target}"/></Relationships>'.encode(), 1)
    types = types.replace(b"</Types>", f'<Override PartName="/{part}" ContentType="{WORKSHEET}"/></Types>'.encode(), 1)
    return rel_id, rels, types


def _add_first(root: str, workbook: bytes, rels: bytes, types: bytes, part: str, name: str,
               filter_name: bytes | None) -> tuple[bytes, bytes, bytes]:
    """workbook.xml, its rels and [Content_Types].xml with sheet ``part`` added as the first tab, selected."""
    rel_id, rels, types = _register(root, rels, types, part)
    first = re.search(rb"<(\w+:)?sheet\b[^>]*?\s(\w+):id=", workbook)
    if first is None:
        raise PatchRefused("daftar tab di workbook.xml tidak dikenal")
    prefix, rel_prefix = (first.group(1) or b"").decode(), first.group(2).decode()
    sheet_ids = [int(n) for n in re.findall(rb'<(?:\w+:)?sheet\b[^>]*?\ssheetId="(\d+)"', workbook)]
    element = f'<{prefix}sheet name={quoteattr(name)} sheetId="{max(sheet_ids, default=0) + 1}" {rel_prefix}:id="{rel_id}"/>'
    workbook = workbook[:first.start()] + element.encode() + workbook[first.start():]
    workbook = _LOCAL_ID.sub(lambda m: m.group(1) + b'%d"' % (int(m.group(2)) + 1), workbook)  # tabs moved right
    workbook = re.sub(rb'(<(?:\w+:)?workbookView\b[^>]*?\s(?:activeTab|firstSheet)=")\d+"', rb'\g<1>0"', workbook)
    if filter_name is not None:
        names = re.search(rb"<(\w+:)?definedNames\b[^>]*>", workbook)
        if names is not None:
            workbook = workbook[:names.end()] + filter_name + workbook[names.end():]
        else:
            at = re.search(rb"<(?:\w+:)?sheets\b.*?</(?:\w+:)?sheets>", workbook, re.S)
            workbook = workbook[:at.end()] + b"<definedNames>" + filter_name + b"</definedNames>" + workbook[at.end():]
    return workbook, rels, types


def keep_as_record(data: bytes, current: str, record: str, template: bytes, kode: str) -> bytes:
    """The workbook with tab ``current`` renamed ``record`` and the template's tab ``kode`` added first."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive, zipfile.ZipFile(io.BytesIO(template)) as fresh:
        root = _workbook_part(archive)
        parts = ooxml.package(archive)
        if parts.styles is None:
            raise PatchRefused("bagian gaya (styles.xml) tidak ada")
        names = set(archive.namelist())
        changed: dict[str, bytes] = {}
        for name in names:  # every formula that read the tab now reads its record
            if name.endswith(".xml") and name.startswith(("xl/worksheets/", "xl/charts/", "xl/chartsheets/")):
                text = archive.read(name)
                renamed = _SELECTED.sub(rb"\1", rename_references(text, current, record))
                if renamed != text:
                    changed[name] = renamed
        template_parts = ooxml.package(fresh)
        merge = StyleMerge(archive.read(parts.styles), fresh.read(template_parts.styles))
        sheet = merge.sheet(fresh.read(template_parts.sheets[kode]))
        sheet = re.sub(rb"<sheetView\b", b'<sheetView tabSelected="1"', _SELECTED.sub(rb"\1", sheet), count=1)
        number = 1
        while f"xl/worksheets/sheet{number}.xml" in names:
            number += 1
        part = f"xl/worksheets/sheet{number}.xml"
        filter_name = re.search(rb"<definedName\b[^>]*>[^<]*</definedName>", fresh.read(_workbook_part(fresh)))
        rels_part = posixpath.join(posixpath.dirname(root), "_rels", posixpath.basename(root) + ".rels")
        workbook, rels, types = _add_first(root, _rename_sheet(archive.read(root), current, record), archive.read(rels_part),
                                           archive.read("[Content_Types].xml"), part, kode,
                                           filter_name.group(0) if filter_name else None)
        changed.update({root: workbook, rels_part: rels, "[Content_Types].xml": types, parts.styles: merge.data(),
                        part: sheet})
        for name in names:  # pivot tables read the tab by name too
            if name.startswith("xl/pivotCache/") and name.endswith(".xml"):
                text = archive.read(name)
                old = quoteattr(current).encode()
                if b" sheet=" + old in text:
                    changed[name] = text.replace(b" sheet=" + old, b" sheet=" + quoteattr(record).encode())
    return rewrite_zip(data, changed)


def _add_last(root: str, workbook: bytes, rels: bytes, types: bytes, part: str, name: str) -> tuple[bytes, bytes, bytes]:
    """workbook.xml, its rels and [Content_Types].xml with sheet ``part`` added as the last tab."""
    rel_id, rels, types = _register(root, rels, types, part)
    first = re.search(rb"<(\w+:)?sheet\b[^>]*?\s(\w+):id=", workbook)
    end = re.search(rb"</(?:\w+:)?sheets>", workbook)
    if first is None or end is None:
        raise PatchRefused("daftar tab di workbook.xml tidak dikenal")
    prefix, rel_prefix = (first.group(1) or b"").decode(), first.group(2).decode()
    sheet_ids = [int(n) for n in re.findall(rb'<(?:\w+:)?sheet\b[^>]*?\ssheetId="(\d+)"', workbook)]
    element = f'<{prefix}sheet name={quoteattr(name)} sheetId="{max(sheet_ids, default=0) + 1}" {rel_prefix}:id="{rel_id}"/>'
    return workbook[:end.start()] + element.encode() + workbook[end.start():], rels, types


def text_sheet(rows: list[list[str]], widths: tuple[int, ...] = ()) -> bytes:
    """A worksheet of text cells (inline strings, no shared-strings part touched), header frozen."""
    _bad = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
    cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths, 1))
    body = []
    for r, row in enumerate(rows, 1):
        cells = "".join(f'<c r="{column_letters(c)}{r}" t="inlineStr"><is><t xml:space="preserve">'
                        f'{escape(_bad.sub("", str(v)))}</t></is></c>' for c, v in enumerate(row) if str(v or ""))
        body.append(f'<row r="{r}">{cells}</row>')
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
            'state="frozen"/></sheetView></sheetViews>' + (f"<cols>{cols}</cols>" if cols else "")
            + "<sheetData>" + "".join(body) + "</sheetData></worksheet>").encode("utf-8")


def add_tab(data: bytes, name: str, rows: list[list[str]], widths: tuple[int, ...] = ()) -> bytes:
    """The workbook with a new last tab ``name`` holding ``rows`` as text; every other part keeps its bytes."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        root = _workbook_part(archive)
        names = set(archive.namelist())
        number = 1
        while f"xl/worksheets/sheet{number}.xml" in names:
            number += 1
        part = f"xl/worksheets/sheet{number}.xml"
        rels_part = posixpath.join(posixpath.dirname(root), "_rels", posixpath.basename(root) + ".rels")
        workbook, rels, types = _add_last(root, archive.read(root), archive.read(rels_part),
                                          archive.read("[Content_Types].xml"), part, name)
    return rewrite_zip(data, {root: workbook, rels_part: rels, "[Content_Types].xml": types,
                              part: text_sheet(rows, widths)})
