"""`satudata adopt KODE|semua`: take a tab's rows as they stand into a replaced archive (DECISIONS.md #22)."""
from __future__ import annotations

from datetime import timedelta

import click

from rules.sop import load_sop
from service.cli.context import pass_config
from service.config import Config


def adopt_tabs(service, kodes: list[str]) -> list[tuple[str, int, str]]:
    """(kode, rows adopted, problem) per tab; holds the poller lease while it writes the archive."""
    from service.reconcile.adopt import adopt
    now = service.clock()
    other = service.claim_lease(now)
    if other:
        raise click.ClickException(f"Poller lain sedang berjalan untuk arsip ini: {other}. "
                                   "Hentikan poller itu dulu, lalu jalankan adopt lagi.")
    out = []
    try:
        results = service.backend.read(kodes, {k: None for k in kodes})
        for result in results:
            if result.error or result.snapshot is None:
                out.append((result.opd, 0, result.error or "tab tidak dapat dibaca"))
                continue
            plan = adopt(result.snapshot, service.store.load_tab(result.opd), load_sop(), now)
            if plan.status != "ok":
                out.append((result.opd, 0, plan.message))
                continue
            until = service.clock() + timedelta(seconds=service.lease_seconds)
            service.store.apply(plan, None, now, token=None, lease=(service.holder, until),
                                year=service.config.year)
            out.append((result.opd, len(plan.rows), ""))
    finally:
        service.release()
    return out


@click.command("adopt", help="Ambil baris tab OPD apa adanya (ID, status, centang) ke arsip yang diganti "
                             "atau dipulihkan. KODE satu OPD, atau 'semua'.")
@click.argument("kode")
@pass_config
def adopt_command(config: Config, kode: str) -> None:
    from service.poller.service import Service
    known = [o.kode for o in config.opds]
    kodes = known if kode.casefold() == "semua" else [kode.upper()]
    if kodes != known and kodes[0] not in known:
        raise click.ClickException(f"OPD {kode} tidak ada di satudata.toml")
    service = Service.open(config)
    from service.reconcile.adopt import NOT_HELD
    failed = False
    for opd, count, problem in adopt_tabs(service, kodes):
        if problem.startswith(NOT_HELD) and len(kodes) > 1:  # `semua`: a healthy tab is simply left alone
            click.echo(f"{opd:<18} {problem}")
        elif problem:
            failed = True
            click.echo(f"{opd:<18} GAGAL: {problem}")
        else:
            click.echo(f"{opd:<18} {count} baris diambil apa adanya ke arsip; diperiksa pada siklus berikutnya")
    if failed:
        raise SystemExit(1)
