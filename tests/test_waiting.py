"""A workbook open in Excel/LibreOffice is a waiting state (DECISIONS.md #20), and what poll prints (12.2)."""
from __future__ import annotations

import io
import json
import os
from datetime import datetime, timedelta, timezone

import pytest

from service.cli.report import progress_printer
from service.web.app import create_app
from service.config import load_config
from sheets.lockfile import find_lock, lock_owner
from tests.conftest import WIB
from tests.test_xlsx_flow import Workspace


def libreoffice_lock(path, user: str, when: str) -> None:
    path.write_text(f"{user},operator,PC-DINKES,{when},file:///C:/Users/operator/AppData/Roaming/LibreOffice/4;",
                    encoding="utf-8")


def excel_lock(path, user: str) -> None:
    ansi = user.encode("cp1252")
    wide = user.encode("utf-16-le")
    data = bytes([len(ansi)]) + ansi.ljust(53, b" ") + len(user).to_bytes(2, "little") + wide
    path.write_bytes(data.ljust(165, b"\0"))


# --- reading the lock files ---------------------------------------------------------------------
def test_libreoffice_lock_names_user_and_time(tmp_path):
    book = tmp_path / "DINKES.xlsx"
    libreoffice_lock(tmp_path / ".~lock.DINKES.xlsx#", "Operator DINKES", "02.12.2026 08:00")
    user, since = lock_owner(book)
    assert user == "Operator DINKES" and since == datetime(2026, 12, 2, 8, 0).astimezone()  # the server's zone
    assert find_lock(book).program == "LibreOffice"


