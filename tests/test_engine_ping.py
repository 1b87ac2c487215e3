"""A pooled server connection is tested before use only after it rested (service.archive.engine.
ping_after_idle, DECISIONS.md #157): back-to-back reads of one dashboard page cost no test round
trip, and a connection the server dropped while it rested is replaced, as with pool_pre_ping."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from service.archive import engine as archive_engine
from tests.conftest import head_database

PID = {"postgresql": "select pg_backend_pid()", "mysql": "select connection_id()"}
KILL = {"postgresql": "select pg_terminate_backend({pid})", "mysql": "kill {pid}"}


def _pid(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text(PID[engine.dialect.name])).scalar()


@pytest.mark.parametrize("server", ["postgresql", "mariadb"])  # a SQLite file has no connection to drop
def test_a_connection_used_again_at_once_is_not_tested_and_one_dropped_while_resting_is_replaced(server, monkeypatch):
    with head_database(server) as url:
        _replaced_when_dropped(url, monkeypatch)


def _replaced_when_dropped(archive_url: str, monkeypatch) -> None:
    engine = archive_engine.make_engine(archive_url)
    pings: list[int] = []
    real = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda conn: (pings.append(1), real(conn))[1])
    try:
        first = _pid(engine)
        pings.clear()
        assert [_pid(engine) for _ in range(5)] == [first] * 5 and pings == []  # no round trip to test it
        killer = create_engine(archive_url, isolation_level="AUTOCOMMIT")
        with killer.connect() as conn:
            conn.execute(text(KILL[engine.dialect.name].format(pid=int(first))))
        killer.dispose()
        monkeypatch.setattr(archive_engine, "PING_AFTER_IDLE", 0.0)  # it has rested long enough now
        again = _pid(engine)
        assert again != first and pings  # tested, found dropped, replaced: the read still answered
    finally:
        engine.dispose()
