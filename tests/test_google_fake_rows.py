"""The fake is as strict as Google where the backend's promises depend on it (DECISIONS.md #18): whole-row
operations with their effect on values, notes, comments and protected ranges; who may do them;
a Drive version that lags; Google's error bodies; request sizes."""
from __future__ import annotations

import json

import pytest
from gspread.exceptions import APIError

from sheets.layout import HEADERS
from tests.fake_sheets_api import MAX_PAYLOAD
from tests.fake_sheets_comments import comment_as, threads_of
from tests.fake_sheets_grid import PROTECTED, Cell
from tests.test_google_backend import OPERATOR, SID, WALIDATA, backend_for
from tests.test_google_backend import api as _api

api = _api  # the shared fixture

ID, URAIAN, NILAI, STATUS = (HEADERS.index(h) for h in ("ID", "Uraian Data", "Nilai", "Status"))
SYSTEM = "Kolom sistem: hanya diisi poller Satu Data"


@pytest.fixture
def tab(api):
    """A DINKES tab made from the template (protected ranges included), rows 2-5 holding A..D."""
    backend_for(api).ensure_tabs([("DINKES", "")])
    sheet = api.sheet(SID, "DINKES")
    for i, name in enumerate("DBCA"):  # row 2 holds D (DINKES-0004), row 5 holds A (DINKES-0001)
        sheet.cells[i + 1, ID] = Cell(value=f"DINKES-000{'ABCD'.index(name) + 1}")
        sheet.cells[i + 1, URAIAN] = Cell(value=f"Item {name}")
        sheet.cells[i + 1, NILAI] = Cell(value=10 * (i + 1))
    sheet.cells[2, STATUS] = Cell(value="1 Draf", note="[Pemeriksaan otomatis]\ncatatan baris B")
    return sheet


def batch(api, user, *requests):
    return api.client(user).http_client.batch_update(SID, {"requests": list(requests)})


def rows(sheet, start, end):
    return {"sheetId": sheet.sheet_id, "dimension": "ROWS", "startIndex": start, "endIndex": end}


def column(sheet, col):
    return [sheet.get(r, col) for r in range(1, sheet.last_row() + 1)]


def system_range(sheet):
    return next(p["range"] for p in sheet.protected if p["description"] == SYSTEM)


def refused(call) -> dict:
    with pytest.raises(APIError) as caught:
        call()
    assert caught.value.response.status_code == 400
    return caught.value.response.json()["error"]


def test_deleting_rows_moves_the_rows_below_with_their_notes_and_shrinks_bounded_ranges(api, tab):
    tab.protected.append({"protectedRangeId": 99, "range": {"sheetId": tab.sheet_id, "startRowIndex": 2,
                                                            "endRowIndex": 5, "startColumnIndex": NILAI,
                                                            "endColumnIndex": NILAI + 1},
                          "editors": {"users": [api.service_account]}})
    version, size = api.spreadsheets[SID].version, tab.rows
    batch(api, api.service_account, {"deleteDimension": {"range": rows(tab, 1, 2)}})
    assert column(tab, URAIAN) == ["Item B", "Item C", "Item A"] and tab.rows == size - 1
    assert tab.note(1, STATUS).endswith("catatan baris B")
    assert tab.protected[-1]["range"]["startRowIndex"] == 1 and tab.protected[-1]["range"]["endRowIndex"] == 4
    assert "startRowIndex" not in system_range(tab)  # a whole-column range stays whole
    assert api.spreadsheets[SID].version == version + 1
    batch(api, api.service_account, {"deleteDimension": {"range": rows(tab, 1, 4)}})
    assert all(p.get("protectedRangeId") != 99 for p in tab.protected)  # every row of it went


def test_inserting_rows_shifts_cells_grows_ranges_it_cuts_and_moves_comments(api, tab):
    tab.protected.append({"range": {"sheetId": tab.sheet_id, "startRowIndex": 1, "endRowIndex": 3},
                          "editors": {"users": [api.service_account]}})
    comment_as(api.client(WALIDATA), SID, tab.sheet_id, 3, NILAI, "Sumber datanya?")
    batch(api, OPERATOR, {"insertDimension": {"range": rows(tab, 2, 4), "inheritFromBefore": True}})
    assert column(tab, URAIAN) == ["Item D", None, None, "Item B", "Item C", "Item A"]
    assert (tab.protected[-1]["range"]["startRowIndex"], tab.protected[-1]["range"]["endRowIndex"]) == (1, 5)
    assert threads_of(api.spreadsheets[SID])[0]["range"]["startRowIndex"] == 5
    assert tab.note(4, STATUS).endswith("catatan baris B")


