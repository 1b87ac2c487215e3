"""Berita Acara and the recap as PDF, read back as text (DECISIONS.md #19)."""
from __future__ import annotations

import io
from datetime import datetime

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from service.cli.commands import main
from service.config import load_config
from service.publish.minutes import NothingToMinute
from service.publish.pdf import berita_acara_pdf, rekap_pdf
from tests.conftest import WIB, World
from tests.publish_world import PublishedWorld, write_toml

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=WIB)


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    world = PublishedWorld(tmp_path_factory.mktemp("pdf"))
    world.config = load_config(write_toml(world, 'walidata = { nama = "Budi Santoso", nip = "198003032005011002" }'))
    yield world
    world.store.engine.dispose()


def text(pdf: bytes) -> str:
    """The PDF's words with line breaks as spaces (a cell may wrap anywhere)."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())


def test_kesepakatan_names_the_opd_its_items_and_the_three_signers(published):
    words = text(berita_acara_pdf(published.config, published.store, "DINKES", "kesepakatan", NOW))
    assert "BERITA ACARA KESEPAKATAN DAFTAR DATA" in words
    assert "Dinas Kesehatan" in words and "Jumlah Puskesmas" in words and "Persentase Balita Ditimbang" in words
    assert "Selasa, 1 Desember 2026" in words  # Indonesian day and date
    assert "Operator Data OPD" in words and "Walidata" in words and "Kepala OPD" in words
    assert "dr. Rina Wulandari" in words and "NIP. 197501012000032001" in words  # [[opd]] kepala
    assert "Budi Santoso" in words  # [publikasi] walidata
    assert "Konsep: Puskesmas" in words and "Frekuensi: Tahunan" in words


def test_kesepakatan_says_when_both_sides_agreed_and_the_kepala_approved(published):
    words = text(berita_acara_pdf(published.config, published.store, "DINKES", "kesepakatan", NOW))
    assert "Disepakati Operator dan Walidata : 3 Maret 2025" in words
    assert "Disetujui Kepala OPD : 3 Maret 2025" in words


def test_kesepakatan_of_a_list_awaiting_the_kepala_says_so(published):
    opd = published.reads.tab_rows("DIKPORA")[0]
    assert opd["state"] == "6"
    words = text(berita_acara_pdf(published.config, published.store, "DIKPORA", "kesepakatan", NOW))
    assert "Jumlah Sekolah" in words and "Dinas Pendidikan" in words


def test_verifikasi_lists_values_with_verification_times_and_revisions(published):
    words = text(berita_acara_pdf(published.config, published.store, "DINKES", "verifikasi", NOW))
    assert "BERITA ACARA VERIFIKASI DATA" in words
    assert "Jumlah nilai terverifikasi : 9" in words
    assert "Nilai yang pernah diperbaiki : 1" in words  # Plaosan 2025 was sent back once
    assert "81,5" in words  # Indonesian decimal comma


def test_verifikasi_is_refused_while_nothing_is_verified(published):
    with pytest.raises(NothingToMinute, match="Belum ada data DIKPORA yang diverifikasi"):
        berita_acara_pdf(published.config, published.store, "DIKPORA", "verifikasi", NOW)


def test_rekap_prints_every_item_as_a_table(published):
    words = text(rekap_pdf(published.config, published.store, "DINKES", NOW))
    assert "REKAP DATA SEKTORAL" in words and "Dinas Kesehatan" in words
    assert "Jumlah Puskesmas" in words and "Kabupaten Magetan 22 23" in words and "Plaosan 2 2" in words


def test_cli_writes_the_pdf_and_refuses_in_indonesian_when_nothing_is_agreed(published, tmp_path):
    config_path = str(published.config.path)
    out = tmp_path / "ba.pdf"
    result = CliRunner().invoke(main, ["-c", config_path, "berita-acara", "DINKES", "--jenis", "kesepakatan",
                                       "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "Dinas Kesehatan" in text(out.read_bytes())
    result = CliRunner().invoke(main, ["-c", config_path, "rekap", "DIKPORA", "-o", str(tmp_path / "r.pdf")])
    assert result.exit_code == 1 and "Belum ada data DIKPORA yang diverifikasi dan diarsipkan" in result.output
    assert not (tmp_path / "r.pdf").exists()
    result = CliRunner().invoke(main, ["-c", config_path, "rekap", "BPBD", "-o", str(tmp_path / "r.pdf")])
    assert result.exit_code == 1 and "OPD 'BPBD' tidak ada dalam konfigurasi" in result.output


def test_kesepakatan_is_refused_for_an_opd_without_an_agreed_list(tmp_path):
    world = World(tmp_path)
    world.poll()
    world.backend.add_row("DINKES", Kode_Data="K1", Uraian_Data="Jumlah Puskesmas", Satuan="Unit")
    world.poll()
    with pytest.raises(NothingToMinute, match="Belum ada daftar data DINKES yang disepakati"):
        berita_acara_pdf(world.config, world.store, "DINKES", "kesepakatan", NOW)
    world.store.engine.dispose()


def test_the_kepala_is_read_from_the_config_when_it_carries_one(published):
    import dataclasses

    from service.config import Opd
    from service.publish.settings import Signer, kepala_opd

    opd = Opd("DINKES", "Dinas Kesehatan")
    object.__setattr__(opd, "kepala", ("Ir. Sri Lestari", "196901011990032001"))  # as the config parses it
    config = dataclasses.replace(published.config, opds=(opd,))
    assert kepala_opd(config, "DINKES") == Signer("Ir. Sri Lestari", "196901011990032001")
    assert kepala_opd(published.config, "DINKES") == Signer("dr. Rina Wulandari", "197501012000032001")
    assert kepala_opd(published.config, "DIKPORA") == Signer()
