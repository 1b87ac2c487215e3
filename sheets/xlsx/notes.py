"""The poller's own notes, patched into a sheet's comments part and its legacy VML drawing.

A note (Excel's "Note", LibreOffice's "Comment") lives in two parts: the text in
``xl/commentsN.xml`` and the yellow box in the VML drawing the sheet's ``<legacyDrawing>`` names.
Only comments whose text starts with the owned prefix are replaced or removed; a human's note,
a threaded comment's placeholder and every other byte of both parts stay as they are.
"""
from __future__ import annotations

import posixpath
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from xml.sax.saxutils import escape, unescape

from ..base import OWNED_NOTE_PREFIX
from .patch import ILLEGAL_XML, PatchRefused, after_sheet_data, escape_text, column_letters, ref
from .ooxml import split_ref

NOTE_AUTHOR = "Satu Data"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_COMMENTS_TYPE = _REL_NS + "/comments"
_VML_TYPE = _REL_NS + "/vmlDrawing"
_COMMENTS_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
_VML_CT = "application/vnd.openxmlformats-officedocument.vmlDrawing"
_NS = {"v": "urn:schemas-microsoft-com:vml", "o": "urn:schemas-microsoft-com:office:office",
       "x": "urn:schemas-microsoft-com:office:excel"}
_RELATIONSHIP = re.compile(rb"<Relationship\b[^>]*>")
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')
_COMMENT = re.compile(rb"<comment\b([^>]*?)(/?)>")
_COMMENT_TAG = re.compile(rb"<comment\b[^>]*?/?>")  # as _COMMENT matches, without its groups
# a whole comment element as _COMMENT and the first "</comment>" after it delimit it
_COMMENT_ELEMENT = re.compile(rb"<comment\b([^>]*?)(?:/>|>.*?</comment>)", re.S)
_REF = re.compile(rb'(?:^|\s)ref="([^"]*)"')  # the ref attribute alone, as _attrs reads it
_TEXT = re.compile(rb"<t(?:\s[^>]*)?>(.*?)</t>", re.S)
_PHONETIC = re.compile(rb"<rPh\b.*?</rPh>", re.S)
_LEGACY = re.compile(rb'<legacyDrawing\b[^>]*?:id="([^"]+)"[^>]*/>')
_AFTER_LEGACY = (b"<legacyDrawingHF", b"<drawingHF", b"<picture", b"<oleObjects", b"<controls",
                 b"<webPublishItems", b"<tableParts", b"<extLst", b"</worksheet>")


def owned(text: str | None) -> bool:
    text = (text or "").lstrip()
    if text.startswith(NOTE_AUTHOR + ":"):  # Excel may put the author's name in front
        text = text[len(NOTE_AUTHOR) + 1:].lstrip()
    return text.startswith(OWNED_NOTE_PREFIX)


def _attrs(tag: bytes) -> dict[str, str]:
    return {k.decode(): unescape(v.decode(), {"&quot;": '"'}) for k, v in _ATTR.findall(tag)}


def _rels_name(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def _target(part: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(part), target))


def _relative(part: str, target: str) -> str:
    return posixpath.relpath(target, posixpath.dirname(part))


@dataclass
class _Package:
    """The parts a note write may change, read lazily from the archive and kept once changed."""

    archive: zipfile.ZipFile
    changed: dict[str, bytes] = field(default_factory=dict)

    def read(self, name: str) -> bytes | None:
        if name in self.changed:
            return self.changed[name]
        try:
            return self.archive.read(name)
        except KeyError:
            return None

    def free_name(self, pattern: str) -> str:
        names = set(self.archive.namelist()) | set(self.changed)
        return next(pattern % n for n in range(1, 10_000) if pattern % n not in names)


def comment_text(element: bytes) -> str:
    body = _PHONETIC.sub(b"", element)
    return unescape(b"".join(_TEXT.findall(body)).decode(), {"&quot;": '"'})


