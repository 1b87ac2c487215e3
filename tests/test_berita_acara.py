"""A Berita Acara a Kominfo officer would sign: the SOP's number and legal basis, the joint
check's participants, every signer's name, NIP and SK, a follow-up table; refused before step 6
with the reason; numbered, recorded with its chain head and reprinted identically; the hard
copy's receipt recorded."""
from __future__ import annotations

import io
from datetime import datetime

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from service.archive import documents
from service.cli.commands import main
from service.config import load_config
from service.publish.minutes import NothingToMinute
from service.publish.pdf import issue
from tests.conftest import WIB, World

CHECK = ("Dicek Bersama",)
AGREE = ("Disepakati OPD", "Disepakati Walidata")
NOW = datetime(2025, 3, 20, 10, 0, tzinfo=WIB)
TOML = """[workspace]
name = "Uji BA"
year = 2025
[sheets]
backend = "xlsx"
[archive]
url = "{url}"
[berita_acara]
nomor = "000.5.2/{{urut}}/403.113/{{tahun}}"
[walidata]
emails = [{{ email = "budi@kominfo.magetan.go.id", nama = "Budi Santoso, S.Kom", nip = "197901012005011003", sk_nomor = "000.1.2/5/403.113/2025", sk_tanggal = 2025-01-06 }}]
[pembina]
nama = "Ir. Handoko, M.Si"
instansi = "BPS Kabupaten Magetan"
[koordinator]
nama = "Dewi Lestari, S.E."
nip = "198001012006042001"
instansi = "Bappeda Kabupaten Magetan"
[[opd]]
kode = "DINKES"
nama = "Dinas Kesehatan"
kepala = {{ nama = "dr. Rina Wulandari, M.Kes", nip = "197803152005012003" }}
operators = [{{ email = "sari@dinkes.magetan.go.id", nama = "Sari Wulandari, S.KM", nip = "198805122011012004", sk_nomor = "800/12/403.102/2025", sk_tanggal = 2025-01-06 }}]
[[opd]]
kode = "DIKPORA"
nama = "Dinas Pendidikan"
"""


def text(pdf: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())


class Joint(World):
    """DINKES: three items checked together (3), one added afterwards with a reason, one removed."""

    def __init__(self, tmp_path):
        super().__init__(tmp_path)
        self.config.path.write_text(TOML.format(url=self.config.archive_url), encoding="utf-8")
        self.config = load_config(self.config.path)
        self.poll()
        for uraian in ("Jumlah Puskesmas", "Jumlah Posyandu", "Jumlah Bidan"):
            self.backend.add_row("DINKES", Kode_Data=f"K-{uraian[7:10]}", Uraian_Data=uraian, Satuan="Unit",
                                 Tahun=2024)
        self.poll()
        self.tick(CHECK)
        self.backend.add_row("DINKES", Kode_Data="K-RS", Uraian_Data="Jumlah Rumah Sakit", Satuan="Unit", Tahun=2024,
                             Keterangan="usulan Bappeda saat pemeriksaan bersama")
        self.poll()
        self.tick(CHECK)
        self.backend.delete_row("DINKES", self.backend.row_of("DINKES", self.backend.ids("DINKES")[2]))
        self.poll()

    def tick(self, headers):
        for rid in self.backend.ids("DINKES"):
            for header in headers:
                self.backend.set("DINKES", rid, header, "YA")
        self.poll()


@pytest.fixture
def joint(tmp_path):
    world = Joint(tmp_path)
    yield world
    world.store.engine.dispose()


def test_kesepakatan_is_refused_before_step_6_with_the_reason(joint):
    with pytest.raises(NothingToMinute, match="Belum ada daftar data DINKES yang disepakati"):
        issue(joint.config, joint.store, "DINKES", "kesepakatan", NOW)
    joint.tick(AGREE)
    with pytest.raises(NothingToMinute) as refused:
        issue(joint.config, joint.store, "DINKES", "kesepakatan", NOW)
    assert "belum sampai langkah 6 (disetujui Kepala OPD). Masih 3 baris di 5 Disepakati" in str(refused.value)
    assert documents.of_year(joint.store.engine, 2025) == []  # nothing numbered


def test_kesepakatan_prints_sop_participants_signers_and_follow_up(joint):
    joint.tick(AGREE + ("Disetujui Ka. OPD",))
    issued, pdf, reprinted = issue(joint.config, joint.store, "DINKES", "kesepakatan", NOW)
    words = text(pdf)
    assert not reprinted and issued.id == "BA-2025-001" and issued.nomor == "000.5.2/001/403.113/2025"
    assert "Nomor: 000.5.2/001/403.113/2025" in words
    assert "Nomor 500.14.4/1111/403.113/2024" in words and "Peraturan Presiden Nomor 39 Tahun 2019" in words
    # participants from the workspace file, saying that attendance was not recorded
    assert "kehadiran belum dicatat" in words
    for who in ("Koordinator Data (Bappeda) Dewi Lestari", "Pembina Data (BPS) Ir. Handoko", "Sari Wulandari"):
        assert who in words
    # every signer with NIP and the SK of the operator and the Walidata
    assert "NIP. 198805122011012004" in words and "SK 800/12/403.102/2025 tanggal 6 Januari 2025" in words
    assert "NIP. 197901012005011003" in words and "SK 000.1.2/5/403.113/2025" in words
    assert "dr. Rina Wulandari, M.Kes" in words and "NIP. 197803152005012003" in words
    # follow-up: added with reason, removed with who, open items with a working-day deadline
    assert "Jumlah Rumah Sakit" in words and "usulan Bappeda saat pemeriksaan bersama" in words
    assert "Jumlah Bidan" in words and "dicatat sebagai dihapus" in words
    assert "Pengisian data (langkah 7)" in words and "(5 hari kerja)" in words
    assert len(issued.chain_head) == 64 and issued.chain_head in words.replace(" ", "")  # printed, may wrap


