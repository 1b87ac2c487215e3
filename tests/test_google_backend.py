"""GoogleBackend against the fake Sheets API: the request budget of DECISIONS.md #5, reading what
Google stores (not what gspread numericises), writing so text never becomes a formula, notes that
never touch a person's, the tab template, and our own retry policy."""
from __future__ import annotations

import json
from datetime import date

import pytest
import requests

from sheets.base import OWNED_NOTE_PREFIX, CellWrite, NoteWrite, TabWrites
from sheets.google import TIMEOUT, GoogleBackend
from sheets.google.backend import FRESH_SECONDS
from sheets.google.auth import CredentialsError
from sheets.google.retry import GoogleError, RetryPolicy
from sheets.layout import COLUMNS, HEADERS
from tests.fake_sheets_api import FakeSheetsApi
from tests.fake_sheets_grid import Cell

SID = "1SheetUtama"
WALIDATA = "walidata@example.go.id"
OPERATOR = "operator.dinkes@example.go.id"
NILAI = HEADERS.index("Nilai")
STATUS = HEADERS.index("Status")
OWNED = OWNED_NOTE_PREFIX + "\n"


@pytest.fixture
def api() -> FakeSheetsApi:
    api = FakeSheetsApi()
    api.create_spreadsheet(SID, editors={api.service_account, WALIDATA, OPERATOR})
    return api


def backend_for(api: FakeSheetsApi, kodes=("DINKES",), layout=None, sleeps=None, **kwargs) -> GoogleBackend:
    retry = RetryPolicy(sleep=(sleeps.append if sleeps is not None else api.clock.sleep), rand=lambda: 1.0)
    return GoogleBackend(api.client(), layout or {k: SID for k in kodes}, walidata=[WALIDATA],
                         operators={"DINKES": [OPERATOR]}, service_account=api.service_account,
                         retry=retry, **kwargs)


def put(api: FakeSheetsApi, tab: str, row: int, values: dict[int, object], sid: str = SID) -> None:
    """A person's edit straight into the model (0-based sheet row; Drive's version moves)."""
    sheet = api.sheet(sid, tab)
    for col, value in values.items():
        sheet.cells[row, col] = value if isinstance(value, Cell) else Cell(value=value)
    api.touch(sid)


def typed(api: FakeSheetsApi, user: str, rng: str, value: object, option: str = "USER_ENTERED") -> None:
    api.client(user).http_client.values_update(SID, rng, params={"valueInputOption": option},
                                               body={"values": [[value]]})


def delta(api: FakeSheetsApi, before: dict[str, int]) -> dict[str, int]:
    return {k: v - before[k] for k, v in api.counts().items()}


def sa_bodies(api: FakeSheetsApi, method: str) -> list[dict]:
    return [r.body for r in api.requests_of() if r.method.endswith(method)]


# --- the request budget -------------------------------------------------------------------------


@pytest.mark.parametrize("tabs", [1, 10, 40])
@pytest.mark.parametrize("gap", [0.5, FRESH_SECONDS + 1])
def test_busy_cycle_is_one_read_and_one_write_per_spreadsheet_whatever_the_tabs(api, tabs, gap):
    kodes = [f"OPD{i:02d}" for i in range(tabs)]
    backend = backend_for(api, kodes, clock=lambda: api.clock.now)
    assert backend.ensure_tabs([(k, k) for k in kodes]) == kodes
    for kode in kodes:
        for row in range(1, 6):
            put(api, kode, row, {2: f"Data {row}", 4: "Unit"})
    before = api.counts()
    results = backend.read(kodes, {})
    api.clock.advance(gap)
    batches = [TabWrites(k, k, [CellWrite(r, 0, f"{k}-{r:04d}") for r in range(1, 6)] + [CellWrite(1, STATUS, "1 Draf")],
                         [NoteWrite(2, NILAI, OWNED + "Nilai bukan angka")]) for k in kodes]
    outcome = backend.write(batches, {r.opd: r.snapshot for r in results})
    assert all(o.reason is None for o in outcome.values())
    # Drive: files.get before the read and before the write, revisions.list for the editors (DECISIONS.md #11);
    # Sheets reads: the grid, and, when the write comes later than FRESH_SECONDS after it, the
    # values.batchGet confirming the written rows (DECISIONS.md #16, #91)
    confirmed = gap > FRESH_SECONDS
    assert delta(api, before) == {"drive": 3, "read": 1 + confirmed, "write": 1}
    assert api.count("read", method="values.batchGet") == confirmed
    assert api.sheet(SID, kodes[-1]).get(5, 0) == f"{kodes[-1]}-0005"


