"""What python-calamine does not tell: number formats, formulas and errors, read from the xlsx XML.

Standard library only: styles.xml is parsed, the tab's sheet XML is searched byte-wise for the
few cells that matter (a full parse only for unusual layouts). The poller's writes patch the XML
(sheets/xlsx_patch.py), so formula results the user's program cached are never lost.
"""
from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape, unescape

from ..looks import is_percent_format

NO_CACHED_VALUE = "Rumus tanpa nilai tersimpan; buka dan simpan ulang berkas di Excel"
_PERCENT_BUILTIN = {9: "0%", 10: "0.00%"}
_REF = re.compile(r"([A-Za-z]+)([0-9]+)")


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _attr(element: ET.Element, name: str) -> str | None:
    """An attribute by local name, whatever its namespace (r:id in transitional or strict files)."""
    for key, value in element.attrib.items():
        if _local(key) == name:
            return value
    return None


def _relationships(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Id -> (type, target part) for a part's relationships."""
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", name + ".rels")
    found = {}
    for rel in ET.fromstring(archive.read(rels)):
        target = rel.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        found[rel.get("Id", "")] = (rel.get("Type", ""), target)
    return found


@dataclass(frozen=True)
class Package:
    sheets: dict[str, str]  # tab name -> its XML part
    styles: str | None


def package(archive: zipfile.ZipFile) -> Package:
    root = next((t for ty, t in _relationships(archive, "").values() if ty.endswith("/officeDocument")), None)
    if root is None:
        raise KeyError("bagian workbook tidak ada")
    rels = _relationships(archive, root)
    sheets = {}
    for sheet in ET.fromstring(archive.read(root)).iter():
        if _local(sheet.tag) == "sheet" and _attr(sheet, "id") in rels:
            sheets[sheet.get("name", "")] = rels[_attr(sheet, "id")][1]
    styles = next((t for ty, t in rels.values() if ty.endswith("/styles")), None)
    return Package(sheets, styles)


_MODIFIED_BY = re.compile(rb"<(?:\w+:)?lastModifiedBy\b[^>]*>(.*?)</(?:\w+:)?lastModifiedBy>", re.S)


def last_modified_by(archive: zipfile.ZipFile) -> str | None:
    """The saving user's name (``cp:lastModifiedBy``, written by Excel and LibreOffice), if any."""
    try:
        core = archive.read("docProps/core.xml")
    except KeyError:
        return None
    match = _MODIFIED_BY.search(core)
    if match is None:
        return None
    name = unescape(match.group(1).decode("utf-8", "replace")).strip()
    return name or None


def percent_styles(archive: zipfile.ZipFile, styles: str | None) -> frozenset[int]:
    """Indices of the cell formats (a cell's ``s``) that show a number as a percentage."""
    if styles is None or styles not in archive.namelist():
        return frozenset()
    root = ET.fromstring(archive.read(styles))
    codes: dict[int, str] = dict(_PERCENT_BUILTIN)
    found: set[int] = set()
    for element in root:
        if _local(element.tag) == "numFmts":
            codes.update({int(n.get("numFmtId", "-1")): n.get("formatCode", "") for n in element})
    for element in root:
        if _local(element.tag) == "cellXfs":
            for index, xf in enumerate(element):
                if is_percent_format(codes.get(int(xf.get("numFmtId", "0")), "")):
                    found.add(index)
    return frozenset(found)


def split_ref(ref: str) -> tuple[int, int]:
    """"B3" -> (2, 1), both 0-based."""
    match = _REF.fullmatch(ref)
    if not match:
        raise ValueError(f"alamat sel tidak sah: {ref!r}")
    col = 0
    for char in match.group(1).upper():
        col = col * 26 + ord(char) - 64
    return int(match.group(2)) - 1, col - 1


@dataclass
class SheetScan:
    """Per cell, 0-based sheet coordinates (row 0 is the header row)."""

    percent: set[tuple[int, int]] = field(default_factory=set)
    problems: dict[tuple[int, int], str] = field(default_factory=dict)
    cached: dict[str, tuple[str, str]] = field(default_factory=dict)  # formula cell ref -> (t, <v> as XML text)

    def add(self, ref: str, kind: str, formula: bool, value: str | None, percent: bool) -> None:
        """One cell: its type ``t``, whether it holds a formula, its <v> text (None: no <v>)."""
        row, col = split_ref(ref)
        if formula and value is not None and (value or kind == "str"):
            self.cached[ref] = (kind, value)
        if formula and not value and kind != "str":
            self.problems[row, col] = NO_CACHED_VALUE
        elif kind == "e":
            self.problems[row, col] = f"Sel berisi galat Excel {value or ''}".rstrip() + "; perbaiki rumus atau isinya"
        elif kind == "n" and value and percent:
            self.percent.add((row, col))


_ROOT = re.compile(rb"<(\w+:)?worksheet\b")
_ATTR = re.compile(rb"""([\w:]+)\s*=\s*(["'])(.*?)\2""", re.S)


def _find_all(data: bytes, needle: bytes) -> Iterator[int]:
    at = data.find(needle)
    while at >= 0:
        yield at
        at = data.find(needle, at + 1)


def scan_sheet(xml: bytes, percent: frozenset[int]) -> SheetScan:
    """Percent cells, formulas without a result and error cells of one sheet XML.

    Only the cells that can matter (formulas, errors, percent styles) are looked at, found by
    byte search in the usual layout (``<c r="A1" …>``, as Excel, LibreOffice and openpyxl write
    it); any other layout gets a full parse."""
    root = _ROOT.search(xml)
    prefix = (root.group(1) or b"") if root else b""
    cell, end_tag = b"<" + prefix + b"c", b"</" + prefix + b"c>"
    # the usual layout: every cell start tag is `<c r="` (one pass, not four counts of the sheet)
    if re.search(re.escape(cell) + rb'(?:[>/]| (?!r="))', xml):
        return _scan_parsed(xml, percent)
    formula = re.compile(rb"<%sf[\s/>]" % re.escape(prefix))
    value = re.compile(rb"<%sv(?:\s[^>]*)?(?:/>|>(.*?)</%sv>)" % (re.escape(prefix), re.escape(prefix)), re.S)

    candidates = {xml.rfind(cell, 0, m.start()) for m in formula.finditer(xml)}
    candidates |= {xml.rfind(cell, 0, at) for at in _find_all(xml, b' t="e"')}
    for style in percent:  # a style attribute belongs to the cell only when it sits in its start tag
        for at in _find_all(xml, b' s="%d"' % style):
            start = xml.rfind(cell, 0, at)
            if start >= 0 and xml.find(b">", start) > at:
                candidates.add(start)
    scan = SheetScan()
    for start in sorted(candidates - {-1}):
        head_end = xml.index(b">", start)
        attrs = {name.decode(): text.decode() for name, _, text in _ATTR.findall(xml, start, head_end)}
        if "r" not in attrs:
            continue
        body = b"" if xml[head_end - 1] == ord("/") else xml[head_end + 1 : xml.index(end_tag, head_end)]
        found = value.search(body)
        scan.add(
            attrs["r"],
            attrs.get("t", "n"),
            formula.search(body) is not None,
            None if found is None else (found.group(1) or b"").decode(),
            int(attrs.get("s", "0")) in percent,
        )
    return scan


def _scan_parsed(xml: bytes, percent: frozenset[int]) -> SheetScan:
    scan = SheetScan()
    row, col = -1, -1
    for event, element in ET.iterparse(io.BytesIO(xml), events=("start", "end")):
        tag = _local(element.tag)
        if event == "start":
            if tag == "row":
                row, col = (int(element.get("r")) - 1 if element.get("r") else row + 1), -1
            continue
        if tag == "row":
            element.clear()
        if tag != "c":
            continue
        ref = element.get("r")
        row, col = split_ref(ref) if ref else (row, col + 1)
        children = {_local(child.tag): child for child in element}
        found = children.get("v")
        text = None if found is None else escape(found.text or "")
        scan.add(ref or _ref(row, col), element.get("t", "n"), "f" in children, text, int(element.get("s", "0")) in percent)
        element.clear()
    return scan


def _ref(row: int, col: int) -> str:
    letters, n = "", col + 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row + 1}"