def note_at(archive: zipfile.ZipFile, sheet_part: str, row: int, col: int) -> str | None:
    """The text of the note on one cell (0-based), or None when it has none."""
    package = _Package(archive)
    rels = package.read(_rels_name(sheet_part))
    part = next((_target(sheet_part, r.get("Target", "")) for r in
                 (_attrs(m.group(0)) for m in _RELATIONSHIP.finditer(rels or b""))
                 if r.get("Type") == _COMMENTS_TYPE), None)
    comments = package.read(part) if part else None
    address = ref(row, col)
    span = _index_comments(comments, {address}).spans.get(address) if comments else None
    return comment_text(comments[span[0]:span[1]]) if span and comments else None


def _comment_xml(address: str, author: int, text: str) -> bytes:
    body = escape_text(text).encode()
    return (b'<comment ref="%s" authorId="%d" shapeId="0"><text><t xml:space="preserve">%s</t></text></comment>'
            % (address.encode(), author, body))


@dataclass
class _CommentIndex:
    """Where the comments a write looks at are. ``spans``: address -> (start, end) of its comment
    (the last one, when a cell has two), for every comment, or in a plain part (``plain`` set) for
    the cells asked about alone; ``plain``: every comment's address in file order;
    ``elements``: every comment's (address, start, end), when the part was read whole."""

    spans: dict[str, tuple[int, int]]
    plain: list[bytes] | None = None
    elements: list[tuple[str, int, int]] | None = None
    starts: dict[bytes, int] = field(default_factory=dict)  # plain: address -> start of its last comment


_COMMENT_TOKEN = re.compile(rb"<comment\b|</comment>")
_PLAIN_COMMENT = re.compile(rb'<comment ref="([A-Z]+[0-9]+)"')


def _index_comments(xml: bytes, wanted: set[str]) -> _CommentIndex:
    """The comments of the cells in ``wanted``. In a plain part, what Excel, LibreOffice and this
    writer write (each comment opened as ``<comment ref="G12"`` and closed before the next opens,
    no other ``ref="`` in it), they are found by their address in a few whole-part byte scans,
    without decoding every comment; any other part is read comment by comment (DECISIONS.md #159)."""
    tokens = _COMMENT_TOKEN.findall(xml)
    count = len(tokens) // 2
    plain = _PLAIN_COMMENT.findall(xml)
    if (len(tokens) % 2 or tokens[0::2].count(b"<comment") != count or tokens[1::2].count(b"</comment>") != count
            or len(plain) != count or xml.count(b'ref="') != count):
        elements = _comment_elements(xml)
        return _CommentIndex({a: (start, end) for a, start, end in elements}, elements=elements)
    starts = {match.group(1): match.start() for match in _PLAIN_COMMENT.finditer(xml)}
    spans: dict[str, tuple[int, int]] = {}
    for address in wanted:
        if (start := starts.get(address.encode())) is not None:
            spans[address] = (start, xml.index(b"</comment>", start) + len(b"</comment>"))
    return _CommentIndex(spans, plain=plain, starts=starts)


def _comment_address(attributes: bytes) -> str:
    refs = _REF.findall(attributes)  # the last one, as _attrs (a dict) keeps it
    if not refs:
        return ""
    return (unescape(refs[-1].decode(), {"&quot;": '"'}) if b"&" in refs[-1] else refs[-1].decode()).upper()


def _comment_elements(xml: bytes) -> list[tuple[str, int, int]]:
    """(address, start, end) of every <comment>, in file order. Each element is matched whole by
    one expression; when that does not find every comment tag (one never closed), the tags are
    walked one by one, which raises as the file deserves."""
    found = []
    for element in _COMMENT_ELEMENT.finditer(xml):
        attributes = element.group(1)
        # the usual tag, <comment ref="G12" ...> with no other ref and nothing escaped, read directly
        close = attributes.find(b'"', 6)
        if attributes.startswith(b' ref="') and close > 0 and b"ref=" not in attributes[close:] \
                and b"&" not in attributes[6:close]:
            found.append((attributes[6:close].decode().upper(), element.start(), element.end()))
        else:
            found.append((_comment_address(attributes), element.start(), element.end()))
    if len(found) == len(_COMMENT_TAG.findall(xml)):
        return found
    found, at = [], 0
    while (match := _COMMENT.search(xml, at)) is not None:
        end = match.end() if match.group(2) == b"/" else xml.index(b"</comment>", match.end()) + len(b"</comment>")
        found.append((_comment_address(match.group(1)), match.start(), end))
        at = end
    return found


