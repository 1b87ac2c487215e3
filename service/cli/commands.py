"""The `satudata` command line (click): the root group and every command registered, in one place.
Commands live in one module per family and take their workspace from service.cli.context."""
from __future__ import annotations

import logging

import click

from service.cli import bahasa

bahasa.install()  # before any option is declared: click's own texts in Bahasa Indonesia

from service.cli import adopt, dashboard, db, distribute, poll, publish, pulihkan, record, riwayat, rollover, setup  # noqa: E402
from service.cli.context import ConfigErrorsAsMessages  # noqa: E402

_Command, _Group = bahasa.command_classes()


class _Main(ConfigErrorsAsMessages, _Group):
    pass


@click.group(cls=_Main, help="Satu Data Magetan: SOP Pengumpulan Data yang dijalankan di dalam spreadsheet.")
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
                 *record.COMMANDS):
    main.add_command(_command)
main.add_command(poll.confirm, name="confirm-removal")  # the command's first name, kept for old scripts

bahasa.localise(main)  # [OPSI] and PERINTAH in every command's usage line
