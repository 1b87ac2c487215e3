"""Which archive version a verified row becomes: versions count per datum (DECISIONS.md #4)."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection, Iterable
from datetime import datetime

from rules import fields as f
from rules import metadata
from rules.datum import Datum, datum_of, kode_wilayah
from rules.numbers import declared_missing, parse_year
from rules.wilayah import Wilayah
from service.reconcile.plan import ArchiveRecord, MetadataRecord, Plan


Latest = dict[str, tuple[int, str]]  # datum key -> (latest version, its content hash)


class ArchivedVersions:
    """The latest version of each datum, read per data item when first asked for: ``load`` reads
    the latest versions of the data of some items (the store's archive). ``prefetch`` reads the
    items a cycle is about to decide in one go; any other item is read when one of its data is."""

    def __init__(self, load: Callable[[Collection[str]], Latest]) -> None:
        self.load = load
        self.items: set[str] = set()
        self.versions: Latest = {}

    def prefetch(self, items: Collection[str]) -> None:
        wanted = set(items) - self.items
        if wanted:
            self.versions.update(self.load(wanted))
            self.items |= wanted

    def of(self, datum: Datum) -> tuple[int, str] | None:
        self.prefetch((datum.item,))
        return self.versions.get(datum.key)


def archive_row(plan: Plan, rid: str, data: dict[str, str], nilai: float | None, digest: str,
                archived: Latest | ArchivedVersions, wilayah: Wilayah, now: datetime) -> tuple[int, bool]:
    """(version, added): the datum's latest version when it already holds this content (the archive
    is idempotent by datum and content hash), else a new version appended to the plan.
    ``archived``: the latest versions as the store holds them (a dict of every datum, or read per item)."""
    datum = datum_of(data, wilayah)
    known = archived.of(datum) if isinstance(archived, ArchivedVersions) else archived.get(datum.key)
    latest = next(((r.version, r.content_hash) for r in reversed(plan.archive) if r.datum == datum.key), known)
    if latest is not None and latest[1] == digest:
        return latest[0], False
    version = (latest[0] if latest else 0) + 1
    plan.archive.append(ArchiveRecord(plan.opd, rid, version, data, nilai, parse_year(data.get(f.TAHUN))[0],
                                      digest, now, now, datum=datum.key, item_key=datum.item,
                                      rincian_key=datum.rincian,
                                      kode_wilayah=kode_wilayah(data.get(f.RINCIAN), wilayah),
                                      status_nilai=declared_missing(data.get(f.NILAI, "")),
                                      kode_wilayah_versi=wilayah.versi))
    return version, True


def archive_metadata(plan: Plan, grid: list[list[object]] | None,
                     verified: Iterable[tuple[str, str]] = ()) -> None:
    """The Metadata blocks of the items this cycle archives go with them, and so do those of items
    archived before (``verified``: Kode Data, Uraian Data), so a block edited after its item was
    verified is archived at the cycle it changed, as its own version stream (DECISIONS.md #75); the
    store keeps a new version of a block only when its content changed."""
    if grid is None:
        return
    items = list(dict.fromkeys([*((r.data.get(f.KODE, ""), r.data.get(f.URAIAN, "")) for r in plan.archive),
                                *verified]))
    if not items:
        return
    sheet = metadata.parse_sheet(grid)
    for block in metadata.blocks_for(sheet, items):
        values = {k: v for k, v in block.values.items() if v}
        payload = json.dumps([block.jenis, block.kunci, sorted(values.items())], ensure_ascii=False)
        plan.metadata.append(MetadataRecord(plan.opd, block.jenis, block.kunci,
                                            metadata.block_key(block.jenis, block.kunci), values,
                                            hashlib.sha256(payload.encode("utf-8")).hexdigest()))
