"""`satudata pulihkan KODE [--sebelum WAKTU]` (DECISIONS.md #110): a way back after a bad save (a sort, cleared
cells): a copy of the tab beside the workbook, never over it, with the rows as the poller last saw them."""
from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import click

from service.cli.context import opd_code, pass_store
from service.config import Config


def _moment(text: str) -> datetime:
    """'2026-12-07 14:30' or ISO 8601; without a zone, the workspace's (WIB)."""
    from service.timefmt import zone
    try:
        moment = datetime.fromisoformat(text.strip().replace(" ", "T", 1))
    except ValueError:
        raise click.BadParameter(f"'{text}' bukan waktu: tulis TAHUN-BULAN-HARI JAM:MENIT, mis. "
                                 "\"2026-12-07 14:30\" (WIB)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone())


def _free(path: Path) -> Path:
    """KODE.dipulihkan.xlsx, or -2, -3 … when an earlier restored copy is still there."""
    n = 1
    candidate = path
    while candidate.exists():
        n += 1
        candidate = path.with_name(path.name.replace(".dipulihkan.xlsx", f".dipulihkan-{n}.xlsx"))
    return candidate


_PLAIN_INTEGER = re.compile(r"-?[0-9]{1,15}")  # no separator, so "12.345" (Indonesian) stays text as typed


def write_restored(config: Config, kode: str, nama: str, rows: list[dict]) -> Path:
    """The restored copy: the tab template with every row's ID, operator and Walidata cells."""
    from rules import fields as f
    from sheets.layout import COLUMNS
    from sheets.xlsx.backend import save_atomic
    from sheets.xlsx.template import BOX_VALUE, new_workbook
    from service.web.views import state_label
    book = new_workbook(kode, nama)
    sheet = book.active
    for n, row in enumerate(rows, start=2):
        for index, column in enumerate(COLUMNS, start=1):
            key = column.key
            value = (row["id"] if key == f.ID else BOX_VALUE if row["boxes"].get(key) else None if column.box else
                     row["catatan"] if key == f.CATATAN else state_label(row["state"]) if key == f.STATUS else
                     row["data"].get(key) if key in row["data"] else None)
            if key in (f.TAHUN, f.NILAI) and isinstance(value, str) and _PLAIN_INTEGER.fullmatch(value.strip()):
                value = int(value.strip())  # remembered as cell text: a plain whole number goes back a number
            if value not in (None, ""):
                cell = sheet.cell(n, index, value)
                cell.data_type = "s" if isinstance(value, str) else cell.data_type  # typed text stays text
    path = _free(config.folder / f"{kode}.dipulihkan.xlsx")
    save_atomic(book, path)
    return path


@click.command("pulihkan", help="Tulis salinan tab OPD seperti terakhir dibaca poller (KODE.dipulihkan.xlsx di "
                                "samping buku kerjanya, tidak pernah menimpanya): jalan kembali setelah simpan yang "
                                "salah, mis. hanya sebagian kolom yang diurutkan.")
@click.argument("kode")
@click.option("--sebelum", "before", metavar="WAKTU", default=None,
              help="Baris seperti sebelum WAKTU (\"2026-12-07 14:30\", WIB): perubahan nilai sesudahnya dibatalkan.")
@pass_store
def pulihkan(config: Config, store, kode: str, before: str | None) -> None:
    from service.archive.queries import Queries
    from service.archive.restore_rows import rows_as_seen
    from service.timefmt import format_tanggal
    kode = opd_code(config, kode)
    moment = _moment(before) if before else None
    opd = next(o for o in config.opds if o.kode == kode)
    reads = Queries(store.engine)
    tab = {t["opd"]: t for t in reads.tabs()}.get(kode)
    if tab is None:
        raise click.ClickException(f"Tab {kode} belum pernah dibaca poller: belum ada yang dapat dipulihkan.")
    seen = format_tanggal(tab["checked_at"], with_time=True) if tab.get("checked_at") else "—"
    if config.backend == "google":
        raise click.ClickException(
            f"Tab {kode} ada di Google Sheets: buka spreadsheet-nya, File > Histori versi > Lihat histori versi, "
            f"lalu pulihkan versi terakhir sebelum simpan yang salah (poller terakhir membacanya {seen}; "
            f"versi Drive yang dibaca: {_revision(tab)}).")
    rows = rows_as_seen(reads, kode, moment)
    if not rows:
        raise click.ClickException(f"Tidak ada baris {kode} yang dapat dipulihkan"
                                   + (f" sebelum {format_tanggal(moment, with_time=True)}." if moment else "."))
    path = write_restored(config, kode, opd.nama, rows)
    when = f"sebelum {format_tanggal(moment, with_time=True)}" if moment else f"seperti terakhir dibaca poller ({seen})"
    click.echo(f"{len(rows)} baris {kode} {when} ditulis ke {path}.\n"
               f"Buku kerja {kode}.xlsx tidak diubah. Bandingkan keduanya, salin isi yang benar ke {kode}.xlsx "
               f"(atau ganti {kode}.xlsx dengan salinan ini saat poller berhenti), lalu jalankan poll.")


def _revision(tab: dict) -> str:
    """The Drive version the poller last read, as its token recorded it."""
    import json
    token = tab.get("token")
    try:
        data = json.loads(token) if isinstance(token, str) else token
    except ValueError:
        data = token
    if isinstance(data, dict):
        version = data.get("version") or data.get("versi") or data.get("drive_version")
        if version:
            return str(version)
    return str(data) if data else "tidak tercatat"
