"""The `satudata` command line (click). Library errors become readable Indonesian messages."""
from __future__ import annotations

import errno
import json
import logging
import sys
from pathlib import Path

import click

from service.cli import bahasa
from service.cli.report import echo_report, iso, progress_printer
from service.config import Config, ConfigError, load_config

bahasa.install()  # before any option is declared: click's own texts in Bahasa Indonesia


def _config(ctx: click.Context) -> Config:
    try:
        return load_config(ctx.obj.get("config"))
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


def _store(config: Config):
    """The archive alone: status, export and confirm need no spreadsheet credentials."""
    from service.poller.wiring import open_store
    try:
        return open_store(config)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


def _service(config: Config, rolling_over: bool = False):
    from service.cli.rollover import interrupted
    from service.poller.wiring import Service
    if not rolling_over and (why := interrupted(config)):
        raise click.ClickException(why)
    try:
        return Service.open(config)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


_Command, _Group = bahasa.command_classes()


@click.group(cls=_Group, help="Satu Data Magetan: SOP Pengumpulan Data yang dijalankan di dalam spreadsheet.")
@click.option("-c", "--config", "config_path", envvar="SATUDATA_CONFIG", type=click.Path(dir_okay=False),
              help="Berkas satudata.toml (bawaan: ./satudata.toml atau SATUDATA_CONFIG).")
@click.option("-v", "--verbose", is_flag=True, help="Tampilkan log rinci.")
@click.pass_context
def main(ctx: click.Context, config_path: str | None, verbose: bool) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)  # its INFO lines drown the poller's own
    ctx.obj = {"config": config_path}


@main.command(help="Buat ruang kerja baru di FOLDER: satudata.toml, aturan, folder sheet dan arsip.")
@click.argument("directory", metavar="FOLDER", type=click.Path(file_okay=False, path_type=Path))
@click.option("--backend", type=click.Choice(["xlsx", "google"]), default="xlsx", show_default=True,
              help="Tempat sheet OPD: berkas Excel lokal atau Google Sheets.")
@click.option("--year", type=int, default=2025, show_default=True, help="Tahun data yang dikumpulkan.")
@click.option("--demo", is_flag=True, help="Isi beberapa OPD dengan daftar data demo pada berbagai langkah.")
@click.option("--force", is_flag=True, help="Timpa satudata.toml yang sudah ada.")
@click.option("--spreadsheet-id", default=None,
              help="google: ID atau URL spreadsheet bersama (satu tab per OPD).")
@click.option("--spreadsheets", "mapping", default=None, type=click.Path(dir_okay=False, path_type=Path),
              help="google: satu spreadsheet per OPD, dari CSV berkolom kode,spreadsheet (ID atau URL).")
@click.option("--per-opd", is_flag=True,
              help="google: tulis FOLDER/spreadsheet-opd.csv untuk diisi URL spreadsheet tiap OPD.")
