"""`satudata publish`, `satudata berita-acara`, `satudata rekap`: the SOP's products as files."""
from __future__ import annotations

import re
from pathlib import Path

import click

from service.cli.context import opd_code, pass_store
from service.config import Config
from service.config.wilayah import load_wilayah
from service.timefmt import to_wib


def _write_failed(path: Path, exc: OSError) -> click.ClickException:
    from service.publish.build import write_problem
    return click.ClickException(write_problem(path, exc))


@click.command(help="Terbitkan data terverifikasi: CSV/XLSX/JSON per item, datapackage.json, katalog DCAT.")
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder tujuan (bawaan: [publikasi] folder, yaitu <ruang kerja>/publikasi).")
@click.option("--ckan", "ckan_url", metavar="URL", default=None,
              help="Kirim juga setiap item sebagai dataset ke portal CKAN ini (token: [publikasi.ckan] token_env).")
@pass_store
def publish(config: Config, store, output: Path | None, ckan_url: str | None) -> None:
    from rules.rulefile import RuleError
    from service.publish.build import build, write
    from service.publish.settings import load_settings
    settings = load_settings(config)
    folder = output or settings.folder
    try:
        publication = build(config, store, settings=settings)
    except RuleError as exc:
        raise click.ClickException(f"Tidak diterbitkan: {exc}. Publikasi yang sudah ada di {folder} tidak diubah; "
                                   "perbaiki berkas aturan itu lalu ulangi") from None
    try:
        written, unchanged = write(publication, folder)
    except OSError as exc:
        raise _write_failed(folder, exc) from None
    if not publication.items:
        click.echo("Belum ada data terverifikasi di arsip: datapackage.json belum dibuat, katalog DCAT masih kosong.")
    click.echo(f"{len(publication.items)} item data diterbitkan ke {folder} "
               f"({written} berkas ditulis, {unchanged} tidak berubah)")
    for w in publication.withheld:
        click.echo(f"DITAHAN {w.opd} {w.kode_data or w.uraian_data} tahun {w.tahun}: {w.alasan}")
    if ckan_url is not None:
        _to_ckan(config, publication, settings, ckan_url)


def _to_ckan(config, publication, settings, url: str) -> None:
    """After the local files are written: CKAN's errors are reported, they undo nothing."""
    from service.config import ConfigError
    from service.publish import ckan
    try:
        target = ckan.ckan_settings(config.publikasi, url, re.sub(r"[^a-z0-9]+", "-", load_wilayah(config).tempat.lower()))
        report = ckan.deliver(publication.items, publication.files, settings, target, ckan.client(target))
    except ConfigError as exc:
        raise click.ClickException(f"Publikasi lokal selesai, tetapi tidak dikirim ke CKAN: {exc}") from None
    click.echo(report.summary())
    for line in report.galat:
        click.echo(f"  GAGAL {line}", err=True)
    if report.galat:
        raise click.ClickException("Publikasi lokal selesai; sebagian dataset belum terkirim ke CKAN (lihat di atas).")


def _issue(config: Config, store, kode: str, jenis: str, output: Path, new: bool) -> None:
    """Number and record the document the first time; later the same document is printed again."""
    from service.poller.clock import utcnow
    from service.publish.minutes import NothingToMinute
    from service.publish.pdf import issue
    try:
        issued, body, reprinted = issue(config, store, kode, jenis, utcnow(), new=new)
    except NothingToMinute as exc:
        raise click.ClickException(str(exc)) from None
    try:
        output.write_bytes(body)
    except OSError as exc:
        raise _write_failed(output, exc) from None
    click.echo(f"PDF ditulis ke {output}")
    click.echo(f"{issued.judul} {issued.id}, nomor {issued.nomor}, tanggal "
               f"{to_wib(issued.tanggal).strftime('%d-%m-%Y')}"
               + (" (dicetak ulang sama persis; --baru untuk dokumen baru)" if reprinted else " (baru diterbitkan)"))


@click.command("berita-acara", help="Terbitkan Berita Acara (PDF) kesepakatan daftar data atau verifikasi data satu "
                                    "OPD: bernomor dan tercatat di arsip; cetak berikutnya sama persis.")
@click.argument("kode")
@click.option("--jenis", type=click.Choice(["kesepakatan", "verifikasi"]), default="kesepakatan", show_default=True,
              help="kesepakatan: langkah 3–6; verifikasi: langkah 8–9.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--baru", is_flag=True, help="Terbitkan dokumen baru bernomor baru (mis. sesudah daftar berubah).")
@pass_store
def berita_acara(config: Config, store, kode: str, jenis: str, output: Path, baru: bool) -> None:
    _issue(config, store, opd_code(config, kode), jenis, output, baru)


@click.command(help="Terbitkan rekap data sektoral satu OPD (PDF) untuk salinan cetak: bernomor dan tercatat.")
@click.argument("kode")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--baru", is_flag=True, help="Terbitkan rekap baru bernomor baru (mis. sesudah data bertambah).")
@pass_store
def rekap(config: Config, store, kode: str, output: Path, baru: bool) -> None:
    _issue(config, store, opd_code(config, kode), "rekap", output, baru)


COMMANDS = (publish, berita_acara, rekap)
