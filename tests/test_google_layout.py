"""One spreadsheet per OPD (DECISIONS.md #15) and protections kept in step with the config (10.6), on
the fake Google API: Drive's change feed keeps an idle cycle at one Drive call whatever the number
of spreadsheets, also across `poll --once` processes; an edit re-reads only its spreadsheet; a
refused page token falls back to files.get; a changed operator list reaches the protected range
in the next cycle; doctor names the owner and each spreadsheet's problems, and --fix repairs."""
from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from rules.rulefile import load_rules
from service.archive.engine import make_engine
from service.archive.store import Store
from service.config import Config, Opd
from service.poller.cycle import run_cycle
from sheets.google.budget import STATE_NAME, Ledger
from sheets.google.protect import WALIDATA as WALIDATA_RANGE, tab_description, template
from tests import fake_sheets_drive as drive
from tests.conftest import WIB, WILAYAH
from tests.fake_sheets_api import FakeSheetsApi
from tests.google_world import ActingGoogleBackend

WALIDATA = "walidata@example.go.id"
COUNT = 57  # Magetan's OPDs


def operator(kode: str) -> str:
    return f"operator.{kode.lower()}@example.go.id"


def sid_of(kode: str) -> str:
    return f"1Sheet{kode}"


class PerOpd:
    """A workspace whose every OPD has its own spreadsheet; each ``process()`` is a fresh backend
    (a new `poll --once` process: nothing kept in memory), the archive and the workspace's
    status-google.json are kept."""

    def __init__(self, tmp_path: Path, count: int = COUNT) -> None:
        self.api = FakeSheetsApi(quota_enabled=False)
        self.kodes = [f"OPD{i:02d}" for i in range(count)]
        for kode in self.kodes:
            self.api.create_spreadsheet(sid_of(kode), title=f"Satu Data {kode}",
                                        editors={self.api.service_account, WALIDATA, operator(kode)})
        self.config = Config(path=tmp_path / "satudata.toml", name="Uji", year=2025, backend="google",
                             folder=tmp_path / "sheets", spreadsheet_id=None, credentials=None,
                             archive_url=f"sqlite:///{tmp_path / 'arsip.sqlite'}", interval_seconds=60,
                             walidata=(WALIDATA,), rules_folder=None,
                             opds=tuple(Opd(k, k, (operator(k),), sid_of(k)) for k in self.kodes))
        self.store = Store(make_engine(self.config.archive_url, upgrade=True))
        self.rules = load_rules()
        self.now = datetime(2025, 3, 3, 9, 0, tzinfo=WIB)
        self.ledger_path = tmp_path / STATE_NAME
        self.backend = self.process()

    def process(self) -> ActingGoogleBackend:
        self.backend = ActingGoogleBackend(self.api, self.config, ledger=Ledger(self.ledger_path))
        return self.backend

    def poll(self):
        self.now += timedelta(minutes=1)
        self.api.clock.advance(60)
        before = len(self.api.log)
        report = run_cycle(self.config, self.backend, self.store, self.rules, WILAYAH, self.now)
        self.last = [r for r in self.api.log[before:] if r.user == self.api.service_account]
        return report

    def counts(self) -> dict[str, int]:
        return {k: sum(1 for r in self.last if r.kind == k) for k in ("drive", "read", "write")}

    def settle(self) -> None:
        """Poll until idle: the first run of 57 spreadsheets spans a few cycles within the read quota."""
        for _ in range(8):
            self.poll()
            if self.counts() == {"drive": 1, "read": 0, "write": 0}:
                return
        raise AssertionError(f"not idle after 8 cycles: {self.counts()}")

    def read_spreadsheets(self) -> set[str]:
        return {r.params.get("spreadsheetId") for r in self.last if r.kind == "read"}


@pytest.fixture
def opds(tmp_path):
    w = PerOpd(tmp_path)
    yield w
    w.store.engine.dispose()


