"""What an edited cycle spends beside the rows it decides (DECISIONS.md #160): row fingerprints
kept between cycles by the backend's row content key (rowskip.Fingerprints, service/poller/memo.py),
so a re-read tab fingerprints only the rows whose content changed and the memo never changes what a
cycle decides; the write tokens of a cycle in one commit."""
from __future__ import annotations

from hashlib import blake2b

from service.poller.memo import FingerprintMemo
from service.reconcile import rowskip
from sheets.base import TabResult
from tests.conftest import World
from tests.fakes import FakeBackend

OPD = "DINKES"


class KeyedBackend(FakeBackend):
    """The fake sheet with a content key per row, as the Excel backend's row cache gives them:
    the key covers the row's place, its values and its marks."""

    def read(self, opds, known):
        out = []
        for result in super().read(opds, known):
            snap = result.snapshot
            if snap is not None:
                snap.row_keys = [blake2b(repr((i, row, snap.marks(i))).encode(), digest_size=16).digest()
                                 for i, row in enumerate(snap.rows)]
            out.append(result)
        return out

    def touch(self, opd: str) -> None:
        """The file saved again with nothing changed: the next cycle reads the tab."""
        self.tabs[opd].version += 1


def _rows(world: World, n: int) -> list[str]:
    world.poll()
    for i in range(n):
        world.backend.add_row(OPD, Kode_Data=f"K-{i // 3}", Uraian_Data=f"Jumlah {i // 3}", Satuan="Unit",
                              Rincian=f"Kec. {i}", Tahun=2024, Nilai=str(100 + i))
    world.poll()
    return world.backend.ids(OPD)


def _counted(monkeypatch) -> list[int]:
    calls: list[int] = []
    real = rowskip.raw_fingerprint

    def counting(snapshot, index, values, cols, salt):
        calls.append(index)
        return real(snapshot, index, values, cols, salt)
    monkeypatch.setattr(rowskip, "raw_fingerprint", counting)
    return calls


def test_a_tab_read_again_unchanged_fingerprints_no_row(tmp_path, monkeypatch):
    world = World(tmp_path, backend=KeyedBackend())
    _rows(world, 9)
    world.backend.touch(OPD)
    world.poll()  # the rows as our first write left them are keyed now
    calls = _counted(monkeypatch)
    world.backend.touch(OPD)
    report = world.poll()
    assert [t.status for t in report.tabs if t.opd == OPD] == ["diproses"]
    assert calls == []
    assert (world.config.cache_folder / "sidik" / f"{OPD}.sidik").is_file()


def test_an_edited_row_is_fingerprinted_and_decided_again(tmp_path, monkeypatch):
    world = World(tmp_path, backend=KeyedBackend())
    ids = _rows(world, 9)
    world.backend.touch(OPD)
    world.poll()
    calls = _counted(monkeypatch)
    world.backend.set(OPD, ids[4], "Nilai", "999")
    world.poll()
    assert calls == [4]  # the fifth data row, and no other
    assert world.row(OPD, ids[4]).data["nilai"] == "999"


def test_the_memo_never_changes_what_a_cycle_decides(tmp_path):
    """Two worlds in lockstep, one without row keys: the same sheets and the same memory after
    edits, ticks, a removed row, a damaged memo file and a rule salt that moved."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    plain, keyed = World(tmp_path / "a", backend=FakeBackend()), World(tmp_path / "b", backend=KeyedBackend())
    for world in (plain, keyed):
        ids = _rows(world, 12)
        world.backend.set(OPD, ids[0], "Nilai", "5")
        for header in ("Dicek Bersama", "Disepakati OPD", "Disepakati Walidata", "Disetujui Ka. OPD", "Selesai Diisi"):
            world.backend.set(OPD, ids[1], header, "YA")
        world.poll()
        world.backend.set(OPD, ids[1], "Terverifikasi", "YA")
        world.backend.set(OPD, ids[2], "Nilai", "bukan angka")
        world.poll()
        world.backend.delete_row(OPD, world.backend.row_of(OPD, ids[5]))
        world.poll()
    memo = keyed.config.cache_folder / "sidik" / f"{OPD}.sidik"
    memo.write_bytes(b"rusak")
    for world in (plain, keyed):
        world.backend.set(OPD, world.backend.ids(OPD)[3], "Nilai", "7")
        world.poll()
        world.config = world.config.__class__(**{**world.config.__dict__, "year": 2026})  # every row checked again
        world.poll()
    assert plain.backend.tabs[OPD].rows == keyed.backend.tabs[OPD].rows
    assert plain.backend.tabs[OPD].notes == keyed.backend.tabs[OPD].notes
    left, right = plain.store.load_tab(OPD).rows, keyed.store.load_tab(OPD).rows
    assert {k: (m.state, m.data, m.findings, m.fingerprint) for k, m in left.items()} == \
        {k: (m.state, m.data, m.findings, m.fingerprint) for k, m in right.items()}


def test_a_damaged_or_foreign_memo_file_is_ignored(tmp_path):
    memo = FingerprintMemo(tmp_path)
    assert memo.load(OPD) is None
    memo.save(OPD, {b"k": "f"})
    assert memo.load(OPD) == {b"k": "f"}
    for junk in (b"", b"rusak", __import__("marshal").dumps(("lain", {b"k": "f"})),
                 __import__("marshal").dumps(("satudata-sidik-1", {"k": 1}))):
        (tmp_path / f"{OPD}.sidik").write_bytes(junk)
        assert memo.load(OPD) is None


def test_without_row_keys_nothing_is_kept(tmp_path):
    world = World(tmp_path, backend=FakeBackend())
    _rows(world, 3)
    assert not (world.config.cache_folder / "sidik").exists()
    assert isinstance(world.backend.read([OPD], {})[0], TabResult)


def test_a_cycle_records_all_its_writes_in_one_transaction(tmp_path, monkeypatch):
    """The tokens the writes left are kept in one commit, not one per tab (a crash before it only
    makes the next cycle read those tabs again)."""
    world = World(tmp_path, backend=KeyedBackend())
    world.poll()
    for opd in ("DINKES", "DIKPORA"):
        world.backend.add_row(opd, Kode_Data="K-1", Uraian_Data="Jumlah", Satuan="Unit", Rincian="Total",
                              Tahun=2024, Nilai="1")
    calls: list[dict] = []
    real = world.store.mark_written
    monkeypatch.setattr(world.store, "mark_written", lambda tokens: (calls.append(dict(tokens)), real(tokens)))
    world.poll()
    assert [sorted(c) for c in calls] == [["DIKPORA", "DINKES"]]
    assert world.poll().requests.get("read", 0) == 0  # the tokens hold: nothing is read again
