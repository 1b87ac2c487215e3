"""GoogleBackend at a regency's size (DECISIONS.md #14, #16): system columns written as
contiguous blocks that hold only cells the poller writes, reads that ask for no more than
they use, and writes that land on the row they were decided for even when Drive's version
lags behind a sort."""
from __future__ import annotations

import json

import pytest

from rules.sop import load_sop
from sheets.base import OWNED_NOTE_PREFIX, CellWrite, NoteWrite, TabWrites
from sheets.google.bodies import body_size, value_updates
from sheets.layout import HEADERS
from tests import test_sop_flow as flow
from tests.fake_sheets_grid import Cell
from tests.google_world import BETWEEN_SECONDS, SPREADSHEET, GoogleWorld
from tests.test_google_backend import SID, backend_for, put, sa_bodies
from tests.test_google_backend import api as _api

api = _api  # the shared fixture

ID, KODE, URAIAN, NILAI, STATUS, HASIL, DIPERBARUI = (HEADERS.index(h) for h in (
    "ID", "Kode Data", "Uraian Data", "Nilai", "Status", "Hasil Pemeriksaan", "Diperbarui"))
SYSTEM = (ID, STATUS, HASIL, DIPERBARUI)


def _first_write(rows: int) -> list[tuple[int, int, str]]:
    return [(r, c, f"v{r}-{c}") for r in range(1, rows + 1) for c in SYSTEM]


def test_a_first_write_is_one_update_per_span_of_adjacent_system_columns():
    updates = value_updates(7, _first_write(500))
    ranges = [u["updateCells"]["range"] for u in updates]
    assert ranges == [{"sheetId": 7, "startRowIndex": 1, "endRowIndex": 501, "startColumnIndex": ID,
                       "endColumnIndex": ID + 1},
                      {"sheetId": 7, "startRowIndex": 1, "endRowIndex": 501, "startColumnIndex": STATUS,
                       "endColumnIndex": DIPERBARUI + 1}]
    assert updates[1]["updateCells"]["rows"][499]["values"][2] == {"userEnteredValue": {"stringValue": "v500-22"}}


def test_a_block_never_covers_a_cell_that_is_not_written():
    cells = [(1, STATUS, "a"), (2, STATUS, "b"), (4, STATUS, "c"), (1, DIPERBARUI, "x"), (2, HASIL, None)]
    covered = set()
    for update in value_updates(0, cells):
        rng = update["updateCells"]["range"]
        block = {(r, c) for r in range(rng["startRowIndex"], rng["endRowIndex"])
                 for c in range(rng["startColumnIndex"], rng["endColumnIndex"])}
        assert not covered & block
        covered |= block
    assert covered == {(r, c) for r, c, _ in cells}


def test_a_block_too_big_for_one_request_is_split_by_rows():
    cells = [(r, HASIL, "x" * 40_000) for r in range(1, 201)]
    updates = value_updates(0, cells, max_bytes=1_000_000)
    assert len(updates) > 1 and max(body_size(u) for u in updates) <= 1_000_000
    assert sum(len(u["updateCells"]["rows"]) for u in updates) == 200


def test_cells_between_written_cells_keep_what_a_person_typed(api):
    backend = backend_for(api)
    backend.ensure_tabs([("DINKES", "")])
    for row in range(1, 6):
        put(api, "DINKES", row, {URAIAN: f"Data {row}"})
    put(api, "DINKES", 3, {HASIL: "diketik pemilik"})
    (result,) = backend.read(["DINKES"], {})
    cells = [CellWrite(r, c, f"{r}:{c}") for r in range(1, 6) for c in (STATUS, DIPERBARUI)]
    cells += [CellWrite(r, HASIL, "ok") for r in (1, 2, 4, 5)]
    notes = [NoteWrite(r, STATUS, OWNED_NOTE_PREFIX + " n") for r in (1, 2, 4)]
    assert backend.write([TabWrites("DINKES", "DINKES", cells, notes)], {"DINKES": result.snapshot})["DINKES"].reason is None
    sheet = api.sheet(SID, "DINKES")
    assert sheet.get(3, HASIL) == "diketik pemilik" and sheet.get(4, HASIL) == "ok"
    assert [sheet.note(r, STATUS) for r in range(1, 6)] == [OWNED_NOTE_PREFIX + " n"] * 2 + [None] + \
        [OWNED_NOTE_PREFIX + " n", None]
    (body,) = sa_bodies(api, "spreadsheets.batchUpdate")[-1:]
    assert len(body["requests"]) == 6  # Status 1-5, Hasil 1-2 and 4-5, Diperbarui 1-5; notes 1-2 and 4


