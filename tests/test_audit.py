"""DECISIONS.md #11, #12: every change names a person (or the honest candidates) and how that is
known; every cell edit of a known row is audited with column, from and to; the Ka. OPD who
approves is the one the workspace file names."""
from __future__ import annotations

import dataclasses
import json

import pytest
from click.testing import CliRunner

from service.config import Opd
from service.web.app import create_app
from service.web.history import row_history
from tests.test_sop_flow import OPD, add_item, fill, status, tick

AGREE = ("Dicek Bersama", "Disepakati OPD", "Disepakati Walidata", "Disetujui Ka. OPD")
KEPALA = ("dr. Rina Wulandari, M.Kes", "197803152005012003")


def with_people(world, kepala=KEPALA):
    world.config = dataclasses.replace(world.config, opds=(
        Opd("DINKES", "Dinas Kesehatan", ("operator.dinkes@example.go.id",), None, kepala=kepala),
        Opd("DIKPORA", "Dinas Pendidikan")))


def to_archived(world, saver="Sari (operator)"):
    rid = add_item(world)
    world.backend.tabs[OPD].saved_by = saver
    tick(world, rid, *AGREE)
    world.poll()
    fill(world, rid, 2024, "31")
    tick(world, rid, "Selesai Diisi")
    world.poll()
    tick(world, rid, "Terverifikasi")
    world.poll()
    assert status(world, rid) == "10 Diarsip"
    return rid


def value_changes(world, rid):
    return [(e["column_key"], e["old_value"], e["new_value"])
            for e in reversed(world.reads.events(opd=OPD, row_id=rid, kind="nilai"))]


def test_a_value_edited_on_a_filled_row_is_audited_from_and_to_without_a_state_change(world):
    rid = add_item(world)
    tick(world, rid, *AGREE)
    world.poll()
    fill(world, rid, 2024, "31")
    tick(world, rid, "Selesai Diisi")
    world.poll()
    assert status(world, rid) == "7 Diisi"
    states_before = len(world.reads.events(opd=OPD, row_id=rid))
    world.backend.set(OPD, rid, "Keterangan", "Profil Kesehatan 2024")
    world.poll()
    assert status(world, rid) == "7 Diisi"
    assert len(world.reads.events(opd=OPD, row_id=rid)) == states_before  # no state moved
    assert value_changes(world, rid)[-1] == ("keterangan", "", "Profil Kesehatan 2024")


def test_every_operator_and_walidata_cell_edit_is_one_value_change(world):
    rid = add_item(world)
    tick(world, rid, "Dicek Bersama")
    world.backend.set(OPD, rid, "Satuan", "Orang")
    world.poll()
    assert sorted(value_changes(world, rid)) == [("dicek_bersama", "kosong", "dicentang"),
                                                 ("satuan", "Kasus", "Orang")]


def test_a_number_retyped_as_text_is_not_a_value_change(world):
    rid = add_item(world)
    fill(world, rid, 2024, "1.234")
    world.poll()
    before = value_changes(world, rid)
    world.backend.set(OPD, rid, "Nilai", 1234)
    world.poll()
    assert value_changes(world, rid) == before


def test_a_new_row_is_a_state_change_not_a_value_change(world):
    rid = add_item(world)
    assert value_changes(world, rid) == []
    assert [e["to_state"] for e in world.reads.events(opd=OPD, row_id=rid)] == ["1"]


def test_excel_saving_user_names_who_ticked_and_filled(world):
    rid = to_archived(world, saver="Sari (operator)")
    events = {e["to_state"]: e for e in world.reads.events(opd=OPD, row_id=rid)}
    assert events["7"]["oleh"] == "Sari (operator)"
    assert "docProps/core.xml" in events["7"]["bagaimana"] and "tidak diverifikasi" in events["7"]["bagaimana"]
    assert events["10"]["oleh"] == "poller (sistem)"
    nilai = next(e for e in world.reads.events(opd=OPD, row_id=rid, kind="nilai") if e["column_key"] == "nilai")
    assert (nilai["old_value"], nilai["new_value"], nilai["oleh"]) == ("", "31", "Sari (operator)")


