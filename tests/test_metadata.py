"""The Metadata tab (MS-Keg, MS-Ind, MS-Var of Peraturan BPS 5/2020): blocks read, problems named by cell."""
from __future__ import annotations

import pytest

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


# --- in the poller: agreement (step 5) waits for complete metadata ---------------------------

AGREE = ("Dicek Bersama", "Disepakati OPD", "Disepakati Walidata")


def _agree(world, rid):
    for header in AGREE:
        world.backend.set("DINKES", rid, header, "YA")
    world.poll()


def test_an_item_missing_a_required_metadata_field_cannot_be_agreed_and_the_note_names_it(world):
    world.poll()
    world.backend.add_row("DINKES", Kode_Data="DEMO-3", Uraian_Data="Rasio Jenis Kelamin", Satuan="Persen", Tahun=2025)
    for kode, uraian in (("DEMO-1", "Jumlah Penduduk Laki-laki"), ("DEMO-2", "Jumlah Penduduk Perempuan")):
        world.backend.add_row("DINKES", Kode_Data=kode, Uraian_Data=uraian, Satuan="Jiwa", Tahun=2025)
    tab = world.backend.tabs["DINKES"]
    tab.metadata = grid((KEG, "Registrasi Penduduk", KEGIATAN), (IND, "DEMO-3", {**INDIKATOR, "interpretasi": ""}))
    tab.version += 1
    world.poll()
    rid = world.backend.ids("DINKES")[0]
    _agree(world, rid)
    assert world.row("DINKES", rid).state == "3"  # the agreement boxes were refused
    note = world.backend.note("DINKES", rid, "Disepakati OPD") or ""
    assert "Belum dapat disepakati" in note and "Interpretasi (Metadata!D21) wajib diisi" in note
    tab.metadata = grid((KEG, "Registrasi Penduduk", KEGIATAN), (IND, "DEMO-3", INDIKATOR))
    tab.version += 1
    world.poll()
    _agree(world, rid)
    assert world.row("DINKES", rid).state == "5"
    assert "Metadata" not in (world.backend.note("DINKES", rid, "Disepakati OPD") or "")


def test_a_workbook_without_a_metadata_tab_is_agreed_as_before(world):
    world.poll()
    world.backend.add_row("DINKES", Kode_Data="K-1", Uraian_Data="Jumlah Puskesmas", Satuan="Unit", Tahun=2025)
    world.poll()
    rid = world.backend.ids("DINKES")[0]
    _agree(world, rid)
    assert world.row("DINKES", rid).state == "5"


def test_the_excel_backend_reads_the_workbooks_metadata_tab(tmp_path):
    import openpyxl

    from sheets.xlsx import XlsxBackend
    backend = XlsxBackend(tmp_path)
    backend.ensure_tabs([("DINKES", "Dinas Kesehatan")])
    [before] = backend.read(["DINKES"], {})
    assert before.snapshot.metadata is None
    path = backend.path("DINKES")
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.create_sheet("Metadata")
    for row in grid((IND, "DEMO-3", INDIKATOR)):
        sheet.append(row)
    workbook.save(path)
    [after] = backend.read(["DINKES"], {})
    parsed = parse_sheet(after.snapshot.metadata)
    assert after.snapshot.title == "DINKES" and parsed.item("DEMO-3", "").get("interpretasi") == INDIKATOR["interpretasi"]


def _verify_all(world, values):
    for rid in world.backend.ids("DINKES"):
        for header in AGREE + ("Disetujui Ka. OPD",):
            world.backend.set("DINKES", rid, header, "YA")
    world.poll()
    for rid, value in zip(world.backend.ids("DINKES"), values):
        world.backend.set("DINKES", rid, "Nilai", value)
        world.backend.set("DINKES", rid, "Selesai Diisi", "YA")
    world.poll()
    for rid in world.backend.ids("DINKES"):
        world.backend.set("DINKES", rid, "Terverifikasi", "YA")
    world.poll()
    world.poll()


