"""Public data pages (/data, /data/<item>), the published files under stable URLs, and the OPD's PDFs.

`[publikasi] terbuka = true` lets these public endpoints (and the stylesheets they use) past the
dashboard login; the PDFs and the rest of the dashboard keep it.
"""
from __future__ import annotations

from datetime import datetime
from typing import Callable

from flask import Blueprint, Flask, Response, abort, render_template, request

from rules.wilayah import Wilayah
from service.config import Config
from service.publish.build import Publication, build
from service.publish.chart import series_chart
from service.publish.items import fold
from service.publish.minutes import NothingToMinute
from service.publish.settings import load_settings
from service.web.reads import DashboardReads

MEDIA = {".csv": "text/csv; charset=utf-8", ".json": "application/json; charset=utf-8",
         ".jsonld": "application/ld+json; charset=utf-8", ".ttl": "text/turtle; charset=utf-8",
         ".txt": "text/plain; charset=utf-8",
         ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
PUBLIC = {"publik.katalog", "publik.data", "publik.paket", "publik.ttl", "publik.jsonld", "static"}
DOWNLOADS = ((".csv", "CSV (tabel lebar)"), (".xlsx", "Excel"), (".json", "JSON (seri data)"),
             ("-panjang.csv", "CSV bentuk panjang"))
PDFS = {"berita-acara-kesepakatan": "Berita Acara Kesepakatan", "berita-acara-verifikasi": "Berita Acara Verifikasi",
        "rekap": "Rekap Data Sektoral"}


def register(app: Flask, config: Config, reads: DashboardReads, clock: Callable[[], datetime]) -> Callable[[], bool]:
    """Add the blueprint; returns the check the login uses to let public pages through."""
    settings = load_settings(config)
    wilayah = Wilayah.load()
    bp = Blueprint("publik", __name__)

    def publication() -> Publication:
        return reads.cached("publikasi", lambda: build(config, reads.store, wilayah=wilayah, settings=settings))

    def file(name: str) -> Response:
        body = publication().files.get(name)
        if body is None:
            abort(404, f"Berkas {name} tidak ada di publikasi.")
        suffix = "." + name.rsplit(".", 1)[-1]
        headers = {"Content-Type": MEDIA[suffix]}
        if suffix in (".csv", ".xlsx"):
            headers["Content-Disposition"] = f'attachment; filename="{name.rsplit("/", 1)[-1]}"'
        return Response(body, headers=headers)

    @bp.get("/data")
    def katalog():
        query = request.args.get("q", "").strip()
        words = fold(query).split()
        items = [i for i in publication().items if all(w in i.text() for w in words)]
        groups: dict[str, list] = {}
        for item in items:
            groups.setdefault(f"{item.opd_nama} ({item.opd})", []).append(item)
        return render_template("publik/katalog.html", groups=groups, q=query, jumlah=len(items),
                               semua=len(publication().items), sekarang=clock())

    @bp.get("/data/<name>")
    def data(name: str):
        if f"data/{name}" in publication().files:
            return file(f"data/{name}")
        item = publication().item(name)
        if item is None:
            abort(404, f"Item data '{name}' tidak ada di publikasi.")
        return render_template("publik/item.html", item=item, chart=series_chart(item), downloads=DOWNLOADS,
                               sekarang=clock())

    bp.add_url_rule("/datapackage.json", "paket", lambda: file("datapackage.json"))
    bp.add_url_rule("/katalog.ttl", "ttl", lambda: file("katalog.ttl"))
    bp.add_url_rule("/katalog.jsonld", "jsonld", lambda: file("katalog.jsonld"))

    @bp.get("/opd/<kode>/<doc>.pdf")
    def pdf(kode: str, doc: str):
        from service.publish.pdf import berita_acara_pdf, rekap_pdf
        if kode not in {o.kode for o in config.opds} or doc not in PDFS:
            abort(404, "Dokumen ini tidak ada.")
        try:
            if doc == "rekap":
                body = rekap_pdf(config, reads.store, kode, clock(), wilayah)
            else:
                body = berita_acara_pdf(config, reads.store, kode, doc.rsplit("-", 1)[1], clock(), wilayah)
        except NothingToMinute as exc:
            abort(409, str(exc))
        return Response(body, mimetype="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="{doc}-{kode}.pdf"'})

    app.register_blueprint(bp)
    app.jinja_env.globals["dokumen_opd"] = PDFS
    return lambda: settings.terbuka and request.endpoint in PUBLIC
