"""The EPSS evidence pack (`satudata evaluasi`) and the supervisor's page: the annual review's
figures per OPD and step, the index with honest "tidak didukung" lines, byte-identical output
for the same archive, and a pengawas who sees /pengawasan only."""
from __future__ import annotations

import csv
import io
import zipfile

import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from werkzeug.security import generate_password_hash

from service.cli.commands import main
from service.config import load_config
from service.publish.pdf import issue
from service.web.app import create_app
from tests.conftest import WIB
from tests.publish_world import PublishedWorld, write_toml


def text(pdf: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    world = PublishedWorld(tmp_path_factory.mktemp("evaluasi"))
    world.config = load_config(write_toml(world, 'walidata = { nama = "Budi Santoso", nip = "198003032005011002" }'))
    issue(world.config, world.store, "DINKES", "verifikasi", world.now)
    issue(world.config, world.store, "DINKES", "rekap", world.now)
    yield world
    world.store.engine.dispose()


def _files(folder):
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_evaluasi_writes_the_pack_and_twice_gives_identical_files(published, tmp_path):
    config = str(published.config.path)
    first = CliRunner().invoke(main, ["-c", config, "evaluasi", "2025", "-o", str(tmp_path / "a")])
    assert first.exit_code == 0, first.output
    published.poll()  # a cycle that changes nothing changes no evidence
    second = CliRunner().invoke(main, ["-c", config, "evaluasi", "2025", "-o", str(tmp_path / "b")])
    assert second.exit_code == 0, second.output
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert a == b
    for name in ("1-indeks-bukti-dukung.pdf", "2-reviu/reviu-tahunan-2025.pdf", "2-reviu/reviu-opd.csv",
                 "2-reviu/reviu-langkah.csv", "3-dokumen/BA-2025-001-verifikasi-DINKES.pdf",
                 "3-dokumen/REKAP-2025-002-rekap-DINKES.pdf", "4-integritas/verifikasi-arsip.json",
                 "4-integritas/kepala-rantai.csv", "5-publikasi/datapackage.json", "5-publikasi/katalog.ttl",
                 "BACA.txt", "bukti-evaluasi-2025.zip"):
        assert name in a, name
    with zipfile.ZipFile(io.BytesIO(a["bukti-evaluasi-2025.zip"])) as zf:
        names = zf.namelist()
        assert names == sorted(names) and "bukti-evaluasi-2025.zip" not in names
        assert zf.read("2-reviu/reviu-opd.csv") == a["2-reviu/reviu-opd.csv"]


def test_the_index_maps_indicators_to_files_and_says_what_is_not_supported(published, tmp_path):
    CliRunner().invoke(main, ["-c", str(published.config.path), "evaluasi", "2025", "-o", str(tmp_path)])
    words = text((tmp_path / "1-indeks-bukti-dukung.pdf").read_bytes())
    assert "INDEKS BUKTI DUKUNG" in words and "Peraturan BPS Nomor 3 Tahun 2022" in words
    assert "Proses Pengumpulan Data" in words and "Interoperabilitas Data" in words and "Kode Referensi" in words
    assert "Relevansi tidak didukung produk ini" in words.replace("— ", "")
    assert "Arsip : utuh" in words
    review = text((tmp_path / "2-reviu/reviu-tahunan-2025.pdf").read_bytes())
    assert "REVIU TAHUNAN PENGUMPULAN DATA" in review and "Nilai … bukan angka" in review  # the value left out
    rows = {r["kode"]: r for r in csv.DictReader(io.StringIO((tmp_path / "2-reviu/reviu-opd.csv").read_text()))}
    assert rows["DINKES"]["putaran_revisi"] == "1" and rows["DINKES"]["revisi_diperbaiki_diverifikasi"] == "1"
    assert rows["DINKES"]["diverifikasi"] == "9" and rows["DINKES"]["item_dipublikasikan"] == "2"
    assert rows["DINKES"]["dokumen_terbit"] == "2" and rows["DINKES"]["dokumen_belum_diterima"] == \
        "BA-2025-001 REKAP-2025-002"
    steps = list(csv.DictReader(io.StringIO((tmp_path / "2-reviu/reviu-langkah.csv").read_text())))
    assert {s["langkah"] for s in steps if s["kode"] == "DINKES"} >= {"3", "4–5", "6", "7", "8", "9"}


def test_evaluasi_of_a_year_the_archive_does_not_know_is_refused_in_indonesian(published, tmp_path):
    result = CliRunner().invoke(main, ["-c", str(published.config.path), "evaluasi", "2024", "-o", str(tmp_path)])
    assert result.exit_code == 1 and "Tahun 2024 tidak dikenal: arsip ini memuat tahun 2025" in result.output


def test_pengawasan_shows_the_review_at_risk_first_and_a_pengawas_sees_only_it(published):
    import dataclasses
    from datetime import datetime
    users = {"walidata": generate_password_hash("w-rahasia"), "tim": generate_password_hash("t-rahasia")}
    config = dataclasses.replace(published.config, dashboard_users=users,
                                 dashboard_roles={"walidata": "walidata", "tim": "pengawas"})
    now = datetime(2025, 3, 20, 9, 0, tzinfo=WIB)
    client = create_app(config, published.store, clock=lambda: now).test_client()
    import base64

    def login(user, password):
        return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}
    tim = login("tim", "t-rahasia")
    data = client.get("/api/pengawasan", headers=tim).get_json()
    assert [o["kode"] for o in data["opd"]][:2] == ["DIKPORA", "DINKES"]  # DIKPORA still running: before done
    assert data["jumlah"]["putaran_revisi"] == 1
    html = client.get("/pengawasan", headers=tim).get_data(as_text=True)
    assert "Pengawasan prosedur tahun 2025" in html and 'data-opd="DINKES"' in html
    refused = client.get("/", headers=tim)
    assert refused.status_code == 403 and "hanya dapat membuka halaman /pengawasan" in refused.get_data(as_text=True)
    assert client.get("/", headers=login("walidata", "w-rahasia")).status_code == 200
    assert client.get("/pengawasan", headers=login("walidata", "w-rahasia")).status_code == 200


