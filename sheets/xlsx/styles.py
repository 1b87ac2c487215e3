"""Cell formats the poller needs (wrapped text, locked or unlocked for sheet protection), found
in or appended to ``styles.xml``'s ``cellXfs``; existing formats are never changed in place."""
from __future__ import annotations

import re

from .patch import PatchRefused

_XFS = re.compile(rb"<cellXfs\b[^>]*?(?:/>|>(.*?)</cellXfs>)", re.S)
_XF = re.compile(rb"<xf\b[^>]*?(?:/>|>.*?</xf>)", re.S)
_COUNT = re.compile(rb'\scount="\d+"')


class StyleBook:
    """``styles.xml`` and its cell formats; ``data`` is None until a format was added."""

    def __init__(self, xml: bytes | None) -> None:
        if xml is None:
            raise PatchRefused("bagian gaya (styles.xml) tidak ada")
        self.xml = xml
        match = _XFS.search(xml)
        if match is None or match.group(1) is None:
            raise PatchRefused("bagian gaya (styles.xml) tanpa daftar format sel")
        self._span = match.span(1)
        self.xfs = [m.group(0) for m in _XF.finditer(match.group(1))]
        self._added: list[bytes] = []
        self._cache: dict[tuple[int, bool | None, bool | None], int] = {}

    def _xf(self, index: int | None) -> bytes:
        every = self.xfs + self._added
        return every[index] if index is not None and 0 <= index < len(every) else (every[0] if every else b"<xf/>")

    def locked(self, index: int | None) -> bool:
        match = re.search(rb'<protection\b[^>]*\blocked="(\w+)"', self._xf(index))
        return match is None or match.group(1) not in (b"0", b"false")

    def wrapped(self, index: int | None) -> bool:
        return re.search(rb'<alignment\b[^>]*\bwrapText="(?:1|true)"', self._xf(index)) is not None

    def variant(self, index: int | None, wrap: bool | None = None, lock: bool | None = None) -> int | None:
        """The format like ``index`` but wrapped and/or (un)locked; ``index`` itself when it already is."""
        if (wrap is None or self.wrapped(index) == wrap) and (lock is None or self.locked(index) == lock):
            return index
        key = (-1 if index is None else index, wrap, lock)
        if key not in self._cache:
            self._cache[key] = self._find_or_add(_with(self._xf(index), wrap, lock))
        return self._cache[key]

    def _find_or_add(self, xf: bytes) -> int:
        every = self.xfs + self._added
        if xf in every:
            return every.index(xf)
        self._added.append(xf)
        return len(every)

    def data(self) -> bytes | None:
        if not self._added:
            return None
        start, end = self._span
        body = self.xml[start:end] + b"".join(self._added)
        head = self.xml[:start]
        open_at = head.rfind(b"<cellXfs")
        tag = _COUNT.sub(b' count="%d"' % (len(self.xfs) + len(self._added)), head[open_at:], count=1)
        return head[:open_at] + tag + body + self.xml[end:]


def _with(xf: bytes, wrap: bool | None, lock: bool | None) -> bytes:
    """An ``<xf>`` element with wrapText and/or locked set (children in schema order)."""
    closed = xf.endswith(b"/>")
    head = xf[: xf.index(b">") + 1]
    head = head[:-2] + b">" if closed else head
    children = b"" if closed else xf[len(head): -len(b"</xf>")]
    alignment = re.search(rb"<alignment\b[^>]*/>", children)
    protection = re.search(rb"<protection\b[^>]*/>", children)
    rest = re.sub(rb"<alignment\b[^>]*/>|<protection\b[^>]*/>", b"", children)
    new_alignment = alignment.group(0) if alignment else None
    new_protection = protection.group(0) if protection else None
    if wrap is not None:
        new_alignment = _set_attr(new_alignment or b"<alignment/>", b"wrapText", b"1" if wrap else b"0")
        head = _set_attr(head, b"applyAlignment", b"1")
    if lock is not None:
        new_protection = _set_attr(new_protection or b"<protection/>", b"locked", b"1" if lock else b"0")
        head = _set_attr(head, b"applyProtection", b"1")
    return head + (new_alignment or b"") + (new_protection or b"") + rest + b"</xf>"


def _set_attr(tag: bytes, name: bytes, value: bytes) -> bytes:
    pattern = re.compile(rb'\s%s="[^"]*"' % name)
    if pattern.search(tag):
        return pattern.sub(b' %s="%s"' % (name, value), tag, count=1)
    end = len(tag) - (2 if tag.endswith(b"/>") else 1)
    return tag[:end] + b' %s="%s"' % (name, value) + tag[end:]


# --- bringing another package's cell formats in (a tab copied from the template) ---------------

_LISTS = {b"numFmts": b"numFmt", b"fonts": b"font", b"fills": b"fill", b"borders": b"border", b"cellXfs": b"xf",
          b"dxfs": b"dxf"}