def test_a_walidata_tick_on_an_unprotected_workbook_is_recorded_as_tanpa_proteksi(world):
    rid = to_archived(world)
    verified = next(e for e in world.reads.events(opd=OPD, row_id=rid) if e["to_state"] == "9")
    assert verified["oleh"] == "Sari (operator)"  # the saver, not "Walidata": nothing stopped an operator
    world.backend.tabs[OPD].protected = False
    world.backend.set(OPD, rid, "Catatan Walidata", "Sumber data mohon dilengkapi")
    world.poll()
    revisi = world.reads.events(limit=1, opd=OPD, row_id=rid)[0]
    assert revisi["to_state"] == "7a" and "tanpa proteksi" in revisi["bagaimana"]


def _dicek_saved_under_protection_by(world, saver: str) -> dict:
    rid = add_item(world)
    world.backend.tabs[OPD].saved_by = saver
    world.backend.tabs[OPD].protected = True
    tick(world, rid, "Dicek Bersama")
    world.poll()
    return world.reads.events(limit=1, opd=OPD, row_id=rid)[0]


def test_a_walidata_tick_saved_under_protection_by_a_non_walidata_is_flagged_not_credited(world):
    event = _dicek_saved_under_protection_by(world, "Andi")
    assert (event["to_state"], event["oleh"]) == ("3", "Andi")  # who saved, never "Walidata" by inference
    assert "disimpan ketika lembar terproteksi dengan kata sandi Walidata" in event["bagaimana"]
    assert "Andi tidak tercantum di [walidata]" in event["bagaimana"]
    assert "bukan dari Operator" not in event["bagaimana"]
    assert "bukan Walidata: Dicek Bersama dicentang; berkas disimpan oleh Andi" in event["reason"]


def test_a_walidata_tick_saved_under_protection_by_the_walidata_is_not_flagged(world):
    import dataclasses
    world.config = dataclasses.replace(world.config, walidata_nama="Andi Walidata")
    event = _dicek_saved_under_protection_by(world, "andi  walidata")
    assert event["oleh"] == "andi  walidata" and "tercantum di [walidata]" in event["bagaimana"]
    assert "bukan Walidata" not in event["reason"] and "tanpa proteksi" not in event["reason"]


def test_a_workbook_that_names_no_saver_says_unknown_and_whose_column_it_is(world):
    rid = add_item(world)
    tick(world, rid, "Dicek Bersama")
    world.poll()
    event = world.reads.events(limit=1, opd=OPD, row_id=rid)[0]
    assert event["oleh"] == "tidak diketahui (kolom milik Walidata)"
    assert "tidak mencatat" in event["bagaimana"]


def test_agreement_names_both_sides(world):
    rid = add_item(world)
    world.backend.tabs[OPD].saved_by = "Sari"
    tick(world, rid, "Dicek Bersama")
    world.poll()
    tick(world, rid, "Disepakati OPD", "Disepakati Walidata")
    world.poll()
    agreed = world.reads.events(limit=1, opd=OPD, row_id=rid)[0]
    assert (agreed["to_state"], agreed["oleh"]) == ("5", "Sari")


def test_step_six_names_the_head_from_the_config(world):
    with_people(world)
    rid = to_archived(world)
    approved = next(e for e in world.reads.events(opd=OPD, row_id=rid) if e["to_state"] == "6")
    assert approved["oleh"] == "Ka. OPD dr. Rina Wulandari, M.Kes (NIP 197803152005012003)"
    assert "[[opd]] kepala" in approved["bagaimana"] and "Sari (operator)" in approved["bagaimana"]


def test_step_six_without_a_kepala_entry_says_the_name_is_not_set(world):
    rid = to_archived(world)
    approved = next(e for e in world.reads.events(opd=OPD, row_id=rid) if e["to_state"] == "6")
    assert approved["oleh"] == "Ka. OPD DINKES (nama belum diatur di satudata.toml)"


