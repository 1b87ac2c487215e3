"""The SOP's state machine (DECISIONS.md #2), run through the poller on the shared fake backend."""
from __future__ import annotations

from sqlalchemy import select

from service.archive import schema

OPD = "DINKES"


def add_item(world, **extra):
    world.poll()  # creates the tab
    values = dict(Kode_Data="DEMO-DINKES-006", Uraian_Data="Jumlah Kasus Tuberkulosis", Satuan="Kasus",
                  Rincian="Total kabupaten")
    values.update(extra)
    row = world.backend.add_row(OPD, **values)
    world.poll()
    return world.backend.get(OPD, row, "ID")


def tick(world, row_id, *headers, value="YA"):
    for header in headers:
        world.backend.set(OPD, row_id, header, value)


def status(world, row_id):
    return world.backend.get(OPD, row_id, "Status")


def fill(world, row_id, tahun=2024, nilai="1.234"):
    world.backend.set(OPD, row_id, "Tahun", tahun)
    world.backend.set(OPD, row_id, "Nilai", nilai)


def verify(world, row_id):
    """The Walidata ticks Terverifikasi on a row the poller has shown as 7 Diisi."""
    assert status(world, row_id) == "7 Diisi", world.backend.get(OPD, row_id, "Hasil Pemeriksaan")
    tick(world, row_id, "Terverifikasi")
    world.poll()


def to_approved(world):
    rid = add_item(world)
    tick(world, rid, "Dicek Bersama", "Disepakati OPD", "Disepakati Walidata", "Disetujui Ka. OPD")
    world.poll()
    assert status(world, rid) == "6 Disetujui"
    return rid


def test_new_row_gets_an_id_and_draft_state(world):
    rid = add_item(world)
    assert rid == "DINKES-0001"
    assert status(world, rid) == "1 Draf"
    assert world.backend.get(OPD, rid, "Diperbarui").endswith("11:00")


def test_row_walks_from_draft_to_archive(world):
    rid = add_item(world)
    tick(world, rid, "Dicek Bersama")
    world.poll()
    assert status(world, rid) == "3 Dicek"
    tick(world, rid, "Disepakati OPD")
    world.poll()
    assert status(world, rid) == "3 Dicek"  # waiting for the Walidata's side
    tick(world, rid, "Disepakati Walidata")
    world.poll()
    assert status(world, rid) == "5 Disepakati"
    tick(world, rid, "Disetujui Ka. OPD")
    world.poll()
    assert status(world, rid) == "6 Disetujui"
    fill(world, rid, 2024, "1.234")
    tick(world, rid, "Selesai Diisi")
    world.poll()
    assert status(world, rid) == "7 Diisi"
    tick(world, rid, "Terverifikasi")
    world.poll()
    assert status(world, rid) == "10 Diarsip"
    exported = list(world.reads.archive_rows())
    assert [(r["id"], r["nilai"], r["tahun"], r["versi"]) for r in exported] == [(rid, 1234.0, 2024, 1)]
    states = [(e["from_state"], e["to_state"]) for e in reversed(world.reads.events(opd=OPD))]
    assert states == [(None, "1"), ("1", "3"), ("3", "5"), ("5", "6"), ("6", "7"), ("7", "9"), ("9", "10")]


def test_second_poll_without_edits_writes_nothing_and_records_nothing(world):
    rid = to_approved(world)
    fill(world, rid)
    tick(world, rid, "Selesai Diisi")
    world.poll()
    writes, events = len(world.backend.writes), len(world.reads.events(limit=1000))
    world.poll()
    world.poll()
    assert len(world.backend.writes) == writes
    assert len(world.reads.events(limit=1000)) == events


def test_box_ticked_before_its_turn_is_cleared_with_a_note(world):
    rid = add_item(world)
    tick(world, rid, "Disetujui Ka. OPD")
    world.poll()
    assert status(world, rid) == "1 Draf"
    assert not world.backend.get(OPD, rid, "Disetujui Ka. OPD")
    note = world.backend.note(OPD, rid, "Disetujui Ka. OPD")
    assert note.startswith("[Pemeriksaan otomatis]") and "terlalu awal" in note
    assert "LANGKAH" in world.backend.get(OPD, rid, "Hasil Pemeriksaan")


def test_several_steps_advance_in_one_cycle_when_each_holds(world):
    rid = to_approved(world)
    events = [(e["from_state"], e["to_state"]) for e in reversed(world.reads.events(opd=OPD, row_id=rid))]
    assert events[-3:] == [("1", "3"), ("3", "5"), ("5", "6")]


