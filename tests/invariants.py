"""The promises to the Walidata, checked after every step of fault and random tests."""
from __future__ import annotations

from sqlalchemy import select

from rules.sop import load_sop
from service.archive import schema
from sheets.layout import BY_KEY, COLUMNS, match_headers

SYSTEM = {c.header for c in COLUMNS if c.owner == "system"}
BOXES = {c.header for c in COLUMNS if c.box}


def check_invariants(world, seen_ids: set[tuple[str, str]], converged: bool = True) -> None:
    store, backend = world.store, world.backend
    # 1. every row ever seen is in memory (present or recorded as removed)
    with store.engine.connect() as conn:
        remembered = {(r.opd, r.row_id) for r in conn.execute(select(schema.rows.c.opd, schema.rows.c.row_id))}
        # 2. no archive version duplicated: a datum's next version always differs from the one before
        a = schema.archive
        versions = conn.execute(select(a.c.opd, a.c.datum, a.c.version, a.c.content_hash)
                                .order_by(a.c.opd, a.c.datum, a.c.version)).all()
    assert seen_ids <= remembered, seen_ids - remembered
    for before, after in zip(versions, versions[1:]):
        if (before.opd, before.datum) == (after.opd, after.datum):
            assert after.version == before.version + 1 and after.content_hash != before.content_hash, after
    # 3. no operator- or Walidata-owned cell was written; boxes only ever cleared
    for batch in backend.writes:
        if batch.opd not in backend.tabs:
            continue  # the tab is gone; nothing of it can be judged
        header = backend.tabs[batch.opd].header
        for w in batch.cells:
            name = header[w.col] if w.col < len(header) else None
            key = match_headers([name]).columns if name else {}
            column = BY_KEY[next(iter(key))].header if key else None
            assert column in SYSTEM | BOXES, (batch.opd, w)
            if column in BOXES:
                assert w.value is False, w
    # 4. once converged, the sheet's system columns match the database
    if converged:
        sop = load_sop()
        for opd, tab in backend.tabs.items():
            if not match_headers(tab.header).ok:
                continue
            memory = store.load_tab(opd)
            if memory.status != "ok":
                continue
            for i, _ in enumerate(tab.rows):
                rid = backend.get(opd, i + 2, "ID")
                if rid and rid in memory.rows and not memory.rows[rid].removed:
                    assert backend.get(opd, i + 2, "Status") == sop.label(memory.rows[rid].state), (opd, rid)


def sheet_ids(backend) -> set[tuple[str, str]]:
    out = set()
    for opd in backend.tabs:
        try:
            out |= {(opd, i) for i in backend.ids(opd) if i}
        except KeyError:
            continue
    return out
