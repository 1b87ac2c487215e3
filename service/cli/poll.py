"""`satudata poll`, `status`, `export` and `confirm`: the poller's cycles and what the archive holds."""
from __future__ import annotations

import errno
import json
import sys
from pathlib import Path

import click

from service.cli.context import pass_service, pass_store
from service.cli.report import echo_report, iso, progress_printer
from service.config import Config


@click.command(help="Jalankan poller: periksa semua tab, tulis hasil, arsipkan baris terverifikasi.")
@click.option("--once", is_flag=True, help="Satu siklus saja lalu berhenti.")
@click.option("--json", "as_json", is_flag=True, help="Cetak ringkasan siklus sebagai JSON.")
@pass_service
def poll(service, once: bool, as_json: bool) -> None:
    config = service.config
    if not once:
        from service.poller.loop import run_forever
        click.echo(f"Poller berjalan tiap {config.interval_seconds} detik; Ctrl-C untuk berhenti.")
        try:
            run_forever(cycle_printer(service, as_json), config.interval_seconds)
        finally:
            service.release()
        return
    from service.poller.errors import PollerError
    try:
        report = service.poll(progress=progress_printer(as_json, "Memeriksa tab"))
    except PollerError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        service.release()
    echo_report(report, as_json, config.archive_url)
    if report.backend_failed or (report.tabs and all(t.status == "galat" for t in report.tabs)):
        sys.exit(1)  # nothing could be read: a configuration or backend failure


def cycle_printer(service, as_json: bool):
    """The continuous loop's job: the first cycle shows progress, later ones print changes only."""
    cycles = [0]

    def job() -> None:
        first = cycles[0] == 0
        cycles[0] += 1
        report = service.poll(progress=progress_printer(as_json, "Memeriksa tab") if first else None)
        echo_report(report, as_json, service.config.archive_url, changes_only=not first)

    return job


@click.command(help="Tampilkan kemajuan setiap OPD menurut langkah SOP.")
@click.option("--json", "as_json", is_flag=True, help="Keluarkan sebagai JSON.")
@click.option("--tahun", "year", type=int, metavar="TAHUN",
              help="Tahun ruang kerja yang sudah ditutup dengan rollover (bawaan: tahun berjalan).")
@pass_store
def status(config: Config, store, as_json: bool, year: int | None) -> None:
    from service.archive.masking import mask_secrets
    from service.archive.progress import known_years, progress
    from service.poller.clock import utcnow
    if year is not None and year not in known_years(config, store):
        raise click.ClickException(f"Tahun {year} tidak dikenal di arsip ini; tahun yang ada: "
                                   f"{', '.join(map(str, known_years(config, store)))}")
    data = progress(config, store, utcnow(), year=year)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, default=iso, indent=2))
        return
    from rules.numbers import format_number
    from service.cli.standard import holidays_line, standard_lines
    from service.timefmt import format_tanggal
    label = {"terlambat": "TERLAMBAT", "berisiko": "berisiko", "tepat_waktu": "tepat waktu",
             "selesai": "selesai", "belum_mulai": "belum mulai"}
    closed = data["tahun"] != config.year
    click.echo(f"{config.name} — tahun {data['tahun']}" + (" (sudah ditutup)" if closed else ""))
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
            from service.reconcile.plan import TabStatus
            mark = "~" if opd.get("status_tab") == TabStatus.DEFERRED else "!"  # deferred by the quota: not an error
            click.echo(f"{'':<18} {mark} {mask_secrets(opd['pesan'], config.archive_url)}")
    if idle:
        click.echo(f"{len(idle)} OPD belum memiliki baris: {', '.join(idle)}")
    if (last := data["siklus_terakhir"]) and last["galat"]:
        click.echo(f"Siklus terakhir ({last['id']}, {format_tanggal(last['mulai'], with_time=True)}): {last['status']}")
        for error in last["galat"]:
            click.echo(f"{'':<18} ! {mask_secrets(error, config.archive_url)}")
    if holidays_line(data):
        click.echo(holidays_line(data))
    click.echo(f"Total: {format_number(data['total_baris'])} baris, {format_number(data['total_diarsip'])} "
               f"diarsip ({format_number(data['persen_diarsip'])}%); terlambat: "
               f"{', '.join(data['terlambat']) or 'tidak ada'}")


@click.command(help="Ekspor arsip (versi terakhir setiap data: uraian, rincian, tahun) ke CSV, XLSX atau JSON.")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "json"]), default=None,
              help="Format berkas ekspor (bawaan: dari akhiran nama berkas, mis. arsip.xlsx).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path), required=True,
              help="Berkas tujuan; '-' = keluaran standar.")
@click.option("--locale", type=click.Choice(["standar", "id"]), default="standar", show_default=True,
              help="CSV: 'id' memakai ';' dan koma desimal untuk Excel/LibreOffice berbahasa Indonesia.")
@click.option("--all-versions", is_flag=True, help="Semua versi, bukan hanya yang terakhir.")
@pass_store
def export(config: Config, store, fmt: str | None, output: Path, locale: str, all_versions: bool) -> None:
    from service.archive.export import format_of, write_export
    from service.archive.queries import Queries
    to_stdout = str(output) == "-"
    fmt = fmt or (None if to_stdout else format_of(output))
    if fmt is None:
        raise click.UsageError("Sebutkan --format (csv, xlsx atau json), atau beri nama berkas berakhiran "
                               ".csv, .xlsx atau .json")
    try:
        count = write_export(Queries(store.engine).archive_rows(all_versions=all_versions), fmt, output, locale,
                             stream=sys.stdout.buffer if to_stdout else None)
    except OSError as exc:
        why = {errno.ENOENT: "folder tujuan tidak ada", errno.EACCES: "tidak ada izin menulis",
               errno.ENOSPC: "disk penuh", errno.EISDIR: "itu sebuah folder"}.get(exc.errno, exc.strerror or str(exc))
        raise click.ClickException(f"Tidak dapat menulis {output}: {why}") from None
    click.echo(f"{count} baris arsip diekspor ke {'keluaran standar' if to_stdout else output}", err=to_stdout)


@click.command("confirm", help="Setujui penghapusan atau perubahan massal yang ditahan poller, atau penghapusan baris yang sudah disepakati, di tab OPD.")
@click.argument("kode")
@pass_store
def confirm(config: Config, store, kode: str) -> None:
    from service.archive.queries import Queries
    from service.reconcile.plan import CONFIRMABLE, TabStatus
    held = {t["opd"]: t for t in Queries(store.engine).tabs()}.get(kode.upper())
    if held is None:
        raise click.ClickException(f"OPD {kode} belum pernah diproses poller")
    if held["status"] == TabStatus.ARCHIVE_UNKNOWN:
        raise click.ClickException(f"Arsip tidak mengenal baris {kode.upper()}; confirm akan mengosongkan centang. "
                                   f"Jalankan: satudata adopt {kode.upper()}")
    if held["status"] not in CONFIRMABLE:
        raise click.ClickException(f"Tidak ada perubahan massal yang ditahan di {kode.upper()}; tidak ada yang perlu disetujui")
    store.confirm_removal(kode.upper())
    what = {TabStatus.MASS_REMOVAL: "Penghapusan massal", TabStatus.MASS_CHANGE: "Perubahan massal",
            TabStatus.PENDING_REMOVAL: "Penghapusan baris yang sudah disepakati"}[held["status"]]
    click.echo(f"{what} di {kode.upper()} disetujui; diproses pada siklus berikutnya.")