def test_row_history_lists_every_value_change_and_every_step_with_who(world):
    rid = to_archived(world)
    world.backend.set(OPD, rid, "Nilai", "32")
    world.poll()
    data = row_history(world.reads, OPD, rid)
    steps = [(e["dari"], e["ke"]) for e in data["peristiwa"] if e["jenis"] == "status"]
    assert steps == [(None, "1"), ("1", "3"), ("3", "5"), ("5", "6"), ("6", "7"), ("7", "9"), ("9", "10"),
                     ("10", "7")]
    nilai = [(e["dari"], e["ke"]) for e in data["peristiwa"] if e["jenis"] == "nilai" and e["kolom"] == "Nilai"]
    assert nilai == [("", "31"), ("31", "32")]
    assert all(e["oleh"] and e["bagaimana"] for e in data["peristiwa"])


def test_row_history_page_and_api(world):
    rid = to_archived(world)
    client = create_app(world.config, world.store, clock=lambda: world.now).test_client()
    page = client.get(f"/opd/{OPD}/baris/{rid}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Riwayat baris" in html and "Perubahan nilai" in html and "Sari (operator)" in html
    api = client.get(f"/api/opd/{OPD}/baris/{rid}").get_json()
    assert api["id"] == rid and api["jumlah_perubahan_status"] == 7
    assert client.get(f"/opd/{OPD}/baris/DINKES-9999").status_code == 404
    assert f'href="/opd/{OPD}/baris/{rid}"' in client.get(f"/opd/{OPD}").get_data(as_text=True)


def test_riwayat_command_shows_the_same_history(world, tmp_path):
    from service.cli.commands import main
    from service.timefmt import local_iso
    rid = to_archived(world)
    (tmp_path / "satudata.toml").write_text(
        f'[workspace]\nyear = 2025\n[sheets]\nbackend = "xlsx"\n[archive]\nurl = "{world.config.archive_url}"\n'
        '[[opd]]\nkode = "DINKES"\nkepala = { nama = "dr. Rina", nip = "197803152005012003" }\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["-c", str(tmp_path / "satudata.toml"), "riwayat", OPD, rid, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data == json.loads(json.dumps(row_history(world.reads, OPD, rid), default=local_iso))  # WIB, +07:00
    text = CliRunner().invoke(main, ["-c", str(tmp_path / "satudata.toml"), "riwayat", OPD, rid]).output
    assert "Nilai: (kosong) → 31" in text and "oleh Sari (operator)" in text
    missing = CliRunner().invoke(main, ["-c", str(tmp_path / "satudata.toml"), "riwayat", OPD, "X-1"])
    assert missing.exit_code != 0 and "tidak dikenal" in missing.output
    typed = CliRunner().invoke(main, ["-c", str(tmp_path / "satudata.toml"), "riwayat", OPD.lower(), rid, "--json"])
    assert typed.exit_code == 0 and json.loads(typed.output) == data  # the code in any case, as the dashboard takes it
    unknown = CliRunner().invoke(main, ["-c", str(tmp_path / "satudata.toml"), "riwayat", "dinsos", rid])
    assert unknown.exit_code != 0 and "OPD 'DINSOS' tidak ada" in unknown.output


BASE = '[workspace]\nyear = 2025\n[sheets]\nbackend = "xlsx"\n[[opd]]\nkode = "DINKES"\n'


def test_kepala_is_read_from_the_opd_entry(tmp_path):
    from service.config import load_config
    path = tmp_path / "satudata.toml"
    path.write_text(BASE + 'kepala = { nama = "dr. Rina", nip = "19780315 200501 2 003" }\n', encoding="utf-8")
    assert load_config(path).opds[0].kepala == ("dr. Rina", "197803152005012003")


@pytest.mark.parametrize("entry, says", [
    ('kepala = { nama = "dr. Rina", nip = "1978" }', "18 angka"),
    ('kepala = { nip = "197803152005012003" }', "kepala.nama wajib"),
    ('kepala = { nama = "dr. Rina", jabatan = "Kepala" }', "'jabatan'"),
    ('kepala = "dr. Rina"', "harus berupa tabel"),
])
def test_a_bad_kepala_entry_is_named_in_indonesian(tmp_path, entry, says):
    from service.config import ConfigError, load_config
    path = tmp_path / "satudata.toml"
    path.write_text(BASE + entry + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=says):
        load_config(path)