def test_request_bodies_go_out_as_compact_json(api):
    backend = backend_for(api)
    backend.ensure_tabs([("DINKES", "")])
    put(api, "DINKES", 1, {URAIAN: "Data"})
    (result,) = backend.read(["DINKES"], {})
    sent = []
    original = api.handle

    def spy(request, timeout):
        sent.append(request.body)
        return original(request, timeout)

    api.handle = spy
    backend.write([TabWrites("DINKES", "DINKES", [CellWrite(1, ID, "DINKES-0001")])], {"DINKES": result.snapshot})
    body = [b for b in sent if b and b"updateCells" in b][0]
    assert len(body) == body_size(json.loads(body)) and b", " not in body
    assert api.sheet(SID, "DINKES").get(1, ID) == "DINKES-0001"


@pytest.mark.parametrize("number_format, percent", [
    ({"type": "PERCENT", "pattern": "0.0%"}, True),
    ({"type": "NUMBER", "pattern": "0.00%"}, True),  # a custom pattern showing a percentage
    ({"type": "NUMBER", "pattern": '0.0"%"'}, False),  # a quoted % is only a sign after the number
    ({"type": "NUMBER", "pattern": "#,##0"}, False),
])
def test_a_percentage_is_told_by_the_number_format_alone(api, number_format, percent):
    backend = backend_for(api)
    backend.ensure_tabs([("DINKES", "")])
    put(api, "DINKES", 1, {URAIAN: "Persentase", NILAI: Cell(value=0.125, number_format=number_format)})
    (result,) = backend.read(["DINKES"], {})
    assert result.snapshot.cell(0, NILAI) == 0.125
    assert ((0, NILAI) in result.snapshot.percent) is percent


def test_the_read_asks_for_no_formatted_text_and_no_repeated_value(api):
    backend = backend_for(api)
    backend.ensure_tabs([("DINKES", "")])
    put(api, "DINKES", 1, {URAIAN: "Data", NILAI: Cell(formula="=1/0")})
    (result,) = backend.read(["DINKES"], {})
    (get,) = [r for r in api.requests_of() if r.method.endswith("spreadsheets.get") and "fields" in r.query][-1:]
    fields = get.query["fields"][0]
    assert "formattedValue" not in fields and "userEnteredValue.formulaValue" in fields
    assert "userEnteredValue," not in fields and "includeGridData" not in get.query
    assert result.snapshot.cell(0, URAIAN) == "Data" and "DIVIDE_BY_ZERO" in result.snapshot.problems[0, NILAI]


# --- writes land on the row they were decided for (DECISIONS.md #16) ------------------------------------


def _sort(api, tab: str, order: list[int], sid: str = SID) -> None:
    """An operator sorts the data rows in the Sheets UI: sheet row ``1 + i`` takes what row
    ``order[i]`` held (values and notes move with the row). Drive's version is NOT moved: it lags.
    The sort lands BETWEEN_SECONDS after the read, later than a write that needs no re-read would come."""
    api.clock.advance(BETWEEN_SECONDS)
    sheet = api.sheet(sid, tab)
    where = {old: new for new, old in enumerate(order, start=1)}
    sheet.cells = {(where.get(r, r), c): cell for (r, c), cell in sheet.cells.items()}


