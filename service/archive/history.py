"""What the archive already holds of an OPD, as the reconcile needs it before a tab's plan:
the earlier years of each data item (for the checks) and each datum's latest version. Both are
read for the data items a cycle decides (``items``), so an edit reads the history of what was
edited, not the OPD's whole archive (DECISIONS.md #148)."""
from __future__ import annotations

from collections.abc import Collection, Iterator

from sqlalchemy import Engine, Select, select

from rules.keys import History, history_of
from rules.wilayah import Wilayah
from service.archive import schema as t

CHUNK = 500  # item keys per IN (...): well under every engine's limit on bound parameters


class ArchiveHistory:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def values(self, opd: str, wilayah: Wilayah, items: Collection[str] | None = None) -> History:
        """Every archived (tahun, nilai) of the OPD per data item and rincian, oldest first; only
        of the data items (rules.keys.item_key) in ``items`` when given."""
        a = t.archive
        query = (select(a.c.kode_data, a.c.uraian_data, a.c.rincian, a.c.tahun, a.c.nilai)
                 .where(a.c.opd == opd).order_by(a.c.id))
        with self.engine.connect() as conn:
            return history_of((r for q in _for_items(query, items) for r in conn.execute(q)), wilayah)

    def latest(self, opd: str, items: Collection[str] | None = None) -> dict[str, tuple[int, str]]:
        """Each datum of the OPD -> (its latest version, that version's content hash): the
        latest is the version without a newer one of its datum (the unique index answers it);
        only the data of the items in ``items`` when given."""
        a, newer = t.archive, t.archive.alias("newer")
        query = (select(a.c.datum, a.c.version, a.c.content_hash).where(a.c.opd == opd)
                 .where(~select(newer.c.id).where(newer.c.opd == a.c.opd, newer.c.datum == a.c.datum,
                                                  newer.c.version > a.c.version).exists()))
        with self.engine.connect() as conn:
            return {r.datum: (r.version, r.content_hash) for q in _for_items(query, items) for r in conn.execute(q)}


def _for_items(query: Select, items: Collection[str] | None) -> Iterator[Select]:
    """The query itself, or one per chunk of ``items`` (all the versions of an item fall in one
    chunk, so each item's versions keep their order)."""
    if items is None:
        yield query
        return
    keys = sorted(items)
    for start in range(0, len(keys), CHUNK):
        yield query.where(t.archive.c.item_key.in_(keys[start:start + CHUNK]))
