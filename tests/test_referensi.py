"""`satudata referensi impor`: a newer Kemendagri code list replaces the shipped one; rows using
a desa it renamed or dropped are warned, never un-verified; new archive rows name the list."""
from __future__ import annotations

import csv
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from rules.wilayah import NATIONAL, NATIONAL_VERSI, Entry, read_list
from service.cli.commands import main
from service.cli.referensi import install_list
from service.config.wilayah import load_wilayah

NEW = "Kepmendagri 300.2.2-9999/2026"
AGREE = ("Dicek Bersama", "Disepakati OPD", "Disepakati Walidata", "Disetujui Ka. OPD")


def jatim(renamed: dict[str, str] | None = None, dropped: tuple[str, ...] = ()) -> list[Entry]:
    """Jawa Timur from the national table, with some desa renamed or dropped."""
    renamed = renamed or {}
    return [Entry(e.kode, renamed.get(e.kode, e.nama), e.level) for e in read_list(NATIONAL)
            if e.kode.startswith("35") and e.kode not in dropped]


def verify(world, rincian: str, nilai: str) -> str:
    world.backend.add_row("DINKES", Kode_Data="K-1", Uraian_Data="Jumlah Posyandu", Rincian=rincian,
                          Satuan="Unit", Tahun=2025)
    world.poll()
    rid = world.backend.ids("DINKES")[-1]
    for header in AGREE:
        world.backend.set("DINKES", rid, header, "YA")
    world.poll()
    world.backend.set("DINKES", rid, "Nilai", nilai)
    world.backend.set("DINKES", rid, "Selesai Diisi", "YA")
    world.poll()
    world.backend.set("DINKES", rid, "Terverifikasi", "YA")
    world.poll()
    world.poll()
    return rid


def test_a_renamed_desa_warns_the_verified_row_and_new_archive_rows_name_the_new_list(db_world):
    w = db_world
    w.poll()
    gonggang = verify(w, "Desa Gonggang", "7")
    assert w.row("DINKES", gonggang).state == "10"
    [before] = [r for r in w.reads.archive_rows() if r["id"] == gonggang]
    assert before["kode_wilayah"] == "35.20.01.2002" and before["kode_wilayah_versi"] == NATIONAL_VERSI

    changes = install_list(w.config, jatim({"35.20.01.2002": "Gonggang Asri"}), NEW,
                           datetime(2026, 1, 5, tzinfo=timezone.utc))
    assert [(o.nama, n.nama) for o, n in changes.renamed] == [("Gonggang", "Gonggang Asri")]
    w.wilayah = load_wilayah(w.config)
    assert w.wilayah.versi == NEW
    w.poll()
    row = w.row("DINKES", gonggang)
    assert row.state == "10"  # verified stays verified
    warnings = [x for x in row.findings if x["kode"] == "wilayah_berubah"]
    assert len(warnings) == 1 and warnings[0]["level"] == "peringatan"
    assert "berganti nama menjadi Gonggang Asri" in warnings[0]["pesan"] and NEW in warnings[0]["pesan"]
    assert not [x for x in row.findings if x["level"] == "galat"]
    assert w.backend.get("DINKES", gonggang, "Status").startswith("10")
    assert "berganti nama" in (w.backend.note("DINKES", gonggang, "Rincian") or "")  # the note on the exact cell

    janggan = verify(w, "Desa Janggan", "4")
    [after] = [r for r in w.reads.archive_rows() if r["id"] == janggan]
    assert after["kode_wilayah"] == "35.20.01.2003" and after["kode_wilayah_versi"] == NEW
    [kept] = [r for r in w.reads.archive_rows() if r["id"] == gonggang]
    assert kept["kode_wilayah_versi"] == NATIONAL_VERSI  # what was archived is never rewritten


def test_a_dropped_desa_warns_and_keeps_its_code(world):
    world.poll()
    rid = verify(world, "Desa Gonggang", "7")
    install_list(world.config, jatim(dropped=("35.20.01.2002",)), NEW, datetime(2026, 1, 5, tzinfo=timezone.utc))
    world.wilayah = load_wilayah(world.config)
    world.poll()
    row = world.row("DINKES", rid)
    assert row.state == "10"
    assert any(x["kode"] == "wilayah_berubah" and "tidak ada lagi" in x["pesan"] for x in row.findings)


def _csv(path: Path, rows: list[list[str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    result = CliRunner().invoke(main, ["init", str(tmp_path / "ws")])
    assert result.exit_code == 0, result.output
    return tmp_path / "ws" / "satudata.toml"


def test_cli_imports_a_list_and_names_its_changes(workspace, tmp_path):
    rows = [["kode", "nama", "level"]] + [[e.kode, e.nama, e.level] for e in jatim({"35.20.01.2002": "Gonggang Asri"})]
    path = _csv(tmp_path / "baru.csv", rows)
    result = CliRunner().invoke(main, ["-c", str(workspace), "referensi", "impor", str(path), "--sumber", NEW])
    assert result.exit_code == 0, result.output
    assert NEW in result.output and "1 wilayah berganti nama: 35.20.01.2002 Gonggang -> Gonggang Asri" in result.output
    assert "tetap terverifikasi" in result.output
    assert (workspace.parent / "referensi" / "wilayah.csv.gz").exists()


def test_cli_refuses_a_bad_list_naming_each_line_and_writes_nothing(workspace, tmp_path):
    path = _csv(tmp_path / "rusak.csv", [["kode", "nama", "level"], ["35.20", "Kabupaten Magetan", "kabupaten"],
                                         ["35.2x.01", "Poncol", "kecamatan"], ["35.20.01.2001", "", "desa"],
                                         ["35.20.01", "Poncol", "desa"]])
    result = CliRunner().invoke(main, ["-c", str(workspace), "referensi", "impor", str(path)])
    assert result.exit_code != 0
    for text in ("Baris 3: kode '35.2x.01' bukan kode Kemendagri", "Baris 4: nama wilayah 35.20.01.2001 kosong",
                 "Baris 5: kode 35.20.01 adalah kecamatan, bukan desa", "Tidak ada yang dimuat: 3 masalah"):
        assert text in result.output, text
    assert not (workspace.parent / "referensi" / "wilayah.csv.gz").exists()
    other = _csv(tmp_path / "lain.csv", [["Kode Wilayah", "Nama Wilayah"], ["3374", "Kota Semarang"]])
    result = CliRunner().invoke(main, ["-c", str(workspace), "referensi", "impor", str(other)])
    assert result.exit_code != 0 and "tidak memuat kabupaten/kota ruang kerja ini (35.20)" in result.output
