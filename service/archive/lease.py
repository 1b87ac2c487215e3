"""The poller lease: one poller per archive, renewed by every tab it commits."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from service.archive import schema as t
from service.archive.timestamps import from_db, to_db
from service.timefmt import format_tanggal

POLLER = "poller"


def holder_words(holder: str) -> str:
    """A holder "host:pid:tag" as a Walidata reads it: "proses 4019 di komputer vm"."""
    host, _, rest = holder.partition(":")
    pid = rest.split(":", 1)[0]
    return f"proses {pid} di komputer {host}" if host and pid.isdigit() else holder


class LeaseLost(Exception):
    """This poller's lease ran out and another poller took the archive."""


def renew(conn: Connection, holder: str, until: datetime, name: str = POLLER) -> None:
    """Inside a write's transaction: extend ``holder``'s lease to ``until``, or raise LeaseLost
    (and so roll the write back) when another poller holds it now."""
    renewed = conn.execute(update(t.leases).where(t.leases.c.name == name, t.leases.c.holder == holder)
                           .values(expires_at=to_db(until)))
    if renewed.rowcount != 1:
        raise LeaseLost("Poller lain telah mengambil alih arsip ini; siklus dihentikan tanpa perubahan")


class Lease:
    """A named lease in the archive: who holds it and until when."""

    def __init__(self, engine: Engine, name: str = POLLER) -> None:
        self.engine = engine
        self.name = name

    def acquire(self, holder: str, now: datetime, seconds: int) -> str | None:
        """Take or renew the lease. None when ``holder`` has it; else who holds it and until when."""
        leases = t.leases
        until = to_db(now) + timedelta(seconds=seconds)
        claim = (update(leases).where(leases.c.name == self.name)
                 .where(or_(leases.c.holder == holder, leases.c.expires_at <= to_db(now)))
                 .values(holder=holder, expires_at=until))
        with self.engine.begin() as conn:
            if conn.execute(claim).rowcount == 1:
                return None
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(leases).values(name=self.name, holder=holder, acquired_at=to_db(now),
                                                   expires_at=until))
                return None
        except IntegrityError:  # another poller inserted it first: report that one
            pass
        with self.engine.connect() as conn:
            row = conn.execute(select(leases).where(leases.c.name == self.name)).first()
        if row is None or row.holder == holder:
            return None
        expires = from_db(row.expires_at)
        assert expires is not None  # the column is NOT NULL
        return f"{holder_words(row.holder)} (sampai {format_tanggal(expires, with_time=True)})"

    def take(self, old: str, holder: str, now: datetime, seconds: int) -> bool:
        """Take the lease from a holder known to be dead (same machine, process gone)."""
        with self.engine.begin() as conn:
            done = conn.execute(update(t.leases).where(t.leases.c.name == self.name, t.leases.c.holder == old)
                                .values(holder=holder, acquired_at=to_db(now),
                                        expires_at=to_db(now) + timedelta(seconds=seconds)))
            return done.rowcount == 1

    def holder(self) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(select(t.leases.c.holder).where(t.leases.c.name == self.name)).scalar()

    def release(self, holder: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(t.leases).where(t.leases.c.name == self.name, t.leases.c.holder == holder))