def test_fill_with_errors_goes_to_perlu_perbaikan_and_clears_the_box(world):
    rid = to_approved(world)
    world.backend.set(OPD, rid, "Tahun", 2024)
    world.backend.set(OPD, rid, "Nilai", "banyak")
    tick(world, rid, "Selesai Diisi")
    world.poll()
    assert status(world, rid) == "8 Perlu Perbaikan"
    assert not world.backend.get(OPD, rid, "Selesai Diisi")
    assert "bukan angka" in world.backend.note(OPD, rid, "Nilai")
    world.backend.set(OPD, rid, "Nilai", "1.500")
    world.poll()  # fixed, not ticked yet: the clear's reason must not say the error is still there
    assert status(world, rid) == "8 Perlu Perbaikan"
    assert "ada 1 galat pada Nilai saat dicentang" in world.backend.get(OPD, rid, "Hasil Pemeriksaan")
    assert "masih ada" not in world.backend.get(OPD, rid, "Hasil Pemeriksaan")
    tick(world, rid, "Selesai Diisi")
    world.poll()
    assert status(world, rid) == "7 Diisi"
    assert world.backend.note(OPD, rid, "Nilai") is None or "bukan angka" not in world.backend.note(OPD, rid, "Nilai")


def test_new_catatan_walidata_sends_a_filled_row_to_revision(world):
    rid = to_approved(world)
    fill(world, rid)
    tick(world, rid, "Selesai Diisi")
    world.poll()
    world.backend.set(OPD, rid, "Catatan Walidata", "Sumber data belum ditulis")
    world.poll()
    assert status(world, rid) == "7a Revisi"
    assert not world.backend.get(OPD, rid, "Selesai Diisi")
    world.poll()
    assert status(world, rid) == "7a Revisi"  # the same note is not a new request
    tick(world, rid, "Selesai Diisi")
    world.poll()
    assert status(world, rid) == "7 Diisi"
    world.poll()
    assert status(world, rid) == "7 Diisi"


def test_clearing_own_box_steps_the_row_back(world):
    rid = to_approved(world)
    fill(world, rid)
    tick(world, rid, "Selesai Diisi")
    world.poll()
    tick(world, rid, "Selesai Diisi", value=None)
    world.poll()
    assert status(world, rid) == "6 Disetujui"


def test_editing_agreed_item_reopens_the_list(world):
    rid = to_approved(world)
    world.backend.set(OPD, rid, "Satuan", "Orang")
    world.poll()
    assert status(world, rid) == "3 Dicek"
    for header in ("Disepakati OPD", "Disepakati Walidata", "Disetujui Ka. OPD"):
        assert not world.backend.get(OPD, rid, header)
    assert world.backend.get(OPD, rid, "Dicek Bersama") == "YA"
    assert "Satuan berubah" in world.backend.note(OPD, rid, "Disepakati OPD")


def test_value_edit_after_archive_asks_for_reverification_and_keeps_both_versions(world):
    rid = to_approved(world)
    fill(world, rid, nilai="1.234")
    tick(world, rid, "Selesai Diisi")
    world.poll()
    tick(world, rid, "Terverifikasi")
    world.poll()
    assert status(world, rid) == "10 Diarsip"
    world.backend.set(OPD, rid, "Nilai", "1.300")
    world.poll()
    assert status(world, rid) == "7 Diisi"
    assert not world.backend.get(OPD, rid, "Terverifikasi")
    tick(world, rid, "Terverifikasi")
    world.poll()
    assert status(world, rid) == "10 Diarsip"
    versions = [(r["versi"], r["nilai"]) for r in world.reads.archive_rows(all_versions=True)]
    assert versions == [(1, 1234.0), (2, 1300.0)]
    assert [r["nilai"] for r in world.reads.archive_rows()] == [1300.0]


def test_archiving_twice_is_idempotent(world):
    rid = to_approved(world)
    fill(world, rid)
    tick(world, rid, "Selesai Diisi")
    world.poll()
    verify(world, rid)
    tick(world, rid, "Terverifikasi", value=None)
    world.poll()
    tick(world, rid, "Terverifikasi")
    world.poll()
    with world.store.engine.connect() as conn:
        assert len(conn.execute(select(schema.archive)).all()) == 1


