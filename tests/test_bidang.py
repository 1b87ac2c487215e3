"""The optional Bidang column: a failing row's Google thread goes to its division's person
([[opd]] bidang), the Daftar Data carries it, the dashboard groups findings by it."""
from __future__ import annotations

import dataclasses

import pytest

from rules.daftar import expand
from service.config import ConfigError, load_config
from service.config.model import Opd
from tests import test_sop_flow as flow
from tests.conftest import WILAYAH
from tests.fake_sheets_comments import threads_of
from tests.google_world import OPERATORS, SPREADSHEET, GoogleWorld

OPD = flow.OPD
P2P = "p2p.dinkes@example.go.id"


@pytest.fixture
def world(tmp_path) -> GoogleWorld:
    w = GoogleWorld(tmp_path)
    w.api.spreadsheets[SPREADSHEET].editors.add(P2P)  # the division's person can open the spreadsheet
    w.config = dataclasses.replace(w.config, opds=tuple(
        dataclasses.replace(o, bidang=(("Bidang P2P", P2P),)) if o.kode == OPD else o for o in w.config.opds))
    return w


def test_a_failing_rows_thread_is_assigned_to_its_bidangs_person_and_mentions_the_operators(world):
    world.poll()
    world.backend.insert_column(OPERATORS[OPD][0], OPD, "Konsep", "Bidang")
    rid = flow.add_item(world, Bidang="bidang  p2p")
    flow.tick(world, rid, "Dicek Bersama", "Disepakati OPD", "Disepakati Walidata", "Disetujui Ka. OPD")
    world.poll()
    flow.fill(world, rid, 2024, "banyak")
    flow.tick(world, rid, "Selesai Diisi")
    world.poll()
    assert flow.status(world, rid) == "8 Perlu Perbaikan"
    (thread,) = [t for t in threads_of(world.api.spreadsheets[SPREADSHEET])
                 if t["headPost"]["authorEmail"] == world.api.service_account]
    assert thread["headPost"]["assigneeEmail"] == P2P
    assert f"+{OPERATORS[OPD][0]}" in thread["headPost"]["content"]


def test_bidang_in_the_config_is_checked(tmp_path):
    path = tmp_path / "satudata.toml"
    path.write_text('[workspace]\nyear = 2025\n[sheets]\n[[opd]]\nkode = "DINKES"\n'
                    'bidang = [{ nama = "Bidang P2P", email = "p2p@x.go.id" }]\n', encoding="utf-8")
    assert load_config(path).opds[0].bidang == (("Bidang P2P", "p2p@x.go.id"),)
    path.write_text('[workspace]\nyear = 2025\n[sheets]\n[[opd]]\nkode = "DINKES"\n'
                    'bidang = [{ nama = "Bidang P2P", email = "bukan-email" }]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="bidang ke-1"):
        load_config(path)
    assert Opd("X", "X").bidang == ()


def test_the_daftar_data_carries_the_bidang_of_each_item():
    lines = [(2, {"opd": "DINKES", "uraian_data": "Jumlah Puskesmas", "bidang": "Bidang Yankes"})]
    rows = expand(lines, {}, {"DINKES"}, WILAYAH, 2025).rows["DINKES"]
    assert rows[0]["bidang"] == "Bidang Yankes"


def test_the_dashboard_groups_an_opds_findings_by_bidang(tmp_path):
    from service.web.app import create_app
    from tests.conftest import World
    w = World(tmp_path)
    w.poll()
    w.backend.tabs[OPD].header.append("Bidang")
    for uraian, bidang in (("Jumlah Puskesmas", "Bidang Yankes"), ("Jumlah Kasus TB", "Bidang P2P"),
                           ("Jumlah Posyandu", "Bidang Yankes")):
        w.backend.add_row(OPD, Uraian_Data=uraian, Satuan="Unit", Tahun=2025, Nilai="banyak", Bidang=bidang)
    w.poll()
    client = create_app(w.config, w.store).test_client()
    for url in (f"/opd/{OPD}", f"/temuan?opd={OPD}"):
        html = client.get(url).get_data(as_text=True)
        assert 'id="tabel-bidang"' in html, url
        table = html.split('id="tabel-bidang"', 1)[1].split("</table>", 1)[0]
        assert table.index("Bidang Yankes") < table.index("Bidang P2P")  # the busiest first
    assert 'id="tabel-bidang"' not in client.get("/temuan").get_data(as_text=True)


def test_a_bidang_column_inserted_among_the_system_columns_is_the_operators_to_edit_on_google(world):
    """Google grows a protected range around a column inserted inside it; the poller puts the
    system range back on the system columns, so Bidang is edited by whom sheets/layout.py names."""
    from sheets.google.protect import SYSTEM, WALIDATA
    rid = flow.add_item(world)
    world.backend.insert_column(world.backend.owner, OPD, "Hasil Pemeriksaan", "Bidang")
    world.poll()
    world.poll()
    sheet = world.backend.sheet(OPD)
    bidang = world.backend._col(OPD, "Bidang")
    for pr in sheet.protected:
        if pr.get("description") in (SYSTEM, WALIDATA):
            rng = pr["range"]
            assert not rng["startColumnIndex"] <= bidang < rng["endColumnIndex"], pr["description"]
    world.backend.set(OPD, rid, "Bidang", "Bidang P2P")  # as the operator: refused (400) while locked
    assert world.backend.get(OPD, rid, "Bidang") == "Bidang P2P"
    for header in ("Status", "Hasil Pemeriksaan", "Diperbarui"):  # the system columns stay the poller's
        col = world.backend._col(OPD, header)
        assert any(pr.get("description") == SYSTEM and pr["range"]["startColumnIndex"] <= col
                   < pr["range"]["endColumnIndex"] for pr in sheet.protected), header
