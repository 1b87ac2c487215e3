"""Google's per-minute quotas, planned instead of discovered by 429s.

Sheets allows 60 read and 60 write requests per minute per user per project, and 300 of each per
project (developers.google.com/sheets/api/limits); the poller's service account is one user, so the
lower of the two binds. Drive counted 12,000 queries per minute per user for projects that used it
before May 2026 (newer projects count quota units, far above what a poller sends). A busy
spreadsheet costs one Sheets read and one or two writes, so with one spreadsheet per OPD, 57 OPDs
changing within a minute would otherwise meet 429s and backoff every cycle.

``Budget`` keeps a sliding window of the requests sent in the last 60 seconds (a window that is
never above the limit is never above it for a per-minute bucket either, wherever the bucket's
minute starts). Before a changed spreadsheet is read, the poller asks for room for the most it may
cost (``COST``); without room the spreadsheet waits for the next cycle ("ditunda karena kuota"), the
one that waited longest first. A 429 that still comes (another program on the same project, a
quota lowered in the Cloud Console) lowers the limit to four fifths of what was in the window, or to
the limit the 429 states if lower (never below one spreadsheet's cost), and
``Retry-After`` closes the budget until then; a full minute without a 429 raises it again by a tenth
of the configured quota, up to the limit the 429 stated for an hour, then up to the quota.

The window, the limits and the waiting order persist in the workspace (``Ledger``), so separate
``poll --once`` processes share them.
"""
from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

WINDOW = 60.0  # seconds: Google's quotas are per minute
KINDS = ("read", "write", "drive")
# the most one changed spreadsheet may cost: spreadsheets.get and the identity values.batchGet;
# cells, comments and protected ranges; changes/files.get, revisions.list, files.get before writing
COST = {"read": 2, "write": 3, "drive": 4}
LOWER = 0.8  # after a 429: four fifths of what the window held
CEILING_MINUTES = 60  # a limit a 429 stated holds this long after the last 429
STATE_NAME = "status-google.json"


@dataclass(frozen=True)
class Quota:
    """Requests per minute, as Google documents them (``[google] kuota_*`` in satudata.toml)."""

    read: int = 60  # Sheets: read requests per minute per user per project
    write: int = 60  # Sheets: write requests per minute per user per project
    read_project: int = 300  # Sheets: read requests per minute per project
    write_project: int = 300  # Sheets: write requests per minute per project
    drive: int = 12_000  # Drive: queries per minute per user

    def limit(self, kind: str) -> int:
        return {"read": min(self.read, self.read_project), "write": min(self.write, self.write_project),
                "drive": self.drive}[kind]