def test_an_idle_cycle_of_57_spreadsheets_is_one_drive_call_and_no_sheets_call(opds):
    opds.poll()  # first run: the feed starts, each spreadsheet is asked once (files.get), and once more
    methods = [r.method for r in opds.last if r.kind == "drive"]  # after the poller added its tab there
    assert methods[0] == "drive.changes.getStartPageToken" and COUNT <= methods.count("drive.files.get") <= 2 * COUNT
    opds.settle()
    for _ in range(3):
        opds.process()  # each `poll --once` is a new process: the page token comes from the archive
        opds.poll()
        assert opds.counts() == {"drive": 1, "read": 0, "write": 0}
        assert [r.method for r in opds.last] == ["drive.changes.list"]
        assert opds.last[0].query["fields"] == [
            "nextPageToken,newStartPageToken,changes(fileId,removed,file(version,owners(emailAddress)))"]


def test_an_edit_in_one_spreadsheet_re_reads_only_that_one(opds):
    opds.settle()
    kode = opds.kodes[17]
    opds.backend.add_row(kode, Uraian_Data="Jumlah puskesmas", Satuan="unit", Tahun=2024, Nilai="12")
    opds.process()
    opds.poll()
    assert opds.read_spreadsheets() == {sid_of(kode)}
    assert opds.counts()["read"] == 1  # the grid read; the write follows it within seconds (no batchGet)
    assert opds.backend.get(kode, 2, "ID") == f"{kode}-0001"  # the poller's write landed
    assert opds.backend.get(opds.kodes[16], 2, "ID") is None
    opds.poll()  # the read after its own write
    assert opds.read_spreadsheets() == {sid_of(kode)}
    opds.poll()
    assert opds.counts() == {"drive": 1, "read": 0, "write": 0}


def test_a_refused_page_token_falls_back_to_files_get_then_the_feed_again(opds):
    opds.settle()
    drive.expire_tokens(opds.api)
    opds.process()
    opds.poll()
    statuses = [(r.method, r.status) for r in opds.last if r.kind == "drive"]
    assert statuses[:2] == [("drive.changes.list", 400), ("drive.changes.getStartPageToken", 200)]
    assert sum(1 for m, _ in statuses if m == "drive.files.get") == COUNT
    assert opds.counts()["read"] == 0 and opds.counts()["write"] == 0  # nothing changed: nothing read
    opds.process()
    opds.poll()  # the new page token was kept for every tab
    assert opds.counts() == {"drive": 1, "read": 0, "write": 0}
    kode = opds.kodes[3]
    opds.backend.add_row(kode, Uraian_Data="Jumlah sekolah", Satuan="unit", Tahun=2024, Nilai="4")
    opds.poll()
    assert opds.read_spreadsheets() == {sid_of(kode)}


def test_a_failed_listing_asks_each_spreadsheet_and_loses_no_edit(opds):
    opds.settle()
    kode = opds.kodes[40]
    opds.backend.add_row(kode, Uraian_Data="Jumlah pasar", Satuan="unit", Tahun=2024, Nilai="3")
    opds.api.fail("drive", status=503, times=5)  # changes.list fails for good (5 attempts)
    opds.poll()
    assert opds.read_spreadsheets() == {sid_of(kode)}
    assert opds.backend.get(kode, 2, "ID") == f"{kode}-0001"


def _whole_tab(api: FakeSheetsApi, kode: str) -> dict:
    sheet = api.sheet(sid_of(kode), kode)
    return next(p for p in sheet.protected if p["description"] == tab_description(kode))


def test_a_changed_operator_list_reaches_the_protected_range_in_the_next_cycle(opds):
    opds.settle()
    kode, new = opds.kodes[5], "operator.baru@example.go.id"
    _new_operator(opds, kode, new)  # the poller started again with the edited satudata.toml
    report = opds.poll()
    assert not report.errors
    assert opds.read_spreadsheets() == {sid_of(kode)}  # only that tab is looked at again
    updates = [r.body for r in opds.last if r.method.endswith("batchUpdate")]
    assert len(updates) == 1 and all("updateProtectedRange" in q for q in updates[0]["requests"])
    editors = _whole_tab(opds.api, kode)["editors"]
    assert new in editors["users"] and operator(kode) not in editors["users"]
    assert editors["domainUsersCanEdit"] is False
    opds.poll()  # our update moved the version: read once more, now in step, nothing sent
    assert opds.read_spreadsheets() == {sid_of(kode)} and opds.counts()["write"] == 0
    opds.poll()
    assert opds.counts() == {"drive": 1, "read": 0, "write": 0}


