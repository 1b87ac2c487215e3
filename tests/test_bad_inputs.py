"""Bad-input corpus: every case ends in a clear Indonesian finding or a correct number —
never a crash, never a silent wrong number. One poll carries every row case at once."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from tests.conftest import World

OPD = "DINKES"
ALL_BOXES = dict(Dicek_Bersama="YA", Disepakati_OPD="YA", Disepakati_Walidata="YA", Disetujui_Ka__OPD="YA",
                 Selesai_Diisi="YA", Terverifikasi="YA")

# (case id, cell values, expected): ("ok", archived nilai, warning code or None) | ("galat", code)
CASES: list[tuple[str, dict, tuple]] = []


def case(name: str, expected: tuple, **values) -> None:
    assert name not in {c[0] for c in CASES}, name
    CASES.append((name, values, expected))


# --- Nilai in every Indonesian/English style --------------------------------------------------
for v in (7, 12, 123, 1234, 12345, 123456, 1234567, 12345678, 123456789):
    dotted = f"{v:,}".replace(",", ".")
    case(f"ribuan-titik-{v}", ("ok", float(v), None), Nilai=dotted)  # a count: the dot can only be thousands
    case(f"ribuan-titik-ha-{v}", ("ok", float(v), "ambigu_titik" if dotted.count(".") == 1 else None),
         Nilai=dotted, Satuan="Ha")
    case(f"ribuan-spasi-{v}", ("ok", float(v), None), Nilai=f"{v:,}".replace(",", " "))
    case(f"ribuan-nbsp-{v}", ("ok", float(v), None), Nilai=f"{v:,}".replace(",", "\u00a0"))
    case(f"desimal-koma-{v}", ("ok", v + 0.5, None), Nilai=f"{v:,}".replace(",", ".") + ",5", Satuan="Ha")
    case(f"angka-mentah-{v}", ("ok", float(v), None), Nilai=v)
    case(f"rupiah-{v}", ("ok", float(v), None), Nilai=f"Rp {dotted}", Satuan="Rupiah")
    case(f"rupiah-strip-{v}", ("ok", float(v), None), Nilai=f"Rp{dotted},-", Satuan="Rupiah")
for text, value, warn in [
    ("1.234,5", 1234.5, None), ("1234,5", 1234.5, None), ("12,5", 12.5, None), ("0,75", 0.75, None),
    (",5", 0.5, None), ("12.5", 12.5, "ambigu_titik"), ("0.75", 0.75, "ambigu_titik"),
    ("1,234.5", 1234.5, "format_inggris"), ("1,234,567.25", 1234567.25, "format_inggris"),
    ("1,234", 1.234, "ambigu_koma"), ("1 234.567", 1234.567, None), ("\u200b123,4", 123.4, None),
    ("１２３,４", 123.4, None), ("１．２３４,５", 1234.5, None), ("  42,0  ", 42.0, None), ("+12,5", 12.5, None),
    ("−5,5", -5.5, None), ("-5,5", -5.5, None), ("Rp1.500.000,00", 1500000.0, None), ("1\u202f234,5", 1234.5, None),
    (12.5, 12.5, None), (0.001, 0.001, None), (1e9, 1e9, None), ("1.000.000,001", 1000000.001, None),
    ("0", 0.0, None), ("0,0", 0.0, None), ("1.000,00", 1000.0, None), ("0123", 123.0, None), ("  7  ", 7.0, None),
    (0, 0.0, None),
]:
    # a negative area is an error (below): a signed number is read in a unit that may be negative
    case(f"nilai-ok-{text!r}", ("ok", value, warn), Nilai=text, Satuan="Indeks" if value < 0 else "Ha")
for unit, typed in (("Rupiah", -13500), ("Ha", "−5,5"), ("Jiwa", "-3")):  # LibreOffice id-ID: 'Rp 13.500,-'
    case(f"negatif-{unit}", ("galat", "nilai_negatif" if unit != "Jiwa" else "cacah_tidak_bulat"),
         Nilai=typed, Satuan=unit)
for text, code in [  # a BPS symbol without a reason in Keterangan asks for the reason (alasan_nilai_kosong)
    ("abc", "nilai_bukan_angka"), ("-", "alasan_nilai_kosong"), ("–", "alasan_nilai_kosong"),
    ("—", "alasan_nilai_kosong"), ("n/a", "alasan_nilai_kosong"), ("N/A", "alasan_nilai_kosong"),
    ("NA", "alasan_nilai_kosong"), ("?", "nilai_kosong_simbol"), ("...", "alasan_nilai_kosong"),
    ("x", "nilai_kosong_simbol"), ("12 jiwa", "nilai_bukan_angka"), ("1e5", "nilai_bukan_angka"),
    ("=SUM(A1:A2)", "nilai_bukan_angka"), ("+A1", "nilai_bukan_angka"), ("@HARI", "nilai_bukan_angka"),
    ("(1.234)", "nilai_format_salah"), ("1.23.4", "nilai_format_salah"), ("1..2", "nilai_format_salah"),
    ("1,2,3.4.5", "nilai_format_salah"), ("12,5,6", "nilai_format_salah"), ("±3", "nilai_bukan_angka"),
    ("Rp", "nilai_bukan_angka"), ("%", "nilai_bukan_angka"), ("1/2", "nilai_bukan_angka"),
    ("satu", "nilai_bukan_angka"), ("0x1F", "nilai_bukan_angka"), ("1_000", "nilai_bukan_angka"),
    ("١٢٣", "nilai_bukan_angka"), ("9" * 70, "nilai_bukan_angka"), ("9" * 50000, "nilai_bukan_angka"),
    ("12\x0034", "nilai_bukan_angka"), ("1 23", "nilai_format_salah"), (True, "nilai_bukan_angka"),
    (datetime(2024, 5, 1), "nilai_bukan_angka"), (date(2024, 5, 1), "nilai_bukan_angka"),
    (float("nan"), "nilai_wajib"), (float("inf"), "nilai_bukan_angka"), ("12,5", "cacah_tidak_bulat"),
    ("-3", "cacah_tidak_bulat"), ("", "nilai_wajib"), ("   ", "nilai_wajib"),
]:
    satuan = "Unit"
    case(f"nilai-galat-{len(CASES)}-{str(text)[:20]!r}", ("galat", code), Nilai=text, Satuan=satuan)
case("persen-negatif", ("galat", "persen_negatif"), Nilai="-2", Satuan="Persen")
case("persen-di-atas-100", ("ok", 104.5, "persen_di_atas_100"), Nilai="104,5", Satuan="Persen")
case("persen-tanda", ("ok", 12.5, None), Nilai="12,5%", Satuan="Persen")
case("persen-format-sel", ("ok", 12.5, None), Nilai=0.125, Satuan="Persen", _percent=True)

# --- Tahun ---------------------------------------------------------------------------------
for value, expected in [
    (2024, ("ok", 5.0, None)), ("2024", ("ok", 5.0, None)), (2024.0, ("ok", 5.0, None)),
    (" 2021 ", ("ok", 5.0, None)), (2015, ("ok", 5.0, None)), (2026, ("galat", "tahun_masa_depan")),
    (2031, ("galat", "tahun_masa_depan")), (2014, ("galat", "tahun_terlalu_lama")),
    (1925, ("galat", "tahun_terlalu_lama")), ("2024/2025", ("galat", "tahun_tidak_sah")),
    ("dua ribu", ("galat", "tahun_tidak_sah")), (2024.5, ("galat", "tahun_tidak_sah")),
    (datetime(2024, 1, 1), ("galat", "tahun_tidak_sah")), ("24", ("galat", "tahun_tidak_sah")),
    (45000, ("galat", "tahun_tidak_sah")), ("", ("galat", "tahun_wajib")),
]:
    case(f"tahun-{value!r}", expected, Tahun=value, Nilai=5)

# --- Rincian: Kemendagri kecamatan/desa ---------------------------------------------------
for place in ["Poncol", "PARANG", "kec. lembeyan", "Kecamatan Takeran", "Kec Kawedanan", "magetan", "Plaosan",
              "35.20.08", "3520090", "Bendo ", "Maospati", "Barat", "Karangrejo", "Karas", "Kartoharjo",
              "Ngariboyo", "Nguntoronadi", "Sidorejo", "Desa Sarangan", "Kelurahan Sarangan", "Joketro",
              "Jokerto", "Klagen Gambiran", "Sambirembe", "Samberembe", "Bayemwetan", "Bayem Wetan",
              "Laki-laki", "Rawat Jalan", "Januari", "Kabupaten Magetan", "Total"]:
    case(f"rincian-ok-{place!r}", ("ok", 5.0, None), Rincian=place, Nilai=5)
for place, code in [("Plaosen", "wilayah_mirip"), ("Kec. Maospaty", "wilayah_mirip"),
                    ("Kecamatan Ngariboyoo", "wilayah_mirip"), ("Kec. Antahberantah", "wilayah_tidak_dikenal"),
                    ("Desa Entah", "wilayah_tidak_dikenal"), ("35.20.99", "wilayah_tidak_dikenal"),
                    ("Kec. Kras", "wilayah_tidak_dikenal")]:
    case(f"rincian-galat-{place!r}", ("galat", code), Rincian=place, Nilai=5)

# --- Text that looks like a formula, huge cells, odd box values ------------------------------
case("uraian-rumus", ("ok", 5.0, None), Uraian_Data="=HYPERLINK(\"http://contoh\")", Nilai=5)
case("keterangan-50000", ("ok", 5.0, None), Keterangan="x" * 50000, Nilai=5)
case("uraian-kontrol", ("ok", 5.0, None), Uraian_Data="Jumlah\tPuskesmas\r\nBaru", Nilai=5)
case("uraian-kosong", ("galat", "uraian_data_wajib"), Uraian_Data="", Kode_Data="K-TANPA-URAIAN", Nilai=5)
case("satuan-kosong", ("galat", "satuan_wajib"), Satuan="", Nilai=5)
for box in ("✓", "x", "TRUE", True, 1, "V", "y", "Ya", " ya "):
    case(f"centang-benar-{box!r}", ("ok", 5.0, None), Nilai=5, Terverifikasi=box)
for box in ("ok", "Sudah", "2", "benar", "☒?"):
    case(f"centang-tak-dikenal-{box!r}", ("box", "tidak dikenal"), Nilai=5, Terverifikasi=box)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    world = World(tmp_path_factory.mktemp("corpus"))
    world.poll()
    rows = {}
    for i, (name, values, _) in enumerate(CASES):
        cells = {"Uraian_Data": f"Item uji {i}", "Satuan": "Unit", "Tahun": 2024, **ALL_BOXES}
        cells.update({k: v for k, v in values.items() if not k.startswith("_")})
        row = world.backend.add_row(OPD, **{k.replace("__", ". ").replace("_", " ") if "Ka" in k else k: v
                                            for k, v in cells.items()})
        if values.get("_percent"):
            world.backend.tabs[OPD].percent.add((row - 2, world.backend._col(OPD, "Nilai")))
        rows[name] = row
    world.poll()
    # The Walidata verifies what the first cycle showed as 7 Diisi: tick Terverifikasi again
    for name, values, expected in CASES:
        if expected[0] == "ok":
            world.backend.set(OPD, rows[name], "Terverifikasi", values.get("Terverifikasi", ALL_BOXES["Terverifikasi"]))
    report = world.poll()
    archive = {r["id"]: r for r in world.reads.archive_rows()}
    yield world, rows, archive, report
    world.store.engine.dispose()


def test_corpus_has_at_least_200_cases():
    assert len(CASES) >= 200


def test_corpus_poll_finishes_without_error(corpus):
    _, _, _, report = corpus
    assert report.errors == [] and not report.backend_failed


@pytest.mark.parametrize("name, values, expected", CASES, ids=[c[0] for c in CASES])
def test_bad_input_ends_in_finding_or_correct_number(corpus, name, values, expected):
    world, rows, archive, _ = corpus
    b, row = world.backend, rows[name]
    rid = b.get(OPD, row, "ID")
    hasil = b.get(OPD, row, "Hasil Pemeriksaan")
    findings = {x["kode"] for x in world.row(OPD, rid).findings}
    if expected[0] == "ok":
        _, value, warn = expected
        assert b.get(OPD, row, "Status") == "10 Diarsip", hasil
        assert archive[rid]["nilai"] == pytest.approx(value)
        if warn:
            assert warn in findings and "PERINGATAN" in hasil
    elif expected[0] == "galat":
        assert b.get(OPD, row, "Status") in ("8 Perlu Perbaikan", "3 Dicek", "1 Draf"), hasil
        assert expected[1] in findings, (findings, hasil)
        assert "GALAT" in hasil and rid not in archive
    else:
        assert expected[1] in b.note(OPD, row, "Terverifikasi")
        assert b.get(OPD, row, "Terverifikasi") is False
        assert b.get(OPD, row, "Status") == "7 Diisi"
    for key, value in values.items():  # nothing typed was rewritten
        if not key.startswith("_") and key != "Terverifikasi":
            got = b.get(OPD, row, key.replace("_", " "))
            assert got == value or (got != got and value != value)


# --- Tab-level cases: headers, empty tabs, hand-typed IDs, blank rows --------------------------
def _header(world, transform):
    world.poll()
    tab = world.backend.tabs[OPD]
    tab.header = transform(list(tab.header))
    tab.version += 1
    return tab


def _renamed(old, new):
    return lambda h: [new if x == old else x for x in h]


HEADER_CASES = [
    ("tanpa-satuan", lambda h: [x for x in h if x != "Satuan"], "header", "Satuan"),
    ("tanpa-status", lambda h: [x for x in h if x != "Status"], "header", "Status"),
    ("tanpa-id", lambda h: [x for x in h if x != "ID"], "header", "ID"),
    ("satuan-diganti", _renamed("Satuan", "Unit Ukur"), "header", "Satuan"),
    ("huruf-dan-spasi", lambda h: [f"  {x.upper()}  " for x in h], "ok", None),
    ("tanda-baca", lambda h: [x.replace(" ", "_").lower() + ":" for x in h], "ok", None),
    ("alias-uraian", _renamed("Uraian Data", "Nama Data"), "ok", None),
    ("urutan-dibalik", lambda h: list(reversed(h)), "ok", None),
    ("kolom-tambahan", lambda h: ["Catatan Operator", *h, "Kolom Bebas"], "ok", None),
    ("tanpa-kolom-opsional", lambda h: [x for x in h if x not in ("Kode Data", "Konsep", "Definisi")], "ok", None),
    ("judul-ganda", lambda h: [*h, "Nilai"], "ok", None),
    ("judul-kosong-di-tengah", lambda h: [*h[:5], None, *h[5:]], "ok", None),
]


@pytest.mark.parametrize("name, transform, status, mention", HEADER_CASES, ids=[c[0] for c in HEADER_CASES])
def test_header_variants_are_matched_or_reported(tmp_path, name, transform, status, mention):
    world = World(tmp_path)
    try:
        tab = _header(world, transform)
        row = [None] * len(tab.header)
        for label, value in (("Uraian Data", "Jumlah Puskesmas"), ("Nama Data", "Jumlah Puskesmas"),
                             ("Satuan", "Unit"), ("Unit Ukur", "Unit")):
            for i, h in enumerate(tab.header):
                if h is not None and h.strip().replace("_", " ").rstrip(":").casefold() == label.casefold():
                    row[i] = value
                    break
        tab.rows.append(row)
        tab.version += 1
        report = world.poll()
        memory = world.store.load_tab(OPD)
        assert memory.status == status
        if status == "header":
            assert mention in tab.notes[(0, 0)] and mention in memory.message
            assert not memory.rows and report.tabs[0].status == "dilewati"
            assert all(v in (None, "Jumlah Puskesmas", "Unit") for v in tab.rows[0])  # nothing written
        else:
            assert [r.state for r in memory.rows.values()] == ["1"]
    finally:
        world.store.engine.dispose()


def test_empty_tab_and_tab_with_only_headers_are_quiet(tmp_path):
    world = World(tmp_path)
    try:
        world.poll()
        world.backend.tabs["DIKPORA"].header = []
        world.backend.tabs["DIKPORA"].version += 1
        report = world.poll()
        statuses = {t.opd: t for t in report.tabs}
        assert statuses["DIKPORA"].status == "dilewati" and "Kolom wajib" in statuses["DIKPORA"].message
        assert statuses["DINKES"].status in ("tidak_berubah", "diproses") and statuses["DINKES"].rows == 0
    finally:
        world.store.engine.dispose()


def test_blank_rows_in_the_middle_keep_row_identity(world):
    world.poll()
    b = world.backend
    b.add_row(OPD, Uraian_Data="Jumlah Puskesmas", Satuan="Unit")
    b.tabs[OPD].rows.append([None] * len(b.tabs[OPD].header))
    b.tabs[OPD].rows.append([])
    b.add_row(OPD, Uraian_Data="Jumlah Dokter", Satuan="Orang")
    world.poll()
    assert b.ids(OPD) == ["DINKES-0001", None, None, "DINKES-0002"]
    assert b.get(OPD, 5, "Status") == "1 Draf"


def test_hand_typed_and_edited_ids(world):
    world.poll()
    b = world.backend
    b.add_row(OPD, ID="DINKES-9999", Uraian_Data="Jumlah Puskesmas", Satuan="Unit")
    world.poll()
    assert b.ids(OPD) == ["DINKES-0001"]
    assert "tidak dikenal" in b.note(OPD, 2, "ID")
    b.set(OPD, 2, "ID", "PUSKESMAS-1")  # an operator retypes the ID of a known row
    world.poll()
    assert b.ids(OPD) == ["DINKES-0001"]  # restored: same data, same place
    assert "dikembalikan" in b.get(OPD, 2, "Hasil Pemeriksaan")
    assert not world.row(OPD, "DINKES-0001").removed


def test_merged_cells_and_blank_rows_in_a_workbook(tmp_path):
    import openpyxl

    from sheets.xlsx import save_atomic
    from tests.test_xlsx_flow import Workspace
    ws = Workspace(tmp_path)
    ws.cli("poll", "--once")
    wb = openpyxl.load_workbook(ws.path("DINKES"))
    sheet = wb.worksheets[0]
    for r, uraian in ((2, "Jumlah Puskesmas"), (3, "Jumlah Puskesmas"), (6, "Jumlah Dokter")):
        sheet.cell(r, 3, uraian)
        sheet.cell(r, 5, "Unit")
    sheet.cell(2, 4, "Poncol")
    sheet.cell(3, 4, "Parang")
    sheet.merge_cells("C2:C3")  # a person merges the Uraian of two rows
    save_atomic(wb, ws.path("DINKES"))
    ws.cli("poll", "--once")
    assert ws.cell("DINKES", 2, "ID").value == "DINKES-0001"
    assert ws.cell("DINKES", 3, "ID").value == "DINKES-0002"  # merged away Uraian: the row still has Rincian
    assert "Uraian Data wajib diisi" in ws.cell("DINKES", 3, "Hasil Pemeriksaan").value
    assert ws.cell("DINKES", 4, "ID").value is None and ws.cell("DINKES", 6, "ID").value == "DINKES-0003"


def test_contract_header_wins_over_an_alias_left_of_it():
    from sheets.layout import HEADERS, match_headers
    header = ["Jumlah", "Catatan", *HEADERS]
    columns = match_headers(header).columns
    assert columns["nilai"] == 2 + HEADERS.index("Nilai")
    assert columns["catatan_walidata"] == 2 + HEADERS.index("Catatan Walidata")