class Ledger:
    """A small JSON file in the workspace holding what the Google backend must remember between
    processes: the request window, lowered limits, waiting order, comment backoff, revision
    positions and the self-test's results. Unreadable or absent: start empty (never fatal)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.data: dict[str, Any] = {}
        if path is not None and path.is_file():
            try:
                loaded = json.loads(path.read_text(encoding="utf-8"))
                self.data = loaded if isinstance(loaded, dict) else {}
            except (OSError, ValueError) as exc:
                log.warning("%s tidak terbaca (%s); dimulai kosong", path, exc)

    def section(self, name: str) -> dict[str, Any]:
        value = self.data.get(name)
        if not isinstance(value, dict):
            value = self.data[name] = {}
        return value

    def save(self) -> None:
        """Atomically (a crash leaves the old file or the new one, never half of one)."""
        if self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".status-google-", dir=self.path.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(self.data, out, ensure_ascii=False, indent=1, sort_keys=True)
            os.replace(tmp, self.path)
        except OSError as exc:  # a read-only workspace costs only the memory between processes
            log.warning("%s tidak dapat ditulis: %s", self.path, exc)


class Budget:
    def __init__(self, quota: Quota | None = None, clock: Callable[[], float] = time.time,
                 ledger: Ledger | None = None) -> None:
        self.quota = quota or Quota()
        self.clock = clock
        self.ledger = ledger or Ledger(None)
        state = self.ledger.section("kuota")
        now = clock()
        self.sent = {k: deque(sorted(t for t in state.get("terkirim", {}).get(k, []) if isinstance(t, int | float)
                                     and now - WINDOW < t <= now)) for k in KINDS}
        self.limits = {k: self._bounded(k, state.get("batas", {}).get(k)) for k in KINDS}
        # the limit a 429 stated: recovery stops there until an hour passes without a 429
        self.ceiling = {k: self._bounded(k, state.get("plafon", {}).get(k)) for k in KINDS}
        self.closed_until = float(state.get("tutup_sampai", 0.0) or 0.0)
        self.last_limited = float(state.get("terakhir_429", 0.0) or 0.0)  # the last 429 that lowered a limit
        self.raised_at = float(state.get("dinaikkan", self.last_limited) or 0.0)  # the last recovery step
        self.waiting: dict[str, float] = {str(k): float(v) for k, v in state.get("menunggu", {}).items()}
        self.limited_count = 0  # 429s seen by this process

    def _bounded(self, kind: str, value: Any) -> int:
        full = self.quota.limit(kind)
        return max(1, min(full, int(value))) if isinstance(value, int | float) else full

    # --- the window -------------------------------------------------------------------------

    def note(self, kind: str) -> None:
        """A request of ``kind`` is being sent now."""
        self.sent[kind].append(self.clock())

    def used(self, kind: str) -> int:
        now = self.clock()
        window = self.sent[kind]
        while window and window[0] <= now - WINDOW:
            window.popleft()
        return len(window)

    def limit(self, kind: str) -> int:
        self._recover()
        return self.limits[kind]

    def room(self, cost: dict[str, int] = COST) -> bool:
        """Room for ``cost`` more requests within the window, and not closed by a Retry-After."""
        if self.clock() < self.closed_until:
            return False
        return all(self.used(k) + n <= self.limit(k) for k, n in cost.items())

    def limited(self, kind: str, retry_after: float | None, stated: int | None = None) -> None:
        """Google answered a rate limit to a ``kind`` request: lower the limit (to the limit Google's
        429 body states, ``quota_limit_value``, and below what the window held), honour Retry-After.
        Drive's 403 rate limits are burst checks as often as quotas: they lower it only when the
        window held at least half the limit."""
        now = self.clock()
        self.limited_count += 1
        used = self.used(kind)
        if kind != "drive" or used * 2 >= self.limits[kind]:
            self.last_limited = self.raised_at = now
            lowered = min(self.limits[kind], int(used * LOWER), stated or self.limits[kind])
            self.limits[kind] = max(COST[kind], lowered)
            if stated:
                self.ceiling[kind] = max(COST[kind], min(self.ceiling[kind], stated))
        if retry_after:
            self.closed_until = max(self.closed_until, now + retry_after)
        log.warning("Google menjawab 429 untuk permintaan %s; batas diturunkan ke %s per menit", kind,
                    self.limits[kind])

    def _recover(self) -> None:
        """Each full minute without a 429 raises each lowered limit by a tenth of its quota."""
        now = self.clock()
        if now - self.last_limited >= CEILING_MINUTES * WINDOW:
            self.ceiling = {k: self.quota.limit(k) for k in KINDS}
        minutes = int((now - self.raised_at) // WINDOW)
        if minutes < 1 or all(self.limits[k] >= self.ceiling[k] for k in KINDS):
            return
        for kind in KINDS:
            full = self.quota.limit(kind)
            self.limits[kind] = min(self.ceiling[kind], self.limits[kind] + minutes * max(1, full // 10))
        self.raised_at += minutes * WINDOW

    # --- who waits ------------------------------------------------------------------------------

    def waits(self, sid: str) -> float:
        """Since when a changed spreadsheet waits to be served (noted the first time it is asked)."""
        return self.waiting.setdefault(sid, self.clock())

    def served(self, sid: str) -> None:
        self.waiting.pop(sid, None)

    def save(self) -> None:
        state = self.ledger.section("kuota")
        for kind in KINDS:
            self.used(kind)
        state.update({"terkirim": {k: list(v) for k, v in self.sent.items()},
                      "batas": {k: v for k, v in self.limits.items() if v < self.quota.limit(k)},
                      "plafon": {k: v for k, v in self.ceiling.items() if v < self.quota.limit(k)},
                      "tutup_sampai": self.closed_until, "terakhir_429": self.last_limited,
                      "dinaikkan": self.raised_at,
                      "menunggu": dict(self.waiting)})
        self.ledger.save()