def _new_operator(opds: PerOpd, kode: str, email: str) -> None:
    opds.api.spreadsheets[sid_of(kode)].editors.add(email)
    opds.config = dataclasses.replace(opds.config, opds=tuple(
        dataclasses.replace(o, operators=(email,)) if o.kode == kode else o for o in opds.config.opds))
    opds.process()


def test_a_range_google_keeps_otherwise_is_not_rewritten_every_cycle(opds, monkeypatch):
    from tests import fake_sheets_edits as edits

    opds.settle()
    kode, new = opds.kodes[6], "operator.baru@example.go.id"
    original = edits.HANDLERS["updateProtectedRange"]

    def dropping(book, args, user, where):  # as if Google refused that e-mail on the range
        original(book, args, user, where)
        for sheet in book.sheets:
            for pr in sheet.protected:
                if new in pr.get("editors", {}).get("users", []):
                    pr["editors"]["users"].remove(new)

    monkeypatch.setitem(edits.HANDLERS, "updateProtectedRange", dropping)
    _new_operator(opds, kode, new)
    opds.poll()
    assert opds.counts()["write"] == 1
    opds.poll()  # read again to confirm: still different, and not sent again
    assert opds.read_spreadsheets() == {sid_of(kode)} and opds.counts()["write"] == 0
    opds.process()
    opds.poll()
    assert opds.counts() == {"drive": 1, "read": 0, "write": 0}


def test_a_repair_google_refused_is_sent_again_by_the_next_process(opds):
    opds.settle()
    kode, new = opds.kodes[7], "operator.baru@example.go.id"
    _new_operator(opds, kode, new)
    opds.api.fail("write", status=503, times=5)
    report = opds.poll()
    assert any("rentang terlindungi belum dapat diperbarui" in e for e in report.errors)
    assert new not in _whole_tab(opds.api, kode)["editors"]["users"]
    opds.process()
    assert not opds.poll().errors
    assert new in _whole_tab(opds.api, kode)["editors"]["users"]


def test_a_range_opened_to_the_domain_or_deleted_is_repaired_when_the_tab_is_read(opds):
    opds.settle()
    kode = opds.kodes[9]
    sheet = opds.api.sheet(sid_of(kode), kode)
    walidata = next(p for p in sheet.protected if p["description"] == WALIDATA_RANGE)
    walidata["editors"]["domainUsersCanEdit"] = True
    walidata["editors"]["users"].append(operator(kode))  # an operator let into the Walidata columns
    sheet.protected.remove(_whole_tab(opds.api, kode))
    opds.api.touch(sid_of(kode))
    opds.poll()
    requests = [q for r in opds.last if r.method.endswith("batchUpdate") for q in r.body["requests"]]
    assert sorted(next(iter(q)) for q in requests) == ["addProtectedRange", "updateProtectedRange"]
    assert walidata["editors"]["domainUsersCanEdit"] is False and operator(kode) not in walidata["editors"]["users"]
    added = _whole_tab(opds.api, kode)
    assert added["range"] == {"sheetId": sheet.sheet_id} and added["editors"]["domainUsersCanEdit"] is False
    assert operator(kode) in added["editors"]["users"] and WALIDATA in added["editors"]["users"]


def test_new_tabs_set_domain_users_can_edit_false_explicitly(opds):
    opds.settle()  # 57 new tabs are made over the first cycles, within the quota
    bodies = [q["addProtectedRange"]["protectedRange"] for r in opds.api.requests_of()
              if r.method.endswith("batchUpdate") for q in r.body["requests"] if "addProtectedRange" in q]
    per_tab = len(template("X", 1, (), (), None))  # two system spans, three Walidata spans, the whole tab
    assert per_tab == 6 and len(bodies) == per_tab * COUNT
    assert all(b["editors"]["domainUsersCanEdit"] is False and b["warningOnly"] is False for b in bodies)


# --- satudata doctor ----------------------------------------------------------------------------


def checkup(opds: PerOpd, fix: bool = False):
    from service.cli.doctor import doctor

    return doctor(opds.config, client=opds.api.client(), service_account=opds.api.service_account, fix=fix)