@click.option("--credentials", default=None, help="google: jalur kunci JSON akun layanan (tidak disalin).")
def init(directory: Path, backend: str, year: int, demo: bool, force: bool, spreadsheet_id: str | None,
         mapping: Path | None, per_opd: bool, credentials: str | None) -> None:
    from service.cli.workspace import WorkspaceExists, google_layout, init_workspace
    if demo and backend != "xlsx":
        raise click.ClickException("--demo hanya untuk backend xlsx")
    if (mapping or per_opd or spreadsheet_id) and backend != "google":
        raise click.ClickException("--spreadsheet-id, --spreadsheets dan --per-opd hanya untuk --backend google")
    try:
        shared, own = google_layout(spreadsheet_id, mapping)
        path = init_workspace(directory, backend=backend, year=year, force=force,
                              spreadsheet_id=shared, credentials=credentials, per_opd=own)
    except (WorkspaceExists, ConfigError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Ruang kerja dibuat: {path}")
    if own:
        click.echo(f"{len(own)} OPD memakai spreadsheet sendiri" + (", yang lain spreadsheet bersama" if shared else ""))
    if per_opd:
        _per_opd_steps(directory, path)
    if backend == "google" and not (shared or own):
        from service.archive.engine import make_engine
        make_engine(f"sqlite:///{(directory / 'arsip.sqlite').resolve()}").dispose()  # the archive, ready
        if not per_opd:
            click.echo("Isi sheets.spreadsheet_id (dan sheets.credentials atau GOOGLE_APPLICATION_CREDENTIALS) "
                       f"di {path}, bagikan spreadsheet ke e-mail akun layanan sebagai Editor, lalu jalankan: "
                       f"satudata -c {path} doctor")
        return
    config = load_config(path)
    from service.poller.wiring import open_store
    try:
        open_store(config, upgrade=True)  # creates the archive database
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    if demo:
        from service.poller.wiring import utcnow
        from service.cli.demo import run_demo
        run_demo(directory, utcnow(), progress_printer(False, "Membangun demo"))
        click.echo("Data demo dimasukkan untuk 8 OPD pada berbagai langkah SOP.")
    if backend == "google":
        click.echo(f"Langkah berikut: satudata -c {path} doctor")
    else:
        click.echo(f"Langkah berikut: satudata -c {path} poll --once")


def _per_opd_steps(directory: Path, path: Path) -> None:
    """What a person does for one spreadsheet per OPD: the service account cannot own files."""
    from service.cli.workspace import MAPPING_NAME, write_mapping_template
    csv_path = write_mapping_template(directory / MAPPING_NAME)
    click.echo(f"Daftar OPD untuk diisi: {csv_path}\n"
               "1. Buat satu spreadsheet per OPD di Google Drive akun dinas (akun layanan tidak dapat memiliki "
               "berkas; pemilik selalu dapat menyunting semuanya).\n"
               "2. Bagikan setiap spreadsheet (atau satu folder berisi semuanya) ke e-mail akun layanan sebagai "
               "Editor.\n"
               f"3. Tempel URL tiap spreadsheet di kolom 'spreadsheet' {csv_path.name}.\n"
               f"4. Jalankan: satudata init {directory} --backend google --spreadsheets {csv_path} --force, "
               f"lalu satudata -c {path} doctor")


@main.command(help="Jalankan poller: periksa semua tab, tulis hasil, arsipkan baris terverifikasi.")
@click.option("--once", is_flag=True, help="Satu siklus saja lalu berhenti.")
@click.option("--json", "as_json", is_flag=True, help="Cetak ringkasan siklus sebagai JSON.")
@click.pass_context
def poll(ctx: click.Context, once: bool, as_json: bool) -> None:
    config = _config(ctx)
    service = _service(config)
    if not once:
        from service.poller.loop import run_forever
        click.echo(f"Poller berjalan tiap {config.interval_seconds} detik; Ctrl-C untuk berhenti.")
        try:
            run_forever(_cycle_printer(service, as_json), config.interval_seconds)
        finally:
            service.release()
        return
    from service.poller.wiring import PollerBusy
    try:
        report = service.poll(progress=progress_printer(as_json, "Memeriksa tab"))
    except PollerBusy as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        service.release()
    echo_report(report, as_json, config.archive_url)
    if report.backend_failed or (report.tabs and all(t.status == "galat" for t in report.tabs)):
        sys.exit(1)  # nothing could be read: a configuration or backend failure


def _cycle_printer(service, as_json: bool):
    """The continuous loop's job: the first cycle shows progress, later ones print changes only."""
    cycles = [0]

    def job() -> None:
        first = cycles[0] == 0
        cycles[0] += 1
        report = service.poll(progress=progress_printer(as_json, "Memeriksa tab") if first else None)
        echo_report(report, as_json, service.config.archive_url, changes_only=not first)

    return job


@main.command(help="Tampilkan kemajuan setiap OPD menurut langkah SOP.")
@click.option("--json", "as_json", is_flag=True, help="Keluarkan sebagai JSON.")
@click.pass_context
def status(ctx: click.Context, as_json: bool) -> None:
    from service.archive.masking import mask_secrets
    from service.archive.progress import progress
    config = _config(ctx)
    from service.poller.wiring import utcnow
    data = progress(config, _store(config), utcnow())
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, default=iso, indent=2))
        return
    from rules.numbers import format_number
    from service.cli.standard import holidays_line, standard_lines
    from service.timefmt import format_tanggal
    label = {"terlambat": "TERLAMBAT", "berisiko": "berisiko", "tepat_waktu": "tepat waktu",
             "selesai": "selesai", "belum_mulai": "belum mulai"}
    click.echo(f"{config.name} — tahun {config.year}")
    idle = [o["kode"] for o in data["opd"] if not o["baris"] and not o["pesan"] and not o["dibuka"]]
    for opd in data["opd"]:
        if opd["kode"] in idle:
            continue
        states = ", ".join(f"{k}: {v}" for k, v in opd["jumlah_per_status"].items())
        line = f"{opd['kode']:<18} fase {opd['fase'] or '-':<18} {label[opd['ketepatan']]:<12}"
        if opd["tenggat"]:
            line += (f" tenggat {format_tanggal(opd['tenggat'])} ({format_number(opd['hari_kerja_berjalan'])} "
                     f"dari {opd['batas_hari_kerja']} hari kerja)")
        click.echo(line)
        for extra in standard_lines(opd):
            click.echo(f"{'':<18} {extra}")
        click.echo(f"{'':<18} {states or 'belum ada baris'} | galat {opd['temuan_galat']}, "
                   f"peringatan {opd['temuan_peringatan']}")
        if opd["dibuka"]:
            click.echo(f"{'':<18} {'!' if opd['dibuka']['basi'] else '~'} {opd['dibuka']['pesan']}")
        if opd["pesan"]:
            mark = "~" if opd.get("status_tab") == "ditunda_kuota" else "!"  # deferred by the quota: not an error
            click.echo(f"{'':<18} {mark} {mask_secrets(opd['pesan'], config.archive_url)}")
    if idle:
        click.echo(f"{len(idle)} OPD belum memiliki baris: {', '.join(idle)}")
    if holidays_line(data):
        click.echo(holidays_line(data))
    click.echo(f"Total: {format_number(data['total_baris'])} baris, {format_number(data['total_diarsip'])} "
               f"diarsip ({format_number(data['persen_diarsip'])}%); terlambat: "
               f"{', '.join(data['terlambat']) or 'tidak ada'}")


