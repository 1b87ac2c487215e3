"""`satudata rollover YEAR`: close the workspace year and start the next one.

Per OPD: the tab is kept as the year's record (renamed `<KODE> <year>`, no longer read), a fresh
`<KODE>` tab receives next year's draft (one row per item and rincian archived in the closed
year, Nilai empty, at `1 Draf`), and the poller's memory of the old rows moves to the record.
Then workspace.year in satudata.toml becomes YEAR (comments kept). The archive is not touched.

A marker file holds an interrupted rollover: running the same command again finishes it, without
a poll in between (a poll of a half-rolled workspace would misread the fresh tabs).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import click

from rules import fields as f
from service.archive.queries import Queries
from service.archive.year import latest_archived, live_rows, retire_rows
from service.cli.context import load, open_service
from service.cli.distribute import append_draft
from service.cli.rollover_marker import marker_path
from service.config import Config
from service.reconcile.plan import TabStatus

HELD = {TabStatus.MASS_REMOVAL: "penghapusan massal ditahan", TabStatus.MASS_CHANGE: "perubahan massal ditahan"}
CARRIED = (f.KODE, f.URAIAN, f.RINCIAN, f.SATUAN, *f.STANDAR_DATA)


class RolloverRefused(Exception):
    """Nothing was changed; the message says why (Bahasa Indonesia)."""


@dataclass
class OpdRollover:
    opd: str
    record: str = ""
    carried: int = 0  # rows in next year's draft
    left: int = 0  # rows of the closed year not archived (kept in the record, not carried)
    error: str = ""


@dataclass
class RolloverReport:
    closed: int
    year: int
    opds: list[OpdRollover] = field(default_factory=list)


def next_year_rows(service, opd: str, record: str, year: int) -> tuple[list[dict[str, object]], int]:
    """(next year's draft rows, rows not carried): the archived rows of the tab (live memory, or
    the record's after an interrupted run), one per item and rincian, in sheet order."""
    from rules.daftar import row_key  # the checks and pandas: not for `poll`, which imports this module

    rows = live_rows(service.store, opd) or live_rows(service.store, record)
    archived = latest_archived(service.store, opd, [r.row_id for r in rows])
    out: list[dict[str, object]] = []
    seen: set[tuple] = set()
    for row in rows:
        if row.row_id not in archived:
            continue
        values = {k: archived[row.row_id].get(k) or row.data.get(k, "") for k in CARRIED}
        draft = {k: v for k, v in values.items() if v} | {f.TAHUN: year}
        key = row_key(draft, service.wilayah)
        if key not in seen:
            seen.add(key)
            out.append(draft)
    return out, sum(r.row_id not in archived for r in rows)


def check_year(config: Config, year: int, skip: bool) -> None:
    """YEAR within the years a workspace may have, and the year after the workspace year unless
    ``skip`` (``--lompat``): a typo such as 20266 must not rename every tab."""
    if not f.FIRST_YEAR <= year <= f.LAST_YEAR:
        raise RolloverRefused(f"Tahun {year} tidak dikenal: tahun harus antara {f.FIRST_YEAR} dan {f.LAST_YEAR}; "
                              f"tahun berikutnya: satudata rollover {config.year + 1}")
    if year <= config.year:
        raise RolloverRefused(f"Tahun {year} tidak sesudah tahun ruang kerja ({config.year}); "
                              f"rollover hanya ke tahun berikutnya, mis. satudata rollover {config.year + 1}")
    if year != config.year + 1 and not skip:
        raise RolloverRefused(f"Tahun {year} melompati {year - config.year - 1} tahun; tahun berikutnya: "
                              f"satudata rollover {config.year + 1}. Bila memang melompat, tambahkan --lompat")


def check(service, year: int, resuming: bool, skip: bool = False) -> None:
    """Refuse before anything changes: a YEAR check_year refuses, a held tab, an open workbook."""
    config = service.config
    if not resuming:
        check_year(config, year, skip)
    problems = []
    for tab in Queries(service.store.engine).tabs():
        if tab["opd"] in {o.kode for o in config.opds} and tab["status"] in HELD and not resuming:
            problems.append(f"{tab['opd']}: {HELD[tab['status']]}; tinjau tab itu lalu jalankan "
                            f"satudata confirm {tab['opd']} (atau kembalikan barisnya), lalu ulangi")
        elif tab["opd"] in {o.kode for o in config.opds} and tab["write_pending"] and not resuming:
            problems.append(f"{tab['opd']}: hasil pemeriksaan terakhir belum tertulis ke tab; "
                            "jalankan satudata poll --once lalu ulangi")
    for opd in config.opds:
        if reason := service.backend.busy(opd.kode):
            problems.append(f"{opd.kode}: {reason}")
    if problems:
        raise RolloverRefused("Rollover ditolak, tidak ada yang diubah:\n" + "\n".join(problems))


def roll_opd(service, kode: str, nama: str, closed: int, year: int) -> OpdRollover:
    record = f"{kode} {closed}"
    out = OpdRollover(kode, record)
    rows, out.left = next_year_rows(service, kode, record, year)
    if not live_rows(service.store, kode) and not live_rows(service.store, record):
        out.record = ""  # never had rows: its (empty) tab serves the new year as it is
        service.store.phases.close_year(kode, closed, service.clock())
        return out
    if reason := service.backend.archive_tab(kode, nama, record):
        out.error = reason
        return out
    retire_rows(service.store, kode, record)
    result = service.backend.read([kode], {})[0]
    appended = append_draft(service.backend, result, rows, service.wilayah)
    out.error, out.carried = appended.error, appended.added + appended.skipped
    if not out.error:  # the closed year's clock is kept; the new year's starts at its hand-out
        service.store.phases.close_year(kode, closed, service.clock())
    return out


def set_workspace_year(path: Path, year: int, closed: int | None = None) -> None:
    """workspace.year = YEAR; an ``[[opd]] perpanjangan`` that names no year was granted in the
    closed year and now says so (``tahun = closed``), so it does not extend the new year's
    clock. Every comment and the layout of satudata.toml stay as they are."""
    import tomlkit

    document = tomlkit.parse(path.read_text(encoding="utf-8-sig"))
    document["workspace"]["year"] = year
    for opd in document.get("opd", []) if closed is not None else []:
        for extension in opd.get("perpanjangan", []):
            if hasattr(extension, "get") and extension.get("tahun") is None:
                extension["tahun"] = closed
    temporary = path.with_name(path.name + ".baru")
    temporary.write_text(tomlkit.dumps(document), encoding="utf-8")
    temporary.replace(path)


def rollover(service, year: int, skip: bool = False) -> RolloverReport:
    """Close the workspace year and start YEAR (see the module docstring); the caller holds the lease."""
    config = service.config
    marker = marker_path(config)
    resuming = marker.exists()
    if resuming:
        started = json.loads(marker.read_text(encoding="utf-8"))
        if started.get("ke") != year:
            raise RolloverRefused(f"Rollover ke {started.get('ke')} belum selesai; jalankan dulu: "
                                  f"satudata rollover {started.get('ke')}")
        closed = int(started["dari"])
        if config.year == year:  # only the marker was left
            marker.unlink()
            return RolloverReport(closed, year)
    else:
        closed = config.year
        check(service, year, resuming=False, skip=skip)
        service.poll()  # the closing year's last edits are checked and archived first
        check(service, year, resuming=False, skip=skip)
        marker.write_text(json.dumps({"dari": closed, "ke": year}), encoding="utf-8")
    report = RolloverReport(closed, year)
    for opd in config.opds:
        report.opds.append(roll_opd(service, opd.kode, opd.nama, closed, year))
    if any(r.error for r in report.opds):
        return report  # the marker stays: running the command again finishes the rest
    if config.year != year:
        set_workspace_year(config.path, year, closed)
    marker.unlink()
    return report


@click.command("rollover", help="Tutup tahun ruang kerja dan mulai TAHUN: tab lama disimpan sebagai "
                                "'<KODE> <tahun>', tab baru berisi draf tahun berikutnya.")
@click.argument("year", type=int, metavar="TAHUN")
@click.option("--lompat", "skip", is_flag=True, help="Izinkan TAHUN lebih dari satu tahun sesudah tahun ruang kerja.")
@click.pass_context
def rollover_command(ctx: click.Context, year: int, skip: bool) -> None:
    from service.poller.errors import PollerBusy

    config = load(ctx)
    if not marker_path(config).exists():  # refused before the archive is even opened
        try:
            check_year(config, year, skip)
        except RolloverRefused as exc:
            raise click.ClickException(str(exc)) from None
    service = open_service(config, rolling_over=True)
    try:
        other = service.claim_lease(service.clock())
        if other:
            raise PollerBusy(f"Poller lain sedang berjalan untuk arsip ini: {other}. Hentikan poller itu dulu.")
        report = rollover(service, year, skip)
    except (RolloverRefused, PollerBusy) as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        service.release()
    _echo(report)


def _echo(report: RolloverReport) -> None:
    for r in report.opds:
        if r.error:
            click.echo(f"{r.opd:<18} GAGAL: {r.error}")
        elif r.record:
            line = f"{r.opd:<18} tab {r.record} disimpan; {r.carried} baris draf {report.year} di tab {r.opd}"
            click.echo(line + (f" ({r.left} baris belum diarsip tetap di {r.record}, tidak dibawa)" if r.left else ""))
    if any(r.error for r in report.opds):
        raise click.ClickException(f"Rollover ke {report.year} belum selesai; perbaiki yang GAGAL lalu jalankan "
                                   f"lagi: satudata rollover {report.year}")
    click.echo(f"Tahun {report.closed} ditutup; tahun ruang kerja sekarang {report.year}. "
               "Langkah berikut: satudata poll --once")
