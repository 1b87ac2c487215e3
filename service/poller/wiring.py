"""Wiring: build the backend, store and rules a workspace asks for. Nothing binds at import."""
from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

from rules.rulefile import RuleSet, load_rules
from rules.wilayah import Wilayah
from service.config import Config, ConfigError
from service.archive import dberrors
from service.archive.masking import mask_secrets
from service.poller.cycle import CycleReport, fewer_collections, run_cycle
from service.archive.engine import SchemaOutdated, make_engine
from service.archive.store import Store
from sheets.base import Backend


def open_backend(config: Config) -> Backend:
    if config.backend == "xlsx":
        from service.walidata_password import walidata_password
        from sheets.xlsx import XlsxBackend
        return XlsxBackend(config.folder, walidata_password(config))
    from sheets.base import BackendError
    from sheets.google import GoogleBackend
    try:
        return GoogleBackend.from_config(config)
    except BackendError as exc:  # credentials missing or unreadable: tell the Walidata what to do
        raise ConfigError(f"{exc}. Jalankan 'satudata doctor' untuk petunjuk.") from None


def open_store(config: Config, upgrade: bool | None = None) -> Store:
    """The workspace's archive; ``upgrade`` as make_engine (None: SQLite migrates itself)."""
    try:
        return Store(make_engine(config.archive_url, upgrade=upgrade, schema=config.archive_schema))
    except SchemaOutdated as exc:
        raise ConfigError(mask_secrets(f"Basis data arsip ({config.archive_url}): {exc}")) from None
    except Exception as exc:
        why = dberrors.describe(exc) or str(exc)
        raise ConfigError(mask_secrets(f"Basis data arsip ({config.archive_url}) tidak dapat dibuka: {why}",
                                       config.archive_url)) from None


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


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
        try:
            rules = load_rules(config.rules_folder)
        except RuleError as exc:
            raise ConfigError(str(exc)) from None
        return cls(config, open_backend(config), open_store(config), rules, Wilayah.load(), clock)

    holder: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}")

    @property
    def lease_seconds(self) -> int:
        return max(120, 3 * self.config.interval_seconds)

    def poll(self, progress: Callable[[int, int, str], None] | None = None) -> CycleReport:
        """One cycle, only while this process holds the archive's poller lease."""
        now = self.clock()
        try:
            other = self.claim_lease(now)
        except Exception as exc:
            why = dberrors.describe(exc)
            if why is None:
                raise
            raise ArchiveUnavailable(f"Arsip tidak dapat dipakai: {why}") from None
        if other:
            raise PollerBusy(f"Poller lain sedang berjalan untuk arsip ini: {other}. "
                             "Hentikan poller itu atau tunggu sampai masa sewanya habis.")
        self.store.cycle_log.close_abandoned(now)
        with fewer_collections():
            report = run_cycle(self.config, self.backend, self.store, self.rules, self.wilayah, now, self.clock,
                               lease=(self.holder, self.lease_seconds), progress=progress)
        if not report.backend_failed:  # [publikasi] otomatis: after the cycle committed and wrote the sheets
            from service.publish.build import publish_after_cycle
            if failure := publish_after_cycle(self.config, self.store, self.rules, self.wilayah):
                report.errors.append(failure)
        return report

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


class PollerBusy(Exception):
    """Another poller holds the lease on this archive."""


class ArchiveUnavailable(PollerBusy):
    """The archive cannot be written (disk full, read-only, locked): no cycle this turn."""
