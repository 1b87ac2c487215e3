"""Hash chains over the archive and the audit: a raw SQL change, a changed "oleh" and a deleted
version are each caught, on SQLite, PostgreSQL and MariaDB; the poller appends only to a whole tail."""
from __future__ import annotations

import json

from sqlalchemy import delete, insert, select, update

from service.archive import chain, schema, texts
from service.reconcile.plan import TabStatus
from tests.test_store import OPD, _walk_to_archive


def _retell(conn, event_id: int, oleh: str) -> None:
    """Someone makes one event say another "oleh", behind the product's back: the event is pointed
    at a copy of its texts (event_texts, DECISIONS.md #151) that names someone else."""
    x, e = schema.event_texts, schema.events
    mine = conn.execute(select(x).join(e, e.c.teks == x.c.id).where(e.c.id == event_id)).one()
    copy = {k: v for k, v in mine._mapping.items() if k != "id"}
    forged = conn.execute(insert(x).values({**copy, "sidik": "f" * 64, "oleh": oleh}))
    conn.execute(update(e).where(e.c.id == event_id).values(teks=forged.inserted_primary_key[0]))


def _verified(world):
    rid = _walk_to_archive(world)
    world.backend.set(OPD, rid, "Nilai", "1.300")
    world.poll()
    world.backend.set(OPD, rid, "Terverifikasi", True)
    world.poll()
    return rid


def test_a_whole_archive_verifies_and_names_its_chain_heads(db_world):
    _verified(db_world)
    found = chain.verify(db_world.store.engine)
    assert found.ok and found.records > 0
    kinds = {(h["opd"], h["tahun"], h["jenis"]) for h in found.heads}
    assert kinds == {(OPD, 2025, "arsip"), (OPD, 2025, "audit")}
    assert all(len(h["kepala"]) == 64 for h in found.heads)


def test_a_raw_update_of_an_archived_value_names_the_datum_version_and_field(db_world):
    _verified(db_world)
    a = schema.archive
    with db_world.store.engine.begin() as conn:
        datum = conn.execute(select(a.c.datum).where(a.c.version == 1)).scalar()
        conn.execute(update(a).where(a.c.version == 1).values(nilai_teks="9.999"))
    found = chain.verify(db_world.store.engine)
    assert not found.ok
    first = found.breaks[0]
    assert (first.opd, first.kind, first.field) == (OPD, "arsip", "nilai_teks")
    assert f"Jumlah Puskesmas — seluruh kabupaten/kota, tahun 2024: datum {datum[:12]}… versi 1" in first.message
    assert "nilai (teks)" in first.message


def test_a_raw_update_of_the_float_value_is_caught(db_world):
    _verified(db_world)
    a = schema.archive
    with db_world.store.engine.begin() as conn:
        conn.execute(update(a).where(a.c.version == 2).values(nilai=1400.0))
    first = chain.verify(db_world.store.engine).breaks[0]
    assert (first.kind, first.field, first.seq) == ("arsip", "nilai", 2)


def test_a_changed_audit_oleh_is_caught(db_world):
    _verified(db_world)
    e = schema.events
    with db_world.store.engine.begin() as conn:
        target = conn.execute(select(e.c.id, e.c.chain_seq).order_by(e.c.id).limit(1).offset(3)).one()
        _retell(conn, target.id, "Orang Lain")
    found = chain.verify(db_world.store.engine)
    first = found.breaks[0]
    assert (first.kind, first.field, first.seq) == ("audit", "oleh", target.chain_seq)
    assert "peristiwa audit" in first.message and "kolom oleh" in first.message


def test_a_deleted_version_is_caught_in_the_middle_and_at_the_end(db_world):
    _verified(db_world)
    a = schema.archive
    with db_world.store.engine.begin() as conn:
        conn.execute(delete(a).where(a.c.version == 2))
    first = chain.verify(db_world.store.engine).breaks[0]
    assert first.missing and (first.kind, first.seq) == ("arsip", 2) and "hilang" in first.message
    e = schema.events
    with db_world.store.engine.begin() as conn:
        middle = conn.execute(select(e.c.id, e.c.chain_seq).order_by(e.c.id).limit(1).offset(2)).one()
        conn.execute(delete(e).where(e.c.id == middle.id))
    audit = [b for b in chain.verify(db_world.store.engine).breaks if b.kind == "audit"]
    assert audit[0].missing and audit[0].seq == middle.chain_seq


