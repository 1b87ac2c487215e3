"""The clocks of the service standard, persisted: each OPD's phase changes and its handout.

What the phase is (the least advanced state with live rows) is decided in
``rules.deadlines.phase_order``; here it is only read from the rows and written down.
Each workspace year has its own clock: the open year's handout lives in ``tabs`` and its phase
changes carry no year; ``close_year`` (``satudata rollover``) stamps them with the closed year,
keeps that year's handout in ``year_clocks`` and leaves the open year's clock empty (DECISIONS.md #40).
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

    def close_year(self, opd: str, year: int, at: datetime) -> None:
        """The workspace year ``year`` ends for the OPD: its handout and phase changes become that
        year's record and the open year's clock starts empty. Running it again changes nothing."""
        tabs, clocks, p = t.tabs, t.year_clocks, t.phases
        with self.engine.begin() as conn:
            if conn.execute(select(clocks.c.opd).where(clocks.c.opd == opd, clocks.c.tahun == year)).first():
                return
            handed = conn.execute(select(tabs.c.handed_out_at).where(tabs.c.opd == opd)).scalar()
            conn.execute(insert(clocks).values(opd=opd, tahun=year, handed_out_at=handed, closed_at=to_db(at)))
            conn.execute(update(p).where(p.c.opd == opd, p.c.tahun.is_(None)).values(tahun=year))
            conn.execute(update(tabs).where(tabs.c.opd == opd).values(handed_out_at=None))

    def closed(self, year: int) -> dict[str, tuple[datetime | None, datetime]]:
        """Each OPD's clock of the closed year ``year``: (handed out, closed)."""
        c = t.year_clocks
        with self.engine.connect() as conn:
            return {r.opd: (from_db(r.handed_out_at) if r.handed_out_at else None, from_db(r.closed_at))
                    for r in conn.execute(select(c.c.opd, c.c.handed_out_at, c.c.closed_at).where(c.c.tahun == year))}

    def closed_years(self) -> list[int]:
        """The workspace years closed by a rollover, newest first."""
        c = t.year_clocks
        with self.engine.connect() as conn:
            return sorted(conn.execute(select(c.c.tahun).distinct()).scalars().all(), reverse=True)

    def log(self, opd: str | None = None, year: int | None = None) -> dict[str, list[tuple[datetime, int | None]]]:
        """Each OPD's phase changes in the open year (or the closed ``year``), oldest first:
        (moment, least advanced order or None)."""
        p = t.phases
        query = select(p.c.opd, p.c.at, p.c.phase_order).order_by(p.c.opd, p.c.id)
        query = query.where(p.c.tahun.is_(None) if year is None else p.c.tahun == year)
        if opd:
            query = query.where(p.c.opd == opd)
        out: dict[str, list] = {}
        with self.engine.connect() as conn:
            for r in conn.execute(query):
                out.setdefault(r.opd, []).append((from_db(r.at), r.phase_order))
        return out
