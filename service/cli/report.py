"""What `poll` and `run` print after a cycle, and progress while a long one runs.

``--once`` prints every OPD with rows; the continuous loop prints only the OPDs where something
happened (or that have a message) plus one summary line, so an idle hour is a few lines, not
57 per minute. Secrets are masked here, the last place before the terminal.
"""
from __future__ import annotations

import json
import sys
import time
from datetime import date, datetime
from typing import Callable

import click

from rules.sop import load_sop
from service.archive.masking import mask_secrets
from service.timefmt import local_iso

STATUS = {"diproses": "diproses", "tidak_berubah": "tidak berubah", "dilewati": "DILEWATI", "galat": "GALAT",
          "ditunda": "ditunda (kuota)"}
PLAIN_EVERY_SECONDS = 2.0
REQUESTS = {"read": "baca", "write": "tulis", "drive": "Drive", "stat": "cek berkas"}


def iso(value: object) -> str:
    return local_iso(value) if isinstance(value, (datetime, date)) else str(value)


def echo_report(report, as_json: bool, url: str | None = None, changes_only: bool = False) -> None:
    """One cycle's report; ``url`` is the archive's, whose password is masked in every message."""
    if as_json:
        data = report.as_dict()
        data["galat"] = [mask_secrets(e, url) for e in data["galat"]]
        for tab in data["tab"]:
            tab["message"] = mask_secrets(tab["message"], url)
        click.echo(json.dumps(data, ensure_ascii=False, default=iso))
        return
    if report.created:
        click.echo(f"Tab/berkas baru dibuat: {', '.join(report.created)}")
    idle = [t.opd for t in report.tabs if t.status in ("tidak_berubah", "diproses") and not t.states
            and not t.message and not t.events]
    quiet = [t.opd for t in report.tabs if t.status == "tidak_berubah" and not t.message and t.opd not in idle]
    for tab in report.tabs:
        if tab.opd in idle or (changes_only and tab.opd in quiet):
            continue
        _echo_tab(tab, url)
    if idle and not changes_only:
        click.echo(f"{len(idle)} OPD belum memiliki baris: {', '.join(idle)}")
    for error in report.errors:
        if not any(error.endswith(t.message) for t in report.tabs if t.message):
            click.echo(f"! {mask_secrets(error, url)}")
    click.echo(_summary(report, changes_only))


def _echo_tab(tab, url: str | None) -> None:
    sop = load_sop()
    order = {s.code: i for i, s in enumerate(sop.for_display())}
    states = ", ".join(f"{sop.label(s)}: {n}" for s, n in sorted(
        tab.states.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0])))
    label = "MENUNGGU" if tab.waiting else "DIBUKA" if tab.open_idle else STATUS[tab.status]
    if not states:  # a held or unreadable tab has rows the archive does not count yet
        states = f"{tab.rows} baris di sheet, belum diproses" if tab.rows else "belum ada baris"
    line = f"{tab.opd:<18} {label:<14} {states}"
    if tab.events or tab.archived:
        line += f" | {tab.events} perubahan status, {tab.archived} diarsip"
    click.echo(line)
    if tab.message:
        click.echo(f"{'':<18} ! {mask_secrets(tab.message, url)}")


def _summary(report, changes_only: bool) -> str:
    requests = ", ".join(f"{REQUESTS.get(k, k)} {v}" for k, v in report.requests.items()) or "0"
    if not changes_only:
        return f"Siklus {report.cycle_id} selesai; permintaan ke spreadsheet: {requests}"
    tabs = report.tabs
    parts = [f"{sum(t.status in ('diproses', 'dilewati') for t in tabs)} dari {len(tabs)} tab berubah",
             f"{sum(t.events for t in tabs)} perubahan status", f"{sum(t.archived for t in tabs)} diarsip"]
    if deferred := sum(t.status == "ditunda" for t in tabs):
        parts.append(f"{deferred} ditunda karena kuota")
    if waiting := sum(t.waiting for t in tabs):
        parts.append(f"{waiting} menunggu berkas ditutup")
    if errors := len(report.errors):
        parts.append(f"{errors} galat")
    return f"Siklus {report.cycle_id}: {', '.join(parts)}; permintaan: {requests}"


def cycle_log_line(report, now) -> str:
    """One line per cycle of `satudata run`, as a log reader (journalctl, a Windows log file) reads it:
    local time with its zone, a level, then the counts."""
    from service.timefmt import to_wib, zone_label
    tabs = report.tabs
    waiting = sum(t.waiting for t in tabs)
    failed = len(report.errors) + sum(t.status == "galat" for t in tabs)
    held = sum(bool(t.message) and t.status == "dilewati" for t in tabs)
    level = "ERROR" if report.backend_failed or failed else "WARNING" if held or waiting else "INFO"
    requests = ", ".join(f"{REQUESTS.get(k, k)} {v}" for k, v in report.requests.items()) or "0"
    return (f"{to_wib(now).strftime('%Y-%m-%d %H:%M:%S')} {zone_label(now)} {level:<7} siklus {report.cycle_id}: "
            f"{len(tabs)} OPD, {sum(t.status in ('diproses', 'dilewati') for t in tabs)} berubah, "
            f"{sum(t.events for t in tabs)} perubahan status, {sum(t.archived for t in tabs)} diarsip, "
            f"{waiting} menunggu berkas ditutup, {held} ditahan, {failed} galat; permintaan: {requests}")


def progress_printer(as_json: bool, label: str, stream=None,
                     clock: Callable[[], float] = time.monotonic) -> Callable[[int, int, str], None] | None:
    """A callback (done, total, what) showing progress: a bar on a terminal, a plain line per
    step otherwise, nothing with --json (the output is the JSON alone)."""
    if as_json:
        return None
    stream = stream or sys.stderr
    if stream.isatty():
        bar: dict = {}

        def on_terminal(done: int, total: int, what: str) -> None:
            if "bar" not in bar:
                bar["bar"] = click.progressbar(length=total, label=label, file=stream,
                                               item_show_func=lambda item: item, show_pos=True)
                bar["bar"].__enter__()
            bar["bar"].update(done - bar["bar"].pos, what)
            if done >= total:
                bar.pop("bar").__exit__(None, None, None)

        return on_terminal

    last = [clock()]

    def plain(done: int, total: int, what: str) -> None:
        """A line at most every few seconds and at the end: a log file, not a flood."""
        now = clock()
        if done >= total or now - last[0] >= PLAIN_EVERY_SECONDS:
            last[0] = now
            click.echo(f"{label} {done}/{total}: {what}", file=stream)

    return plain
