"""The record an evaluator can trust: `verify-archive` (the hash chains), `backup` and `restore`,
`hadir` (who took part in a step), `terima` (a hard copy received) and `evaluasi` (the EPSS
evidence pack)."""
from __future__ import annotations

import json

import click


def _open(ctx: click.Context):
    from service.cli.context import load, open_store
    config = load(ctx)
    return config, open_store(config)


def echo_heads(heads: list[dict]) -> None:
    click.echo("Kepala rantai:")
    for h in heads:
        click.echo(f"  {h['opd']:<12} {h['tahun']}  {h['jenis']:<5}  panjang {h['panjang']:>6}  {h['kepala']}")


@click.command("verify-archive", help="Periksa rantai hash arsip dan audit: sebut rekaman pertama yang berubah "
                                      "atau hilang sejak dicatat.")
@click.option("--json", "as_json", is_flag=True, help="Keluaran JSON.")
@click.pass_context
def verify_archive(ctx: click.Context, as_json: bool) -> None:
    from service.archive import chain
    from service.poller.clock import utcnow
    _config, store = _open(ctx)
    found = chain.verify(store.engine)
    chain.record_verification(store.engine, found, utcnow())
    if as_json:
        click.echo(json.dumps(found.as_dict(), ensure_ascii=False, indent=2))
    elif found.ok:
        click.echo(f"Arsip utuh: {found.records} rekaman dalam {len(found.heads)} rantai diperiksa, tidak ada "
                   "yang berubah atau hilang.")
        echo_heads(found.heads)
    else:
        click.echo("Arsip TIDAK utuh.")
        for b in found.breaks:
            click.echo(f"- {b.message}")
        if found.unchained:
            click.echo(f"- {found.unchained} rekaman tidak berantai (ditambahkan di luar produk ini)")
        echo_heads(found.heads)
    if not found.ok:
        ctx.exit(1)


COMMANDS = [verify_archive]
