"""Google's per-minute quotas at Magetan's size (DECISIONS.md #90), on the fake API with its quotas on:
57 spreadsheets changing within a minute are served over cycles without a 429, the longest
waiting first, the rest shown as "ditunda karena kuota" (never an error); a 429 that still comes
lowers the budget and its Retry-After is honoured; an idle cycle stays one Drive call whatever
the token history; a failing comment write backs off instead of keeping every cycle busy."""
from __future__ import annotations

from contextlib import contextmanager

import pytest

from service.archive.queries import Queries
from service.reconcile.plan import TabStatus
from service.config import ConfigError, load_config
from sheets.google.budget import COST, STATE_NAME, Budget, Ledger, Quota
from tests.google_world import ActingGoogleBackend
from tests.test_google_layout import COUNT, PerOpd


class Quoted(PerOpd):
    """PerOpd with the fake's quotas on and the workspace's status-google.json kept between processes."""

    def __init__(self, tmp_path, count: int = COUNT, **backend) -> None:
        self.tmp_path, self.options = tmp_path, backend
        super().__init__(tmp_path, count)
        self.api.quota_enabled = True

    def process(self) -> ActingGoogleBackend:
        self.backend = ActingGoogleBackend(self.api, self.config, ledger=Ledger(self.tmp_path / STATE_NAME),
                                           **self.options)
        return self.backend

    def refused(self) -> int:
        return sum(1 for r in self.last if r.status == 429)

    def edit_all(self) -> None:
        for kode in self.kodes:
            self.backend.add_row(kode, Uraian_Data="Jumlah puskesmas", Satuan="unit", Tahun=2024, Nilai="12")


@pytest.fixture
def quoted(tmp_path):
    w = Quoted(tmp_path)
    yield w
    w.store.engine.dispose()


def _serve_all(world: Quoted, limit: int = 6) -> list:
    """Poll as separate processes until no tab waits; the reports."""
    reports = []
    for _ in range(limit):
        world.process()
        reports.append(world.poll())
        assert world.refused() == 0, [r.method for r in world.last if r.status == 429]
        assert world.counts()["read"] <= 60 and world.counts()["write"] <= 60
        if not any(t.status == "ditunda" for t in reports[-1].tabs):
            return reports
    raise AssertionError("still deferring after %s cycles" % limit)


def test_57_spreadsheets_edited_within_a_minute_are_served_without_a_429(quoted):
    _serve_all(quoted)  # the first run creates 57 tabs: over a few cycles, within the quota
    quoted.settle()
    quoted.edit_all()
    reports = _serve_all(quoted)
    first = reports[0]
    deferred = [t for t in first.tabs if t.status == "ditunda"]
    assert not first.errors and all("ditunda karena kuota" in t.message for t in deferred)
    for kode in quoted.kodes:
        assert quoted.backend.get(kode, 2, "ID") == f"{kode}-0001"


@contextmanager
def settled(tmp_path, count: int, **backend):
    """A Quoted workspace after its first run, idle; its archive closed afterwards."""
    world = Quoted(tmp_path, count=count, **backend)
    try:
        _serve_all(world, limit=12)
        world.settle()
        yield world
    finally:
        world.store.engine.dispose()


def _half_deferred(tmp_path) -> tuple[Quoted, object]:
    """Six spreadsheets edited at once under a read quota of 4 a minute: the cycle that defers some."""
    world = Quoted(tmp_path, count=6, quota=Quota(read=2 * COST["read"], write=60))
    _serve_all(world, limit=12)
    world.settle()
    world.edit_all()
    world.process()
    return world, world.poll()


def test_a_deferred_spreadsheet_is_served_first_next_cycle_and_shown_as_deferred_not_as_an_error(tmp_path):
    world, report = _half_deferred(tmp_path)
    try:
        served = [t.opd for t in report.tabs if t.status == "diproses"]
        waiting = [t.opd for t in report.tabs if t.status == "ditunda"]
        # a round is admitted while 2 reads still fit under the 4 a minute; each costs one read
        assert len(served) == 3 and len(waiting) == 3 and not report.errors
        tabs = {t["opd"]: t for t in Queries(world.store.engine).tabs()}
        assert all(tabs[k]["status"] == TabStatus.DEFERRED and "ditunda karena kuota" in tabs[k]["message"] for k in waiting)
        world.process()
        report = world.poll()
        order = [t.opd for t in report.tabs if t.status == "diproses"]
        assert order and set(order) <= set(waiting)  # those that waited go first
        assert all(tabs_now["status"] == "ok" for tabs_now in Queries(world.store.engine).tabs()
                   if tabs_now["opd"] in order)
    finally:
        world.store.engine.dispose()