def _author_id(xml: bytes) -> tuple[bytes, int]:
    """The comments part with our author present, and the author's index."""
    authors = re.findall(rb"<author>(.*?)</author>|<author/>", xml, re.S)
    names = [unescape(a.decode()) for a in authors]
    if NOTE_AUTHOR in names:
        return xml, names.index(NOTE_AUTHOR)
    ours = b"<author>%s</author>" % NOTE_AUTHOR.encode()
    if b"</authors>" in xml:
        return xml.replace(b"</authors>", ours + b"</authors>", 1), len(names)
    if b"<authors/>" in xml:
        return xml.replace(b"<authors/>", b"<authors>" + ours + b"</authors>", 1), 0
    raise PatchRefused("bagian catatan (comments) tanpa daftar penulis")


def patch_notes(archive: zipfile.ZipFile, sheet_part: str, sheet_xml: bytes,
                notes: list[tuple[int, int, str | None]]) -> tuple[bytes, dict[str, bytes], int]:
    """The sheet XML, the changed or new parts, and how many notes changed."""
    package = _Package(archive)
    rels = package.read(_rels_name(sheet_part))
    relations = [_attrs(m.group(0)) for m in _RELATIONSHIP.finditer(rels or b"")]
    comments_part = next((_target(sheet_part, r.get("Target", "")) for r in relations
                          if r.get("Type") == _COMMENTS_TYPE), None)
    legacy = _LEGACY.search(sheet_xml, after_sheet_data(sheet_xml))  # it follows <sheetData> (schema order)
    vml_part = None
    if legacy is not None:
        vml_part = next((_target(sheet_part, r.get("Target", "")) for r in relations
                         if r.get("Id") == legacy.group(1).decode()), None)
    comments = package.read(comments_part) if comments_part else None
    index = _index_comments(comments, {ref(r, c) for r, c, _ in notes}) if comments else _CommentIndex({}, elements=[])
    removals, replacements, additions = _decide(comments or b"", index.spans, notes)
    if not (removals or replacements or additions):
        return sheet_xml, {}, 0

    if comments is None:
        comments_part = package.free_name("xl/comments%d.xml")
        comments = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<comments xmlns='
                    b'"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><authors/><commentList/></comments>')
        rels = _add_relationship(rels, _COMMENTS_TYPE, _relative(sheet_part, comments_part))[0]
        _content_type(package, comments_part, _COMMENTS_CT)
    comments = _patch_comments(comments, removals, replacements, additions, index)
    package.changed[comments_part] = comments
    if vml_part is None:
        vml_part = package.free_name("xl/drawings/vmlDrawing%d.vml")
        rels, rid = _add_relationship(rels, _VML_TYPE, _relative(sheet_part, vml_part))
        sheet_xml = _add_legacy_drawing(sheet_xml, rid)
        package.changed[vml_part] = _new_vml()
        _content_type(package, vml_part, _VML_CT)
    package.changed[vml_part] = patch_vml(package.read(vml_part) or _new_vml(), removals,
                                          {a: t for a, t in additions.items()})
    package.changed[_rels_name(sheet_part)] = rels
    return sheet_xml, package.changed, len(removals) + len(replacements) + len(additions)


