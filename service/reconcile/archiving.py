"""Which archive version a verified row becomes: versions count per datum (DECISIONS.md #4)."""
from __future__ import annotations

from datetime import datetime

from rules import fields as f
from rules.datum import datum_of, kode_wilayah
from rules.numbers import declared_missing, parse_year
from rules.wilayah import Wilayah
from service.reconcile.plan import ArchiveRecord, Plan


def archive_row(plan: Plan, rid: str, data: dict[str, str], nilai: float | None, digest: str,
                archived: dict[str, tuple[int, str]], wilayah: Wilayah, now: datetime) -> tuple[int, bool]:
    """(version, added): the datum's latest version when it already holds this content (the archive
    is idempotent by datum and content hash), else a new version appended to the plan.
    ``archived`` maps datum key -> (latest version, its content hash), as the store holds it."""
    datum = datum_of(data, wilayah)
    latest = next(((r.version, r.content_hash) for r in reversed(plan.archive) if r.datum == datum.key),
                  archived.get(datum.key))
    if latest is not None and latest[1] == digest:
        return latest[0], False
    version = (latest[0] if latest else 0) + 1
    plan.archive.append(ArchiveRecord(plan.opd, rid, version, data, nilai, parse_year(data.get(f.TAHUN))[0],
                                      digest, now, now, datum=datum.key, item_key=datum.item,
                                      rincian_key=datum.rincian,
                                      kode_wilayah=kode_wilayah(data.get(f.RINCIAN), wilayah),
                                      status_nilai=declared_missing(data.get(f.NILAI, ""))))
    return version, True
