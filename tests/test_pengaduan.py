"""Complaints and data requests from the public (SPM 11): the hardened forms, the tickets in the
archive, the handlers' queue with working-day deadlines, and the public answer."""
from __future__ import annotations

import dataclasses
import re
import tracemalloc
from datetime import datetime, timedelta

import pytest
from werkzeug.security import generate_password_hash

from service.archive.pengaduan import Tickets
from service.config.pengaduan import PengaduanSettings
from service.web.app import create_app
from service.web.guard import RateLimit
from tests.conftest import WIB
from tests.publish_world import PublishedWorld

NOW = datetime(2025, 3, 5, 9, 0, tzinfo=WIB)  # a Wednesday
PUSKESMAS = "dinkes-demo-dinkes-007"
USERS = {"walidata": generate_password_hash("rahasia-magetan"),
         "statistik": generate_password_hash("sandi-bidang")}


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    world = PublishedWorld(tmp_path_factory.mktemp("pengaduan"))
    yield world
    world.store.engine.dispose()


def app_for(world, clock=None, **changes):
    config = dataclasses.replace(world.config, **changes)
    return create_app(config, world.store, clock=clock or (lambda: NOW))


def token(html: str, action: str) -> str:
    form = html[html.index(f'action="{action}"'):]
    return re.search(r'name="token" value="([^"]+)"', form).group(1)


def ticket_number(response) -> str:
    return re.search(r'id="nomor-tiket">([^<]+)<', response.get_data(as_text=True)).group(1)


def post_report(client, text="Angka Poncol 2025 seharusnya 2", address="127.0.0.1", **extra):
    page = client.get(f"/data/{PUSKESMAS}").get_data(as_text=True)
    data = {"token": token(page, f"/data/{PUSKESMAS}/lapor"), "baris": "Poncol 2025", "isi": text,
            "kontak": "warga@example.org", **extra}
    return client.post(f"/data/{PUSKESMAS}/lapor", data=data, environ_base={"REMOTE_ADDR": address})


def test_a_report_on_an_item_gets_a_ticket_number_and_is_stored_in_the_archive(world):
    response = post_report(app_for(world).test_client())
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    nomor = re.search(r'id="nomor-tiket">([^<]+)<', html).group(1)
    assert re.fullmatch(r"PGD-2025-\d{5}", nomor) and "Laporan Anda sudah diterima" in html
    ticket = Tickets(world.store.engine).get(nomor)
    assert ticket["opd"] == "DINKES" and ticket["item"] == PUSKESMAS and ticket["status"] == "terbuka"
    assert ticket["isi"] == "Angka Poncol 2025 seharusnya 2" and ticket["kontak"] == "warga@example.org"


def test_a_post_without_a_valid_token_is_refused_in_indonesian(world):
    client = app_for(world).test_client()
    for bad in ("", "123.abc", "9999999999.00"):
        response = client.post(f"/data/{PUSKESMAS}/lapor", data={"token": bad, "isi": "x"})
        assert response.status_code == 400 and "kedaluwarsa atau tidak sah" in response.get_data(as_text=True)
    other = create_app(world.config, world.store, clock=lambda: NOW).test_client()  # another process's key
    page = other.get(f"/data/{PUSKESMAS}").get_data(as_text=True)
    forged = client.post(f"/data/{PUSKESMAS}/lapor", data={"token": token(page, f"/data/{PUSKESMAS}/lapor"),
                                                           "isi": "x"})
    assert forged.status_code == 400


def test_a_token_made_for_the_public_form_cannot_answer_a_ticket(world):
    client = app_for(world).test_client()
    nomor = ticket_number(post_report(client))
    page = client.get(f"/data/{PUSKESMAS}").get_data(as_text=True)
    response = client.post(f"/pengaduan/{nomor}", data={"token": token(page, f"/data/{PUSKESMAS}/lapor"),
                                                        "jawaban": "diretas"})
    assert response.status_code == 400 and Tickets(world.store.engine).get(nomor)["jawaban"] == ""


def test_an_old_page_is_refused_and_says_to_reload(world):
    clock = Clock(NOW)
    client = app_for(world, clock).test_client()
    page = client.get(f"/data/{PUSKESMAS}").get_data(as_text=True)
    clock.now = NOW + timedelta(days=1)
    response = client.post(f"/data/{PUSKESMAS}/lapor", data={"token": token(page, f"/data/{PUSKESMAS}/lapor"),
                                                             "isi": "lama"})
    assert response.status_code == 400 and "Muat ulang halaman" in response.get_data(as_text=True)


