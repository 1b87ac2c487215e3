"""Data checks (DECISIONS.md #3): findings asserted as small tables of (row, column, level, code)."""
from __future__ import annotations

import pandas as pd
import pytest

from rules.checks import run_checks
from rules.rulefile import RuleError, load_rules
from tests.conftest import WILAYAH

RULES = load_rules()


def check(rows: list[dict], history=None, year=2025):
    df = pd.DataFrame.from_records(rows, index=[f"R{i}" for i in range(1, len(rows) + 1)]).astype(object)
    df = df.where(df.notna(), None)
    result = run_checks(df, RULES, WILAYAH, year, history)
    return sorted((x.row_id, x.column, x.level, x.code) for x in result.findings), result


def item(**values):
    base = {"uraian_data": "Jumlah Puskesmas", "satuan": "Unit", "tahun": 2024, "nilai": 10}
    base.update(values)
    return base


def test_clean_row_has_no_findings():
    assert check([item()])[0] == []


@pytest.mark.parametrize("values, expected", [
    ({"uraian_data": None}, ("R1", "uraian_data", "galat", "uraian_data_wajib")),
    ({"satuan": ""}, ("R1", "satuan", "galat", "satuan_wajib")),
    ({"nilai": None}, ("R1", "nilai", "galat", "nilai_wajib")),
    ({"tahun": None}, ("R1", "tahun", "galat", "tahun_wajib")),
    ({"nilai": "banyak"}, ("R1", "nilai", "galat", "nilai_bukan_angka")),
    ({"nilai": "-"}, ("R1", "nilai", "galat", "alasan_nilai_kosong")),
    ({"nilai": "?"}, ("R1", "nilai", "galat", "nilai_kosong_simbol")),
    ({"nilai": "12.5", "satuan": "Ha"}, ("R1", "nilai", "peringatan", "ambigu_titik")),
    ({"nilai": 12.5}, ("R1", "nilai", "galat", "cacah_tidak_bulat")),
    ({"nilai": -3}, ("R1", "nilai", "galat", "cacah_tidak_bulat")),
    ({"tahun": 2026}, ("R1", "tahun", "galat", "tahun_masa_depan")),
    ({"tahun": 2014}, ("R1", "tahun", "galat", "tahun_terlalu_lama")),
    ({"tahun": "2024/2025"}, ("R1", "tahun", "galat", "tahun_tidak_sah")),
    ({"rincian": "Kec. Antahberantah"}, ("R1", "rincian", "galat", "wilayah_tidak_dikenal")),
    ({"rincian": "Kec. Plaosen"}, ("R1", "rincian", "galat", "wilayah_mirip")),
    ({"rincian": "Plaosen"}, ("R1", "rincian", "galat", "wilayah_mirip")),
    ({"satuan": "Persen", "nilai": "-2"}, ("R1", "nilai", "galat", "persen_negatif")),
    ({"satuan": "Persen", "nilai": "104,5"}, ("R1", "nilai", "peringatan", "persen_di_atas_100")),
])
def test_built_in_checks_flag_bad_values(values, expected):
    findings, _ = check([item(**values)])
    assert expected in findings


@pytest.mark.parametrize("nilai", ["-", "…", "NA", "nihil", "tidak tersedia"])
def test_a_declared_missing_value_with_its_reason_passes_every_check(nilai):
    assert check([item(nilai=nilai, keterangan="Data tidak tersedia karena survei tidak dilaksanakan")])[0] == []


def test_a_declared_missing_value_without_a_reason_says_what_to_write():
    result = check([item(nilai="-")])[1]
    message = next(x.message for x in result.findings if x.code == "alasan_nilai_kosong")
    assert "nihil" in message and "tulis alasannya di Keterangan" in message


def test_an_empty_nilai_says_how_to_declare_data_that_does_not_exist():
    result = check([item(nilai=None)])[1]
    message = next(x.message for x in result.findings if x.code == "nilai_wajib")
    assert "'-' (nihil)" in message and "Keterangan" in message


def test_year_range_is_relative_to_workspace_year():
    assert check([item(tahun=2015)])[0] == []
    assert check([item(tahun=2015)], year=2026)[0] == [("R1", "tahun", "galat", "tahun_terlalu_lama")]


def test_known_places_and_categories_pass():
    rows = [item(rincian=r, uraian_data=f"Item {i}") for i, r in
            enumerate(["Plaosan", "Kec. Maospati", "35.20.07", "Desa Sarangan", "Laki-laki", "Klagengambiran"])]
    assert [x for x in check(rows)[0] if x[1] == "rincian"] == []