def test_idle_cycle_costs_one_drive_request_and_no_sheets_request(api):
    backend = backend_for(api, ["DINKES", "DIKPORA"])
    backend.ensure_tabs([("DINKES", ""), ("DIKPORA", "")])
    first = backend.read(["DINKES", "DIKPORA"], {})
    known = {r.opd: json.loads(json.dumps(r.snapshot.token)) for r in first}  # as the store keeps it
    before = api.counts()
    again = backend.read(["DINKES", "DIKPORA"], known)
    assert [r.unchanged for r in again] == [True, True]
    assert delta(api, before) == {"drive": 1, "read": 0, "write": 0}
    assert backend.ensure_tabs([("DINKES", ""), ("DIKPORA", "")]) == []
    assert delta(api, before) == {"drive": 1, "read": 0, "write": 0}


def test_an_opd_with_its_own_spreadsheet_costs_its_own_read_and_write(api):
    api.create_spreadsheet("1SheetDinkes", editors={api.service_account})
    backend = backend_for(api, layout={"DINKES": "1SheetDinkes", "DIKPORA": SID, "BAPPEDA": SID})
    backend.ensure_tabs([("DINKES", ""), ("DIKPORA", ""), ("BAPPEDA", "")])
    before = api.counts()
    results = backend.read(["DINKES", "DIKPORA", "BAPPEDA"], {})
    backend.write([TabWrites(r.opd, r.opd, [CellWrite(0, 22, "x")]) for r in results],
                  {r.opd: r.snapshot for r in results})
    # per spreadsheet: 2 files.get, 1 revisions.list and the grid read (the write follows within
    # FRESH_SECONDS: no row-identity batchGet); once: changes.getStartPageToken (two spreadsheets: the feed)
    assert delta(api, before) == {"drive": 7, "read": 2, "write": 2}


def test_nothing_to_write_sends_nothing(api):
    backend = backend_for(api)
    backend.ensure_tabs([("DINKES", "")])
    snapshot = backend.read(["DINKES"], {})[0].snapshot
    before = api.counts()
    assert backend.write([TabWrites("DINKES", "DINKES")], {"DINKES": snapshot}) == {}
    assert delta(api, before) == {"drive": 0, "read": 0, "write": 0}


# --- reading what Google stores -----------------------------------------------------------------


def test_trailing_empty_rows_and_cells_are_trimmed_and_blank_headers_kept(api):
    backend = backend_for(api)
    backend.ensure_tabs([("DINKES", "")])
    api.sheet(SID, "DINKES").cols = 26  # an operator added columns
    put(api, "DINKES", 0, {24: "Tambahan"})  # column 24 headed, column 23 blank
    put(api, "DINKES", 1, {2: "Jumlah Puskesmas", 4: "Unit"})
    put(api, "DINKES", 3, {NILAI: 22})  # row 2 (index) left empty in between
    api.sheet(SID, "DINKES").cell(7, 5).note = "catatan orang"  # a note alone is no data
    snapshot = backend.read(["DINKES"], {})[0].snapshot
    assert snapshot.header[:23] == HEADERS and snapshot.header[23] is None and snapshot.header[24] == "Tambahan"
    assert snapshot.rows == [[None, None, "Jumlah Puskesmas", None, "Unit"], [], [None] * NILAI + [22]]
    assert snapshot.cell(1, 4) is None and snapshot.cell(2, NILAI) == 22
    raw = [r for r in api.requests_of() if r.method.endswith("spreadsheets.get")][-1]
    # the fields mask alone asks for grid data (Google ignores includeGridData when a mask is set)
    assert "includeGridData" not in raw.query and "note" in raw.query["fields"][0]


def test_percent_cell_is_a_fraction_marked_as_percent(api):
    backend = backend_for(api)
    backend.ensure_tabs([("DINKES", "")])
    put(api, "DINKES", 1, {2: "Persentase balita gizi buruk"})
    typed(api, OPERATOR, f"'DINKES'!{chr(65 + NILAI)}2", "12,5%")
    snapshot = backend.read(["DINKES"], {})[0].snapshot
    assert snapshot.cell(0, NILAI) == 0.125
    assert snapshot.percent == {(0, NILAI)}


