"""What publication holds back: an item's year whose archived kabupaten total disagrees with
its archived kecamatan (a ``jumlah_kecamatan`` rule), until the Walidata resolves it by
correcting and re-verifying the values. Neither the total nor its parts are published (DECISIONS.md #45)."""
from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

from rules.numbers import format_number
from rules.rulefile import RuleSet
from rules.totals import disagreements
from rules.wilayah import Wilayah
from service.publish.source import Datum


@dataclass(frozen=True)
class Withheld:
    opd: str
    kode_data: str
    uraian_data: str
    tahun: int
    total: float
    parts: float
    count: int
    item: str = ""  # the item key (rules.keys.item_key): what a publication after a cycle keeps it under

    @property
    def alasan(self) -> str:
        return (f"Nilai total kabupaten/kota {format_number(self.total)} tidak sama dengan jumlah {self.count} "
                f"kecamatan {format_number(self.parts)}; total dan rinciannya tidak diterbitkan sampai Walidata "
                "memperbaiki nilainya dan memverifikasi ulang")

    def as_dict(self) -> dict:
        return {"opd": self.opd, "kode_data": self.kode_data, "uraian_data": self.uraian_data, "tahun": self.tahun,
                "nilai_kabupaten": self.total, "jumlah_kecamatan": self.parts, "alasan": self.alasan}


def withhold(data: list[Datum], rules: RuleSet, wilayah: Wilayah) -> tuple[list[Datum], list[Withheld]]:
    """(the data to publish, what is withheld and why)."""
    summing: dict[tuple, bool] = {}
    groups: dict[Hashable, tuple[float | None, list[float | None]]] = {}
    first: dict[Hashable, Datum] = {}
    for d in data:
        if (d.kode_data, d.uraian_data) not in summing:
            summing[(d.kode_data, d.uraian_data)] = any(
                r.jumlah_kecamatan for r in rules.items_for(d.kode_data, d.uraian_data))
        if not summing[(d.kode_data, d.uraian_data)] or d.urutan[0] not in (0, 1):
            continue
        key = (d.opd, d.item, d.tahun)
        total, parts = groups.get(key, (None, []))
        if d.urutan[0] == 0:
            total = d.nilai
        else:
            parts = [*parts, d.nilai]
        groups[key] = (total, parts)
        first.setdefault(key, d)
    found = disagreements(groups, len(wilayah.kecamatan))
    held = {x.key for x in found}
    withheld = [Withheld(first[x.key].opd, first[x.key].kode_data, first[x.key].uraian_data, first[x.key].tahun,
                         x.total, x.parts, x.count, first[x.key].item) for x in found]
    return [d for d in data if (d.opd, d.item, d.tahun) not in held], withheld


def withheld_in_archive(config, store, wilayah: Wilayah | None = None, opds: set[str] | None = None,
                        rules: RuleSet | None = None) -> list[Withheld]:
    """What a publication of the archive now would withhold (for the dashboard's Perlu ditinjau);
    with ``opds``, only among those OPDs' data (each OPD's totals are its own)."""
    from rules.rulefile import load_rules
    from service.archive.queries import Queries
    from service.publish.source import latest_data

    from service.config.wilayah import load_wilayah
    wilayah = wilayah or load_wilayah(config)
    rules = rules or load_rules(config.rules_folder)
    reads = Queries(store.engine)
    if not any(r.jumlah_kecamatan for r in rules.items):
        return []  # no item's total must equal its kecamatan: nothing can be withheld, nothing to read
    if opds is not None:  # only OPDs holding an item whose total must equal its kecamatan are read
        opds = {o for o in opds if any(any(r.jumlah_kecamatan for r in rules.items_for(kode, uraian))
                                       for kode, uraian in reads.archived_items(o))}
    data = latest_data(reads, wilayah) if opds is None else [d for o in sorted(opds)
                                                              for d in latest_data(reads, wilayah, o)]
    return withhold(data, rules, wilayah)[1]