def test_the_poller_refuses_to_append_to_a_broken_tail_and_holds_the_tab(world):
    rid = _verified(world)
    e = schema.events
    with world.store.engine.begin() as conn:
        last = conn.execute(select(e.c.id).order_by(e.c.id.desc()).limit(1)).scalar()
        _retell(conn, last, "Bukan Sari")
        before = conn.execute(select(e.c.id).order_by(e.c.id.desc()).limit(1)).scalar()
    world.backend.set(OPD, rid, "Keterangan", "diubah")
    report = world.poll()
    tab = next(t for t in report.tabs if t.opd == OPD)
    assert tab.status == "dilewati" and "Tab ditahan" in tab.message and "kolom oleh" in tab.message
    with world.store.engine.connect() as conn:
        assert conn.execute(select(e.c.id).order_by(e.c.id.desc()).limit(1)).scalar() == before
        status = conn.execute(select(schema.tabs.c.status).where(schema.tabs.c.opd == OPD)).scalar()
    assert status == TabStatus.CHAIN_BROKEN


def test_appending_costs_the_same_queries_however_long_the_chain(world):
    """The tail check reads the last two records and the head, never the whole chain."""
    from sqlalchemy import event

    from service.archive.timestamps import to_db

    def appended(n: int) -> int:
        statements: list[str] = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        records = [{"opd": OPD, "at": to_db(world.now), "row_id": f"R{i}", "to_state": "1", "reason": "",
                    "cell_values": "{}", "kind": "status"} for i in range(n)]
        with world.store.engine.begin() as conn:
            event.listen(world.store.engine, "before_cursor_execute", listener)
            try:
                chain.append(conn, "audit", 2030, records, world.now)
            finally:
                event.remove(world.store.engine, "before_cursor_execute", listener)
            texts.refer(conn, records)
            conn.execute(schema.events.insert(), records)
        return len(statements)

    first = appended(3)
    assert appended(500) == appended(1) == first == 3  # the head, the last two records, the new head
    assert chain.verify(world.store.engine).ok


def test_the_migration_chains_an_archive_made_before_chains(db_url):
    from sqlalchemy import MetaData, Table, create_engine

    from service.archive.engine import migrate
    engine = create_engine(db_url)
    try:
        migrate(engine, "0009_dashboard_indexes")
        old = MetaData()
        events, archive = (Table(n, old, autoload_with=engine) for n in ("events", "archive"))
        from datetime import datetime
        with engine.begin() as conn:
            for i in range(3):
                conn.execute(insert(events).values(at=datetime(2024 + i // 2, 5, 1, 3, 4, 5, 123456), opd=OPD,
                                                   row_id="DINKES-0001", to_state="1", reason="", cell_values="{}",
                                                   kind="status", oleh="Operator Sari"))
            conn.execute(insert(archive).values(
                opd=OPD, row_id="DINKES-0001", version=1, kode_data="K", uraian_data="U", rincian="", satuan="Unit",
                tahun=2024, nilai=12.5, nilai_teks="12,5", keterangan="", content_hash="x" * 64,
                verified_at=datetime(2025, 1, 2), archived_at=datetime(2025, 1, 2), datum="d1", item_key="k",
                rincian_key="", kode_wilayah="", konsep="", definisi="", klasifikasi="", ukuran="", frekuensi=""))
        migrate(engine)
        found = chain.verify(engine)
        assert found.ok and found.records == 4
        assert [(h["tahun"], h["jenis"], h["panjang"]) for h in found.heads] == [
            (2024, "audit", 2), (2025, "arsip", 1), (2025, "audit", 1)]
        with engine.begin() as conn:
            first = conn.execute(select(schema.events.c.id).where(schema.events.c.chain_year == 2024)
                                 .order_by(schema.events.c.id)).scalars().first()
            _retell(conn, first, "Operator Lain")
        assert chain.verify(engine).breaks[0].field == "oleh"
    finally:
        engine.dispose()


def test_verify_archive_command_holds_then_names_the_changed_record(tmp_path):
    from click.testing import CliRunner

    from service.cli.commands import main
    from tests.test_cli import run
    ws = tmp_path / "ws"
    assert run("init", str(ws), "--demo").exit_code == 0
    config = str(ws / "satudata.toml")
    good = run("-c", config, "verify-archive")
    assert good.exit_code == 0, good.output
    assert "Arsip utuh" in good.output and "Kepala rantai" in good.output
    from sqlalchemy import create_engine
    engine = create_engine(f"sqlite:///{ws / 'arsip.sqlite'}")
    a = schema.archive
    with engine.begin() as conn:
        victim = conn.execute(select(a.c.opd, a.c.datum, a.c.version).order_by(a.c.id).limit(1)).one()
        conn.execute(update(a).where(a.c.opd == victim.opd, a.c.datum == victim.datum,
                                     a.c.version == victim.version).values(nilai_teks="0"))
    engine.dispose()
    bad = CliRunner().invoke(main, ["-c", config, "verify-archive", "--json"])
    assert bad.exit_code == 1
    first = json.loads(bad.output)["kerusakan"][0]
    assert (first["opd"], first["kolom"]) == (victim.opd, "nilai_teks")
    assert f"datum {victim.datum[:12]}… versi {victim.version}" in first["pesan"]