def demo_tab(world, indikator=INDIKATOR):
    """DINKES with the sex ratio (an indicator) and its two source variables, with their metadata."""
    world.poll()
    world.backend.add_row("DINKES", Kode_Data="DEMO-3", Uraian_Data="Rasio Jenis Kelamin", Satuan="Persen", Tahun=2025)
    for kode, uraian in (("DEMO-1", "Jumlah Penduduk Laki-laki"), ("DEMO-2", "Jumlah Penduduk Perempuan")):
        world.backend.add_row("DINKES", Kode_Data=kode, Uraian_Data=uraian, Satuan="Jiwa", Tahun=2025)
    variabel = {"konsep": "Penduduk", "definisi": "Orang yang berdomisili", "referensi_waktu": "31 Desember",
                "tipe_data": "Bilangan bulat", "satuan": "Jiwa", "kegiatan_penghasil": "Registrasi Penduduk",
                "dapat_diakses_umum": "Ya"}
    world.backend.tabs["DINKES"].metadata = grid(
        (KEG, "Registrasi Penduduk", KEGIATAN), (IND, "DEMO-3", indikator),
        (VAR, "DEMO-1", {**variabel, "nama_variabel": "Jumlah Penduduk Laki-laki"}),
        (VAR, "DEMO-2", {**variabel, "nama_variabel": "Jumlah Penduduk Perempuan"}))
    world.backend.tabs["DINKES"].version += 1
    world.poll()


def test_metadata_is_archived_with_its_items_and_versioned_only_when_it_changes(db_world):
    w = db_world
    demo_tab(w)
    _verify_all(w, ["98,5", "400000", "406000"])
    assert {r["id"] for r in w.reads.archive_rows()} == set(w.backend.ids("DINKES"))
    blocks = w.reads.latest_metadata("DINKES")
    assert sorted((b["jenis"], b["kunci"], b["versi"]) for b in blocks.values()) == [
        (IND, "DEMO-3", 1), (KEG, "Registrasi Penduduk", 1), (VAR, "DEMO-1", 1), (VAR, "DEMO-2", 1)]
    [ind] = [b for b in blocks.values() if b["jenis"] == IND]
    assert ind["isi"]["interpretasi"] == INDIKATOR["interpretasi"]
    w.poll()
    assert {b["versi"] for b in w.reads.latest_metadata("DINKES").values()} == {1}  # same content: no version


# --- published: /data/<item>, the Data Package, the DCAT catalogue ---------------------------

@pytest.fixture(scope="module")
def verified(tmp_path_factory):
    from tests.conftest import World
    world = World(tmp_path_factory.mktemp("metadata"))
    demo_tab(world)
    _verify_all(world, ["98,5", "400000", "406000"])
    yield world
    world.store.engine.dispose()


def test_an_indicators_metadata_is_on_its_public_page(verified):
    from service.web.app import create_app
    html = create_app(verified.config, verified.store).test_client().get("/data/dinkes-demo-3").get_data(as_text=True)
    assert "Metadata Indikator (MS-Ind)" in html and INDIKATOR["interpretasi"] in html
    assert "Metode/Rumus Perhitungan" in html and "L / P x 100" in html
    assert "Kegiatan statistik (MS-Keg): Registrasi Penduduk" in html and "Kompilasi Produk Administrasi" in html


