"""`satudata distribute` (SOP step 2): a Daftar Data expanded into rows and handed to each OPD tab."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from rules.daftar import expand, rincian_values, years
from service.cli.commands import main
from service.cli.distribute import DistributeError, distribute
from tests.conftest import WILAYAH, World
from tests.google_world import GoogleWorld

HEADER = ["opd", "Kode Data", "uraian", "Rincian", "Satuan", "Tahun", "Konsep", "Frekuensi"]


def write_csv(path: Path, rows: list[list[str]], header=HEADER, delimiter=",") -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


DAFTAR = [
    ["DINKES", "K-001", "Jumlah Kasus Tuberkulosis", "", "Kasus", "2025", "Kasus TB", "Tahunan"],
    ["dinkes", "K-002", "Jumlah Bayi BBLR", "Kecamatan", "Bayi", "2025", "", "Tahunan"],
    ["DIKPORA", "", "Jumlah Siswa TK", "Laki-laki; Perempuan", "Orang", "2023-2025", "", ""],
]
EXPECTED = {"DINKES": 1 + 19, "DIKPORA": 2 * 3}


# --- the expansion (pure) ----------------------------------------------------------------------

def test_kecamatan_means_the_kabupaten_total_and_the_18_kecamatan_in_bps_order():
    values = rincian_values("KECAMATAN", WILAYAH)
    assert values[0] == "Kabupaten Magetan" and len(values) == 19
    assert values[1:] == [k.nama for k in sorted(WILAYAH.kecamatan, key=lambda k: k.kode)]


def test_empty_rincian_is_one_whole_kabupaten_row_and_semicolons_split():
    assert rincian_values("", WILAYAH) == [""]
    assert rincian_values("Laki-laki;Perempuan; ", WILAYAH) == ["Laki-laki", "Perempuan"]


def test_a_range_of_years_gives_one_row_per_year_and_bad_years_are_explained():
    assert years("2021-2025", 2025) == ([2021, 2022, 2023, 2024, 2025], None)
    assert years("", 2026) == ([2026], None)
    assert "terbalik" in years("2025-2021", 2025)[1]
    assert "tidak dikenal" in years("tahun lalu", 2025)[1]


def test_every_bad_line_is_named_with_its_line_and_column():
    lines = [(2, {"opd": "DINKES", "uraian_data": "", "tahun": "2025"}),
             (3, {"opd": "XYZ", "uraian_data": "A", "tahun": "20x5"})]
    result = expand(lines, {"opd": "OPD", "uraian_data": "uraian", "tahun": "Tahun"}, {"DINKES"}, WILAYAH, 2025)
    assert not result.rows
    assert [(p.line, p.column) for p in result.problems] == [(2, "uraian"), (3, "OPD"), (3, "Tahun")]
    assert "XYZ" in result.problems[1].message


# --- on the shared fake and on the Google fake -------------------------------------------------

@pytest.fixture(params=["fake", "google"])
def any_world(request, tmp_path):
    w = World(tmp_path) if request.param == "fake" else GoogleWorld(tmp_path)
    yield w
    w.store.engine.dispose()


def test_distribute_then_poll_puts_every_row_at_draft_with_an_id_and_again_adds_nothing(any_world, tmp_path):
    w = any_world
    path = write_csv(tmp_path / "daftar.csv", DAFTAR)
    first = distribute(path, w.config, w.backend, WILAYAH)
    assert {r.opd: (r.added, r.skipped, r.error) for r in first.results} == {
        k: (n, 0, "") for k, n in EXPECTED.items()}
    w.poll()
    for opd, n in EXPECTED.items():
        ids = w.backend.ids(opd)
        assert len(ids) == n and all(ids) and len(set(ids)) == n
        assert {w.backend.get(opd, rid, "Status") for rid in ids} == {"1 Draf"}
    assert w.backend.get("DINKES", 3, "Rincian") == "Kabupaten Magetan"
    assert w.backend.get("DINKES", 2, "Konsep") == "Kasus TB"
    assert [w.backend.get("DIKPORA", r, "Tahun") for r in range(2, 8)] == [2023, 2024, 2025] * 2
    again = distribute(path, w.config, w.backend, WILAYAH)
    assert {r.opd: (r.added, r.skipped) for r in again.results} == {k: (0, n) for k, n in EXPECTED.items()}
    w.poll()
    assert len(w.backend.ids("DINKES")) == EXPECTED["DINKES"]


def test_distribute_never_touches_an_existing_row_and_keeps_text_as_text(any_world, tmp_path):
    w = any_world
    w.poll()
    w.backend.add_row("DINKES", Kode_Data="K-001", Uraian_Data="Jumlah Kasus Tuberkulosis", Satuan="Kasus",
                      Tahun=2025, Nilai=12)
    w.poll()
    before = [w.backend.get("DINKES", 2, h) for h in ("ID", "Nilai", "Status")]
    rows = [DAFTAR[0], ["DINKES", "K-009", "=SUM(A1:A3)", "", "Unit", "2025", "", ""]]
    report = distribute(write_csv(tmp_path / "d.csv", rows), w.config, w.backend, WILAYAH)
    assert [(r.added, r.skipped) for r in report.results] == [(1, 1)]
    assert [w.backend.get("DINKES", 2, h) for h in ("ID", "Nilai", "Status")] == before
    assert w.backend.get("DINKES", 3, "Uraian Data") == "=SUM(A1:A3)"


def test_a_file_with_errors_writes_nothing_and_names_file_line_and_column(any_world, tmp_path):
    w = any_world
    w.poll()
    rows = [DAFTAR[0], ["DINSOS", "", "Jumlah PMKS", "", "Jiwa", "2025", "", ""],
            ["DIKPORA", "", "Jumlah Guru", "", "Orang", "2025-2020", "", ""]]
    with pytest.raises(DistributeError) as caught:
        distribute(write_csv(tmp_path / "salah.csv", rows), w.config, w.backend, WILAYAH)
    assert caught.value.lines == [
        "salah.csv: baris 3, kolom 'opd': Kode OPD 'DINSOS' tidak dikenal (tidak ada di [[opd]] satudata.toml).",
        "salah.csv: baris 4, kolom 'Tahun': Rentang tahun '2025-2020' terbalik; tulis tahun awal dulu, mis. 2021-2025.",
    ]
    assert w.backend.ids("DINKES") == [] and w.backend.ids("DIKPORA") == []


def test_a_missing_required_column_is_named(world, tmp_path):
    path = write_csv(tmp_path / "tanpa.csv", [["DINKES", "Kasus"]], header=["opd", "Satuan"])
    with pytest.raises(DistributeError, match="tanpa.csv: baris 1: kolom wajib 'Uraian Data' tidak ditemukan"):
        distribute(path, world.config, world.backend, WILAYAH)


def test_only_the_opds_asked_for_are_written(world, tmp_path):
    report = distribute(write_csv(tmp_path / "d.csv", DAFTAR), world.config, world.backend, WILAYAH, ("DIKPORA",))
    assert [(r.opd, r.added) for r in report.results] == [("DIKPORA", 6)]
    assert "DINKES" not in world.backend.tabs or not world.backend.tabs["DINKES"].rows


# --- on Excel workbooks, through the command line ----------------------------------------------

def excel_workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    (root / "sheets").mkdir(parents=True)
    path = root / "satudata.toml"
    path.write_text(
        '[workspace]\nname = "Uji"\nyear = 2025   # tahun data yang dikumpulkan\n\n[sheets]\nbackend = "xlsx"\n'
        'folder = "sheets"\n\n[archive]\nurl = "sqlite:///arsip.sqlite"\n\n'
        '[[opd]]\nkode = "DINKES"\nnama = "Dinas Kesehatan"\n\n[[opd]]\nkode = "DIKPORA"\nnama = "Dinas Pendidikan"\n',
        encoding="utf-8")
    return path


def cli(*args: str):
    return CliRunner().invoke(main, list(args))


def test_excel_distribute_poll_and_again_with_semicolon_csv(tmp_path):
    cfg = str(excel_workspace(tmp_path))
    daftar = write_csv(tmp_path / "daftar.csv", DAFTAR, delimiter=";")  # as Excel in id-ID saves CSV
    first = cli("-c", cfg, "distribute", str(daftar))
    assert first.exit_code == 0, first.output
    assert "DINKES             20 baris ditambahkan, 0 dilewati" in first.output
    poll = cli("-c", cfg, "poll", "--once")
    assert "DINKES             diproses       1 Draf: 20" in poll.output, poll.output
    assert "DIKPORA            diproses       1 Draf: 6" in poll.output
    again = cli("-c", cfg, "distribute", str(daftar))
    assert "DINKES             0 baris ditambahkan, 20 dilewati" in again.output, again.output


def test_excel_distribute_from_xlsx_skips_an_open_workbook_and_writes_the_others(tmp_path):
    from sheets.tables import table_workbook
    cfg = excel_workspace(tmp_path)
    daftar = tmp_path / "daftar.xlsx"
    daftar.write_bytes(table_workbook("Daftar", HEADER, DAFTAR))
    cli("-c", str(cfg), "poll", "--once")
    (cfg.parent / "sheets" / ".~lock.DINKES.xlsx#").write_text("x", encoding="utf-8")
    result = cli("-c", str(cfg), "distribute", str(daftar))
    assert result.exit_code == 1
    assert "DINKES             0 baris ditambahkan, 0 dilewati (sudah ada) | GAGAL: Berkas DINKES.xlsx sedang dibuka" \
        in result.output
    assert "DIKPORA            6 baris ditambahkan" in result.output


def test_excel_file_with_errors_writes_nothing(tmp_path):
    cfg = str(excel_workspace(tmp_path))
    cli("-c", cfg, "poll", "--once")
    before = (tmp_path / "ws" / "sheets" / "DINKES.xlsx").read_bytes()
    bad = write_csv(tmp_path / "salah.csv", [DAFTAR[0], ["DINKES", "", "", "", "", "2025", "", ""]])
    result = cli("-c", cfg, "distribute", str(bad))
    assert result.exit_code != 0
    assert "salah.csv: baris 3, kolom 'uraian': Uraian Data kosong." in result.output
    assert "Tidak ada yang ditulis" in result.output
    assert (tmp_path / "ws" / "sheets" / "DINKES.xlsx").read_bytes() == before


def test_an_unknown_opd_asked_for_is_named_and_nothing_is_written(world, tmp_path):
    with pytest.raises(DistributeError, match="--opd DINSOS: kode OPD tidak dikenal"):
        distribute(write_csv(tmp_path / "d.csv", DAFTAR), world.config, world.backend, WILAYAH, ("DINSOS",))
    assert not world.backend.tabs


def test_a_tab_with_a_broken_header_is_reported_and_the_other_opds_are_written(world, tmp_path):
    world.poll()
    world.backend.tabs["DINKES"].header[2] = "Judul"  # Uraian Data renamed by hand
    report = distribute(write_csv(tmp_path / "d.csv", DAFTAR), world.config, world.backend, WILAYAH)
    result = {r.opd: r for r in report.results}
    assert "judul kolom tab tidak lengkap (Uraian Data)" in result["DINKES"].error and result["DINKES"].added == 0
    assert result["DIKPORA"].added == 6


def test_the_first_distribute_starts_the_opds_service_clock(tmp_path):
    from sqlalchemy import create_engine, select

    from service.archive import schema

    cfg = str(excel_workspace(tmp_path))
    daftar = write_csv(tmp_path / "daftar.csv", DAFTAR, delimiter=";")
    assert cli("-c", cfg, "distribute", str(daftar)).exit_code == 0
    engine = create_engine(f"sqlite:///{Path(cfg).parent / 'arsip.sqlite'}")
    try:
        with engine.connect() as conn:
            first = dict(conn.execute(select(schema.tabs.c.opd, schema.tabs.c.handed_out_at)).all())
        assert first["DINKES"] is not None and first["DIKPORA"] is not None
        cli("-c", cfg, "distribute", str(daftar))  # adds nothing: the clock keeps its start
        with engine.connect() as conn:
            again = dict(conn.execute(select(schema.tabs.c.opd, schema.tabs.c.handed_out_at)).all())
        assert again == first
    finally:
        engine.dispose()


def test_rows_handed_out_are_credited_to_the_walidata_named_in_the_config(any_world, tmp_path):
    import dataclasses

    from service.web.history import row_history
    w = any_world
    w.config = dataclasses.replace(w.config, walidata_nama="Budi Santoso")
    distribute(write_csv(tmp_path / "daftar.csv", DAFTAR), w.config, w.backend, WILAYAH)
    w.poll()
    rid = w.backend.ids("DINKES")[0]
    [first] = [e for e in row_history(w.reads, "DINKES", rid)["peristiwa"] if e["jenis"] == "status"]
    assert first["ke"] == "1" and first["oleh"] == "Budi Santoso"
    assert "satudata distribute" in first["bagaimana"] and "[walidata] nama" in first["bagaimana"]
    assert "tidak diketahui" not in first["oleh"]
    assert "Dibagikan oleh" not in (w.backend.get("DINKES", rid, "Hasil Pemeriksaan") or "")  # the poller's now


def test_without_a_configured_name_the_hand_out_names_the_os_user_in_riwayat(tmp_path, monkeypatch):
    monkeypatch.setattr("getpass.getuser", lambda: "diskominfo")
    cfg = str(excel_workspace(tmp_path))
    assert cli("-c", cfg, "distribute", str(write_csv(tmp_path / "daftar.csv", DAFTAR))).exit_code == 0
    assert cli("-c", cfg, "poll", "--once").exit_code == 0
    shown = cli("-c", cfg, "riwayat", "DINKES", "DINKES-0001")
    assert shown.exit_code == 0, shown.output
    assert "oleh diskominfo — baris ditambahkan oleh satudata distribute" in shown.output
    assert "pengguna sistem operasi" in shown.output


BIDANG = ["opd", "Kode Data", "uraian", "Satuan", "Tahun", "Bidang"]
BIDANG_ROWS = [["DINKES", "K-001", "Jumlah Kasus Tuberkulosis", "Kasus", "2025", "Bidang P2P"],
               ["DINKES", "K-003", "Jumlah Puskesmas", "Unit", "2025", "Bidang Yankes"]]


def test_distribute_adds_the_bidang_column_a_tab_lacks_instead_of_dropping_the_values(any_world, tmp_path):
    w = any_world
    w.poll()
    assert "Bidang" not in w.backend.read(["DINKES"], {})[0].snapshot.header
    path = write_csv(tmp_path / "bidang.csv", BIDANG_ROWS, header=BIDANG)
    [result] = distribute(path, w.config, w.backend, WILAYAH).results
    assert (result.added, result.error) == (2, "")
    w.poll()
    assert [w.backend.get("DINKES", r, "Bidang") for r in (2, 3)] == ["Bidang P2P", "Bidang Yankes"]
    assert {w.backend.get("DINKES", r, "Status") for r in (2, 3)} == {"1 Draf"}


def test_distribute_adds_the_bidang_column_to_an_excel_workbook(tmp_path):
    import openpyxl

    from sheets.xlsx import XlsxBackend
    from tests.conftest import make_config
    config = make_config(tmp_path)
    backend = XlsxBackend(config.folder)
    path = write_csv(tmp_path / "bidang.csv", BIDANG_ROWS, header=BIDANG)
    [result] = distribute(path, config, backend, WILAYAH).results
    assert (result.added, result.error) == (2, "")
    sheet = openpyxl.load_workbook(backend.path("DINKES")).worksheets[0]
    header = [c.value for c in sheet[1]]
    col = header.index("Bidang") + 1
    assert [sheet.cell(r, col).value for r in (2, 3)] == ["Bidang P2P", "Bidang Yankes"]
    assert sheet.cell(2, header.index("Uraian Data") + 1).value == "Jumlah Kasus Tuberkulosis"
