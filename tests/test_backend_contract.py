"""One contract, three backends (DECISIONS.md #25): the shared fake, Excel workbooks and Google
Sheets on the strict fake API run the same suite, the way dbt's adapters share one test suite.

Each backend comes with a small harness for what only a person does (type into a cell, leave a
note, open the workbook, insert a row); everything the poller does goes through sheets.base.Backend.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rules import fields as f
from sheets.base import OWNED_NOTE_PREFIX, Backend, CellWrite, CommentWrite, NoteWrite, TabSnapshot, TabWrites
from sheets.layout import BY_KEY, HEADERS, match_headers

OPD = "DINKES"
IDS = ("DINKES-0001", "DINKES-0002", "DINKES-0003")


class Harness:
    """A backend plus the person's side of the sheet."""

    backend: Backend
    locks = True  # the backend has a "someone has the file open" state
    comments = False  # the backend reads and writes comment threads
    protects: bool | None = None  # what a read says of protection on a tab the backend made

    def type_into(self, row: int, key: str, value: Any) -> None:
        raise NotImplementedError

    def insert_row_above(self, row: int) -> None:
        raise NotImplementedError

    def note(self, row: int, key: str) -> str | None:
        raise NotImplementedError

    def person_note(self, row: int, key: str, text: str) -> None:
        raise NotImplementedError

    def lock(self) -> None:
        raise NotImplementedError


class FakeHarness(Harness):
    def __init__(self, tmp_path: Path) -> None:
        from tests.fakes import FakeBackend
        self.backend = self.fake = FakeBackend()

    def type_into(self, row: int, key: str, value: Any) -> None:
        self.fake.set(OPD, row, _header(key), value)

    def insert_row_above(self, row: int) -> None:
        tab = self.fake.tabs[OPD]
        tab.rows.insert(row - 2, [None] * len(tab.header))
        tab.notes = {(r + (r >= row - 1), c): v for (r, c), v in tab.notes.items()}
        tab.version += 1

    def note(self, row: int, key: str) -> str | None:
        return self.fake.note(OPD, row, _header(key))

    def person_note(self, row: int, key: str, text: str) -> None:
        tab = self.fake.tabs[OPD]
        tab.notes[(row - 1, self.fake._col(OPD, _header(key)))] = text
        tab.version += 1

    def lock(self) -> None:
        self.fake.locked.add(OPD)


class ExcelHarness(Harness):
    protects = True

    def __init__(self, tmp_path: Path) -> None:
        from sheets.xlsx import XlsxBackend
        self.folder = tmp_path / "sheets"
        self.backend = XlsxBackend(self.folder, "rahasia-walidata")

    @property
    def path(self) -> Path:
        return self.folder / f"{OPD}.xlsx"

    def _edit(self, change) -> None:
        from sheets.tables import edit_tab
        edit_tab(self.path, change)

    def type_into(self, row: int, key: str, value: Any) -> None:
        self._edit(lambda sheet, cols: setattr(sheet.cell(row, cols[key] + 1), "value", value))

    def insert_row_above(self, row: int) -> None:
        self._edit(lambda sheet, cols: sheet.insert_rows(row))

    def note(self, row: int, key: str) -> str | None:
        import openpyxl
        sheet = openpyxl.load_workbook(self.path).worksheets[0]
        comment = sheet.cell(row, _column(sheet, key) + 1).comment
        return None if comment is None else comment.text

    def person_note(self, row: int, key: str, text: str) -> None:
        from openpyxl.comments import Comment
        self._edit(lambda sheet, cols: setattr(sheet.cell(row, cols[key] + 1), "comment", Comment(text, "Sari")))

    def lock(self) -> None:
        (self.folder / f".~lock.{OPD}.xlsx#").write_text(",sari,host,07.12.2026 08:00,file:///;", encoding="utf-8")


