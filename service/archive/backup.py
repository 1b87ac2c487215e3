"""Backups that restore: one zip per backup, taken while the poller runs, restored by the product
into any empty archive (SQLite, PostgreSQL, MariaDB).

Each zip holds ``manifest.json`` (time, product version, engine, schema revision, row counts,
chain heads, each member's SHA-256), ``arsip.jsonl`` (every table, a portable dump this module
restores into any engine) and, where the engine's own tool can make one, a native copy: the
SQLite file made with SQLite's online backup API, or a plain ``pg_dump`` / ``mariadb-dump``
script a database administrator can restore by hand (DECISIONS.md #61).
"""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from sqlalchemy import Boolean, Connection, DateTime, Engine, Float, Integer, create_engine, func, insert, select, text
from sqlalchemy.engine import make_url

from service.archive import chain, schema as t
from service.archive.engine import head_revision, known_revisions, migrate, refresh_statistics, schema_revision

PREFIX = "cadangan-"
DUMP = "arsip.jsonl.gz"
BATCH = 2000


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is in Bahasa Indonesia."""


@dataclass
class Manifest:
    dibuat: str
    produk: str
    versi: str
    mesin: str
    skema: str | None
    jumlah_baris: dict[str, int]
    kepala_rantai: list[dict[str, Any]]
    berkas: dict[str, str] = field(default_factory=dict)
    salinan_asli: str = ""  # the native copy's member name, or why there is none

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


PRODUCT = "satudata"  # the program that wrote the backup, the same for every kabupaten/kota


def _distribution() -> str:
    """The installed distribution that ships this package (its name is pyproject's, not ours to repeat)."""
    from importlib.metadata import packages_distributions
    return (packages_distributions().get(__name__.split(".")[0]) or [PRODUCT])[0]


def product_version() -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version(_distribution())
    except PackageNotFoundError:
        return "tidak diketahui"


def _engine_name(engine: Engine) -> str:
    name = engine.dialect.name
    return "mariadb" if name in ("mysql", "mariadb") else name


def _tables() -> list:
    """The archive's tables but the poller lease: a restored archive is taken by its own poller."""
    return [table for table in t.metadata.sorted_tables if table.name != "leases"]


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _dump(conn: Connection, out) -> dict[str, int]:
    """Every table as JSON lines: a header line per table, then one list of values per row."""
    counts: dict[str, int] = {}
    existing = set(_existing_tables(conn))
    for table in _tables():
        if table.name not in existing:
            continue
        names = [c.name for c in table.columns]
        out.write(json.dumps({"tabel": table.name, "kolom": names}, ensure_ascii=False) + "\n")
        n = 0
        order = list(table.primary_key.columns) or list(table.columns)
        for row in conn.execution_options(yield_per=BATCH).execute(select(table).order_by(*order)):
            out.write(json.dumps([_encode(v) for v in row], ensure_ascii=False) + "\n")
            n += 1
        counts[table.name] = n
    return counts


def _existing_tables(conn: Connection) -> list[str]:
    from sqlalchemy import inspect
    return inspect(conn).get_table_names()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def backup(engine: Engine, folder: Path, now: datetime, keep: int | None = None) -> tuple[Path, Manifest]:
    """Write one backup zip into ``folder`` (made if missing); then keep only the newest ``keep``."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = now.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    target = folder / f"{PREFIX}{stamp}.zip"
    with tempfile.TemporaryDirectory(prefix="satudata-cadangan-") as tmp:
        work = Path(tmp)
        kind = _engine_name(engine)
        native, source = "", engine
        if kind == "sqlite":  # the online backup API copies a consistent file while the poller writes
            native = "arsip.sqlite"
            _sqlite_copy(engine, work / native)
            source = create_engine(f"sqlite:///{work / native}")
        try:
            with source.connect() as conn:
                if kind != "sqlite":  # one snapshot for every table, while the poller commits
                    conn = conn.execution_options(isolation_level="REPEATABLE READ")
                with gzip.open(work / DUMP, "wt", encoding="utf-8", compresslevel=6) as out:
                    counts = _dump(conn, out)
                revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
                heads = _heads(conn)
        finally:
            if source is not engine:
                source.dispose()
        if kind in ("postgresql", "mariadb"):
            native = _native_dump(engine, work, kind)
        manifest = Manifest(dibuat=now.astimezone(timezone.utc).isoformat(timespec="seconds"),
                            produk=PRODUCT, versi=product_version(), mesin=kind, skema=revision,
                            jumlah_baris=counts, kepala_rantai=heads)
        members = [DUMP] + ([native] if native and (work / native).exists() else [])
        manifest.salinan_asli = members[1] if len(members) > 1 else (native or "tidak ada")
        manifest.berkas = {m: _sha256(work / m) for m in members}
        partial = target.with_suffix(".zip.sebagian")
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("manifest.json", json.dumps(manifest.as_dict(), ensure_ascii=False, indent=2))
            for m in members:
                zf.write(work / m, m)
        os.replace(partial, target)
    if keep:
        prune(folder, keep)
    return target, manifest


def _heads(conn: Connection) -> list[dict[str, Any]]:
    c = t.chains.c
    return [{"opd": r.opd, "tahun": r.tahun, "jenis": r.jenis, "panjang": r.seq, "kepala": r.head}
            for r in conn.execute(select(c.opd, c.tahun, c.jenis, c.seq, c.head).order_by(c.opd, c.tahun, c.jenis))]


def _sqlite_copy(engine: Engine, path: Path) -> None:
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupError("Arsip SQLite di memori tidak dapat dicadangkan")
    src = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=60)
    dst = sqlite3.connect(path)
    try:
        src.backup(dst, pages=256)  # in steps: the poller's commits wait at most one step
    finally:
        dst.close()
        src.close()


def _native_dump(engine: Engine, work: Path, kind: str) -> str:
    """pg_dump / mariadb-dump into the backup when the tool is installed; else the reason, and the
    portable dump alone restores the archive."""
    url = make_url(engine.url)
    env = dict(os.environ)
    if kind == "postgresql":
        tool, name = shutil.which("pg_dump"), "arsip.pg.sql"
        if tool is None:
            return "pg_dump tidak terpasang"
        env.update({k: str(v) for k, v in (("PGHOST", url.host), ("PGPORT", url.port), ("PGUSER", url.username),
                                           ("PGPASSWORD", url.password), ("PGDATABASE", url.database)) if v})
        args = [tool, "--no-owner", "--no-privileges", "--format=plain", "-f", str(work / name)]
    else:
        tool, name = shutil.which("mariadb-dump") or shutil.which("mysqldump"), "arsip.mariadb.sql"
        if tool is None:
            return "mariadb-dump tidak terpasang"
        if url.password:
            env["MYSQL_PWD"] = str(url.password)
        args = [tool, "--single-transaction", "--routines", f"--host={url.host or '127.0.0.1'}",
                f"--port={url.port or 3306}", f"--user={url.username or 'root'}", f"--result-file={work / name}",
                str(url.database)]
    try:
        done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=3600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{Path(tool).name} gagal: {exc}"
    if done.returncode != 0:
        (work / name).unlink(missing_ok=True)
        return f"{Path(tool).name} gagal: {done.stderr.strip().splitlines()[-1] if done.stderr.strip() else done.returncode}"
    return name


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups this product wrote in ``folder``."""
    backups = sorted(folder.glob(f"{PREFIX}*.zip"))
    old = backups[:-keep] if keep > 0 else []
    for path in old:
        path.unlink()
    return old


def read_manifest(path: Path) -> Manifest:
    try:
        with zipfile.ZipFile(path) as zf:
            data = json.loads(zf.read("manifest.json"))
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise BackupError(f"{path} bukan berkas cadangan {PRODUCT} ({type(exc).__name__})") from None
    return Manifest(**data)


def _rows(zf: zipfile.ZipFile) -> Iterator[tuple[str, list[str], list[list[Any]]]]:
    """(table, columns, a batch of rows), batch after batch, from the portable dump."""
    with zf.open(DUMP) as raw, gzip.open(raw, "rt", encoding="utf-8") as fh:
        table: str = ""
        columns: list[str] = []
        batch: list[list[Any]] = []
        for line in fh:
            value = json.loads(line)
            if isinstance(value, dict):
                if batch:
                    yield table, columns, batch
                table, columns, batch = value["tabel"], value["kolom"], []
                continue
            batch.append(value)
            if len(batch) >= BATCH:
                yield table, columns, batch
                batch = []
        if batch:
            yield table, columns, batch


def is_empty(engine: Engine) -> bool:
    """No table of the archive holds a row (a fresh `satudata init` or an empty server database)."""
    with engine.connect() as conn:
        existing = set(_existing_tables(conn))
        return all(conn.execute(select(func.count()).select_from(table)).scalar() == 0
                   for table in _tables() if table.name in existing)


def restore(path: Path, url: str) -> tuple[Manifest, chain.Verification]:
    """Load a backup into the empty archive at ``url`` (its schema made or brought to head first),
    then verify every chain. Refused when the archive holds any row."""
    from service.archive.engine import make_engine
    manifest = read_manifest(path)
    with zipfile.ZipFile(path) as zf:
        if DUMP not in zf.namelist():
            raise BackupError(f"{path.name} tidak memuat {DUMP}")
        with zf.open(DUMP) as raw:
            digest = hashlib.sha256()
            for block in iter(lambda: raw.read(1 << 20), b""):
                digest.update(block)
        if manifest.berkas.get(DUMP) != digest.hexdigest():
            raise BackupError(f"{path.name} rusak: sidik {DUMP} tidak sama dengan manifest")
        plain = create_engine(url)
        try:
            current = schema_revision(plain)
            if current is not None and not is_empty(plain):
                raise BackupError("Arsip tujuan tidak kosong: pemulihan hanya ke arsip kosong (buat basis data baru, "
                                  "atau pindahkan berkas arsip SQLite yang lama), agar tidak ada yang tertimpa")
        finally:
            plain.dispose()
        if manifest.skema and manifest.skema not in known_revisions():
            raise BackupError(f"Cadangan dibuat oleh versi produk yang lebih baru (skema {manifest.skema}); "
                                  "pasang versi itu untuk memulihkannya")
        older = manifest.skema or ""
        older = older if older and older != head_revision() else ""
        if older:  # loaded into the tables of its own revision, then migrated: nothing is dropped on the way
            engine = create_engine(url)
            migrate(engine, older)
        else:
            engine = make_engine(url, upgrade=True)
        try:
            with engine.begin() as conn:
                types = _tables_as_of(conn) if older else {tb.name: tb for tb in _tables()}
                for name, columns, batch in _rows(zf):
                    table = types.get(name)
                    if table is None:
                        continue
                    keep = [i for i, c in enumerate(columns) if c in table.c]
                    conn.execute(insert(table), [{columns[i]: _decode(table.c[columns[i]], row[i]) for i in keep}
                                                 for row in batch])
                _reset_sequences(conn, types)
            if older:
                migrate(engine)
            refresh_statistics(engine)  # the planner knows the loaded tables before the first read
            return manifest, chain.verify(engine)
        finally:
            engine.dispose()


def _decode(column, value: Any) -> Any:
    if value is None:
        return None
    kind = column.type
    if isinstance(kind, DateTime):
        return datetime.fromisoformat(value)
    if isinstance(kind, Boolean):
        return bool(value)
    if isinstance(kind, Integer):
        return int(value)
    if isinstance(kind, Float):
        return float(value)
    return value


def _tables_as_of(conn: Connection) -> dict[str, Any]:
    """The archive's tables as the database holds them (a revision before head), but the lease."""
    from sqlalchemy import MetaData
    found = MetaData()
    found.reflect(bind=conn)
    return {name: table for name, table in found.tables.items() if name not in ("leases", "alembic_version")}


def _reset_sequences(conn: Connection, tables: dict[str, Any]) -> None:
    """PostgreSQL's serial counters start after the restored ids (MariaDB and SQLite do so themselves)."""
    if conn.dialect.name != "postgresql":
        return
    for table in tables.values():
        pk = list(table.primary_key.columns)
        if len(pk) == 1 and isinstance(pk[0].type, Integer) and pk[0].autoincrement in (True, "auto"):
            conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', '{pk[0].name}'), "
                              f"COALESCE((SELECT MAX({pk[0].name}) FROM {table.name}), 0) + 1, false)"))
