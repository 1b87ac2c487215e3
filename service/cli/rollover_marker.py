"""The marker an interrupted `satudata rollover` leaves: while it exists no poll may run, since a
poll of a half-rolled workspace would misread the fresh tabs."""
from __future__ import annotations

import json
from pathlib import Path

from service.config import Config

MARKER = ".satudata-rollover.json"


def marker_path(config: Config) -> Path:
    return config.root / MARKER


def interrupted(config: Config) -> str | None:
    """Why the poller must not run: a rollover was interrupted (a poll now would misread the tabs)."""
    marker = marker_path(config)
    if not marker.exists():
        return None
    year = json.loads(marker.read_text(encoding="utf-8")).get("ke")
    return f"Rollover ke {year} terputus; selesaikan dulu dengan: satudata rollover {year}"
