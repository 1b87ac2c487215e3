"""DECISIONS.md #11 and #13 on the Google Sheets fake: revision editors name who edited, a reviewer's
comment on a filled row is a revision request, and a blocking galat keeps one assigned thread of
the poller's that is resolved once the row passes. The comment schemas are those of the Sheets v4
discovery document shipped with google-api-python-client (revision 20261019)."""
from __future__ import annotations

import pytest
from gspread.exceptions import APIError

from tests import test_sop_flow as flow
from tests.fake_sheets_comments import comment_as, threads_of
from tests.google_world import OPERATORS, SPREADSHEET, WALIDATA, GoogleWorld

OPD = flow.OPD
OPERATOR = OPERATORS[OPD][0]


@pytest.fixture
def world(tmp_path) -> GoogleWorld:
    w = GoogleWorld(tmp_path)
    w.api.spreadsheets[SPREADSHEET].__dict__["names"] = {WALIDATA: "Budi (Walidata)", OPERATOR: "Sari (Dinkes)"}
    return w


def filled(world) -> str:
    rid = flow.to_approved(world)
    flow.fill(world, rid, 2024, "31")
    flow.tick(world, rid, "Selesai Diisi")
    world.poll()
    assert flow.status(world, rid) == "7 Diisi"
    return rid


def comment(world, who: str, rid: str, header: str, text: str) -> None:
    sheet = world.api.sheet(SPREADSHEET, OPD)
    comment_as(world.backend.person(who), SPREADSHEET, sheet.sheet_id, world.backend.row_of(OPD, rid) - 1,
               world.backend._col(OPD, header), text)


def threads(world) -> list[dict]:
    return threads_of(world.api.spreadsheets[SPREADSHEET])


def own(world) -> list[dict]:
    return [t for t in threads(world) if t["headPost"]["authorEmail"] == world.api.service_account]


def sa_writes(world, since: int) -> list:
    return [r for r in world.api.requests_of()[since:] if r.kind == "write"]


def test_a_reviewers_comment_on_a_filled_rows_nilai_sends_it_to_revision(world):
    rid = filled(world)
    comment(world, WALIDATA, rid, "Nilai", "Angka 31 tidak cocok dengan laporan puskesmas")
    world.poll()
    assert flow.status(world, rid) == "7a Revisi"
    assert world.backend.get(OPD, rid, "Selesai Diisi") is False
    event = world.reads.events(limit=1, opd=OPD, row_id=rid)[0]
    assert event["to_state"] == "7a" and "Angka 31 tidak cocok" in event["reason"]
    assert event["oleh"] == f"Budi (Walidata) <{WALIDATA}>" and "komentar" in event["bagaimana"]
    assert f"{WALIDATA} tercantum di [walidata] emails" in event["bagaimana"]
    (thread,) = threads(world)
    assert [p["authorEmail"] for p in thread["replies"]] == [world.api.service_account]  # taken: seen
    assert thread["headPost"]["content"] == "Angka 31 tidak cocok dengan laporan puskesmas"  # never edited
    flow.tick(world, rid, "Selesai Diisi")  # the operator fixes and fills again
    world.poll()
    assert flow.status(world, rid) == "7 Diisi"  # the answered thread is not a second request


def test_a_comment_on_a_row_not_yet_filled_is_only_a_conversation(world):
    rid = flow.to_approved(world)
    comment(world, WALIDATA, rid, "Nilai", "Nanti diisi dari Profil Kesehatan")
    world.poll()
    assert flow.status(world, rid) == "6 Disetujui"
    assert threads(world)[0]["replies"] == []


def test_a_failing_fill_opens_one_assigned_thread_that_is_resolved_when_the_row_passes(world):
    rid = flow.to_approved(world)
    flow.fill(world, rid, 2024, "banyak")
    flow.tick(world, rid, "Selesai Diisi")
    world.poll()
    assert flow.status(world, rid) == "8 Perlu Perbaikan"
    (thread,) = own(world)
    assert thread["headPost"]["assigneeEmail"] == OPERATOR and thread["status"] == "OPEN"
    assert thread["headPost"]["content"].startswith(f"[Pemeriksaan otomatis] {rid}:")
    col = world.backend._col(OPD, "Nilai")
    assert (thread["range"]["startRowIndex"], thread["range"]["startColumnIndex"]) == (
        world.backend.row_of(OPD, rid) - 1, col)
    world.poll()
    world.poll()
    assert len(own(world)) == 1 and own(world)[0]["replies"] == []  # not one per cycle
    flow.fill(world, rid, 2024, "-5")  # still wrong, differently: a reply in the same thread
    flow.tick(world, rid, "Selesai Diisi")
    world.poll()
    assert len(own(world)) == 1 and len(own(world)[0]["replies"]) == 1
    flow.fill(world, rid, 2024, "31")
    flow.tick(world, rid, "Selesai Diisi")
    world.poll()
    assert flow.status(world, rid) == "7 Diisi"
    (thread,) = own(world)
    assert thread["status"] == "RESOLVED" and thread["replies"][-1]["commentAction"] == "RESOLVE"


