"""How the sheet looks, the same in every backend: header fills by column owner, the Status
colours (from rules/sop.yaml's palette) and the one reading of number-format codes."""
from __future__ import annotations

import re

from rules.sop import load_sop

OWNER_FILLS = {"system": "D9D9D9", "walidata": "DDEBF7", "operator": "FFF9E5"}

# (first characters of Status, background, font colour) from rules/sop.yaml, the one palette the
# dashboard also uses; first match wins, so most advanced first: "10" before "1", "7a" before "7"
STATUS_COLOURS = tuple((s.code, s.colour.lstrip("#").upper(), s.text_colour.lstrip("#").upper())
                       for s in reversed(load_sop().for_display()))

_NOT_FORMAT = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.')  # literals, escapes, [colours], padding


def is_percent_format(code: str) -> bool:
    """A number-format code (Excel's formatCode, Google's pattern) that shows a percentage."""
    return "%" in _NOT_FORMAT.sub("", code)