@main.command(help="Ekspor arsip (versi terakhir setiap data: uraian, rincian, tahun) ke CSV, XLSX atau JSON.")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "json"]), default=None,
              help="Format berkas ekspor (bawaan: dari akhiran nama berkas, mis. arsip.xlsx).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path), required=True,
              help="Berkas tujuan; '-' = keluaran standar.")
@click.option("--locale", type=click.Choice(["standar", "id"]), default="standar", show_default=True,
              help="CSV: 'id' memakai ';' dan koma desimal untuk Excel/LibreOffice berbahasa Indonesia.")
@click.option("--all-versions", is_flag=True, help="Semua versi, bukan hanya yang terakhir.")
@click.pass_context
def export(ctx: click.Context, fmt: str | None, output: Path, locale: str, all_versions: bool) -> None:
    from service.archive.export import format_of, write_export
    from service.archive.queries import Queries
    to_stdout = str(output) == "-"
    fmt = fmt or (None if to_stdout else format_of(output))
    if fmt is None:
        raise click.UsageError("Sebutkan --format (csv, xlsx atau json), atau beri nama berkas berakhiran "
                               ".csv, .xlsx atau .json")
    store = _store(_config(ctx))
    try:
        count = write_export(Queries(store.engine).archive_rows(all_versions=all_versions), fmt, output, locale,
                             stream=sys.stdout.buffer if to_stdout else None)
    except OSError as exc:
        why = {errno.ENOENT: "folder tujuan tidak ada", errno.EACCES: "tidak ada izin menulis",
               errno.ENOSPC: "disk penuh", errno.EISDIR: "itu sebuah folder"}.get(exc.errno, exc.strerror or str(exc))
        raise click.ClickException(f"Tidak dapat menulis {output}: {why}") from None
    click.echo(f"{count} baris arsip diekspor ke {'keluaran standar' if to_stdout else output}", err=to_stdout)


@main.command(help="Periksa kesiapan ruang kerja: kredensial, akses dan pemilik spreadsheet, tab, judul kolom dan "
                   "rentang terlindungi.")
@click.option("--fix", is_flag=True, help="google: sesuaikan rentang terlindungi dengan satudata.toml.")
@click.pass_context
def doctor(ctx: click.Context, fix: bool) -> None:
    from service.cli.doctor import doctor as check
    lines = check(_config(ctx), fix=fix)
    for ok, text in lines:
        click.echo(f"{'OK ' if ok else 'PERBAIKI'} {text}")
    if not all(ok for ok, _ in lines):
        sys.exit(1)


@main.command("confirm", help="Setujui penghapusan atau perubahan massal yang ditahan poller, atau penghapusan baris yang sudah disepakati, di tab OPD.")
@click.argument("kode")
@click.pass_context
def confirm(ctx: click.Context, kode: str) -> None:
    from service.archive.queries import Queries
    store = _store(_config(ctx))
    held = {t["opd"]: t for t in Queries(store.engine).tabs()}.get(kode.upper())
    if held is None:
        raise click.ClickException(f"OPD {kode} belum pernah diproses poller")
    if held["status"] == "arsip_asing":
        raise click.ClickException(f"Arsip tidak mengenal baris {kode.upper()}; confirm akan mengosongkan centang. "
                                   f"Jalankan: satudata adopt {kode.upper()}")
    if held["status"] not in ("hapus_massal", "ubah_massal", "hapus_tertunda"):
        raise click.ClickException(f"Tidak ada perubahan massal yang ditahan di {kode.upper()}; tidak ada yang perlu disetujui")
    store.confirm_removal(kode.upper())
    what = {"hapus_massal": "Penghapusan massal", "ubah_massal": "Perubahan massal",
            "hapus_tertunda": "Penghapusan baris yang sudah disepakati"}[held["status"]]
    click.echo(f"{what} di {kode.upper()} disetujui; diproses pada siklus berikutnya.")


