"""The Metadata tab on Excel and on Google (the strict fake API) alike: read with the OPD tab, the same
refusals at agreement (step 5), a changed block of a verified item archived at once (DECISIONS.md #72, #74, #75)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rules.metadata import IND, KEG, SHEET
from sheets.google.backend import LIST_EVERY
from sheets.layout import match_headers
from tests.conftest import World
from tests.google_world import SPREADSHEET, GoogleWorld
from tests.test_metadata import INDIKATOR, KEGIATAN, grid

OPD = "DINKES"
AGREE = ("Dicek Bersama", "Disepakati OPD", "Disepakati Walidata")
INDIKATOR_3 = {**INDIKATOR, "nama_variabel_pembangun": "DEMO-3"}  # its own source: an item of the tab


class ExcelWorld(World):
    """The shared world on Excel workbooks, with a person's edits made through openpyxl."""

    def __init__(self, tmp_path: Path) -> None:
        from sheets.xlsx import XlsxBackend
        super().__init__(tmp_path, backend=XlsxBackend(tmp_path / "sheets"))
        self.acts = self  # what a person does

    def path(self, opd: str) -> Path:
        return self.backend.path(opd)

    def _sheet(self, opd: str):
        import openpyxl
        sheet = openpyxl.load_workbook(self.path(opd)).worksheets[0]
        return sheet, {str(c.value): i for i, c in enumerate(sheet[1]) if c.value}

    def _row_of(self, opd: str, rid: str) -> int:
        sheet, cols = self._sheet(opd)
        return next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, cols["ID"] + 1).value == rid)

    def add_row(self, opd: str, **values: Any) -> None:
        from sheets.tables import edit_tab

        def change(sheet, _cols):
            cols = {str(c.value): i for i, c in enumerate(sheet[1]) if c.value}
            row = max([r for r in range(2, sheet.max_row + 1)
                       if any(c.value not in (None, "") for c in sheet[r])] + [1]) + 1
            for name, value in values.items():
                sheet.cell(row, cols[name.replace("_", " ")] + 1, value)
        edit_tab(self.path(opd), change)

    def set(self, opd: str, rid: str, header: str, value: Any) -> None:
        from sheets.tables import edit_tab
        row = self._row_of(opd, rid)
        edit_tab(self.path(opd), lambda sheet, _c: setattr(
            sheet.cell(row, {str(c.value): i for i, c in enumerate(sheet[1])}[header] + 1), "value", value))

    def note(self, opd: str, rid: str, header: str) -> str | None:
        sheet, cols = self._sheet(opd)
        comment = sheet.cell(self._row_of(opd, rid), cols[header] + 1).comment
        return None if comment is None else comment.text

    def ids(self, opd: str) -> list[Any]:
        sheet, cols = self._sheet(opd)
        return [v for r in range(2, sheet.max_row + 1) if (v := sheet.cell(r, cols["ID"] + 1).value)]

    def put_metadata(self, rows: list[list[Any]]) -> None:
        from sheets.tables import write_metadata_tab
        write_metadata_tab(self.path(OPD), rows)


class GoogleMetadataWorld(GoogleWorld):
    @property
    def acts(self):
        return self.backend

    def put_metadata(self, rows: list[list[Any]]) -> None:
        """The operator pastes the blocks into the OPD's Metadata tab (made by the file's owner once)."""
        book = self.api.spreadsheets[SPREADSHEET]
        title = f"{SHEET} {OPD}"
        if not any(s.title == title for s in book.sheets):
            self.backend.rows_request(self.backend.owner, OPD, {"addSheet": {"properties": {"title": title}}})
            self.api.clock.advance(LIST_EVERY)  # a new tab is found when the tab list is next asked
        person = self.backend.person(self.backend.operators[OPD][0])
        values = [["" if v is None else v for v in r] + [""] * (4 - len(r)) for r in rows]
        values += [[""] * 4] * 10  # what was longer is emptied
        person.http_client.values_update(SPREADSHEET, f"'{title}'!A1:D{len(values)}", params={"valueInputOption": "RAW"},
                                         body={"values": values})


@pytest.fixture(params=["excel", "google"])
def world(request, tmp_path):
    w = ExcelWorld(tmp_path) if request.param == "excel" else GoogleMetadataWorld(tmp_path)
    yield w
    w.store.engine.dispose()


def _items(world) -> None:
    world.poll()  # makes the tab
    world.acts.add_row(OPD, Kode_Data="DEMO-3", Uraian_Data="Rasio Jenis Kelamin", Satuan="Persen", Tahun=2025)


def test_agreement_waits_for_complete_metadata_and_the_note_names_the_cell(world):
    _items(world)
    world.put_metadata(grid((KEG, "Registrasi Penduduk", KEGIATAN),
                            (IND, "DEMO-3", {**INDIKATOR_3, "interpretasi": ""})))
    world.poll()
    [rid] = world.acts.ids(OPD)
    for header in AGREE:
        world.acts.set(OPD, rid, header, "YA")
    world.poll()
    assert world.row(OPD, rid).state == "3"  # refused: the boxes wait for the metadata
    note = world.acts.note(OPD, rid, "Disepakati OPD") or ""
    where = "Metadata!D21" if isinstance(world, ExcelWorld) else f"'{SHEET} {OPD}'!D21"  # as the tab is named
    assert "Belum dapat disepakati" in note and f"Interpretasi ({where}) wajib diisi" in note
    world.put_metadata(grid((KEG, "Registrasi Penduduk", KEGIATAN),
                            (IND, "DEMO-3", INDIKATOR_3)))
    world.poll()
    for header in AGREE:
        world.acts.set(OPD, rid, header, "YA")
    world.poll()
    assert world.row(OPD, rid).state == "5"


