"""The `satudata` command line (click): the root group and every command registered, in one place.
Commands live in one module per family and take their workspace from service.cli.context."""
from __future__ import annotations

import logging

import click

from service.cli import (adopt, bahasa, dashboard, db, distribute, poll, publish, pulihkan, record, referensi,
                         riwayat, rollover, setup)
from service.cli.context import ConfigErrorsAsMessages


class _Main(ConfigErrorsAsMessages, bahasa.Main):
    pass


@click.group(cls=_Main, help="Satu Data: SOP Pengumpulan Data yang dijalankan di dalam spreadsheet.")
@click.option("-c", "--config", "config_path", envvar="SATUDATA_CONFIG", type=click.Path(dir_okay=False),
              help="Berkas satudata.toml (bawaan: ./satudata.toml atau SATUDATA_CONFIG).")
@click.option("-v", "--verbose", is_flag=True, help="Tampilkan log rinci.")
@click.pass_context
def main(ctx: click.Context, config_path: str | None, verbose: bool) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)  # its INFO lines drown the poller's own
    ctx.obj = {"config": config_path}


for _command in (setup.init, poll.poll, poll.status, poll.export, setup.doctor, poll.confirm, setup.demo,
                 dashboard.serve, dashboard.run, dashboard.hash_password, db.db, distribute.distribute_command,
                 rollover.rollover_command, adopt.adopt_command, riwayat.riwayat, pulihkan.pulihkan, *publish.COMMANDS,
                 *record.COMMANDS, referensi.referensi):
    main.add_command(_command)
main.add_command(poll.confirm, name="confirm-removal")  # the command's first name, kept for old scripts

bahasa.indonesian(main)  # help, usage lines and metavars of every command in Bahasa Indonesia
