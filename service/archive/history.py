"""What the archive already holds of an OPD, as the reconcile needs it before a tab's plan:
the earlier years of each data item (for the checks) and each datum's latest version."""
from __future__ import annotations

from sqlalchemy import Engine, select

from rules.keys import History, history_of
from rules.wilayah import Wilayah
from service.archive import schema as t


class ArchiveHistory:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def values(self, opd: str, wilayah: Wilayah) -> History:
        """Every archived (tahun, nilai) of the OPD per data item and rincian, oldest first."""
        a = t.archive
        query = (select(a.c.kode_data, a.c.uraian_data, a.c.rincian, a.c.tahun, a.c.nilai)
                 .where(a.c.opd == opd).order_by(a.c.id))
        with self.engine.connect() as conn:
            return history_of(conn.execute(query), wilayah)

    def latest(self, opd: str) -> dict[str, tuple[int, str]]:
        """Each datum of the OPD -> (its latest version, that version's content hash): the
        latest is the version without a newer one of its datum (the unique index answers it)."""
        a, newer = t.archive, t.archive.alias("newer")
        query = (select(a.c.datum, a.c.version, a.c.content_hash).where(a.c.opd == opd)
                 .where(~select(newer.c.id).where(newer.c.opd == a.c.opd, newer.c.datum == a.c.datum,
                                                  newer.c.version > a.c.version).exists()))
        with self.engine.connect() as conn:
            return {r.datum: (r.version, r.content_hash) for r in conn.execute(query)}