# where a missing list goes: before the first of these that exists (the schema's order)
_AFTER = {b"numFmts": (b"<fonts", b"<fills"), b"dxfs": (b"<tableStyles", b"<colors", b"<extLst", b"</styleSheet>")}
_ID = {b"fontId": b"fonts", b"fillId": b"fills", b"borderId": b"borders"}


def _items(xml: bytes, name: bytes) -> tuple[list[bytes], re.Match[bytes] | None]:
    """The elements of one list of styles.xml and the list's match (None: no such list)."""
    item = _LISTS[name]
    match = re.search(rb"<%s\b([^>]*?)(?:/>|>(.*?)</%s>)" % (name, name), xml, re.S)
    if match is None:
        return [], None
    found = re.findall(rb"<%s\b[^>]*?(?:/>|>.*?</%s>)" % (item, item), match.group(2) or b"", re.S)
    return found, match


class StyleMerge:
    """Formats of a source ``styles.xml`` added to a target's, each found or appended once."""

    def __init__(self, target: bytes, source: bytes) -> None:
        self.target = target
        self.lists = {name: _items(target, name)[0] for name in _LISTS}
        self.source = {name: _items(source, name)[0] for name in _LISTS}
        self.added = {name: 0 for name in _LISTS}
        self._xf: dict[int, int] = {}
        self._dxf: dict[int, int] = {}

    def _put(self, name: bytes, element: bytes) -> int:
        known = self.lists[name]
        if element in known:
            return known.index(element)
        known.append(element)
        self.added[name] += 1
        return len(known) - 1

    def _num_fmt(self, number: int) -> int:
        if number < 164:  # built in
            return number
        source = next((e for e in self.source[b"numFmts"] if re.search(rb'numFmtId="%d"' % number, e)), None)
        if source is None:
            return 0
        code = re.search(rb'formatCode="([^"]*)"', source)
        for element in self.lists[b"numFmts"]:
            if code and re.search(rb'formatCode="%s"' % re.escape(code.group(1)), element):
                return int(re.search(rb'numFmtId="(\d+)"', element).group(1))
        ids = [int(m) for e in self.lists[b"numFmts"] for m in re.findall(rb'numFmtId="(\d+)"', e)]
        fresh = max([163, *ids]) + 1
        self._put(b"numFmts", re.sub(rb'numFmtId="\d+"', b'numFmtId="%d"' % fresh, source))
        return fresh

    def xf(self, index: int) -> int:
        """The target's index of the source's cell format ``index``."""
        if index not in self._xf:
            element = self.source[b"cellXfs"][index]
            for attribute, name in _ID.items():
                if (match := re.search(rb'\b%s="(\d+)"' % attribute, element)) is not None:
                    at = self._put(name, self.source[name][int(match.group(1))])
                    element = element[:match.start(1)] + b"%d" % at + element[match.end(1):]
            if (match := re.search(rb'\bnumFmtId="(\d+)"', element)) is not None:
                element = element[:match.start(1)] + b"%d" % self._num_fmt(int(match.group(1))) + element[match.end(1):]
            element = re.sub(rb'\bxfId="\d+"', b'xfId="0"', element)
            self._xf[index] = self._put(b"cellXfs", element)
        return self._xf[index]

    def dxf(self, index: int) -> int:
        if index not in self._dxf:
            self._dxf[index] = self._put(b"dxfs", self.source[b"dxfs"][index])
        return self._dxf[index]

    def sheet(self, xml: bytes) -> bytes:
        """A source sheet's XML with its cell, column and conditional formats pointing into the target."""
        xml = re.sub(rb'(<c\b[^>]*?\ss=")(\d+)"', lambda m: m.group(1) + b'%d"' % self.xf(int(m.group(2))), xml)
        xml = re.sub(rb'(<col\b[^>]*?\sstyle=")(\d+)"', lambda m: m.group(1) + b'%d"' % self.xf(int(m.group(2))), xml)
        return re.sub(rb'(<cfRule\b[^>]*?\sdxfId=")(\d+)"', lambda m: m.group(1) + b'%d"' % self.dxf(int(m.group(2))), xml)

    def data(self) -> bytes:
        """The target ``styles.xml`` with what was added."""
        xml = self.target
        for name in _LISTS:
            if not self.added[name]:
                continue
            _, match = _items(xml, name)
            attributes = b"" if match is None else _COUNT.sub(b"", match.group(1)).rstrip(b"/").rstrip()
            block = b'<%s count="%d"%s>%s</%s>' % (name, len(self.lists[name]), attributes,
                                                    b"".join(self.lists[name]), name)
            if match is not None:
                xml = xml[:match.start()] + block + xml[match.end():]
                continue
            at = min((i for marker in _AFTER.get(name, ()) if (i := xml.find(marker)) >= 0), default=-1)
            if at < 0:
                raise PatchRefused(f"bagian gaya (styles.xml) tanpa daftar {name.decode()}")
            xml = xml[:at] + block + xml[at:]
        return xml