@pytest.mark.parametrize("entered, option, expected", [
    ("1.234,5", "RAW", "1.234,5"),  # a cell formatted as text keeps the text
    ("'0123", "USER_ENTERED", "0123"),  # an apostrophe keeps the leading zero
    ("1.234,5", "USER_ENTERED", 1234.5),  # typed in an id_ID sheet: Google stores the number
    ("1.234", "USER_ENTERED", 1234),  # never 1.234
    ("=1+1", "USER_ENTERED", 2),  # a formula is read by its result
])
def test_values_are_read_as_stored_never_numericised(api, entered, option, expected):
    backend = backend_for(api)
    backend.ensure_tabs([("DINKES", "")])
    put(api, "DINKES", 1, {2: "Jumlah"})
    typed(api, OPERATOR, f"'DINKES'!{chr(65 + NILAI)}2", entered, option)
    value = backend.read(["DINKES"], {})[0].snapshot.cell(0, NILAI)
    assert value == expected and type(value) is type(expected)


def test_dates_become_dates_and_formula_errors_become_problems(api):
    backend = backend_for(api)
    backend.ensure_tabs([("DINKES", "")])
    put(api, "DINKES", 1, {2: "Tanggal", 5: Cell(value=45658, number_format={"type": "DATE"}),
                           NILAI: Cell(formula="=1/0")})
    snapshot = backend.read(["DINKES"], {})[0].snapshot
    assert snapshot.cell(0, 5) == date(2025, 1, 1)
    assert snapshot.cell(0, NILAI) is None and "galat" in snapshot.problems[(0, NILAI)]


@pytest.mark.parametrize("first_id", [0, 987654])
def test_the_first_tab_may_be_the_opd_tab_whatever_its_sheet_id(first_id):
    api = FakeSheetsApi()
    api.create_spreadsheet(SID, first_tab="DINKES", first_id=first_id)
    put(api, "DINKES", 0, dict(enumerate(HEADERS)))
    put(api, "DINKES", 1, {2: "Jumlah Bidan"})
    backend = backend_for(api)
    assert backend.ensure_tabs([("DINKES", "")]) == []
    snapshot = backend.read(["DINKES"], {})[0].snapshot
    backend.write([TabWrites("DINKES", "DINKES", [CellWrite(1, 0, "DINKES-0001")], [NoteWrite(1, 2, OWNED + "cek")])],
                  {"DINKES": snapshot})
    assert (api.sheet(SID, "DINKES").get(1, 0), api.sheet(SID, "DINKES").note(1, 2)) == ("DINKES-0001", OWNED + "cek")


def test_missing_tab_is_an_indonesian_error_and_a_deleted_tab_is_noticed(api):
    backend = backend_for(api, ["DINKES", "DIKPORA"])
    backend.ensure_tabs([("DINKES", ""), ("DIKPORA", "")])
    book = api.spreadsheets[SID]
    book.sheets.remove(book.sheet("DIKPORA"))  # deleted after the backend listed the tabs
    api.touch(SID)
    dinkes, dikpora = backend.read(["DINKES", "DIKPORA"], {})
    assert dinkes.snapshot is not None
    assert dikpora.error.startswith("Tab DIKPORA tidak ditemukan")
    assert "tab yang ada: DINKES" in dikpora.error  # a renamed tab's message names what it found
    assert backend.ensure_tabs([("DINKES", ""), ("DIKPORA", "")]) == ["DIKPORA"]


# --- writing ------------------------------------------------------------------------------------


def test_writes_are_never_user_entered_and_text_stays_text(api):
    backend = backend_for(api)
    backend.ensure_tabs([("DINKES", "")])
    put(api, "DINKES", 1, {2: "Jumlah", 14: True})
    snapshot = backend.read(["DINKES"], {})[0].snapshot
    cells = [CellWrite(1, 21, "=1+1"), CellWrite(1, 22, "1.234"), CellWrite(1, 0, "+62 812"), CellWrite(1, 14, False)]
    assert backend.write([TabWrites("DINKES", "DINKES", cells)], {"DINKES": snapshot})["DINKES"].reason is None
    sheet = api.sheet(SID, "DINKES")
    assert [sheet.get(1, c) for c in (21, 22, 0, 14)] == ["=1+1", "1.234", "+62 812", False]
    assert sheet.cells[1, 21].formula is None
    assert all("USER_ENTERED" not in json.dumps([r.query, r.body]) for r in api.requests_of())


