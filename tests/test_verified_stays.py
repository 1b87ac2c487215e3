"""Verified stays verified (DECISIONS.md #7) and nothing is archived unseen (DECISIONS.md #7)."""
from __future__ import annotations

from dataclasses import replace

from rules.rulefile import load_rules
from tests.conftest import WILAYAH
from tests.test_sop_flow import OPD, add_item, status, tick

ALL = ("Dicek Bersama", "Disepakati OPD", "Disepakati Walidata", "Disetujui Ka. OPD", "Selesai Diisi",
       "Terverifikasi")


def archived(world, **extra):
    """A row driven to 10 Diarsip the way people do it: filled, shown as 7 Diisi, then verified."""
    rid = add_item(world, Tahun=2024, Nilai="12", **extra)
    tick(world, rid, *ALL[:-1])
    world.poll()
    assert status(world, rid) == "7 Diisi"
    tick(world, rid, "Terverifikasi")
    world.poll()
    assert status(world, rid) == "10 Diarsip"
    return rid


def test_new_row_with_all_six_boxes_ticked_stops_at_diisi_until_verified_again(world):
    world.poll()
    row = world.backend.add_row(OPD, Uraian_Data="Jumlah Puskesmas", Satuan="Unit", Tahun=2024, Nilai="22",
                                **{k.replace(" ", "_").replace(".", "_"): "YA" for k in ALL})
    world.backend.set(OPD, row, "Disetujui Ka. OPD", "YA")
    world.poll()
    assert world.backend.get(OPD, row, "Status") == "7 Diisi"
    assert world.backend.get(OPD, row, "Terverifikasi") is False
    assert "belum tampil sebagai 7 Diisi" in world.backend.note(OPD, row, "Terverifikasi")
    assert list(world.reads.archive_rows()) == []
    world.backend.set(OPD, row, "Terverifikasi", "YA")
    world.poll()
    assert world.backend.get(OPD, row, "Status") == "10 Diarsip"


def test_copied_archived_row_with_changed_rincian_and_nilai_is_not_archived_in_its_first_cycle(world):
    rid = archived(world)
    b = world.backend
    tab = b.tabs[OPD]
    first, last = b._col(OPD, "Kode Data"), b._col(OPD, "Catatan Walidata")
    copy = [None] * len(tab.header)
    copy[first:last + 1] = tab.rows[0][first:last + 1]  # the data and step columns, not the system ones
    copy[b._col(OPD, "Rincian")] = "Parang"
    copy[b._col(OPD, "Nilai")] = "3"
    tab.rows.append(copy)
    tab.version += 1
    world.poll()
    assert [r["id"] for r in world.reads.archive_rows()] == [rid]
    assert b.get(OPD, 3, "Status") != "10 Diarsip"
    assert not b.get(OPD, 3, "Terverifikasi")


def test_value_edited_in_the_cycle_it_is_verified_is_not_archived(world):
    rid = add_item(world, Tahun=2024, Nilai="12")
    tick(world, rid, *ALL[:-1])
    world.poll()
    world.backend.set(OPD, rid, "Nilai", "13")
    tick(world, rid, "Terverifikasi")
    world.poll()
    assert status(world, rid) == "7 Diisi" and list(world.reads.archive_rows()) == []


def test_new_rule_that_an_archived_row_breaks_leaves_it_archived_with_a_warning(world, tmp_path):
    rid = archived(world)
    folder = tmp_path / "aturan"
    folder.mkdir()
    (folder / "baru.yaml").write_text("item:\n  - nama: Batas kasus TB\n    kode_data: DEMO-DINKES-006\n"
                                      "    kolom:\n      nilai: {maximum: 5}\n", encoding="utf-8")
    world.rules = load_rules(folder)
    world.poll()
    assert status(world, rid) == "10 Diarsip"
    assert world.backend.get(OPD, rid, "Terverifikasi") == "YA"
    assert world.backend.get(OPD, rid, "Selesai Diisi") == "YA"
    hasil = world.backend.get(OPD, rid, "Hasil Pemeriksaan")
    assert "PERINGATAN" in hasil and "Batas kasus TB" in hasil and "aturan pemeriksaan berubah" in hasil
    assert "GALAT" not in hasil
    assert "aturan pemeriksaan berubah" in world.backend.note(OPD, rid, "Nilai")
    assert [e["to_state"] for e in world.reads.events(opd=OPD, row_id=rid)][0] == "10"
    world.poll()  # the cause stays named on the next cycles
    assert "aturan pemeriksaan berubah" in world.backend.get(OPD, rid, "Hasil Pemeriksaan")


def test_walidata_reopens_a_reviewed_row_by_clearing_terverifikasi(world, tmp_path):
    rid = archived(world)
    folder = tmp_path / "aturan"
    folder.mkdir()
    (folder / "baru.yaml").write_text("item:\n  - nama: Batas\n    kode_data: DEMO-DINKES-006\n"
                                      "    kolom:\n      nilai: {maximum: 5}\n", encoding="utf-8")
    world.rules = load_rules(folder)
    world.poll()
    tick(world, rid, "Terverifikasi", value=False)
    world.poll()
    assert status(world, rid) == "8 Perlu Perbaikan"
    assert "GALAT" in world.backend.get(OPD, rid, "Hasil Pemeriksaan")