def test_removed_row_is_recorded_never_deleted_from_archive(world):
    first = add_item(world)
    second = world.backend.get(OPD, world.backend.add_row(OPD, Uraian_Data="Jumlah Puskesmas", Satuan="Unit"), "ID")
    third = world.backend.get(OPD, world.backend.add_row(OPD, Uraian_Data="Jumlah Dokter", Satuan="Orang"), "ID")
    world.poll()
    world.backend.delete_row(OPD, world.backend.row_of(OPD, "DINKES-0002"))
    world.poll()
    assert world.row(OPD, "DINKES-0002").removed
    assert [e["to_state"] for e in world.reads.events(opd=OPD, row_id="DINKES-0002")][0] == "dihapus"
    assert first and second is None and third is None


def test_mass_deletion_is_held_until_confirmed(world):
    world.poll()
    for i in range(8):
        world.backend.add_row(OPD, Uraian_Data=f"Item {i}", Satuan="Unit")
    world.poll()
    del world.backend.tabs[OPD].rows[2:]
    world.backend.tabs[OPD].version += 1
    world.poll()
    tab = world.store.load_tab(OPD)
    assert tab.status == "hapus_massal"
    assert not any(r.removed for r in tab.rows.values())
    assert "satudata confirm DINKES" in world.backend.tabs[OPD].notes[(0, 0)]
    world.store.confirm_removal(OPD)
    world.poll()
    tab = world.store.load_tab(OPD)
    assert tab.status == "ok" and sum(r.removed for r in tab.rows.values()) == 6
    assert (0, 0) not in world.backend.tabs[OPD].notes


def test_copied_row_keeps_first_id_and_copy_gets_a_new_one(world):
    rid = add_item(world)
    original = world.backend.tabs[OPD].rows[0]
    world.backend.tabs[OPD].rows.append(list(original))
    world.backend.tabs[OPD].version += 1
    world.poll()
    ids = world.backend.ids(OPD)
    assert ids == [rid, "DINKES-0002"]
    assert "ganda" in world.backend.note(OPD, 3, "ID")


def test_tab_with_missing_header_is_skipped_while_others_proceed(world):
    world.poll()
    world.backend.tabs[OPD].header[world.backend._col(OPD, "Satuan")] = "Unit Ukur"
    world.backend.add_row(OPD, Uraian_Data="X")
    world.backend.add_row("DIKPORA", Uraian_Data="Jumlah SD", Satuan="Unit")
    report = world.poll()
    statuses = {t.opd: t.status for t in report.tabs}
    assert statuses == {"DINKES": "dilewati", "DIKPORA": "diproses"}
    assert world.backend.ids(OPD) == [None]
    assert "Satuan" in world.backend.tabs[OPD].notes[(0, 0)]
    assert world.backend.ids("DIKPORA") == ["DIKPORA-0001"]


def test_poller_never_writes_operator_or_walidata_columns(world):
    rid = to_approved(world)
    fill(world, rid, nilai="abc")
    world.backend.set(OPD, rid, "Catatan Walidata", "cek")
    tick(world, rid, "Selesai Diisi")
    world.poll()
    allowed = {world.backend._col(OPD, h) for h in ("ID", "Status", "Hasil Pemeriksaan", "Diperbarui",
                                                     "Dicek Bersama", "Disepakati OPD", "Disepakati Walidata",
                                                     "Disetujui Ka. OPD", "Selesai Diisi", "Terverifikasi")}
    boxes = {world.backend._col(OPD, h) for h in ("Dicek Bersama", "Disepakati OPD", "Disepakati Walidata",
                                                   "Disetujui Ka. OPD", "Selesai Diisi", "Terverifikasi")}
    for batch in world.backend.writes:
        for w in batch.cells:
            assert w.col in allowed
            if w.col in boxes:
                assert w.value is False


def test_early_tick_with_hidden_findings_settles_in_one_write(world):
    rid = add_item(world, Nilai="abc", Tahun=2031)
    tick(world, rid, "Terverifikasi")
    world.poll()
    assert not world.backend.get(OPD, rid, "Terverifikasi")
    writes = len(world.backend.writes)
    world.poll()
    world.poll()
    assert len(world.backend.writes) == writes