def test_notes_use_exactly_covering_ranges_and_leave_a_persons_note_alone(api):
    backend = backend_for(api)
    backend.ensure_tabs([("DINKES", "")])
    sheet = api.sheet(SID, "DINKES")
    put(api, "DINKES", 1, {2: "Jumlah"})
    sheet.cell(1, 5).note = "Tolong dicek lagi (Bu Ani)"  # a person's note, next to ours
    sheet.cell(1, 7).note = OWNED + "lama"
    snapshot = backend.read(["DINKES"], {})[0].snapshot
    notes = [NoteWrite(1, 4, OWNED + "Satuan kosong"), NoteWrite(1, 5, OWNED + "menimpa?"), NoteWrite(1, 6, OWNED + "x"),
             NoteWrite(1, 7, None), NoteWrite(1, 5, None)]
    backend.write([TabWrites("DINKES", "DINKES", notes=notes)], {"DINKES": snapshot})
    assert [sheet.note(1, c) for c in (4, 5, 6, 7)] == [OWNED + "Satuan kosong", "Tolong dicek lagi (Bu Ani)",
                                                          OWNED + "x", None]
    for request in sa_bodies(api, "spreadsheets.batchUpdate")[-1]["requests"]:
        update = request["updateCells"]
        rng, values = update["range"], update["rows"][0]["values"]
        assert update["fields"] == "note"
        assert (rng["endRowIndex"] - rng["startRowIndex"], rng["endColumnIndex"] - rng["startColumnIndex"]) == \
               (1, len(values))


def test_only_a_persons_notes_in_the_way_sends_nothing(api):
    backend = backend_for(api)
    backend.ensure_tabs([("DINKES", "")])
    api.sheet(SID, "DINKES").cell(1, 5).note = "catatan orang"
    put(api, "DINKES", 1, {2: "Jumlah"})
    snapshot = backend.read(["DINKES"], {})[0].snapshot
    before = api.counts()
    outcome = backend.write([TabWrites("DINKES", "DINKES", notes=[NoteWrite(1, 5, None)])], {"DINKES": snapshot})
    assert outcome["DINKES"].reason is None and outcome["DINKES"].token == snapshot.token
    assert delta(api, before)["write"] == 0 and api.sheet(SID, "DINKES").note(1, 5) == "catatan orang"


def test_a_spreadsheet_edited_after_the_read_is_not_written(api):
    backend = backend_for(api)
    backend.ensure_tabs([("DINKES", "")])
    put(api, "DINKES", 1, {2: "Jumlah"})
    snapshot = backend.read(["DINKES"], {})[0].snapshot
    typed(api, OPERATOR, "'DINKES'!C3", "Baris baru")
    before = api.counts()
    outcome = backend.write([TabWrites("DINKES", "DINKES", [CellWrite(1, 0, "DINKES-0001")])], {"DINKES": snapshot})
    assert "berubah sejak dibaca" in outcome["DINKES"].reason
    assert delta(api, before) == {"drive": 1, "read": 0, "write": 0}


# --- the tab template ---------------------------------------------------------------------------


