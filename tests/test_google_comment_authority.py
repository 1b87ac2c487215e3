"""Only the Walidata asks for revision by comment on Google: a post's author (a display name, no
e-mail) is mapped through the spreadsheet's sharing list (Drive permissions.list, on the strict
fake) to [walidata] emails; anyone else's comment on a filled row is recorded and answered in the
thread, and never moves the row."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from service.web.history import row_history
from tests import test_sop_flow as flow
from tests.fake_sheets_comments import comment_as, reply_as, threads_of
from tests.google_world import OPERATORS, SPREADSHEET, WALIDATA, GoogleWorld

OPD = flow.OPD
OPERATOR = OPERATORS[OPD][0]
STRANGER = "tamu@luar.example"
NAMESAKE = "budi.lain@luar.example"


@pytest.fixture
def world(tmp_path) -> GoogleWorld:
    w = GoogleWorld(tmp_path)
    book = w.api.spreadsheets[SPREADSHEET]
    book.editors |= {STRANGER, NAMESAKE}  # shared as Editor, not in satudata.toml
    book.__dict__["names"] = {WALIDATA: "Budi (Walidata)", OPERATOR: "Sari (Dinkes)", STRANGER: "Tamu Luar",
                              NAMESAKE: "Budi Lain"}
    return w


def filled(world) -> str:
    rid = flow.to_approved(world)
    flow.fill(world, rid, 2024, "31")
    flow.tick(world, rid, "Selesai Diisi")
    world.poll()
    assert flow.status(world, rid) == "7 Diisi"
    return rid


def comment(world, who: str, rid: str, text: str, header: str = "Nilai") -> str:
    sheet = world.api.sheet(SPREADSHEET, OPD)
    answer = comment_as(world.backend.person(who), SPREADSHEET, sheet.sheet_id, world.backend.row_of(OPD, rid) - 1,
                        world.backend._col(OPD, header), text)
    return answer["replies"][0]["insertComment"]["commentThread"]["commentId"]


def thread(world, comment_id: str) -> dict:
    return next(t for t in threads_of(world.api.spreadsheets[SPREADSHEET]) if t["commentId"] == comment_id)


def poller_replies(world, comment_id: str) -> list[str]:
    return [p["content"] for p in thread(world, comment_id)["replies"] if p["authorEmail"] == world.api.service_account]


def remarks(world, rid: str) -> list[dict]:
    return [e for e in row_history(world.reads, OPD, rid)["peristiwa"] if e["jenis"] == "komentar"]


def permission_reads(world) -> int:
    return sum(1 for r in world.api.requests_of() if r.method == "drive.permissions.list")


def test_a_strangers_comment_leaves_a_filled_row_at_7_with_a_reply_and_a_record(world):
    rid = filled(world)
    cid = comment(world, STRANGER, rid, "Angka ini salah, harusnya 40")
    world.poll()
    assert flow.status(world, rid) == "7 Diisi"
    assert world.backend.get(OPD, rid, "Selesai Diisi") == "YA"  # the tick is left as typed
    [reply] = poller_replies(world, cid)
    assert "hanya Walidata yang dapat meminta revisi" in reply and "tetap 7 Diisi" in reply
    [remark] = remarks(world, rid)
    assert remark["oleh"] == f"Tamu Luar <{STRANGER}>" and "harusnya 40" in remark["alasan"]
    assert f"{STRANGER} tidak tercantum di [walidata] emails" in remark["bagaimana"]
    world.poll()
    assert len(poller_replies(world, cid)) == 1 and len(remarks(world, rid)) == 1  # answered once


def test_the_opds_own_operators_comment_never_moves_its_row(world):
    rid = filled(world)
    cid = comment(world, OPERATOR, rid, "Mohon dikembalikan, saya salah ketik")
    world.poll()
    assert flow.status(world, rid) == "7 Diisi"
    assert "hanya Walidata yang dapat meminta revisi" in poller_replies(world, cid)[0]
    [remark] = remarks(world, rid)
    assert remark["oleh"] == f"Sari (Dinkes) <{OPERATOR}>"
    assert f"Operator {OPD}" in remark["bagaimana"] and "bukan Walidata" in remark["bagaimana"]


def test_the_walidatas_comment_and_her_reply_in_an_answered_thread_send_the_row_to_7a_with_her_name(world):
    rid = filled(world)
    cid = comment(world, WALIDATA, rid, "Angka 31 tidak cocok dengan laporan puskesmas")
    world.poll()
    assert flow.status(world, rid) == "7a Revisi"
    flow.fill(world, rid, 2024, "32")
    flow.tick(world, rid, "Selesai Diisi")
    world.poll()
    assert flow.status(world, rid) == "7 Diisi"  # the answered thread is not a second request by itself
    reply_as(world.backend.person(OPERATOR), SPREADSHEET, cid, "Sudah saya perbaiki")
    world.poll()
    assert flow.status(world, rid) == "7 Diisi"  # the operator's reply in it is not one either
    reply_as(world.backend.person(WALIDATA), SPREADSHEET, cid, "Masih belum sesuai, cek lagi bulan Desember")
    world.poll()
    assert flow.status(world, rid) == "7a Revisi"
    history = row_history(world.reads, OPD, rid)["peristiwa"]
    back = [e for e in history if e["jenis"] == "status" and e["ke"] == "7a"]
    assert len(back) == 2 and all(e["oleh"] == f"Budi (Walidata) <{WALIDATA}>" for e in back)
    assert "Masih belum sesuai" in back[-1]["alasan"]
    assert len(poller_replies(world, cid)) == 3  # taken, refused (the operator), taken again
    assert f"oleh Budi (Walidata) <{WALIDATA}>" in riwayat(world, rid)


def riwayat(world, rid: str) -> str:
    """`satudata riwayat` on the world's archive (the command reads only the archive)."""
    from service.cli.commands import main
    toml = world.config.path.parent / "riwayat.toml"
    toml.write_text(f'[workspace]\nname = "Uji"\nyear = 2025\n[archive]\nurl = "{world.config.archive_url}"\n'
                    f'[sheets]\nbackend = "xlsx"\nfolder = "sheets"\n[[opd]]\nkode = "{OPD}"\nnama = "Dinas Kesehatan"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["-c", str(toml), "riwayat", OPD, rid])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_display_name_two_accounts_share_is_not_taken_for_the_walidata_and_says_so(world):
    world.api.spreadsheets[SPREADSHEET].__dict__["names"][NAMESAKE] = "Budi (Walidata)"
    rid = filled(world)
    cid = comment(world, NAMESAKE, rid, "Tolong direvisi")
    world.poll()
    assert flow.status(world, rid) == "7 Diisi"
    assert "hanya Walidata" in poller_replies(world, cid)[0]
    [remark] = remarks(world, rid)
    assert remark["oleh"] == f"Budi (Walidata) (salah satu dari: {NAMESAKE}, {WALIDATA})"
    assert "dipakai 2 akun" in remark["bagaimana"] and "tidak dianggap Walidata" in remark["bagaimana"]


def test_a_walidata_whose_name_changed_is_found_again_in_the_sharing_list(world):
    rid = filled(world)
    comment(world, STRANGER, rid, "Catatan saja")
    world.poll()  # the sharing list is read and cached with the old names
    reads = permission_reads(world)
    assert reads == 1
    world.api.spreadsheets[SPREADSHEET].__dict__["names"][WALIDATA] = "Budi Santoso"
    comment(world, WALIDATA, rid, "Nilai belum sesuai")
    world.poll()
    assert flow.status(world, rid) == "7a Revisi"
    event = [e for e in row_history(world.reads, OPD, rid)["peristiwa"] if e["ke"] == "7a"][-1]
    assert event["oleh"] == f"Budi Santoso <{WALIDATA}>"
    assert permission_reads(world) == reads + 1


def test_a_comment_whose_account_was_deleted_or_unshared_moves_nothing(world):
    rid = filled(world)
    book = world.api.spreadsheets[SPREADSHEET]
    gone = comment(world, WALIDATA, rid, "Revisi ya")
    book.__dict__["deleted_accounts"] = {WALIDATA}  # Drive marks the account's permission deleted
    world.poll()
    assert flow.status(world, rid) == "7 Diisi"
    [remark] = remarks(world, rid)
    assert "sudah dihapus" in remark["bagaimana"] and "hanya Walidata" in poller_replies(world, gone)[0]
    other = comment(world, STRANGER, rid, "Saya juga mau revisi", header="Tahun")
    book.editors.discard(STRANGER)  # access removed before the poller looked
    book.viewers.discard(STRANGER)
    world.poll()
    assert flow.status(world, rid) == "7 Diisi"
    assert "tidak ada di daftar akses" in remarks(world, rid)[-1]["bagaimana"]
    assert "hanya Walidata" in poller_replies(world, other)[0]


def test_the_sharing_list_is_read_only_when_there_are_peoples_posts_and_once_per_version(world):
    rid = filled(world)
    world.poll()
    assert permission_reads(world) == 0  # no one's post to name: no Drive call
    comment(world, WALIDATA, rid, "Nilai belum sesuai")
    world.poll()
    assert permission_reads(world) == 1
    world.poll()
    assert permission_reads(world) == 1


def test_the_riwayat_list_shows_the_refused_comment_with_who_and_how_and_the_same_caveat_as_the_row_page(world):
    import dataclasses
    from datetime import datetime, timezone

    from service.web.app import create_app
    rid = filled(world)
    comment(world, STRANGER, rid, "Angka ini salah, harusnya 40")
    world.poll()
    config = dataclasses.replace(world.config, dashboard_users={})
    client = create_app(config, world.store, clock=lambda: datetime.now(timezone.utc)).test_client()
    feed = client.get("/api/riwayat").get_json()["peristiwa"]
    [remark] = [e for e in feed if e["jenis"] == "komentar"]
    assert remark["oleh"] == f"Tamu Luar <{STRANGER}>" and "tidak tercantum di [walidata]" in remark["bagaimana"]
    caveat = "Nama penyimpan berkas Excel adalah nama yang diatur di aplikasinya, tidak diverifikasi"
    listing = client.get("/riwayat").get_data(as_text=True)
    row_page = client.get(f"/opd/{OPD}/baris/{rid}").get_data(as_text=True)
    assert caveat in listing and caveat in row_page
    assert "harusnya 40" in listing and "Dasar" in listing


def test_a_post_made_while_the_row_is_in_revision_is_recorded_and_never_reopens_it_once_filled_again(world):
    rid = filled(world)
    cid = comment(world, WALIDATA, rid, "Angka 31 tidak cocok")
    world.poll()
    assert flow.status(world, rid) == "7a Revisi"
    reply_as(world.backend.person(WALIDATA), SPREADSHEET, cid, "Sekalian cek juga satuannya")
    world.poll()
    assert "bukan permintaan revisi baru" in poller_replies(world, cid)[-1]
    assert "Sekalian cek juga satuannya" in remarks(world, rid)[-1]["alasan"]
    flow.fill(world, rid, 2024, "32")
    flow.tick(world, rid, "Selesai Diisi")
    world.poll()
    world.poll()
    assert flow.status(world, rid) == "7 Diisi"


def test_the_walidatas_posts_in_two_threads_make_one_request_and_both_are_answered(world):
    rid = filled(world)
    first = comment(world, WALIDATA, rid, "Nilai tidak cocok")
    second = comment(world, WALIDATA, rid, "Tahun juga salah", header="Tahun")
    world.poll()
    assert flow.status(world, rid) == "7a Revisi"
    assert poller_replies(world, first) and poller_replies(world, second)
    event = [e for e in row_history(world.reads, OPD, rid)["peristiwa"] if e["ke"] == "7a"][-1]
    assert "Nilai tidak cocok" in event["alasan"] and "Tahun juga salah" in event["alasan"]
