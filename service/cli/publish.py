"""`satudata publish`, `satudata berita-acara`, `satudata rekap`: the SOP's products as files."""
from __future__ import annotations

import errno
from pathlib import Path

import click

from service.cli.context import pass_store
from service.config import Config


def _write_failed(path: Path, exc: OSError) -> click.ClickException:
    why = {errno.ENOENT: "folder tujuan tidak ada", errno.EACCES: "tidak ada izin menulis",
           errno.ENOSPC: "disk penuh", errno.EISDIR: "itu sebuah folder"}.get(exc.errno, str(exc))
    return click.ClickException(f"Tidak dapat menulis {path}: {why}")


@click.command(help="Terbitkan data terverifikasi: CSV/XLSX/JSON per item, datapackage.json, katalog DCAT.")
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder tujuan (bawaan: [publikasi] folder, yaitu <ruang kerja>/publikasi).")
@click.option("--ckan", "ckan_url", metavar="URL", default=None,
              help="Kirim juga setiap item sebagai dataset ke portal CKAN ini (token: [publikasi.ckan] token_env).")
@pass_store
def publish(config: Config, store, output: Path | None, ckan_url: str | None) -> None:
    from service.publish.build import build, write
    from service.publish.settings import load_settings
    settings = load_settings(config)
    publication = build(config, store, settings=settings)
    folder = output or settings.folder
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
        target = ckan.ckan_settings(config.publikasi, url)
        report = ckan.deliver(publication.items, publication.files, settings, target, ckan.client(target))
    except ConfigError as exc:
        raise click.ClickException(f"Publikasi lokal selesai, tetapi tidak dikirim ke CKAN: {exc}") from None
    click.echo(report.summary())
    for line in report.galat:
        click.echo(f"  GAGAL {line}", err=True)
    if report.galat:
        raise click.ClickException("Publikasi lokal selesai; sebagian dataset belum terkirim ke CKAN (lihat di atas).")


def _save_pdf(build_pdf, output: Path) -> None:
    from service.publish.minutes import NothingToMinute
    try:
        body = build_pdf()
    except NothingToMinute as exc:
        raise click.ClickException(str(exc)) from None
    try:
        output.write_bytes(body)
    except OSError as exc:
        raise _write_failed(output, exc) from None
    click.echo(f"PDF ditulis ke {output}")


def _opd_kode(config, kode: str) -> str:
    kode = kode.strip().upper()
    if kode not in {o.kode for o in config.opds}:
        raise click.ClickException(f"OPD {kode} tidak ada dalam konfigurasi ruang kerja ini")
    return kode


@click.command("berita-acara", help="Buat Berita Acara (PDF) kesepakatan daftar data atau verifikasi data satu OPD.")
@click.argument("kode")
@click.option("--jenis", type=click.Choice(["kesepakatan", "verifikasi"]), default="kesepakatan", show_default=True,
              help="kesepakatan: langkah 5–6; verifikasi: langkah 8–9.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@pass_store
def berita_acara(config: Config, store, kode: str, jenis: str, output: Path) -> None:
    from service.poller.clock import utcnow
    from service.publish.pdf import berita_acara_pdf
    kode = _opd_kode(config, kode)
    _save_pdf(lambda: berita_acara_pdf(config, store, kode, jenis, utcnow()), output)


@click.command(help="Buat rekap data sektoral satu OPD (PDF) untuk salinan cetak.")
@click.argument("kode")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@pass_store
def rekap(config: Config, store, kode: str, output: Path) -> None:
    from service.poller.clock import utcnow
    from service.publish.pdf import rekap_pdf
    kode = _opd_kode(config, kode)
    _save_pdf(lambda: rekap_pdf(config, store, kode, utcnow()), output)


COMMANDS = (publish, berita_acara, rekap)
