"""`satudata doctor --uji-langsung` against the fake (DECISIONS.md #92): every assumption is measured and
printed with what the poller does, uji-google.json is saved, the scratch spreadsheet is trashed;
and each adaptation, with its assumption switched off in the fake, keeps the poller right."""
from __future__ import annotations

import json

from service.cli.doctor import live_test
from sheets.google import GoogleBackend
from sheets.google.budget import STATE_NAME, Ledger
from sheets.google.retry import RetryPolicy
from sheets.google.selftest import RESULT_NAME, Assumptions
from tests import test_sop_flow as flow
from tests.fake_sheets_comments import comment_as
from tests.google_world import SPREADSHEET, WALIDATA, ActingGoogleBackend, GoogleWorld
from tests.test_google_layout import PerOpd

SECOND = "kedua@example.go.id"


def _uji(api, config, second: bool = True):
    other = None
    if second:
        other = GoogleBackend(api.client(SECOND), {}, service_account=SECOND,
                              retry=RetryPolicy(sleep=api.clock.sleep), clock=lambda: api.clock.now)
    return live_test(config, client=api.client(), service_account=api.service_account, second=other,
                     sleep=api.clock.sleep, clock=lambda: api.clock.now, wait=60)


def _adapted(world: GoogleWorld) -> None:
    """The next poller process, reading uji-google.json as from_config does."""
    world.backend = ActingGoogleBackend(world.api, world.google, ledger=Ledger(world.google.root / STATE_NAME),
                                        assumptions=Assumptions.load(world.google.root / RESULT_NAME))


def test_uji_langsung_prints_every_assumption_saves_them_and_trashes_the_scratch_spreadsheet(tmp_path):
    world = GoogleWorld(tmp_path)
    world.poll()
    before = set(world.api.spreadsheets)
    lines = _uji(world.api, world.google)
    text = "\n".join(t for _, t in lines)
    for words in ("Versi Drive setelah suntingan", "Umpan perubahan Drive", "boleh menulis komentar",
                  "Komentar akun layanan menggeser versi", "Komentar akun kedua menggeser versi",
                  "Pemilik berkas tercantum", "Bunyi galat Google untuk sel terlindungi",
                  "menyisipkan baris", "Spreadsheet uji dipindah ke sampah", "uji-google.json"):
        assert words in text, words
    assert "tidak diukur" not in text and all(ok for ok, _ in lines)
    assert set(world.api.spreadsheets) == before and len(world.api.trashed) == 1  # no scratch file left behind
    saved = json.loads((tmp_path / RESULT_NAME).read_text(encoding="utf-8"))
    assert saved["asumsi"]["komentar_menggeser_versi"]["hasil"] is True
    assert "protected" in saved["asumsi"]["bunyi_galat_sel_terlindungi"]["hasil"]
    assert Assumptions.load(tmp_path / RESULT_NAME) == Assumptions(lag_seconds=0.0)


def test_uji_langsung_without_a_second_account_says_what_it_did_not_measure(tmp_path):
    world = GoogleWorld(tmp_path)
    lines = _uji(world.api, world.google, second=False)
    assert sum("tidak diukur (tanpa --akun-kedua)" in t for _, t in lines) == 3


def test_a_service_account_that_may_not_create_files_is_told_what_to_do(tmp_path):
    world = GoogleWorld(tmp_path)
    world.api.service_account_may_create = False
    (line,) = [t for ok, t in _uji(world.api, world.google) if not ok]
    assert "tidak dapat membuat spreadsheet uji" in line and "drive bersama" in line


def _commented(world, rid: str) -> None:
    sheet = world.api.sheet(SPREADSHEET, flow.OPD)
    comment_as(world.backend.person(WALIDATA), SPREADSHEET, sheet.sheet_id, world.backend.row_of(flow.OPD, rid) - 1,
               world.backend._col(flow.OPD, "Nilai"), "Angka ini tidak cocok dengan laporan")


def _filled(world, rid: str | None = None, nilai: str = "31") -> str:
    """An item filled and ticked (a new one, or ``rid`` filled again with ``nilai``), at 7 Diisi."""
    rid = rid or flow.to_approved(world)
    flow.fill(world, rid, 2024, nilai)
    flow.tick(world, rid, "Selesai Diisi")
    for _ in range(3):
        world.poll()
    assert flow.status(world, rid) == "7 Diisi"
    return rid