def test_moving_rows_follows_the_documented_destination_index(api, tab):
    batch(api, api.owner, {"moveDimension": {"source": rows(tab, 1, 3), "destinationIndex": 4}})
    assert column(tab, URAIAN) == ["Item C", "Item D", "Item B", "Item A"]
    batch(api, api.owner, {"moveDimension": {"source": rows(tab, 3, 5), "destinationIndex": 1}})
    assert column(tab, URAIAN) == ["Item B", "Item A", "Item C", "Item D"]


def test_sorting_moves_whole_cells_and_only_the_sorted_columns(api, tab):
    tab.cells[5, URAIAN] = Cell(value="item e")  # text compares ignoring case
    tab.cells[5, NILAI] = Cell(value="sepuluh")  # text after numbers
    batch(api, api.service_account, {"sortRange": {
        "range": {"sheetId": tab.sheet_id, "startRowIndex": 1, "endRowIndex": 6},
        "sortSpecs": [{"dimensionIndex": URAIAN, "sortOrder": "ASCENDING"}]}})
    assert column(tab, URAIAN) == ["Item A", "Item B", "Item C", "Item D", "item e"]
    assert column(tab, ID)[:4] == ["DINKES-0001", "DINKES-0002", "DINKES-0003", "DINKES-0004"]
    assert tab.note(2, STATUS).endswith("catatan baris B")
    batch(api, api.service_account, {"sortRange": {
        "range": {"sheetId": tab.sheet_id, "startRowIndex": 1, "endRowIndex": 6, "startColumnIndex": NILAI,
                  "endColumnIndex": NILAI + 1},
        "sortSpecs": [{"dimensionIndex": NILAI, "sortOrder": "DESCENDING"}]}})
    assert column(tab, NILAI) == ["sepuluh", 40, 30, 20, 10] and column(tab, URAIAN)[0] == "Item A"


def test_an_operator_cannot_delete_move_or_sort_rows_through_the_poller_columns(api, tab):
    before = (dict(tab.cells), api.spreadsheets[SID].version)
    whole = {"sheetId": tab.sheet_id, "startRowIndex": 1, "endRowIndex": 5}
    for request in ({"deleteDimension": {"range": rows(tab, 1, 2)}},
                    {"moveDimension": {"source": rows(tab, 1, 2), "destinationIndex": 4}},
                    {"sortRange": {"range": whole, "sortSpecs": [{"dimensionIndex": URAIAN,
                                                                  "sortOrder": "ASCENDING"}]}}):
        error = refused(lambda r=request: batch(api, OPERATOR, r))
        message = f"Invalid requests[0].{next(iter(request))}: {PROTECTED}"  # as Google names the request
        assert error == {"code": 400, "message": message, "status": "INVALID_ARGUMENT",
                         "errors": [{"message": message, "domain": "global", "reason": "badRequest"}]}
        refused(lambda r=request: batch(api, WALIDATA, r))  # the system columns hold the Walidata back too
    assert (dict(tab.cells), api.spreadsheets[SID].version) == before
    # what an operator may do: sort the data columns alone, and insert rows
    data = {**whole, "startColumnIndex": HEADERS.index("Kode Data"), "endColumnIndex": HEADERS.index("Frekuensi") + 1}
    batch(api, OPERATOR, {"sortRange": {"range": data, "sortSpecs": [{"dimensionIndex": URAIAN,
                                                                     "sortOrder": "ASCENDING"}]}})
    assert column(tab, URAIAN) == ["Item A", "Item B", "Item C", "Item D"]
    assert column(tab, ID) == ["DINKES-0004", "DINKES-0002", "DINKES-0003", "DINKES-0001"]  # IDs stayed
    batch(api, OPERATOR, {"insertDimension": {"range": rows(tab, 3, 4)}})
    # the owner and the poller are never stopped
    batch(api, api.owner, {"deleteDimension": {"range": rows(tab, 3, 4)}})
    batch(api, api.service_account, {"moveDimension": {"source": rows(tab, 1, 2), "destinationIndex": 5}})
    assert column(tab, ID)[-1] == "DINKES-0004"


def test_another_opds_operator_cannot_even_insert_a_row(api, tab):
    other = "operator.dikpora@example.go.id"
    api.spreadsheets[SID].editors.add(other)
    refused(lambda: batch(api, other, {"insertDimension": {"range": rows(tab, 2, 3)}}))


