"""What `satudata rollover` asks of the archive: the closed year's archived items, and retiring a
tab's row memory into its year record (the archive itself is never changed)."""
from __future__ import annotations

from typing import Iterable

from sqlalchemy import func, select, update

from rules import fields as f
from service.archive import schema as t
from service.archive.store import Store
from service.reconcile.plan import RowMemory

_ITEM = (f.KODE, f.URAIAN, f.RINCIAN, f.SATUAN)


def latest_archived(store: Store, opd: str, row_ids: Iterable[str]) -> dict[str, dict[str, str]]:
    """Row ID -> its latest archived version's item fields (and Standar Data where the archive
    holds it: an archive without those columns answers without them). Latest is the last one
    archived (highest id): versions count per datum, so a row whose Rincian changed has a v1 of
    its new datum after a v2 of its old one."""
    a = t.archive
    wanted = [k for k in (*_ITEM, *f.STANDAR_DATA) if k in a.c]
    ids = list(row_ids)
    out: dict[str, dict[str, str]] = {}
    latest = (select(func.max(a.c.id).label("id")).where(a.c.opd == opd).group_by(a.c.row_id).subquery())
    query = select(a.c.row_id, *(a.c[k] for k in wanted)).join(latest, a.c.id == latest.c.id)
    with store.engine.connect() as conn:
        for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
            for r in conn.execute(query.where(a.c.row_id.in_(chunk))):
                out[r.row_id] = {k: "" if r._mapping[k] is None else str(r._mapping[k]) for k in wanted}
    return out


def live_rows(store: Store, opd: str) -> list[RowMemory]:
    """The rows the poller remembers as present in the OPD's tab, in sheet order."""
    rows = [r for r in store.load_tab(opd).rows.values() if not r.removed]
    return sorted(rows, key=lambda r: (r.position, r.row_id))


def retire_rows(store: Store, opd: str, record: str) -> int:
    """Move the OPD's live row memory to its year record ``record`` (e.g. "DINKES 2025"), so the
    fresh tab's poll neither holds it as a mass removal nor gives an old ID to a new row; the
    OPD's next_seq stays, so no new row reuses an archived row's ID. Nothing is deleted."""
    r = t.rows
    with store.engine.begin() as conn:
        moved = conn.execute(update(r).where(r.c.opd == opd, r.c.removed.is_(False)).values(opd=record)).rowcount
        conn.execute(update(t.tabs).where(t.tabs.c.opd == opd).values(
            token=None, write_pending=False, confirm_removal=False, status="ok", message="", header_note=None,
            phase_order=None, phase_started_at=None))
    return moved
