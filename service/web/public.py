"""Public data pages (/data, /data/<item>), the published files under stable URLs, and the OPD's PDFs.

`[publikasi] terbuka = true` lets these public endpoints (and the stylesheets they use) past the
dashboard login; the PDFs and the rest of the dashboard keep it.
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request

from service.publish.build import Publication, build
from service.publish.chart import series_chart
from service.publish.items import fold
from service.publish.minutes import NothingToMinute
from service.web import site

MEDIA = {".csv": "text/csv; charset=utf-8", ".json": "application/json; charset=utf-8",
         ".jsonld": "application/ld+json; charset=utf-8", ".ttl": "text/turtle; charset=utf-8",
         ".txt": "text/plain; charset=utf-8",
         ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
PUBLIC = {"publik.katalog", "publik.data", "publik.paket", "publik.ttl", "publik.jsonld", "static"}
DOWNLOADS = ((".csv", "CSV (tabel lebar)"), (".xlsx", "Excel"), (".json", "JSON (seri data)"),
             (".panjang.csv", "CSV bentuk panjang"))
PDFS = {"berita-acara-kesepakatan": "Berita Acara Kesepakatan", "berita-acara-verifikasi": "Berita Acara Verifikasi",
        "rekap": "Rekap Data Sektoral"}


bp = Blueprint("publik", __name__)


def is_public() -> bool:
    """The login lets this request through: a public page while [publikasi] terbuka = true."""
    return site.current().settings.terbuka and request.endpoint in PUBLIC


def publication() -> Publication:
    d = site.current()
    return d.reads.cached("publikasi", lambda: build(d.config, d.reads.store, wilayah=d.wilayah, settings=d.settings))


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
                           semua=len(publication().items), sekarang=site.current().clock())


@bp.get("/data/<name>")
def data(name: str):
    if f"data/{name}" in publication().files:
        return file(f"data/{name}")
    item = publication().item(name)
    if item is None:
        abort(404, f"Item data '{name}' tidak ada di publikasi.")
    return render_template("publik/item.html", item=item, chart=series_chart(item), downloads=DOWNLOADS,
                           sekarang=site.current().clock())


bp.add_url_rule("/datapackage.json", "paket", lambda: file("datapackage.json"))
bp.add_url_rule("/katalog.ttl", "ttl", lambda: file("katalog.ttl"))
bp.add_url_rule("/katalog.jsonld", "jsonld", lambda: file("katalog.jsonld"))


@bp.get("/opd/<kode>/<doc>.pdf")
def pdf(kode: str, doc: str):
    from service.publish.pdf import berita_acara_pdf, rekap_pdf
    d = site.current()
    if kode not in d.kodes or doc not in PDFS:
        abort(404, "Dokumen ini tidak ada.")
    try:
        if doc == "rekap":
            body = rekap_pdf(d.config, d.reads.store, kode, d.clock(), d.wilayah)
        else:
            body = berita_acara_pdf(d.config, d.reads.store, kode, doc.rsplit("-", 1)[1], d.clock(), d.wilayah)
    except NothingToMinute as exc:
        abort(409, str(exc))
    return Response(body, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{doc}-{kode}.pdf"'})
