"""Two pollers on one archive never process at the same time (a lease row in the database)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from service.archive.queries import Queries
from service.archive.store import Store, make_engine

CONFIG = """
[workspace]
name = "Uji"
year = 2025
[sheets]
backend = "xlsx"
[archive]
url = "sqlite:///arsip.sqlite"
[poller]
interval_seconds = 5
[[opd]]
kode = "DINKES"
nama = "Dinas Kesehatan"
"""


def test_lease_is_exclusive_until_released_or_expired(tmp_path):
    store = Store(make_engine(f"sqlite:///{tmp_path / 'a.sqlite'}"))
    now = datetime(2025, 5, 5, 3, tzinfo=timezone.utc)
    assert store.lease.acquire("A", now, 60) is None
    assert store.lease.acquire("A", now + timedelta(seconds=30), 60) is None  # renewal
    assert "A" in store.lease.acquire("B", now + timedelta(seconds=31), 60)
    assert store.lease.acquire("B", now + timedelta(seconds=91), 60) is None  # A's lease ran out
    store.lease.release("B")
    assert store.lease.acquire("A", now + timedelta(seconds=92), 60) is None
    store.engine.dispose()


def _satudata(cfg: Path, *args: str, **kwargs):
    return [sys.executable, "-c", "from service.cli.commands import main; main()", "-c", str(cfg), *args]


def test_second_poller_process_is_refused_while_the_first_runs(tmp_path):
    cfg = tmp_path / "satudata.toml"
    cfg.write_text(CONFIG, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    first = subprocess.Popen(_satudata(cfg, "poll"), cwd=tmp_path, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while not (tmp_path / "sheets" / "DINKES.xlsx").exists():
            assert time.monotonic() < deadline, "first poller never ran a cycle"
            assert first.poll() is None, first.communicate()
            time.sleep(0.2)
        second = subprocess.run(_satudata(cfg, "poll", "--once"), cwd=tmp_path, env=env,
                                capture_output=True, text=True, timeout=60)
        assert second.returncode != 0
        assert "Poller lain sedang berjalan" in second.stderr
    finally:
        first.send_signal(signal.SIGTERM)
        first.communicate(timeout=30)
    assert first.returncode == 0
    third = subprocess.run(_satudata(cfg, "poll", "--once"), cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=60)
    assert third.returncode == 0, third.stderr


def test_poller_whose_lease_was_taken_commits_and_writes_nothing(tmp_path):
    from datetime import timedelta

    from service.poller.cycle import run_cycle
    from tests.conftest import World
    world = World(tmp_path)
    world.poll()
    world.backend.add_row("DINKES", Uraian_Data="Jumlah Puskesmas", Satuan="Unit")
    now = world.now + timedelta(hours=1)
    assert world.store.lease.acquire("A", now - timedelta(minutes=10), 60) is None
    assert world.store.lease.acquire("B", now, 600) is None  # A's lease ran out mid-cycle: B took it
    writes = len(world.backend.writes)
    report = run_cycle(world.config, world.backend, world.store, world.rules, world.wilayah, now,
                       lease=("A", 120))
    assert any("mengambil alih" in e for e in report.errors)
    assert world.store.load_tab("DINKES").rows == {}
    assert len(world.backend.writes) == writes
    world.store.engine.dispose()


def test_lease_of_a_killed_poller_on_this_machine_is_taken_over(tmp_path):
    import socket

    from service.poller.service import Service
    from service.config import load_config
    cfg = tmp_path / "satudata.toml"
    cfg.write_text(CONFIG, encoding="utf-8")
    service = Service.open(load_config(cfg))
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    now = datetime.now(timezone.utc)
    assert service.store.lease.acquire(f"{socket.gethostname()}:{dead.pid}:abc", now, 600) is None
    service.store.cycle_log.start(now)  # the killed poller's cycle, never finished
    report = service.poll()
    assert not report.backend_failed
    assert all(c["status"] != "berjalan" for c in Queries(service.store.engine).cycles())
    service.release()
    service.store.engine.dispose()
