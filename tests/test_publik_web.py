"""Public data pages, published files under stable URLs and the OPD's PDFs on the dashboard (DECISIONS.md #19)."""
from __future__ import annotations

import csv
import dataclasses
import io
import re

import pytest
from rdflib.namespace import DCAT, RDF
from werkzeug.security import generate_password_hash

from service.web.app import create_app
from tests.conftest import WIB
from tests.publish_world import PublishedWorld, catalogue_graph

from datetime import datetime

NOW = datetime(2025, 3, 5, 9, 0, tzinfo=WIB)
PUSKESMAS = "dinkes-demo-dinkes-007"
USERS = {"walidata": generate_password_hash("rahasia-magetan")}


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    world = PublishedWorld(tmp_path_factory.mktemp("web"))
    yield world
    world.store.engine.dispose()


def client(world, **changes):
    config = dataclasses.replace(world.config, **changes)
    return create_app(config, world.store, clock=lambda: NOW).test_client()


def test_catalogue_lists_items_by_opd_without_script_or_cdn(published):
    response = client(published).get("/data")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and '<html lang="id">' in html
    assert "Dinas Kesehatan (DINKES)" in html and "Jumlah Puskesmas" in html
    assert "Jumlah Sekolah" not in html  # agreed, never verified
    assert "<script" not in html and "cdn" not in html.lower()


def test_catalogue_search_by_text_ignores_case_and_accents(published):
    html = client(published).get("/data?q=PERSENTASE+balita").get_data(as_text=True)
    assert "Persentase Balita Ditimbang" in html and "Jumlah Puskesmas" not in html
    assert "1 dari 2 item data" in html
    assert "Tidak ada item data yang cocok" in client(published).get("/data?q=gempa").get_data(as_text=True)


def test_item_page_shows_table_chart_metadata_and_every_download(published):
    html = client(published).get(f"/data/{PUSKESMAS}").get_data(as_text=True)
    table = re.search(r'<table id="tabel-data">(.*?)</table>', html, re.S).group(1)
    assert table.index("Kabupaten Magetan") < table.index("Poncol") < table.index("Plaosan")
    assert re.search(r'<svg id="grafik"[^>]*>.*<rect', html, re.S)
    assert "Banyaknya puskesmas yang beroperasi di wilayah" in html and "Tahunan" in html
    for suffix in (".csv", ".xlsx", ".json", ".panjang.csv"):
        assert f'href="/data/{PUSKESMAS}{suffix}"' in html


def test_every_download_link_serves_its_file(published):
    c = client(published)
    csv_body = c.get(f"/data/{PUSKESMAS}.csv")
    assert csv_body.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert list(csv.reader(io.StringIO(csv_body.get_data(as_text=True))))[1][0] == "Kabupaten Magetan"
    assert c.get(f"/data/{PUSKESMAS}.xlsx").data[:2] == b"PK"
    assert c.get(f"/data/{PUSKESMAS}.json").is_json
    assert c.get("/data/tidak-ada.csv").status_code == 404


def test_package_and_catalogue_have_stable_urls(published):
    c = client(published)
    package = c.get("/datapackage.json").get_json()
    opd = c.get("/" + package["resources"][0]["path"])  # paths resolve against the site: an OPD's package
    assert opd.status_code == 200 and c.get("/data/" + opd.get_json()["resources"][0]["path"]).status_code == 200
    ttl = c.get("/katalog.ttl")
    assert ttl.headers["Content-Type"] == "text/turtle; charset=utf-8"
    pages = {"katalog.ttl": ttl.data}
    for name in ("katalog/dinkes.ttl", "katalog/dinkes.jsonld", "katalog.jsonld"):
        pages[name] = c.get("/" + name).data  # the next page, at the URL katalog.ttl names under url_dasar
    assert len(set(catalogue_graph(pages).subjects(RDF.type, DCAT.Dataset))) == 2
    assert len(set(catalogue_graph(pages, ".jsonld").subjects(RDF.type, DCAT.Dataset))) == 2
    assert c.get("/katalog/dinkes.jsonld").headers["Content-Type"].startswith("application/ld+json")
    assert c.get("/katalog/tidak-ada.ttl").status_code == 404 and c.get("/katalog/dinkes.txt").status_code == 404


def test_terbuka_opens_only_the_public_pages_never_the_dashboard(published):
    c = client(published, dashboard_users=USERS, publikasi={"terbuka": True})
    for path in ("/data", f"/data/{PUSKESMAS}", f"/data/{PUSKESMAS}.csv", "/datapackage.json", "/katalog.ttl",
                 "/katalog.jsonld", "/katalog/dinkes.ttl", "/data/dinkes.datapackage.json", "/static/dashboard.css"):
        with c.get(path) as response:
            assert response.status_code == 200, path
    for path in ("/", "/opd/DINKES", "/arsip", "/api/arsip", "/opd/DINKES/rekap.pdf", "/data/../arsip"):
        assert c.get(path).status_code == 401, path


def test_without_terbuka_the_public_pages_need_the_login(published):
    c = client(published, dashboard_users=USERS)
    assert c.get("/data").status_code == 401
    assert c.get("/data", auth=("walidata", "rahasia-magetan")).status_code == 200


def test_opd_page_offers_its_pdfs_and_refuses_what_cannot_be_minuted_yet(published):
    c = client(published)
    html = c.get("/opd/DINKES").get_data(as_text=True)
    for doc in ("berita-acara-kesepakatan", "berita-acara-verifikasi", "rekap"):
        assert f'href="/opd/DINKES/{doc}.pdf"' in html
        response = c.get(f"/opd/DINKES/{doc}.pdf")
        assert response.status_code == 200 and response.data[:5] == b"%PDF-"
    refused = c.get("/opd/DIKPORA/rekap.pdf")
    assert refused.status_code == 409 and "Belum ada data DIKPORA" in refused.get_data(as_text=True)
    assert c.get("/opd/DINKES/lain.pdf").status_code == 404
