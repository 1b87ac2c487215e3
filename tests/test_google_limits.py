"""What Google does at a regency's size and in real use (DECISIONS.md #14): Drive's 403 rate
limits, 400 protected-cell answers, unreadable date serials, request-size bounds."""
from __future__ import annotations

import json

from sheets.base import CellWrite, TabWrites
from sheets.google import MAX_REQUEST_BYTES, TIMEOUT
from sheets.layout import HEADERS
from tests.fake_sheets_grid import Cell
from tests.test_google_backend import SID, backend_for, delta, put
from tests.test_google_backend import api as _api

api = _api  # the shared fixture

NILAI = HEADERS.index("Nilai")
ID = HEADERS.index("ID")


def _two_tabs(api):
    backend = backend_for(api, ["DINKES", "DIKPORA"])
    backend.ensure_tabs([("DINKES", ""), ("DIKPORA", "")])
    return backend


def test_drive_403_rate_limit_is_retried_like_429(api):
    backend = _two_tabs(api)
    api.fail("drive", error="drive-rate-limit", times=2)
    results = backend.read(["DINKES", "DIKPORA"], {})
    assert all(r.error is None for r in results)
    assert [r.status for r in api.requests_of() if r.kind == "drive"][:3] == [403, 403, 200]


def test_a_date_formatted_number_beyond_year_9999_is_a_finding_and_every_tab_is_read(api):
    backend = _two_tabs(api)
    put(api, "DINKES", 1, {NILAI: Cell(value=3_000_000, number_format={"type": "DATE", "pattern": "dd/mm/yyyy"})})
    put(api, "DIKPORA", 1, {NILAI: 7})
    dinkes, dikpora = backend.read(["DINKES", "DIKPORA"], {})
    assert dinkes.error is None and "di luar rentang tanggal" in dinkes.snapshot.problems[0, NILAI]
    assert dinkes.snapshot.rows[0][NILAI] is None
    assert dikpora.snapshot.rows[0][NILAI] == 7


def test_a_tab_refused_as_protected_does_not_stop_the_other_tabs(api):
    backend = _two_tabs(api)
    book = api.spreadsheets[SID]
    sheet = book.sheet("DINKES")
    sheet.protected.append({"range": {"sheetId": sheet.sheet_id, "startColumnIndex": ID, "endColumnIndex": ID + 1},
                            "description": "dikunci pemilik", "editors": {"users": [book.owner]}})
    results = backend.read(["DINKES", "DIKPORA"], {})
    out = backend.write([TabWrites(r.opd, r.opd, [CellWrite(1, ID, f"{r.opd}-0001")]) for r in results],
                        {r.opd: r.snapshot for r in results})
    assert out["DIKPORA"].reason is None and api.sheet(SID, "DIKPORA").get(1, ID) == "DIKPORA-0001"
    assert out["DINKES"].reason.startswith("Tab DINKES: ") and "sel terlindungi" in out["DINKES"].reason
    assert api.sheet(SID, "DINKES").get(1, ID) is None
    assert [r.status for r in api.requests_of() if r.kind == "write"][-3:] == [400, 400, 200]  # both, then each alone


def test_an_ordinary_busy_write_is_one_request_for_every_tab(api):
    backend = _two_tabs(api)
    results = backend.read(["DINKES", "DIKPORA"], {})
    before = api.counts()
    backend.write([TabWrites(r.opd, r.opd, [CellWrite(1, ID, f"{r.opd}-0001")]) for r in results],
                  {r.opd: r.snapshot for r in results})
    # no row-identity batchGet: the write follows the read within FRESH_SECONDS
    assert delta(api, before) == {"drive": 1, "read": 0, "write": 1}


def test_a_large_first_write_is_split_into_requests_below_two_megabytes(api):
    backend = backend_for(api, ["DINKES"])
    backend.ensure_tabs([("DINKES", "")])
    api.sheet(SID, "DINKES").rows = 5000
    (result,) = backend.read(["DINKES"], {})
    text = "x" * 2000
    cells = [CellWrite(r, c, text) for r in range(1, 2001) for c in (HEADERS.index("Hasil Pemeriksaan"),)]
    out = backend.write([TabWrites("DINKES", "DINKES", cells)], {"DINKES": result.snapshot})
    assert out["DINKES"].reason is None
    bodies = [r for r in api.requests_of() if r.method.endswith("spreadsheets.batchUpdate")][-3:]
    sizes = [len(json.dumps(r.body).encode()) for r in bodies]
    assert len(sizes) >= 2 and max(sizes) <= 2_000_000 and MAX_REQUEST_BYTES <= 2_000_000
    assert api.sheet(SID, "DINKES").get(2000, HEADERS.index("Hasil Pemeriksaan")) == text


def test_the_read_timeout_outlasts_googles_180_second_limit():
    assert TIMEOUT[1] > 180


def test_reads_ask_for_compact_gzip_answers(api):
    backend = _two_tabs(api)
    backend.read(["DINKES", "DIKPORA"], {})
    assert all(r.query.get("prettyPrint") == ["false"] for r in api.requests_of())
    assert backend.session.headers["Accept-Encoding"] == "gzip" and "gzip" in backend.session.headers["User-Agent"]
