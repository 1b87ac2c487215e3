"""What every dashboard view shares: the app's Dashboard (config, reads, clock), the page
filters read from the query string, and each page's data with its 404s, so that a page and
its JSON API always answer with the same data."""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

from flask import Flask, abort, current_app, redirect, request, url_for

from rules.calendar import WorkCalendar
from rules.wilayah import Wilayah
from service.config import Config
from service.publish.settings import Settings
from service.web import history, views
from service.web.reads import DashboardReads

ALL_PAGES = "semua"  # ?halaman=semua: every row of /api/opd/<KODE> in one answer
QUERY_KEYS = ("opd", "level", "halaman", "semua_versi", "batas", "tahun")  # the filters a page reads
EXTENSION = "satudata"
log = logging.getLogger(__name__)


def _signature(path) -> tuple | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size


@dataclass
class Dashboard:
    """One workspace's dashboard: built once by create_app, read by every view. When satudata.toml
    changes (``satudata rollover`` moves the workspace year), the next request reads it again."""
    config: Config
    reads: DashboardReads
    clock: Callable[[], datetime]
    calendar: WorkCalendar
    settings: Settings  # [publikasi]: whether the public pages skip the login
    wilayah: Wilayah
    kodes: frozenset[str] = field(init=False)
    seen: tuple | None = field(init=False)
    last_good: dict = field(default_factory=dict)  # "publikasi": the last publication built with good rules

    def __post_init__(self) -> None:
        self.kodes = frozenset(o.kode for o in self.config.opds)
        self.seen = _signature(self.config.path)

    def install(self, app: Flask) -> None:
        app.extensions[EXTENSION] = self
        app.before_request(self.refresh)
        app.before_request(self.reads.begin_request)
        app.teardown_request(self.reads.end_request)

    def refresh(self) -> None:
        """Read the workspace file again when it changed since it was read; a file that does not
        load keeps the dashboard on the last good one (the poller and CLI name the problem)."""
        seen = _signature(self.config.path)
        if seen is None or seen == self.seen:
            return
        from service.archive.progress import calendar_for
        from service.config import ConfigError, load_config
        from service.publish.settings import load_settings
        self.seen = seen
        try:
            config = load_config(self.config.path)
            settings = load_settings(config)
        except (ConfigError, OSError, ValueError):
            log.warning("satudata.toml berubah tetapi tidak dapat dibaca; dasbor memakai versi sebelumnya")
            return
        from service.timefmt import use_zone
        use_zone(config.zona_waktu)
        self.config, self.settings, self.calendar = config, settings, calendar_for(config)
        self.kodes = frozenset(o.kode for o in config.opds)
        self.reads.clear()


def current() -> Dashboard:
    return current_app.extensions[EXTENSION]


# --- the page's filters --------------------------------------------------------------------
def query_args() -> dict[str, str]:
    """The page's own filters from the query string: links are built from these and the route's
    arguments only, never from url_for's keywords (endpoint, _method, _external, ...)."""
    return {k: v for k, v in request.args.items() if k in QUERY_KEYS}


def known_opd(kode: str) -> str:
    """The OPD code of the URL; one typed in another case (/opd/dinkes) is sent to its own address."""
    kodes = current().kodes
    if kode in kodes:
        return kode
    same = [k for k in kodes if k.casefold() == kode.casefold()]
    if len(same) == 1 and request.endpoint is not None:
        values = {**request.args.to_dict(flat=False), **(request.view_args or {}), "kode": same[0]}
        abort(redirect(url_for(request.endpoint, **values), 308))
    abort(404, f"OPD '{kode}' tidak ada dalam konfigurasi ruang kerja ini.")


def opd_arg() -> str | None:
    opd = request.args.get("opd") or None
    if opd is not None and opd not in current().kodes:
        abort(404, f"OPD '{opd}' tidak ada dalam konfigurasi.")
    return opd


def level_arg() -> str | None:
    level = request.args.get("level") or None
    return level if level in views.LEVELS else None


def page_arg() -> int:
    return request.args.get("halaman", 1, type=int) or 1


def all_versions_arg() -> bool:
    return request.args.get("semua_versi", "") in ("1", "ya", "on", "true")


def year_arg() -> int | None:
    """``?tahun=``: a workspace year a rollover closed; None for the open year."""
    raw = request.args.get("tahun") or None
    if raw is None:
        return None
    d = current()
    from service.archive.progress import known_years
    years = known_years(d.config, d.reads.store)
    if not raw.isdigit() or int(raw) not in years:
        abort(404, f"Tahun '{raw}' tidak ada di arsip ini; tahun yang ada: {', '.join(map(str, years))}.")
    return None if int(raw) == d.config.year else int(raw)


def limit_arg() -> int:
    return min(max(request.args.get("batas", 200, type=int) or 200, 1), 2000)


# --- each page's data, shared by the page and its JSON ----------------------------------------
def ringkasan_data() -> dict:
    d = current()
    return views.ringkasan(d.config, d.reads, d.clock(), d.calendar, year_arg())


def opd_data(kode: str) -> dict:
    d = current()
    data = views.opd_detail(d.config, d.reads, known_opd(kode), d.clock(), d.calendar, year_arg())
    if data is None:
        abort(404, f"OPD '{kode}' tidak ada dalam konfigurasi ruang kerja ini.")
    return data


def opd_api_data(kode: str) -> dict:
    """/api/opd/<KODE>: one page of 250 live rows as the OPD page shows them (``?halaman=N``),
    each with its whole history; ``?halaman=semua`` answers every row at once (DECISIONS.md #153)."""
    data = opd_data(kode)
    if request.args.get("halaman") == ALL_PAGES:
        return views.opd_page(data, 1, max(1, len(data["baris"])))
    return views.opd_page(data, page_arg())


def baris_data(kode: str, row_id: str) -> dict:
    data = history.row_history(current().reads.queries, known_opd(kode), row_id)
    if data is None:
        abort(404, f"Baris '{row_id}' tidak dikenal di {kode}.")
    return data


def temuan_data() -> dict:
    d = current()
    return views.temuan(d.reads, opd_arg(), level_arg(), page_arg(), d.kodes)


def riwayat_data() -> dict:
    return views.riwayat(current().reads, opd_arg(), limit_arg())


def arsip_data() -> dict:
    return views.arsip(current().reads, opd_arg(), all_versions_arg(), page_arg())


def kesehatan_data() -> dict:
    d = current()
    return views.kesehatan(d.config, d.reads, d.clock())


def pengawasan_data() -> dict:
    """The annual review's figures for the workspace year, now; OPDs at risk first."""
    d = current()
    return d.reads.cached("pengawasan", lambda: views.pengawasan(d.config, d.reads, d.clock()))
