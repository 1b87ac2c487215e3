"""`satudata serve`, `run` (poller and dashboard together) and `hash-password`."""
from __future__ import annotations

import click

from service.cli.context import pass_service, pass_store
from service.cli.report import cycle_log_line
from service.config import Config


def _dashboard_server(config: Config, host: str | None, port: int | None):
    from service.web.app import make_dashboard_server
    host = host or config.dashboard_host
    port = config.dashboard_port if port is None else port
    from service.web.server import DashboardUnavailable
    try:
        server = make_dashboard_server(config, host, port)
    except DashboardUnavailable as exc:
        raise click.ClickException(str(exc)) from None
    if not config.dashboard_users and host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"Peringatan: dasbor terbuka di {host} tanpa kata sandi; isi [dashboard] users "
                   "(lihat 'satudata hash-password').", err=True)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"Dasbor: http://{shown}:{server.server_port}/")
    return server


def _serve_in_background(server):
    import threading
    thread = threading.Thread(target=server.serve_forever, name="dasbor", daemon=True)
    thread.start()
    return thread


def _stop_server(server, thread) -> None:
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@click.command(help="Buka dasbor (bawaan 127.0.0.1:8050 dari [dashboard]); Ctrl-C untuk berhenti.")
@click.option("--host", default=None, help="Alamat yang didengarkan (bawaan: [dashboard] host, 127.0.0.1).")
@click.option("--port", type=click.IntRange(0, 65535), default=None, metavar="PORT", help="Port (bawaan: [dashboard] port, 8050; 0 = port bebas).")
@pass_store
def serve(config: Config, store, host: str | None, port: int | None) -> None:
    import signal
    import threading
    store.engine.dispose()  # a SQLite archive is brought up to date here, never by the dashboard
    server = _dashboard_server(config, host, port)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    thread = _serve_in_background(server)
    click.echo("Ctrl-C untuk berhenti.")
    try:
        while not stop.wait(0.5):
            pass
    finally:
        _stop_server(server, thread)
    click.echo("Dasbor berhenti.")


@click.command(help="Jalankan poller dan dasbor bersama; Ctrl-C atau SIGTERM menghentikan keduanya.")
@click.option("--host", default=None, help="Alamat dasbor (bawaan: [dashboard] host, 127.0.0.1).")
@click.option("--port", type=click.IntRange(0, 65535), default=None, metavar="PORT", help="Port dasbor (bawaan: [dashboard] port, 8050; 0 = port bebas).")
@pass_service
def run(service, host: str | None, port: int | None) -> None:
    import threading

    from service.poller.loop import run_forever
    config = service.config
    server = _dashboard_server(config, host, port)
    thread = _serve_in_background(server)
    click.echo(f"Poller berjalan tiap {config.interval_seconds} detik; Ctrl-C untuk berhenti.")
    try:
        # in the main thread, run_forever turns SIGTERM/SIGINT into the stop event
        run_forever(cycle_logger(service), config.interval_seconds, threading.Event())
    finally:
        service.release()
        _stop_server(server, thread)
    click.echo("Poller dan dasbor berhenti.")


def cycle_logger(service):
    """`run`'s job: one log line per cycle, then one line per OPD that has something to say."""
    from service.archive.masking import mask_secrets
    from service.poller.clock import utcnow

    def job() -> None:
        report = service.poll()
        click.echo(cycle_log_line(report, utcnow()))
        for tab in report.tabs:
            if tab.message:
                click.echo(f"{'':<28}{tab.opd}: {mask_secrets(tab.message, service.config.archive_url)}")
        for error in report.errors:
            if not any(error.endswith(t.message) for t in report.tabs if t.message):
                click.echo(f"{'':<28}{mask_secrets(error, service.config.archive_url)}")

    return job


@click.command("hash-password", help="Buat hash kata sandi untuk [dashboard] users di satudata.toml.")
@click.option("--password", default=None, envvar="SATUDATA_DASHBOARD_PASSWORD",
              help="Kata sandi (bawaan: ditanyakan tanpa ditampilkan).")
def hash_password(password: str | None) -> None:
    from service.web.auth import password_hash
    while password is None:  # asked twice, hidden; click's own confirmation speaks English
        first = click.prompt("Kata sandi", hide_input=True, default="", show_default=False)
        if click.prompt("Ulangi untuk konfirmasi", hide_input=True, default="", show_default=False) == first:
            password = first
        else:
            click.echo("Galat: kedua isian tidak sama.", err=True)
    if not password:
        raise click.ClickException("Kata sandi tidak boleh kosong")
    click.echo(password_hash(password))