def test_workspace_year_typo_does_not_unarchive_and_fixing_it_leaves_rows_as_they_were(world):
    rid = archived(world)
    world.config = replace(world.config, year=2023)  # 2025 typed as 2023 in satudata.toml
    world.poll()
    assert status(world, rid) == "10 Diarsip"
    assert world.backend.get(OPD, rid, "Terverifikasi") == "YA" and world.backend.get(OPD, rid, "Selesai Diisi") == "YA"
    assert "tahun kerja berubah dari 2025 menjadi 2023" in world.backend.get(OPD, rid, "Hasil Pemeriksaan")
    world.config = replace(world.config, year=2025)
    world.poll()
    assert status(world, rid) == "10 Diarsip"
    assert world.backend.get(OPD, rid, "Terverifikasi") == "YA"
    assert "tahun kerja" not in world.backend.get(OPD, rid, "Hasil Pemeriksaan")
    assert [r["versi"] for r in world.reads.archive_rows()] == [1]


def test_edit_of_a_kecamatan_row_does_not_unverify_the_archived_kabupaten_total(world, tmp_path):
    world.poll()
    b = world.backend
    parts = [(k.nama, "1") for k in WILAYAH.kecamatan]
    rows = [b.add_row(OPD, Kode_Data="K-1", Uraian_Data="Jumlah Posyandu", Satuan="Unit", Rincian=r, Tahun=2024,
                      Nilai=n) for r, n in [("Total kabupaten", str(len(parts))), *parts]]
    folder = tmp_path / "aturan"
    folder.mkdir()
    (folder / "jumlah.yaml").write_text("item:\n  - nama: Posyandu\n    kode_data: K-1\n    jumlah_kecamatan: true\n",
                                        encoding="utf-8")
    world.rules = load_rules(folder)
    world.poll()
    for row in rows:
        for box in ALL[:-1]:
            b.set(OPD, row, box, "YA")
    world.poll()
    for row in rows:
        b.set(OPD, row, "Terverifikasi", "YA")
    world.poll()
    assert b.get(OPD, rows[0], "Status") == "10 Diarsip"
    b.set(OPD, rows[1], "Terverifikasi", False)  # reopened to correct it
    b.set(OPD, rows[1], "Nilai", "5")  # the kecamatan rows no longer sum to the total
    world.poll()
    assert b.get(OPD, rows[0], "Status") == "10 Diarsip" and b.get(OPD, rows[0], "Terverifikasi") == "YA"
    assert "data lain pada item ini berubah" in b.get(OPD, rows[0], "Hasil Pemeriksaan")


def test_editing_keterangan_on_two_of_six_archived_rows_is_not_a_mass_change(world):
    world.poll()
    b = world.backend
    rows = [b.add_row(OPD, Kode_Data=f"K{i}", Uraian_Data=f"Jumlah Item {i}", Satuan="Unit", Tahun=2024,
                      Nilai=str(i + 1)) for i in range(6)]
    world.poll()
    for row in rows:
        for box in ALL[:-1]:
            b.set(OPD, row, box, "YA")
    world.poll()
    for row in rows:
        b.set(OPD, row, "Terverifikasi", "YA")
    world.poll()
    assert {b.get(OPD, r, "Status") for r in rows} == {"10 Diarsip"}
    b.set(OPD, rows[0], "Keterangan", "Sumber: SIMPUS")
    b.set(OPD, rows[3], "Keterangan", "Angka sementara")
    world.poll()
    memory = world.store.load_tab(OPD)
    assert memory.status == "ok", memory.message
    assert [b.get(OPD, r, "Status") for r in rows] == ["7 Diisi", "10 Diarsip", "10 Diarsip", "7 Diisi",
                                                       "10 Diarsip", "10 Diarsip"]


def test_dashboard_lists_verified_rows_that_need_the_walidatas_review(world, tmp_path):
    from service.web.app import create_app
    rid = archived(world)
    client = create_app(world.config, world.store, clock=lambda: world.now).test_client()
    assert "Perlu ditinjau Walidata" not in client.get("/").get_data(as_text=True)
    world.config = replace(world.config, year=2023)
    world.poll()
    client = create_app(world.config, world.store, clock=lambda: world.now).test_client()
    page = client.get("/").get_data(as_text=True)
    assert "Perlu ditinjau Walidata" in page and rid in page
    listed = client.get("/api/ringkasan").get_json()["perlu_ditinjau"]
    assert [r["id"] for r in listed] == [rid] and "tahun kerja berubah" in listed[0]["pesan"][0]


def test_the_review_list_is_kept_per_tab_and_a_cycle_reads_again_only_the_tabs_it_applied(world, monkeypatch):
    from service.archive.queries import Queries
    from service.web.app import create_app

    rid = archived(world)
    world.config = replace(world.config, year=2023)  # every verified row asks for the Walidata's review
    world.poll()
    asked: list[list[str]] = []
    real = Queries.rows_with_findings

    def rows_with_findings(self, opd=None, code_prefix=None, kodes=None):
        asked.append(sorted(kodes or []))
        return real(self, opd, code_prefix, kodes)
    monkeypatch.setattr(Queries, "rows_with_findings", rows_with_findings)
    client = create_app(world.config, world.store, clock=lambda: world.now).test_client()

    def listed() -> list[tuple[str, str, list[str]]]:
        return [(r["opd"], r["id"], r["pesan"]) for r in client.get("/api/ringkasan").get_json()["perlu_ditinjau"]]

    first = listed()
    assert [x[1] for x in first] == [rid] and asked == [["DIKPORA", "DINKES"]]
    world.backend.add_row("DIKPORA", Uraian_Data="Jumlah Sekolah", Satuan="Unit", Tahun=2023)
    world.poll()  # a cycle that applies DIKPORA only
    asked.clear()
    assert listed() == first and asked == [["DIKPORA"]]
    from service.reconcile.review import REVIEW_PREFIX
    fresh = real(Queries(world.store.engine), None, REVIEW_PREFIX, ["DIKPORA", "DINKES"])
    assert [(r["opd"], r["row_id"]) for r in fresh] == [(o, i) for o, i, _ in first]
