"""The shared world: a fake backend, a real SQLite archive, rules, and a clock passed in."""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from rules.rulefile import load_rules
from rules.wilayah import Wilayah
from service.config import Config, Opd
from service.cycle import run_cycle
from service.store import Store, make_engine
from tests.fakes import FakeBackend

WIB = ZoneInfo("Asia/Jakarta")


def make_config(tmp_path: Path, opds=(("DINKES", "Dinas Kesehatan"), ("DIKPORA", "Dinas Pendidikan")),
                url: str | None = None) -> Config:
    return Config(path=tmp_path / "satudata.toml", name="Uji", year=2025, backend="xlsx",
                  folder=tmp_path / "sheets", spreadsheet_id=None, credentials=None,
                  archive_url=url or f"sqlite:///{tmp_path / 'arsip.sqlite'}", interval_seconds=60,
                  walidata=("walidata@example.go.id",), opds=tuple(Opd(k, n) for k, n in opds),
                  rules_folder=None)


class World:
    """The fake sheet, the archive and a clock that moves an hour per poll."""

    def __init__(self, tmp_path: Path, backend=None, url: str | None = None) -> None:
        self.config = make_config(tmp_path, url=url)
        self.backend = backend if backend is not None else FakeBackend()
        self.store = Store(make_engine(self.config.archive_url))
        self.rules = load_rules()
        self.wilayah = WILAYAH
        self.now = datetime(2025, 3, 3, 9, 0, tzinfo=WIB)

    def poll(self):
        self.now += timedelta(hours=1)
        return run_cycle(self.config, self.backend, self.store, self.rules, self.wilayah, self.now)

    def row(self, opd: str, row_id: str):
        return self.store.load_tab(opd).rows[row_id]


WILAYAH = Wilayah.load()


@pytest.fixture
def world(tmp_path: Path) -> World:
    return World(tmp_path)
