"""Excel sheet protection as evidence (DECISIONS.md #10): a Walidata tick that appeared while the sheet
was protected by the Walidata's password cannot have come from an operator; one that appeared
while it was unprotected is accepted, and its events say "tanpa proteksi"."""
from __future__ import annotations

from sheets.base import TabSnapshot
from sheets.layout import BY_KEY

UNPROTECTED = "tanpa proteksi"


def unprotected_walidata_ticks(snapshot: TabSnapshot, boxes: dict[str, bool], before: dict[str, bool]) -> list[str]:
    """Headers of Walidata boxes newly ticked on a sheet read without the poller's protection."""
    if snapshot.protected is not False:
        return []
    return [BY_KEY[k].header for k, ticked in boxes.items()
            if ticked and not before.get(k) and BY_KEY[k].owner == "walidata"]


def mark(reason: str, headers: list[str]) -> str:
    return f"{reason} ({UNPROTECTED}: {', '.join(headers)} dicentang saat lembar tidak diproteksi)"
