"""Cell formats the poller needs (wrapped text, locked or unlocked for sheet protection), found
in or appended to ``styles.xml``'s ``cellXfs``; existing formats are never changed in place."""
from __future__ import annotations

import re

from .xlsx_patch import PatchRefused

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
