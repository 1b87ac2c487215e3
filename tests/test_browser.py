"""The dashboard in a real Chromium (Debian's /usr/bin/chromium, driven by Playwright for Python).

Never `playwright install`: the browser comes from apt. Missing, it is a skip locally and
a failure when SATUDATA_REQUIRE_SERVICES=1 (as in CI).
"""
from __future__ import annotations

import csv
import io
import os
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest

from service.web.app import create_app
from service.archive.export import KEYS
from tests.test_dashboard import Scene, at

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.browser


def _require_chromium() -> str:
    found = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    if found:
        return found
    reason = f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)"
    if os.environ.get("SATUDATA_REQUIRE_SERVICES") == "1":
        pytest.fail(reason)
    pytest.skip(reason + "; set SATUDATA_REQUIRE_SERVICES=1 to fail instead")


@contextmanager
def served(app, store):
    """The app on a free local port for the browser; the store is closed afterwards."""
    from werkzeug.serving import make_server
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        store.engine.dispose()


@pytest.fixture
def dashboard_url(tmp_path: Path):
    scene = Scene(tmp_path)
    with served(create_app(scene.world.config, scene.world.store, clock=lambda: at(4, 9)), scene.world.store) as url:
        yield url


@pytest.fixture
def browser_errors() -> list[str]:
    return []


@pytest.fixture
def page(browser_errors):
    executable = _require_chromium()
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=ARGS)
        context = browser.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True,
                                      locale="id-ID")
        page = context.new_page()
        page.on("pageerror", lambda exc: browser_errors.append(str(exc)))
        page.on("console", lambda msg: browser_errors.append(msg.text) if msg.type == "error" else None)
        try:
            yield page
        finally:
            context.close()
            browser.close()


def test_walidata_opens_ringkasan_drills_into_an_opd_and_downloads_the_archive(page, browser_errors, dashboard_url,
                                                                              tmp_path):
    page.goto(dashboard_url + "/")
    assert page.locator("h1").inner_text() == "Ringkasan kemajuan pengumpulan data tahun 2025"
    dinkes = page.locator('tr[data-opd="DINKES"]')
    assert "Tepat waktu" in dinkes.inner_text() and "10 Maret 2025" in dinkes.inner_text()
    assert "Berisiko" in page.locator('tr[data-opd="DIKPORA"]').inner_text()
    assert page.locator("svg.bar rect").count() >= 4  # stacked bars drawn by the server
    page.screenshot(path=str(tmp_path / "ringkasan.png"), full_page=True)

    page.locator('tr[data-opd="DIKPORA"] a', has_text="DIKPORA").click()
    page.wait_for_url("**/opd/DIKPORA")
    assert page.locator("#tabel-baris").inner_text().count("<script>alert(1)</script>") == 1  # shown as text
    assert page.locator("script").count() == 0  # and never run as one

    page.get_by_role("link", name="Ringkasan", exact=True).first.click()
    page.locator('tr[data-opd="DINKES"] a', has_text="DINKES").click()
    page.wait_for_url("**/opd/DINKES")
    rows = page.locator("#tabel-baris tbody tr")
    assert rows.count() == 2
    assert "Jumlah Kasus Tuberkulosis" in rows.nth(0).inner_text() and "6 Disetujui" in rows.nth(0).inner_text()
    assert "8 Perlu Perbaikan" in rows.nth(1).inner_text() and "Galat" in rows.nth(1).inner_text()
    assert "5 Disepakati → 6 Disetujui" in rows.nth(0).inner_text()  # the latest change from the audit events
    page.screenshot(path=str(tmp_path / "opd.png"), full_page=True)
    rows.nth(0).get_by_role("link", name="4 perubahan").click()  # the rest on the row's own page
    page.wait_for_url("**/opd/DINKES/baris/DINKES-0001")
    history = page.locator("#tabel-riwayat-baris").inner_text()
    assert all(label in history for label in ("1 Draf", "3 Dicek", "5 Disepakati", "6 Disetujui")), history

    page.get_by_role("link", name="Arsip", exact=True).click()
    page.wait_for_url("**/arsip")
    assert "52.345" in page.locator("#tabel-arsip").inner_text()
    with page.expect_download() as info:
        page.locator("#unduh-csv").click()
    download = info.value
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    assert download.suggested_filename == "arsip-2025.csv"
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert rows[0] == list(KEYS) and rows[1][1] == "DISPENDUKCAPIL-0001"
    page.screenshot(path=str(tmp_path / "arsip.png"))

    for name in ("Temuan", "Riwayat", "Kesehatan"):
        page.get_by_role("link", name=name, exact=True).click()
        assert page.locator("h1").count() == 1
    assert browser_errors == []  # no console errors: CSP, missing assets, scripts
    assert (tmp_path / "ringkasan.png").stat().st_size > 10_000
