"""`satudata referensi`: the Kemendagri code list a workspace checks Rincian against.

An imported list is kept in the workspace folder (``referensi/``), beside the rule files a
Walidata already edits, not in the archive: it is the workspace's configuration, readable
and replaceable by hand, and it must be there before the archive is opened (the dashboard and
``distribute`` read it too). What the archive keeps is the version's name on every archived
value and every poll cycle, so a later list never rewrites what an earlier one checked."""
from __future__ import annotations

import os
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import click

from rules.wilayah import (INFO_NAME, LIST_NAME, NATIONAL, PREVIOUS_NAME, Entry, list_changes, list_version,
                           parse_list, read_list, write_list)
from service.cli.context import pass_config
from service.config import Config
from service.config.wilayah import REFERENSI_FOLDER, load_wilayah
from sheets.daftar_file import DaftarFileError, read_grid

SHOWN = 20  # problems and changes listed; the rest are counted


@click.group("referensi", help="Daftar kode wilayah Kemendagri yang dipakai ruang kerja ini.")
def referensi() -> None:
    pass


@referensi.command("impor", help="Muat daftar kode wilayah Kemendagri (CSV/XLSX berkolom kode, nama, level) "
                                 "sebagai pengganti tabel bawaan.")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path), metavar="BERKAS")
@click.option("--sumber", default=None, metavar="TEKS",
              help='Nama versi daftar, mis. "Kepmendagri 300.2.2-2138/2025" (bawaan: nama berkas).')
@pass_config
def impor(config: Config, file: Path, sumber: str | None) -> None:
    try:
        grid = read_grid(file)
    except DaftarFileError as exc:
        raise click.ClickException(str(exc)) from None
    entries, problems = parse_list(grid)
    for line in problems[:SHOWN]:
        click.echo(line, err=True)
    if problems:
        more = f" (dan {len(problems) - SHOWN} lainnya)" if len(problems) > SHOWN else ""
        raise click.ClickException(f"Tidak ada yang dimuat: {len(problems)} masalah di {file.name}{more}")
    if not any(e.kode == config.kode_wilayah for e in entries):
        raise click.ClickException(f"{file.name} tidak memuat kabupaten/kota ruang kerja ini "
                                   f"({config.kode_wilayah}); tidak ada yang dimuat")
    version = (sumber or "").strip() or f"{file.name} ({datetime.now(timezone.utc):%Y-%m-%d})"
    changes = install_list(config, entries, version, datetime.now(timezone.utc))
    wilayah = load_wilayah(config)
    click.echo(f"Daftar kode wilayah '{version}' dimuat: {len(entries)} baris; {wilayah.nama}: "
               f"{len(wilayah.kecamatan)} kecamatan, {len(wilayah.desa)} desa/kelurahan.")
    for label, found in (("berganti nama", [f"{o.kode} {o.nama} -> {n.nama}" for o, n in changes.renamed]),
                         ("tidak ada lagi", [f"{e.kode} {e.nama}" for e in changes.dropped]),
                         ("baru", [f"{e.kode} {e.nama}" for e in changes.added])):
        if found:
            click.echo(f"{len(found)} wilayah {label}: " + "; ".join(found[:SHOWN])
                       + (f" (dan {len(found) - SHOWN} lainnya)" if len(found) > SHOWN else ""))
    if changes.renamed or changes.dropped:
        click.echo("Baris yang memakai wilayah itu mendapat peringatan pada poll berikutnya; "
                   "data yang sudah diverifikasi tetap terverifikasi.")


def install_list(config: Config, entries: list[Entry], version: str, now: datetime):
    """Make ``entries`` the workspace's list; the list it replaces is kept (this kabupaten/kota's
    part) so a desa it renamed or dropped is still read, with a warning. Returns the changes."""
    folder = config.root / REFERENSI_FOLDER
    folder.mkdir(exist_ok=True)
    own = folder / LIST_NAME
    previous = read_list(own) if own.exists() else read_list(NATIONAL)
    previous_version = list_version(folder)
    changes = list_changes(previous, entries, config.kode_wilayah)
    region = [e for e in previous if e.kode.startswith(config.kode_wilayah + ".") or e.kode == config.kode_wilayah]
    _atomic(folder / PREVIOUS_NAME, lambda p: write_list(p, region))
    _atomic(own, lambda p: write_list(p, entries))
    info = (f"sumber = {_toml(version)}\ndiimpor = {_toml(now.isoformat(timespec='seconds'))}\n"
            f"baris = {len(entries)}\nsebelumnya = {_toml(previous_version)}\n")
    _atomic(folder / INFO_NAME, lambda p: p.write_text(info, encoding="utf-8"))
    return changes


def _toml(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _atomic(path: Path, write) -> None:
    fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
