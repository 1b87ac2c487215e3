"""The read-only dashboard (Flask), in Bahasa Indonesia: `create_app(config)` builds it.

create_app only wires: the workspace's Dashboard (config, reads, clock), the blueprints
(pages, JSON API, public data pages), templates, login and error pages. The views live in
service.web.pages, service.web.api and service.web.public; their data in service.web.views.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable

from flask import Flask, Response

from service.archive.progress import calendar_for
from service.archive.store import Store
from service.config import Config
from service.publish.settings import load_settings
from service.web import api, auth, errors, pages, pengaduan, public, templating
from service.web.reads import DashboardReads
from service.web.site import Dashboard
from service.config.wilayah import load_wilayah

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                               "script-src 'none'; frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin",
}


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def create_app(config: Config, store: Store | None = None,
               clock: Callable[[], datetime] | None = None) -> Flask:
    """The dashboard for one workspace; the store is opened from config.archive_url when not given,
    the clock (aware datetimes) defaults to the system's."""
    from service.timefmt import use_zone
    use_zone(config.zona_waktu)
    if store is None:
        from service.poller.opening import open_store
        store = open_store(config, upgrade=False)  # read-only: never runs DDL
    app = Flask(__name__)
    app.json.sort_keys = False
    app.json.ensure_ascii = False
    Dashboard(config, DashboardReads(store), clock or _utcnow, calendar_for(config), load_settings(config),
              load_wilayah(config)).install(app)
    auth.require_login(app, dict(config.dashboard_users), public.is_public, dict(config.dashboard_roles))
    for blueprint in (public.bp, pages.bp, api.bp, pengaduan.bp):  # /data and PDFs, pages, /api, tickets
        app.register_blueprint(blueprint)
    pengaduan.install(app)
    templating.install(app)
    errors.install(app)

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.update(SECURITY_HEADERS)
        return response

    return app


def make_dashboard_server(config: Config, host: str, port: int):
    """The dashboard behind waitress (``server_port``, ``serve_forever``/``shutdown``)."""
    from service.web.server import DashboardServer, freeze_startup_heap
    app = create_app(config)
    freeze_startup_heap()
    return DashboardServer(app, host, port)
