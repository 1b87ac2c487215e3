"""Archive identity (DECISIONS.md #4): a datum is (OPD, item, Rincian, Tahun), not a sheet row.

Next year's value of a row is another datum, never a version of last year's; "Kec. Maospati",
"Maospati" and its Kemendagri code are one Rincian."""
from __future__ import annotations

from typing import Any

import hashlib
import json
from dataclasses import dataclass

from rules import fields as f
from rules.keys import item_key, rincian_key, text
from rules.numbers import parse_year
from rules.wilayah import COCOK, Wilayah


@dataclass(frozen=True)
class Datum:
    item: str  # "kode:..." or "uraian:..." (rules.keys.item_key)
    rincian: str  # Kemendagri code of a place, "kabupaten", else the normalised text
    tahun: int | None

    @property
    def key(self) -> str:
        """A fixed-width key for the database (the parts may be long texts)."""
        payload = json.dumps([self.item, self.rincian, self.tahun], ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def datum_of(data: dict[str, Any], wilayah: Wilayah) -> Datum:
    """The datum a row's data fields (text, as the sheet shows them) stand for."""
    return Datum(item_key(data.get(f.KODE), data.get(f.URAIAN)),
                 rincian_key(data.get(f.RINCIAN), wilayah),
                 parse_year(data.get(f.TAHUN, ""))[0])


def kode_wilayah(rincian: object, wilayah: Wilayah) -> str:
    """The Kemendagri code when the Rincian names a kecamatan or desa/kelurahan, else ""."""
    value = text(rincian)
    if not value or wilayah.is_kabupaten(value):
        return ""
    match = wilayah.lookup(value)
    return match.place.kode if match.status == COCOK and match.place is not None else ""
