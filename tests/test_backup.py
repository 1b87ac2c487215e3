"""Backups taken during a poll cycle restore into SQLite, PostgreSQL and MariaDB with the same rows
and the same chain heads; restore refuses an archive that holds anything; old backups are pruned."""
from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from service.archive import backup, chain
from service.archive.queries import Queries
from tests.conftest import World
from tests.test_store import OPD, _walk_to_archive


def _archive_snapshot(engine) -> tuple:
    reads = Queries(engine)
    rows = [(r["opd"], r["id"], r["versi"], r["nilai_teks"] if "nilai_teks" in r else r["nilai"], r["tahun"])
            for r in reads.archive_rows(all_versions=True)]
    events = sorted(reads.events(limit=100_000, kind=None), key=lambda e: (e["opd"], e["chain_seq"]))
    return rows, [(e["opd"], e["row_id"], e["to_state"], e["oleh"], e["chain_hash"]) for e in events]


def _backup_mid_cycle(world: World, folder: Path):
    """Poll with DIKPORA changed too; the backup is taken after DINKES committed, before DIKPORA."""
    rid = _walk_to_archive(world)
    world.backend.set(OPD, rid, "Keterangan", "sumber: SIK")
    world.backend.add_row("DIKPORA", Uraian_Data="Jumlah Sekolah", Satuan="Unit")
    taken = {}
    original = world.store.apply

    def apply(plan, *args, **kwargs):
        added = original(plan, *args, **kwargs)
        if plan.opd == OPD and not taken:
            taken["path"], taken["manifest"] = backup.backup(world.store.engine, folder, world.now)
            taken["state"] = _archive_snapshot(world.store.engine)
            taken["heads"] = chain.heads(world.store.engine)
        return added

    world.store.apply = apply
    world.poll()
    world.store.apply = original
    assert taken, "the poll decided DINKES"
    assert _archive_snapshot(world.store.engine) != taken["state"]  # the cycle went on after the backup
    return taken


def test_a_backup_taken_mid_cycle_restores_into_each_engine_with_the_same_heads(world, tmp_path, db_url):
    taken = _backup_mid_cycle(world, tmp_path / "cadangan")
    manifest = taken["manifest"]
    assert manifest.mesin == "sqlite" and manifest.salinan_asli == "arsip.sqlite"
    assert manifest.kepala_rantai == taken["heads"] and manifest.jumlah_baris["archive"] == 1
    with zipfile.ZipFile(taken["path"]) as zf:
        assert sorted(zf.namelist()) == ["arsip.jsonl.gz", "arsip.sqlite", "manifest.json"]
        assert json.loads(zf.read("manifest.json"))["versi"] == backup.product_version()
    if db_url.startswith("sqlite"):  # the world's own archive is that file: restore beside it
        db_url = f"sqlite:///{tmp_path / 'pulih.sqlite'}"
    restored, found = backup.restore(taken["path"], db_url)
    assert found.ok and found.heads == manifest.kepala_rantai
    engine = create_engine(db_url)
    try:
        assert _archive_snapshot(engine)[0] == taken["state"][0]
        assert [e[:4] for e in _archive_snapshot(engine)[1]] == [e[:4] for e in taken["state"][1]]
        with engine.connect() as conn:
            for table in backup._tables():
                assert conn.execute(select(func.count()).select_from(table)).scalar() == \
                    manifest.jumlah_baris[table.name], table.name
            if engine.dialect.name == "postgresql":  # the planner knows the loaded tables at once
                known = dict(conn.exec_driver_sql("select relname, reltuples from pg_class where relname in "
                                                  "('events', 'archive', 'rows')").all())
                assert known == {name: manifest.jumlah_baris[name] for name in known} and len(known) == 3, known
    finally:
        engine.dispose()


def test_a_server_archive_backed_up_mid_cycle_restores_into_sqlite(db_world, tmp_path):
    taken = _backup_mid_cycle(db_world, tmp_path / "cadangan")
    manifest = taken["manifest"]
    if manifest.mesin != "sqlite":
        assert manifest.salinan_asli in ("arsip.pg.sql", "arsip.mariadb.sql"), manifest.salinan_asli
        with zipfile.ZipFile(taken["path"]) as zf:
            assert b"CREATE TABLE" in zf.read(manifest.salinan_asli).upper()
    target = f"sqlite:///{tmp_path / 'pulih.sqlite'}"
    _, found = backup.restore(taken["path"], target)
    assert found.ok and found.heads == manifest.kepala_rantai
    engine = create_engine(target)
    try:
        assert _archive_snapshot(engine)[0] == taken["state"][0]
    finally:
        engine.dispose()


def test_restore_refuses_an_archive_that_holds_rows(world, tmp_path):
    path, _ = backup.backup(world.store.engine, tmp_path / "c", world.now)
    _walk_to_archive(world)
    with pytest.raises(backup.BackupError, match="tidak kosong"):
        backup.restore(path, world.config.archive_url)


def test_a_damaged_backup_is_refused(world, tmp_path):
    _walk_to_archive(world)
    path, _ = backup.backup(world.store.engine, tmp_path / "c", world.now)
    bad = tmp_path / "rusak.zip"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(bad, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            dst.writestr(name, data[:-10] + b"0" * 10 if name == backup.DUMP else data)
    with pytest.raises(backup.BackupError, match="rusak"):
        backup.restore(bad, f"sqlite:///{tmp_path / 'x.sqlite'}")


def test_only_the_newest_backups_are_kept(world, tmp_path):
    from datetime import timedelta
    folder = tmp_path / "c"
    (folder).mkdir()
    (folder / "catatan.txt").write_text("bukan cadangan")
    for i in range(4):
        backup.backup(world.store.engine, folder, world.now + timedelta(days=i), keep=2)
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["cadangan-20250305T020000Z.zip", "cadangan-20250306T020000Z.zip", "catatan.txt"]


def test_backup_and_restore_commands_speak_indonesian_and_refuse_a_full_archive(tmp_path):
    from click.testing import CliRunner

    from service.cli.commands import main
    ws = tmp_path / "ws"
    assert CliRunner().invoke(main, ["init", str(ws), "--demo"]).exit_code == 0
    config = str(ws / "satudata.toml")
    made = CliRunner().invoke(main, ["-c", config, "backup"])
    assert made.exit_code == 0, made.output
    assert "Cadangan dibuat:" in made.output and "mesin sqlite" in made.output and "Kepala rantai" in made.output
    zips = sorted((ws / "cadangan").glob("cadangan-*.zip"))
    assert len(zips) == 1
    refused = CliRunner().invoke(main, ["-c", config, "restore", str(zips[0])])
    assert refused.exit_code == 1 and "Arsip tujuan tidak kosong" in refused.output
    target = f"sqlite:///{tmp_path / 'baru.sqlite'}"
    done = CliRunner().invoke(main, ["-c", config, "restore", str(zips[0]), "--ke", target])
    assert done.exit_code == 0, done.output
    assert "Rantai utuh; kepala rantai sama dengan manifest." in done.output
    not_a_backup = tmp_path / "bukan.zip"
    not_a_backup.write_bytes(b"bukan zip")
    bad = CliRunner().invoke(main, ["-c", config, "restore", str(not_a_backup), "--ke", f"sqlite:///{tmp_path / 'c.sqlite'}"])
    assert bad.exit_code == 1 and "bukan berkas cadangan satudata" in bad.output