def test_a_429_that_still_comes_lowers_the_budget_and_its_retry_after_is_honoured(tmp_path):
    with settled(tmp_path, 12) as world:
        world.api.quota, world.api.retry_after = 10, 30  # someone else spends the project's quota
        world.edit_all()
        world.process()
        sleeps: list[float] = []
        sleep = world.backend.retry.sleep
        world.backend.retry.sleep = lambda s: (sleeps.append(s), sleep(s))
        report = world.poll()
        assert world.refused() >= 1 and not report.errors
        assert sleeps and min(sleeps) >= 30  # Retry-After is a floor for the wait
        budget = Ledger(tmp_path / STATE_NAME).section("kuota")
        assert budget["batas"]["read"] < 60  # lowered, and remembered for the next process
        for _ in range(4):
            world.process()
            world.poll()
            assert world.refused() == 0


def test_the_budget_window_slides_and_a_lowered_limit_recovers_minute_by_minute():
    now = [1000.0]
    budget = Budget(Quota(), lambda: now[0])
    for _ in range(58):
        budget.note("read")
    assert budget.room() and budget.used("read") == 58
    budget.note("read")
    assert not budget.room()  # 59 + 2 > 60
    now[0] += 59.9
    assert not budget.room()
    now[0] += 0.2
    assert budget.room() and budget.used("read") == 0
    for _ in range(50):
        budget.note("read")
    budget.limited("read", None)
    assert budget.limits["read"] == 40
    now[0] += 61
    assert budget.limit("read") == 46
    now[0] += 600
    assert budget.limit("read") == 60


def test_a_429_lowers_to_the_limit_it_states_and_a_lone_drive_403_lowers_nothing():
    budget = Budget(Quota(), lambda: 0.0)
    for _ in range(40):
        budget.note("read")
    budget.limited("read", None, stated=20)
    assert budget.limits["read"] == 20
    budget.note("drive")
    budget.limited("drive", None)  # a burst check, not the 12,000 a minute
    assert budget.limits["drive"] == 12_000


def test_the_window_is_shared_by_separate_poll_once_processes(tmp_path):
    now = [5000.0]
    first = Budget(Quota(), lambda: now[0], Ledger(tmp_path / STATE_NAME))
    for _ in range(59):
        first.note("read")
    first.save()
    second = Budget(Quota(), lambda: now[0] + 1, Ledger(tmp_path / STATE_NAME))
    assert second.used("read") == 59 and not second.room()


