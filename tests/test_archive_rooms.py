"""The pure decisions the archive only persists, and the batched writes on every database."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import insert, select

from rules.deadlines import phase_order
from rules.keys import history_of, item_key, rincian_key
from rules.sop import load_sop
from rules.wilayah import Wilayah
from service.archive import schema as t
from service.archive.bulk import execute_many


def test_the_phase_is_the_least_advanced_known_state():
    sop = load_sop()
    states = [s.code for s in sop.ordered()]
    assert phase_order(states[2:], sop) == sop.states[states[2]].order
    assert phase_order([states[-1], states[1], "bukan-status"], sop) == sop.states[states[1]].order
    assert phase_order([], sop) is None


def test_history_keys_items_and_places_and_skips_versions_without_year_or_number():
    wilayah = Wilayah.load()
    place = wilayah.kecamatan[0].nama
    history = history_of([("K1", "Jumlah", place, 2022, 5.0), ("k1 ", "lain", place, 2023, 7.0),
                          ("", "Jumlah  Sekolah", "", 2023, None), ("", "Jumlah Sekolah", "", None, 3.0),
                          ("", "Jumlah Sekolah", "", 2021, 1.0)], wilayah)
    assert history == {(item_key("K1", ""), rincian_key(place, wilayah)): [(2022, 5.0), (2023, 7.0)],
                       (item_key("", "jumlah sekolah"), rincian_key("", wilayah)): [(2021, 1.0)]}


def test_execute_many_stores_what_sqlalchemy_would(db_world):
    """Moments, booleans and None reach each database as SQLAlchemy's own insert stores them."""
    engine = db_world.store.engine
    at = datetime(2025, 6, 2, 9, 30, 15, 120, tzinfo=timezone.utc).replace(tzinfo=None)
    rows = [{"opd": "X", "next_seq": n, "token": None, "write_pending": n % 2 == 0, "confirm_removal": False,
             "status": "ok", "message": f"pesan {n} ✓", "checked_at": at if n else None} for n in range(3)]
    with engine.begin() as conn:
        execute_many(conn, "test tabs", lambda: insert(t.tabs), [{**r, "opd": f"B{n}"} for n, r in enumerate(rows)])
        conn.execute(insert(t.tabs), [{**r, "opd": f"C{n}"} for n, r in enumerate(rows)])
    with engine.connect() as conn:
        got = {r.opd: r for r in conn.execute(select(t.tabs))}
    for n in range(3):
        batched, plain = got[f"B{n}"], got[f"C{n}"]
        assert {k: v for k, v in batched._mapping.items() if k != "opd"} == \
               {k: v for k, v in plain._mapping.items() if k != "opd"}
    assert got["B1"].checked_at.replace(microsecond=0) == at.replace(microsecond=0) and got["B0"].write_pending is True and got["B2"].message == "pesan 2 ✓"