def test_missing_tabs_are_made_from_the_template_in_one_batch_update(api):
    backend = backend_for(api, ["DINKES", "DIKPORA"])
    before = api.counts()
    assert backend.ensure_tabs([("DINKES", "Dinas Kesehatan"), ("DIKPORA", "Dinas Pendidikan")]) == ["DINKES", "DIKPORA"]
    assert delta(api, before) == {"drive": 0, "read": 1, "write": 1}
    kinds = {next(iter(r)) for r in sa_bodies(api, "spreadsheets.batchUpdate")[0]["requests"]}
    assert {"addSheet", "updateCells", "setDataValidation", "addProtectedRange", "addConditionalFormatRule"} <= kinds
    sheet = api.sheet(SID, "DINKES")
    assert [sheet.get(0, c) for c in range(len(HEADERS))] == HEADERS and sheet.frozen_rows == 1
    boxes = {c for c, col in enumerate(COLUMNS) if col.box}
    assert {rng["startColumnIndex"] for rng, rule in sheet.validations if rule["condition"]["type"] == "BOOLEAN"} == boxes
    sa = api.service_account

    def editors(col):
        ranges = [p for p in sheet.protected if sheet.covers(p["range"], 5, col)]
        return [set(p["editors"]["users"]) - {api.owner} for p in ranges]

    assert editors(0) == [{sa}, {OPERATOR, WALIDATA, sa}]  # ID: system column
    assert editors(STATUS) == [{sa}, {OPERATOR, WALIDATA, sa}]
    assert editors(HEADERS.index("Terverifikasi")) == [{WALIDATA, sa}, {OPERATOR, WALIDATA, sa}]
    assert editors(NILAI) == [{OPERATOR, WALIDATA, sa}]
    rules = [r["booleanRule"]["condition"] for r in sheet.conditional]
    assert all(r["ranges"][0]["startColumnIndex"] == STATUS for r in sheet.conditional)
    assert [c["values"][0]["userEnteredValue"] for c in rules][:2] == ["10", "9"]


def test_adding_a_tab_is_not_retried_blindly_after_a_lost_answer(api):
    backend = backend_for(api)
    api.fail("write", error="timeout", applied=True)
    assert backend.ensure_tabs([("DINKES", "")]) == []  # Google made it, but we never heard
    assert backend.ensure_tabs([("DINKES", "")]) == []  # listed again, found: not added twice
    assert [s.title for s in api.spreadsheets[SID].sheets] == ["Sheet1", "DINKES"]


# --- retry policy -------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_transient_answers_are_retried_with_capped_full_jitter(api, status):
    sleeps: list[float] = []
    backend = backend_for(api, sleeps=sleeps)
    backend.retry.rand = lambda: 0.5
    api.fail("drive", status=status, times=4)
    backend.version(SID)
    assert api.count("drive") == 5 and sleeps == [1.0, 2.0, 4.0, 8.0]
    assert RetryPolicy(base=100, rand=lambda: 1.0).delay(4) == 60


def test_retry_gives_up_after_five_attempts_and_the_cycle_reports_it(api):
    sleeps: list[float] = []
    backend = backend_for(api, sleeps=sleeps)
    api.fail("drive", status=503, times=50)
    result = backend.read(["DINKES"], {})[0]
    assert api.count("drive") == 5 and len(sleeps) == 4
    assert "dicoba lagi pada siklus berikutnya" in result.error


@pytest.mark.parametrize("status", [400, 403, 404])
def test_permanent_answers_are_not_retried(api, status):
    backend = backend_for(api, sleeps=[])
    api.fail("drive", status=status, times=5)
    with pytest.raises(GoogleError):
        backend.version(SID)
    assert api.count("drive") == 1


@pytest.mark.parametrize("error", ["timeout", "connect-timeout", "reset"])
def test_lost_connections_are_retried_and_every_request_has_a_timeout(api, error):
    backend = backend_for(api, sleeps=[])
    api.fail(None, error=error, times=2)
    backend.ensure_tabs([("DINKES", "")])
    assert backend.read(["DINKES"], {})[0].snapshot is not None
    assert all(r.timeout == TIMEOUT for r in api.requests_of())


# --- credentials --------------------------------------------------------------------------------


def _config(tmp_path, credentials=None):
    from tests.google_world import google_config

    config = google_config(tmp_path)
    return config.__class__(**{**config.__dict__, "credentials": credentials})


def test_credentials_come_from_the_key_file_and_are_never_shown(tmp_path, monkeypatch, caplog):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    path = tmp_path / "sa.json"
    path.write_text(json.dumps({"type": "service_account", "project_id": "p", "private_key_id": "1",
                                "private_key": key, "client_email": "poller@p.iam.gserviceaccount.com",
                                "client_id": "1", "token_uri": "https://oauth2.googleapis.com/token"}))
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(path))
    backend = GoogleBackend.from_config(_config(tmp_path))
    assert backend.service_account == "poller@p.iam.gserviceaccount.com"
    path.write_text(json.dumps({"type": "authorized_user", "private_key": key}))
    with pytest.raises(CredentialsError) as caught:
        GoogleBackend.from_config(_config(tmp_path, credentials=path))
    assert "bukan kunci akun layanan" in str(caught.value) and "PRIVATE" not in str(caught.value)
    assert "PRIVATE" not in caplog.text


