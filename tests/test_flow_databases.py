"""The shared end-to-end SOP scenarios, unchanged, on PostgreSQL and MariaDB archives
(SQLite runs them in test_sop_flow.py)."""
from __future__ import annotations

import pytest

from tests import test_sop_flow as flow
from tests.conftest import World, head_database


@pytest.fixture(params=["postgresql", "mariadb"])
def world(request, tmp_path):
    with head_database(request.param) as url:
        w = World(tmp_path, url=url)
        yield w
        w.store.engine.dispose()


for _name in dir(flow):
    if _name.startswith("test_"):
        globals()[_name] = getattr(flow, _name)