def test_doctor_names_the_owner_and_each_spreadsheets_problems_and_fix_repairs_them(tmp_path):
    opds = PerOpd(tmp_path, count=4)
    opds.settle()
    a, b, c, d = opds.kodes
    opds.api.spreadsheets[sid_of(b)].editors.discard(opds.api.service_account)  # not shared any more
    whole = _whole_tab(opds.api, c)
    whole["editors"]["users"].remove(operator(c))
    whole["editors"]["domainUsersCanEdit"] = True
    opds.api.spreadsheets[sid_of(d)].sheets.remove(opds.api.sheet(sid_of(d), d))
    lines = checkup(opds)
    owner = opds.api.owner
    assert (True, f"Pemilik spreadsheet 'Satu Data {a}': {owner}. Pemilik selalu dapat menyunting semua kolom, "
                  "termasuk rentang terlindungi (akun layanan tidak dapat menjadi pemilik berkas); pastikan "
                  "pemiliknya akun dinas Walidata, bukan akun pribadi") in lines
    problems = [text for ok, text in lines if not ok]
    sa = opds.api.service_account
    assert problems == [
        f"Spreadsheet {sid_of(b)} tidak ditemukan atau belum dibagikan: periksa spreadsheet_id dan bagikan "
        f"spreadsheet ke {sa} sebagai Editor",
        f"Tab {c}: rentang terlindungi '{tab_description(c)}' belum mengizinkan {operator(c)}; mengizinkan semua "
        "pengguna domain menyunting; perbaiki dengan: satudata doctor --fix",
    ]
    assert (True, f"Tab {d} belum ada di 'Satu Data {d}'; dibuat otomatis dari templat pada poll berikutnya") in lines
    assert (True, "Umpan perubahan Drive terbaca: siklus tanpa perubahan memakai 1 permintaan Drive untuk "
                  "4 spreadsheet") in lines
    fixed = checkup(opds, fix=True)
    assert (True, f"Rentang terlindungi di 'Satu Data {c}' diperbaiki (1 perubahan); jalankan doctor sekali lagi "
                  "untuk memeriksa") in fixed
    assert operator(c) in whole["editors"]["users"] and whole["editors"]["domainUsersCanEdit"] is False
    assert [t for ok, t in checkup(opds) if not ok] == problems[:1]


# --- satudata init: one spreadsheet per OPD -------------------------------------------------------


def _init(*args: str):
    from click.testing import CliRunner

    from service.cli.commands import main

    return CliRunner().invoke(main, ["init", *args])


def _fill(path: Path, ids: dict[str, str], delimiter: str = ",") -> None:
    import csv

    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=delimiter)
        writer.writerow(["kode", "nama", "spreadsheet"])
        writer.writerows([r["kode"], r["nama"], ids.get(r["kode"], "")] for r in rows)


def test_init_per_opd_writes_the_list_to_fill_then_a_config_with_each_opds_spreadsheet(tmp_path):
    from service.config import load_config
    from service.cli.workspace import opds_for

    ws = tmp_path / "ws"
    first = _init(str(ws), "--backend", "google", "--per-opd")
    assert first.exit_code == 0, first.output
    listing = ws / "spreadsheet-opd.csv"
    assert "akun layanan tidak dapat memiliki berkas" in first.output and "--spreadsheets" in first.output
    kodes = [o["kode"] for o in opds_for()]
    assert listing.read_text(encoding="utf-8").count("\n") == len(kodes) + 1
    # a person pastes URLs (as copied from the address bar) or bare IDs; Excel saves with semicolons
    ids = {k: f"1Sheet{k.replace('-', '')}Abc" for k in kodes}
    pasted = {k: (f"https://docs.google.com/spreadsheets/d/{v}/edit#gid=0" if i % 2 else v)
              for i, (k, v) in enumerate(ids.items())}
    _fill(listing, pasted, delimiter=";")
    second = _init(str(ws), "--backend", "google", "--spreadsheets", str(listing), "--force")
    assert second.exit_code == 0, second.output
    config = load_config(ws / "satudata.toml")
    assert config.spreadsheet_id is None and {o.kode: o.spreadsheet_id for o in config.opds} == ids
    assert f"{len(kodes)} OPD memakai spreadsheet sendiri" in second.output


