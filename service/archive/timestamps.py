"""Moments as the archive stores them: naive UTC, portable across SQLite, PostgreSQL and MariaDB."""
from __future__ import annotations

from datetime import datetime, timezone


def to_db(moment: datetime | None) -> datetime | None:
    """An aware moment as the naive UTC the columns hold (naive input is taken as UTC already)."""
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def from_db(moment: datetime | None) -> datetime | None:
    """A stored naive UTC moment, aware again."""
    return None if moment is None else moment.replace(tzinfo=timezone.utc)