class GoogleHarness(Harness):
    locks = False  # Google has no lock file; the version check guards every write
    comments = True
    protects = True

    def __init__(self, tmp_path: Path) -> None:
        from tests.fake_sheets_api import FakeSheetsApi
        from tests.google_world import OPERATORS, SPREADSHEET, WALIDATA, ActingGoogleBackend, google_config
        self.api = FakeSheetsApi()
        self.api.create_spreadsheet(SPREADSHEET, editors={self.api.service_account, WALIDATA, *OPERATORS[OPD]})
        self.backend = self.google = ActingGoogleBackend(self.api, google_config(tmp_path))

    def type_into(self, row: int, key: str, value: Any) -> None:
        self.api.clock.advance(60)
        self.google.type_into(self.google.owner, OPD, row, self.google._col(OPD, _header(key)), value)

    def insert_row_above(self, row: int) -> None:
        self.api.clock.advance(60)
        self.google.insert_rows(self.google.owner, OPD, row)

    def note(self, row: int, key: str) -> str | None:
        return self.google.note(OPD, row, _header(key))

    def person_note(self, row: int, key: str, text: str) -> None:
        self.google.sheet(OPD).cell(row - 1, self.google._col(OPD, _header(key))).note = text


HARNESSES = {"fake": FakeHarness, "excel": ExcelHarness, "google": GoogleHarness}


@pytest.fixture(params=list(HARNESSES))
def harness(request, tmp_path: Path) -> Harness:
    made = HARNESSES[request.param](tmp_path)
    assert made.backend.ensure_tabs([(OPD, "Dinas Kesehatan")]) == [OPD]
    return made


def _header(key: str) -> str:
    return BY_KEY[key].header


def _column(sheet: Any, key: str) -> int:
    return match_headers([c.value for c in sheet[1]]).columns[key]


def read(harness: Harness) -> TabSnapshot:
    [result] = harness.backend.read([OPD], {})
    assert result.error is None and result.snapshot is not None, result.error
    return result.snapshot


def cell(snapshot: TabSnapshot, row: int, key: str) -> Any:
    """The value at 1-based sheet ``row`` of column ``key``."""
    return snapshot.cell(row - 2, match_headers(snapshot.header).columns[key])


def with_rows(harness: Harness) -> TabSnapshot:
    """Three rows appended as distribute would: IDs, Uraian, Satuan, Tahun."""
    snapshot = read(harness)
    cols = match_headers(snapshot.header).columns
    rows = []
    for i, row_id in enumerate(IDS):
        values: list[Any] = [None] * len(snapshot.header)
        values[cols[f.ID]], values[cols[f.URAIAN]] = row_id, f"Jumlah puskesmas {i}"
        values[cols[f.SATUAN]], values[cols[f.TAHUN]] = "unit", 2025
        rows.append(values)
    assert harness.backend.append_rows(snapshot, rows).reason is None
    return read(harness)


def write(harness: Harness, snapshot: TabSnapshot, cells=(), notes=(), comments=()) -> str | None:
    batch = TabWrites(OPD, snapshot.title, list(cells), list(notes), list(comments))
    return harness.backend.write([batch], {OPD: snapshot})[OPD].reason


def at(snapshot: TabSnapshot, row: int, key: str, value: Any) -> CellWrite:
    return CellWrite(row - 1, match_headers(snapshot.header).columns[key], value)


def test_a_tab_is_made_once_with_the_contract_headers(harness):
    assert harness.backend.ensure_tabs([(OPD, "Dinas Kesehatan")]) == []
    snapshot = read(harness)
    assert match_headers(snapshot.header).ok
    assert [h for h in snapshot.header if h] == HEADERS
    assert not any(any(v is not None for v in row) for row in snapshot.rows)


def test_appended_rows_read_back_in_order_and_text_stays_text(harness):
    snapshot = read(harness)
    cols = match_headers(snapshot.header).columns
    values: list[Any] = [None] * len(snapshot.header)
    values[cols[f.URAIAN]], values[cols[f.KODE]], values[cols[f.SATUAN]] = "=SUM(1;2)", "0123", "unit"
    assert harness.backend.append_rows(snapshot, [values]).reason is None
    again = read(harness)
    assert (cell(again, 2, f.URAIAN), cell(again, 2, f.KODE)) == ("=SUM(1;2)", "0123")
    more = with_rows(harness)
    assert [cell(more, r, f.ID) for r in (3, 4, 5)] == list(IDS)


def test_an_unchanged_tab_is_answered_by_its_token(harness):
    snapshot = with_rows(harness)
    [result] = harness.backend.read([OPD], {OPD: snapshot.token})
    assert result.unchanged and result.snapshot is None


