"""`satudata publish`: wide tables, portal JSON, the Data Package and the DCAT catalogue (DECISIONS.md #19)."""
from __future__ import annotations

import csv
import dataclasses
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from service.cli.commands import main
from service.config import ConfigError, load_config
from service.poller.service import Service
from service.archive.queries import Queries
from service.publish import dcat
from service.publish.build import build, refresh, write
from service.publish.settings import load_settings
from tests.conftest import WILAYAH
from tests.publish_world import PublishedWorld, catalogue_graph, package_resources, write_toml

PUSKESMAS = "dinkes-demo-dinkes-007"
BALITA = "dinkes-persentase-balita-ditimbang"


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    world = PublishedWorld(tmp_path_factory.mktemp("publikasi"))
    yield world
    world.store.engine.dispose()


@pytest.fixture(scope="module")
def publication(published):
    return build(published.config, published.store, published.rules, WILAYAH)


def wide(publication, slug: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(publication.files[f"data/{slug}.csv"].decode("utf-8"))))


def test_only_verified_archived_items_are_published_one_per_item(publication):
    assert [i.slug for i in publication.items] == [PUSKESMAS, BALITA]  # DIKPORA agreed but not verified


def test_wide_table_puts_kabupaten_first_then_kecamatan_in_bps_order_with_years_as_columns(publication):
    rows = wide(publication, PUSKESMAS)
    assert rows[0] == ["rincian", "kode_wilayah", "2024", "2025"]
    # Plaosan is BPS 070, Magetan 060, Poncol 010; typed as a name, "Kec. …" and a Kemendagri code
    assert rows[1:] == [["Kabupaten Magetan", "35.20", "22", "23"], ["Poncol", "35.20.01", "1", "1"],
                        ["Magetan", "35.20.06", "3", "4"], ["Plaosan", "35.20.07", "2", "2"]]


def test_csv_uses_a_decimal_point_and_no_thousands_separator(publication):
    assert wide(publication, BALITA)[1] == ["Kabupaten Magetan", "35.20", "81.5"]


def test_xlsx_holds_numbers_as_numbers_with_a_thousands_and_decimal_format(publication):
    sheet = load_workbook(io.BytesIO(publication.files[f"data/{BALITA}.xlsx"])).active
    header = [c.value for c in sheet[3]]
    assert header == ["Rincian", "Kode wilayah", 2025]
    value = sheet.cell(row=4, column=3)
    assert value.value == 81.5 and value.number_format == "#,##0.0"
    whole = load_workbook(io.BytesIO(publication.files[f"data/{PUSKESMAS}.xlsx"])).active.cell(row=4, column=4)
    assert whole.value == 23 and whole.number_format == "#,##0"


def test_portal_json_has_the_metadata_and_one_series_per_rincian(publication):
    body = json.loads(publication.files[f"data/{PUSKESMAS}.json"])
    assert body["metadata"] == {"konsep": "Puskesmas", "definisi": "Banyaknya puskesmas yang beroperasi di wilayah",
                                "klasifikasi": "Kecamatan", "ukuran": "Jumlah", "satuan": "Unit",
                                "periode": "Tahunan"}
    assert body["opd"] == {"kode": "DINKES", "nama": "Dinas Kesehatan"}
    assert [s["nama"] for s in body["series"]] == ["Kabupaten Magetan", "Poncol", "Magetan", "Plaosan"]
    assert body["series"][0]["data"] == [{"tahun": 2024, "nilai": 22.0}, {"tahun": 2025, "nilai": 23.0}]


