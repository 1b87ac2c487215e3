"""Archive identity is the datum (DECISIONS.md #4): next year's value of a row is a new datum,
never a version of last year's; the Rincian's Kemendagri code and the Standar Data are archived."""
from __future__ import annotations

import json
from dataclasses import replace

from rules.datum import datum_of, kode_wilayah
from service.archive.export import KEYS, render
from tests.conftest import WILAYAH

OPD = "DINKES"
STANDAR = dict(Konsep="Puskesmas adalah fasilitas kesehatan tingkat pertama",
               Definisi="Jumlah puskesmas yang beroperasi", Klasifikasi="Rawat inap; non rawat inap",
               Ukuran="Jumlah", Frekuensi="Tahunan")


def _verified_rows(world, tahun: int, values: dict[str, str]) -> list[str]:
    """Rows for each Rincian, driven to 10 Diarsip with the given values."""
    world.poll()
    b = world.backend
    for rincian in values:
        b.add_row(OPD, Kode_Data="DINKES-PKM", Uraian_Data="Jumlah Puskesmas", Satuan="Unit", Rincian=rincian,
                  **STANDAR)
    world.poll()
    ids = [i for i in b.ids(OPD) if i]
    for rid in ids:
        for header in ("Dicek Bersama", "Disepakati OPD", "Disepakati Walidata", "Disetujui Ka. OPD"):
            b.set(OPD, rid, header, "YA")
    world.poll()
    _fill_and_verify(world, ids, tahun, list(values.values()))
    return ids


def _fill_and_verify(world, ids, tahun, nilai):
    """Next year's values (the workspace year follows, as after ``satudata rollover``)."""
    world.config = replace(world.config, year=max(world.config.year, tahun))
    b = world.backend
    for rid, value in zip(ids, nilai):  # one row a cycle: all at once would trip the mass-change guard
        b.set(OPD, rid, "Tahun", tahun)
        b.set(OPD, rid, "Nilai", value)
        b.set(OPD, rid, "Selesai Diisi", "YA")
        world.poll()
    for rid in ids:
        b.set(OPD, rid, "Terverifikasi", "YA")
    world.poll()
    assert [b.get(OPD, rid, "Status") for rid in ids] == ["10 Diarsip"] * len(ids)


def test_next_years_values_of_the_same_rows_are_new_data_and_the_default_export_keeps_both(world):
    ids = _verified_rows(world, 2025, {"Total kabupaten": "62", "Kec. Maospati": "3"})
    _fill_and_verify(world, ids, 2026, ["63", "4"])
    exported = json.loads(render(world.reads.archive_rows(), "json"))
    assert [(r["id"], r["tahun"], r["nilai"], r["versi"]) for r in exported] == [
        (ids[0], 2025, 62.0, 1), (ids[0], 2026, 63.0, 1), (ids[1], 2025, 3.0, 1), (ids[1], 2026, 4.0, 1)]
    assert [r["kode_wilayah"] for r in exported] == ["", "", "35.20.11", "35.20.11"]
    assert all(r["konsep"] == STANDAR["Konsep"] and r["frekuensi"] == "Tahunan" for r in exported)
    assert list(exported[0]) == list(KEYS)
    assert world.reads.archive_count() == 4 and world.reads.archive_page(0, 10) == list(world.reads.archive_rows())


def test_a_value_corrected_within_its_year_is_the_next_version_of_that_datum_only(world):
    ids = _verified_rows(world, 2025, {"Kec. Maospati": "3"})
    _fill_and_verify(world, ids, 2026, ["4"])
    _fill_and_verify(world, ids, 2026, ["5"])
    versions = [(r["tahun"], r["versi"], r["nilai"]) for r in world.reads.archive_rows(all_versions=True)]
    assert versions == [(2025, 1, 3.0), (2026, 1, 4.0), (2026, 2, 5.0)]
    assert [(r["tahun"], r["versi"]) for r in world.reads.archive_rows()] == [(2025, 1), (2026, 2)]
    assert "versi 2" in world.reads.events(limit=1, opd=OPD)[0]["reason"]


def test_returning_to_an_archived_year_and_value_archives_nothing_new(world):
    ids = _verified_rows(world, 2025, {"Kec. Maospati": "3"})
    _fill_and_verify(world, ids, 2026, ["4"])
    _fill_and_verify(world, ids, 2025, ["3"])  # the 2025 datum already holds this content
    assert len(list(world.reads.archive_rows(all_versions=True))) == 2
    assert "Sudah tersimpan di arsip (versi 1)" in world.reads.events(limit=1, opd=OPD)[0]["reason"]


def test_a_place_written_three_ways_is_one_datum():
    ways = [datum_of({"uraian_data": "Jumlah Puskesmas", "rincian": r, "tahun": "2025"}, WILAYAH)
            for r in ("Kec. Maospati", "35.20.11", "maospati")]
    assert len({d.key for d in ways}) == 1 and ways[0].rincian == "35.20.11"
    other_year = datum_of({"uraian_data": "Jumlah Puskesmas", "rincian": "Maospati", "tahun": "2026"}, WILAYAH)
    assert other_year.key != ways[0].key


def test_item_key_prefers_kode_data_and_rincian_falls_back_to_its_text():
    by_kode = datum_of({"kode_data": "X-1", "uraian_data": "Apa saja", "rincian": "Laki-laki", "tahun": "2025"},
                       WILAYAH)
    renamed = datum_of({"kode_data": "x-1", "uraian_data": "Nama lain", "rincian": "laki laki", "tahun": "2025"},
                       WILAYAH)
    assert by_kode.key == renamed.key and by_kode.rincian == "laki laki"


def test_kode_wilayah_only_for_a_named_place():
    assert kode_wilayah("Kec. Maospati", WILAYAH) == "35.20.11"
    assert kode_wilayah("", WILAYAH) == "" and kode_wilayah("Total kabupaten", WILAYAH) == ""
    assert kode_wilayah("Perempuan", WILAYAH) == ""


def test_export_json_from_the_cli_holds_both_years_each_versi_1(world, tmp_path):
    from click.testing import CliRunner

    from service.cli.commands import main

    ids = _verified_rows(world, 2025, {"Kec. Maospati": "3"})
    _fill_and_verify(world, ids, 2026, ["4"])
    cfg = tmp_path / "satudata.toml"
    cfg.write_text(f'[workspace]\nyear = 2026\n[sheets]\n[archive]\nurl = "{world.config.archive_url}"\n',
                   encoding="utf-8")
    out = tmp_path / "arsip.json"
    result = CliRunner().invoke(main, ["-c", str(cfg), "export", "--format", "json", "-o", str(out)])
    assert result.exit_code == 0, result.output
    records = json.loads(out.read_text(encoding="utf-8"))
    assert [(r["tahun"], r["versi"], r["kode_wilayah"], r["ukuran"]) for r in records] == [
        (2025, 1, "35.20.11", "Jumlah"), (2026, 1, "35.20.11", "Jumlah")]
