"""Totals against their parts, for what is about to be published: a kabupaten total that an
archived kecamatan sum contradicts is not a fact the Walidata can stand behind. Pure: the
caller groups its data; here only the arithmetic and the verdict."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Hashable


@dataclass(frozen=True)
class Disagreement:
    key: Hashable  # the caller's group (e.g. OPD, item, tahun)
    total: float
    parts: float  # the sum of the parts
    count: int  # how many parts were summed


def disagreements(groups: dict[Hashable, tuple[float | None, list[float | None]]],
                  expected: int) -> list[Disagreement]:
    """Groups whose total differs from the sum of all ``expected`` parts (the tolerance of the
    sheet check: one part in a million). A group missing a part or a number proves nothing."""
    out = []
    for key, (total, parts) in groups.items():
        if total is None or len(parts) != expected or any(p is None for p in parts):
            continue
        summed = float(sum(p for p in parts if p is not None))
        if abs(summed - total) > 1e-6 * max(1.0, abs(total)):
            out.append(Disagreement(key, float(total), summed, len(parts)))
    return out