def test_indonesian_numbers_are_read_and_returned():
    _, result = check([item(nilai="1.234"), item(nilai="12,5%", satuan="Persen", uraian_data="B"),
                       item(nilai="Rp 1.500.000", satuan="Rupiah", uraian_data="C")])
    assert result.numbers == {"R1": 1234.0, "R2": 12.5, "R3": 1500000.0}


def test_apk_above_100_is_allowed_by_its_item_rule_but_not_above_200():
    assert check([item(uraian_data="Angka Partisipasi Kasar (APK) SD", satuan="Persen", nilai="104,3")])[0] == []
    findings, _ = check([item(uraian_data="Angka Partisipasi Kasar (APK) SD", satuan="Persen", nilai=230)])
    assert findings == [("R1", "nilai", "galat", "di_atas_maksimum")]


def test_kabupaten_row_must_equal_sum_of_its_kecamatan():
    rows = [item(uraian_data="Jumlah SD menurut Kecamatan", rincian=k.nama, nilai=10) for k in WILAYAH.kecamatan]
    good = rows + [item(uraian_data="Jumlah SD menurut Kecamatan", rincian="Kabupaten Magetan", nilai=180)]
    assert check(good)[0] == []
    bad = rows + [item(uraian_data="Jumlah SD menurut Kecamatan", rincian="Total", nilai=181)]
    assert check(bad)[0] == [("R19", "nilai", "galat", "jumlah_kecamatan_beda")]
    partial = rows[:5] + [item(uraian_data="Jumlah SD menurut Kecamatan", rincian="", nilai=50)]
    assert check(partial)[0] == [("R6", "nilai", "peringatan", "jumlah_kecamatan_belum_lengkap")]


def test_lost_decimal_comma_against_archive_is_a_warning():
    history = {("uraian:angka kematian ibu", "kabupaten"): [(2024, 99.07)]}
    findings, result = check([item(uraian_data="Angka Kematian Ibu", satuan="per 100.000 KH", nilai=9907, tahun=2025)],
                             history=history)
    assert findings == [("R1", "nilai", "peringatan", "lonjakan_riwayat")]


def test_duplicate_item_rows_are_flagged():
    findings, _ = check([item(rincian="Poncol"), item(rincian="poncol")])
    assert findings == [("R2", "uraian_data", "galat", "baris_ganda")]


def test_standar_data_completeness_is_a_warning_once_per_item():
    rows = [item(kode_data="K1", rincian="Poncol", konsep="Puskesmas", definisi="", klasifikasi="x", ukuran="Jumlah",
                 frekuensi="Tahunan"),
            item(kode_data="K1", rincian="Parang", konsep="", definisi="", klasifikasi="", ukuran="", frekuensi="")]
    findings, result = check(rows)
    assert findings == [("R1", "definisi", "peringatan", "standar_data_belum_lengkap")]
    assert all(x.step == 5 for x in result.findings)


@pytest.mark.parametrize("body, where", [
    ("item:\n  - nama: A\n    uraian: '(['\n", "baris 3, kunci 'uraian'"),
    ("item:\n  - nama: A\n    kolom:\n      nilai: {minimum: 0}\n", "perlu kode_data atau uraian"),
    ("item:\n  - nama: A\n    uraian: x\n    kolom:\n      harga: {minimum: 0}\n", "baris 5, kunci 'harga'"),
    ("item:\n  - nama: A\n    uraian: x\n    kolom:\n      nilai: {minimum: nol}\n", "nilai.minimum"),
    ("bawaan:\n  tahun_mundur_maks: -1\n", "tahun_mundur_maks"),
    ("aturan:\n  - a\n", "kunci tidak dikenal"),
    ("item: [\n", "YAML tidak sah"),
])
def test_bad_rule_file_fails_at_load_naming_file_line_and_key(tmp_path, body, where):
    (tmp_path / "aturan.yaml").write_text(body, encoding="utf-8")
    with pytest.raises(RuleError, match="aturan.yaml") as err:
        load_rules(tmp_path)
    assert where in str(err.value)


