"""`satudata distribute FILE` (SOP step 2): the Walidata hands the draft Daftar Data to each OPD.

The file is read and expanded whole (rules/daftar.py) before anything is written: a file with a
bad line writes nothing. Each OPD's new rows are appended to its tab at `1 Draf` (the poller gives
them IDs); a row already in the tab is skipped, so running it again adds nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from rules import fields as f
from service.cli.context import open_store, pass_config
from service.config import Config
from service.config.wilayah import load_wilayah

if TYPE_CHECKING:  # rules.daftar brings the checks and pandas: imported only when distributing
    from rules.daftar import Expansion
    from rules.wilayah import Wilayah
    from sheets.base import Backend


class DistributeError(Exception):
    """The file is not distributed at all; ``lines`` name every problem (Bahasa Indonesia)."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


@dataclass
class OpdResult:
    opd: str
    added: int = 0
    skipped: int = 0
    error: str = ""
    metadata: str = ""  # what became of the Daftar Data's Metadata blocks for this OPD (Bahasa Indonesia)


@dataclass
class DistributeReport:
    results: list[OpdResult] = field(default_factory=list)


def plan_file(path: Path, config: Config, wilayah: Wilayah, only: tuple[str, ...] = ()) -> Expansion:
    """Read and expand the file; DistributeError when any line (or the file) is bad."""
    from rules.daftar import expand
    from sheets.daftar_file import DaftarFileError, read_daftar

    try:
        daftar = read_daftar(path)
    except DaftarFileError as exc:
        raise DistributeError([str(exc)]) from None
    if daftar.missing:
        raise DistributeError([f"{daftar.name}: baris 1: kolom wajib '{name}' tidak ditemukan" for name in daftar.missing])
    known = {o.kode for o in config.opds}
    unknown = [k for k in only if k.upper() not in known]
    if unknown:
        raise DistributeError([f"--opd {k}: kode OPD tidak dikenal (tidak ada di [[opd]] satudata.toml)" for k in unknown])
    expansion = expand(daftar.lines, daftar.headers, known, wilayah, config.year)
    if expansion.problems:
        raise DistributeError([f"{daftar.name}: baris {p.line}, kolom '{p.column}': {p.message}"
                               for p in expansion.problems])
    if only:
        wanted = {k.upper() for k in only}
        expansion.rows = {k: v for k, v in expansion.rows.items() if k in wanted}
    return expansion


def usulan_rows(usulan: list[dict], year: int, only: tuple[str, ...] = ()) -> dict[str, list[dict[str, object]]]:
    """Usulan data the Walidata accepted, as draft rows of their OPD: the request's first line as
    Uraian Data, the ticket number in Keterangan; the OPD fills the rest at the joint check."""
    wanted = {k.upper() for k in only}
    rows: dict[str, list[dict[str, object]]] = {}
    for u in usulan:
        if wanted and u["opd"] not in wanted:
            continue
        uraian = " ".join(u["isi"].splitlines()[0].split())[:200] if u["isi"].strip() else ""
        if uraian:
            rows.setdefault(u["opd"], []).append({f.URAIAN: uraian, f.TAHUN: year,
                                                  f.KETERANGAN: f"Usulan masyarakat {u['nomor']}"})
    return rows


def distribute(path: Path | None, config: Config, backend: Backend, wilayah: Wilayah,
               only: tuple[str, ...] = (), usulan: list[dict] = ()) -> DistributeReport:
    """``path``: the Daftar Data file (None: only the accepted ``usulan``)."""
    from rules.daftar import Expansion
    expansion = plan_file(path, config, wilayah, only) if path is not None else Expansion()
    for opd, rows in usulan_rows(list(usulan), config.year, only).items():
        expansion.rows.setdefault(opd, []).extend(rows)
    names = {o.kode: o.nama for o in config.opds}
    order = [o.kode for o in config.opds if o.kode in expansion.rows]
    backend.ensure_tabs([(k, names[k]) for k in order])
    report = DistributeReport()
    for opd in order:  # read just before each append: tabs sharing a spreadsheet change its version
        result = backend.read([opd], {})[0]
        report.results.append(append_draft(backend, result, expansion.rows[opd], wilayah, handed_out_by(config)))
    metadata = _read_metadata(path) if path is not None else None
    if metadata is not None:
        for out in report.results:
            if not out.error:
                out.metadata = hand_out_metadata(backend, out.opd, metadata, expansion.rows[out.opd])
    return report


def _read_metadata(path: Path):
    from sheets.daftar_file import DaftarFileError, read_metadata
    try:
        return read_metadata(path)
    except DaftarFileError as exc:
        raise DistributeError([str(exc)]) from None


def hand_out_metadata(backend: Backend, opd: str, grid: list[list[object]], rows: list[dict[str, object]]) -> str:
    """The Daftar Data's Metadata blocks of this OPD's items (and their activities) as a new Metadata
    tab in its workbook. A tab the OPD already keeps is never written over: the blocks are named instead."""
    from rules import metadata as ms
    items = list(dict.fromkeys((str(r.get(f.KODE, "") or ""), str(r.get(f.URAIAN, "") or "")) for r in rows))
    blocks = ms.blocks_for(ms.parse_sheet(grid), items)
    if not blocks:
        return ""
    names = ", ".join(f"{b.jenis} {b.kunci}" for b in blocks)
    if not backend.supports_metadata_tab:
        return f"tab {ms.SHEET} tidak dibuat di Google Sheets; salin blok ini sendiri: {names}"
    reason = backend.add_metadata_tab(opd, [list(ms.HEADER)] + [row for b in blocks for row in ms.block_rows(b)])
    if reason:
        return f"{reason}; blok tidak ditulis, tambahkan sendiri bila perlu: {names}"
    return f"tab {ms.SHEET} dibuat dengan {len(blocks)} blok"


