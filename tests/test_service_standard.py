"""The service standard as the SOP states it (DECISIONS.md #6): working days since
the list was handed out against the SPM's 25, each step's begin, end and lateness, local holidays
and deadline extensions from satudata.toml."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
from click.testing import CliRunner

from rules.calendar import WorkCalendar
from rules.deadlines import Extension, service_clock, step_spans, step_timeline
from service.archive.progress import progress
from service.cli.commands import main
from service.config import ConfigError, load_config
from service.web.app import create_app
from tests.conftest import WIB

CAL = WorkCalendar()
MON = datetime(2025, 3, 3, 9, 0, tzinfo=WIB)  # Monday 3 March 2025
AGREE = ("Dicek Bersama", "Disepakati OPD", "Disepakati Walidata", "Disetujui Ka. OPD")


def _steps(timeline):
    return {"–".join(map(str, s["langkah"])): s for s in timeline}


def test_a_step_began_when_the_phase_reached_it_and_ended_when_the_phase_left_it():
    log = [(MON, 1), (MON + timedelta(days=3), 3), (MON + timedelta(days=4), 6)]
    assert step_spans(log, 1) == (MON, MON + timedelta(days=3))
    assert step_spans(log, 3) == (MON + timedelta(days=3), MON + timedelta(days=4))
    assert step_spans(log, 5) == (MON + timedelta(days=4), MON + timedelta(days=4))  # skipped: no time spent
    assert step_spans(log, 6) == (MON + timedelta(days=4), None)  # running
    assert step_spans(log, 7) == (None, None)  # not reached


def test_a_step_that_took_longer_than_the_sop_allows_ran_late():
    log = [(MON, 1), (MON + timedelta(days=3), 3)]  # step 3 allows 1 working day, took 3
    steps = _steps(step_timeline(log, MON + timedelta(days=4), CAL))
    assert steps["3"]["ketepatan"] == "terlambat" and steps["3"]["selesai"] == MON + timedelta(days=3)
    assert steps["4–5"]["ketepatan"] == "tepat_waktu" and steps["4–5"]["batas_hari_kerja"] == 5
    assert steps["7"]["ketepatan"] == "belum_mulai" and steps["7"]["mulai"] is None


def test_an_extension_naming_a_step_extends_that_step_and_the_service():
    log = [(MON, 1), (MON + timedelta(days=3), 3)]
    extended = (Extension(3, "Daftar data baru dari kementerian", langkah=3),)
    steps = _steps(step_timeline(log, MON + timedelta(days=4), CAL, extended))
    assert steps["3"]["batas_hari_kerja"] == 4 and steps["3"]["ketepatan"] == "selesai"
    clock = service_clock(MON, None, MON, CAL, extended + (Extension(5, "Banjir"),))
    assert clock["batas_hari_kerja"] == 33 and clock["perpanjangan_hari_kerja"] == 8


def test_the_service_clock_counts_25_working_days_from_the_handout():
    assert service_clock(MON, None, MON + timedelta(days=14), CAL)["ketepatan"] == "tepat_waktu"
    late = service_clock(MON, None, MON + timedelta(days=50), CAL)
    assert late["ketepatan"] == "terlambat" and late["batas_hari_kerja"] == 25
    # 25 working days after Monday 3 March 2025 skip the cuti bersama of Nyepi (Friday 28 March)
    # and Idul Fitri with its cuti bersama (31 March - 7 April): 15.00 on Wednesday 16 April
    assert late["tenggat"] == datetime(2025, 4, 16, 15, 0, tzinfo=WIB)
    assert service_clock(None, None, MON, CAL)["ketepatan"] == "belum_mulai"


def test_a_local_holiday_moves_the_deadline_and_keeps_its_name():
    local = WorkCalendar({date(2025, 3, 4): "Hari Jadi Magetan"})
    assert local.holiday_name(date(2025, 3, 4)) == "Hari Jadi Magetan"
    assert service_clock(MON, None, MON, local)["tenggat"] > service_clock(MON, None, MON, CAL)["tenggat"]


WORKSPACE = """[workspace]
year = 2025
[sheets]
backend = "xlsx"
{extra}
[[opd]]
kode = "DINKES"
nama = "Dinas Kesehatan"
{opd}
"""


def _config(tmp_path, extra="", opd=""):
    path = tmp_path / "satudata.toml"
    path.write_text(WORKSPACE.format(extra=extra, opd=opd), encoding="utf-8")
    return load_config(path)


def test_holidays_and_extensions_are_read_from_the_workspace_file(tmp_path):
    config = _config(tmp_path, '[kalender]\nlibur_tambahan = ["2025-10-13", 2025-10-20, '
                               '{ tanggal = "2025-10-21", nama = "Hari Jadi Magetan" }]',
                     'perpanjangan = [{hari = 5, alasan = "Sistem aplikasi sektoral rusak"}, '
                     '{hari = 2, alasan = "Kepala OPD dinas luar", langkah = 6}]')
    assert config.extra_holidays == {date(2025, 10, 13): "", date(2025, 10, 20): "",
                                     date(2025, 10, 21): "Hari Jadi Magetan"}
    assert config.opds[0].perpanjangan == (Extension(5, "Sistem aplikasi sektoral rusak"),
                                           Extension(2, "Kepala OPD dinas luar", 6))


@pytest.mark.parametrize("extra, opd, message", [
    ('[kalender]\nlibur_tambahan = ["13-10-2025"]', "", "kalender.libur_tambahan ke-1 '13-10-2025' bukan tanggal"),
    ('[kalender]\nlibur_tambahan = "2025-10-13"', "", "kalender.libur_tambahan harus berupa daftar"),
    ('[kalender]\nlibur = ["2025-10-13"]', "", "Kunci 'libur' di kalender tidak dikenal"),
    ('[kalender]\nlibur_tambahan = [{ tanggal = "2025-10-13", name = "x" }]', "", "Kunci 'name'"),
    ('[kalender]\nlibur_tambahan = ["2025-10-13", "2025-10-13"]', "", "sudah tercantum"),
    ("", 'perpanjangan = [{hari = 0, alasan = "x"}]', "[[opd]] ke-1.perpanjangan ke-1.hari harus antara 1"),
    ("", 'perpanjangan = [{hari = 5}]', "[[opd]] ke-1.perpanjangan ke-1.alasan wajib diisi"),
    ("", 'perpanjangan = [{hari = 5, alasan = "  "}]', "alasan wajib diisi"),
    ("", 'perpanjangan = [{hari = "lima", alasan = "x"}]', "hari harus berupa bilangan bulat"),
    ("", 'perpanjangan = [{hari = 5, alasan = "x", langkah = 12}]', "langkah harus nomor langkah SOP"),
    ("", 'perpanjangan = {hari = 5}', "[[opd]] ke-1.perpanjangan harus berupa daftar"),
])
def test_a_bad_calendar_value_is_named_in_indonesian(tmp_path, extra, opd, message):
    with pytest.raises(ConfigError) as caught:
        _config(tmp_path, extra, opd)
    assert message in str(caught.value)


def _dinkes(world):
    return next(o for o in progress(world.config, world.store, world.now)["opd"] if o["kode"] == "DINKES")


def _drive_to_checked(world):
    world.poll()
    row = world.backend.add_row("DINKES", Uraian_Data="Jumlah Puskesmas", Satuan="Unit")
    world.poll()
    first_seen = world.now
    rid = world.backend.get("DINKES", row, "ID")
    world.now += timedelta(days=3)
    world.backend.set("DINKES", rid, "Dicek Bersama", "YA")
    world.poll()
    return first_seen


def test_the_service_clock_starts_at_the_first_row_seen_and_step_3_ran_late(world):
    first_seen = _drive_to_checked(world)
    info = _dinkes(world)
    assert info["standar_pelayanan"]["dibagikan"] == first_seen
    assert info["standar_pelayanan"]["batas_hari_kerja"] == 25
    assert info["langkah_terlambat"] == [[3]] and info["fase_kode"] == "3"


def test_a_recorded_handout_earlier_than_the_first_row_starts_the_clock(world):
    _drive_to_checked(world)
    handed = datetime(2025, 2, 3, 8, 0, tzinfo=WIB)
    world.store.phases.record_handout("DINKES", handed)
    world.store.phases.record_handout("DINKES", handed + timedelta(days=2))  # a later handout keeps the earliest
    info = _dinkes(world)
    assert info["standar_pelayanan"]["dibagikan"] == handed
    world.now = handed + timedelta(days=60)
    assert _dinkes(world)["standar_pelayanan"]["ketepatan"] == "terlambat"
    assert _dinkes(world)["ketepatan"] == "terlambat"


def test_an_extension_is_shown_with_the_deadlines_on_dashboard_api_and_status(world, tmp_path):
    _drive_to_checked(world)
    path = tmp_path / "satudata.toml"
    path.write_text(WORKSPACE.format(extra='[kalender]\nlibur_tambahan = [{ tanggal = "2025-03-20", '
                                           'nama = "Hari Jadi Magetan" }]\n[archive]\nurl = "sqlite:///arsip.sqlite"',
                                     opd='perpanjangan = [{hari = 5, alasan = "Banjir di kantor"}]'),
                    encoding="utf-8")
    config = load_config(path)
    client = create_app(config, world.store, clock=lambda: world.now).test_client()
    ringkasan = client.get("/").get_data(as_text=True)
    assert "Standar pelayanan" in ringkasan and "dari 30 hari" in ringkasan and "terlambat di langkah 3" in ringkasan
    assert "Hari Jadi Magetan" in ringkasan
    page = client.get("/opd/DINKES").get_data(as_text=True)
    assert 'id="tabel-langkah"' in page and "Banjir di kantor" in page
    api = client.get("/api/opd/DINKES").get_json()["opd"]
    assert api["standar_pelayanan"]["perpanjangan_hari_kerja"] == 5 and api["langkah_terlambat"] == [[3]]
    out = CliRunner().invoke(main, ["-c", str(path), "status"]).output
    assert "standar pelayanan" in out and "dari 30 hari kerja, termasuk perpanjangan 5" in out
    assert "terlambat di langkah 3" in out and "perpanjangan 5 hari kerja: Banjir di kantor" in out
    assert "Libur tambahan: 20 Maret 2025 (Hari Jadi Magetan)" in out
    data = json.loads(CliRunner().invoke(main, ["-c", str(path), "status", "--json"]).output)
    assert data["opd"][0]["standar_pelayanan"]["batas_hari_kerja"] == 30


@pytest.mark.parametrize("end", [
    datetime(2025, 3, 4, 10, 0, tzinfo=WIB),  # a Tuesday morning
    datetime(2025, 3, 4, 20, 0, tzinfo=WIB),  # after service hours
    datetime(2025, 3, 8, 10, 0, tzinfo=WIB),  # a Saturday
    datetime(2025, 3, 27, 9, 0, tzinfo=WIB),  # the day before cuti bersama Nyepi
])
def test_the_demo_timeline_shows_late_at_risk_and_on_time_whatever_the_day(end):
    from rules.deadlines import classify
    from service.cli.demo import demo_timeline

    moments = demo_timeline(end, CAL)
    assert moments == sorted(moments) and moments[-1] <= end
    _, listed, _, _, checked, agreed, *_ = moments  # create, IDs, AKI filled, AKI verified, then the steps
    assert classify(listed, 1, None, end, CAL)["ketepatan"] == "terlambat"  # BPBD, still at 1 Draf
    assert classify(agreed, 2, None, end, CAL)["ketepatan"] == "berisiko"  # DISNAKKAN, step 6
    assert classify(checked, 5, None, end, CAL)["ketepatan"] == "tepat_waktu"  # DPUPR, steps 4-5
    assert classify(listed, 25, None, end, CAL)["ketepatan"] == "tepat_waktu"  # the service clock
