"""The public data pages in a real Chromium: catalogue, search, item page with its chart, a download."""
from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest

from service.web.app import create_app
from tests.conftest import WIB
from tests.publish_world import PublishedWorld
from tests.test_browser import browser_errors, page, served  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


@pytest.fixture
def site(tmp_path):
    world = PublishedWorld(tmp_path)
    app = create_app(world.config, world.store, clock=lambda: datetime(2025, 3, 5, 9, 0, tzinfo=WIB))
    with served(app, world.store) as url:
        yield url


def test_a_visitor_searches_the_catalogue_opens_an_item_and_downloads_its_csv(page, browser_errors, site,  # noqa: F811
                                                                             tmp_path):
    page.goto(site + "/data")
    assert page.locator("h1").inner_text() == "Katalog data"
    page.fill("input[name=q]", "demo-dinkes-007")
    page.get_by_role("button", name="Cari").click()
    page.wait_for_url("**/data?q=demo-dinkes-007")
    assert "1 dari 2 item data" in page.locator("#jumlah-item").inner_text()
    page.get_by_role("link", name="Jumlah Puskesmas").click()
    page.wait_for_url("**/data/dinkes-demo-dinkes-007")
    chart = page.locator("svg#grafik")
    assert chart.is_visible() and chart.locator("rect").count() >= 6 + 2  # 3 kecamatan x 2 years, 2 legend keys
    assert chart.bounding_box()["height"] > 50
    rows = page.locator("#tabel-data tbody tr")
    assert rows.count() == 4 and rows.nth(0).inner_text().startswith("Kabupaten Magetan")
    assert "Tahunan" in page.locator("#metadata").inner_text()
    page.screenshot(path=str(tmp_path / "item.png"), full_page=True)
    with page.expect_download() as info:
        page.get_by_role("link", name="CSV (tabel lebar)").click()
    download = info.value
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    assert download.suggested_filename == "dinkes-demo-dinkes-007.csv"
    lines = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert lines[0] == ["rincian", "kode_wilayah", "2024", "2025"] and lines[1][0] == "Kabupaten Magetan"
    assert browser_errors == []
    assert (tmp_path / "item.png").stat().st_size > 10_000
