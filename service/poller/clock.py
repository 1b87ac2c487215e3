"""The wall clock, read only where the service starts: everything below takes ``now`` or a clock."""
from __future__ import annotations

from datetime import datetime, timezone


def utcnow() -> datetime:
    return datetime.now(timezone.utc)