def test_system_cells_and_owned_notes_are_written_and_read_back(harness):
    snapshot = with_rows(harness)
    note = f"{OWNED_NOTE_PREFIX} Nilai wajib diisi"
    assert write(harness, snapshot, [at(snapshot, 3, f.STATUS, "1 Draf")], [NoteWrite(2, 6, note)]) is None
    assert cell(read(harness), 3, f.STATUS) == "1 Draf"
    assert harness.note(3, f.NILAI) == note
    assert write(harness, read(harness), notes=[NoteWrite(2, 6, None)]) is None
    assert harness.note(3, f.NILAI) is None


def test_a_persons_note_is_never_replaced_or_removed(harness):
    with_rows(harness)
    harness.person_note(2, f.NILAI, "Data dari Dinkes Provinsi")
    snapshot = read(harness)
    write(harness, snapshot, notes=[NoteWrite(1, 6, f"{OWNED_NOTE_PREFIX} milik poller")])
    write(harness, read(harness), notes=[NoteWrite(1, 6, None)])
    assert harness.note(2, f.NILAI) == "Data dari Dinkes Provinsi"


def test_a_write_planned_before_a_persons_edit_never_lands_on_the_wrong_cell(harness):
    snapshot = with_rows(harness)
    harness.type_into(3, f.NILAI, 17)
    reason = write(harness, snapshot, [at(snapshot, 3, f.STATUS, "3 Dicek")])
    now = read(harness)
    assert cell(now, 3, f.NILAI) == 17  # the person's value stays
    assert reason is not None or cell(now, 3, f.STATUS) == "3 Dicek"


def test_a_write_planned_before_a_row_was_inserted_lands_on_its_own_row_or_waits(harness):
    snapshot = with_rows(harness)
    harness.insert_row_above(3)  # IDS[0] now sits on sheet row 4
    write(harness, snapshot, [at(snapshot, 3, f.STATUS, "3 Dicek")])
    now = read(harness)
    marked = [cell(now, r, f.ID) for r in range(2, len(now.rows) + 2) if cell(now, r, f.STATUS) == "3 Dicek"]
    assert marked in ([], [IDS[0]])


def test_an_open_workbook_is_busy_and_refuses_writes_and_appends(harness):
    if not harness.locks:
        pytest.skip("this backend has no open-file state; the version check guards its writes")
    snapshot = with_rows(harness)
    harness.lock()
    assert harness.backend.busy(OPD)
    assert write(harness, snapshot, [at(snapshot, 3, f.STATUS, "1 Draf")]) is not None
    assert harness.backend.append_rows(snapshot, [[None] * len(snapshot.header)]).reason is not None
    assert harness.backend.archive_tab(OPD, "Dinas Kesehatan", f"{OPD} 2025") is not None


def test_a_tab_kept_as_a_record_leaves_a_fresh_tab_and_a_rerun_changes_nothing(harness):
    with_rows(harness)
    assert harness.backend.archive_tab(OPD, "Dinas Kesehatan", f"{OPD} 2025") is None
    fresh = read(harness)
    assert match_headers(fresh.header).ok and not any(any(v is not None for v in r) for r in fresh.rows)
    assert harness.backend.archive_tab(OPD, "Dinas Kesehatan", f"{OPD} 2025") is None


def test_protection_is_reported_as_the_backend_knows_it(harness):
    with_rows(harness)
    harness.backend.after_cycle()
    assert read(harness).protected is harness.protects


def test_comment_threads_where_the_backend_has_them(harness):
    snapshot = with_rows(harness)
    if not harness.comments:
        assert snapshot.comments is None  # not read: the reconcile knows there are none to answer
        return
    text = f"{OWNED_NOTE_PREFIX} Nilai perlu diperiksa"
    assert write(harness, snapshot, comments=[CommentWrite("open", 2, 6, text)]) is None
    threads = read(harness).comments
    assert [(t.row, t.col, t.text, t.mine) for t in threads or ()] == [(2, 6, text, True)]


def test_the_optional_parts_have_defaults(harness):
    assert isinstance(harness.backend.after_cycle(), list)
    assert harness.backend.service_account is None or "@" in harness.backend.service_account