def _tab_of_five(api):
    backend = backend_for(api, clock=lambda: api.clock.now)
    backend.ensure_tabs([("DINKES", "")])
    for row in range(1, 6):
        put(api, "DINKES", row, {ID: f"DINKES-{row:04d}" if row != 3 else None, URAIAN: f"Data {row}"})
    (result,) = backend.read(["DINKES"], {})
    return backend, result.snapshot


def _decided(snapshot) -> TabWrites:
    """What a cycle decides from the read: a status naming each row's Uraian, an ID for the new
    row (row 3 has none) and a note on row 2."""
    cells = [CellWrite(r, STATUS, f"untuk {snapshot.cell(r - 1, URAIAN)}") for r in range(1, 6)]
    cells.append(CellWrite(3, ID, "DINKES-0006"))
    return TabWrites("DINKES", "DINKES", cells, [NoteWrite(2, HASIL, OWNED_NOTE_PREFIX + " untuk Data 2")])


def test_a_sort_between_read_and_write_with_drive_lagging_moves_nothing_to_a_wrong_row(api):
    backend, snapshot = _tab_of_five(api)
    version = api.spreadsheets[SID].version
    _sort(api, "DINKES", [5, 3, 1, 4, 2])
    assert api.spreadsheets[SID].version == version  # Drive has not noticed: the version check passes
    out = backend.write([_decided(snapshot)], {"DINKES": snapshot})
    assert out["DINKES"].reason is None
    sheet = api.sheet(SID, "DINKES")
    for row in range(1, 6):
        assert sheet.get(row, STATUS) == f"untuk {sheet.get(row, URAIAN)}"
    assert [sheet.get(r, ID) for r in range(1, 6)] == ["DINKES-0005", "DINKES-0006", "DINKES-0001", "DINKES-0004",
                                                       "DINKES-0002"]
    assert [r for r in range(1, 6) if sheet.note(r, HASIL)] == [5] and sheet.get(5, URAIAN) == "Data 2"


def test_a_row_that_cannot_be_told_apart_after_a_sort_is_left_for_the_next_cycle(api):
    backend, snapshot = _tab_of_five(api)
    put(api, "DINKES", 6, {URAIAN: "Data 3"})  # a twin of the new row 3: neither can be placed
    (result,) = backend.read(["DINKES"], {})
    snapshot = result.snapshot
    _sort(api, "DINKES", [6, 1, 2, 3, 4, 5])
    batch = _decided(snapshot)
    batch.cells.append(CellWrite(6, STATUS, "untuk Data 3"))
    out = backend.write([batch], {"DINKES": snapshot})
    assert "2 baris di tab DINKES berpindah sejak dibaca" in out["DINKES"].reason
    sheet = api.sheet(SID, "DINKES")
    assert sheet.get(1, URAIAN) == sheet.get(4, URAIAN) == "Data 3"
    assert sheet.get(1, ID) is None and sheet.get(4, ID) is None and sheet.get(1, STATUS) is None
    assert all(sheet.get(r, STATUS) == f"untuk {sheet.get(r, URAIAN)}" for r in (2, 3, 5, 6))


def test_a_column_inserted_after_the_read_stops_that_tabs_write(api):
    backend, snapshot = _tab_of_five(api)
    sheet = api.sheet(SID, "DINKES")
    api.clock.advance(BETWEEN_SECONDS)
    sheet.cells = {(r, c + (c >= STATUS)): cell for (r, c), cell in sheet.cells.items()}  # Drive lags again
    out = backend.write([_decided(snapshot)], {"DINKES": snapshot})
    assert out["DINKES"].reason.startswith("Kolom tab DINKES berubah sejak dibaca")
    assert all(sheet.get(r, c) is None for r in range(1, 6) for c in (STATUS, STATUS + 1))


