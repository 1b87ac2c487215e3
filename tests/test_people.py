"""People with their papers: operators and Walidata as e-mails or tables with name, NIP and SK;
[pembina] and [koordinator]; an OPD without an operator SK flagged by doctor and the dashboard."""
from __future__ import annotations

import pytest

from service.config import ConfigError, load_config
from service.reconcile.who import People
from tests.test_cli import run

BASE = '[workspace]\nyear = 2025\n[sheets]\n'
SARI = ('{ email = "sari@dinkes.magetan.go.id", nama = "Sari Wulandari, S.KM", nip = "198805122011012004", '
        'sk_nomor = "800/12/403.102/2025", sk_tanggal = 2025-01-06 }')


def _config(tmp_path, body: str):
    path = tmp_path / "satudata.toml"
    path.write_text(BASE + body, encoding="utf-8")
    return load_config(path)


def test_operators_may_be_tables_with_papers_and_plain_emails_keep_working(tmp_path):
    config = _config(tmp_path, f'''
[walidata]
emails = ["kominfo@magetan.go.id", {{ email = "budi@kominfo.magetan.go.id", nama = "Budi Santoso", nip = "197901012005011003" }}]
[pembina]
nama = "Ir. Handoko"
instansi = "BPS Kabupaten Magetan"
[koordinator]
nama = "Dewi Lestari"
nip = "198001012006042001"
instansi = "Bappeda Kabupaten Magetan"
[[opd]]
kode = "DINKES"
nama = "Dinas Kesehatan"
operators = [{SARI}, "cadangan@dinkes.magetan.go.id"]
[[opd]]
kode = "DIKPORA"
operators = ["op@dikpora.magetan.go.id"]
''')
    dinkes, dikpora = config.opds
    assert dinkes.operators == ("sari@dinkes.magetan.go.id", "cadangan@dinkes.magetan.go.id")
    sari = dinkes.petugas[0]
    assert (sari.nama, sari.nip, sari.sk_nomor, sari.sk_tanggal) == (
        "Sari Wulandari, S.KM", "198805122011012004", "800/12/403.102/2025", "2025-01-06")
    assert sari.has_sk and not dinkes.petugas[1].has_sk and dikpora.operators == ("op@dikpora.magetan.go.id",)
    assert config.walidata == ("kominfo@magetan.go.id", "budi@kominfo.magetan.go.id")
    assert config.person("BUDI@kominfo.magetan.go.id").nama == "Budi Santoso"
    assert (config.pembina.nama, config.pembina.instansi) == ("Ir. Handoko", "BPS Kabupaten Magetan")
    assert config.koordinator.nip == "198001012006042001"


@pytest.mark.parametrize("entry, message", [
    ('{ email = "a@b.id", nip = "123" }', "NIP terdiri dari 18 angka"),
    ('{ email = "a@b.id", sk_tanggal = "6 Januari 2025" }', "TTTT-BB-HH"),
    ('{ surel = "a@b.id" }', "Kunci 'surel'"),
    ('{ nip = "198805122011012004" }', "email atau nama"),
    ('42', "email atau tabel"),
])
def test_a_bad_person_entry_is_named_in_indonesian(tmp_path, entry, message):
    with pytest.raises(ConfigError, match=message) as err:
        _config(tmp_path, f'[[opd]]\nkode = "DINKES"\noperators = [{entry}]\n')
    assert "[[opd]] ke-1.operators[0]" in str(err.value)


def test_berita_acara_number_pattern_needs_urut(tmp_path):
    assert _config(tmp_path, '[berita_acara]\nnomor = "BA/{urut}/{tahun}"\n').berita_acara["nomor"] == "BA/{urut}/{tahun}"
    with pytest.raises(ConfigError, match="urut"):
        _config(tmp_path, '[berita_acara]\nnomor = "BA/{tahun}"\n')
    with pytest.raises(ConfigError, match="bulan"):
        _config(tmp_path, '[berita_acara]\nnomor = "BA/{urut}/{bulan}"\n')


def test_doctor_flags_an_opd_without_an_operator_sk_but_does_not_fail(tmp_path):
    path = tmp_path / "satudata.toml"
    path.write_text(BASE + f'[[opd]]\nkode = "DINKES"\noperators = [{SARI}]\n[[opd]]\nkode = "DIKPORA"\n'
                    'operators = ["op@dikpora.magetan.go.id"]\n', encoding="utf-8")
    result = run("-c", str(path), "doctor")
    assert "PERHATIAN SPM 3: 1 OPD belum punya Surat penunjukan operator data" in result.output
    assert "DIKPORA" in result.output.split("SPM 3")[1].splitlines()[0]
    assert "DINKES" not in result.output.split("SPM 3")[1].splitlines()[0]


def test_an_editor_known_by_email_is_shown_by_name():
    people = People("DINKES", ("sari@dinkes.go.id",), names=(("sari@dinkes.go.id", "Sari Wulandari"),))
    assert people.named("sari@dinkes.go.id") == "Sari Wulandari (sari@dinkes.go.id)"
    assert people.named("Sari Wulandari <sari@dinkes.go.id>") == "Sari Wulandari <sari@dinkes.go.id>"
    assert people.named("lain@x.go.id") == "lain@x.go.id"