def handed_out_by(config: Config) -> str:
    """The note each appended row carries: the hand-out is the Walidata's act, named as the
    workspace file names her, else as the operating system names who ran the command."""
    import getpass

    from service.reconcile.who import handout_note
    if config.walidata_nama:
        return handout_note(config.walidata_nama, "[walidata] nama di satudata.toml")
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no user name the system can tell
        user = "pengguna tidak dikenal"
    return handout_note(user, "pengguna sistem operasi yang menjalankan perintah; [walidata] nama belum diisi")


def append_draft(backend: Backend, result: Any, rows: list[dict[str, object]], wilayah: Wilayah,
                 note: str | None = None) -> OpdResult:
    """Append to one tab (as read in ``result``) the rows it does not hold yet; also rollover's writer.
    ``note``: written in each new row's Hasil Pemeriksaan (who handed it out)."""
    from rules.daftar import row_key
    from sheets.layout import BY_KEY, match_headers

    out = OpdResult(result.opd)
    if result.snapshot is None:
        out.error = result.error or "tab tidak dapat dibaca"
        return out
    snapshot = result.snapshot
    header = match_headers(snapshot.header)
    if not header.ok:
        out.error = f"judul kolom tab tidak lengkap ({', '.join(header.missing)}); perbaiki baris 1 lalu ulangi"
        return out
    existing = {row_key({k: (v[c] if c < len(v) else None) for k, c in header.columns.items()}, wilayah)
                for v in snapshot.rows}
    new = [r for r in rows if row_key(r, wilayah) not in existing]
    out.skipped = len(rows) - len(new)
    if not new:  # nothing to write: a save since the read changes nothing here
        return out
    if (reason := backend.busy(result.opd)) is not None:
        out.error = reason
        return out
    if f.BIDANG not in header.columns and any(str(r.get(f.BIDANG) or "").strip() for r in new):
        # the Daftar Data names a Bidang the tab has no column for: the column is added, never the values lost
        added = backend.add_column(snapshot, BY_KEY[f.BIDANG].header)
        again = backend.read([result.opd], {})[0] if added.reason is None else None
        if again is None or again.snapshot is None or f.BIDANG not in match_headers(again.snapshot.header).columns:
            out.error = (f"kolom {BY_KEY[f.BIDANG].header} tidak dapat ditambahkan"
                         f" ({added.reason or (again.error if again else '') or 'tidak terbaca lagi'});"
                         " tambahkan kolomnya di baris 1 lalu ulangi")
            return out
        snapshot, header = again.snapshot, match_headers(again.snapshot.header)
    cells = []
    for row in new:
        values: list[object] = [None] * len(snapshot.header)
        for key, value in row.items():
            if key in header.columns and key != f.ID:
                values[header.columns[key]] = value
        if note and f.HASIL in header.columns:
            values[header.columns[f.HASIL]] = note
        cells.append(values)
    written = backend.append_rows(snapshot, cells)
    if written.reason:
        out.error = written.reason
    else:
        out.added = len(new)
    return out


@click.command("distribute", help="Bagikan draf Daftar Data (CSV/XLSX) ke tab setiap OPD pada langkah 1 Draf.")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path), metavar="BERKAS", required=False)
@click.option("--opd", "only", multiple=True, help="Hanya OPD ini (boleh diulang).")
@click.option("--usulan", "with_usulan", is_flag=True,
              help="Sertakan usulan data masyarakat yang diterima Walidata (halaman Pengaduan).")
@pass_config
def distribute_command(config: Config, file: Path | None, only: tuple[str, ...], with_usulan: bool) -> None:
    from service.poller.opening import open_backend

    if file is None and not with_usulan:
        raise click.UsageError("Sebutkan BERKAS Daftar Data, atau --usulan untuk membagikan usulan yang diterima saja.")
    usulan = _accepted_usulan(config) if with_usulan else []
    if with_usulan:
        click.echo(f"{len(usulan)} usulan data masyarakat yang diterima ikut dibagikan")
    backend = open_backend(config)
    try:
        report = distribute(file, config, backend, load_wilayah(config), only, usulan)
    except DistributeError as exc:
        for line in exc.lines:
            click.echo(line, err=True)
        raise click.ClickException(f"Tidak ada yang ditulis: {len(exc.lines)} masalah di {file.name if file else 'usulan'}") from None
    _record_handouts(config, [r.opd for r in report.results if r.added and not r.error])
    for r in report.results:
        line = f"{r.opd:<18} {r.added} baris ditambahkan, {r.skipped} dilewati (sudah ada)"
        line += f" | metadata: {r.metadata}" if r.metadata else ""
        click.echo(line + (f" | GAGAL: {r.error}" if r.error else ""))
    if any(r.error for r in report.results):
        raise SystemExit(1)
    click.echo("Langkah berikut: satudata poll --once (setiap baris baru diberi ID, status 1 Draf)")


def _accepted_usulan(config: Config) -> list[dict]:
    from service.archive.pengaduan import Tickets
    store = open_store(config)
    try:
        return Tickets(store.engine).accepted_usulan()
    finally:
        store.engine.dispose()


def _record_handouts(config: Config, opds: list[str]) -> None:
    """The SPM's 25 working days count from the first hand-out of an OPD's list."""
    if not opds:
        return
    from service.poller.clock import utcnow

    store, now = open_store(config), utcnow()
    try:
        for opd in opds:
            store.phases.record_handout(opd, now)
    finally:
        store.engine.dispose()