@pytest.fixture
def server_zone(monkeypatch):
    """Run with the server's clock in another zone (TZ), put back afterwards."""
    import time

    def use(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()
    yield use
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize("tz, written", [("UTC", "02.12.2026 03:15"), ("Asia/Jakarta", "02.12.2026 10:15"),
                                         ("Asia/Makassar", "02.12.2026 11:15")])
def test_a_libreoffice_lock_time_is_read_in_the_servers_zone_and_shown_in_wib(tmp_path, server_zone, tz, written):
    from service.archive.waiting import lock_state
    from tests.conftest import make_config

    server_zone(tz)
    config = make_config(tmp_path)
    config.folder.mkdir()
    libreoffice_lock(config.folder / ".~lock.DINKES.xlsx#", "Operator DINKES", written)
    assert find_lock(config.folder / "DINKES.xlsx").since == datetime(2026, 12, 2, 3, 15, tzinfo=timezone.utc)
    later = datetime(2026, 12, 2, 11, 45, tzinfo=WIB)  # an hour and a half after it was opened
    state = lock_state(config, "DINKES", later)
    assert "sejak 10.15 WIB" in state["pesan"] and not state["basi"]
    assert lock_state(config, "DINKES", later + timedelta(days=1))["ringkas"].endswith("2 Desember 2026 10.15 WIB")


def test_libreoffice_lock_without_a_full_name_uses_the_login(tmp_path):
    libreoffice_lock(tmp_path / ".~lock.DINKES.xlsx#", "", "02.12.2026 08:00")
    assert lock_owner(tmp_path / "DINKES.xlsx")[0] == "operator"


def test_excel_lock_names_user_and_since_from_its_file_time(tmp_path):
    lock = tmp_path / "~$DINKES.xlsx"
    excel_lock(lock, "Sri Rahayu")
    stamp = datetime(2026, 12, 2, 1, 0, tzinfo=timezone.utc).timestamp()
    os.utime(lock, (stamp, stamp))
    user, since = lock_owner(tmp_path / "DINKES.xlsx")
    assert user == "Sri Rahayu" and since == datetime(2026, 12, 2, 1, 0, tzinfo=timezone.utc)


def test_garbage_lock_file_is_still_a_lock_with_unknown_user(tmp_path):
    (tmp_path / "~$DINKES.xlsx").write_bytes(b"\xff")
    assert lock_owner(tmp_path / "DINKES.xlsx")[0] == ""
    assert lock_owner(tmp_path / "DIKPORA.xlsx") is None


# --- shown everywhere as waiting --------------------------------------------------------------------
@pytest.fixture
def ws(tmp_path):
    return Workspace(tmp_path)


def _held(ws, when: datetime) -> None:
    ws.cli("poll", "--once")
    ws.edit("DINKES", 2, uraian_data="Jumlah Puskesmas", satuan="Unit")
    libreoffice_lock(ws.root / "sheets" / ".~lock.DINKES.xlsx#", "Operator DINKES",
                     f"{when.astimezone():%d.%m.%Y %H:%M}")  # LibreOffice on this server writes its own clock


def test_held_write_is_waiting_in_poll_status_and_every_dashboard_page(ws):
    now = datetime.now(WIB).replace(second=0, microsecond=0)
    _held(ws, now)
    out = ws.cli("poll", "--once").output
    assert "MENUNGGU" in out and f"dibuka oleh Operator DINKES sejak {now:%H.%M} WIB" in out
    status = ws.cli("status").output
    assert f"dibuka oleh Operator DINKES sejak {now:%H.%M} WIB" in status
    report = json.loads(ws.cli("poll", "--once", "--json").output)
    assert report["galat"] == [] and [t["waiting"] for t in report["tab"] if t["opd"] == "DINKES"] == [True]

    client = create_app(load_config(ws.root / "satudata.toml"), clock=lambda: now).test_client()
    health = client.get("/api/kesehatan").get_json()
    assert health["siklus_terakhir"]["status"] == "selesai"
    problem = {p["kode"]: p for p in health["masalah_tab"]}["DINKES"]
    assert problem["status_label"] == "Menunggu berkas ditutup" and "Operator DINKES" in problem["pesan"]
    assert "hasil belum tertulis" not in client.get("/kesehatan").get_data(as_text=True)
    assert f"dibuka oleh Operator DINKES sejak {now:%H.%M} WIB" in client.get("/").get_data(as_text=True)
    page = client.get("/opd/DINKES").get_data(as_text=True)
    assert "Menunggu: berkas DINKES.xlsx dibuka oleh Operator DINKES" in page
    assert client.get("/api/opd/DINKES").get_json()["opd"]["dibuka"]["oleh"] == "Operator DINKES"


def test_lock_older_than_the_configured_age_is_stale_with_a_hint(ws):
    config = (ws.root / "satudata.toml").read_text(encoding="utf-8")
    (ws.root / "satudata.toml").write_text(config.replace('folder = "sheets"', 'folder = "sheets"\nkunci_basi_jam = 2'),
                                           encoding="utf-8")
    _held(ws, datetime.now(WIB) - timedelta(hours=3))
    out = ws.cli("poll", "--once").output
    assert "lebih dari 2 jam" in out and "hapus berkas kunci .~lock.DINKES.xlsx#" in out
    assert "MENUNGGU" not in out


# --- what poll prints ------------------------------------------------------------------------------
def test_progress_is_a_plain_line_when_not_a_terminal_and_nothing_with_json():
    out = io.StringIO()
    ticks = iter([0.0, 0.5, 5.0, 5.2])
    show = progress_printer(False, "Memeriksa tab", stream=out, clock=lambda: next(ticks))
    show(1, 3, "DINKES")  # 0.5 s after the start: not yet
    show(2, 3, "DIKPORA")  # 5 s: a line
    show(3, 3, "selesai")  # the end: always a line
    assert out.getvalue().splitlines() == ["Memeriksa tab 2/3: DIKPORA", "Memeriksa tab 3/3: selesai"]
    assert progress_printer(True, "Memeriksa tab") is None


def test_continuous_poll_prints_changes_only_and_one_summary_line(ws):
    from click.testing import CliRunner

    from service.cli.poll import cycle_printer as _cycle_printer
    from service.poller.service import Service
    ws.cli("poll", "--once")
    ws.edit("DINKES", 2, uraian_data="Jumlah Puskesmas", satuan="Unit")
    ws.edit("DIKPORA", 2, uraian_data="Jumlah Sekolah", satuan="Unit")
    ws.cli("poll", "--once")
    ws.edit("DINKES", 3, uraian_data="Jumlah Bidan", satuan="Orang")
    service = Service.open(load_config(ws.root / "satudata.toml"))
    job = _cycle_printer(service, as_json=False)
    runner = CliRunner()
    with runner.isolation() as (stdout, _stderr, _):
        job()  # the first cycle of the loop: like --once
        first = len(stdout.getvalue().decode().splitlines())
        job()  # nothing changed
        lines = stdout.getvalue().decode().splitlines()[first:]
    service.release()
    assert len(lines) == 1 and lines[0].startswith("Siklus ") and "0 dari 2 tab berubah" in lines[0]


def test_a_held_tab_with_rows_does_not_say_belum_ada_baris(capsys):
    from service.cli.report import echo_report
    from service.poller.cycle import CycleReport, TabReport
    report = CycleReport(3, datetime(2025, 3, 4, tzinfo=WIB),
                         tabs=[TabReport("DINKES", "dilewati", "Penghapusan massal ditahan", rows=12)])
    echo_report(report, as_json=False)
    out = capsys.readouterr().out
    assert "12 baris di sheet, belum diproses" in out and "belum ada baris" not in out
