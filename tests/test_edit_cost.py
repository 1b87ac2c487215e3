"""What an edited cycle spends beside the rows it decides (DECISIONS.md #160)."""
from __future__ import annotations

from tests.conftest import World


def test_a_cycle_records_all_its_writes_in_one_transaction(tmp_path, monkeypatch):
    """The tokens the writes left are kept in one commit, not one per tab (a crash before it only
    makes the next cycle read those tabs again)."""
    world = World(tmp_path)
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
