"""The read-only dashboard (Flask), in Bahasa Indonesia: `create_app(config)` builds it.

The only module that imports Flask. Pages and their JSON API share the data built in
service.web.views; the clock and the store are inputs so deadlines are testable.
"""
from __future__ import annotations

import hashlib
import hmac
import os
from datetime import datetime, timezone
from typing import Callable

from flask import Flask, Response, abort, jsonify, render_template, request, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.security import check_password_hash

from service.archive.progress import calendar_for
from rules.numbers import format_number
from rules.sop import load_sop
from service.web import charts
from service.web import history
from service.web import views
from service.web.reads import DashboardReads
from service.config import Config
from service.archive.export import FORMATS, render
from service.archive.store import Store
from service.timefmt import format_tanggal

NAV = (("ringkasan", "Ringkasan"), ("temuan", "Temuan"), ("riwayat", "Riwayat"), ("arsip", "Arsip"),
       ("kesehatan", "Kesehatan"))
MIME = {"csv": "text/csv; charset=utf-8", "json": "application/json; charset=utf-8",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                               "script-src 'none'; frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin",
}
REALM = 'Basic realm="Satu Data Magetan", charset="UTF-8"'
QUERY_KEYS = ("opd", "level", "halaman", "semua_versi", "batas")  # the filters a page reads