def test_a_poll_whose_rows_are_sorted_before_its_write_keeps_every_status_on_its_row(tmp_path):
    world = GoogleWorld(tmp_path)
    first = flow.add_item(world, Kode_Data="K-1", Uraian_Data="Jumlah A", Satuan="Unit")
    second = flow.add_item(world, Kode_Data="K-2", Uraian_Data="Jumlah B", Satuan="Unit")
    flow.tick(world, second, "Dicek Bersama")
    world.backend.add_row(flow.OPD, Kode_Data="K-3", Uraian_Data="Jumlah C", Satuan="Unit")  # gets its ID now
    write = world.backend.write

    def sorted_then_written(batches, snapshots):
        rows = world.backend.sheet(flow.OPD).last_row()
        _sort(world.api, flow.OPD, list(range(rows, 0, -1)), SPREADSHEET)
        return write(batches, snapshots)

    world.backend.write = sorted_then_written
    report = world.poll()
    world.backend.write = write
    assert not any("berpindah" in e for e in report.errors)
    sop, memory = load_sop(), world.store.load_tab(flow.OPD)
    ids = world.backend.ids(flow.OPD)
    assert len(ids) == 3 and all(ids) and ids[1:] == [second, first]
    for rid in ids:
        assert flow.status(world, rid) == sop.label(memory.rows[rid].state)
    assert flow.status(world, second) == "3 Dicek" and flow.status(world, first) == "1 Draf"
    assert world.backend.get(flow.OPD, ids[0], "Uraian Data") == "Jumlah C"
    world.poll()
    writes = world.api.count("write")
    world.poll()
    assert world.api.count("write") == writes  # settled: nothing was left on a wrong row to repair


# --- the real API's errors (DECISIONS.md #14) -------------------------------------------------------------


def test_a_protected_refusal_names_the_tab_and_the_range(api):
    backend = backend_for(api, ["DINKES", "DIKPORA"])
    backend.ensure_tabs([("DINKES", ""), ("DIKPORA", "")])
    book = api.spreadsheets[SID]
    sheet = book.sheet("DINKES")
    sheet.protected.append({"range": {"sheetId": sheet.sheet_id, "startColumnIndex": ID, "endColumnIndex": ID + 1},
                            "description": "dikunci pemilik", "editors": {"users": [book.owner]}})
    results = backend.read(["DINKES", "DIKPORA"], {})
    out = backend.write([TabWrites(r.opd, r.opd, [CellWrite(1, ID, f"{r.opd}-0001"), CellWrite(1, STATUS, "1 Draf")])
                         for r in results], {r.opd: r.snapshot for r in results})
    assert out["DIKPORA"].reason is None
    reason = out["DINKES"].reason
    assert reason.startswith("Tab DINKES: ") and "sel terlindungi" in reason
    assert "rentang terlindungi: 'DINKES'!A:A (dikunci pemilik)" in reason
    assert "Kolom sistem" not in reason  # the template's ranges list the service account: not the cause


def test_a_cell_write_whose_answer_was_lost_is_sent_again_as_it_is_idempotent(api):
    backend, snapshot = _tab_of_five(api)
    api.fail("write", error="timeout", applied=True)
    out = backend.write([TabWrites("DINKES", "DINKES", [CellWrite(1, STATUS, "1 Draf")])], {"DINKES": snapshot})
    assert out["DINKES"].reason is None and api.sheet(SID, "DINKES").get(1, STATUS) == "1 Draf"
    bodies = sa_bodies(api, "spreadsheets.batchUpdate")[-2:]
    assert bodies[0] == bodies[1]  # the same values twice: the second changes nothing


def test_rows_appended_whose_answer_was_lost_are_not_appended_twice(api):
    backend, snapshot = _tab_of_five(api)
    api.fail("write", error="timeout", applied=True)
    out = backend.append_rows(snapshot, [[None, "K-9", "Data baru"]])
    assert out.reason is not None and "koneksi" in out.reason
    sheet = api.sheet(SID, "DINKES")
    assert [sheet.get(r, URAIAN) for r in range(1, 8)] == [f"Data {r}" for r in range(1, 6)] + ["Data baru", None]