def test_init_names_what_is_wrong_in_the_list(tmp_path):
    from service.cli.workspace import opds_for

    kodes = [o["kode"] for o in opds_for()]
    listing = tmp_path / "daftar.csv"
    listing.write_text("kode,spreadsheet\n" + f"{kodes[0]},1AbcShared\n", encoding="utf-8")
    missing = _init(str(tmp_path / "a"), "--backend", "google", "--spreadsheets", str(listing))
    assert missing.exit_code != 0 and f"OPD tanpa spreadsheet di {listing}: {kodes[1]}" in missing.output
    mixed = _init(str(tmp_path / "b"), "--backend", "google", "--spreadsheets", str(listing),
                  "--spreadsheet-id", "https://docs.google.com/spreadsheets/d/1Bersama/edit")
    assert mixed.exit_code == 0, mixed.output
    from service.config import load_config
    config = load_config(tmp_path / "b" / "satudata.toml")
    assert config.spreadsheet_id == "1Bersama" and config.opds[0].spreadsheet_id == "1AbcShared"
    assert all(o.spreadsheet_id is None for o in config.opds[1:])
    listing.write_text(f"kode,spreadsheet\n{kodes[0]},1Abc\n{kodes[1]},1Abc\n", encoding="utf-8")
    twice = _init(str(tmp_path / "c"), "--backend", "google", "--spreadsheets", str(listing), "--spreadsheet-id", "1X")
    assert twice.exit_code != 0 and f"spreadsheet 1Abc sudah dipakai {kodes[0]}" in twice.output
    listing.write_text("kode,spreadsheet\nTIDAKADA,1Abc\n", encoding="utf-8")
    unknown = _init(str(tmp_path / "d"), "--backend", "google", "--spreadsheets", str(listing), "--spreadsheet-id", "1X")
    assert unknown.exit_code != 0 and "kode OPD 'TIDAKADA' tidak dikenal" in unknown.output
    listing.write_text(f"kode,spreadsheet\n{kodes[0]},https://example.com/bukan spreadsheet\n", encoding="utf-8")
    bad = _init(str(tmp_path / "e"), "--backend", "google", "--spreadsheets", str(listing), "--spreadsheet-id", "1X")
    assert bad.exit_code != 0 and "bukan ID atau URL spreadsheet Google" in bad.output


def test_the_fakes_change_feed_is_as_strict_as_the_discovery_document():
    api = FakeSheetsApi()
    api.create_spreadsheet("1A")
    session = api.client().http_client.session
    url = "https://www.googleapis.com/drive/v3/changes"
    start = session.get(f"{url}/startPageToken").json()["startPageToken"]
    assert session.get(url, params={"pageToken": start, "pageSize": "5000"}).status_code == 400
    assert session.get(url, params={"pageToken": start, "pagesize": "10"}).status_code == 400  # unknown name
    assert session.get(url, params={"pageToken": start, "fields": "changes(file(versions))"}).status_code == 400
    assert session.get(url).status_code == 400  # pageToken is required
    api.touch("1A")
    page = session.get(url, params={"pageToken": start, "fields": "newStartPageToken,changes(fileId,file(version))"})
    assert page.json() == {"newStartPageToken": str(int(start) + 1), "changes": [{"fileId": "1A", "file": {"version": "2"}}]}
    drive.expire_tokens(api)
    refused = session.get(url, params={"pageToken": start})
    assert refused.status_code == 400 and refused.json()["error"]["errors"][0]["location"] == "pageToken"


def test_unchanged_tabs_keep_their_token_until_the_listing_grows(opds, monkeypatch):
    from sheets.google import changes as google_changes

    opds.settle()
    written: list[str] = []
    real = opds.store.mark_written
    monkeypatch.setattr(opds.store, "mark_written", lambda tokens: (written.extend(tokens), real(tokens)))
    kode = opds.kodes[1]
    opds.backend.add_row(kode, Uraian_Data="Jumlah balai", Satuan="unit", Tahun=2024, Nilai="2")
    opds.poll()
    assert set(written) == {kode}  # an ordinary busy cycle writes no token for the 56 other tabs
    monkeypatch.setattr(google_changes, "REFRESH_AFTER", 1)
    written.clear()
    opds.poll()  # the listing now counts: every unchanged tab moves to the newest position
    assert len(set(written)) >= COUNT - 1
    listed_from = opds.last[0].query["pageToken"]
    opds.process()
    opds.poll()
    assert opds.counts() == {"drive": 1, "read": 0, "write": 0}
    assert int(opds.last[0].query["pageToken"][0]) > int(listed_from[0])
