"""The one place publication reads the archive: the latest verified version of every datum.

A datum is (OPD, item key, rincian key, tahun) as DECISIONS.md #4 defines it. Today's archive is keyed
by sheet row, so this adapter groups every archived version by datum itself and keeps the
newest; Standar Data and the Kemendagri code come from the record when it carries them, else
from the remembered row, else stay empty. When the archive itself is keyed by datum only this
module needs a look.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator

from rules import fields as f
from rules.keys import item_key, rincian_key
from rules.wilayah import Wilayah
from service.archive.queries import Queries


@dataclass(frozen=True)
class Datum:
    """One published value with what is needed to place it in a table and describe it."""
    opd: str
    item: str  # item key: "kode:…" or "uraian:…"
    rincian_key: str
    row_id: str
    kode_data: str
    uraian_data: str
    rincian: str  # as shown: the kabupaten/kota's name, a kecamatan's name, or the category as typed
    kode_wilayah: str
    urutan: tuple  # sort key of the rincian: kabupaten, kecamatan in BPS order, desa, the rest
    satuan: str
    tahun: int
    nilai: float | None
    versi: int
    diverifikasi_pada: str
    diarsip_pada: str
    keterangan: str
    standar: tuple[tuple[str, str], ...]  # (konsep, …), (definisi, …) … in fields.STANDAR_DATA order
    status_nilai: str = ""  # rules.numbers.NIHIL / TIDAK_TERSEDIA: declared missing, Keterangan says why

    def standar_data(self) -> dict[str, str]:
        return dict(self.standar)

    @property
    def simbol(self) -> str:
        """The BPS symbol a table shows for a value declared missing ('-', '…'); '' for a number."""
        from rules.numbers import SYMBOL
        return SYMBOL.get(self.status_nilai, "")


Rows = dict[tuple[str, str], set[str]]  # (OPD, item key) -> the sheet rows holding a version of it


def latest_data(reads: Queries, wilayah: Wilayah, opd: str | None = None, rows: Rows | None = None) -> list[Datum]:
    """The newest archived version of every datum, ordered by OPD, item, rincian and tahun;
    ``rows``, when given, is filled with the rows that hold each item's versions."""
    remembered = {(r["opd"], r["row_id"]): r["data"] for r in reads.tab_rows(opd)}
    records = reads.archive_rows(all_versions=True, opd=opd)
    return _latest(records if rows is None else _noting(records, rows), lambda newest: remembered, wilayah)


def _noting(records: Iterable[dict], rows: Rows) -> Iterator[dict]:
    for r in records:
        rows.setdefault((r["opd"], item_key(r["kode_data"], r["uraian_data"])), set()).add(r["id"])
        yield r


def latest_data_of_items(reads: Queries, wilayah: Wilayah, items: set[tuple[str, str]], known: Rows | None = None,
                         rows: Rows | None = None) -> list[Datum]:
    """latest_data of the items ``items`` (OPD, item key) alone: their versions and the remembered
    rows their newest versions name, nothing else of the archive (a publication after a cycle).
    An item in ``known`` (every row holding a version of it) is read by those rows; any other by
    scanning its OPD's archive. ``rows`` is filled as latest_data fills it."""
    known = known or {}
    records = []
    for opd in sorted({o for o, _ in items}):
        keys = {k for o, k in items if o == opd}
        by_row = {k for k in keys if (opd, k) in known}
        found = [] if not by_row else reads.archive_rows_of_rows(opd, set().union(*(known[(opd, k)] for k in by_row)))
        records += [r for r in found if item_key(r["kode_data"], r["uraian_data"]) in by_row]
        if keys - by_row:
            records += [r for r in reads.archive_rows_of_items(opd, keys - by_row)
                        if item_key(r["kode_data"], r["uraian_data"]) in keys - by_row]
    if rows is not None:
        records = list(_noting(records, rows))

    def remembered(newest: list[dict]) -> dict:
        out: dict = {}
        for opd in {r["opd"] for r in newest}:
            out.update(reads.row_data(opd, [r["id"] for r in newest if r["opd"] == opd]))
        return out
    return _latest(records, remembered, wilayah)


