"""Fault matrix: a failure at each point of a cycle, then the next cycle converges and every
invariant holds (nothing typed is lost or overwritten, nothing archived twice)."""
from __future__ import annotations

import os

import pytest

from tests.invariants import check_invariants, sheet_ids

OPD = "DINKES"
STEPS = ("Dicek Bersama", "Disepakati OPD", "Disepakati Walidata", "Disetujui Ka. OPD")


class Faulty:
    """Wraps the fake backend and fails the way a network or a person does."""

    def __init__(self, inner, fault: str | None = None) -> None:
        self.inner, self.fault = inner, fault
        self.requests = inner.requests

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def ensure_tabs(self, opds):
        return self.inner.ensure_tabs(opds)

    def read(self, opds, known):
        fault, self.fault = self.fault, (self.fault if self.fault not in ("read_429", "read_503", "read_timeout",
                                                                           "read_reset") else None)
        if fault == "read_429":
            raise RuntimeError("APIError 429: Quota exceeded for quota metric 'Read requests'")
        if fault == "read_503":
            raise RuntimeError("APIError 503: The service is currently unavailable")
        if fault == "read_timeout":
            raise TimeoutError("read timed out")
        if fault == "read_reset":
            raise ConnectionResetError("connection reset by peer")
        return self.inner.read(opds, known)

    def write(self, batches, snapshots):
        fault, self.fault = self.fault, None
        if fault == "write_error":
            raise ConnectionError("write failed after the database commit")
        if fault == "changed_before_write":
            for batch in batches:
                self.inner.tabs[batch.opd].version += 1  # a person saved in between
        if fault == "locked":
            self.inner.locked.update(b.opd for b in batches)
            try:
                return self.inner.write(batches, snapshots)
            finally:
                self.inner.locked.clear()
        if fault == "tab_deleted":
            for batch in batches:
                self.inner.tabs.pop(batch.opd, None)
            return {b.opd: _missing() for b in batches}
        return self.inner.write(batches, snapshots)


def _missing():
    from sheets.base import WriteResult
    return WriteResult("Tab tidak ditemukan saat menulis; dicoba lagi pada siklus berikutnya")


def _scenario(world):
    """A row filled with an error, another ready for verification, a revision request."""
    world.poll()
    b = world.backend
    rows = [b.add_row(OPD, Kode_Data=f"K{i}", Uraian_Data=f"Jumlah Item {i}", Satuan="Unit", Tahun=2024,
                      Nilai=str(100 + i)) for i in range(6)]
    world.poll()
    ids = [b.get(OPD, r, "ID") for r in rows]
    for rid in ids:
        for step in STEPS:
            b.set(OPD, rid, step, "YA")
    world.poll()
    return ids


FAULTS = ["read_429", "read_503", "read_timeout", "read_reset", "write_error", "changed_before_write",
          "locked", "tab_deleted"]


@pytest.mark.parametrize("fault", FAULTS)
def test_cycle_converges_after_fault(world, fault):
    ids = _scenario(world)
    seen = sheet_ids(world.backend)
    b = world.backend
    b.set(OPD, ids[2], "Selesai Diisi", "YA")
    world.poll()  # shown as 7 Diisi: ready for verification
    b.set(OPD, ids[0], "Nilai", "seratus")  # an error: will be rejected
    b.set(OPD, ids[0], "Selesai Diisi", "YA")
    b.set(OPD, ids[1], "Selesai Diisi", "YA")
    b.set(OPD, ids[2], "Terverifikasi", "YA")
    tabs_before = {k: v for k, v in b.tabs.items()}
    world.backend = Faulty(b, fault)
    report = world.poll()
    assert report.errors, "the fault must be reported"
    check_invariants(world, seen, converged=False)
    if fault == "tab_deleted":
        b.tabs.update(tabs_before)  # a person restores the tab from version history
    world.backend = b
    world.poll()
    world.poll()
    check_invariants(world, seen | sheet_ids(b))
    assert b.get(OPD, ids[0], "Status") == "8 Perlu Perbaikan"
    assert not b.get(OPD, ids[0], "Selesai Diisi")
    assert b.get(OPD, ids[0], "Nilai") == "seratus"
    assert b.get(OPD, ids[1], "Status") == "7 Diisi"
    assert b.get(OPD, ids[2], "Status") == "10 Diarsip"
    assert len(list(world.reads.archive_rows(all_versions=True))) == 1
    writes = len(b.writes)
    world.poll()
    assert len(b.writes) == writes  # converged: nothing more to write


