"""`satudata db ...`: the archive database's schema, migrated when the Walidata says so."""
from __future__ import annotations

import click

from service.cli.context import open_store, pass_config
from service.config import Config


@click.group(help="Basis data arsip: periksa dan perbarui skemanya.")
def db() -> None:
    pass


@db.command(help="Perbarui skema basis data arsip ke versi terbaru (PostgreSQL/MariaDB tidak diperbarui otomatis).")
@pass_config
def upgrade(config: Config) -> None:
    from service.archive.masking import mask_secrets
    from service.archive.engine import head_revision, schema_revision

    store = open_store(config, upgrade=True)
    revision = schema_revision(store.engine)
    store.engine.dispose()
    where = config.archive_url + (f" (skema {config.archive_schema})" if config.archive_schema else "")
    click.echo(mask_secrets(f"Skema arsip {where}: versi {revision} (terbaru: {head_revision()}).", config.archive_url))


@db.command(help="Tampilkan versi skema basis data arsip tanpa mengubahnya.")
@pass_config
def status(config: Config) -> None:
    from sqlalchemy import create_engine

    from service.archive.masking import mask_secrets
    from service.archive.engine import head_revision, schema_args, schema_revision

    engine = create_engine(config.archive_url, **schema_args(config.archive_schema))
    try:
        revision = schema_revision(engine)
    except Exception as exc:  # unreachable server, bad URL: say so, in words
        raise click.ClickException(mask_secrets(f"Basis data arsip ({config.archive_url}) tidak dapat dibuka: {exc}")) from None
    finally:
        engine.dispose()
    head = head_revision()
    state = "terbaru" if revision == head else f"perlu diperbarui ke {head}: satudata db upgrade"
    click.echo(f"Skema arsip: {'kosong' if revision is None else 'versi ' + revision} ({state}).")
