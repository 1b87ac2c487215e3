"""The shared SOP scenarios (tests/test_sop_flow.py) run through GoogleBackend and the fake Sheets
API, with operators and the Walidata editing as themselves; plus what only Google has: checkboxes,
protected ranges, quota storms and outages in the middle of a cycle."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from service.archive import schema
from tests import test_sop_flow as flow
from tests.google_world import SPREADSHEET, GoogleWorld

OPD = flow.OPD


@pytest.fixture
def world(tmp_path) -> GoogleWorld:
    return GoogleWorld(tmp_path)


# the shared scenarios, unchanged, on this module's `world`
test_new_row_gets_an_id_and_draft_state = flow.test_new_row_gets_an_id_and_draft_state
test_row_walks_from_draft_to_archive = flow.test_row_walks_from_draft_to_archive
test_box_ticked_before_its_turn_is_cleared_with_a_note = flow.test_box_ticked_before_its_turn_is_cleared_with_a_note
test_new_catatan_walidata_sends_a_filled_row_to_revision = flow.test_new_catatan_walidata_sends_a_filled_row_to_revision
test_second_poll_without_edits_writes_nothing_and_records_nothing = (
    flow.test_second_poll_without_edits_writes_nothing_and_records_nothing)
test_fill_with_errors_goes_to_perlu_perbaikan_and_clears_the_box = (
    flow.test_fill_with_errors_goes_to_perlu_perbaikan_and_clears_the_box)
test_clearing_own_box_steps_the_row_back = flow.test_clearing_own_box_steps_the_row_back
test_editing_agreed_item_reopens_the_list = flow.test_editing_agreed_item_reopens_the_list
test_value_edit_after_archive_asks_for_reverification_and_keeps_both_versions = (
    flow.test_value_edit_after_archive_asks_for_reverification_and_keeps_both_versions)
test_poller_never_writes_operator_or_walidata_columns = flow.test_poller_never_writes_operator_or_walidata_columns


def sheets_requests(world) -> dict[str, int]:
    return world.api.counts()


def test_idle_polls_cost_only_drive_requests(world):
    rid = flow.add_item(world)
    world.poll()  # reads its own writes once
    before = sheets_requests(world)
    world.poll()
    world.poll()
    after = sheets_requests(world)
    assert (after["read"] - before["read"], after["write"] - before["write"]) == (0, 0)
    assert after["drive"] - before["drive"] == 2
    assert flow.status(world, rid) == "1 Draf"


def test_checkbox_clicks_walk_the_steps(world):
    rid = flow.add_item(world)
    for header in ("Dicek Bersama", "Disepakati OPD", "Disepakati Walidata", "Disetujui Ka. OPD"):
        world.backend.set(OPD, rid, header, True)  # a click on the checkbox stores TRUE
    world.poll()
    assert flow.status(world, rid) == "6 Disetujui"
    world.backend.set(OPD, rid, "Selesai Diisi", True)
    world.poll()
    assert flow.status(world, rid) == "8 Perlu Perbaikan"  # nothing filled: the box is cleared
    assert world.backend.get(OPD, rid, "Selesai Diisi") is False


def test_operator_cannot_overwrite_status_or_walidata_columns(world):
    from gspread.exceptions import APIError

    rid = flow.add_item(world)
    operator = world.backend.operators[OPD][0]
    row = world.backend.row_of(OPD, rid)
    for header in ("Status", "Terverifikasi", "Catatan Walidata"):
        with pytest.raises(APIError) as caught:
            world.backend.type_into(operator, OPD, row, world.backend._col(OPD, header), "10 Diarsip")
        assert caught.value.response.status_code == 400  # Google: "You are trying to edit a protected cell"
    assert flow.status(world, rid) == "1 Draf"
    # the Walidata may tick its own columns, another OPD's operator may not touch this tab at all
    world.backend.type_into(world.backend.walidata[0], OPD, row, world.backend._col(OPD, "Dicek Bersama"), True)
    with pytest.raises(APIError):
        world.backend.type_into(world.backend.operators["DIKPORA"][0], OPD, row,
                                world.backend._col(OPD, "Nilai"), 5)


def test_quota_storm_and_outages_lose_no_edit_and_archive_once(world):
    rid = flow.to_approved(world)
    flow.fill(world, rid)
    flow.tick(world, rid, "Selesai Diisi")
    world.poll()
    flow.tick(world, rid, "Terverifikasi")  # verified once shown as 7 Diisi
    world.api.fail("read", status=503, times=4)
    world.api.fail("write", status=429, times=4)
    world.poll()  # every request finally answers within five attempts
    assert flow.status(world, rid) == "10 Diarsip"
    world.api.fail("write", status=503, times=5)  # the write never lands this cycle
    world.backend.set(OPD, rid, "Nilai", "1.300")
    report = world.poll()
    assert any("Google" in e for e in report.errors)
    assert flow.status(world, rid) == "10 Diarsip"  # the sheet is behind the database for now
    world.api.fail(None, error="reset", times=2)
    world.poll()
    assert flow.status(world, rid) == "7 Diisi"
    flow.tick(world, rid, "Terverifikasi")
    world.poll()
    world.poll()
    assert flow.status(world, rid) == "10 Diarsip"
    with world.store.engine.connect() as conn:
        versions = [(r.version, r.nilai) for r in conn.execute(select(schema.archive))]
    assert sorted(versions) == [(1, 1234.0), (2, 1300.0)]


def test_real_quota_exhaustion_is_waited_out(world):
    rid = flow.add_item(world)
    world.api.quota = 1  # one read a minute, already used: the retry's waits move the clock past the minute
    world.backend.retry.base, world.backend.retry.rand = 30, lambda: 1.0
    flow.tick(world, rid, "Dicek Bersama")
    world.api.clock.advance(60)
    world.backend.sheet_titles(SPREADSHEET, refresh=True)
    world.poll(minutes=0)
    assert flow.status(world, rid) == "3 Dicek"
    assert any(r.status == 429 for r in world.api.requests_of())


def test_spreadsheet_not_shared_is_reported_in_indonesian(world):
    world.api.spreadsheets[SPREADSHEET].editors.clear()
    report = world.poll()
    assert report.errors
    assert all("bagikan spreadsheet ke" in e and world.api.service_account in e for e in report.errors)


# --- satudata doctor ----------------------------------------------------------------------------


def checkup(world):
    from service.cli.doctor import doctor

    return doctor(world.config, client=world.api.client(), service_account=world.api.service_account)


def test_doctor_is_happy_with_a_ready_workspace(world):
    world.poll()
    lines = checkup(world)
    assert all(ok for ok, _ in lines), lines
    assert any("judul kolom lengkap" in text for _, text in lines)


def test_doctor_says_to_share_the_spreadsheet_as_editor(world):
    sa = world.api.service_account
    book = world.api.spreadsheets[SPREADSHEET]
    book.editors.discard(sa)
    assert checkup(world)[0] == (False, f"Spreadsheet {SPREADSHEET} tidak ditemukan atau belum dibagikan: periksa "
                                        f"spreadsheet_id dan bagikan spreadsheet ke {sa} sebagai Editor")
    book.viewers.add(sa)
    assert checkup(world)[0] == (False, f"{sa} hanya dapat melihat spreadsheet '{book.title}': bagikan "
                                        f"spreadsheet ke {sa} sebagai Editor")


def test_doctor_points_at_broken_headers_missing_tabs_and_foreign_protection(world):
    world.poll()
    book = world.api.spreadsheets[SPREADSHEET]
    sheet = book.sheet(OPD)
    sheet.cells[0, world.backend._col(OPD, "Satuan")].value = "Unit Ukur"
    sheet.protected.append({"range": {"sheetId": sheet.sheet_id, "startColumnIndex": 6, "endColumnIndex": 7},
                            "description": "Nilai dikunci", "editors": {"users": [book.owner]}})
    book.sheets.remove(book.sheet("DIKPORA"))
    problems = [text for ok, text in checkup(world) if not ok]
    assert problems == [
        "Tab DINKES: kolom wajib tidak ditemukan di baris 1: Satuan. Perbaiki judul kolomnya (urutan bebas)",
        f"Tab DINKES: rentang terlindungi 'Nilai dikunci' tidak mengizinkan {world.api.service_account}; tambahkan "
        f"{world.api.service_account} sebagai editornya (Data > Lindungi sheet dan rentang)",
    ]
    assert (True, "Tab DIKPORA belum ada di 'Satu Data Magetan'; dibuat otomatis dari templat pada poll berikutnya") \
        in checkup(world)


def test_doctor_explains_how_to_get_credentials(world, monkeypatch):
    from service.cli.doctor import doctor

    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    ok, text = doctor(world.config)[0]
    assert not ok and "Cara menyiapkan" in text and "Google Sheets API" in text


def test_doctor_on_an_xlsx_workspace_checks_the_workbooks(tmp_path):
    from service.cli.doctor import doctor
    from tests.conftest import make_config

    lines = doctor(make_config(tmp_path))
    assert lines == [(True, f"Folder {tmp_path / 'sheets'} belum ada; dibuat pada poll berikutnya beserta buku "
                            "kerja tiap OPD")]


def test_a_protection_without_the_service_account_is_reported_not_half_written(world):
    rid = flow.add_item(world)
    book = world.api.spreadsheets[SPREADSHEET]
    sheet = book.sheet(OPD)
    status_col = world.backend._col(OPD, "Status")
    sheet.protected.append({"range": {"sheetId": sheet.sheet_id, "startColumnIndex": status_col,
                                      "endColumnIndex": status_col + 1}, "editors": {"users": [book.owner]}})
    flow.tick(world, rid, "Dicek Bersama")
    stamped = world.backend.get(OPD, rid, "Diperbarui")
    report = world.poll()
    assert any("sel terlindungi" in e for e in report.errors)
    assert (flow.status(world, rid), world.backend.get(OPD, rid, "Diperbarui")) == ("1 Draf", stamped)  # atomic
    sheet.protected.pop()
    world.poll()
    assert flow.status(world, rid) == "3 Dicek"
