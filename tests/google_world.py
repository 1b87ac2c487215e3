"""GoogleBackend on the fake Sheets API, with people who edit the sheet through the API as
themselves (so protected ranges apply): the same "acting as a person" calls as tests/fakes.py,
so the shared scenarios of tests/test_sop_flow.py run unchanged on Google."""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

from service.config import Config, Opd
from sheets.base import TabSnapshot, TabWrites, WriteResult
from sheets.google import GoogleBackend
from sheets.google.budget import STATE_NAME, Ledger
from sheets.google.retry import RetryPolicy
from sheets.layout import BY_KEY, match_headers, normalise_header
from tests.conftest import World
from tests.fake_sheets_api import FakeSheetsApi
from tests.fake_sheets_grid import a1_cell

SPREADSHEET = "1SatuDataMagetanUji"
WALIDATA = "walidata@example.go.id"
BETWEEN_SECONDS = 10.0  # how long after a cycle's read ``between_read_and_write`` acts
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
        kwargs.setdefault("clock", lambda: api.clock.now)
        super().__init__(api.client(), {o.kode: o.spreadsheet_id or config.spreadsheet_id for o in config.opds},
                         walidata=config.walidata, operators={o.kode: o.operators for o in config.opds},
                         service_account=api.service_account, **kwargs)
        self.api = api
        self.writes: list[TabWrites] = []
        self._people: dict[str, Any] = {}
        # run once, at the next write, BETWEEN_SECONDS after the read: an edit that lands sooner is as
        # unseen as one between the identity re-read and the write (sheets/google/backend.py FRESH_SECONDS)
        self.between_read_and_write: Callable[[], None] | None = None

    def write(self, batches: list[TabWrites], snapshots: dict[str, TabSnapshot]) -> dict[str, WriteResult]:
        between, self.between_read_and_write = self.between_read_and_write, None
        if between is not None:  # a person acts after the cycle read the sheet, before it writes
            self.api.clock.advance(BETWEEN_SECONDS)
            between()
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

    # --- whole rows, as people do them in the Sheets UI (each one spreadsheets.batchUpdate as ``user``,
    # so protected ranges apply: tests/fake_sheets_rows.py) ------------------------------------------
    @property
    def owner(self) -> str:
        """The person who owns the file: protection never stops them."""
        return self.api.owner

    def rows_request(self, user: str, opd: str, request: dict[str, Any]) -> None:
        self.person(user).http_client.batch_update(self.spreadsheets[opd], {"requests": [request]})

    def _rows(self, opd: str, row: int, n: int) -> dict[str, Any]:
        return {"sheetId": self.sheet(opd).sheet_id, "dimension": "ROWS", "startIndex": row - 1,
                "endIndex": row - 1 + n}

    def insert_rows(self, user: str, opd: str, row: int, n: int = 1) -> None:
        """Insert ``n`` empty rows above the 1-based ``row``."""
        self.rows_request(user, opd, {"insertDimension": {"range": self._rows(opd, row, n),
                                                          "inheritFromBefore": row > 2}})

    def delete_rows(self, user: str, opd: str, row: int, n: int = 1) -> None:
        self.rows_request(user, opd, {"deleteDimension": {"range": self._rows(opd, row, n)}})

    def delete_row(self, opd: str, row: int, user: str | None = None) -> None:
        """tests.fakes.FakeBackend's call; by default the file owner deletes, since the poller's
        protected columns stop an operator (and the Walidata) deleting a whole row."""
        self.delete_rows(user or self.owner, opd, row)

    def insert_column(self, user: str, opd: str, before: str, header: str) -> None:
        """Insert a column left of ``before`` and type its header (an operator's own column)."""
        col = self._col(opd, before)
        self.rows_request(user, opd, {"insertDimension": {"range": {
            "sheetId": self.sheet(opd).sheet_id, "dimension": "COLUMNS", "startIndex": col, "endIndex": col + 1},
            "inheritFromBefore": col > 0}})
        self.type_into(user, opd, 1, col, header)

    def delete_column(self, user: str, opd: str, header: str) -> None:
        col = self._col(opd, header)
        self.rows_request(user, opd, {"deleteDimension": {"range": {
            "sheetId": self.sheet(opd).sheet_id, "dimension": "COLUMNS", "startIndex": col, "endIndex": col + 1}}})

    def move_rows(self, user: str, opd: str, row: int, n: int, before: int) -> None:
        """Drag rows ``row``..``row+n-1`` to just above the 1-based row ``before``."""
        self.rows_request(user, opd, {"moveDimension": {"source": self._rows(opd, row, n),
                                                        "destinationIndex": before - 1}})

    def copy_row(self, user: str, opd: str, row: int, to: int, headers: tuple[str, ...] | None = None) -> None:
        """Insert an empty row above ``to`` and paste ``row`` into it (only ``headers``' columns when
        given, each a contiguous block), as Ctrl+C, Insert row, Ctrl+V."""
        self.insert_rows(user, opd, to)
        source = row + 1 if row >= to else row
        sheet_id, width = self.sheet(opd).sheet_id, self.sheet(opd).cols
        blocks = [(0, width)] if headers is None else _blocks(sorted(self._col(opd, h) for h in headers))
        for c0, c1 in blocks:
            self.rows_request(user, opd, {"copyPaste": {
                "source": {"sheetId": sheet_id, "startRowIndex": source - 1, "endRowIndex": source,
                           "startColumnIndex": c0, "endColumnIndex": c1},
                "destination": {"sheetId": sheet_id, "startRowIndex": to - 1, "endRowIndex": to,
                                "startColumnIndex": c0, "endColumnIndex": c1},
                "pasteType": "PASTE_NORMAL"}})

    def sort_by(self, user: str, opd: str, header: str, descending: bool = False,
                headers: tuple[str, ...] | None = None) -> None:
        """Data > Sort range on the rows below the header: every column, or the contiguous block
        from the first to the last of ``headers``."""
        sheet = self.sheet(opd)
        cols = sorted(self._col(opd, h) for h in headers) if headers else [0, sheet.cols - 1]
        self.rows_request(user, opd, {"sortRange": {
            "range": {"sheetId": sheet.sheet_id, "startRowIndex": 1, "endRowIndex": sheet.last_row() + 1,
                      "startColumnIndex": cols[0], "endColumnIndex": cols[-1] + 1},
            "sortSpecs": [{"dimensionIndex": self._col(opd, header),
                           "sortOrder": "DESCENDING" if descending else "ASCENDING"}]}})


def _blocks(cols: list[int]) -> list[tuple[int, int]]:
    """[start, end) runs of consecutive column indexes."""
    out: list[tuple[int, int]] = []
    for col in cols:
        if out and out[-1][1] == col:
            out[-1] = (out[-1][0], col + 1)
        else:
            out.append((col, col + 1))
    return out


class GoogleWorld(World):
    """The shared world with GoogleBackend on the fake API; a minute passes on the API's clock per poll."""

    def __init__(self, tmp_path: Path, **backend: Any) -> None:
        self.api = FakeSheetsApi()
        people = {WALIDATA, *(e for emails in OPERATORS.values() for e in emails)}
        self.api.create_spreadsheet(SPREADSHEET, editors={self.api.service_account, *people})
        self.google = google_config(tmp_path)
        backend.setdefault("ledger", Ledger(tmp_path / STATE_NAME))  # the workspace's status-google.json
        super().__init__(tmp_path, backend=ActingGoogleBackend(self.api, self.google, **backend))
        self.config = dataclasses.replace(self.google, archive_url=self.config.archive_url)

    def poll(self, minutes: float = 1):
        self.api.clock.advance(60 * minutes)
        return super().poll()
