"""The poll cycles' log: one row per cycle, opened when it starts and closed with its counts."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, insert, select, update

from service.archive import schema as t
from service.archive.timestamps import to_db


class CycleLog:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def start(self, now: datetime, kode_wilayah_versi: str = "") -> int:
        """A running cycle's id; it records the Kemendagri code list its checks use."""
        with self.engine.begin() as conn:
            return conn.execute(insert(t.cycles).values(started_at=to_db(now), status="berjalan",
                                                        kode_wilayah_versi=kode_wilayah_versi)
                                ).inserted_primary_key[0]

    def finish(self, cycle_id: int, now: datetime, **values: Any) -> None:
        """Close the cycle with its status and counts (``errors``: a list of messages)."""
        if "errors" in values:
            values["errors"] = json.dumps(values["errors"], ensure_ascii=False)
        with self.engine.begin() as conn:
            conn.execute(update(t.cycles).where(t.cycles.c.id == cycle_id)
                         .values(finished_at=to_db(now), **values))

    def add_error(self, cycle_id: int, message: str) -> None:
        """A finished cycle's own late result (the automatic publication): one more error, and a
        cycle that had none is 'galat' now."""
        c = t.cycles
        with self.engine.begin() as conn:
            row = conn.execute(select(c.c.errors, c.c.status).where(c.c.id == cycle_id)).first()
            if row is None:
                return
            errors = [*json.loads(row.errors or "[]"), message]
            conn.execute(update(c).where(c.c.id == cycle_id).values(
                errors=json.dumps(errors, ensure_ascii=False), status="galat" if row.status == "selesai" else row.status))

    def close_abandoned(self, now: datetime) -> None:
        """Cycles a killed poller left running: the lease holder knows they are over."""
        with self.engine.begin() as conn:
            conn.execute(update(t.cycles).where(t.cycles.c.status == "berjalan")
                         .values(status="terputus", finished_at=to_db(now)))
