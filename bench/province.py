"""A province hub: ten regencies' pollers on one PostgreSQL, each workspace in its own schema.

    .venv/bin/python bench/province.py [--url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
                                       [--workspaces 10] [--rows 500]

Makes its own database on the server (dropped after). Each workspace ([archive] skema =
"kab_NN", the same OPD codes in every one) is upgraded by its own process, then polls its
rows for the first time and again after editing 1 %. The floor is one workspace alone, measured
in the same run; then all of them at once, each in its own process. Printed: CPU seconds per
poller alone and together, the ratio (target ~1x: no lock held across workspaces), and a check
that every workspace sees only its own rows.
"""
from __future__ import annotations

import argparse
import dataclasses
import multiprocessing
import secrets
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

WIB = ZoneInfo("Asia/Jakarta")


def regency(args: tuple[str, str, str, int]) -> tuple[float, bool]:
    """(CPU seconds of the workspace's polls, whether it saw only its own rows), in a fresh process."""
    url, schema, folder, rows = args
    from rules.rulefile import load_rules
    from rules.wilayah import Wilayah
    from service.archive.engine import make_engine
    from service.archive.store import Store
    from service.poller.service import Service
    from tests.conftest import make_config
    from tests.fakes import FakeBackend

    root = Path(folder) / schema
    root.mkdir(parents=True)
    config = dataclasses.replace(make_config(root, opds=(("DINKES", "Dinas Kesehatan"), ("DIKPORA", "Dinas Pendidikan")),
                                             url=url), archive_schema=schema, publikasi={"otomatis": False})
    now = [datetime(2025, 3, 3, 9, tzinfo=WIB)]
    backend = FakeBackend()
    store = Store(make_engine(url, upgrade=True, schema=schema))
    service = Service(config, backend, store, load_rules(), Wilayah.load(), clock=lambda: now[0])
    service.poll()
    for opd in ("DINKES", "DIKPORA"):
        for n in range(rows):
            backend.add_row(opd, Kode_Data=f"{schema}-{n // 19}", Uraian_Data=f"Data {schema} {n // 19}",
                            Rincian=f"Rincian {n % 19}", Satuan="Unit", Tahun=2024, Nilai=str(n))
    start = time.process_time()
    for edit in (False, True):
        if edit:
            for opd in ("DINKES", "DIKPORA"):
                for rid in backend.ids(opd)[::100]:
                    backend.set(opd, rid, "Nilai", "7")
        now[0] += timedelta(minutes=1)
        report = service.poll()
        assert not report.errors, report.errors
    spent = time.process_time() - start
    own = all(r.data["kode_data"].startswith(schema) for opd in ("DINKES", "DIKPORA")
              for r in store.load_tab(opd).rows.values())
    service.release()
    store.engine.dispose()
    return spent, own


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--workspaces", type=int, default=10)
    parser.add_argument("--rows", type=int, default=500)
    args = parser.parse_args()
    server = make_url(args.url)
    name = f"perf_dev_{secrets.token_hex(4)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"create database {name}"))
    url = server.set(database=name).render_as_string(hide_password=False)
    context = multiprocessing.get_context("spawn")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            with context.Pool(1) as pool:
                alone, own_alone = pool.map(regency, [(url, "kab_sendiri", tmp, args.rows)])[0]
            jobs = [(url, f"kab_{n:02d}", tmp, args.rows) for n in range(args.workspaces)]
            with context.Pool(args.workspaces) as pool:
                together = pool.map(regency, jobs)
        mean = sum(c for c, _ in together) / len(together)
        isolated = own_alone and all(own for _, own in together)
        print(f"1 poller sendiri: {alone:.2f} s CPU; {args.workspaces} poller bersamaan: rata-rata {mean:.2f} s CPU "
              f"per poller -> {mean / alone:.2f}x (target ~1x); terpisah: {'ya' if isolated else 'TIDAK'}")
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"drop database if exists {name} with (force)"))
        admin.dispose()


if __name__ == "__main__":
    main()