def test_same_archive_gives_byte_identical_files_in_any_process(published, tmp_path):
    config_path = write_toml(published)
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"out{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-c", "from service.cli import main; main()", "-c", str(config_path), "publish", "-o", str(out)],
                       check=True, env=env, capture_output=True)
        outputs.append({p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    assert outputs[0] == outputs[1]
    assert {"datapackage.json", "katalog.ttl", "katalog.jsonld", f"data/{PUSKESMAS}.xlsx"} <= set(outputs[0])


def test_a_second_publish_of_the_same_archive_writes_nothing(published, publication, tmp_path):
    write(publication, tmp_path)
    again = build(published.config, published.store, published.rules, WILAYAH)
    assert write(again, tmp_path) == (0, len(again.files))


def test_datapackage_is_valid_for_frictionless(publication, tmp_path):
    from frictionless import Package
    write(publication, tmp_path)
    report = Package(str(tmp_path / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert report.stats["tasks"] == 2


def test_datapackage_schema_takes_its_constraints_from_the_rule_files(publication):
    fields = {r["name"]: {f["name"]: f for f in r["schema"]["fields"]} for r in package_resources(publication.files)}
    assert fields[BALITA]["nilai"]["constraints"] == {"required": True, "minimum": 0, "maximum": 100}  # per_item.yaml
    assert fields[PUSKESMAS]["nilai"]["constraints"] == {"required": True, "minimum": 0}  # Unit: a count
    assert fields[PUSKESMAS]["tahun"]["constraints"] == {"required": True, "minimum": 2015, "maximum": 2025}
    assert list(fields[PUSKESMAS]) == ["opd", "kode_data", "uraian_data", "rincian", "kode_wilayah", "satuan",
                                       "tahun", "nilai", "versi", "diverifikasi_pada", "status_nilai", "keterangan"]


def test_datapackage_carries_standar_data_opd_licence_and_contributors(publication):
    resource = next(r for r in package_resources(publication.files) if r["name"] == PUSKESMAS)
    assert resource["opd"] == {"kode": "DINKES", "nama": "Dinas Kesehatan"}
    assert resource["standar_data"]["klasifikasi"] == "Kecamatan"
    for name in ("datapackage.json", "data/dinkes.datapackage.json"):
        package = json.loads(publication.files[name])
        assert package["licenses"][0]["name"] == "CC-BY-4.0"
        assert {c["role"] for c in package["contributors"]} == {"publisher", "author"}
    assert [r["path"] for r in json.loads(publication.files["datapackage.json"])["resources"]] == \
        ["data/dinkes.datapackage.json"]  # one package per OPD with published items


def test_long_form_counts_versions_per_datum_and_keeps_every_year(publication):
    lines = list(csv.DictReader(io.StringIO(publication.files[f"data/{PUSKESMAS}.panjang.csv"].decode())))
    assert len(lines) == 8
    assert {(x["rincian"], x["tahun"]) for x in lines} >= {("Plaosan", "2024"), ("Plaosan", "2025")}
    assert {x["versi"] for x in lines} == {"1"}


def test_catalogue_parses_and_every_dataset_has_all_its_distributions(publication):
    for suffix in (".ttl", ".jsonld"):
        graph = catalogue_graph(publication.files, suffix)
        catalogs = list(graph.subjects(RDF.type, DCAT.Catalog))
        datasets = set(graph.subjects(RDF.type, DCAT.Dataset))
        assert len(catalogs) == 1 and set(graph.objects(catalogs[0], DCAT.dataset)) == datasets
        assert len(datasets) == len(publication.items)
        for dataset in datasets:
            distributions = list(graph.objects(dataset, DCAT.distribution))
            assert len(distributions) == 4
            for dist in distributions:
                assert graph.value(dist, DCAT.downloadURL) and graph.value(dist, DCAT.mediaType)
                assert graph.value(dist, DCTERMS["format"])
            assert graph.value(dataset, DCTERMS.publisher) is not None
            assert graph.value(dataset, DCTERMS.accrualPeriodicity) == URIRef(
                "http://publications.europa.eu/resource/authority/frequency/ANNUAL")


def test_catalogue_jsonld_nodes_are_sorted_by_id_with_sorted_values(publication):
    root, page = json.loads(publication.files["katalog.jsonld"]), json.loads(publication.files["katalog/dinkes.jsonld"])
    assert len(root) == 3 and len(page) == 3 + 6 * 2  # (catalogue, publisher or OPD, page) + 6 nodes per item
    for nodes in (root, page):
        assert [n["@id"] for n in nodes] == sorted(n["@id"] for n in nodes)
        for node in nodes:
            for values in (v for v in node.values() if isinstance(v, list)):
                assert values == sorted(values, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))


def test_catalogue_temporal_covers_the_years_present(publication):
    graph = Graph().parse(data=publication.files["katalog/dinkes.ttl"].decode("utf-8"), format="turtle")
    dataset = URIRef(f"http://127.0.0.1:8050/data/{PUSKESMAS}")
    period = graph.value(dataset, DCTERMS.temporal)
    assert str(graph.value(period, DCAT.startDate)) == "2024-01-01"
    assert str(graph.value(period, DCAT.endDate)) == "2025-12-31"
    assert str(graph.value(dataset, DCTERMS.description)) == "Banyaknya puskesmas yang beroperasi di wilayah"


def test_a_reverified_value_publishes_its_newest_version(tmp_path):
    world = PublishedWorld(tmp_path)
    rid = world.ids[1]  # Kabupaten Magetan 2025
    world.backend.set("DINKES", rid, "Nilai", "24")
    world.poll()
    world.backend.set("DINKES", rid, "Terverifikasi", "YA")
    world.poll()
    world.poll()
    rows = wide(build(world.config, world.store, world.rules, WILAYAH), PUSKESMAS)
    assert rows[1] == ["Kabupaten Magetan", "35.20", "22", "24"]
    world.store.engine.dispose()


def test_cli_publish_writes_the_files_and_says_how_many(published, tmp_path):
    config_path = write_toml(published)
    result = CliRunner().invoke(main, ["-c", str(config_path), "publish", "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "2 item data diterbitkan" in result.output
    assert (tmp_path / "out" / "data" / f"{PUSKESMAS}.csv").is_file()


def test_a_poll_that_archives_publishes_into_the_workspace_unless_turned_off(tmp_path):
    world = PublishedWorld(tmp_path)
    service = Service(world.config, world.backend, world.store, world.rules, WILAYAH, clock=lambda: world.now)
    folder = load_settings(world.config).folder
    assert not folder.exists()  # the world polls without the hook
    world.backend.set("DINKES", world.ids[0], "Nilai", "21")
    service.poll()
    assert (folder / "datapackage.json").is_file()  # the first cycle with the hook catches up with the archive
    world.backend.set("DINKES", world.ids[0], "Terverifikasi", "YA")
    service.poll()
    assert (folder / "datapackage.json").is_file()
    assert wide(build(world.config, world.store, world.rules, WILAYAH), PUSKESMAS)[1][2] == "21"

    service.release()
    quiet = dataclasses.replace(world.config, publikasi={"otomatis": False, "folder": "lain"})
    service = Service(quiet, world.backend, world.store, world.rules, WILAYAH, clock=lambda: world.now)
    world.backend.set("DINKES", world.ids[0], "Nilai", "20")
    service.poll()
    world.backend.set("DINKES", world.ids[0], "Terverifikasi", "YA")
    service.poll()
    service.poll()
    assert not (tmp_path / "lain").exists()
    assert world.row("DINKES", world.ids[0]).archived_version == 3  # it did archive
    service.release()
    world.store.engine.dispose()


def test_publikasi_settings_are_checked_in_indonesian(published):
    bad = dataclasses.replace(published.config, publikasi={"terbuka": "ya"})
    with pytest.raises(ConfigError, match="publikasi.terbuka harus true atau false"):
        load_settings(bad)
    with pytest.raises(ConfigError, match="lisensi 'MIT' tidak dikenal"):
        load_settings(dataclasses.replace(published.config, publikasi={"lisensi": "MIT"}))


def test_a_misspelt_publikasi_key_is_named(published):
    path = write_toml(published, 'otomatiss = false')
    with pytest.raises(ConfigError, match="Kunci 'otomatiss' di publikasi tidak dikenal"):
        load_config(path)
    assert Path(path).is_file()


class ArchiveAfterDatum:
    """The two reads latest_data makes, as the archive answers them once records carry
    kode_wilayah and Standar Data themselves (the datum branch)."""

    def __init__(self, records: list[dict], remembered: dict) -> None:
        self.records, self.remembered = records, remembered

    def archive_rows(self, all_versions: bool = False, opd: str | None = None):
        return iter(self.records)

    def tab_rows(self, opd: str | None = None):
        return [{"opd": "DINKES", "row_id": "DINKES-0001", "data": self.remembered}]


def _record(**changes) -> dict:
    base = {"opd": "DINKES", "id": "DINKES-0001", "kode_data": "K1", "uraian_data": "Jumlah Puskesmas",
            "rincian": "Kec. Plaosan", "satuan": "Unit", "tahun": 2025, "nilai": 2.0, "keterangan": "",
            "versi": 1, "diverifikasi_pada": "2025-03-03T02:00:00+00:00",
            "diarsip_pada": "2025-03-03T02:00:00+00:00"}
    return {**base, **changes}


def test_standar_data_comes_from_the_record_when_it_has_it_else_from_the_remembered_row():
    from service.publish.source import latest_data
    remembered = {"konsep": "Dari baris", "frekuensi": "Tahunan"}
    [datum] = latest_data(ArchiveAfterDatum([_record()], remembered), WILAYAH)
    assert datum.standar_data()["konsep"] == "Dari baris" and datum.kode_wilayah == "35.20.07"
    [datum] = latest_data(ArchiveAfterDatum([_record(konsep="Dari arsip", kode_wilayah="35.20.07")], remembered),
                          WILAYAH)
    assert datum.standar_data()["konsep"] == "Dari arsip" and datum.standar_data()["frekuensi"] == "Tahunan"


def test_versions_of_one_row_that_span_years_are_separate_data():
    from service.publish.source import latest_data
    records = [_record(tahun=2024, nilai=1.0), _record(versi=2, tahun=2025, nilai=2.0,
                                                        diarsip_pada="2025-03-04T02:00:00+00:00"),
               _record(versi=3, tahun=2025, rincian="Plaosan", nilai=3.0, diarsip_pada="2025-03-05T02:00:00+00:00")]
    data = latest_data(ArchiveAfterDatum(records, {}), WILAYAH)
    assert [(d.tahun, d.nilai, d.versi) for d in data] == [(2024, 1.0, 1), (2025, 3.0, 2)]


def test_files_of_items_no_longer_published_are_removed_and_nothing_else(publication, tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "datapackage.json").write_text(json.dumps({"resources": [{"name": "lama"}]}))
    (tmp_path / "data" / "lama.csv").write_text("x")
    (tmp_path / "data" / "lama-panjang.csv").write_text("x")
    (tmp_path / "data" / "lama.panjang.csv").write_text("x")
    (tmp_path / "data" / "catatan.csv").write_text("milik Walidata")
    write(publication, tmp_path)
    assert not (tmp_path / "data" / "lama.csv").exists() and not (tmp_path / "data" / "lama-panjang.csv").exists()
    assert not (tmp_path / "data" / "lama.panjang.csv").exists()
    assert (tmp_path / "data" / "catatan.csv").read_text() == "milik Walidata"


def test_an_empty_archive_publishes_an_empty_catalogue_and_no_package(world, tmp_path):
    config_path = write_toml(world)
    result = CliRunner().invoke(main, ["-c", str(config_path), "publish", "-o", str(tmp_path / "out")])
    assert result.exit_code == 0 and "datapackage.json belum dibuat" in result.output
    assert not (tmp_path / "out" / "datapackage.json").exists()
    graph = Graph().parse(tmp_path / "out" / "katalog.ttl", format="turtle")
    assert len(list(graph.subjects(RDF.type, DCAT.Catalog))) == 1


def _verify_dikpora(world) -> None:
    world.fill_and_verify("DIKPORA", "12")
    world.poll()


def test_a_refresh_rebuilds_only_the_opds_that_archived_and_writes_what_a_full_build_would(tmp_path):
    world = PublishedWorld(tmp_path)
    settings = load_settings(world.config)
    write(build(world.config, world.store, world.rules, WILAYAH, settings), settings.folder)
    assert refresh(world.config, world.store, world.rules, WILAYAH, settings) is None  # nothing archived since
    moved = tmp_path / "dipindah"
    settings.folder.rename(moved)  # a workspace copied or moved elsewhere keeps its index
    assert refresh(world.config, world.store, world.rules, WILAYAH, dataclasses.replace(settings, folder=moved)) is None
    moved.rename(settings.folder)
    _verify_dikpora(world)
    again = refresh(world.config, world.store, world.rules, WILAYAH, settings)
    assert [i.opd for i in again.items] == ["DIKPORA"]
    assert f"data/{PUSKESMAS}.xlsx" in again.kept and f"data/{PUSKESMAS}.xlsx" not in again.files
    write(again, settings.folder)
    full = build(world.config, world.store, world.rules, WILAYAH, settings)
    assert len(full.items) == 3
    assert {name: (settings.folder / name).read_bytes() for name in full.files} == full.files
    world.store.engine.dispose()


def test_a_failed_publication_is_the_cycles_reported_error_and_is_caught_up_next_cycle(tmp_path):
    world = PublishedWorld(tmp_path)
    service = Service(world.config, world.backend, world.store, world.rules, WILAYAH, clock=lambda: world.now)
    folder = load_settings(world.config).folder
    folder.write_text("bukan folder")  # the publication cannot be written
    report = service.poll()
    assert [e for e in report.errors if e.startswith("Publikasi otomatis gagal")] == report.errors != []
    assert world.row("DINKES", world.ids[0]).archived_version == 1  # the cycle itself stands
    folder.unlink()
    assert service.poll().errors == []
    assert (folder / "datapackage.json").is_file() and (folder / "data" / f"{PUSKESMAS}.csv").is_file()
    service.release()
    world.store.engine.dispose()


def test_catalogue_literals_with_quotes_and_line_breaks_parse_back_unchanged(published):
    settings = load_settings(published.config)
    item = dataclasses.replace(build(published.config, published.store, published.rules, WILAYAH).items[0],
                               uraian_data='Jumlah "puskesmas"\nbaris \\ dua <a>')
    pages = dcat.catalogue([(dcat.fragment(item, settings), item.opd, item.opd_nama, item.modified)],
                           settings, 'Uji "kutip"')
    for suffix in (".ttl", ".jsonld"):
        graph = catalogue_graph(pages, suffix)
        node = URIRef(f"{settings.url_dasar}data/{item.slug}")
        assert str(graph.value(node, DCTERMS.title)) == 'Jumlah "puskesmas"\nbaris \\ dua <a>'


def test_datapackage_joined_from_kept_resources_is_the_same_bytes_as_the_whole(published, publication):
    from service.publish import datapackage
    settings = load_settings(published.config)
    whole = datapackage.descriptor(publication.items, published.rules, settings, "Uji", 2025)
    head = {k: v for k, v in whole.items() if k != "resources"}
    joined = datapackage.package_json(head, [datapackage.resource_text(r) for r in whole["resources"]])
    assert joined == datapackage.to_json(whole)


def _one_document(publication, settings, workspace: str) -> Graph:
    """The catalogue as one document (as it was before DECISIONS.md #152): the catalogue's node
    listing every dataset, every publisher, then each item's nodes."""
    fragments = [dcat.fragment(i, settings) for i in publication.items]
    publishers: dict[str, str] = {}
    for item in publication.items:
        publishers.setdefault(item.opd, item.opd_nama)
    nodes = dcat._catalogue_nodes([f.dataset for f in fragments], publishers,
                                  max(i.modified for i in publication.items), settings, workspace)
    text = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in dcat.PREFIXES) + "".join(map(dcat._turtle_node, nodes))
    text += "".join(t for f in fragments for _, t, _ in f.shared) + "".join(f.turtle for f in fragments)
    return Graph().parse(data=text, format="turtle")


def test_the_catalogue_pages_followed_by_hydra_next_are_the_one_catalogue_graph(tmp_path):
    world = PublishedWorld(tmp_path)
    _verify_dikpora(world)
    settings = load_settings(world.config)
    publication = build(world.config, world.store, world.rules, WILAYAH, settings)
    assert {i.opd for i in publication.items} == {"DINKES", "DIKPORA"}
    whole = set(_one_document(publication, settings, world.config.name))
    assert set(catalogue_graph(publication.files, ".ttl")) == whole
    assert set(catalogue_graph(publication.files, ".jsonld")) == whole
    paging = catalogue_graph(publication.files, ".ttl", paging=True)
    hydra = "http://www.w3.org/ns/hydra/core#"
    base = settings.url_dasar
    assert [(str(s), str(o)) for s, o in sorted(paging.subject_objects(URIRef(hydra + "next")))] == [
        (f"{base}katalog.ttl", f"{base}katalog/dikpora.ttl"), (f"{base}katalog/dikpora.ttl", f"{base}katalog/dinkes.ttl")]
    world.store.engine.dispose()


def test_a_refresh_rewrites_only_the_pages_and_package_of_the_opd_that_archived(tmp_path, monkeypatch, archive_url):
    world = PublishedWorld(tmp_path, url=archive_url)
    _verify_dikpora(world)
    settings = load_settings(world.config)
    write(build(world.config, world.store, world.rules, WILAYAH, settings), settings.folder)
    world.backend.set("DINKES", world.ids[1], "Nilai", "24")
    world.poll()
    world.backend.set("DINKES", world.ids[1], "Terverifikasi", "YA")
    world.poll()

    def scan(*args):
        raise AssertionError("the item's versions are read by the rows its part names, not by scanning the OPD")
    monkeypatch.setattr(Queries, "archive_rows_of_items", scan)
    again = refresh(world.config, world.store, world.rules, WILAYAH, settings)
    assert set(again.pieces) == {"data/dinkes.datapackage.json", "katalog/dinkes.ttl", "katalog/dinkes.jsonld"}
    written, unchanged = write(again, settings.folder)
    assert (written, unchanged) == (len(again.files) - 2 + 3, 2)  # datapackage.json and BACA.txt are as they were
    full = build(world.config, world.store, world.rules, WILAYAH, settings)
    assert {name: (settings.folder / name).read_bytes() for name in full.files} == full.files
    world.store.engine.dispose()


def test_a_full_publish_removes_the_package_and_catalogue_pages_of_an_opd_no_longer_published(publication,
                                                                                              tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "katalog").mkdir()
    (tmp_path / "datapackage.json").write_text(json.dumps({"resources": [
        {"name": "lama", "path": "data/lama.datapackage.json", "opd": {"kode": "LAMA", "nama": "Dinas Lama"}}]}))
    (tmp_path / "data" / "lama.datapackage.json").write_text(json.dumps({"resources": [{"name": "lama-k-1"}]}))
    for name in ("data/lama-k-1.csv", "data/lama-k-1.panjang.csv", "katalog/lama.ttl", "katalog/lama.jsonld",
                 "katalog/catatan.txt"):
        (tmp_path / name).write_text("x")
    write(publication, tmp_path)
    for name in ("data/lama.datapackage.json", "data/lama-k-1.csv", "data/lama-k-1.panjang.csv", "katalog/lama.ttl",
                 "katalog/lama.jsonld"):
        assert not (tmp_path / name).exists(), name
    assert (tmp_path / "katalog" / "catatan.txt").read_text() == "x"  # not the publication's: left alone
    assert (tmp_path / "katalog" / "dinkes.ttl").is_file()
