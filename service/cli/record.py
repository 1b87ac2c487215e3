"""The record an evaluator can trust: `verify-archive` (the hash chains), `backup` and `restore`,
`hadir` (who took part in a step), `terima` (a hard copy received) and `evaluasi` (the EPSS
evidence pack)."""
from __future__ import annotations

import json
from pathlib import Path

import click


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
    from service.poller.wiring import utcnow
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
    from service.poller.wiring import utcnow
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


def backup_settings(config) -> dict:
    """[backup] folder and simpan (defaults: cadangan/ in the workspace, 30)."""
    settings = config.backup or {}
    return {"folder": Path(settings.get("folder") or config.root / "cadangan"), "simpan": settings.get("simpan", 30)}


COMMANDS = [verify_archive, backup_command, restore_command]
