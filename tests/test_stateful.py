"""Random operators, Walidata, sorts, deletes and faults over many cycles: the invariants hold
after every step (hypothesis RuleBasedStateMachine on the shared fake backend)."""
from __future__ import annotations

import random
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from tests.conftest import World
from tests.invariants import check_invariants, sheet_ids
from tests.test_faults import Faulty

OPD = "DINKES"
BOXES = ("Dicek Bersama", "Disepakati OPD", "Disepakati Walidata", "Disetujui Ka. OPD", "Selesai Diisi",
         "Terverifikasi")
NILAI = st.sampled_from(["1.234", "12,5", "abc", "-", 7, 42.0, "", "12.5", "Rp 1.500", "9907"])
FAULTS = st.sampled_from(["read_503", "read_timeout", "write_error", "changed_before_write", "locked"])


class Sop(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.tmp = tempfile.TemporaryDirectory()
        self.world = World(Path(self.tmp.name))
        self.world.config = self.world.config.__class__(**{**self.world.config.__dict__,
                                                           "opds": self.world.config.opds[:1]})
        self.backend = self.world.backend
        self.world.poll()
        self.seen: set[tuple[str, str]] = set()
        self.fault_pending = False
        self.n = 0

    def teardown(self) -> None:
        self.world.store.engine.dispose()
        self.tmp.cleanup()

    def _rows(self) -> int:
        return len(self.backend.tabs[OPD].rows)

    @rule(satuan=st.sampled_from(["Unit", "Jiwa", "Persen", "Ha"]), rincian=st.sampled_from(["", "Poncol", "Plaosen"]))
    def add_row(self, satuan, rincian):
        self.n += 1
        self.backend.add_row(OPD, Uraian_Data=f"Item {self.n}", Satuan=satuan, Rincian=rincian, Tahun=2024)

    @precondition(lambda self: self._rows() > 0)
    @rule(data=st.data(), box=st.sampled_from(BOXES), value=st.sampled_from(["YA", None, "ok", True]))
    def tick(self, data, box, value):
        row = data.draw(st.integers(2, self._rows() + 1))
        self.backend.set(OPD, row, box, value)

    @precondition(lambda self: self._rows() > 0)
    @rule(data=st.data(), nilai=NILAI)
    def fill(self, data, nilai):
        self.backend.set(OPD, data.draw(st.integers(2, self._rows() + 1)), "Nilai", nilai)

    @precondition(lambda self: self._rows() > 0)
    @rule(data=st.data(), text=st.sampled_from(["Mohon cek sumber", "Angka tidak wajar", ""]))
    def walidata_note(self, data, text):
        self.backend.set(OPD, data.draw(st.integers(2, self._rows() + 1)), "Catatan Walidata", text)

    @precondition(lambda self: self._rows() > 0)
    @rule(data=st.data(), satuan=st.sampled_from(["Unit", "Orang"]))
    def edit_agreed(self, data, satuan):
        self.backend.set(OPD, data.draw(st.integers(2, self._rows() + 1)), "Satuan", satuan)

    @precondition(lambda self: self._rows() > 1)
    @rule(seed=st.integers(0, 1000))
    def sort_rows(self, seed):
        random.Random(seed).shuffle(self.backend.tabs[OPD].rows)
        self.backend.tabs[OPD].notes.clear()  # a sort moves notes; the fake drops them
        self.backend.tabs[OPD].version += 1

    @precondition(lambda self: self._rows() > 0)
    @rule(data=st.data())
    def delete_row(self, data):
        self.backend.delete_row(OPD, data.draw(st.integers(2, self._rows() + 1)))

    @precondition(lambda self: self._rows() > 0)
    @rule(data=st.data())
    def copy_row(self, data):
        tab = self.backend.tabs[OPD]
        tab.rows.append(list(tab.rows[data.draw(st.integers(0, self._rows() - 1))]))
        tab.version += 1

    @rule()
    def poll(self):
        self.seen |= sheet_ids(self.backend)
        self.world.backend = self.backend
        self.world.poll()
        self.fault_pending = False

    @rule(fault=FAULTS)
    def poll_with_fault(self, fault):
        self.seen |= sheet_ids(self.backend)
        self.world.backend = Faulty(self.backend, fault)
        self.world.poll()
        self.world.backend = self.backend
        self.fault_pending = True

    @rule()
    def confirm_removal(self):
        self.world.store.confirm_removal(OPD)

    @invariant()
    def promises_hold(self):
        check_invariants(self.world, self.seen, converged=False)

    def converge(self):
        self.world.poll()
        self.world.poll()
        check_invariants(self.world, self.seen | sheet_ids(self.backend), converged=True)
        writes = len(self.backend.writes)
        self.world.poll()
        assert len(self.backend.writes) == writes, "a settled sheet must not be written again"

    @rule()
    def settle(self):
        self.seen |= sheet_ids(self.backend)
        self.converge()


# Examples come from the Hypothesis profile (tests/conftest.py): thorough in CI, small locally.
Sop.TestCase.settings = settings(max_examples=max(10, settings.default.max_examples // 8), stateful_step_count=25,
                                 deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
TestSop = Sop.TestCase