def _decide(comments: bytes, index: dict[str, tuple[int, int]], notes: list[tuple[int, int, str | None]]
            ) -> tuple[set[str], dict[str, str], dict[str, str]]:
    """Which owned notes to remove, which to rewrite and which to add; a human's note wins."""
    removals: set[str] = set()
    replacements: dict[str, str] = {}
    additions: dict[str, str] = {}
    for row, col, text in notes:
        if text is not None and not text.startswith(OWNED_NOTE_PREFIX):
            raise ValueError(f"Catatan milik sistem harus diawali {OWNED_NOTE_PREFIX!r}")
        address = ref(row, col)
        span = index.get(address)
        current = comment_text(comments[span[0]:span[1]]) if span else None
        if span is not None and not owned(current):
            continue
        if text is None:
            if span is not None:
                removals.add(address)
        elif span is None:
            additions[address] = text
        elif current != ILLEGAL_XML.sub("", text):
            replacements[address] = text
    return removals, replacements, additions


def _patch_comments(xml: bytes, removals: set[str], replacements: dict[str, str], additions: dict[str, str],
                    index: _CommentIndex | None = None) -> bytes:
    """``index``: the comments of ``xml`` already looked up for these cells (used while our author
    is listed and the list is not empty): removals, rewrites and additions are then placed in one
    pass over the part, without reading it again."""
    listed, author = _author_id(xml)
    if listed is not xml or index is None or b"<commentList/>" in xml:
        elements = _comment_elements(listed)
        index = _CommentIndex({a: (start, end) for a, start, end in elements}, elements=elements)
    xml = listed
    edits = [(index.spans[a], b"") for a in removals]
    edits += [(index.spans[a], _comment_xml(a, author, t)) for a, t in replacements.items()]
    if b"<commentList/>" in xml:  # an empty list, opened; what is left of the part is read again
        xml = _apply(xml, edits).replace(b"<commentList/>", b"<commentList></commentList>", 1)
        elements = _comment_elements(xml)
        edits, removals = [], set()
        index = _CommentIndex({a: (start, end) for a, start, end in elements}, elements=elements)
    if additions and b"</commentList>" not in xml:
        raise PatchRefused("bagian catatan (comments) tanpa commentList")
    if not additions:
        return _apply(xml, edits)
    # kept in row order, as Excel writes them: each new comment goes before the first later one
    # still there (of two comments on a cell, the last one, which the index keeps)
    for at, names in _anchors(xml, index, removals, additions).items():
        edits.append(((at, at), b"".join(_comment_xml(a, author, additions[a]) for a in names)))
    return _apply(xml, edits)


def _anchors(xml: bytes, index: _CommentIndex, removals: set[str], additions: dict[str, str]) -> dict[int, list[str]]:
    """Where each addition goes: before the first comment still there, in file order, on a later
    cell (what sorting the remaining comments by cell and taking the smallest start after each
    addition's cell gives), or at the end of the list; additions in cell order."""
    end = xml.index(b"</commentList>")
    plain = index.plain
    if plain is not None and len(index.starts) != len(plain) and removals:
        twice = {a for a, n in Counter(plain).items() if n > 1}
        if any(a.encode() in twice for a in removals):
            plain = None  # a removed comment's cell keeps an older one: read the part whole
    if plain is None:
        elements = index.elements if index.elements is not None else _comment_elements(xml)
        gone = {index.spans[a][0] for a in removals}
        kept: dict[str, int] = {}
        for address, start, _ in elements:
            if start not in gone:
                kept[address] = start
        order = [(address, start) for address, start in sorted(kept.items(), key=lambda item: item[1])]
        start_of = dict(order)
        names = [address for address, _ in order]
    else:
        last = dict(zip(plain, range(len(plain))))
        removed = {a.encode() for a in removals}
        names = [a.decode() for i, a in enumerate(plain) if last[a] == i and a not in removed]
        start_of = {}
    groups: dict[int, list[str]] = {}
    cursor = 0
    for address in sorted(additions, key=split_ref):
        wanted = split_ref(address)
        while cursor < len(names) and _position(names[cursor]) <= wanted:
            cursor += 1
        if cursor == len(names):
            at = end
        else:
            name = names[cursor]
            at = start_of[name] if plain is None else index.starts[name.encode()]
        groups.setdefault(at, []).append(address)
    return groups