def test_missing_credentials_say_what_to_set(tmp_path, monkeypatch):
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    with pytest.raises(CredentialsError, match="GOOGLE_APPLICATION_CREDENTIALS"):
        GoogleBackend.from_config(_config(tmp_path))
    with pytest.raises(CredentialsError, match="tidak ditemukan"):
        GoogleBackend.from_config(_config(tmp_path, credentials=tmp_path / "tidak-ada.json"))


# --- the fake refuses what Google refuses ---------------------------------------------------------


@pytest.mark.parametrize("method, path, params, body, message", [
    ("get", "", {"rangez": "A1"}, None, "Cannot bind query parameter"),
    ("get", "/values/A1", {"valueRenderOption": "RAW"}, None, "Invalid value"),
    ("get", "", {"fields": "sheets(properties(titel))"}, None, "Invalid field selection"),
    ("post", ":batchUpdate", None, {"requests": [{"updateCells": {"rangee": {}}}]}, "Unknown name \"rangee\""),
    ("post", ":batchUpdate", None, {"requests": [{"updateCells": {"range": {"sheetId": "0"}}}]}, "TYPE_INT32"),
    ("post", ":batchUpdate", None, {"requests": [{"addCheckbox": {}}]}, "Unknown name \"addCheckbox\""),
    ("post", ":batchUpdate", None, {"requests": [{"setDataValidation": {"rule": {"condition": {"type": "CHECKBOX"}}}}]},
     "Invalid value"),
    ("post", ":batchUpdate", None, {"requests": [{"updateCells": {"fields": "notes", "start": {}}}]},
     "Invalid field selection"),
    ("post", "/values:batchUpdate", None, {"data": []}, "valueInputOption"),
    ("post", "/values:batchUpdate", None, {"valueInputOption": "AS_TYPED", "data": []}, "Invalid value"),
    ("put", "/values/A1", {"valueInputOption": "RAW"}, {"values": [[1]], "majorDimensions": "ROWS"}, "Unknown name"),
])
def test_malformed_requests_get_googles_400(api, method, path, params, body, message):
    response = api.client().http_client.session.request(
        method, f"https://sheets.googleapis.com/v4/spreadsheets/{SID}{path}", params=params, json=body, timeout=5)
    assert response.status_code == 400
    assert response.json()["error"]["status"] == "INVALID_ARGUMENT" and message in response.json()["error"]["message"]


def test_the_fake_refuses_other_hosts_and_counts_the_quota(api):
    session = api.client().http_client.session
    with pytest.raises(requests.ConnectionError):
        session.get("https://example.com/", timeout=5)
    url = f"https://sheets.googleapis.com/v4/spreadsheets/{SID}"
    answers = [session.get(url, params={"fields": "spreadsheetId"}, timeout=5) for _ in range(61)]
    assert [a.status_code for a in answers].count(429) == 1
    error = answers[-1].json()["error"]
    assert error["status"] == "RESOURCE_EXHAUSTED" and error["details"][0]["reason"] == "RATE_LIMIT_EXCEEDED"
    api.clock.advance(60)
    assert session.get(url, params={"fields": "spreadsheetId"}, timeout=5).status_code == 200


def test_revoked_key_becomes_an_indonesian_error_not_a_traceback():
    from google.auth.exceptions import RefreshError, TransportError

    from sheets.google.retry import GoogleError, RetryPolicy

    def revoked():
        raise RefreshError("invalid_grant: Invalid JWT Signature.")

    with pytest.raises(GoogleError) as err:
        RetryPolicy(sleep=lambda s: None).run(revoked, "Membaca spreadsheet")
    assert err.value.status == 401 and "kunci akun layanan ditolak" in str(err.value)

    calls = []

    def offline():
        calls.append(1)
        raise TransportError("token server unreachable")

    with pytest.raises(GoogleError, match="server token Google"):
        RetryPolicy(attempts=3, sleep=lambda s: None).run(offline, "Membaca spreadsheet")
    assert len(calls) == 3
