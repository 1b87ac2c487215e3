"""`satudata init`, `demo` and `doctor`: a workspace made, shown with demo data, and checked."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from service.cli.context import open_store, pass_config
from service.cli.poll import poll
from service.cli.report import progress_printer
from service.config import Config, load_config


@click.command(help="Buat ruang kerja baru di FOLDER: satudata.toml, aturan, folder sheet dan arsip.")
@click.argument("directory", metavar="FOLDER", type=click.Path(file_okay=False, path_type=Path))
@click.option("--backend", type=click.Choice(["xlsx", "google"]), default="xlsx", show_default=True,
              help="Tempat sheet OPD: berkas Excel lokal atau Google Sheets.")
@click.option("--year", type=int, default=None, help="Tahun data yang dikumpulkan (bawaan: tahun ini, WIB).")
@click.option("--demo", is_flag=True, help="Isi beberapa OPD dengan daftar data demo pada berbagai langkah.")
@click.option("--force", is_flag=True, help="Timpa satudata.toml yang sudah ada.")
@click.option("--spreadsheet-id", default=None,
              help="google: ID atau URL spreadsheet bersama (satu tab per OPD).")
@click.option("--spreadsheets", "mapping", default=None, type=click.Path(dir_okay=False, path_type=Path),
              help="google: satu spreadsheet per OPD, dari CSV berkolom kode,spreadsheet (ID atau URL).")
@click.option("--per-opd", is_flag=True,
              help="google: tulis FOLDER/spreadsheet-opd.csv untuk diisi URL spreadsheet tiap OPD.")
@click.option("--credentials", default=None, help="google: jalur kunci JSON akun layanan (tidak disalin).")
@click.option("--interaktif", is_flag=True,
              help="Tanyakan kabupaten, daftar OPD (atau CSV), nama dan e-mail Walidata, dan rujukan kata sandi.")
@click.option("--wilayah", "kode_wilayah", default="35.20", show_default=True, metavar="KODE",
              help="Kode Kemendagri kabupaten/kota ruang kerja ini, mis. 33.74 (Kota Semarang).")
def init(directory: Path, backend: str, year: int | None, demo: bool, force: bool, spreadsheet_id: str | None,
         mapping: Path | None, per_opd: bool, credentials: str | None, interaktif: bool, kode_wilayah: str) -> None:
    from service.cli.workspace import WorkspaceExists, google_layout, init_workspace
    if demo and backend != "xlsx":
        raise click.ClickException("--demo hanya untuk backend xlsx")
    if (mapping or per_opd or spreadsheet_id) and backend != "google":
        raise click.ClickException("--spreadsheet-id, --spreadsheets dan --per-opd hanya untuk --backend google")
    if demo and kode_wilayah != "35.20":
        raise click.ClickException("--demo memakai data demo Kabupaten Magetan (35.20); hapus --wilayah")
    asked: dict = _ask(kode_wilayah) if interaktif else {"kode_wilayah": kode_wilayah}
    try:
        shared, own = google_layout(spreadsheet_id, mapping, asked["kode_wilayah"])
        path = init_workspace(directory, backend=backend, year=year, force=force,
                              spreadsheet_id=shared, credentials=credentials, per_opd=own, **asked)
    except WorkspaceExists as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Ruang kerja dibuat: {path}")
    if own:
        click.echo(f"{len(own)} OPD memakai spreadsheet sendiri" + (", yang lain spreadsheet bersama" if shared else ""))
    if per_opd:
        _per_opd_steps(directory, path, asked["kode_wilayah"])
    if backend == "google" and not (shared or own):
        from service.archive.engine import make_engine
        make_engine(f"sqlite:///{(directory / 'arsip.sqlite').resolve()}").dispose()  # the archive, ready
        if not per_opd:
            click.echo("Isi sheets.spreadsheet_id (dan sheets.credentials atau GOOGLE_APPLICATION_CREDENTIALS) "
                       f"di {path}, bagikan spreadsheet ke e-mail akun layanan sebagai Editor, lalu jalankan: "
                       f"satudata -c {path} doctor")
        return
    config = load_config(path)
    open_store(config, upgrade=True)  # creates the archive database
    if demo:
        from service.poller.clock import utcnow
        from service.cli.demo import run_demo
        run_demo(directory, utcnow(), progress_printer(False, "Membangun demo"))
        click.echo("Data demo dimasukkan untuk 8 OPD pada berbagai langkah SOP.")
    if backend == "google":
        click.echo(f"Langkah berikut: satudata -c {path} doctor")
    elif not demo:  # the guide's order: the config first, then doctor, then the Daftar Data
        click.echo(f"Langkah berikut: lengkapi {path} (lihat komentar di dalamnya), jalankan "
                   f"satudata -c {path} doctor, lalu satudata -c {path} distribute DAFTAR.csv")
    else:
        click.echo(f"Langkah berikut: satudata -c {path} poll --once")


def _ask(kode_wilayah: str) -> dict:
    """`init --interaktif`: what makes the workspace this office's own, each answer checked as given."""
    from service.cli.workspace import Walidata, mail_domain, opds_for, read_opd_list, wilayah_for
    from service.config import ConfigError
    place = None
    while place is None:
        answer = click.prompt("Kabupaten/kota (kode Kemendagri atau nama)", default=kode_wilayah).strip()
        try:
            place = wilayah_for(answer)
        except ConfigError as exc:
            click.echo(f"  {exc}")
    regency = place.nama
    opds = None
    while opds is None:
        answer = click.prompt(f"Berkas CSV daftar OPD (kolom kode,nama[,operators]); kosongkan untuk daftar OPD "
                              f"bawaan {regency}", default="", show_default=False).strip()
        try:
            opds = read_opd_list(Path(answer)) if answer else opds_for(place.kode)
        except ConfigError as exc:
            click.echo(f"  {exc}")
    nama = click.prompt("Nama Walidata", default="", show_default=False).strip()
    email = ""
    while "@" not in email:
        email = click.prompt("E-mail Walidata", default=f"walidata@{mail_domain(place.kode)}").strip()
    env = click.prompt("Variabel lingkungan yang berisi kata sandi proteksi lembar (kosongkan bila tanpa proteksi)",
                       default="SATUDATA_KATA_SANDI").strip()
    office = f"Dinas Komunikasi dan Informatika {regency}"
    return {"name": f"Pengumpulan Data {regency}", "opds": opds, "kode_wilayah": place.kode,
            "people": Walidata(email=email, nama=nama, kata_sandi_env=env, penerbit=office)}


