"""The dumb loop around run_cycle: a schedule.Scheduler instance, stopped by SIGTERM/SIGINT."""
from __future__ import annotations

import logging
import signal
import threading
from typing import Callable

import schedule

from service.poller.errors import PollerError

log = logging.getLogger(__name__)


def run_forever(poll: Callable[[], object], interval_seconds: int, stop: threading.Event | None = None) -> None:
    stop = stop or threading.Event()
    scheduler = schedule.Scheduler()

    def job() -> None:
        try:
            poll()
        except PollerError as exc:  # busy or unavailable: said once, then the next turn
            (log.error if exc.permanent else log.warning)("%s", exc)
        except Exception:  # a failed cycle is logged; the loop goes on
            log.exception("siklus gagal")

    scheduler.every(interval_seconds).seconds.do(job)
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
    job()
    while not stop.is_set():
        scheduler.run_pending()
        stop.wait(min(1.0, max(0.05, scheduler.idle_seconds or 1.0)))
