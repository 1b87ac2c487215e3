"""The record an evaluator can trust: `verify-archive` (the hash chains), `backup` and `restore`,
`hadir` (who took part in a step), `terima` (a hard copy received) and `evaluasi` (the EPSS
evidence pack)."""
from __future__ import annotations

import json
from pathlib import Path

import click

from service.cli.context import opd_code


def _open(ctx: click.Context):
    from service.cli.context import load, open_store
    config = load(ctx)
    return config, open_store(config)


def echo_heads(heads: list[dict]) -> None:
    click.echo("Kepala rantai:")
    for h in heads:
        click.echo(f"  {h['opd']:<12} {h['tahun']}  {h['jenis']:<5}  panjang {h['panjang']:>6}  {h['kepala']}")


@click.command("verify-archive", help="Periksa rantai hash arsip dan audit: sebut rekaman pertama yang berubah "
                                      "atau hilang sejak dicatat.")
@click.option("--json", "as_json", is_flag=True, help="Keluaran JSON.")
@click.pass_context
def verify_archive(ctx: click.Context, as_json: bool) -> None:
    from service.archive import chain
    from service.poller.clock import utcnow
    _config, store = _open(ctx)
    found = chain.verify(store.engine)
    chain.record_verification(store.engine, found, utcnow())
    if as_json:
        click.echo(json.dumps(found.as_dict(), ensure_ascii=False, indent=2))
    elif found.ok:
        click.echo(f"Arsip utuh: {found.records} rekaman dalam {len(found.heads)} rantai diperiksa, tidak ada "
                   "yang berubah atau hilang.")
        echo_heads(found.heads)
    else:
        click.echo("Arsip TIDAK utuh.")
        for b in found.breaks:
            click.echo(f"- {b.message}")
        if found.unchained:
            click.echo(f"- {found.unchained} rekaman tidak berantai (ditambahkan di luar produk ini)")
        echo_heads(found.heads)
    if not found.ok:
        ctx.exit(1)


@click.command("backup", help="Cadangkan arsip (boleh sambil poller berjalan): satu berkas zip berisi manifest, "
                              "salinan portabel dan salinan asli mesin basis data bila alatnya ada.")
