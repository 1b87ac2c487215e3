"""Every dashboard page fits the screen: no sideways scrolling at 1366×768, 1920×1080 and on a
390-px phone, no table cut inside its frame, and one timeliness statement per OPD (Chromium)."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from service.cli.commands import main
from service.config import load_config
from service.web.app import create_app
from tests.test_browser import ARGS, _require_chromium, served

pytestmark = pytest.mark.browser

WIDTHS = ((1366, 768), (1920, 1080), (390, 844))
PAGES = ("/", "/opd/DINKES", "/opd/BAG-PEREKONOMIAN", "/temuan", "/riwayat", "/arsip", "/kesehatan", "/pengaduan",
         "/pengawasan", "/data", "/data/jadwal", "/opd/DINKES/baris/DINKES-0001")
OVERFLOW = """() => ({
  page: document.documentElement.scrollWidth - innerWidth,
  cut: [...document.querySelectorAll('.table-wrap, td, .card, .panel')]
         .filter(e => !e.closest('thead') && e.scrollWidth > e.clientWidth + 1)
         .map(e => (e.querySelector('table') || e).id || e.textContent.trim().slice(0, 40))
})"""


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo")
    assert CliRunner().invoke(main, ["init", str(root / "ws"), "--demo"]).exit_code == 0
    config = load_config(root / "ws" / "satudata.toml")
    app = create_app(config)
    from service.archive.engine import make_engine
    from service.archive.store import Store
    store = Store(make_engine(config.archive_url))
    with served(app, store) as url:
        yield url


def test_every_dashboard_page_fits_three_screen_widths(demo_url, tmp_path):
    executable = _require_chromium()
    from playwright.sync_api import sync_playwright
    problems = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=ARGS)
        for width, height in WIDTHS:
            context = browser.new_context(viewport={"width": width, "height": height}, locale="id-ID")
            page = context.new_page()
            for path in PAGES:
                response = page.goto(demo_url + path)
                assert response.status == 200, path
                found = page.evaluate(OVERFLOW)
                if found["page"] > 0 or found["cut"]:
                    problems.append((width, path, found))
                name = path.strip("/").replace("/", "_") or "ringkasan"
                page.screenshot(path=str(tmp_path / f"{name}-{width}.png"), full_page=True)
            context.close()
        browser.close()
    assert not problems, problems


def test_an_opd_on_time_now_but_late_on_a_past_step_says_both_in_one_sentence(demo_url):
    executable = _require_chromium()
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.goto(demo_url + "/")
        cells = page.locator('#tabel-opd td[data-label="Ketepatan"]')
        texts = [cells.nth(i).inner_text() for i in range(cells.count())]
        for i in range(cells.count()):
            assert cells.nth(i).locator(".badge").count() == 1, texts[i]  # one statement, never two chips
        assert any(t.startswith(("Tepat waktu sekarang; sebelumnya terlambat di langkah",
                                 "Berisiko sekarang; sebelumnya terlambat di langkah")) for t in texts), texts
        browser.close()