def _apply(xml: bytes, edits: list[tuple[tuple[int, int], bytes]]) -> bytes:
    """``xml`` with each (start, end) span replaced; spans do not overlap, and an insertion
    (start == end) goes before a replacement starting at the same place."""
    pieces, cursor = [], 0
    for (start, end), replacement in sorted(edits, key=lambda e: (e[0][0], e[0][1] - e[0][0])):
        pieces += [xml[cursor:start], replacement]
        cursor = end
    return b"".join(pieces) + xml[cursor:]


@lru_cache(maxsize=65536)
def _position(address: str) -> tuple[int, int]:
    try:
        return split_ref(address)
    except ValueError:
        return (1 << 30, 0)


def _add_relationship(rels: bytes | None, kind: str, target: str) -> tuple[bytes, str]:
    if rels is None:
        rels = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns='
                b'"http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>')
    taken = {a.get("Id") for a in (_attrs(m.group(0)) for m in _RELATIONSHIP.finditer(rels))}
    rid = next(f"rId{n}" for n in range(1, 10_000) if f"rId{n}" not in taken)
    new = b'<Relationship Id="%s" Type="%s" Target="%s"/>' % (rid.encode(), kind.encode(), escape(target).encode())
    if b"</Relationships>" in rels:
        return rels.replace(b"</Relationships>", new + b"</Relationships>", 1), rid
    return re.sub(rb"<Relationships\b([^>]*)/>", lambda m: b"<Relationships" + m.group(1) + b">" + new
                  + b"</Relationships>", rels, count=1), rid


def _add_legacy_drawing(sheet_xml: bytes, rid: str) -> bytes:
    prefix = _namespace_prefix(sheet_xml, _REL_NS)
    if prefix is None:
        root = re.search(rb"<worksheet\b", sheet_xml)
        if root is None:
            raise PatchRefused("lembar tanpa elemen worksheet")
        sheet_xml = sheet_xml[:root.end()] + b' xmlns:r="%s"' % _REL_NS.encode() + sheet_xml[root.end():]
        prefix = "r"
    start = after_sheet_data(sheet_xml)  # an <extLst> of a <sheetView> comes before the rows
    at = min(i for i in (sheet_xml.find(tag, start) for tag in _AFTER_LEGACY) if i >= 0)
    return sheet_xml[:at] + b'<legacyDrawing %s:id="%s"/>' % (prefix.encode(), rid.encode()) + sheet_xml[at:]


def _namespace_prefix(xml: bytes, namespace: str) -> str | None:
    match = re.search(rb'xmlns:(\w+)="%s"' % re.escape(namespace.encode()), xml[:4000])
    return match.group(1).decode() if match else None


def _content_type(package: _Package, part: str, content_type: str) -> None:
    name = "[Content_Types].xml"
    xml = package.read(name) or b""
    extension = part.rpartition(".")[2]
    if b'PartName="/%s"' % part.encode() in xml:
        return
    if part.endswith(".vml") and re.search(rb'<Default\b[^>]*Extension="vml"', xml, re.I):
        return
    if part.endswith(".vml"):
        new = b'<Default Extension="%s" ContentType="%s"/>' % (extension.encode(), content_type.encode())
    else:
        new = b'<Override PartName="/%s" ContentType="%s"/>' % (part.encode(), content_type.encode())
    package.changed[name] = xml.replace(b"</Types>", new + b"</Types>", 1)


# --- VML -------------------------------------------------------------------------------------------


def _new_vml() -> bytes:
    return (b'<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
            b'xmlns:x="urn:schemas-microsoft-com:office:excel"><o:shapelayout v:ext="edit"><o:idmap v:ext="edit" '
            b'data="1"/></o:shapelayout></xml>')