def test_the_honeypot_filled_is_refused_and_nothing_is_stored(world):
    before = len(Tickets(world.store.engine).listing())
    response = post_report(app_for(world).test_client(), situs_web="http://spam.example")
    assert response.status_code == 400 and "harus dibiarkan kosong" in response.get_data(as_text=True)
    assert len(Tickets(world.store.engine).listing()) == before


def test_text_over_its_cap_is_refused_naming_the_field_and_keeping_what_was_typed(world):
    response = post_report(app_for(world).test_client(), text="x" * 2001)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Apa yang salah terlalu panjang: 2.001 karakter, paling banyak 2.000." in html
    assert "x" * 2001 in html  # the form comes back filled


def test_a_megabyte_body_is_refused_whole_with_an_indonesian_page(world):
    client = app_for(world).test_client()
    response = client.post(f"/data/{PUSKESMAS}/lapor", data={"token": "1.x", "isi": "y" * 1_000_000})
    assert response.status_code == 413 and "Kiriman terlalu besar" in response.get_data(as_text=True)


def test_hostile_text_is_stored_as_typed_and_shown_as_text(world):
    hostile = '<script>alert(1)</script><b onmouseover="x">tebal</b> \u202eكتب عربي 😀🇮🇩\x00'
    client = app_for(world).test_client()
    response = post_report(client, text=hostile, tampilkan="ya")
    nomor = ticket_number(response)
    stored = Tickets(world.store.engine).get(nomor)
    assert stored["isi"] == hostile.replace("\x00", "")  # NUL dropped: no database keeps it
    queue = client.get("/pengaduan").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in queue and "&lt;script&gt;alert(1)&lt;/script&gt;" in queue
    assert "كتب عربي 😀🇮🇩" in queue


