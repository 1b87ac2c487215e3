"""The Metadata tab (MS-Keg, MS-Ind, MS-Var of Peraturan BPS 5/2020): blocks read, problems named by cell."""
from __future__ import annotations

from rules.metadata import FORMS, HEADER, IND, KEG, VAR, item_problems, norm_key, parse_sheet, template_rows

KEGIATAN = {"judul_kegiatan": "Registrasi Penduduk", "cara_pengumpulan_data": "Kompilasi Produk Administrasi",
            "instansi_penyelenggara": "Dinas Kependudukan dan Pencatatan Sipil",
            "unit_eselon_penanggung_jawab": "Bidang Pelayanan Pendaftaran Penduduk",
            "email_penanggung_jawab": "dispendukcapil@example.go.id", "tujuan_kegiatan": "Mencatat penduduk",
            "frekuensi_penyelenggaraan": "Tahunan", "cakupan_wilayah_pengumpulan_data": "Kabupaten",
            "metode_pengumpulan_data": "Registrasi", "unit_observasi": "Penduduk"}
INDIKATOR = {"nama_indikator": "Rasio Jenis Kelamin", "konsep": "Rasio jenis kelamin",
             "definisi": "Perbandingan penduduk laki-laki dan perempuan", "interpretasi": "Di atas 100: lebih banyak laki-laki",
             "metode_rumus_perhitungan": "L / P x 100", "ukuran": "Rasio", "satuan": "Persen",
             "klasifikasi_penyajian": "Kabupaten", "indikator_komposit": "Tidak",
             "kegiatan_penghasil_variabel_pembangun": "Registrasi Penduduk",
             "nama_variabel_pembangun": "DEMO-1; Jumlah Penduduk Perempuan", "level_estimasi": "Kabupaten",
             "dapat_diakses_umum": "Ya"}


def grid(*blocks):
    rows = [list(HEADER)]
    for jenis, kunci, values in blocks:
        rows += template_rows(jenis, kunci, values)
    return rows


ITEMS = {norm_key(x) for x in ("DEMO-1", "Jumlah Penduduk Laki-laki", "DEMO-2", "Jumlah Penduduk Perempuan")}


def test_a_complete_indicator_with_its_activity_has_no_problem():
    sheet = parse_sheet(grid((KEG, "Registrasi Penduduk", KEGIATAN), (IND, "DEMO-3", INDIKATOR)))
    assert [b.jenis for b in sheet.blocks] == [KEG, IND] and not sheet.problems
    assert item_problems(sheet, "DEMO-3", "Rasio Jenis Kelamin", "Persen", ITEMS) == []
    assert sheet.item("", "demo-3").get("definisi").startswith("Perbandingan")


def test_a_missing_required_field_is_named_with_its_cell():
    sheet = parse_sheet(grid((KEG, "Registrasi Penduduk", KEGIATAN),
                             (IND, "DEMO-3", {**INDIKATOR, "interpretasi": ""})))
    [problem] = item_problems(sheet, "DEMO-3", "Rasio Jenis Kelamin", "Persen", ITEMS)
    row = 1 + len(FORMS[KEG]) + 1 + [e.key for e in FORMS[IND]].index("interpretasi")
    assert problem.code == "metadata_wajib"
    assert problem.message == f"MS-Ind 'DEMO-3': Interpretasi (Metadata!D{row}) wajib diisi."


def test_units_sources_and_the_activity_are_checked_against_the_tab():
    sheet = parse_sheet(grid((IND, "DEMO-3", {**INDIKATOR, "nama_variabel_pembangun": "DEMO-9"})))
    codes = [p.code for p in item_problems(sheet, "DEMO-3", "", "Rasio", ITEMS)]
    assert codes == ["metadata_satuan_beda", "metadata_variabel_tidak_ada", "metadata_kegiatan_tidak_ada"]


def test_an_item_without_a_block_and_a_bad_choice_are_problems():
    sheet = parse_sheet(grid((VAR, "DEMO-1", {"dapat_diakses_umum": "mungkin"})))
    assert item_problems(sheet, "DEMO-2", "", "Jiwa", ITEMS)[0].code == "metadata_tidak_ada"
    codes = {p.code for p in item_problems(sheet, "DEMO-1", "", "Jiwa", ITEMS)}
    assert codes == {"metadata_wajib", "metadata_pilihan"}


def test_blank_jenis_and_kunci_continue_the_block_and_unknown_lines_are_named():
    rows = [list(HEADER), ["MS-Var", "DEMO-1", "Nama Variabel", "Penduduk"], ["", "", "Definisi", "Orang"],
            ["", "", "Warna Favorit", "biru"], ["MS-Tabel", "X", "Judul", "y"]]
    sheet = parse_sheet(rows)
    assert len(sheet.blocks) == 1 and sheet.blocks[0].values == {"nama_variabel": "Penduduk", "definisi": "Orang"}
    assert sheet.blocks[0].cells["definisi"] == "D3"
    assert sheet.problems == ["Baris 4: 'Warna Favorit' bukan elemen MS-Var.",
                              "Baris 5: Jenis 'MS-Tabel' bukan MS-Keg, MS-Ind atau MS-Var."]