def _per_opd_steps(directory: Path, path: Path, kode_wilayah: str) -> None:
    """What a person does for one spreadsheet per OPD: the service account cannot own files."""
    from service.cli.workspace import MAPPING_NAME, write_mapping_template
    csv_path = write_mapping_template(directory / MAPPING_NAME, kode_wilayah)
    click.echo(f"Daftar OPD untuk diisi: {csv_path}\n"
               "1. Buat satu spreadsheet per OPD di Google Drive akun dinas (akun layanan tidak dapat memiliki "
               "berkas; pemilik selalu dapat menyunting semuanya).\n"
               "2. Bagikan setiap spreadsheet (atau satu folder berisi semuanya) ke e-mail akun layanan sebagai "
               "Editor.\n"
               f"3. Tempel URL tiap spreadsheet di kolom 'spreadsheet' {csv_path.name}.\n"
               f"4. Jalankan: satudata init {directory} --backend google --spreadsheets {csv_path} --force, "
               f"lalu satudata -c {path} doctor")


@click.command(help="Periksa kesiapan ruang kerja: kredensial, akses dan pemilik spreadsheet, tab, judul kolom dan "
                   "rentang terlindungi.")
@click.option("--fix", is_flag=True, help="google: sesuaikan rentang terlindungi dengan satudata.toml.")
@click.option("--uji-langsung", "live", is_flag=True,
              help="google: uji anggapan poller pada akun sendiri di spreadsheet sementara (dibuang sesudahnya); "
                   "hasilnya disimpan di uji-google.json.")
@click.option("--akun-kedua", "second", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Kunci JSON akun kedua untuk uji komentar, sel terlindungi dan sisip baris (dengan --uji-langsung).")
@click.option("--batas-detik", "wait", type=click.IntRange(10, 3600), default=300, show_default=True,
              help="Lama menunggu Drive menampilkan satu suntingan (dengan --uji-langsung).")
@pass_config
def doctor(config: Config, fix: bool, live: bool, second: Path | None, wait: int) -> None:
    from service.cli.doctor import doctor as check, live_test, papers
    if second is not None and not live:
        raise click.UsageError("--akun-kedua hanya berlaku bersama --uji-langsung")
    lines = live_test(config, second_path=second, wait=wait) if live else check(config, fix=fix) + papers(config)
    for ok, text in lines:  # None: a gap in the SOP's papers, told but not a fault of the workspace
        click.echo(f"{'OK ' if ok else 'PERHATIAN' if ok is None else 'PERBAIKI'} {text}")
    if any(ok is False for ok, _ in lines):
        sys.exit(1)


@click.command(help="Buat ruang kerja demo (FOLDER, bawaan ./demo), jalankan poller, tampilkan ringkasan.")
@click.argument("directory", metavar="[FOLDER]", type=click.Path(file_okay=False, path_type=Path), default=Path("demo"))
@click.pass_context
def demo(ctx: click.Context, directory: Path) -> None:
    from service.poller.clock import utcnow
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
