"""The poller's service: everything one poller needs, built once from a workspace, and each cycle
run only while this process holds the archive's poller lease."""
from __future__ import annotations

import logging
import os
import socket
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

from rules.rulefile import RuleSet, load_rules
from rules.wilayah import Wilayah
from service.archive import dberrors
from service.archive.store import Store
from service.config import Config, ConfigError
from service.config.wilayah import load_wilayah
from service.poller.clock import utcnow
from service.poller.cycle import CycleReport, fewer_collections, run_cycle
from service.poller.errors import ArchiveUnavailable, PollerBusy
from service.poller.opening import open_backend, open_store
from service.poller.publication import publish_if_archived
from sheets.base import Backend

log = logging.getLogger(__name__)


@dataclass
class Service:
    """Everything one poller needs, built once from a workspace."""

    config: Config
    backend: Backend
    store: Store
    rules: RuleSet
    wilayah: Wilayah
    clock: Callable[[], datetime] = utcnow

    @classmethod
    def open(cls, config: Config, clock: Callable[[], datetime] = utcnow) -> "Service":
        from rules.rulefile import RuleError
        from service.timefmt import use_zone
        use_zone(config.zona_waktu)
        try:
            rules = load_rules(config.rules_folder)
        except RuleError as exc:
            raise ConfigError(str(exc)) from None
        return cls(config, open_backend(config), open_store(config), rules, load_wilayah(config), clock)

    holder: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}")

    @property
    def lease_seconds(self) -> int:
        return max(120, 3 * self.config.interval_seconds)

    def poll(self, progress: Callable[[int, int, str], None] | None = None) -> CycleReport:
        """One cycle, only while this process holds the archive's poller lease. A dropped database
        connection is one Indonesian line (the traceback only with -v) and the cycle is run once
        more at once; the connection pool opens a fresh connection."""
        for attempt in (1, 2):
            try:
                report = self._cycle(progress)
            except Exception as exc:
                why = dberrors.describe(exc)
                if why is None:
                    raise
                log.info("arsip gagal dipakai", exc_info=True)
                if attempt == 1 and dberrors.lost(exc):
                    log.warning("Koneksi ke arsip terputus; siklus diulang")
                    continue
                raise ArchiveUnavailable(f"Arsip tidak dapat dipakai: {why}") from None
            if attempt == 1 and report.archive_lost:
                log.warning("Koneksi ke arsip terputus di tengah siklus %s; siklus diulang", report.cycle_id)
                continue
            break
        publish_if_archived(self.config, self.store, report, self.rules, self.wilayah)
        return report

    def _cycle(self, progress: Callable[[int, int, str], None] | None) -> CycleReport:
        now = self.clock()
        other = self.claim_lease(now)
        if other:
            raise PollerBusy(f"Poller lain sedang berjalan untuk arsip ini: {other}. "
                             "Hentikan poller itu atau tunggu sampai masa sewanya habis.")
        self.store.cycle_log.close_abandoned(now)
        with fewer_collections():
            return run_cycle(self.config, self.backend, self.store, self.rules, self.wilayah, now, self.clock,
                             lease=(self.holder, self.lease_seconds), progress=progress)

    def claim_lease(self, now: datetime) -> str | None:
        """The other holder of the poller lease, or None when this process holds it now (also for
        rollover and adopt: a holder killed on this machine is taken over, not waited for)."""
        other = self.store.lease.acquire(self.holder, now, self.lease_seconds)
        if other and _dead_here(self.store.lease.holder()):
            if self.store.lease.take(self.store.lease.holder(), self.holder, now, self.lease_seconds):
                other = None  # its poller was killed on this machine: no need to wait for the lease to run out
        return other

    def release(self) -> None:
        try:
            self.store.lease.release(self.holder)
        except Exception as exc:  # the lease runs out by itself; a full disk must not hide the real message
            if dberrors.describe(exc) is None:
                raise


def _dead_here(holder: str | None) -> bool:
    """A holder "host:pid:tag" on this machine whose process no longer exists."""
    parts = (holder or "").rsplit(":", 2)
    if len(parts) != 3 or parts[0] != socket.gethostname() or not parts[1].isdigit():
        return False
    try:
        os.kill(int(parts[1]), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False

