"""A report from the public on Google Sheets: the poller opens one thread of its own on the item's
first row, assigned to the OPD's operator, and resolves it with the Walidata's answer; the tab is
read again for that, and only for that OPD, even when nothing in the sheet changed."""
from __future__ import annotations

from datetime import datetime

from rules.keys import item_key
from service.archive.pengaduan import NewTicket, Tickets
from tests import test_sop_flow as flow
from tests.conftest import WIB
from tests.fake_sheets_comments import threads_of
from tests.google_world import OPERATORS, SPREADSHEET, GoogleWorld

OPD = flow.OPD
NOW = datetime(2025, 3, 5, 9, 0, tzinfo=WIB)


def own_threads(world) -> list[dict]:
    return [t for t in threads_of(world.api.spreadsheets[SPREADSHEET])
            if t["headPost"]["authorEmail"] == world.api.service_account]


def test_a_report_opens_an_assigned_thread_on_the_items_row_and_the_answer_resolves_it(tmp_path):
    world = GoogleWorld(tmp_path)
    rid = flow.to_approved(world)
    world.poll()
    desk = Tickets(world.store.engine)
    nomor = desk.open(NewTicket("koreksi", "Angka 2024 keliru", item="x", judul_item="Jumlah Kasus Tuberkulosis",
                                opd=OPD, baris="Total kabupaten 2024",
                                item_key=item_key("DEMO-DINKES-006", "Jumlah Kasus Tuberkulosis")), NOW)
    reads = len(world.api.requests_of())
    world.poll()  # the sheet did not change: the tab is read again for the report
    assert len(world.api.requests_of()) > reads
    threads = own_threads(world)
    assert len(threads) == 1 and threads[0]["status"] == "OPEN"
    head = threads[0]["headPost"]
    assert head["assigneeEmail"] == OPERATORS[OPD][0]
    assert head["content"].startswith(f"[Pemeriksaan otomatis] {nomor}: laporan masyarakat")
    assert "Angka 2024 keliru" in head["content"]
    assert threads[0]["range"]["startRowIndex"] == world.backend.row_of(OPD, rid) - 1
    assert desk.get(nomor)["utas"] == "dibuka"

    quiet = len(world.api.requests_of())
    world.poll()
    world.poll()
    assert len(own_threads(world)) == 1  # never a second thread
    assert not [r for r in world.api.requests_of()[quiet:] if r.kind == "write"]

    desk.answer(nomor, status="selesai", jawaban="Sudah dibetulkan", oleh="pengguna dasbor walidata", now=NOW,
                dikoreksi=True)
    world.poll()
    thread = own_threads(world)[0]
    assert thread["status"] == "RESOLVED" and "Sudah dibetulkan" in thread["replies"][-1]["content"]
    assert desk.get(nomor)["utas"] == "ditutup" and desk.unsynced_opds() == set()