def _prefixes(vml: bytes) -> tuple[bytes, dict[str, str]]:
    """The VML with the three namespaces declared, and the prefix the file uses for each."""
    found = {}
    for short, namespace in _NS.items():
        prefix = _namespace_prefix(vml, namespace)
        if prefix is None:
            root = re.search(rb"<xml\b", vml)
            if root is None:
                raise PatchRefused("gambar VML catatan tidak dikenal")
            prefix = f"sd{short}"
            vml = vml[:root.end()] + b' xmlns:%s="%s"' % (prefix.encode(), namespace.encode()) + vml[root.end():]
        found[short] = prefix
    return vml, found


def _note_shape_list(vml: bytes, v: str, x: str) -> list[tuple[str, int, int]]:
    """(address, start, end) of every Note shape, in file order. A shape runs from ``<v:shape``
    to the first ``</v:shape>`` after it; both are found by plain byte search, and a shape's row
    and column are read inside it alone (its first ``x:Row`` and ``x:Column``)."""
    found = []
    # compiled once per part, not looked up in re's cache twice per shape (a note per flagged row)
    row_tag = re.compile(rb"<%s:Row>\s*(\d+)\s*</%s:Row>" % (x.encode(), x.encode()))
    col_tag = re.compile(rb"<%s:Column>\s*(\d+)\s*</%s:Column>" % (x.encode(), x.encode()))
    opening, closing = b"<%s:shape" % v.encode(), b"</%s:shape>" % v.encode()
    at = 0
    while (start := vml.find(opening, at)) >= 0:
        if _word_follows(vml, start + len(opening)):  # <v:shapetype...: not a shape (\b)
            at = start + 1
            continue
        end = vml.find(closing, start + len(opening))
        if end < 0:
            break
        end += len(closing)
        at = end
        if vml.find(b'ObjectType="Note"', start, end) < 0:
            continue
        row = row_tag.search(vml, start, end)
        col = col_tag.search(vml, start, end)
        if row and col:
            found.append((f"{column_letters(int(col.group(1)))}{int(row.group(1)) + 1}", start, end))
    return found


def _shapes_at(vml: bytes, v: str, x: str, addresses: set[str]) -> dict[str, list[tuple[int, int]]] | None:
    """Address -> (start, end) of each Note shape anchored there, in file order, for these cells
    alone: one scan for their rows' ``x:Row`` tags, then the shape around each. None when the
    drawing is not plain (each shape closed before the next opens, every ``x:Row`` written as a
    bare number), which _note_shape_list reads shape by shape (DECISIONS.md #159)."""
    if not addresses:
        return {}
    opening, closing = b"<%s:shape" % v.encode(), b"</%s:shape>" % v.encode()
    tokens = re.findall(rb"%s\b|%s" % (re.escape(opening), re.escape(closing)), vml)
    count = len(tokens) // 2
    if len(tokens) % 2 or tokens[0::2].count(opening) != count or tokens[1::2].count(closing) != count:
        return None
    row_open = b"<%s:Row>" % x.encode()
    if vml.count(row_open) != len(re.findall(rb"<%s:Row>(?:0|[1-9][0-9]*)</%s:Row>" % (x.encode(), x.encode()), vml)):
        return None
    by_row: dict[int, list[tuple[int, str]]] = {}
    for address in addresses:
        row, column_index = split_ref(address)
        by_row.setdefault(row, []).append((column_index, address))
    # a few rows: an expression that matches only them; many (a first write): every row, filtered
    rows = b"|".join(b"%d" % row for row in sorted(by_row, reverse=True)) if len(by_row) <= 32 else rb"\d+"
    col_tag = re.compile(rb"<%s:Column>\s*(\d+)\s*</%s:Column>" % (x.encode(), x.encode()))
    found: dict[str, list[tuple[int, int]]] = {}
    for match in re.finditer(rb"<%s:Row>(%s)</%s:Row>" % (x.encode(), rows, x.encode()), vml):
        if int(match.group(1)) not in by_row:
            continue
        at = match.start()
        start = vml.rfind(opening, 0, at)
        while start >= 0 and _word_follows(vml, start + len(opening)):  # a <v:shapetype>
            start = vml.rfind(opening, 0, start)
        end = vml.find(closing, start) if start >= 0 else -1
        if end < at:
            continue  # not inside a shape
        end += len(closing)
        if vml.find(row_open, start, end) != at or vml.find(b'ObjectType="Note"', start, end) < 0:
            continue  # the shape's first row is another, or it is no note
        column = col_tag.search(vml, start, end)
        for wanted, address in by_row[int(match.group(1))]:
            if column is not None and int(column.group(1)) == wanted:
                found.setdefault(address, []).append((start, end))
    return found