def test_rapid_posts_from_one_address_are_refused_after_the_limit(world):
    config = dataclasses.replace(world.config, pengaduan=PengaduanSettings(batas_per_jam=3))
    client = create_app(config, world.store, clock=lambda: NOW).test_client()
    codes = [post_report(client, address="10.0.0.9").status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    refused = post_report(client, address="10.0.0.9").get_data(as_text=True)
    assert "Terlalu banyak kiriman dari alamat ini" in refused
    assert post_report(client, address="10.0.0.10").status_code == 200


def test_the_rate_limit_memory_stays_bounded_under_many_addresses():
    limit = RateLimit(5, addresses=1000)
    tracemalloc.start()
    for i in range(1000):
        limit.allow(f"10.0.{i // 256}.{i % 256}", NOW)
    first = tracemalloc.take_snapshot()
    for i in range(50_000):
        limit.allow(f"172.16.{i // 256 % 256}.{i % 256}-{i}", NOW)
    grown = tracemalloc.take_snapshot().compare_to(first, "filename")
    tracemalloc.stop()
    assert len(limit) == 1000
    assert sum(s.size_diff for s in grown) < 200_000  # 50,000 new addresses, memory as for 1,000


def test_one_address_posting_many_times_keeps_one_entry_of_at_most_limit_moments():
    limit = RateLimit(10)
    results = [limit.allow("10.1.1.1", NOW + timedelta(seconds=i)) for i in range(200)]
    assert results.count(True) == 10 and len(limit) == 1 and len(limit._seen["10.1.1.1"]) == 10
    assert limit.allow("10.1.1.1", NOW + timedelta(hours=1, seconds=1))  # the window passed


def test_the_queue_shows_age_in_working_days_and_the_deadline(world):
    clock = Clock(NOW)
    client = app_for(world, clock).test_client()
    nomor = ticket_number(post_report(client))
    clock.now = datetime(2025, 3, 12, 10, 0, tzinfo=WIB)  # Wednesday a week later: 5 working days on
    html = client.get("/pengaduan").get_data(as_text=True)
    section = html[html.index(f'id="tiket-{nomor}"'):]
    assert "5,2 dari 5 hari kerja" in section  # the rest of 5 March, four whole days, two hours of 12 March
    assert "12 Maret 2025" in section  # 5 working days after 5 March end at 15.00 on 12 March
    clock.now = datetime(2025, 3, 13, 9, 0, tzinfo=WIB)
    section = client.get("/pengaduan").get_data(as_text=True)
    assert 'badge terlambat' in section[section.index(f'id="tiket-{nomor}"'):].split("</section>")[0]


def test_a_ticket_shows_on_its_opds_dashboard_page(world):
    client = app_for(world).test_client()
    nomor = ticket_number(post_report(client))
    opd_page = client.get("/opd/DINKES").get_data(as_text=True)
    assert 'id="tabel-pengaduan"' in opd_page and nomor in opd_page
    assert nomor not in client.get("/opd/DIKPORA").get_data(as_text=True)


def test_answering_marks_it_done_and_the_public_page_shows_the_answer_when_the_reporter_chose(world):
    client = app_for(world, dashboard_users=USERS, publikasi={"terbuka": True}).test_client()
    auth = {"Authorization": "Basic " + __import__("base64").b64encode(b"walidata:rahasia-magetan").decode()}
    shown = ticket_number(post_report(client, tampilkan="ya"))
    hidden = ticket_number(post_report(client, text="rahasia"))
    queue = client.get("/pengaduan", headers=auth).get_data(as_text=True)
    for nomor in (shown, hidden):
        response = client.post(f"/pengaduan/{nomor}", headers=auth, data={
            "token": token(queue, f"/pengaduan/{nomor}"), "jawaban": "Sudah dibetulkan OPD.", "dikoreksi": "ya",
            "versi_baru": "versi 3"})
        assert response.status_code == 303
    ticket = Tickets(world.store.engine).get(shown)
    assert ticket["status"] == "selesai" and ticket["dikoreksi"] is True and ticket["versi_baru"] == "versi 3"
    assert ticket["dijawab_oleh"] == "pengguna dasbor walidata"
    public = client.get(f"/data/{PUSKESMAS}").get_data(as_text=True)
    assert shown in public and "Sudah dibetulkan OPD." in public and "Data telah dikoreksi" in public
    assert hidden not in public and "warga@example.org" not in public
    assert shown not in client.get("/pengaduan", headers=auth).get_data(as_text=True)  # no longer open


def test_the_pengaduan_role_sees_the_queue_but_not_the_rest_of_the_dashboard(world):
    config = dataclasses.replace(world.config, dashboard_users=USERS,
                                 pengaduan=PengaduanSettings(petugas=("statistik",)))
    client = create_app(config, world.store, clock=lambda: NOW).test_client()
    auth = {"Authorization": "Basic " + __import__("base64").b64encode(b"statistik:sandi-bidang").decode()}
    assert client.get("/pengaduan", headers=auth).status_code == 200
    refused = client.get("/", headers=auth)
    assert refused.status_code == 403 and "hanya untuk menangani pengaduan" in refused.get_data(as_text=True)
    assert client.get("/pengaduan").status_code == 401


def test_an_usulan_from_the_catalogue_is_accepted_for_an_opd(world):
    client = app_for(world).test_client()
    page = client.get("/data").get_data(as_text=True)
    response = client.post("/data/usulan", data={"token": token(page, "/data/usulan"), "isi": "Jumlah posyandu aktif",
                                                 "alasan": "Penelitian", "opd": ""})
    nomor = ticket_number(response)
    assert nomor.startswith("USL-2025-")
    queue = client.get("/pengaduan").get_data(as_text=True)
    missing_opd = client.post(f"/pengaduan/{nomor}", data={"token": token(queue, f"/pengaduan/{nomor}"),
                                                           "jawaban": "Diterima", "status": "diterima"})
    assert missing_opd.status_code == 400 and "harus ditujukan ke satu OPD" in missing_opd.get_data(as_text=True)
    client.post(f"/pengaduan/{nomor}", data={"token": token(queue, f"/pengaduan/{nomor}"), "jawaban": "Diterima",
                                             "status": "diterima", "opd": "DINKES"})
    accepted = Tickets(world.store.engine).accepted_usulan()
    assert [(u["nomor"], u["opd"], u["isi"]) for u in accepted] == [(nomor, "DINKES", "Jumlah posyandu aktif")]
    unknown = client.post("/data/usulan", data={"token": token(page, "/data/usulan"), "isi": "x", "opd": "NGAWUR"})
    assert unknown.status_code == 400 and "OPD tidak dikenal" in unknown.get_data(as_text=True)


def test_distribute_usulan_hands_accepted_requests_to_their_opd_once(tmp_path):
    from click.testing import CliRunner

    from service.archive.pengaduan import NewTicket
    from service.cli import main
    from tests.test_distribute import excel_workspace
    cfg = excel_workspace(tmp_path)
    assert CliRunner().invoke(main, ["-c", str(cfg), "poll", "--once"]).exit_code == 0  # creates the archive
    from service.archive.engine import make_engine
    from service.config import load_config
    config = load_config(cfg)
    engine = make_engine(config.archive_url)
    desk = Tickets(engine)
    accepted = desk.open(NewTicket("usulan", "Jumlah posyandu aktif per desa\nuntuk penelitian"), NOW)
    desk.answer(accepted, status="diterima", jawaban="Masuk daftar 2026", oleh="x", now=NOW, opd="DINKES")
    refused = desk.open(NewTicket("usulan", "Data rahasia", opd="DINKES"), NOW)
    desk.answer(refused, status="ditolak", jawaban="Bukan data sektoral", oleh="x", now=NOW)
    engine.dispose()
    first = CliRunner().invoke(main, ["-c", str(cfg), "distribute", "--usulan"])
    assert first.exit_code == 0, first.output
    assert "1 usulan data masyarakat yang diterima ikut dibagikan" in first.output
    assert "DINKES             1 baris ditambahkan, 0 dilewati" in first.output
    again = CliRunner().invoke(main, ["-c", str(cfg), "distribute", "--usulan"])
    assert "DINKES             0 baris ditambahkan, 1 dilewati" in again.output, again.output
    from python_calamine import CalamineWorkbook
    sheet = CalamineWorkbook.from_path(str(config.folder / "DINKES.xlsx")).get_sheet_by_index(0).to_python()
    row = next(r for r in sheet if "Jumlah posyandu aktif per desa" in r)
    assert f"Usulan masyarakat {accepted}" in row
    nothing = CliRunner().invoke(main, ["-c", str(cfg), "distribute"])
    assert nothing.exit_code == 2 and "--usulan" in nothing.output


def test_tickets_keep_hostile_text_and_their_handling_on_every_database(archive_url):
    from service.archive.engine import make_engine
    engine = make_engine(archive_url, upgrade=True)
    try:
        desk = Tickets(engine)
        text = "<b>tebal</b> \u202eعربي 😀🇮🇩 " + "panjang " * 240
        first = desk.open(report_ticket(text), NOW)
        second = desk.open(report_ticket("kedua"), NOW + timedelta(minutes=1))
        assert first != second and first.startswith("PGD-2025-")
        assert desk.get(first)["isi"] == text and desk.get(first)["dibuat_pada"] == NOW
        assert desk.answer(first, status="selesai", jawaban="Dibetulkan 😀", oleh="pengguna dasbor walidata",
                           now=NOW + timedelta(days=1), dikoreksi=True, versi_baru="versi 2")
        assert not desk.answer("PGD-2025-99999", status="selesai", jawaban="x", oleh="x", now=NOW)
        assert [t["nomor"] for t in desk.listing(open_only=True)] == [second]
        assert [t["nomor"] for t in desk.public_answers(PUSKESMAS)] == [first]
        assert desk.counts() == {("DINKES", "koreksi", "selesai"): 1, ("DINKES", "koreksi", "terbuka"): 1}
    finally:
        engine.dispose()


def report_ticket(text: str):
    from service.archive.pengaduan import NewTicket
    return NewTicket("koreksi", text, item=PUSKESMAS, judul_item="Jumlah Puskesmas", opd="DINKES", tampilkan=True)


@pytest.mark.parametrize("section, message", [
    ("tenggat_hari_kerja = 0", "pengaduan.tenggat_hari_kerja harus antara 1 dan 60 hari kerja (sekarang: 0)"),
    ('petugas = "statistik"', "pengaduan.petugas harus berupa daftar"),
    ("batas_jam = 5", "Kunci 'batas_jam' di pengaduan tidak dikenal"),
])
def test_a_bad_pengaduan_setting_is_named_in_indonesian(tmp_path, section, message):
    from service.config import ConfigError, load_config
    path = tmp_path / "satudata.toml"
    path.write_text(f'[workspace]\nyear = 2025\n[sheets]\nbackend = "xlsx"\n[pengaduan]\n{section}\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_config(path)


def test_pengaduan_settings_are_read_from_the_workspace_file(tmp_path):
    from service.config import load_config
    path = tmp_path / "satudata.toml"
    path.write_text('[workspace]\nyear = 2025\n[sheets]\nbackend = "xlsx"\n[pengaduan]\ntenggat_hari_kerja = 3\n'
                    'petugas = ["statistik"]\n[publikasi]\nprioritas = ["DEMO-DINKES-007"]\n'
                    '[publikasi.ckan]\ntoken_env = "CKAN_TOKEN"\norganisasi = "kab-magetan"\n', encoding="utf-8")
    config = load_config(path)
    assert config.pengaduan == PengaduanSettings(tenggat_hari_kerja=3, petugas=("statistik",))
    assert config.publikasi["ckan"]["organisasi"] == "kab-magetan"


def test_the_item_page_has_one_report_form_and_a_plain_title(world):
    html = app_for(world).test_client().get(f"/data/{PUSKESMAS}").get_data(as_text=True)
    assert re.search(r"<title>(.*?)</title>", html, re.S).group(1) == "Jumlah Puskesmas · Satu Data Magetan"
    assert html.count(f'action="/data/{PUSKESMAS}/lapor"') == 1


def test_the_queue_as_json_counts_tickets_per_opd_kind_and_status(world):
    client = app_for(world).test_client()
    nomor = ticket_number(post_report(client))
    page = client.get("/pengaduan?opd=DINKES").get_data(as_text=True)
    assert 'href="/api/pengaduan?opd=DINKES"' in page
    data = client.get("/api/pengaduan?opd=DINKES").get_json()
    assert data["tenggat_hari_kerja"] == 5 and nomor in [t["nomor"] for t in data["tiket"]]
    ticket = next(t for t in data["tiket"] if t["nomor"] == nomor)
    assert ticket["tenggat"].startswith("2025-03-12T15:00") and ticket["terlambat"] is False
    counted = {(c["jenis"], c["status"]): c["jumlah"] for c in data["jumlah"]}
    assert counted[("koreksi", "terbuka")] >= 1 and all(c["opd"] == "DINKES" for c in data["jumlah"])


def test_the_rate_limit_holds_under_concurrent_posts():
    from concurrent.futures import ThreadPoolExecutor
    limit = RateLimit(25, addresses=50)
    with ThreadPoolExecutor(8) as pool:
        allowed = list(pool.map(lambda i: limit.allow(f"10.9.0.{i % 3}", NOW), range(3000)))
    assert allowed.count(True) == 75 and len(limit) == 3


def test_a_refused_public_post_stays_on_the_public_pages_when_the_dashboard_has_a_login(world):
    client = app_for(world, dashboard_users=USERS, publikasi={"terbuka": True}).test_client()
    refused = client.post(f"/data/{PUSKESMAS}/lapor", data={"token": "1.x", "isi": "y" * 1_000_000})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 413 and "Kiriman terlalu besar" in html
    assert "/status.css" not in html and "Ringkasan" not in html and "Kembali ke halaman data" in html
    for asset in re.findall(r'(?:href|src)="(/[^"]+\.(?:css|js))"', html):  # nothing behind the login
        answer = client.get(asset)
        answer.close()  # a static file answer holds its file open until closed
        assert answer.status_code == 200, asset
    stale = client.post(f"/data/{PUSKESMAS}/lapor", data={"token": "123.abc", "isi": "x"})
    assert stale.status_code == 400 and "Ringkasan" not in stale.get_data(as_text=True)


def test_a_queue_longer_than_a_page_says_so_and_any_ticket_is_found_by_its_number(tmp_path):
    from service.archive.pengaduan import KOREKSI, NewTicket

    world = PublishedWorld(tmp_path)
    try:
        tickets = Tickets(world.store.engine)
        numbers = [tickets.open(NewTicket(KOREKSI, f"laporan {i}", item=PUSKESMAS, opd="DINKES"), NOW)
                   for i in range(502)]
        client = app_for(world).test_client()
        queue = client.get("/pengaduan?opd=DINKES").get_data(as_text=True)
        assert 'id="terpotong"' in queue and "502" in queue
        assert numbers[-1] not in queue  # the newest is past the page ...
        found = client.get(f"/pengaduan?nomor={numbers[-1].lower()}").get_data(as_text=True)
        assert f'id="tiket-{numbers[-1]}"' in found  # ... and found by its number
        opd_page = client.get("/opd/DINKES").get_data(as_text=True)
        assert 'id="tiket-lain"' in opd_page and "502" in opd_page
    finally:
        world.store.engine.dispose()