def test_per_item_rule_required_year_bounds_and_unique_are_enforced(tmp_path):
    (tmp_path / "sumur.yaml").write_text(
        "item:\n  - nama: Sumur bor\n    uraian: sumur bor\n    kolom:\n"
        "      keterangan: {required: true}\n      rincian: {required: true}\n"
        "      tahun: {minimum: 2023, maximum: 2024}\n      kode_data: {unique: true}\n", encoding="utf-8")
    rules = load_rules(tmp_path)
    rows = [item(uraian_data="Jumlah Sumur Bor", tahun=2020, kode_data="SB-1"),
            item(uraian_data="Jumlah Sumur Bor", rincian="Poncol", keterangan="BPBD", tahun=2024, kode_data="SB-1")]
    df = pd.DataFrame.from_records(rows, index=["R1", "R2"])
    found = sorted((x.row_id, x.column, x.code) for x in run_checks(df, rules, WILAYAH, 2025).findings)
    assert found == [("R1", "keterangan", "wajib_menurut_aturan"), ("R1", "rincian", "wajib_menurut_aturan"),
                     ("R1", "tahun", "di_bawah_minimum"), ("R2", "kode_data", "tidak_unik")]


def test_bounds_on_a_text_column_are_refused_at_load(tmp_path):
    (tmp_path / "salah.yaml").write_text(
        "item:\n  - nama: A\n    uraian: x\n    kolom:\n      satuan: {minimum: 1}\n", encoding="utf-8")
    with pytest.raises(RuleError, match="hanya untuk kolom nilai dan tahun"):
        load_rules(tmp_path)


@pytest.mark.parametrize("body, where", [
    ("bawaan:\n  riwayat:\n    rasio_koma: [0, 10]\n", "riwayat.rasio_koma"),
    ("bawaan:\n  frekuensi: Tahunan\n", "frekuensi"),
    ("bawaan:\n  riwayat: 5\n", "riwayat"),
    ("bawaan: [1, 2]\n", "bawaan"),
    ("bawaan:\n  riwayat:\n    toleransi_rasio: 2\n", "riwayat.toleransi_rasio"),
])
def test_more_bad_rule_values_fail_at_load(tmp_path, body, where):
    (tmp_path / "aturan.yaml").write_text(body, encoding="utf-8")
    with pytest.raises(RuleError, match="aturan.yaml") as err:
        load_rules(tmp_path)
    assert where in str(err.value)


def test_numeric_kode_data_in_a_rule_matches_text_codes(tmp_path):
    (tmp_path / "kode.yaml").write_text("item:\n  - nama: A\n    kode_data: 1101\n    kolom:\n      nilai: {maximum: 5}\n",
                                        encoding="utf-8")
    rules = load_rules(tmp_path)
    df = pd.DataFrame.from_records([item(kode_data="1101", nilai=9)], index=["R1"])
    assert [x.code for x in run_checks(df, rules, WILAYAH, 2025).findings] == ["di_atas_maksimum"]


def test_dotted_code_that_does_not_exist_is_not_matched_through_its_bps_digits():
    # 3520071001 is a BPS desa code, but 35.20.07.1001 (Kemendagri form) names no desa
    assert WILAYAH.lookup("3520071001").status == "cocok"
    found, _ = check([item(rincian="35.20.07.1001")])
    assert found == [("R1", "rincian", "galat", "wilayah_tidak_dikenal")]


@pytest.mark.parametrize("satuan", ["Rupiah", "Rp", "Ha", "Unit"])
def test_negative_value_in_a_unit_that_cannot_be_negative_is_an_error(satuan):
    found, result = check([item(satuan=satuan, nilai=-13500)])
    assert [x[3] for x in found] in (["nilai_negatif"], ["cacah_tidak_bulat"])
    message = result.findings[0].message
    assert "-13.500" in message and "-13500" not in message


def test_negative_value_in_a_unit_that_may_be_negative_passes():
    assert check([item(satuan="Persen Pertumbuhan", nilai=-2)])[0] == []


def test_value_written_as_percent_with_another_satuan_is_a_warning():
    found, result = check([item(satuan="Rasio", nilai=0.125, _persen=True)])
    assert found == [("R1", "nilai", "peringatan", "persen_satuan")]
    assert "12,5%" in result.findings[0].message


def test_messages_show_numbers_as_the_cell_shows_them():
    found, result = check([item(satuan="Unit", nilai=0.5), item(satuan="Jiwa", nilai=0.125, _persen=True)])
    messages = " ".join(x.message for x in result.findings)
    assert "'0,5'" in messages and "'12,5%'" in messages
    assert "0.5" not in messages and "0.125" not in messages


def test_enum_written_as_a_string_is_refused_at_load_with_file_line_and_key(tmp_path):
    (tmp_path / "pilihan.yaml").write_text(
        "item:\n  - nama: A\n    uraian: x\n    kolom:\n      satuan: {enum: Unit}\n", encoding="utf-8")
    with pytest.raises(RuleError, match="pilihan.yaml") as err:
        load_rules(tmp_path)
    assert "baris 5" in str(err.value) and "satuan.enum" in str(err.value)