def test_revision_survives_a_lost_write(world):
    ids = _scenario(world)
    b = world.backend
    b.set(OPD, ids[3], "Selesai Diisi", "YA")
    world.poll()
    b.set(OPD, ids[3], "Catatan Walidata", "Sumber belum jelas")
    world.backend = Faulty(b, "write_error")
    world.poll()  # 7a decided and committed; clearing Selesai Diisi never reached the sheet
    assert b.get(OPD, ids[3], "Selesai Diisi") == "YA"
    world.backend = b
    world.poll()
    assert b.get(OPD, ids[3], "Status") == "7a Revisi"
    assert not b.get(OPD, ids[3], "Selesai Diisi")


def test_lost_write_of_new_ids_does_not_duplicate_rows(world):
    world.poll()
    b = world.backend
    b.add_row(OPD, Uraian_Data="Jumlah Puskesmas", Satuan="Unit")
    b.add_row(OPD, Uraian_Data="Jumlah Dokter", Satuan="Orang")
    world.backend = Faulty(b, "write_error")
    world.poll()
    world.backend = b
    world.poll()
    assert b.ids(OPD) == ["DINKES-0001", "DINKES-0002"]
    memory = world.store.load_tab(OPD)
    assert sorted(memory.rows) == ["DINKES-0001", "DINKES-0002"]
    assert not any(r.removed for r in memory.rows.values())


def test_interrupted_workbook_write_leaves_the_original_intact(tmp_path, monkeypatch):
    from tests.test_xlsx_flow import Workspace
    ws = Workspace(tmp_path)
    ws.cli("poll", "--once")
    ws.edit("DINKES", 2, uraian_data="Jumlah Puskesmas", satuan="Unit")
    before = ws.path("DINKES").read_bytes()
    real_replace = os.replace

    def crash(src, dst):
        raise OSError("disk full (simulated) while replacing the workbook")

    monkeypatch.setattr(os, "replace", crash)
    ws.runner.invoke(__import__("service.cli.commands", fromlist=["main"]).main,
                     ["-c", str(tmp_path / "satudata.toml"), "poll", "--once"])
    assert ws.path("DINKES").read_bytes() == before
    assert not [p for p in (tmp_path / "sheets").iterdir() if p.name.startswith(".") or p.suffix == ".tmp"]
    monkeypatch.setattr(os, "replace", real_replace)
    ws.cli("poll", "--once")
    assert ws.cell("DINKES", 2, "ID").value == "DINKES-0001"
    assert ws.cell("DINKES", 2, "Status").value == "1 Draf"


def test_renamed_tab_is_reported_and_other_tabs_go_on(tmp_path):
    import openpyxl

    from sheets.xlsx import save_atomic
    from tests.test_xlsx_flow import Workspace
    ws = Workspace(tmp_path)
    ws.cli("poll", "--once")
    wb = openpyxl.load_workbook(ws.path("DINKES"))
    wb.worksheets[0].title = "Lembar1"
    save_atomic(wb, ws.path("DINKES"))
    ws.edit("DIKPORA", 2, uraian_data="Jumlah SD", satuan="Unit")
    out = ws.cli("poll", "--once").output
    assert "DINKES" in out and "tidak ditemukan" in out
    assert ws.cell("DIKPORA", 2, "ID").value == "DIKPORA-0001"


def test_deleted_tab_is_recreated_empty_and_held_not_treated_as_removals(world):
    ids = _scenario(world)
    del world.backend.tabs[OPD]
    report = world.poll()
    assert any(OPD in e for e in report.errors)  # reported first
    report = world.poll()
    assert OPD in report.created  # then made again from the template
    memory = world.store.load_tab(OPD)
    assert memory.status == "hapus_massal"
    assert not any(memory.rows[i].removed for i in ids)
    check_invariants(world, set((OPD, i) for i in ids), converged=False)
