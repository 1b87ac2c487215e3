"""GoogleBackend on the fake Sheets API, with people who edit the sheet through the API as
themselves (so protected ranges apply): the same "acting as a person" calls as tests/fakes.py,
so the shared scenarios of tests/test_sop_flow.py run unchanged on Google."""
from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from service.config import Config, Opd
from sheets.base import TabSnapshot, TabWrites, WriteResult
from sheets.google import GoogleBackend
from sheets.google_retry import RetryPolicy
from sheets.layout import BY_KEY, match_headers, normalise_header
from tests.conftest import World
from tests.fake_sheets_api import FakeSheetsApi
from tests.fake_sheets_grid import a1_cell

SPREADSHEET = "1SatuDataMagetanUji"
WALIDATA = "walidata@example.go.id"
OPERATORS = {"DINKES": ("operator.dinkes@example.go.id",), "DIKPORA": ("operator.dikpora@example.go.id",)}


def google_config(tmp_path: Path, opds=(("DINKES", "Dinas Kesehatan"), ("DIKPORA", "Dinas Pendidikan"))) -> Config:
    return Config(path=tmp_path / "satudata.toml", name="Uji", year=2025, backend="google",
                  folder=tmp_path / "sheets", spreadsheet_id=SPREADSHEET, credentials=None,
                  archive_url=f"sqlite:///{tmp_path / 'arsip.sqlite'}", interval_seconds=60,
                  walidata=(WALIDATA,), opds=tuple(Opd(k, n, OPERATORS.get(k, ())) for k, n in opds),
                  rules_folder=None)


class ActingGoogleBackend(GoogleBackend):
    """GoogleBackend plus the person-facing calls of tests.fakes.FakeBackend."""

    def __init__(self, api: FakeSheetsApi, config: Config, **kwargs: Any) -> None:
        kwargs.setdefault("retry", RetryPolicy(sleep=api.clock.sleep))
        super().__init__(api.client(), {o.kode: o.spreadsheet_id or config.spreadsheet_id for o in config.opds},
                         walidata=config.walidata, operators={o.kode: o.operators for o in config.opds},
                         service_account=api.service_account, **kwargs)
        self.api = api
        self.writes: list[TabWrites] = []
        self._people: dict[str, Any] = {}

    def write(self, batches: list[TabWrites], snapshots: dict[str, TabSnapshot]) -> dict[str, WriteResult]:
        out = super().write(batches, snapshots)
        self.writes += [b for b in batches if b and b.opd in out and out[b.opd].reason is None]
        return out

    # --- acting as a person -----------------------------------------------------------------
    def person(self, email: str):
        if email not in self._people:
            self._people[email] = self.api.client(email)
        return self._people[email]

    def editor_of(self, opd: str, header: str) -> str:
        key = match_headers([header]).columns
        owner = BY_KEY[next(iter(key))].owner if key else "operator"
        return self.walidata[0] if owner == "walidata" else self.operators[opd][0]

    def sheet(self, opd: str):
        return self.api.sheet(self.spreadsheets[opd], opd)

    def _col(self, opd: str, header: str) -> int:
        sheet, wanted = self.sheet(opd), normalise_header(header)
        for col in range(sheet.cols):
            if normalise_header(sheet.get(0, col)) == wanted:
                return col
        raise KeyError(header)

    def type_into(self, user: str, opd: str, row: int, col: int, value: Any, raw: bool = False) -> None:
        """``user`` types ``value`` into a cell (1-based row) as in the Sheets UI (USER_ENTERED)."""
        rng = f"'{opd}'!{a1_cell(row - 1, col)}"
        self.person(user).http_client.values_update(
            self.spreadsheets[opd], rng, params={"valueInputOption": "RAW" if raw else "USER_ENTERED"},
            body={"values": [["" if value is None else value]]})

    def add_row(self, opd: str, **values: Any) -> int:
        row = self.sheet(opd).last_row() + 2  # 1-based, after the last row with a value
        for name, value in values.items():
            header = name.replace("_", " ")
            self.type_into(self.editor_of(opd, header), opd, row, self._col(opd, header), value)
        return row

    def row_of(self, opd: str, row_id: str) -> int:
        sheet, col = self.sheet(opd), self._col(opd, "ID")
        for row in range(1, sheet.last_row() + 1):
            if sheet.get(row, col) == row_id:
                return row + 1
        raise KeyError(row_id)

    def set(self, opd: str, row: int | str, header: str, value: Any) -> None:
        row = self.row_of(opd, row) if isinstance(row, str) else row
        self.type_into(self.editor_of(opd, header), opd, row, self._col(opd, header), value)

    def get(self, opd: str, row: int | str, header: str) -> Any:
        row = self.row_of(opd, row) if isinstance(row, str) else row
        return self.sheet(opd).get(row - 1, self._col(opd, header))

    def note(self, opd: str, row: int | str, header: str) -> str | None:
        row = self.row_of(opd, row) if isinstance(row, str) else row
        return self.sheet(opd).note(row - 1, self._col(opd, header))

    def ids(self, opd: str) -> list[Any]:
        sheet, col = self.sheet(opd), self._col(opd, "ID")
        return [sheet.get(r, col) for r in range(1, sheet.last_row() + 1)]


class GoogleWorld(World):
    """The shared world with GoogleBackend on the fake API; a minute passes on the API's clock per poll."""

    def __init__(self, tmp_path: Path, **backend: Any) -> None:
        self.api = FakeSheetsApi()
        people = {WALIDATA, *(e for emails in OPERATORS.values() for e in emails)}
        self.api.create_spreadsheet(SPREADSHEET, editors={self.api.service_account, *people})
        self.google = google_config(tmp_path)
        super().__init__(tmp_path, backend=ActingGoogleBackend(self.api, self.google, **backend))
        self.config = dataclasses.replace(self.google, archive_url=self.config.archive_url)

    def poll(self, minutes: float = 1):
        self.api.clock.advance(60 * minutes)
        return super().poll()