def test_edited_rule_file_rechecks_rows_that_did_not_change(world, tmp_path):
    import dataclasses

    from rules.rulefile import load_rules
    rid = add_item(world, Uraian_Data="Angka Kematian Ibu", Satuan="per 100.000 KH", Tahun=2024, Nilai="250")
    assert "di atas batas" not in world.backend.get(OPD, rid, "Hasil Pemeriksaan")
    (tmp_path / "aturan").mkdir()
    (tmp_path / "aturan" / "aki.yaml").write_text(
        "item:\n  - nama: AKI\n    uraian: kematian ibu\n    kolom:\n      nilai: {maximum: 200}\n", encoding="utf-8")
    world.rules = dataclasses.replace(world.rules, items=world.rules.items + load_rules(tmp_path / "aturan").items)
    world.poll()
    assert "di atas batas" in world.backend.get(OPD, rid, "Hasil Pemeriksaan")


def test_editing_an_archived_value_is_compared_with_its_archived_version(world):
    rid = add_item(world, Uraian_Data="Indeks Pembangunan Manusia", Satuan="indeks", Tahun=2024, Nilai="72,45")
    tick(world, rid, "Dicek Bersama", "Disepakati OPD", "Disepakati Walidata", "Disetujui Ka. OPD",
         "Selesai Diisi")
    world.poll()
    verify(world, rid)
    assert status(world, rid) == "10 Diarsip"
    world.backend.set(OPD, rid, "Nilai", "7245")
    world.poll()
    assert status(world, rid) == "7 Diisi"
    assert "koma desimal hilang" in world.backend.get(OPD, rid, "Hasil Pemeriksaan")


def test_sorting_only_some_columns_is_held_not_reopening_every_row(world):
    world.poll()
    for i in range(6):
        world.backend.add_row(OPD, Kode_Data=f"K{i}", Uraian_Data=f"Item {i}", Satuan="Unit", **{
            "Dicek_Bersama": "YA", "Disepakati_OPD": "YA", "Disepakati_Walidata": "YA"})
    world.poll()
    tab = world.backend.tabs[OPD]
    uraian = world.backend._col(OPD, "Uraian Data")
    values = [r[uraian] for r in tab.rows]
    for r, v in zip(tab.rows, reversed(values)):  # Uraian sorted on its own: data moves, IDs stay
        r[uraian] = v
    tab.version += 1
    world.poll()
    memory = world.store.load_tab(OPD)
    assert memory.status == "ubah_massal" and {r.state for r in memory.rows.values()} == {"5"}
    assert all(world.backend.get(OPD, i + 2, "Disepakati OPD") == "YA" for i in range(6))
    world.store.confirm_removal(OPD)
    world.poll()
    assert {r.state for r in world.store.load_tab(OPD).rows.values()} == {"3"}


def test_copied_row_starts_again_from_draft(world):
    rid = add_item(world, Tahun=2024, Nilai="12")
    tick(world, rid, "Dicek Bersama", "Disepakati OPD", "Disepakati Walidata", "Disetujui Ka. OPD",
         "Selesai Diisi")
    world.poll()
    verify(world, rid)
    assert status(world, rid) == "10 Diarsip"
    tab = world.backend.tabs[OPD]
    copy = list(tab.rows[0])
    copy[world.backend._col(OPD, "Rincian")] = "Parang"
    tab.rows.append(copy)
    tab.version += 1
    world.poll()
    assert world.backend.get(OPD, 3, "Status") == "1 Draf"
    assert not world.backend.get(OPD, 3, "Terverifikasi")
    assert [r["id"] for r in world.reads.archive_rows()] == [rid]


def test_audit_records_the_ticks_that_caused_a_rejection(world):
    rid = to_approved(world)
    world.backend.set(OPD, rid, "Tahun", 2024)
    world.backend.set(OPD, rid, "Nilai", "abc")
    tick(world, rid, "Selesai Diisi")
    world.poll()
    event = world.reads.events(limit=1, opd=OPD)[0]
    assert event["to_state"] == "8" and event["cell_values"]["selesai_diisi"] is True


def test_duplicated_header_is_reported_on_the_tab(world):
    world.poll()
    world.backend.tabs[OPD].header.append("Nilai")
    world.backend.add_row(OPD, Uraian_Data="Jumlah Puskesmas", Satuan="Unit")
    report = world.poll()
    tab = next(t for t in report.tabs if t.opd == OPD)
    assert "Judul kolom ganda: Nilai" in tab.message