def _verified(world) -> str:
    """DEMO-3 verified and archived with its metadata (version 1 of its MS-Ind block)."""
    _items(world)
    world.put_metadata(grid((KEG, "Registrasi Penduduk", KEGIATAN), (IND, "DEMO-3", INDIKATOR_3)))
    world.poll()
    [rid] = world.acts.ids(OPD)
    for header in AGREE + ("Disetujui Ka. OPD",):
        world.acts.set(OPD, rid, header, "YA")
    world.poll()
    world.acts.set(OPD, rid, "Nilai", "98,5")
    world.acts.set(OPD, rid, "Selesai Diisi", "YA")
    world.poll()
    world.acts.set(OPD, rid, "Terverifikasi", "YA")
    world.poll()
    world.poll()
    assert world.row(OPD, rid).state == "10"
    return rid


def _indicator_block(world) -> dict:
    [ind] = [b for b in world.reads.latest_metadata(OPD).values() if b["jenis"] == IND]
    return ind


def test_a_metadata_edit_on_a_verified_item_is_archived_at_once_and_it_stays_verified(world):
    rid = _verified(world)
    assert _indicator_block(world)["versi"] == 1
    world.put_metadata(grid((KEG, "Registrasi Penduduk", KEGIATAN),
                            (IND, "DEMO-3", {**INDIKATOR_3, "interpretasi": "Tafsiran baru"})))
    world.poll()
    ind = _indicator_block(world)
    assert (ind["versi"], ind["isi"]["interpretasi"]) == (2, "Tafsiran baru")
    assert world.row(OPD, rid).state == "10"  # a separate version stream: the item is not un-verified
    assert len(list(world.reads.archive_rows())) == 1
    world.poll()
    assert _indicator_block(world)["versi"] == 2  # the same content again: no version


def test_a_metadata_edit_on_a_verified_item_is_published_after_its_cycle(tmp_path):
    from service.publish.build import publish_after_cycle
    from service.publish.settings import load_settings
    w = ExcelWorld(tmp_path)
    _verified(w)
    assert publish_after_cycle(w.config, w.store, w.rules, w.wilayah) is None
    package = load_settings(w.config).folder / "data/dinkes.datapackage.json"
    assert "Tafsiran baru" not in package.read_text(encoding="utf-8")
    w.put_metadata(grid((KEG, "Registrasi Penduduk", KEGIATAN),
                        (IND, "DEMO-3", {**INDIKATOR_3, "interpretasi": "Tafsiran baru"})))
    w.poll()
    assert publish_after_cycle(w.config, w.store, w.rules, w.wilayah) is None  # the poller's hook
    assert "Tafsiran baru" in package.read_text(encoding="utf-8")
    w.store.engine.dispose()


def test_google_reads_the_metadata_tab_in_the_same_spreadsheets_get(tmp_path):
    w = GoogleMetadataWorld(tmp_path)
    _items(w)
    w.poll()
    w.put_metadata(grid((IND, "DEMO-3", INDIKATOR)))
    w.poll(minutes=61)  # the tab list is asked again within the hour
    before = w.api.count("read", user=w.api.service_account)
    w.put_metadata(grid((IND, "DEMO-3", {**INDIKATOR, "interpretasi": "lain"})))
    [result] = w.backend.read([OPD], {})
    assert w.api.count("read", user=w.api.service_account) - before == 1
    assert result.snapshot.metadata[0] == ["Jenis", "Kunci", "Elemen", "Isi"]
    assert any(r[3:] == ["lain"] for r in result.snapshot.metadata)


def test_distribute_adds_the_metadata_tab_on_google_and_never_over_one(tmp_path):
    import openpyxl

    from rules.metadata import parse_sheet
    from service.cli.distribute import distribute
    from tests.conftest import WILAYAH
    w = GoogleWorld(tmp_path)
    daftar = tmp_path / "daftar.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.append(["opd", "Kode Data", "Uraian Data", "Satuan", "Tahun"])
    workbook.active.append([OPD, "DEMO-3", "Rasio Jenis Kelamin", "Persen", "2025"])
    sheet = workbook.create_sheet("Metadata")
    for row in grid((KEG, "Registrasi Penduduk", KEGIATAN), (IND, "DEMO-3", INDIKATOR)):
        sheet.append(row)
    workbook.save(daftar)
    [first] = distribute(daftar, w.config, w.backend, WILAYAH).results
    assert first.metadata == "tab Metadata dibuat dengan 2 blok"
    w.poll(minutes=61)
    [result] = w.backend.read([OPD], {})
    parsed = parse_sheet(result.snapshot.metadata)
    assert parsed.item("DEMO-3", "").get("interpretasi") == INDIKATOR["interpretasi"]
    assert f"{SHEET} {OPD}" in {s.title for s in w.api.spreadsheets[SPREADSHEET].sheets}
    assert match_headers(result.snapshot.header).ok
    [again] = distribute(daftar, w.config, w.backend, WILAYAH).results
    assert again.metadata.startswith(f"tab {SHEET} {OPD} sudah ada")
