"""Every HTTP error as an Indonesian page, or as JSON under /api/; the dashboard writes only tickets (DECISIONS.md #80)."""
from __future__ import annotations

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from service.web import site

TITLES = {404: "Halaman tidak ditemukan", 405: "Alamat ini hanya-baca", 400: "Permintaan tidak sah",
          403: "Tidak diizinkan", 413: "Kiriman terlalu besar", 429: "Terlalu banyak kiriman"}
MESSAGES = {404: "Alamat ini tidak ada di dasbor.", 405: "Hanya permintaan GET yang diterima.",
            413: "Kiriman ini terlalu besar untuk formulir; persingkat teksnya lalu kirim lagi."}


def error_page(exc: HTTPException) -> Response:
    title = TITLES.get(exc.code, "Terjadi galat")
    own = exc.description if exc.description != type(exc).description else None  # abort(code, "…")
    message = own or MESSAGES.get(exc.code, title)
    if request.path.startswith("/api/"):
        response = jsonify({"galat": title, "pesan": message, "kode": exc.code})
    elif _public_request():  # a visitor of the public pages never meets the dashboard's menu or login
        referrer = request.referrer if request.referrer and request.referrer.startswith(request.host_url) else None
        response = Response(render_template("galat.html", publik=True, judul=title, pesan=message, kode=exc.code,
                                            kembali=referrer, sekarang=site.current().clock()), mimetype="text/html")
    else:
        response = Response(render_template("galat.html", publik=False, judul=title, pesan=message, kode=exc.code,
                                            sekarang=site.current().clock(), api_url=None), mimetype="text/html")
    response.status_code = exc.code or 500
    if exc.code == 405:
        response.headers["Allow"] = "GET, HEAD"
    return response


def _public_request() -> bool:
    """A public data page or a public form post (the pengaduan forms), by endpoint or, for a URL
    no endpoint matched, by its /data prefix."""
    from service.web.public import PUBLIC
    return request.endpoint in PUBLIC or request.path == "/data" or request.path.startswith("/data/")


def install(app: Flask) -> None:
    app.register_error_handler(HTTPException, error_page)
