"""`satudata publish --ckan`: one CKAN dataset per item through ckanapi, against a strict fake of
CKAN's action API (tests/fake_ckan.py, derived from CKAN's source)."""
from __future__ import annotations

import dataclasses

import pytest
from click.testing import CliRunner
from ckanapi import RemoteCKAN

from rules.wilayah import Wilayah
from service.cli import main
from service.config import ConfigError
from service.publish import ckan
from service.publish.build import build
from service.publish.settings import load_settings
from tests.fake_ckan import FakeCkan
from tests.publish_world import PublishedWorld, write_toml

URL = "http://ckan.test"
WILAYAH = Wilayah.load()
CKAN_TABLE = {"token_env": "SATUDATA_CKAN_TOKEN", "organisasi": "kab-magetan", "awalan": "magetan"}


@pytest.fixture
def world(tmp_path):
    world = PublishedWorld(tmp_path)
    world.config = dataclasses.replace(world.config, publikasi={"ckan": CKAN_TABLE})
    yield world
    world.store.engine.dispose()


@pytest.fixture
def fake(monkeypatch):
    fake = FakeCkan(token="rahasia-ckan")
    monkeypatch.setenv("SATUDATA_CKAN_TOKEN", "rahasia-ckan")
    return fake


def deliver(world, fake, **settings):
    publication = build(world.config, world.store, world.rules, WILAYAH)
    target = ckan.ckan_settings({"ckan": {**CKAN_TABLE, **settings}}, URL)
    client = RemoteCKAN(URL, apikey=ckan.token(target), session=fake.session(URL))
    return ckan.deliver(publication.items, publication.files, load_settings(world.config), target, client)


def test_first_delivery_creates_one_dataset_per_item_with_its_four_resources(world, fake):
    report = deliver(world, fake)
    assert (report.dibuat, report.galat) == (2, [])
    assert [c[0] for c in fake.writes()] == ["package_create", "package_create"]
    names = sorted(p["name"] for p in fake.packages.values())
    assert names == ["magetan-dinkes-demo-dinkes-007", "magetan-dinkes-persentase-balita-ditimbang"]
    package = next(p for p in fake.packages.values() if p["name"] == names[0])
    assert package["organization"]["name"] == "kab-magetan" and package["license_id"] == "cc-by"
    assert [r["format"] for r in package["resources"]] == ["CSV", "XLSX", "JSON", "CSV"]
    assert package["resources"][0]["url"].endswith("/data/dinkes-demo-dinkes-007.csv")
    assert {"opd": "DINKES", "kode_data": "DEMO-DINKES-007"}.items() <= {
        e["key"]: e["value"] for e in package["extras"]}.items()


def test_a_second_run_sends_no_write(world, fake):
    deliver(world, fake)
    fake.calls.clear()
    report = deliver(world, fake)
    assert fake.writes() == [] and report.tetap == 2
    assert [c[0] for c in fake.calls] == ["package_show", "package_show"]


def test_an_edited_value_patches_only_that_items_resources(world, fake):
    deliver(world, fake)
    fake.calls.clear()
    rid = world.ids[1]  # Jumlah Puskesmas, Kabupaten Magetan 2025
    world.backend.set("DINKES", rid, "Nilai", "24")
    world.poll()
    world.backend.set("DINKES", rid, "Terverifikasi", "YA")
    world.poll()
    world.poll()
    report = deliver(world, fake)
    writes = fake.writes()
    assert {c[0] for c in writes} == {"resource_patch"} and report.diubah == 0 and report.dibuat == 0
    puskesmas = next(p for p in fake.packages.values() if p["name"] == "magetan-dinkes-demo-dinkes-007")
    assert {c[1]["id"] for c in writes} <= {r["id"] for r in puskesmas["resources"]}
    assert all(set(c[1]) <= {"id", "hash", "size", "last_modified"} for c in writes)  # only what changed


def test_changed_metadata_patches_only_the_changed_keys(world, fake):
    deliver(world, fake)
    fake.calls.clear()
    world.config = dataclasses.replace(world.config, publikasi={"ckan": CKAN_TABLE, "lisensi": "CC0-1.0"})
    deliver(world, fake)
    patches = [c for c in fake.writes() if c[0] == "package_patch"]
    assert len(patches) == 2 and all(set(body) == {"id", "license_id"} for _, body in patches)
    assert all(p["license_id"] == "cc-zero" for p in fake.packages.values())


def test_ckan_errors_are_named_in_indonesian_per_item_and_the_rest_goes_on(world, fake):
    fake.fail_next["package_create"] = (409, {"__type": "Validation Error", "name": ["That URL is already in use."]})
    report = deliver(world, fake)
    assert report.dibuat == 1 and len(report.galat) == 1
    assert report.galat[0].startswith("magetan-dinkes-demo-dinkes-007: CKAN menolak isian dataset: name")
    unknown_org = deliver(world, FakeCkan(organisations=("lain",)))
    assert all("owner_org" in line for line in unknown_org.galat) and len(unknown_org.galat) == 2


def test_a_wrong_token_is_refused_by_ckan_and_said_so(world, fake, monkeypatch):
    monkeypatch.setenv("SATUDATA_CKAN_TOKEN", "salah")
    report = deliver(world, fake)
    assert len(report.galat) == 2 and "CKAN menolak akses: periksa token API" in report.galat[0]
    assert fake.packages == {}