@click.option("-o", "--output", "folder", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder cadangan (bawaan: [backup] folder, atau 'cadangan' di ruang kerja).")
@click.pass_context
def backup_command(ctx: click.Context, folder: Path | None) -> None:
    from service.archive.backup import BackupError, backup
    from service.poller.clock import utcnow
    config, store = _open(ctx)
    settings = backup_settings(config)
    folder = folder or settings["folder"]
    try:
        path, manifest = backup(store.engine, folder, utcnow(), keep=settings["simpan"])
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(f"Cadangan tidak dapat ditulis ke {folder}: {exc.strerror or exc}") from None
    rows = sum(manifest.jumlah_baris.values())
    click.echo(f"Cadangan dibuat: {path}")
    click.echo(f"  {rows} baris dari {len(manifest.jumlah_baris)} tabel, mesin {manifest.mesin}, skema "
               f"{manifest.skema}, salinan asli: {manifest.salinan_asli}; disimpan {settings['simpan']} terakhir")
    echo_heads(manifest.kepala_rantai)


@click.command("restore", help="Pulihkan cadangan (zip dari 'satudata backup') ke arsip yang masih kosong, "
                               "lalu periksa rantai hash.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--ke", "url", default=None, help="URL basis data tujuan (bawaan: arsip ruang kerja).")
@click.pass_context
def restore_command(ctx: click.Context, file: Path, url: str | None) -> None:
    from service.archive import dberrors
    from service.archive.backup import BackupError, restore
    from service.archive.masking import mask_url
    if url is None:
        from service.cli.context import load
        url = load(ctx).archive_url
    try:
        manifest, found = restore(file, url)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    except Exception as exc:
        why = dberrors.describe(exc)
        if why is None:
            raise
        raise click.ClickException(f"Basis data tujuan ({mask_url(url)}): {why}") from None
    click.echo(f"Dipulihkan ke {mask_url(url)}: cadangan {manifest.dibuat} (versi {manifest.versi}, "
               f"{sum(manifest.jumlah_baris.values())} baris).")
    same = found.heads == manifest.kepala_rantai
    click.echo(("Rantai utuh" if found.ok else "Rantai TIDAK utuh") + "; kepala rantai "
               + ("sama dengan manifest." if same else "BERBEDA dari manifest."))
    for b in found.breaks:
        click.echo(f"- {b.message}")
    echo_heads(found.heads)
    if not (found.ok and same):
        ctx.exit(1)


@click.command("hadir", help="Catat peserta satu langkah SOP (pemeriksaan bersama, langkah 3) untuk Berita Acara.")
@click.argument("kode")
@click.option("--langkah", type=click.IntRange(1, 10), default=3, show_default=True, help="Langkah SOP.")
@click.option("--peran", type=click.Choice(["operator", "walidata", "koordinator", "pembina"]), default=None,
              help="Peran peserta.")
@click.option("--nama", default=None, help="Nama peserta (dengan gelar).")
@click.option("--nip", default="", help="NIP peserta (18 angka), bila ada.")
@click.option("--jabatan", default="", help="Jabatan dan instansi, bila perlu.")
@click.option("--dari-konfigurasi", "from_config", is_flag=True,
              help="Catat semua orang yang disebut satudata.toml untuk OPD ini (operator, Walidata, koordinator, "
                   "pembina) sebagai hadir.")
@click.pass_context
def hadir(ctx: click.Context, kode: str, langkah: int, peran: str | None, nama: str | None, nip: str, jabatan: str,
          from_config: bool) -> None:
    from service.archive.documents import attend
    from service.config.people import nip_problem
    from service.poller.clock import utcnow
    config, store = _open(ctx)
    kode = opd_code(config, kode)
    nip = nip.replace(" ", "")
    if why := nip_problem(nip):
        raise click.ClickException(why)
    people: list[tuple[str, str, str, str]] = []
    if from_config:
        opd = next(o for o in config.opds if o.kode == kode)
        people += [("operator", p.nama, p.nip, p.jabatan) for p in opd.petugas if p.nama]
        people += [("walidata", p.nama, p.nip, p.jabatan) for p in config.walidata_orang if p.nama]
        people += [(role, p.nama, p.nip, ", ".join(x for x in (p.jabatan, p.instansi) if x))
                   for role, p in (("koordinator", config.koordinator), ("pembina", config.pembina)) if p and p.nama]
        if not people:
            raise click.ClickException("satudata.toml belum menyebut nama siapa pun untuk OPD ini: isi [[opd]] "
                                       "operators, [walidata], [koordinator] atau [pembina], atau pakai --peran dan --nama")
    elif peran and nama and nama.strip():
        people.append((peran, nama.strip(), nip, jabatan.strip()))
    else:
        raise click.ClickException("Sebutkan --peran dan --nama peserta, atau --dari-konfigurasi")
    now = utcnow()
    for role, name, number, title in people:
        attend(store.engine, kode, config.year, langkah, role, name, number, title, now)
        click.echo(f"Hadir di langkah {langkah} {kode}: {name} ({role})")


@click.command("terima", help="Catat penerimaan salinan cetak (Berita Acara atau rekap) di Kominfo (langkah 9).")
@click.argument("kode")
@click.option("--dokumen", required=True, help="ID dokumen (mis. BA-2025-001) atau nomornya.")
@click.option("--oleh", required=True, help="Nama petugas Kominfo yang menerima.")
@click.option("--tanggal", required=True, help="Tanggal diterima, TTTT-BB-HH.")
@click.pass_context
def terima(ctx: click.Context, kode: str, dokumen: str, oleh: str, tanggal: str) -> None:
    from datetime import date

    from service.archive.documents import find, receive
    from service.poller.clock import utcnow
    from service.timefmt import format_tanggal
    config, store = _open(ctx)
    kode = opd_code(config, kode)
    try:
        day = date.fromisoformat(tanggal.strip())
    except ValueError:
        raise click.ClickException(f"Tanggal '{tanggal}' tidak sah: tulis TTTT-BB-HH, mis. 2025-03-10") from None
    now = utcnow()
    if day > now.date():
        raise click.ClickException(f"Tanggal {format_tanggal(day)} belum tiba: penerimaan dicatat sesudah terjadi")
    doc = find(store.engine, dokumen)
    if doc is None or doc.opd != kode:
        raise click.ClickException(f"Dokumen '{dokumen}' milik {kode} tidak ditemukan; lihat ID-nya pada keluaran "
                                   "satudata berita-acara / rekap atau halaman OPD di dasbor")
    if not oleh.strip():
        raise click.ClickException("--oleh tidak boleh kosong: sebutkan nama penerima")
    receive(store.engine, doc, oleh.strip(), day.isoformat(), now)
    click.echo(f"{doc.judul} {doc.id} ({doc.nomor}) diterima {oleh.strip()} pada {format_tanggal(day)}")


@click.command("evaluasi", help="Buat paket bukti dukung EPSS tahun TAHUN: indeks, reviu tahunan (PDF, CSV), "
                                "semua Berita Acara dan rekap, hasil pemeriksaan arsip, Data Package dan DCAT.")
@click.argument("tahun", type=int)
@click.option("-o", "--output", "folder", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder tujuan (dibuat bila belum ada).")
@click.pass_context
def evaluasi(ctx: click.Context, tahun: int, folder: Path) -> None:
    from service.publish.evidence import INDEX, EvidenceRefused, evidence_pack, write_pack
    from service.timefmt import format_tanggal
    config, store = _open(ctx)
    try:
        files, as_of = evidence_pack(config, store, tahun)
        archive = write_pack(files, folder, tahun, as_of)
    except EvidenceRefused as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(f"Tidak dapat menulis ke {folder}: {exc.strerror or exc}") from None
    click.echo(f"{len(files)} berkas bukti dukung ditulis ke {folder} (arsip keadaan "
               f"{format_tanggal(as_of, with_time=True)}), juga satu berkas {archive.name}")
    click.echo(f"Mulai dari {folder / INDEX}")


def backup_settings(config) -> dict:
    """[backup] folder and simpan (defaults: cadangan/ in the workspace, 30)."""
    settings = config.backup or {}
    return {"folder": Path(settings.get("folder") or config.root / "cadangan"), "simpan": settings.get("simpan", 30)}


COMMANDS = [verify_archive, backup_command, restore_command, hadir, terima, evaluasi]
