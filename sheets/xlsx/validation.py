"""The YA dropdowns of the step-box columns, re-applied as an XML patch whenever the poller writes:
LibreOffice trims data validation to the used rows + 1,000 when it saves, so a growing sheet
would lose its dropdowns. Other validations (a user's, lists from other tabs) stay as they are."""
from __future__ import annotations

import re

from ..layout import BY_KEY
from .patch import after_sheet_data, column_letters
from .ooxml import split_ref

MARGIN = 1000  # rows past the last used one that keep a dropdown
TEMPLATE_ROWS = 2000
_BLOCK = re.compile(rb"<dataValidations\b[^>]*?(?:/>|>.*?</dataValidations>)", re.S)
_ONE = re.compile(rb"<dataValidation\b([^>]*)>(.*?)</dataValidation>", re.S)
_SQREF = re.compile(rb'\ssqref="([^"]*)"')
_YA = re.compile(rb'<formula1>\s*(?:&quot;|")YA(?:&quot;|")\s*</formula1>')
_AFTER = (b"<hyperlinks", b"<printOptions", b"<pageMargins", b"<pageSetup", b"<headerFooter", b"<rowBreaks",
          b"<colBreaks", b"<customProperties", b"<cellWatches", b"<ignoredErrors", b"<smartTags", b"<drawing",
          b"<legacyDrawing", b"<legacyDrawingHF", b"<drawingHF", b"<picture", b"<oleObjects", b"<controls",
          b"<webPublishItems", b"<tableParts", b"<extLst", b"</worksheet>")
_NEW = (b'<dataValidation type="list" allowBlank="1" showErrorMessage="1" showInputMessage="1" '
        b'errorTitle="Isian tidak sah" error="Isi dengan YA bila langkah ini sudah dilakukan, atau kosongkan sel." '
        b'promptTitle="Centang langkah" prompt="Pilih YA bila langkah ini sudah dilakukan; biarkan kosong bila belum." '
        b'sqref="%s"><formula1>"YA"</formula1></dataValidation>')


def _cover(sqref: bytes) -> dict[int, int]:
    """Column -> last row (0-based) covered from row 1 (the first data row) down, per column."""
    reach: dict[int, int] = {}
    for part in sqref.decode().split():
        first, _, last = part.partition(":")
        try:
            (r1, c1), (r2, c2) = split_ref(first.replace("$", "")), split_ref((last or first).replace("$", ""))
        except ValueError:
            continue
        if r1 <= 1:
            for col in range(c1, c2 + 1):
                reach[col] = max(reach.get(col, -1), r2)
    return reach


def ensure_boxes(sheet_xml: bytes, header: dict[str, int], last_row: int) -> bytes:  # last_row 0-based
    """The sheet with a YA dropdown on every box column from row 2 to ``last_row`` + MARGIN (at
    least the template's 2,000 rows); untouched when the existing dropdowns already reach that far."""
    boxes = sorted(col for key, col in header.items() if BY_KEY[key].box)
    if not boxes:
        return sheet_xml
    bottom = max(TEMPLATE_ROWS, last_row + 1 + MARGIN)  # 1-based last row
    block = _BLOCK.search(sheet_xml, after_sheet_data(sheet_xml))
    ours = []
    if block is not None:
        ours = [m for m in _ONE.finditer(block.group(0)) if _YA.search(m.group(2)) and b'type="list"' in m.group(1)]
    reach: dict[int, int] = {}
    for match in ours:
        sqref = _SQREF.search(match.group(1))
        for col, row in _cover(sqref.group(1) if sqref else b"").items():
            reach[col] = max(reach.get(col, -1), row)
    if all(reach.get(col, -1) >= bottom - 1 for col in boxes):
        return sheet_xml
    wanted = " ".join(f"{column_letters(c)}2:{column_letters(c)}{bottom}" for c in boxes).encode()
    if ours:  # widen the first of ours; the others keep what they had
        text = block.group(0)
        first = ours[0]
        head = first.group(1)
        sqref = _SQREF.search(head)
        head = (head[:sqref.start()] + b' sqref="%s"' % wanted + head[sqref.end():]) if sqref else head + b' sqref="%s"' % wanted
        text = text[:first.start(1)] + head + text[first.end(1):]
        return sheet_xml[:block.start()] + text + sheet_xml[block.end():]
    return _add(sheet_xml, block, _NEW % wanted)


def _add(sheet_xml: bytes, block: re.Match[bytes] | None, element: bytes) -> bytes:
    if block is None:
        at = min((i for i in (sheet_xml.find(tag) for tag in _AFTER) if i >= 0), default=len(sheet_xml))
        return sheet_xml[:at] + b'<dataValidations count="1">' + element + b"</dataValidations>" + sheet_xml[at:]
    text = block.group(0)
    count = len(_ONE.findall(text)) + 1
    if text.endswith(b"/>"):
        text = text[:-2] + b">" + element + b"</dataValidations>"
    else:
        text = text.replace(b"</dataValidations>", element + b"</dataValidations>")
    text = re.sub(rb'\scount="\d+"', b' count="%d"' % count, text, count=1)
    return sheet_xml[:block.start()] + text + sheet_xml[block.end():]