def _latest(records: Iterable[dict], remembered, wilayah: Wilayah) -> list[Datum]:
    """The newest version of each datum among ``records``; ``remembered(newest records)`` gives
    (OPD, row ID) -> the remembered row's data, where Standar Data missing from a record is taken."""
    groups: dict[tuple, list[dict]] = {}
    for record in records:
        if record.get("tahun") is None:
            continue
        key = (record["opd"], item_key(record["kode_data"], record["uraian_data"]),
               rincian_key(record["rincian"], wilayah), int(record["tahun"]))
        groups.setdefault(key, []).append(record)
    newest = {}
    for key, versions in groups.items():
        versions.sort(key=lambda r: (r["diarsip_pada"], r["versi"]))
        newest[key] = versions[-1]
    rows = remembered(list(newest.values()))
    out = []
    for key, record in newest.items():
        data = rows.get((record["opd"], record["id"]), {})
        out.append(_datum(key, record, len(groups[key]), data, wilayah))
    out.sort(key=lambda d: (d.opd, d.item, d.urutan, d.tahun))
    return out


def _datum(key: tuple, record: dict, versi: int, data: dict, wilayah: Wilayah) -> Datum:
    opd, item, rkey, tahun = key
    label, kode, urutan = place_of(record["rincian"], rkey, wilayah)
    standar = tuple((name, _text(record.get(name) if record.get(name) not in (None, "") else data.get(name)))
                    for name in f.STANDAR_DATA)
    return Datum(opd=opd, item=item, rincian_key=rkey, row_id=record["id"], kode_data=_text(record["kode_data"]),
                 uraian_data=_text(record["uraian_data"]), rincian=label,
                 kode_wilayah=_text(record.get("kode_wilayah")) or kode, urutan=urutan,
                 satuan=_text(record["satuan"]), tahun=tahun, nilai=record["nilai"], versi=versi,
                 diverifikasi_pada=_seconds(record["diverifikasi_pada"]),
                 diarsip_pada=_seconds(record["diarsip_pada"]), keterangan=_text(record.get("keterangan")),
                 standar=standar, status_nilai=record.get("status_nilai") or "")


def place_of(rincian: str, rkey: str, wilayah: Wilayah) -> tuple[str, str, tuple]:
    """(label, Kemendagri code, sort key) of a Rincian: the kabupaten total first, then the
    kecamatan in BPS order, then desa by code, then any other breakdown by its text."""
    if rkey == "kabupaten" or not _text(rincian):
        return wilayah.nama, wilayah.kode, (0, 0, "")
    place = next((p for p in wilayah.kecamatan + wilayah.desa if p.kode == rkey), None)
    if place is None:
        return _text(rincian), "", (3, 0, rkey)
    if place.kind == "kecamatan":
        return place.nama, place.kode, (1, _bps_order(place.kode_bps), place.kode)
    return place.label, place.kode, (2, 0, place.kode)


def _bps_order(kode_bps: str | None) -> int:
    """BPS numbers the kecamatan 010, 020, …: the order of its publications."""
    return int(kode_bps) if kode_bps and kode_bps.isdigit() else 10**9


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _seconds(iso: str) -> str:
    """ISO 8601 to the second in WIB with its offset, as `satudata export` writes it."""
    from service.timefmt import to_wib
    from datetime import datetime
    return to_wib(datetime.fromisoformat(iso)).isoformat(timespec="seconds")


def by_item(data: Iterable[Datum]) -> dict[tuple[str, str], list[Datum]]:
    """Data grouped per (OPD, item key), in the order latest_data gives."""
    out: dict[tuple[str, str], list[Datum]] = {}
    for datum in data:
        out.setdefault((datum.opd, datum.item), []).append(datum)
    return out