def test_a_dashboard_user_may_be_a_table_with_a_role(tmp_path):
    from service.config import ConfigError
    hashed = generate_password_hash("x")
    path = tmp_path / "satudata.toml"
    path.write_text(f'[workspace]\nyear = 2025\n[sheets]\n[dashboard]\nusers.tim = {{ hash = "{hashed}", '
                    'peran = "pengawas" }\n', encoding="utf-8")
    config = load_config(path)
    assert config.dashboard_roles == {"tim": "pengawas"} and config.dashboard_users["tim"] == hashed
    path.write_text(f'[workspace]\nyear = 2025\n[sheets]\n[dashboard]\nusers.tim = {{ hash = "{hashed}", '
                    'peran = "bos" }\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="peran 'bos' tidak dikenal"):
        load_config(path)


def test_evaluasi_of_a_closed_year_reads_its_record_after_rollover_and_twice_gives_identical_files(tmp_path):
    from service.cli.rollover import rollover
    from service.poller.service import Service

    (tmp_path / "ws").mkdir()
    world = PublishedWorld(tmp_path / "ws")
    world.config = load_config(write_toml(world))
    issue(world.config, world.store, "DINKES", "verifikasi", world.now)
    service = Service(world.config, world.backend, world.store, world.rules, world.wilayah, clock=lambda: world.now)
    report = rollover(service, 2026)
    assert not any(r.error for r in report.opds)
    config = str(world.config.path)
    first = CliRunner().invoke(main, ["-c", config, "evaluasi", "2025", "-o", str(tmp_path / "a")])
    assert first.exit_code == 0, first.output
    second = CliRunner().invoke(main, ["-c", config, "evaluasi", "2025", "-o", str(tmp_path / "b")])
    assert second.exit_code == 0, second.output
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert a == b and "3-dokumen/BA-2025-001-verifikasi-DINKES.pdf" in a
    rows = {r["kode"]: r for r in csv.DictReader(io.StringIO(a["2-reviu/reviu-opd.csv"].decode()))}
    assert rows["DINKES"]["diverifikasi"] == "9" and rows["DINKES"]["putaran_revisi"] == "1"
    assert rows["DINKES"]["item_dipublikasikan"] == "2" and rows["DINKES"]["dokumen_terbit"] == "1"
    assert rows["DIKPORA"]["disepakati"] == "1"
    assert "tahun data 2025" in text(a["2-reviu/reviu-tahunan-2025.pdf"])
    unknown = CliRunner().invoke(main, ["-c", config, "evaluasi", "2019", "-o", str(tmp_path / "c")])
    assert unknown.exit_code == 1 and "Tahun 2019 tidak dikenal" in unknown.output
    world.store.engine.dispose()


def test_the_annual_review_counts_the_publics_reports_and_requests_of_its_year_per_opd(tmp_path):
    from service.archive.pengaduan import KOREKSI, USULAN, NewTicket, Tickets
    from service.publish.evidence import review_pdf
    from service.publish.review import annual_review, review_csv

    world = PublishedWorld(tmp_path)
    try:
        desk = Tickets(world.store.engine)
        year = world.config.year
        answered = desk.open(NewTicket(KOREKSI, "angka salah", opd="DINKES"), world.now)
        desk.answer(answered, status="selesai", jawaban="dibetulkan", oleh="walidata", now=world.now)
        desk.open(NewTicket(KOREKSI, "angka lain salah", opd="DINKES"), world.now)
        wanted = desk.open(NewTicket(USULAN, "data posyandu"), world.now)
        desk.answer(wanted, status="diterima", jawaban="masuk daftar", oleh="walidata", now=world.now, opd="DINKES")
        desk.open(NewTicket(KOREKSI, "tahun lalu", opd="DINKES"), world.now.replace(year=year - 1))
        review = annual_review(world.config, world.store, world.now)
        dinkes = next(o for o in review["opd"] if o["kode"] == "DINKES")
        assert (dinkes["pengaduan_masuk"], dinkes["pengaduan_selesai"], dinkes["pengaduan_terbuka"],
                dinkes["usulan_masuk"], dinkes["usulan_diterima"]) == (2, 1, 1, 1, 1)
        assert review["jumlah"]["pengaduan_masuk"] == 2
        row = next(r for r in csv.DictReader(io.StringIO(review_csv(review)["reviu-opd.csv"].decode()))
                   if r["kode"] == "DINKES")
        assert row["pengaduan_terbuka"] == "1" and row["usulan_diterima"] == "1"
        assert "Pengaduan dan usulan data dari masyarakat" in text(review_pdf(world.config, review))
    finally:
        world.store.engine.dispose()
