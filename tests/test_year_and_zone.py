"""Each year has its own clock, and one time zone (DECISIONS.md #40, #41, #43): extensions name their year,
rollover pins the ones that did not, every time is shown in [workspace] zona_waktu with its zone,
and the published long CSV agrees with `export`."""
from __future__ import annotations

import csv
import io
import json
import os
from datetime import datetime, timezone

import pytest
from click.testing import CliRunner

from rules.deadlines import Extension, extensions_of
from service.cli.commands import main
from service.cli.rollover import set_workspace_year
from service.config import ConfigError, load_config
from service.publish.build import build, write
from service.timefmt import format_tanggal, use_zone
from tests.conftest import WILAYAH
from sheets.tables import neutralise
from tests.publish_world import PublishedWorld

WORKSPACE = """[workspace]
year = 2025
{zone}
[sheets]
backend = "xlsx"
[[opd]]
kode = "DINKES"
nama = "Dinas Kesehatan"
{opd}
"""


def _config(tmp_path, zone="", opd=""):
    path = tmp_path / "satudata.toml"
    path.write_text(WORKSPACE.format(zone=zone, opd=opd), encoding="utf-8")
    return load_config(path)


def test_an_extension_names_its_year_and_who_granted_it_and_extends_that_year_only(tmp_path):
    config = _config(tmp_path, opd='perpanjangan = [{hari = 5, alasan = "Banjir", tahun = 2025, oleh = "Kadis Kominfo"}, '
                                   '{hari = 3, alasan = "Aplikasi rusak"}]')
    granted, unnamed = config.opds[0].perpanjangan
    assert granted == Extension(5, "Banjir", None, 2025, "Kadis Kominfo") and unnamed.tahun is None
    assert extensions_of(config.opds[0].perpanjangan, 2025, 2025) == (granted, unnamed)  # an old entry: the open year
    assert extensions_of(config.opds[0].perpanjangan, 2026, 2026) == (unnamed,)  # before rollover pins it
    assert extensions_of(config.opds[0].perpanjangan, 2026, 2025) == ()


def test_rollover_writes_the_closed_year_into_extensions_that_name_none_so_the_new_year_starts_without_them(tmp_path):
    config = _config(tmp_path, opd='perpanjangan = [\n  {hari = 3, alasan = "Aplikasi rusak"},  # kantor\n'
                                   '  {hari = 2, alasan = "Banjir", tahun = 2024},\n]')
    set_workspace_year(config.path, 2026, 2025)
    text = config.path.read_text(encoding="utf-8")
    assert "# kantor" in text and "year = 2026" in text
    again = load_config(config.path)
    assert [(e.hari, e.tahun) for e in again.opds[0].perpanjangan] == [(3, 2025), (2, 2024)]
    assert extensions_of(again.opds[0].perpanjangan, 2026, 2026) == ()


@pytest.mark.parametrize("raw, message", [
    ('{hari = 3, alasan = "x", tahun = 25}', "perpanjangan ke-1.tahun harus tahun ruang kerja"),
    ('{hari = 3, alasan = "x", tahun = "2025"}', "perpanjangan ke-1.tahun harus berupa bilangan bulat"),
    ('{hari = 3, alasan = "x", oleh = 5}', "perpanjangan ke-1.oleh harus berupa teks"),
    ('{hari = 3, alasan = "x", pemberi = "Budi"}', "Kunci yang dikenal: alasan, hari, langkah, oleh, tahun"),
])
def test_a_bad_extension_year_or_grantor_is_named_in_indonesian(tmp_path, raw, message):
    with pytest.raises(ConfigError, match=message.replace(".", r"\.")):
        _config(tmp_path, opd=f"perpanjangan = [{raw}]")


def test_status_names_who_granted_an_extension(tmp_path):
    from service.cli.standard import standard_lines
    opd = {"standar_pelayanan": {"hari_kerja_berjalan": None}, "langkah": [],
           "perpanjangan": [{"hari": 5, "alasan": "Banjir", "langkah": None, "tahun": 2025, "oleh": "Kadis Kominfo"}]}
    assert standard_lines(opd) == ["perpanjangan 5 hari kerja: Banjir (diberikan oleh Kadis Kominfo)"]


def test_times_are_shown_in_the_configured_zone_with_its_name(tmp_path):
    moment = datetime(2025, 3, 3, 19, 5, tzinfo=timezone.utc)  # 02.05 WIB
    try:
        assert _config(tmp_path).zona_waktu == "Asia/Jakarta"
        use_zone(_config(tmp_path, zone='zona_waktu = "Asia/Makassar"').zona_waktu)
        assert format_tanggal(moment, with_time=True) == "4 Maret 2025 03.05 WITA"
        use_zone("Asia/Jakarta")
        assert format_tanggal(moment, with_time=True) == "4 Maret 2025 02.05 WIB"
    finally:
        use_zone("Asia/Jakarta")


def test_an_unknown_time_zone_is_named_with_examples(tmp_path):
    with pytest.raises(ConfigError, match="workspace.zona_waktu 'WIB' bukan nama zona waktu yang dikenal.*Asia/Jakarta"):
        _config(tmp_path, zone='zona_waktu = "WIB"')


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    world = PublishedWorld(tmp_path_factory.mktemp("zona"))
    yield world
    world.store.engine.dispose()


def test_the_long_csv_and_export_write_the_same_verification_time_in_wib_with_its_offset(published):
    from service.archive.export import render
    from service.archive.queries import Queries

    publication = build(published.config, published.store, published.rules, WILAYAH)
    body = publication.files["data/dinkes-demo-dinkes-007.panjang.csv"].decode("utf-8")
    long = {(r["rincian"], r["tahun"]): r["diverifikasi_pada"] for r in csv.DictReader(io.StringIO(body))}
    exported = json.loads(render(Queries(published.store.engine).archive_rows(), "json"))
    assert all(t.endswith("+07:00") for t in long.values())
    shown = {r["diverifikasi_pada"] for r in exported if r["kode_data"] == "DEMO-DINKES-007"}
    assert set(long.values()) <= shown


def test_published_files_are_readable_by_a_web_server_of_another_user(published, tmp_path):
    publication = build(published.config, published.store, published.rules, WILAYAH)
    old = os.umask(0o022)
    try:
        write(publication, tmp_path / "pub")
    finally:
        os.umask(old)
    modes = {oct(p.stat().st_mode & 0o777) for p in (tmp_path / "pub").rglob("*") if p.is_file()}
    assert modes == {"0o644"}


@pytest.mark.parametrize("text, written", [
    ("-", "-"), (" - ", " - "), ("-abc", "'-abc"), ("- 1+1", "'- 1+1"),
    ("=1+1", "'=1+1"), ("+62 812", "'+62 812"), ("@SUM(A1)", "'@SUM(A1)"), ("Data", "Data"),
])
def test_only_formula_like_text_is_neutralised_and_a_lone_dash_is_written_as_it_is(text, written):
    assert neutralise(text) == written


def test_status_for_an_unknown_year_names_the_years_there_are(tmp_path):
    from tests.test_distribute import excel_workspace
    cfg = excel_workspace(tmp_path)
    out = CliRunner().invoke(main, ["-c", str(cfg), "status", "--tahun", "2024"])
    assert out.exit_code != 0 and "Tahun 2024 tidak dikenal di arsip ini; tahun yang ada: 2025" in out.output