def test_a_comment_whose_answer_was_lost_is_not_posted_twice(tmp_path):
    from tests.test_google_comments import own

    world = GoogleWorld(tmp_path)
    rid = flow.to_approved(world)
    flow.fill(world, rid, 2024, "banyak")
    flow.tick(world, rid, "Selesai Diisi")
    world.api.fail("write", error="timeout", applied=True)  # the first write of the cycle: the comment
    world.poll()
    assert flow.status(world, rid) == "8 Perlu Perbaikan"  # the cell writes went through
    world.poll()
    world.poll()
    assert len(own(world)) == 1


def test_any_cell_google_sends_that_cannot_be_read_is_a_finding_on_that_cell():
    from sheets.google.bodies import parse_sheet

    sheet = {"data": [{"rowData": [
        {"values": [{"effectiveValue": {"stringValue": "ID"}}, {"effectiveValue": {"stringValue": "Nilai"}}]},
        {"values": [{"effectiveValue": {"numberValue": "n/a"}, "effectiveFormat": {"numberFormat": {"type": "DATE"}}},
                    {"effectiveValue": {"numberValue": 7}}]},
        {"values": [{"effectiveValue": {"numberValue": float("inf")},
                     "effectiveFormat": {"numberFormat": {"type": "DATE_TIME"}}}, {"effectiveValue": {"boolValue": True}}]},
    ]}]}
    grid, _, problems, _ = parse_sheet(sheet)
    assert grid[1][1] == 7 and grid[2][1] is True
    assert set(problems) == {(1, 0), (2, 0)} and all("Sel" in m or "Angka" in m for m in problems.values())


def test_a_tab_written_in_several_bodies_reports_the_one_google_refused(api, monkeypatch):
    import sheets.google.backend

    monkeypatch.setattr(sheets.google.backend, "MAX_REQUEST_BYTES", 300)  # every block a body of its own
    backend, snapshot = _tab_of_five(api)
    book = api.spreadsheets[SID]
    sheet = book.sheet("DINKES")
    sheet.protected.append({"range": {"sheetId": sheet.sheet_id, "startColumnIndex": ID, "endColumnIndex": ID + 1},
                            "description": "dikunci pemilik", "editors": {"users": [book.owner]}})
    (result,) = backend.read(["DINKES"], {})
    cells = [CellWrite(3, ID, "DINKES-0006")] + [CellWrite(r, STATUS, "1 Draf") for r in range(1, 6)]
    out = backend.write([TabWrites("DINKES", "DINKES", cells)], {"DINKES": result.snapshot})
    assert "rentang terlindungi: 'DINKES'!A:A" in out["DINKES"].reason  # the ID body was refused
    assert [sheet.get(r, STATUS) for r in range(1, 6)] == ["1 Draf"] * 5 and sheet.get(3, ID) is None
    assert len([b for b in sa_bodies(api, "spreadsheets.batchUpdate") if "updateCells" in b["requests"][0]]) == 2


def test_an_unreadable_header_cell_of_an_optional_column_does_not_stop_writes(api):
    backend = backend_for(api)
    backend.ensure_tabs([("DINKES", "")])
    konsep = HEADERS.index("Konsep")
    put(api, "DINKES", 0, {konsep: Cell(formula="=1/0")})  # the grid read gives no value, the values API "#DIV/0!"
    put(api, "DINKES", 1, {URAIAN: "Data 1"})
    (result,) = backend.read(["DINKES"], {})
    out = backend.write([TabWrites("DINKES", "DINKES", [CellWrite(1, ID, "DINKES-0001")])], {"DINKES": result.snapshot})
    assert out["DINKES"].reason is None and api.sheet(SID, "DINKES").get(1, ID) == "DINKES-0001"