def test_copy_paste_copies_cells_and_is_refused_on_protected_destinations(api, tab):
    batch(api, OPERATOR, {"insertDimension": {"range": rows(tab, 5, 6)}})
    data = {"startColumnIndex": HEADERS.index("Kode Data"), "endColumnIndex": HEADERS.index("Frekuensi") + 1}
    batch(api, OPERATOR, {"copyPaste": {"source": {"sheetId": tab.sheet_id, "startRowIndex": 2, "endRowIndex": 3,
                                                   **data},
                                        "destination": {"sheetId": tab.sheet_id, "startRowIndex": 5,
                                                        "endRowIndex": 6, **data}}})
    assert (tab.get(5, URAIAN), tab.get(5, ID)) == ("Item B", None)
    whole = {"sheetId": tab.sheet_id, "startColumnIndex": 0, "endColumnIndex": tab.cols}
    refused(lambda: batch(api, OPERATOR, {"copyPaste": {"source": {**whole, "startRowIndex": 2, "endRowIndex": 3},
                                                        "destination": {**whole, "startRowIndex": 5,
                                                                        "endRowIndex": 6}}}))


def test_malformed_row_requests_are_refused_by_the_discovery_check_or_as_google_does(api, tab):
    refused(lambda: batch(api, api.service_account, {"deleteDimension": {"range": {**rows(tab, 1, 2),
                                                                                   "dimension": "ROW"}}}))
    refused(lambda: batch(api, api.service_account, {"insertDimension": {"rnge": rows(tab, 1, 2)}}))
    refused(lambda: batch(api, api.service_account, {"deleteDimension": {"range": rows(tab, 0, tab.rows)}}))
    refused(lambda: batch(api, api.service_account, {"deleteDimension": {"range": rows(tab, 1, tab.rows)}}))
    batch(api, api.service_account, {"deleteDimension": {"range": rows(tab, 1, tab.rows - 1)}})  # one row stays
    refused(lambda: batch(api, api.service_account, {"sortRange": {"range": {"sheetId": tab.sheet_id},
                                                                   "sortSpecs": [{"dimensionIndex": 1}]}}))


# --- Drive's version lags ------------------------------------------------------------------------


def drive_version(api) -> str:
    return api.client().http_client.request(
        "get", f"https://www.googleapis.com/drive/v3/files/{SID}", params={"fields": "version"}).json()["version"]


def test_drive_version_lags_for_n_calls_or_until_flushed_while_the_content_is_new(api, tab):
    shown = drive_version(api)
    api.lag_drive(calls=2)
    batch(api, api.owner, {"deleteDimension": {"range": rows(tab, 1, 2)}})
    assert [drive_version(api) for _ in range(3)] == [shown, shown, str(api.spreadsheets[SID].version)]
    api.lag_drive()  # until flushed
    batch(api, api.owner, {"deleteDimension": {"range": rows(tab, 1, 2)}})
    stale = drive_version(api)
    assert [drive_version(api) for _ in range(5)] == [stale] * 5
    values = api.client().http_client.values_get(SID, "'DINKES'!C2:C3")["values"]
    assert values == [["Item C"], ["Item A"]]  # Sheets shows the new content
    api.flush_drive()
    assert drive_version(api) == str(api.spreadsheets[SID].version) != stale


# --- Google's error bodies and request sizes -------------------------------------------------------


@pytest.mark.parametrize("error,reason", [("drive-rate-limit", "userRateLimitExceeded"),
                                          ("drive-project-rate-limit", "rateLimitExceeded")])
def test_drive_rate_limits_answer_403_usage_limits_and_are_retried(api, tab, error, reason):
    backend = backend_for(api)
    api.fail("drive", error=error)
    response = api.client().http_client.session.get(f"https://www.googleapis.com/drive/v3/files/{SID}")
    body = response.json()["error"]
    assert response.status_code == 403 and body["code"] == 403 and "status" not in body
    assert [(e["domain"], e["reason"]) for e in body["errors"]] == [("usageLimits", reason)]
    api.fail("drive", error=error, times=2)
    (result,) = backend.read(["DINKES"], {})
    assert result.error is None
    assert [r.status for r in api.requests_of() if r.method == "drive.files.get"][-3:] == [403, 403, 200]


