"""Data items as the portal shows them: one per item of an OPD, a wide table of rincian × tahun."""
from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from rules import fields as f
from rules import metadata as ms
from service.publish.source import Datum, by_item

MAX_SLUG = 80  # a file name (slug plus ".panjang.csv") stays far below the 255 bytes a file system allows
PERIODE = {"tahunan": "Tahunan", "semesteran": "Semesteran", "triwulanan": "Triwulanan", "bulanan": "Bulanan"}


@dataclass(frozen=True)
class Row:
    rincian: str
    kode_wilayah: str
    values: dict[int, float | None]
    symbols: dict[int, str] = field(default_factory=dict)  # year -> '-' / '…' where declared missing
    reasons: dict[int, str] = field(default_factory=dict)  # year -> the Keterangan that says why

    def shown(self, year: int) -> str | float | None:
        """The value of ``year`` as a table shows it: its number, or its declared symbol."""
        return self.symbols.get(year) or self.values.get(year)


@dataclass(frozen=True)
class ItemMetadata:
    """An item's statistical metadata as archived (rules/metadata.py)."""
    jenis: str  # "MS-Ind" or "MS-Var"
    kunci: str
    values: dict[str, str]  # element key -> text
    fields: tuple[tuple[str, str], ...]  # (form label, text), filled ones, in the form's order
    kegiatan: str = ""  # the producing activity's Judul Kegiatan
    kegiatan_fields: tuple[tuple[str, str], ...] = ()
    kegiatan_values: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Item:
    slug: str
    opd: str
    opd_nama: str
    kode_data: str
    uraian_data: str
    satuan: str
    standar: dict[str, str]
    years: tuple[int, ...]
    rows: tuple[Row, ...]
    data: tuple[Datum, ...]
    metadata: ItemMetadata | None = None  # its archived MS-Ind/MS-Var and MS-Keg, when the OPD keeps them

    @property
    def description(self) -> str:
        """The indicator's or variable's definition, else the Standar Data's, else the title."""
        meta = self.metadata.values.get("definisi", "") if self.metadata else ""
        return meta or self.standar.get(f.DEFINISI, "") or self.title

    @property
    def modified(self) -> str:
        """When this item last changed: its newest archived version (the data's own time)."""
        return max(d.diarsip_pada for d in self.data)

    @property
    def periode(self) -> str:
        raw = self.standar.get(f.FREKUENSI, "")
        return PERIODE.get(raw.casefold(), raw)

    @property
    def declared(self) -> list[Datum]:
        """The data declared missing (a BPS symbol with its reason), in table order."""
        return [d for d in sorted(self.data, key=lambda d: (d.urutan, d.tahun)) if d.simbol]

    @property
    def title(self) -> str:
        return self.uraian_data or self.kode_data

    def text(self) -> str:
        """Everything a search on /data looks at, folded."""
        return fold(" ".join([self.opd, self.opd_nama, self.kode_data, self.uraian_data, self.satuan,
                              *self.standar.values(), *(r.rincian for r in self.rows)]))


def fold(text: str) -> str:
    """Case and accents ignored, words separated by single spaces."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[\W_]+", " ", plain.casefold()).split())


def slugify(text: str) -> str:
    """Lower-case ASCII words joined by '-'; a long text is cut at a word and ends with a short
    hash of the whole, so the name is bounded, stable and still tells long titles apart."""
    slug = "-".join(fold(text).split()) or "item"
    if len(slug) <= MAX_SLUG:
        return slug
    digest = hashlib.sha256(slug.encode()).hexdigest()[:10]
    head = slug[:MAX_SLUG - len(digest) - 1]
    return f"{head.rsplit('-', 1)[0] if '-' in head else head}-{digest}"


def base_slug(opd: str, kode_data: str, uraian_data: str) -> str:
    """An item's slug before a clash with another item's adds "-2", "-3"…"""
    return slugify(f"{opd} {kode_data or uraian_data}")


def build_items(data: list[Datum], opd_names: dict[str, str]) -> list[Item]:
    """One Item per (OPD, item key), ordered by OPD then item; slugs are unique and stable."""
    return with_unique_slugs([item_of(group, opd_names) for group in by_item(data).values()])


def item_of(group: list[Datum], opd_names: dict[str, str]) -> Item:
    """The Item of one (OPD, item key)'s data, named by its base slug."""
    opd = group[0].opd
    newest = max(group, key=lambda d: (d.diarsip_pada, d.tahun))
    return Item(slug=base_slug(opd, newest.kode_data, newest.uraian_data), opd=opd,
                opd_nama=opd_names.get(opd, opd), kode_data=newest.kode_data, uraian_data=newest.uraian_data,
                satuan=newest.satuan, standar=_standar(group), years=tuple(sorted({d.tahun for d in group})),
                rows=_rows(group), data=tuple(group))


def with_unique_slugs(items: Iterable[Item]) -> list[Item]:
    """``items`` in their order, a slug taken by an earlier item followed by "-2", "-3"…"""
    out, taken = [], set()
    for item in items:
        slug, n = item.slug, 2
        while slug in taken:
            slug, n = f"{item.slug}-{n}", n + 1
        taken.add(slug)
        out.append(item if slug == item.slug else replace(item, slug=slug))
    return out


def _standar(group: list[Datum]) -> dict[str, str]:
    """Each Standar Data field from the newest datum that fills it."""
    out = {}
    for name in f.STANDAR_DATA:
        filled = [d for d in group if d.standar_data().get(name)]
        out[name] = max(filled, key=lambda d: (d.diarsip_pada, d.tahun)).standar_data()[name] if filled else ""
    return out


def _rows(group: list[Datum]) -> tuple[Row, ...]:
    """The wide table: rincian in publication order (kabupaten, kecamatan by BPS, the rest)."""
    by_rincian: dict[str, list[Datum]] = {}
    for d in sorted(group, key=lambda d: (d.urutan, d.tahun)):
        by_rincian.setdefault(d.rincian_key, []).append(d)
    return tuple(Row(ds[0].rincian, ds[0].kode_wilayah, {d.tahun: d.nilai for d in ds},
                     {d.tahun: d.simbol for d in ds if d.simbol}, {d.tahun: d.keterangan for d in ds if d.simbol})
                 for ds in by_rincian.values())


def attach_metadata(items: list[Item], blocks: dict[tuple[str, str], dict]) -> list[Item]:
    """Each item with its archived MS-Ind/MS-Var block (Kunci = its Kode Data, else its Uraian
    Data) and that block's MS-Keg; ``blocks``: Queries.latest_metadata()."""
    def labelled(jenis: str, values: dict[str, str]) -> tuple[tuple[str, str], ...]:
        return tuple((e.label, values[e.key]) for e in ms.FORMS[jenis] if values.get(e.key))

    out = []
    for item in items:
        found = next((blocks[(item.opd, ms.block_key(jenis, kunci))] for jenis in (ms.IND, ms.VAR)
                      for kunci in (item.kode_data, item.uraian_data)
                      if kunci and (item.opd, ms.block_key(jenis, kunci)) in blocks), None)
        if found is None:
            out.append(item)
            continue
        judul = found["isi"].get(ms.ACTIVITY_OF[found["jenis"]], "")
        keg = blocks.get((item.opd, ms.block_key(ms.KEG, judul))) if judul else None
        kegiatan = keg["isi"] if keg else {}
        out.append(replace(item, metadata=ItemMetadata(
            found["jenis"], found["kunci"], found["isi"], labelled(found["jenis"], found["isi"]),
            judul if keg else "", labelled(ms.KEG, kegiatan), kegiatan)))
    return out
