"""A complaint from the public in a real Chromium: posted on an item's page, handled on /pengaduan,
answered, shown back on the public page; rapid posts refused; hostile text shown as text."""
from __future__ import annotations

from datetime import datetime

import pytest

from service.config.pengaduan import PengaduanSettings
from service.web import pengaduan
from service.web.app import create_app
from tests.conftest import WIB
from tests.publish_world import PublishedWorld
from tests.test_browser import browser_errors, page, served  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser
ITEM = "/data/dinkes-demo-dinkes-007"
HOSTILE = '<img src=x onerror=alert(1)><script>alert(2)</script> \u202eاطلاعات نادرست 😀🇮🇩 Poncol'


@pytest.fixture
def site(tmp_path):
    world = PublishedWorld(tmp_path)
    world.config = world.config.__class__(**{**world.config.__dict__, "pengaduan": PengaduanSettings(batas_per_jam=20)})
    app = create_app(world.config, world.store, clock=lambda: datetime(2025, 3, 5, 9, 0, tzinfo=WIB))
    with served(app, world.store) as url:
        yield url, app


def test_a_complaint_gets_a_ticket_is_handled_answered_and_shown_publicly(page, browser_errors, site,  # noqa: F811
                                                                        tmp_path):
    url, app = site
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(url + ITEM)
    form = page.locator("#lapor form")
    form.locator("input[name=baris]").fill("Poncol 2025")
    form.locator("textarea[name=isi]").fill(HOSTILE)
    form.locator("input[name=kontak]").fill("0812-3456-7890")
    form.locator("input[name=tampilkan]").check()
    assert not form.locator("input[name=situs_web]").is_visible()  # the honeypot is hidden from people
    form.get_by_role("button", name="Kirim laporan").click()
    page.wait_for_url("**/lapor")
    nomor = page.locator("#nomor-tiket").inner_text()
    assert nomor.startswith("PGD-2025-") and "Laporan Anda sudah diterima" in page.locator("h1").inner_text()
    page.screenshot(path=str(tmp_path / "terkirim.png"), full_page=True)

    page.goto(url + "/pengaduan")
    ticket = page.locator(f"#tiket-{nomor}")
    assert HOSTILE in ticket.locator(".isi-tiket").inner_text()  # stored as typed, shown as text
    assert "0 dari 5 hari kerja" in ticket.inner_text() and "12 Maret 2025 15.00 WIB" in ticket.inner_text()
    assert page.locator("img").count() == 0 and dialogs == []
    page.goto(url + "/opd/DINKES")
    assert nomor in page.locator("#tabel-pengaduan").inner_text()
    assert "12 Maret 2025 15.00 WIB" in page.locator("#tabel-pengaduan").inner_text()

    page.goto(url + "/pengaduan")
    ticket = page.locator(f"#tiket-{nomor}")
    ticket.locator("textarea[name=jawaban]").fill("Nilai Poncol 2025 sudah dibetulkan oleh Dinas Kesehatan.")
    ticket.locator("input[name=dikoreksi]").check()
    ticket.locator("input[name=versi_baru]").fill("versi 2, diverifikasi 6 Maret 2025")
    ticket.get_by_role("button", name="Simpan jawaban").click()
    page.wait_for_url("**/pengaduan?pesan=*")
    assert f"Tiket {nomor} dicatat: selesai." in page.locator("#pesan").inner_text()
    assert page.locator(f"#tiket-{nomor}").count() == 0  # no longer in the open queue
    page.goto(url + "/opd/DINKES")
    assert page.locator("#tabel-pengaduan").count() == 0

    page.goto(url + ITEM)
    answers = page.locator("#jawaban-pengaduan").inner_text()
    assert nomor in answers and "sudah dibetulkan oleh Dinas Kesehatan" in answers
    assert "Data telah dikoreksi: versi 2, diverifikasi 6 Maret 2025." in answers
    assert HOSTILE in answers and "0812-3456-7890" not in page.content()  # the contact stays private
    page.screenshot(path=str(tmp_path / "jawaban.png"), full_page=True)
    assert dialogs == [] and browser_errors == []
    assert (tmp_path / "jawaban.png").stat().st_size > 10_000


def test_rapid_posts_are_refused_after_the_limit_and_a_megabyte_is_refused_whole(page, site):  # noqa: F811
    url, app = site
    page.goto(url + ITEM)
    token = page.locator("#lapor input[name=token]").get_attribute("value")
    codes = [page.request.post(url + ITEM + "/lapor", form={"token": token, "isi": f"laporan {i}"}).status
             for i in range(200)]
    assert codes[:20] == [200] * 20 and set(codes[20:]) == {429}
    refused = page.request.post(url + ITEM + "/lapor", form={"token": token, "isi": "lagi"})
    assert "Terlalu banyak kiriman dari alamat ini" in refused.text()
    rate = app.extensions[pengaduan.EXTENSION].rate
    assert len(rate) == 1 and len(rate._seen["127.0.0.1"]) == 20  # one address, at most its limit of moments
    big = page.request.post(url + ITEM + "/lapor", form={"token": token, "isi": "x" * 1_000_000})
    assert big.status == 413 and "Kiriman terlalu besar" in big.text()