def test_the_data_package_describes_the_indicator_and_frictionless_validates_it(verified, tmp_path):
    import json

    from frictionless import Package

    from service.publish.build import build, write
    publication = build(verified.config, verified.store)
    package = json.loads(publication.files["data/dinkes.datapackage.json"])
    [ind] = [r for r in package["resources"] if r["name"] == "dinkes-demo-3"]
    assert ind["description"] == INDIKATOR["definisi"]
    assert ind["metadata_indikator"]["Interpretasi"] == INDIKATOR["interpretasi"]
    assert ind["metadata_kegiatan"]["Judul Kegiatan"] == "Registrasi Penduduk"
    nilai = next(f for f in ind["schema"]["fields"] if f["name"] == "nilai")
    assert INDIKATOR["definisi"] in nilai["description"] and "L / P x 100" in nilai["description"]
    write(publication, tmp_path)
    report = Package(str(tmp_path / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_the_dcat_catalogue_links_the_indicator_to_its_activity(verified):
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import DCAT, DCTERMS, PROV, RDF

    from service.publish.build import build
    publication = build(verified.config, verified.store)
    for name, fmt in (("katalog/dinkes.ttl", "turtle"), ("katalog/dinkes.jsonld", "json-ld")):
        graph = Graph().parse(data=publication.files[name].decode("utf-8"), format=fmt)
        [dataset] = [s for s in graph.subjects(RDF.type, DCAT.Dataset) if str(s).endswith("/data/dinkes-demo-3")]
        assert graph.value(dataset, DCTERMS.description) == Literal(INDIKATOR["definisi"], lang="id")
        assert str(graph.value(dataset, DCAT.temporalResolution)) == "P1Y"
        assert graph.value(dataset, DCTERMS.accrualPeriodicity) == URIRef(
            "http://publications.europa.eu/resource/authority/frequency/ANNUAL")
        activity = graph.value(dataset, PROV.wasGeneratedBy)
        assert (activity, RDF.type, PROV.Activity) in graph
        assert str(graph.value(activity, DCTERMS.title)) == "Registrasi Penduduk"


def test_the_ms_ind_and_ms_keg_print_as_one_pdf_per_item(verified):
    import io

    from pypdf import PdfReader

    from service.web.app import create_app
    client = create_app(verified.config, verified.store).test_client()
    response = client.get("/data/dinkes-demo-3.metadata.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    words = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages).split())
    for text in ("METADATA INDIKATOR (MS-Ind)", "Interpretasi", INDIKATOR["interpretasi"], "L / P x 100",
                 "METADATA KEGIATAN STATISTIK (MS-Keg): Registrasi Penduduk", "Kompilasi Produk Administrasi"):
        assert text in words, text
    assert client.get("/data/tidak-ada.metadata.pdf").status_code == 404


def test_distribute_hands_each_opd_its_metadata_blocks_as_a_new_tab_and_never_over_one(tmp_path):
    import openpyxl

    from service.cli.distribute import distribute
    from sheets.xlsx import XlsxBackend
    from tests.conftest import WILAYAH, make_config
    config = make_config(tmp_path)
    backend = XlsxBackend(config.folder)
    daftar = tmp_path / "daftar.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.append(["opd", "Kode Data", "Uraian Data", "Satuan", "Tahun"])
    workbook.active.append(["DINKES", "DEMO-3", "Rasio Jenis Kelamin", "Persen", "2025"])
    workbook.active.append(["DIKPORA", "K-9", "Jumlah Sekolah", "Unit", "2025"])
    sheet = workbook.create_sheet("Metadata")
    for row in grid((KEG, "Registrasi Penduduk", KEGIATAN), (IND, "DEMO-3", INDIKATOR)):
        sheet.append(row)
    workbook.save(daftar)
    report = distribute(daftar, config, backend, WILAYAH)
    by_opd = {r.opd: r for r in report.results}
    assert by_opd["DINKES"].metadata == "tab Metadata dibuat dengan 2 blok" and by_opd["DIKPORA"].metadata == ""
    [result] = backend.read(["DINKES"], {})
    parsed = parse_sheet(result.snapshot.metadata)
    assert [(b.jenis, b.kunci) for b in parsed.blocks] == [(IND, "DEMO-3"), (KEG, "Registrasi Penduduk")]
    assert parsed.item("DEMO-3", "").get("interpretasi") == INDIKATOR["interpretasi"]
    assert openpyxl.load_workbook(backend.path("DINKES")).sheetnames == ["DINKES", "Metadata"]
    again = {r.opd: r for r in distribute(daftar, config, backend, WILAYAH).results}
    assert again["DINKES"].metadata.startswith("tab Metadata sudah ada di DINKES.xlsx; blok tidak ditulis")


def test_rollover_keeps_the_workbooks_metadata_tab_for_the_new_years_tab(tmp_path):
    import openpyxl

    from sheets.xlsx import XlsxBackend
    backend = XlsxBackend(tmp_path)
    backend.ensure_tabs([("DINKES", "Dinas Kesehatan")])
    assert backend.add_metadata_tab("DINKES", grid((IND, "DEMO-3", INDIKATOR))) is None
    assert backend.archive_tab("DINKES", "Dinas Kesehatan", "DINKES 2025") is None
    assert openpyxl.load_workbook(backend.path("DINKES")).sheetnames == ["DINKES", "DINKES 2025", "Metadata"]
    [result] = backend.read(["DINKES"], {})
    assert result.snapshot.title == "DINKES"
    assert parse_sheet(result.snapshot.metadata).item("DEMO-3", "").get("interpretasi") == INDIKATOR["interpretasi"]
