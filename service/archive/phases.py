"""The clocks of the service standard, persisted: each OPD's phase changes and its handout.

What the phase is (the least advanced state with live rows) is decided in
``rules.deadlines.phase_order``; here it is only read from the rows and written down.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, Engine, insert, or_, select, update

from rules.deadlines import phase_order
from rules.sop import load_sop
from service.archive import schema as t
from service.archive.timestamps import from_db, to_db


def track(conn: Connection, opd: str, now: datetime) -> None:
    """Inside a tab's write: remember when the OPD's phase changed (its deadline counts from
    there), and start its service clock at the first row seen unless a handout did."""
    states = conn.execute(select(t.rows.c.state).distinct()
                          .where(t.rows.c.opd == opd, t.rows.c.removed.is_(False))).scalars().all()
    order = phase_order(states, load_sop())
    current = conn.execute(select(t.tabs.c.phase_order).where(t.tabs.c.opd == opd)).scalar()
    if order != current:
        conn.execute(update(t.tabs).where(t.tabs.c.opd == opd)
                     .values(phase_order=order, phase_started_at=to_db(now) if order is not None else None))
        conn.execute(insert(t.phases).values(opd=opd, at=to_db(now), phase_order=order))
    if order is not None:
        conn.execute(update(t.tabs).where(t.tabs.c.opd == opd, t.tabs.c.handed_out_at.is_(None))
                     .values(handed_out_at=to_db(now)))


class Phases:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def record_handout(self, opd: str, at: datetime) -> None:
        """The OPD's list was handed out (``satudata distribute``): its service clock starts at
        the earliest handout, or at its first row seen if that came first."""
        tabs = t.tabs
        with self.engine.begin() as conn:
            done = conn.execute(update(tabs).where(tabs.c.opd == opd)
                                .where(or_(tabs.c.handed_out_at.is_(None), tabs.c.handed_out_at > to_db(at)))
                                .values(handed_out_at=to_db(at)))
            if done.rowcount == 0 and conn.execute(select(tabs.c.opd).where(tabs.c.opd == opd)).first() is None:
                conn.execute(insert(tabs).values(opd=opd, next_seq=1, status="ok", message="", write_pending=False,
                                                 confirm_removal=False, handed_out_at=to_db(at)))

    def log(self, opd: str | None = None) -> dict[str, list[tuple[datetime, int | None]]]:
        """Each OPD's phase changes, oldest first: (moment, least advanced order or None)."""
        p = t.phases
        query = select(p.c.opd, p.c.at, p.c.phase_order).order_by(p.c.opd, p.c.id)
        if opd:
            query = query.where(p.c.opd == opd)
        out: dict[str, list] = {}
        with self.engine.connect() as conn:
            for r in conn.execute(query):
                out.setdefault(r.opd, []).append((from_db(r.at), r.phase_order))
        return out