def test_injected_failures_carry_googles_error_shape(api, tab):
    api.fail("write", error="protected")
    error = refused(lambda: batch(api, api.service_account, {"deleteDimension": {"range": rows(tab, 1, 2)}}))
    assert error["message"] == PROTECTED and error["errors"][0]["reason"] == "badRequest"  # injected: bare
    for status, name in ((403, "PERMISSION_DENIED"), (404, "NOT_FOUND"), (503, "UNAVAILABLE"),
                         (429, "RESOURCE_EXHAUSTED")):
        api.fail("read", status=status)
        response = api.client().http_client.session.get(f"https://sheets.googleapis.com/v4/spreadsheets/{SID}")
        body = response.json()["error"]
        assert (response.status_code, body["code"], body["status"]) == (status, status, name)
        assert isinstance(body["message"], str) and body["message"]


def test_every_request_and_answer_is_measured_and_a_body_over_ten_mebibytes_is_refused(api, tab):
    backend_for(api).read(["DINKES"], {})
    read = next(r for r in reversed(api.log) if r.kind == "read")
    assert read.request_bytes == 0 and read.response_bytes > 1000
    note = {"updateCells": {"range": {"sheetId": tab.sheet_id, "startRowIndex": 1, "endRowIndex": 2,
                                      "startColumnIndex": 21, "endColumnIndex": 22},
                            "rows": [{"values": [{"note": "x" * 1000}]}], "fields": "note"}}
    batch(api, api.service_account, note)
    sent = api.log[-1]
    assert sent.request_bytes == len(json.dumps({"requests": [note]}).encode()) and sent.response_bytes > 0
    version = api.spreadsheets[SID].version
    error = refused(lambda: batch(api, api.service_account, *[note] * (MAX_PAYLOAD // 1000)))
    assert error["message"] == "Request payload size exceeds the limit: 10485760 bytes."
    assert api.spreadsheets[SID].version == version and api.largest() > MAX_PAYLOAD


def test_answers_are_pretty_printed_unless_asked_not_to(api, tab):
    client = api.client().http_client.session
    url = f"https://sheets.googleapis.com/v4/spreadsheets/{SID}"
    client.get(url)
    client.get(url, params={"prettyPrint": "false"})
    pretty, compact = api.log[-2:]
    assert pretty.response_bytes > compact.response_bytes


def test_drive_errors_have_drive_v3s_shape(api, tab):
    response = api.client().http_client.session.get("https://www.googleapis.com/drive/v3/files/1TidakAda",
                                                    params={"fields": "version"})
    body = response.json()["error"]
    assert response.status_code == 404 and "status" not in body
    assert body["message"] == "File not found: 1TidakAda." and body["errors"][0]["reason"] == "notFound"


def test_traffic_adds_up_a_cycles_requests_and_bytes_per_kind(api, tab):
    backend = backend_for(api)
    since = len(api.log)
    backend.read(["DINKES"], {})
    figures = api.traffic(since)
    logged = [r for r in api.log[since:] if r.user == api.service_account]
    # the grid read, and the tab list a process that never listed them asks once (DECISIONS.md #74)
    assert sum(f["requests"] for f in figures.values()) == len(logged) and figures["read"]["requests"] == 2
    assert figures["read"]["response_bytes"] == sum(r.response_bytes for r in logged if r.kind == "read") > 0
    assert figures["write"] == {"requests": 0, "request_bytes": 0, "response_bytes": 0}


def test_a_drive_lag_in_calls_counts_only_answers_that_were_given(api, tab):
    book = api.spreadsheets[SID]
    api.lag_drive(calls=1)
    batch(api, api.owner, {"deleteDimension": {"range": rows(tab, 1, 2)}})
    shown = [api.drive_version(book, answer=False) for _ in range(3)]
    assert shown == [book.version - 1] * 3  # looking does not use up the lag
    assert [drive_version(api), drive_version(api)] == [str(book.version - 1), str(book.version)]


def test_a_protected_refusal_names_the_item_as_google_does_except_in_values_update(api, tab):
    http = api.client(OPERATOR).http_client
    status = "'DINKES'!U2"
    single = refused(lambda: http.values_update(SID, status, params={"valueInputOption": "RAW"},
                                                body={"values": [["10 Diarsip"]]}))
    several = refused(lambda: http.values_batch_update(SID, body={"valueInputOption": "RAW", "data": [
        {"range": "'DINKES'!C2", "values": [["boleh"]]}, {"range": status, "values": [["10 Diarsip"]]}]}))
    assert single["message"] == PROTECTED and several["message"] == f"Invalid data[1]: {PROTECTED}"
    assert tab.get(1, URAIAN) == "Item D"  # checked whole before any cell changed