def test_google_quotas_are_configured_under_google_with_googles_defaults(tmp_path):
    path = tmp_path / "satudata.toml"
    base = '[workspace]\nyear = 2025\n[sheets]\nbackend = "xlsx"\n'
    path.write_text(base, encoding="utf-8")
    assert load_config(path).google_quota == {}
    assert Quota().limit("read") == 60 and Quota().limit("write") == 60 and Quota(read_project=30).limit("read") == 30
    path.write_text(base + "[google]\nkuota_baca_per_menit = 45\nkuota_drive_per_menit = 1000\n", encoding="utf-8")
    assert load_config(path).google_quota == {"read": 45, "drive": 1000}
    path.write_text(base + "[google]\nkuota_baca_per_menit = 0\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="google.kuota_baca_per_menit harus antara 1"):
        load_config(path)
    path.write_text(base + "[google]\nkuota_baca = 5\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="Kunci 'kuota_baca' di google tidak dikenal"):
        load_config(path)


def test_an_idle_cycle_is_one_drive_call_whatever_feed_positions_the_tokens_hold(tmp_path):
    world = Quoted(tmp_path, count=8)
    try:
        world.api.create_spreadsheet("1Lain", editors={world.api.service_account})  # another file the poller sees
        _serve_all(world, limit=12)
        world.settle()
        for kode in world.kodes[:6]:  # six are served, two keep their older feed position
            world.backend.add_row(kode, Uraian_Data="Jumlah puskesmas", Satuan="unit", Tahun=2024, Nilai="12")
        world.process()
        world.poll()
        world.process()
        world.poll()  # the reads after the writes
        for _ in range(4):
            world.api.touch("1Lain")  # the feed moves on every cycle
            world.process()
            world.poll()
            assert world.counts() == {"drive": 1, "read": 0, "write": 0}
            assert [r.method for r in world.last] == ["drive.changes.list"]
    finally:
        world.store.engine.dispose()


def test_the_read_after_a_write_lists_no_tabs_in_a_new_process(tmp_path):
    with settled(tmp_path, 3) as world:
        world.backend.add_row(world.kodes[0], Uraian_Data="Jumlah puskesmas", Satuan="unit", Tahun=2024, Nilai="12")
        world.process()
        world.poll()
        world.process()
        world.poll()  # its token is None since the write: read once, without asking for the tab list
        assert [r.method for r in world.last if r.kind == "read"] == ["sheets.spreadsheets.get"]


def test_the_fake_counts_any_60_seconds_per_user_and_per_project_with_googles_429_body(tmp_path):
    from tests.fake_sheets_api import FakeSheetsApi
    api = FakeSheetsApi(people_use_quota=True, project_quota=90)
    api.create_spreadsheet("1Q", editors={api.service_account, "orang@example.go.id"})
    url = "https://sheets.googleapis.com/v4/spreadsheets/1Q"
    sa, person = api.client().http_client.session, api.client("orang@example.go.id").http_client.session
    api.clock.advance(30)
    assert all(sa.get(url, params={"fields": "spreadsheetId"}, timeout=5).status_code == 200 for _ in range(60))
    api.clock.advance(45)  # a new calendar minute, but not 60 seconds after the first request
    refused = sa.get(url, params={"fields": "spreadsheetId"}, timeout=5)
    assert refused.status_code == 429
    details = refused.json()["error"]["details"][0]
    assert details["metadata"]["quota_limit"] == "ReadRequestsPerMinutePerUser"
    assert details["metadata"]["quota_limit_value"] == "60"
    answers = [person.get(url, params={"fields": "spreadsheetId"}, timeout=5) for _ in range(60)]
    assert [a.status_code for a in answers].count(429) > 0  # the project's 90 a minute, shared
    assert answers[-1].json()["error"]["details"][0]["metadata"]["quota_limit"] == "ReadRequestsPerMinute"


def test_kesehatan_and_status_show_deferred_tabs_as_waiting_not_as_errors(tmp_path):
    from datetime import datetime, timezone

    from click.testing import CliRunner

    from service.cli import main
    from service.web.app import create_app

    world, report = _half_deferred(tmp_path)
    try:
        waiting = [t.opd for t in report.tabs if t.status == "ditunda"]
        assert waiting
        now = datetime(2025, 3, 4, 2, 0, tzinfo=timezone.utc)
        client = create_app(world.config, world.store, clock=lambda: now).test_client()
        data = client.get("/api/kesehatan").get_json()
        assert [t["kode"] for t in data["kuota"]["ditunda"]] == waiting
        assert not {t["kode"] for t in data["masalah_tab"]} & set(waiting)  # not among the problems
        html = client.get("/kesehatan").get_data(as_text=True)
        assert "ditunda karena kuota" in html and waiting[0] in html
        world.config.path.write_text(
            '[workspace]\nyear = 2025\n[sheets]\nbackend = "google"\n'
            f'[archive]\nurl = "{world.config.archive_url}"\n'
            + "".join(f'[[opd]]\nkode = "{k}"\nnama = "{k}"\nspreadsheet_id = "1Sheet{k}"\n' for k in world.kodes),
            encoding="utf-8")
        out = CliRunner().invoke(main, ["-c", str(world.config.path), "status"]).output
        assert "~ ditunda karena kuota Google per menit" in out and "! ditunda" not in out
    finally:
        world.store.engine.dispose()