@main.command(help="Buat ruang kerja demo (FOLDER, bawaan ./demo), jalankan poller, tampilkan ringkasan.")
@click.argument("directory", metavar="[FOLDER]", type=click.Path(file_okay=False, path_type=Path), default=Path("demo"))
@click.pass_context
def demo(ctx: click.Context, directory: Path) -> None:
    from service.poller.wiring import utcnow
    from service.cli.demo import run_demo
    from service.cli.workspace import init_workspace
    path = directory / "satudata.toml"
    if path.exists():
        click.echo(f"Ruang kerja demo sudah ada di {directory}; menjalankan satu siklus poller.")
    else:
        init_workspace(directory)
        click.echo(f"Membangun ruang kerja demo di {directory} (8 OPD dengan data demo)...")
        run_demo(directory, utcnow(), progress_printer(False, "Membangun demo"))
    ctx.obj["config"] = str(path)
    ctx.invoke(poll, once=True, as_json=False)
    click.echo(f"Buka berkas Excel di {directory / 'sheets'}; konfigurasi: {path}")


# --- the dashboard: serve, run (poller + dashboard), hash-password --------------------------
def _dashboard_server(config: Config, host: str | None, port: int | None):
    from service.web.app import make_dashboard_server
    host = host or config.dashboard_host
    port = config.dashboard_port if port is None else port
    from service.web.server import DashboardUnavailable
    try:
        server = make_dashboard_server(config, host, port)
    except (ConfigError, DashboardUnavailable) as exc:
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


@main.command(help="Buka dasbor hanya-baca (bawaan 127.0.0.1:8050 dari [dashboard]); Ctrl-C untuk berhenti.")
@click.option("--host", default=None, help="Alamat yang didengarkan (bawaan: [dashboard] host, 127.0.0.1).")
@click.option("--port", type=click.IntRange(0, 65535), default=None, metavar="PORT", help="Port (bawaan: [dashboard] port, 8050; 0 = port bebas).")
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None) -> None:
    import signal
    import threading
    config = _config(ctx)
    _store(config).engine.dispose()  # a SQLite archive is brought up to date here, never by the dashboard
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


@main.command(help="Jalankan poller dan dasbor bersama; Ctrl-C atau SIGTERM menghentikan keduanya.")
@click.option("--host", default=None, help="Alamat dasbor (bawaan: [dashboard] host, 127.0.0.1).")
@click.option("--port", type=click.IntRange(0, 65535), default=None, metavar="PORT", help="Port dasbor (bawaan: [dashboard] port, 8050; 0 = port bebas).")
@click.pass_context
def run(ctx: click.Context, host: str | None, port: int | None) -> None:
    import threading

    from service.poller.loop import run_forever
    config = _config(ctx)
    service = _service(config)
    server = _dashboard_server(config, host, port)
    thread = _serve_in_background(server)
    click.echo(f"Poller berjalan tiap {config.interval_seconds} detik; Ctrl-C untuk berhenti.")
    try:
        # in the main thread, run_forever turns SIGTERM/SIGINT into the stop event
        run_forever(_cycle_printer(service, False), config.interval_seconds, threading.Event())
    finally:
        service.release()
        _stop_server(server, thread)
    click.echo("Poller dan dasbor berhenti.")


@main.command("hash-password", help="Buat hash kata sandi untuk [dashboard] users di satudata.toml.")
@click.option("--password", prompt="Kata sandi", hide_input=True, confirmation_prompt=True,
              envvar="SATUDATA_DASHBOARD_PASSWORD", help="Kata sandi (bawaan: ditanyakan tanpa ditampilkan).")
def hash_password(password: str) -> None:
    from service.web.auth import password_hash
    if not password:
        raise click.ClickException("Kata sandi tidak boleh kosong")
    click.echo(password_hash(password))


main.add_command(confirm, name="confirm-removal")  # the name DESIGN's first draft used

from service.cli.db import db  # noqa: E402  (registered after main exists)

main.add_command(db)
from service.cli.distribute import distribute_command  # noqa: E402  (SOP step 2, issue 8)
from service.cli.rollover import rollover_command  # noqa: E402  (the next year's cycle, issue 8)

main.add_command(distribute_command)
main.add_command(rollover_command)
from service.cli.adopt import adopt_command  # noqa: E402  (a command in its own module)
main.add_command(adopt_command)
from service.cli.riwayat import riwayat as _riwayat  # noqa: E402  (issue 9.3: one row's history)

main.add_command(_riwayat)

from service.cli.publish import COMMANDS as _PUBLISH_COMMANDS  # noqa: E402  publish, berita-acara, rekap

for _command in _PUBLISH_COMMANDS:
    main.add_command(_command)

bahasa.localise(main)  # commands registered from their own modules read [OPSI] too