def test_keterangan_edit_after_archive_needs_verification_before_a_new_version(world):
    rid = to_approved(world)
    fill(world, rid)
    tick(world, rid, "Selesai Diisi")
    world.poll()
    verify(world, rid)
    world.backend.set(OPD, rid, "Keterangan", "Sumber: SITB 2024")
    world.poll()
    assert status(world, rid) == "7 Diisi" and not world.backend.get(OPD, rid, "Terverifikasi")
    assert len(list(world.reads.archive_rows(all_versions=True))) == 1
    tick(world, rid, "Terverifikasi")
    world.poll()
    assert [r["keterangan"] for r in world.reads.archive_rows(all_versions=True)] == ["", "Sumber: SITB 2024"]


def test_deleting_an_optional_column_is_not_an_edit_of_archived_rows(world):
    rid = to_approved(world)
    world.backend.set(OPD, rid, "Keterangan", "Laporan SITB 2024")
    fill(world, rid)
    tick(world, rid, "Selesai Diisi")
    world.poll()
    verify(world, rid)
    tab = world.backend.tabs[OPD]
    col = world.backend._col(OPD, "Keterangan")
    del tab.header[col]
    for r in tab.rows:
        del r[col:col + 1]
    tab.version += 1
    world.poll()
    assert status(world, rid) == "10 Diarsip"
    assert [r["keterangan"] for r in world.reads.archive_rows(all_versions=True)] == ["Laporan SITB 2024"]


def test_revision_note_written_with_the_fill_in_one_cycle_is_not_lost(world):
    rid = to_approved(world)
    fill(world, rid)
    tick(world, rid, "Selesai Diisi")
    world.backend.set(OPD, rid, "Catatan Walidata", "Satuan perlu dicek")
    world.poll()
    assert status(world, rid) == "7a Revisi"
    assert not world.backend.get(OPD, rid, "Selesai Diisi")


def test_held_tab_uses_up_no_ids(world):
    world.poll()
    for i in range(4):
        world.backend.add_row(OPD, Uraian_Data=f"Item {i}", Satuan="Unit")
    world.poll()
    tab = world.backend.tabs[OPD]
    del tab.rows[:3]
    tab.rows.append([None] * len(tab.header))
    tab.rows[-1][world.backend._col(OPD, "Uraian Data")] = "Item baru"
    tab.version += 1
    world.poll()
    assert world.store.load_tab(OPD).next_seq == 5


def test_percent_formatted_cell_is_remembered_as_shown(world):
    rid = to_approved(world)
    world.backend.set(OPD, rid, "Satuan", "Persen")
    world.poll()
    tick(world, rid, "Disepakati OPD", "Disepakati Walidata", "Disetujui Ka. OPD")
    world.backend.set(OPD, rid, "Tahun", 2024)
    world.backend.set(OPD, rid, "Nilai", 0.125)
    world.backend.tabs[OPD].percent.add((world.backend.row_of(OPD, rid) - 2, world.backend._col(OPD, "Nilai")))
    tick(world, rid, "Selesai Diisi")
    world.poll()
    verify(world, rid)
    record = list(world.reads.archive_rows())[0]
    assert record["nilai"] == 12.5
    assert world.row(OPD, rid).data["nilai"] == "12,5%"


def test_sorting_data_columns_without_the_step_columns_is_held(world):
    world.poll()
    b = world.backend
    for i in range(6):
        b.add_row(OPD, Kode_Data=f"K{i}", Uraian_Data=f"Item {i}", Satuan="Unit", Rincian="Poncol", Tahun=2024,
                  Nilai=str(i + 1), **({"Dicek_Bersama": "YA", "Disepakati_OPD": "YA", "Disepakati_Walidata": "YA",
                                        "Disetujui Ka. OPD": "YA", "Selesai_Diisi": "YA", "Terverifikasi": "YA"}
                                       if i % 2 else {}))
    world.poll()
    tab = b.tabs[OPD]
    moved = [b._col(OPD, h) for h in ("ID", "Kode Data", "Uraian Data", "Rincian", "Satuan", "Tahun", "Nilai")]
    rows = [[r[c] for c in moved] for r in tab.rows]
    for r, values in zip(tab.rows, reversed(rows)):  # A:G sorted; steps and Status stay put
        for c, v in zip(moved, values):
            r[c] = v
    tab.version += 1
    archived = len(list(world.reads.archive_rows(all_versions=True)))
    world.poll()
    assert world.store.load_tab(OPD).status == "ubah_massal"
    assert len(list(world.reads.archive_rows(all_versions=True))) == archived