def _word_follows(data: bytes, at: int) -> bool:
    """Whether a word character (regex ``\\w`` for bytes) is at ``at``: a longer name, not a tag end."""
    following = data[at:at + 1]
    return bool(following) and (following.isalnum() or following == b"_")


def _shape(p: dict[str, str], shape_id: int, address: str, text: str) -> bytes:
    row, col = split_ref(address)
    lines = sum(1 + len(line) // 50 for line in text.splitlines() or [""])
    height = min(400, 24 + 15 * lines)
    v, o, x = p["v"], p["o"], p["x"]
    return (f'<{v}:shape id="_x0000_s{shape_id}" type="#_x0000_t202" style="position:absolute;margin-left:59.25pt;'
            f'margin-top:1.5pt;width:240pt;height:{height * 0.75:.2f}pt;z-index:{shape_id};visibility:hidden" '
            f'fillcolor="#ffffe1" {o}:insetmode="auto"><{v}:fill color2="#ffffe1"/><{v}:shadow color="black" '
            f'obscured="t"/><{v}:path {o}:connecttype="none"/><{v}:textbox style="mso-direction-alt:auto">'
            f'<div style="text-align:left"></div></{v}:textbox><{x}:ClientData ObjectType="Note"><{x}:MoveWithCells/>'
            f'<{x}:SizeWithCells/><{x}:Anchor>{col + 1}, 15, {row}, 10, {col + 5}, 15, {row + 3 + lines}, 4'
            f'</{x}:Anchor><{x}:AutoFill>False</{x}:AutoFill><{x}:Row>{row}</{x}:Row><{x}:Column>{col}'
            f'</{x}:Column></{x}:ClientData></{v}:shape>').encode()


def _shapetype(p: dict[str, str]) -> bytes:
    v, o = p["v"], p["o"]
    return (f'<{v}:shapetype id="_x0000_t202" coordsize="21600,21600" {o}:spt="202" '
            f'path="m,l,21600r21600,l21600,xe"><{v}:stroke joinstyle="miter"/><{v}:path gradientshapeok="t" '
            f'{o}:connecttype="rect"/></{v}:shapetype>').encode()


def patch_vml(vml: bytes, removals: set[str], additions: dict[str, str]) -> bytes:
    """Remove the boxes of removed notes and add one for each new note (none twice for a cell)."""
    vml, p = _prefixes(vml)
    # removed and added notes are on different cells, so removing a box never changes which
    # of the added cells already have one
    found = _shapes_at(vml, p["v"], p["x"], removals | set(additions))
    if found is None:
        found = {}
        for address, start, end in _note_shape_list(vml, p["v"], p["x"]):
            found.setdefault(address, []).append((start, end))
    gone = sorted(found[a][-1] for a in removals if a in found)
    if gone:
        pieces, cursor = [], 0
        for start, end in gone:
            pieces.append(vml[cursor:start])
            cursor = end
        vml = b"".join(pieces) + vml[cursor:]
    new = [a for a in additions if a not in found]
    if not new:
        return vml
    next_id = max([1024, *map(int, re.findall(rb'_x0000_s(\d+)', vml))]) + 1
    added = b"".join(_shape(p, next_id + i, a, additions[a]) for i, a in enumerate(new))
    if b'id="_x0000_t202"' not in vml:
        added = _shapetype(p) + added
    at = vml.rfind(b"</xml>")
    if at < 0:
        raise PatchRefused("gambar VML catatan tidak dikenal")
    return vml[:at] + added + vml[at:]