def test_an_unreachable_ckan_is_said_in_indonesian(world, monkeypatch):
    monkeypatch.setenv("SATUDATA_CKAN_TOKEN", "x")
    publication = build(world.config, world.store, world.rules, WILAYAH)
    target = ckan.ckan_settings({"ckan": CKAN_TABLE}, "http://127.0.0.1:9")
    report = ckan.deliver(publication.items, publication.files, load_settings(world.config), target,
                          ckan.client(target))
    assert report.galat and "tidak dapat terhubung ke CKAN" in report.galat[0]


def test_ckan_settings_name_every_bad_value():
    with pytest.raises(ConfigError, match="token_env wajib diisi"):
        ckan.ckan_settings({"ckan": {"organisasi": "x"}}, URL)
    with pytest.raises(ConfigError, match="diawali http"):
        ckan.ckan_settings({"ckan": CKAN_TABLE}, "ckan.test")
    with pytest.raises(ConfigError, match="tidak dikenal"):
        ckan.ckan_settings({"ckan": {**CKAN_TABLE, "tokn": "x"}}, URL)


def test_cli_publishes_locally_even_when_the_token_is_missing(world, tmp_path, monkeypatch):
    monkeypatch.delenv("SATUDATA_CKAN_TOKEN", raising=False)
    config_path = write_toml(world, 'ckan = { token_env = "SATUDATA_CKAN_TOKEN", organisasi = "kab-magetan" }')
    result = CliRunner().invoke(main, ["-c", str(config_path), "publish", "-o", str(tmp_path / "out"),
                                       "--ckan", URL])
    assert result.exit_code == 1
    assert "2 item data diterbitkan" in result.output
    assert "tidak dikirim ke CKAN: Token API CKAN tidak ditemukan" in result.output
    assert (tmp_path / "out" / "datapackage.json").is_file()


def test_cli_delivers_to_ckan_and_says_what_it_did(world, fake, tmp_path, monkeypatch):
    config_path = write_toml(world, 'ckan = { token_env = "SATUDATA_CKAN_TOKEN", organisasi = "kab-magetan" }')
    monkeypatch.setattr(ckan, "client", lambda target: RemoteCKAN(target.url, apikey=ckan.token(target),
                                                                  session=fake.session(target.url)))
    result = CliRunner().invoke(main, ["-c", str(config_path), "publish", "-o", str(tmp_path / "out"), "--ckan", URL])
    assert result.exit_code == 0, result.output
    assert "CKAN: 2 dataset dibuat" in result.output
    again = CliRunner().invoke(main, ["-c", str(config_path), "publish", "-o", str(tmp_path / "out"), "--ckan", URL])
    assert "0 dataset dibuat, 0 dataset diperbarui, 0 sumber baru, 0 sumber diperbarui, 2 dataset tidak berubah" \
        in again.output


def test_the_dcat_catalogue_carries_what_ckanext_dcats_parser_reads(world):
    """ckanext-dcat 2.4.4's RDFParser imports CKAN itself (ckan.plugins, ckan.model, ckan.lib.helpers),
    so it cannot run here; this reads the catalogue the way its RDF harvester does: each page parsed
    on its own, then the page its hydra:PagedCollection names as hydra:next (processors.RDFParser.next_page,
    harvesters/rdf.py gather_stage), and each page's datasets the way its DCAT-AP base profile reads
    them (RDFParser._datasets, profiles/euro_dcat_ap_base.py parse_dataset/_distributions)."""
    from datetime import datetime as dt

    from rdflib import Graph, Namespace
    from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF

    from service.publish.settings import load_settings
    from tests.fake_ckan import TAG
    hydra = Namespace("http://www.w3.org/ns/hydra/core#")
    publication = build(world.config, world.store, world.rules, WILAYAH)
    base = load_settings(world.config).url_dasar
    pages, url = [], base + "katalog.ttl"
    while url:
        graph = Graph().parse(data=publication.files[url.removeprefix(base)].decode(), format="turtle")
        pages.append(graph)
        url = next((str(o) for s in graph.subjects(RDF.type, hydra.PagedCollection)
                    for o in graph.objects(s, hydra.next)), None)
    datasets = [(graph, ref) for graph in pages for ref in graph.subjects(RDF.type, DCAT.Dataset)]
    assert len(pages) == 2 and len(datasets) == 2
    for graph, ref in datasets:
        assert graph.value(ref, DCTERMS.title) and graph.value(ref, DCTERMS.description)
        assert graph.value(ref, DCAT.landingPage) and graph.value(ref, DCTERMS.identifier)
        assert str(graph.value(graph.value(ref, DCTERMS.publisher), FOAF.name)) == "Dinas Kesehatan"  # on its page
        dt.fromisoformat(str(graph.value(ref, DCTERMS.modified)))
        assert all(2 <= len(str(k)) <= 100 and TAG.match(str(k)) for k in graph.objects(ref, DCAT.keyword))
        distributions = list(graph.objects(ref, DCAT.distribution))
        assert len(distributions) == 4
        for dist in distributions:
            assert graph.value(dist, DCAT.downloadURL) or graph.value(dist, DCAT.accessURL)
            assert graph.value(dist, DCTERMS["format"]) and graph.value(dist, DCAT.mediaType)