def test_where_a_comment_does_not_move_version_the_walidatas_comment_still_sends_the_row_to_7a(tmp_path):
    world = GoogleWorld(tmp_path)
    world.api.comments_move_version = False
    rid = _filled(world)
    _commented(world, rid)
    world.poll()
    assert flow.status(world, rid) == "7 Diisi"  # unseen: Drive says nothing changed
    lines = _uji(world.api, world.google)
    assert any("menggeser versi Drive: tidak. Poller memeriksa komentar baru" in t for _, t in lines)
    _adapted(world)
    world.poll()
    assert flow.status(world, rid) == "7a Revisi"
    for _ in range(2):
        world.poll()
    _filled(world, rid, "32")  # fixed and filled again; the Walidata comments once more
    _commented(world, rid)
    world.poll()
    assert flow.status(world, rid) == "7a Revisi"


def test_where_the_service_account_may_not_comment_the_poller_tries_no_comment(tmp_path):
    world = GoogleWorld(tmp_path)
    world.api.service_account_may_comment = False
    _uji(world.api, world.google)
    _adapted(world)
    rid = flow.to_approved(world)
    flow.fill(world, rid, 2024, "banyak")
    flow.tick(world, rid, "Selesai Diisi")
    for _ in range(4):
        world.poll()
    assert flow.status(world, rid) == "8 Perlu Perbaikan"
    asked = [q for r in world.api.requests_of() if r.kind == "write" for q in (r.body or {}).get("requests", [])
             if "insertComment" in q and r.params.get("spreadsheetId") == SPREADSHEET]
    assert asked == [] and world.backend.note(flow.OPD, rid, "Nilai")  # the finding is a cell note instead


def test_where_the_feed_leaves_out_shared_files_each_spreadsheet_is_asked_with_files_get(tmp_path):
    opds = PerOpd(tmp_path, count=3)
    try:
        opds.settle()
        opds.api.feed_lists_shared = False
        kode = opds.kodes[1]
        opds.backend.add_row(kode, Uraian_Data="Jumlah puskesmas", Satuan="unit", Tahun=2024, Nilai="12")
        opds.poll()
        assert opds.read_spreadsheets() == set()  # the feed listed nothing: the edit is missed
        _uji(opds.api, opds.config, second=False)
        opds.backend = ActingGoogleBackend(opds.api, opds.config,
                                           assumptions=Assumptions.load(tmp_path / RESULT_NAME))
        opds.poll()
        assert opds.read_spreadsheets() == {f"1Sheet{kode}"}
        assert [r.method for r in opds.last if r.kind == "drive"].count("drive.files.get") >= 3
    finally:
        opds.store.engine.dispose()


def test_with_drive_lagging_a_late_edit_is_not_taken_for_a_comment_moving_the_version(tmp_path):
    world = GoogleWorld(tmp_path)
    world.api.comments_move_version = False
    world.api.lag_drive(calls=3)  # files.get shows each change three looks late
    _uji(world.api, world.google)
    saved = json.loads((tmp_path / RESULT_NAME).read_text(encoding="utf-8"))["asumsi"]
    assert saved["versi_setelah_suntingan"]["maks_detik"] > 0
    assert saved["komentar_menggeser_versi"]["hasil"] is False
    assert saved["komentar_akun_kedua_menggeser_versi"]["hasil"] is False
    assert Assumptions.load(tmp_path / RESULT_NAME).comments_move_version is False


def test_the_cli_says_uji_langsung_is_for_google_and_akun_kedua_needs_it(tmp_path):
    from click.testing import CliRunner

    from service.cli import main
    path = tmp_path / "satudata.toml"
    path.write_text('[workspace]\nyear = 2025\n[sheets]\nbackend = "xlsx"\n', encoding="utf-8")
    key = tmp_path / "kedua.json"
    key.write_text("{}", encoding="utf-8")
    out = CliRunner().invoke(main, ["-c", str(path), "doctor", "--uji-langsung"])
    assert out.exit_code == 1 and "--uji-langsung hanya untuk backend google" in out.output
    out = CliRunner().invoke(main, ["-c", str(path), "doctor", "--akun-kedua", str(key)])
    assert out.exit_code == 2 and "--akun-kedua hanya berlaku bersama --uji-langsung" in out.output