def test_a_recorded_attendance_replaces_the_configured_participants(joint, tmp_path):
    joint.tick(AGREE + ("Disetujui Ka. OPD",))
    config = str(joint.config.path)
    result = CliRunner().invoke(main, ["-c", config, "hadir", "DINKES", "--langkah", "3", "--peran", "pembina",
                                       "--nama", "Drs. Agus Salim", "--nip", "197001011995031001"])
    assert result.exit_code == 0, result.output
    bad = CliRunner().invoke(main, ["-c", config, "hadir", "DINKES", "--peran", "pembina", "--nama", "X",
                                    "--nip", "12"])
    assert bad.exit_code == 1 and "NIP terdiri dari 18 angka" in bad.output
    words = text(issue(load_config(config), joint.store, "DINKES", "kesepakatan", NOW)[1])
    assert "kehadiran dicatat dengan satudata hadir" in words and "Drs. Agus Salim" in words
    assert "Ir. Handoko" not in words


def test_the_same_ba_is_reprinted_identically_and_a_new_one_gets_the_next_number(joint, tmp_path):
    joint.tick(AGREE + ("Disetujui Ka. OPD",))
    config = str(joint.config.path)
    first = CliRunner().invoke(main, ["-c", config, "berita-acara", "DINKES", "--jenis", "kesepakatan",
                                      "-o", str(tmp_path / "a.pdf")])
    assert first.exit_code == 0, first.output
    assert "BA-2025-001, nomor 000.5.2/001/403.113/2025" in first.output and "baru diterbitkan" in first.output
    joint.backend.set("DINKES", joint.backend.ids("DINKES")[0], "Nilai", "12")  # the archive moves on
    joint.poll()
    again = CliRunner().invoke(main, ["-c", config, "berita-acara", "DINKES", "-o", str(tmp_path / "b.pdf")])
    assert "dicetak ulang sama persis" in again.output
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()
    new = CliRunner().invoke(main, ["-c", config, "berita-acara", "DINKES", "--baru", "-o", str(tmp_path / "c.pdf")])
    assert "BA-2025-002, nomor 000.5.2/002/403.113/2025" in new.output
    assert [d.nomor for d in documents.of_year(joint.store.engine, 2025)] == ["000.5.2/001/403.113/2025",
                                                                               "000.5.2/002/403.113/2025"]


def test_receipt_of_the_hard_copy_is_recorded(joint, tmp_path):
    joint.tick(AGREE + ("Disetujui Ka. OPD",))
    issued, _, _ = issue(joint.config, joint.store, "DINKES", "kesepakatan", NOW)
    config = str(joint.config.path)
    wrong = CliRunner().invoke(main, ["-c", config, "terima", "DIKPORA", "--dokumen", issued.id, "--oleh", "Ani",
                                      "--tanggal", "2025-03-21"])
    assert wrong.exit_code == 1 and "tidak ditemukan" in wrong.output
    bad_day = CliRunner().invoke(main, ["-c", config, "terima", "DINKES", "--dokumen", issued.id, "--oleh", "Ani",
                                        "--tanggal", "21-03-2025"])
    assert bad_day.exit_code == 1 and "TTTT-BB-HH" in bad_day.output
    ok = CliRunner().invoke(main, ["-c", config, "terima", "DINKES", "--dokumen", issued.nomor, "--oleh",
                                   "Ani Rahayu", "--tanggal", "2025-03-21"])
    assert ok.exit_code == 0, ok.output
    assert "diterima Ani Rahayu pada 21 Maret 2025" in ok.output
    doc = documents.find(joint.store.engine, issued.id)
    assert (doc.diterima_oleh, doc.diterima_tanggal) == ("Ani Rahayu", "2025-03-21")


def write_sample(tmp_path, out):
    """For looking at: the kesepakatan BA of the joint-check world, written to ``out``."""
    world = Joint(tmp_path)
    world.tick(AGREE + ("Disetujui Ka. OPD",))
    out.write_bytes(issue(world.config, world.store, "DINKES", "kesepakatan", NOW)[1])
    world.store.engine.dispose()


def test_the_opd_page_shows_which_hard_copies_are_still_out(joint):
    from service.web.app import create_app
    joint.tick(AGREE + ("Disetujui Ka. OPD",))
    first, _, _ = issue(joint.config, joint.store, "DINKES", "kesepakatan", NOW)
    issue(joint.config, joint.store, "DINKES", "kesepakatan", NOW, new=True)
    documents.receive(joint.store.engine, first, "Ani Rahayu", "2025-03-21", NOW)
    client = create_app(joint.config, joint.store, clock=lambda: NOW).test_client()
    data = client.get("/api/opd/DINKES").get_json()
    assert data["dokumen_belum_diterima"] == 1
    html = client.get("/opd/DINKES").get_data(as_text=True)
    assert "1 salinan cetak belum tercatat diterima Kominfo" in html
    assert "diterima Ani Rahayu, 2025-03-21" in html and "BA-2025-002" in html