def test_the_busy_cycle_still_reads_once_and_writes_at_most_twice(world):
    rid = flow.to_approved(world)
    flow.fill(world, rid, 2024, "banyak")
    flow.tick(world, rid, "Selesai Diisi")
    since = len(world.api.requests_of())
    world.poll()
    log = world.api.requests_of()[since:]
    # the grid read; the write follows it within seconds, so no values.batchGet re-reads the rows
    assert [r.method for r in log if r.kind == "read"] == ["sheets.spreadsheets.get"]
    assert [r.method for r in log if r.kind == "write"] == ["sheets.spreadsheets.batchUpdate"] * 2
    assert own(world)


def test_a_comment_that_google_cannot_save_is_retried_next_cycle_and_never_blocks_cells(world):
    rid = flow.to_approved(world)
    flow.fill(world, rid, 2024, "banyak")
    flow.tick(world, rid, "Selesai Diisi")
    world.api.comment_failures = 1
    world.poll()
    assert flow.status(world, rid) == "8 Perlu Perbaikan"
    assert world.backend.get(OPD, rid, "Selesai Diisi") is False  # the cell writes went through
    assert own(world) == []
    world.poll()
    assert len(own(world)) == 1


def test_the_poller_never_edits_or_deletes_a_post_it_did_not_write(world):
    rid = filled(world)
    comment(world, WALIDATA, rid, "Nilai", "Cek lagi")
    flow.fill(world, rid, 2024, "banyak")
    world.poll()
    world.poll()
    methods = {k for r in world.api.requests_of() if r.body for q in r.body.get("requests", []) for k in q}
    assert not methods & {"updateCommentPost", "deleteComment", "deleteCommentReply"}
    assert threads(world)[0]["headPost"]["content"] == "Cek lagi"


def test_revision_editors_name_who_changed_a_value(world):
    rid = filled(world)
    flow.fill(world, rid, 2024, "32")
    world.poll()
    change = next(e for e in world.reads.events(opd=OPD, row_id=rid, kind="nilai") if e["new_value"] == "32")
    assert change["oleh"] == f"Sari (Dinkes) <{OPERATOR}>"
    assert "riwayat revisi Google Drive" in change["bagaimana"]


def test_a_walidata_tick_is_attributed_through_the_protected_range(world):
    rid = flow.add_item(world)
    flow.tick(world, rid, "Dicek Bersama")
    world.backend.set(OPD, rid, "Keterangan", "Sumber: Profil Kesehatan")  # the operator edits at the same time
    world.poll()
    event = next(e for e in world.reads.events(opd=OPD, row_id=rid) if e["to_state"] == "3")
    assert event["oleh"] == f"Budi (Walidata) <{WALIDATA}>"
    assert "dilindungi" in event["bagaimana"]
    keterangan = next(e for e in world.reads.events(opd=OPD, row_id=rid, kind="nilai") if e["column_key"] == "keterangan")
    assert keterangan["oleh"].startswith("salah satu dari:")  # the revisions cannot tell which of the two


@pytest.mark.parametrize("request_body, says", [
    ({"insertComment": {"coordinate": {"sheetId": 0, "rowIndex": 1, "columnIndex": 1}, "content": ""}}, "empty"),
    ({"insertComment": {"coordinate": {"sheetId": 0, "rowIndex": 1, "columnIndex": 1}, "content": "x" * 2049}},
     "2048"),
    ({"insertComment": {"coordinate": {"sheetId": 0, "rowIndex": 1}, "content": "x", "assignee": "a@b"}}, "Unknown name"),
    ({"addCommentReply": {"commentId": "nope", "post": {"content": "x"}}}, "No comment"),
])
def test_the_fake_refuses_malformed_comment_requests(world, request_body, says):
    with pytest.raises(APIError, match=says):
        world.backend.person(WALIDATA).http_client.batch_update(SPREADSHEET, {"requests": [request_body]})


def test_only_a_posts_author_may_change_or_delete_it(world):
    rid = flow.add_item(world)
    comment(world, WALIDATA, rid, "Nilai", "Catatan Budi")
    thread = threads(world)[0]
    operator = world.backend.person(OPERATOR).http_client
    for request in ({"updateCommentPost": {"commentId": thread["commentId"], "postId": thread["headPost"]["postId"],
                                           "content": "diubah"}},
                    {"deleteComment": {"commentId": thread["commentId"]}}):
        with pytest.raises(APIError, match="not the author"):
            operator.batch_update(SPREADSHEET, {"requests": [request]})
    answer = world.backend.person(WALIDATA).http_client.batch_update(SPREADSHEET, {"requests": [
        {"updateCommentPost": {"commentId": thread["commentId"], "postId": thread["headPost"]["postId"],
                               "content": "diubah"}}]})
    assert answer["commentUpdateState"] == "ALL_SAVED"