def query_args() -> dict[str, str]:
    """The page's own filters from the query string: links are built from these and the route's
    arguments only, never from url_for's keywords (endpoint, _method, _external, ...)."""
    return {k: v for k, v in request.args.items() if k in QUERY_KEYS}


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def create_app(config: Config, store: Store | None = None,
               clock: Callable[[], datetime] | None = None) -> Flask:
    """The dashboard for one workspace; the store is opened from config.archive_url when not given,
    the clock (aware datetimes) defaults to the system's."""
    if store is None:
        from service.poller.wiring import open_store
        store = open_store(config, upgrade=False)  # read-only: never runs DDL
    clock = clock or _utcnow
    calendar = calendar_for(config)
    reads = DashboardReads(store)
    kodes = {o.kode for o in config.opds}

    app = Flask(__name__)
    app.json.sort_keys = False
    app.json.ensure_ascii = False
    _filters(app)
    from service.web import public  # /data, published files, the OPD's PDFs
    _basic_auth(app, dict(config.dashboard_users), public.register(app, config, reads, clock))

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.update(SECURITY_HEADERS)
        return response

    app.jinja_env.globals["query_args"] = query_args  # also inside imported macros (the pager)

    @app.context_processor
    def _common() -> dict:
        return {"nav": NAV, "workspace": config.name, "tahun": config.year, "legend": charts.legend(),
                "query_args": query_args}

    def page(template: str, api: str, **context) -> str:
        api_url = url_for(api, **{**query_args(), **(request.view_args or {})})  # the same data as JSON
        return render_template(template, api_url=api_url, **context)

    def opd_arg() -> str | None:
        opd = request.args.get("opd") or None
        if opd is not None and opd not in kodes:
            abort(404, f"OPD '{opd}' tidak ada dalam konfigurasi.")
        return opd

    def level_arg() -> str | None:
        level = request.args.get("level") or None
        return level if level in views.LEVELS else None

    def page_arg() -> int:
        return request.args.get("halaman", 1, type=int) or 1

    def all_versions_arg() -> bool:
        return request.args.get("semua_versi", "") in ("1", "ya", "on", "true")

    def limit_arg() -> int:
        return min(max(request.args.get("batas", 200, type=int) or 200, 1), 2000)

    # --- data, shared by pages and API -------------------------------------------------
    def ringkasan_data() -> dict:
        return views.ringkasan(config, reads, clock(), calendar)

    def opd_data(kode: str) -> dict:
        data = views.opd_detail(config, reads, kode, clock(), calendar)
        if data is None:
            abort(404, f"OPD '{kode}' tidak ada dalam konfigurasi ruang kerja ini.")
        return data

    def baris_data(kode: str, row_id: str) -> dict:
        if kode not in kodes:
            abort(404, f"OPD '{kode}' tidak ada dalam konfigurasi ruang kerja ini.")
        data = history.row_history(reads.queries, kode, row_id)
        if data is None:
            abort(404, f"Baris '{row_id}' tidak dikenal di {kode}.")
        return data

    def temuan_data() -> dict:
        return views.temuan(reads, opd_arg(), level_arg(), page_arg())

    def riwayat_data() -> dict:
        return views.riwayat(reads, opd_arg(), limit_arg())

    def arsip_data() -> dict:
        return views.arsip(reads, opd_arg(), all_versions_arg(), page_arg())

    def kesehatan_data() -> dict:
        return views.kesehatan(config, reads, clock())

    # --- pages ----------------------------------------------------------------------------
    @app.get("/favicon.ico")
    def favicon():
        return "", 204  # no icon; an empty answer keeps the browser console clean

    @app.get("/")
    def ringkasan():
        data = ringkasan_data()
        bars = {o["kode"]: charts.stacked_bar(o["jumlah_per_kode"]) for o in data["opd"]}
        total_bar = charts.stacked_bar(data["jumlah_per_kode"], width=1000, height=28)
        return page("ringkasan.html", "api_ringkasan", d=data, bars=bars, total_bar=total_bar,
                    sop=load_sop(), sekarang=data["sekarang"])

    @app.get("/opd/<kode>")
    def opd(kode: str):
        data = opd_data(kode)
        return page("opd.html", "api_opd", d=data, bar=charts.stacked_bar(data["opd"]["jumlah_per_kode"], 1000, 28),
                    sekarang=clock(), kode=kode)

    @app.get("/opd/<kode>/baris/<row_id>")
    def baris(kode: str, row_id: str):
        return page("baris.html", "api_baris", d=baris_data(kode, row_id), sekarang=clock())

    @app.get("/temuan")
    def temuan():
        return page("temuan.html", "api_temuan", d=temuan_data(), opds=config.opds, levels=views.LEVELS,
                    sekarang=clock())

    @app.get("/riwayat")
    def riwayat():
        return page("riwayat.html", "api_riwayat", d=riwayat_data(), opds=config.opds, sekarang=clock())

    @app.get("/arsip")
    def arsip():
        return page("arsip.html", "api_arsip", d=arsip_data(), opds=config.opds, formats=FORMATS,
                    sekarang=clock())

    @app.get("/arsip/unduh.<fmt>")
    def arsip_unduh(fmt: str):
        if fmt not in FORMATS:
            abort(404, f"Format '{fmt}' tidak dikenal; pilih {', '.join(FORMATS)}.")
        opd, all_versions = opd_arg(), all_versions_arg()
        body = render(reads.queries.archive_rows(all_versions=all_versions, opd=opd), fmt)
        name = "-".join(["arsip", str(config.year), *([opd] if opd else []),
                         *(["semua-versi"] if all_versions else [])])
        return Response(body, mimetype=MIME[fmt].split(";")[0], headers={
            "Content-Type": MIME[fmt], "Content-Disposition": f'attachment; filename="{name}.{fmt}"'})

    @app.get("/status.css")
    def state_css():
        css = "".join(f".st-{code} {{ background: {bg}; color: {fg}; }}\n"
                      for code, (bg, fg) in charts.STATE_COLOURS.items())
        return Response(css, mimetype="text/css", headers={"Cache-Control": "max-age=3600"})

    @app.get("/kesehatan")
    def kesehatan():
        data = kesehatan_data()
        return page("kesehatan.html", "api_kesehatan", d=data, sekarang=data["sekarang"])

    # --- JSON API ---------------------------------------------------------------------------
    def api(data: dict) -> Response:
        return jsonify(views.jsonable(data))

    app.add_url_rule("/api/ringkasan", "api_ringkasan", lambda: api(ringkasan_data()))
    app.add_url_rule("/api/opd/<kode>", "api_opd", lambda kode: api(opd_data(kode)))
    app.add_url_rule("/api/opd/<kode>/baris/<row_id>", "api_baris", lambda kode, row_id: api(baris_data(kode, row_id)))
    app.add_url_rule("/api/temuan", "api_temuan", lambda: api(temuan_data()))
    app.add_url_rule("/api/riwayat", "api_riwayat", lambda: api(riwayat_data()))
    app.add_url_rule("/api/arsip", "api_arsip", lambda: api(arsip_data()))
    app.add_url_rule("/api/kesehatan", "api_kesehatan", lambda: api(kesehatan_data()))

    @app.errorhandler(HTTPException)
    def _error(exc: HTTPException):
        titles = {404: "Halaman tidak ditemukan", 405: "Dasbor ini hanya-baca", 400: "Permintaan tidak sah"}
        title = titles.get(exc.code, "Terjadi galat")
        own = exc.description if exc.description != type(exc).description else None  # abort(code, "…")
        message = own or {404: "Alamat ini tidak ada di dasbor.",
                          405: "Hanya permintaan GET yang diterima."}.get(exc.code, title)
        if request.path.startswith("/api/"):
            response = jsonify({"galat": title, "pesan": message, "kode": exc.code})
        else:
            response = Response(render_template("galat.html", judul=title, pesan=message, kode=exc.code,
                                                sekarang=clock(), api_url=None), mimetype="text/html")
        response.status_code = exc.code or 500
        if exc.code == 405:
            response.headers["Allow"] = "GET, HEAD"
        return response

    return app


