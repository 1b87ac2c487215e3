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
from service.archive.masking import mask_secrets
from service.poller.cycle import CycleReport, run_cycle
from service.archive.store import Store, make_engine
from sheets.base import Backend


def open_backend(config: Config) -> Backend:
    if config.backend == "xlsx":
        from sheets.xlsx import XlsxBackend
        return XlsxBackend(config.folder)
    from sheets.base import BackendError
    from sheets.google import GoogleBackend
    try:
        return GoogleBackend.from_config(config)
    except BackendError as exc:  # credentials missing or unreadable: tell the Walidata what to do
        raise ConfigError(f"{exc}. Jalankan 'satudata doctor' untuk petunjuk.") from None


def open_store(config: Config) -> Store:
    try:
        return Store(make_engine(config.archive_url))
    except Exception as exc:
        raise ConfigError(mask_secrets(f"Basis data arsip ({config.archive_url}) tidak dapat dibuka: {exc}")) from None


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

    def poll(self) -> CycleReport:
        """One cycle, only while this process holds the archive's poller lease."""
        now = self.clock()
        other = self.store.acquire_lease(self.holder, now, self.lease_seconds)
        if other and _dead_here(self.store.lease_holder()):
            if self.store.take_lease(self.store.lease_holder(), self.holder, now, self.lease_seconds):
                other = None  # its poller was killed on this machine: no need to wait for the lease to run out
        if other:
            raise PollerBusy(f"Poller lain sedang berjalan untuk arsip ini: {other}. "
                             "Hentikan poller itu atau tunggu sampai masa sewanya habis.")
        self.store.close_abandoned_cycles(now)
        report = run_cycle(self.config, self.backend, self.store, self.rules, self.wilayah, now, self.clock,
                           lease=(self.holder, self.lease_seconds))
        from service.publish.build import publish_after_cycle  # [publikasi] otomatis
        publish_after_cycle(self.config, self.store, sum(t.archived for t in report.tabs), self.rules, self.wilayah)
        return report

    def release(self) -> None:
        self.store.release_lease(self.holder)


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
