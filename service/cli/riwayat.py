"""`satudata riwayat KODE ID`: one row's every value change and state change, with who and how known."""
from __future__ import annotations

import json

import click

from service.cli.context import opd_code, pass_store
from service.config import Config


@click.command("riwayat", help="Tampilkan riwayat lengkap satu baris: setiap perubahan nilai dan status, "
                               "oleh siapa dan dari mana diketahui.")
@click.argument("kode")
@click.argument("row_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Keluaran JSON.")
@pass_store
def riwayat(config: Config, store, kode: str, row_id: str, as_json: bool) -> None:
    from service.archive.queries import Queries
    from service.web.history import row_history
    from service.web.views import jsonable
    kode = opd_code(config, kode)
    data = row_history(Queries(store.engine), kode, row_id)
    if data is None:
        raise click.ClickException(f"Baris '{row_id}' tidak dikenal di {kode}.")
    if as_json:
        click.echo(json.dumps(jsonable(data), ensure_ascii=False, indent=2))
        return
    from service.timefmt import format_tanggal
    click.echo(f"{kode} {row_id}: {data['uraian_data']} {data['rincian']}".rstrip()
               + f" — status {data['status_label'] or '-'}")
    for e in data["peristiwa"]:
        when = format_tanggal(e["waktu"], with_time=True)
        if e["jenis"] == "nilai":
            what = f"{e['kolom']}: {e['dari'] or '(kosong)'} → {e['ke'] or '(kosong)'}"
        elif e["jenis"] == "komentar":
            what = f"komentar, status tetap {e['ke_label']}: {e['alasan']}"
        else:
            what = f"status {e['dari_label'] or 'baru'} → {e['ke_label']} ({e['alasan']})"
        click.echo(f"{when}  {what}")
        click.echo(f"{'':<18}oleh {e['oleh']}" + (f" — {e['bagaimana']}" if e["bagaimana"] else ""))
