"""How a cell reads as text, and the keys that say which rows are one data item and one datum.

Light on purpose (no pandas): the archive and the row-skipping code need these on every start.
"""
from __future__ import annotations

import re
from typing import Iterable

from rules.wilayah import Wilayah

# history: (item key, rincian key) -> [(tahun, nilai)] of archived versions
History = dict[tuple[str, str], list[tuple[int, float]]]


def text(value: object) -> str:
    """A cell as the text a user reads (whole floats without '.0')."""
    if value.__class__ is str:  # the common case first: this runs for every cell
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        if value.is_integer():
            return str(int(value))
    return str(value).strip()


def _norm(value: str) -> str:
    return re.sub(r"\W+", " ", value.casefold()).strip()


def item_key(kode: object, uraian: object) -> str:
    """Rows of one data item share a Kode Data, else an Uraian Data."""
    k = text(kode).casefold()
    return f"kode:{k}" if k else "uraian:" + _norm(text(uraian))


def rincian_key(rincian: object, wilayah: Wilayah) -> str:
    match = wilayah.lookup(text(rincian)) if text(rincian) else None
    if match is not None and match.status == "cocok" and match.place is not None:
        return match.place.kode
    if wilayah.is_kabupaten(text(rincian)):
        return "kabupaten"
    return _norm(text(rincian))


def history_of(versions: Iterable[tuple[object, object, object, int | None, float | None]],
               wilayah: Wilayah) -> History:
    """The archived (tahun, nilai) of each data item and rincian, in the order given, from
    (kode_data, uraian_data, rincian, tahun, nilai) versions: the checks compare a new Nilai
    with the item's earlier years. Versions without a year or a number are left out."""
    out: History = {}
    for kode, uraian, rincian, tahun, nilai in versions:
        if tahun is None or nilai is None:
            continue
        out.setdefault((item_key(kode, uraian), rincian_key(rincian, wilayah)), []).append((tahun, nilai))
    return out