def _filters(app: Flask) -> None:
    sop = load_sop()
    app.add_template_filter(lambda v, decimals=None: "—" if v is None or v == "" else format_number(v, decimals),
                            "angka")
    app.add_template_filter(lambda s: "—" if not s else format_tanggal(datetime.fromisoformat(s), with_time=True),
                            "iso_waktu")
    app.add_template_filter(lambda d: "—" if d is None else format_tanggal(d), "tanggal")
    app.add_template_filter(lambda d: "—" if d is None else format_tanggal(d, with_time=True), "waktu")
    app.add_template_filter(lambda k: views.KETEPATAN.get(k, k), "ketepatan")
    app.add_template_filter(lambda c: sop.states[c].label if c in sop.states else views.state_label(c), "status")
    app.add_template_filter(charts.colour, "warna")
    app.add_template_filter(charts.text_colour, "warna_teks")
    app.add_template_filter(lambda v: views.LEVELS.get(v, v), "level")
    app.add_template_filter(lambda s: views.TAB_STATUS.get(s, s), "status_tab")


def _basic_auth(app: Flask, users: dict[str, str], exempt: Callable[[], bool] = lambda: False) -> None:
    """HTTP basic auth against werkzeug password hashes, when [dashboard] users is set.

    A hash check is deliberately slow, so credentials that passed once are remembered
    (as a keyed digest, never in clear) and later requests, such as the CSS, stay fast."""
    if not users:
        return
    key = os.urandom(32)
    passed: set[bytes] = set()
    dummy = _dummy_hash(next(iter(users.values())))

    @app.before_request
    def _check() -> Response | None:
        if exempt():  # a public data page while [publikasi] terbuka = true
            return None
        auth = request.authorization
        if auth is not None and auth.type == "basic":
            password = auth.password or ""
            token = hmac.new(key, f"{auth.username}\0{password}".encode(), hashlib.sha256).digest()
            if token in passed:
                return None
            # an unknown user costs the same hash check as a wrong password: no name is found by timing
            known = auth.username in users
            if check_password_hash(users[auth.username] if known else dummy, password) and known:
                passed.add(token)
                return None
        return Response("Perlu masuk: isi nama pengguna dan kata sandi dasbor.", 401,
                        {"WWW-Authenticate": REALM, "Content-Type": "text/plain; charset=utf-8"})


def _dummy_hash(like: str) -> str:
    """A hash of a random password made the same way (method and cost) as a configured one."""
    from werkzeug.security import generate_password_hash
    method = like.split("$", 1)[0]
    try:
        return generate_password_hash(os.urandom(16).hex(), method=method)
    except ValueError:  # a method this werkzeug cannot make: its default is still a slow hash
        return generate_password_hash(os.urandom(16).hex())


def make_dashboard_server(config: Config, host: str, port: int):
    """The dashboard behind waitress (``server_port``, ``serve_forever``/``shutdown``)."""
    from service.web.server import DashboardServer
    return DashboardServer(create_app(config), host, port)


def password_hash(password: str) -> str:
    """A hash for [dashboard] users, as the basic-auth check reads it."""
    from werkzeug.security import generate_password_hash
    return generate_password_hash(password)
