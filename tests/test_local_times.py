"""Times a user reads or a program receives are in the workspace's zone with its offset, never
bare UTC: a broken audit record's moment, the other poller's lease, /api/ringkasan and status --json."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from click.testing import CliRunner
from sqlalchemy import select

from service.archive import chain, schema
from service.cli.commands import main
from service.web.app import create_app
from tests.conftest import WIB
from tests.publish_world import write_toml
from tests.test_chain import _retell, _verified


def test_a_broken_audit_record_names_its_moment_in_wib(world):
    _verified(world)
    e = schema.events
    with world.store.engine.begin() as conn:
        target = conn.execute(select(e.c.id, e.c.at).order_by(e.c.id).limit(1).offset(3)).one()
        _retell(conn, target.id, "Orang Lain")
    message = chain.verify(world.store.engine).breaks[0].message
    local = target.at.replace(tzinfo=timezone.utc).astimezone(WIB)
    assert f"{local:%Y-%m-%d %H:%M:%S} WIB" in message and "UTC" not in message


def test_another_pollers_lease_is_told_as_a_process_on_a_computer_until_a_wib_time(world):
    now = datetime(2026, 12, 7, 20, 30, 10, tzinfo=WIB)
    assert world.store.lease.acquire("vm:4019:10abff", now, 120) is None
    other = world.store.lease.acquire("lain:77:abcdef", now + timedelta(seconds=5), 120)
    assert other == "proses 4019 di komputer vm (sampai 7 Desember 2026 20.32 WIB)"


def test_ringkasan_and_status_json_give_moments_with_the_zones_offset(world):
    world.poll()
    now = datetime(2025, 3, 4, 2, 0, tzinfo=timezone.utc)
    data = create_app(world.config, world.store, clock=lambda: now).test_client().get("/api/ringkasan").get_json()
    assert data["sekarang"] == "2025-03-04T09:00:00+07:00"
    assert data["siklus_terakhir"]["mulai"].endswith("+07:00")
    out = CliRunner().invoke(main, ["-c", str(write_toml(world)), "status", "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["siklus_terakhir"]["mulai"].endswith("+07:00")