# --- comments that cost nothing when idle (DECISIONS.md #92) ---------------------------------------


def _comment_attempts(world, since: int) -> list[int]:
    return [i for i, r in enumerate(world.api.requests_of()[since:]) if r.kind == "write" and any(
        "insertComment" in q or "addCommentReply" in q for q in (r.body or {}).get("requests", []))]


def test_a_comment_write_that_keeps_failing_is_retried_after_1_2_4_8_16_cycles(world):
    rid = flow.to_approved(world)
    flow.fill(world, rid, 2024, "banyak")
    flow.tick(world, rid, "Selesai Diisi")
    world.api.comment_failures = 10**6  # Google never saves the poller's comments
    tried = []
    for cycle in range(40):
        since = len(world.api.requests_of())
        world.poll()
        if _comment_attempts(world, since):
            tried.append(cycle)
    assert flow.status(world, rid) == "8 Perlu Perbaikan"
    assert [b - a for a, b in zip(tried, tried[1:])][:5] == [1, 2, 4, 8, 16]
    state = world.backend.ledger.section("komentar")[SPREADSHEET]
    assert state["gagal"] == len(tried) and "ALL_FAILED_UNKNOWN_REASON" in state["alasan"]


def test_between_comment_retries_a_quiet_spreadsheet_costs_one_drive_call_a_cycle(world):
    rid = flow.to_approved(world)
    flow.fill(world, rid, 2024, "banyak")
    flow.tick(world, rid, "Selesai Diisi")
    world.api.comment_failures = 10**6
    for _ in range(6):  # the failure, the first retries, the read after the cell write
        world.poll()
    quiet = 0
    for _ in range(8):
        since = len(world.api.requests_of())
        world.poll()
        if not _comment_attempts(world, since):
            log = world.api.requests_of()[since:]
            assert [r.method for r in log] == ["drive.files.get"]  # one spreadsheet: files.get is its feed
            quiet += 1
    assert quiet >= 6


def test_a_comment_backoff_is_capped_at_an_hour_and_cleared_when_google_saves(world):
    from sheets.google import comments
    backend = world.backend
    for _ in range(12):
        comments._failed(backend, "1X", "400 insertComment")
    assert backend.ledger.section("komentar")["1X"]["jeda_siklus"] == 60  # 60-second cycles: an hour
    backend.interval_seconds = 300
    comments._failed(backend, "1X", "400 insertComment")
    assert backend.ledger.section("komentar")["1X"]["jeda_siklus"] == 12


def test_a_failing_comment_write_is_shown_once_on_kesehatan_and_in_doctor(world):
    from service.cli.doctor import remembered_google
    from service.web.views import google_status
    rid = flow.to_approved(world)
    flow.fill(world, rid, 2024, "banyak")
    flow.tick(world, rid, "Selesai Diisi")
    world.api.comment_failures = 10**6
    for _ in range(5):
        world.poll()
    shown = google_status(world.config)["komentar_gagal"]
    assert len(shown) == 1 and shown[0]["spreadsheet"] == SPREADSHEET and shown[0]["gagal"] >= 2
    lines = [text for ok, text in remembered_google(world.config) if not ok]
    assert len(lines) == 1 and "Komentar poller" in lines[0] and SPREADSHEET in lines[0]
    world.api.comment_failures = 0
    for _ in range(20):
        world.poll()
    assert google_status(world.config)["komentar_gagal"] == [] and own(world)


def test_revision_authors_are_listed_from_the_last_page_seen_not_from_the_first(world):
    from tests.fake_sheets_comments import revisions
    rid = filled(world)
    history = revisions(world.api.spreadsheets[SPREADSHEET])
    for _ in range(2500):  # a year of edits: three pages of revisions
        history.append({**history[-1], "id": str(len(history) + 1)})
    flow.fill(world, rid, 2024, "32")
    world.poll()  # lists to the end once (the last seen revision is on the first page)
    flow.fill(world, rid, 2024, "33")
    since = len(world.api.requests_of())
    world.poll()
    listed = [r for r in world.api.requests_of()[since:] if r.method == "drive.revisions.list"]
    assert len(listed) == 1 and listed[0].query.get("pageToken")
    change = next(e for e in world.reads.events(opd=OPD, row_id=rid, kind="nilai") if e["new_value"] == "33")
    assert change["oleh"] == f"Sari (Dinkes) <{OPERATOR}>" and "sejak siklus lalu" in change["bagaimana"]
