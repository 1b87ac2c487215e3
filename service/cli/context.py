"""What a command needs from its workspace (config, archive, the poller's service), handed to it
by click's pass-decorators; a workspace the Walidata must fix becomes one readable message here."""
from __future__ import annotations

from functools import update_wrapper
from typing import Any, Callable

import click

from service.config import Config, ConfigError, load_config


class ConfigErrorsAsMessages:
    """Mixed into the root group: a ConfigError from any command is printed as its Indonesian
    message with click's exit code 1, never as a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)  # type: ignore[misc]
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from None


def load(ctx: click.Context) -> Config:
    """The workspace named by -c / SATUDATA_CONFIG, else ./satudata.toml; its times are shown
    in its [workspace] zona_waktu from here on."""
    from service.timefmt import use_zone
    config = load_config((ctx.obj or {}).get("config"))
    use_zone(config.zona_waktu)
    return config


def open_store(config: Config, upgrade: bool | None = None):
    """The archive alone: status, export and confirm need no spreadsheet credentials."""
    from service.poller.opening import open_store as open_archive
    return open_archive(config, upgrade=upgrade)


def open_service(config: Config, rolling_over: bool = False):
    """The poller's service; refused while a rollover is unfinished, except to finish it."""
    from service.cli.rollover_marker import interrupted
    from service.poller.service import Service
    if not rolling_over and (why := interrupted(config)):
        raise click.ClickException(why)
    return Service.open(config)


def pass_config(command: Callable) -> Callable:
    """``command(config, ...)``."""
    @click.pass_context
    def run(ctx: click.Context, *args, **kwargs):
        return ctx.invoke(command, load(ctx), *args, **kwargs)
    return update_wrapper(run, command)


def pass_store(command: Callable) -> Callable:
    """``command(config, store, ...)``."""
    @click.pass_context
    def run(ctx: click.Context, *args, **kwargs):
        config = load(ctx)
        return ctx.invoke(command, config, open_store(config), *args, **kwargs)
    return update_wrapper(run, command)


def pass_service(command: Callable) -> Callable:
    """``command(service, ...)``; the command releases the poller lease it may take."""
    @click.pass_context
    def run(ctx: click.Context, *args, **kwargs):
        return ctx.invoke(command, open_service(load(ctx)), *args, **kwargs)
    return update_wrapper(run, command)


def opd_code(config: Config, kode: str) -> str:
    """An OPD code as typed on the command line (any case, spaces around it) as the workspace knows
    it, or an Indonesian error naming it."""
    kode = kode.strip().upper()
    if kode not in {o.kode for o in config.opds}:
        raise click.ClickException(f"OPD '{kode}' tidak ada dalam konfigurasi ruang kerja ini.")
    return kode
