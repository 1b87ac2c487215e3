"""Public data pages (/data, /data/<item>), the published files under stable URLs, and the OPD's PDFs.

`[publikasi] terbuka = true` lets these public endpoints (and the stylesheets they use) past the
dashboard login; the PDFs and the rest of the dashboard keep it.
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, get_template_attribute, render_template, request, url_for
from markupsafe import Markup

from service.publish.build import Publication, build_or_last
from service.publish.chart import series_chart
from service.publish.items import fold
from service.publish.minutes import NothingToMinute
from service.web import site
from service.publish.pdf import METADATA_SUFFIX

MEDIA = {".csv": "text/csv; charset=utf-8", ".json": "application/json; charset=utf-8",
         ".jsonld": "application/ld+json; charset=utf-8", ".ttl": "text/turtle; charset=utf-8",
         ".txt": "text/plain; charset=utf-8",
         ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
PUBLIC = {"publik.katalog", "publik.data", "publik.paket", "publik.ttl", "publik.jsonld", "publik.katalog_page_file",
          "publik.jadwal", "static",
          "pengaduan.lapor", "pengaduan.usul"}
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
    return d.reads.cached("publikasi", lambda: _fresh_or_last(d))


def _fresh_or_last(d: site.Dashboard) -> Publication:
    current = build_or_last(d.config, d.reads.store, d.wilayah, d.settings, d.last_good.get("publikasi"))
    if not current.problem:
        d.last_good["publikasi"] = current
    return current


@bp.context_processor
def _problem() -> dict:
    """Every public page says so when it shows the last good publication (a broken rule file)."""
    return {"masalah": publication().problem}


def statuses() -> dict:
    """Each item's verification, open checks, next release and priority (service.publish.status)."""
    from service.publish.status import item_status, prioritas_keys
    d = site.current()
    today = d.clock().astimezone(d.calendar.tz).date()
    return d.reads.cached(("status-publikasi", today), lambda: item_status(
        publication().items, d.reads.queries, today, d.calendar, prioritas_keys(d.config.publikasi.get("prioritas"))))


def file(name: str) -> Response:
    body = publication().files.get(name)
    if body is None:
        abort(404, f"Berkas {name} tidak ada di publikasi.")
    suffix = "." + name.rsplit(".", 1)[-1]
    headers = {"Content-Type": MEDIA[suffix]}
    if publication().problem:  # a header carries ASCII only: the page /data shows the whole message
        headers["Warning"] = '199 satudata "Berkas aturan rusak; publikasi terakhir yang baik ditampilkan"'
    if suffix in (".csv", ".xlsx"):
        headers["Content-Disposition"] = f'attachment; filename="{name.rsplit("/", 1)[-1]}"'
    return Response(body, headers=headers)


def prioritas_arg() -> bool:
    return request.args.get("prioritas", "") in ("1", "ya", "on", "true")


def katalog_page(form: dict | None = None, form_errors: dict | None = None) -> str:
    query = request.args.get("q", "").strip()
    words = fold(query).split()
    status, only_priority = statuses(), prioritas_arg()
    items = [i for i in publication().items if all(w in i.text() for w in words)
             and (not only_priority or status[i.slug].prioritas)]
    groups: dict[str, list] = {}
    for item in items:
        groups.setdefault(f"{item.opd_nama} ({item.opd})", []).append(item)
    d = site.current()
    return render_template("publik/katalog.html", groups=groups, q=query, jumlah=len(items), status=status,
                           prioritas=only_priority, semua=len(publication().items), ditahan=publication().withheld,
                           sekarang=d.clock(),
                           opds=d.config.opds, form=form or {}, form_errors=form_errors or {})


@bp.get("/data")
def katalog():
    return katalog_page()


def item_page(item, form: dict | None = None, form_errors: dict | None = None) -> str:
    return render_template("publik/item.html", item=item, chart=series_chart(item), downloads=DOWNLOADS,
                           status=statuses()[item.slug], form=form or {}, form_errors=form_errors or {},
                           ditahan=[w for w in publication().withheld if (w.opd, w.kode_data, w.uraian_data) ==
                                    (item.opd, item.kode_data, item.uraian_data)],
                           sekarang=site.current().clock())


@bp.get("/data/<name>")
def data(name: str):
    if f"data/{name}" in publication().files:
        return file(f"data/{name}")
    if name.endswith(METADATA_SUFFIX):
        return _metadata_pdf(name.removesuffix(METADATA_SUFFIX))
    item = publication().item(name)
    if item is None:
        abort(404, f"Item data '{name}' tidak ada di publikasi.")
    return item_page(item)


RILIS_DI_HALAMAN_OPD = 50  # the OPD page lists its overdue items first and links to the whole calendar


@bp.app_template_global("rilis_opd")
def opd_releases(kode: str) -> list[tuple]:
    """(item, status) of an OPD's published items, overdue first: the dashboard's OPD page. Read
    for that OPD alone and without rendering any file, since the OPD page is read often."""
    from service.publish.status import item_status, prioritas_keys
    d = site.current()
    today = d.clock().astimezone(d.calendar.tz).date()

    def compute() -> list[tuple]:
        items = d.reads.archived_items(kode, d.wilayah, {o.kode: o.nama for o in d.config.opds})
        status = item_status(items, d.reads.queries, today, d.calendar,
                             prioritas_keys(d.config.publikasi.get("prioritas")), opd=kode,
                             kept=d.reads.release_status.setdefault(kode, {}))
        return sorted(((i, status[i.slug]) for i in items),
                      key=lambda p: (not p[1].jadwal.terlambat, p[1].jadwal.berikutnya))
    # an OPD's archive and rows change only with its tab row (one transaction in Store.apply), so
    # another OPD's cycle keeps this list, as the OPD page keeps its rows (views.opd_detail)
    tab = d.reads.tab(kode)
    return d.reads.cached(("rilis", kode, today), compute, ("tab", tuple(sorted(tab.items())) if tab else None))


@bp.app_template_global("rilis_opd_html")
def opd_releases_html(kode: str) -> Markup:
    """The OPD page's release list as HTML, rendered again only when rilis_opd is read again (its
    OPD's tab changed, or the day), and then only the rows of items whose row changed: hundreds of
    items were most of a warm OPD page's rendering (DECISIONS.md #154). Its first
    RILIS_DI_HALAMAN_OPD items (overdue first) only, with a link to the OPD's whole calendar: 500
    items were 111 KB of the page (DECISIONS.md #157)."""
    d = site.current()
    today = d.clock().astimezone(d.calendar.tz).date()
    tab = d.reads.tab(kode)

    def render() -> Markup:
        data_url = url_for("publik.data", name="-")[:-1]  # one url_for, not one per item
        row_of = get_template_attribute("_rilis_opd.html", "baris")
        kept, rows = d.reads.release_rows.get(kode, {}), {}
        releases = opd_releases(kode)
        for i, st in releases[:RILIS_DI_HALAMAN_OPD]:
            key = (data_url, i.slug, i.title, i.modified, st.prioritas, st.jadwal.berikutnya, st.jadwal.terlambat)
            rows[key] = kept.get(key) or row_of(i, st, data_url)
        d.reads.release_rows[kode] = rows
        return Markup(render_template("_rilis_opd.html", rows=list(rows.values()), kode=kode, jumlah=len(releases),
                                      terlambat=sum(st.jadwal.terlambat for _, st in releases)))
    return d.reads.cached(("rilis_html", kode, today, request.script_root), render,
                          ("tab", tuple(sorted(tab.items())) if tab else None))


@bp.get("/data/jadwal")
def jadwal():
    """The year's release calendar: every item's next expected release, soonest first; ``?opd=KODE``
    one OPD's items (the OPD page lists its first RILIS_DI_HALAMAN_OPD and links here)."""
    status, only_priority = statuses(), prioritas_arg()
    opd = request.args.get("opd", "").strip().upper() or None
    if opd is not None:
        site.known_opd(opd[:64])  # an unknown OPD is a 404 that says so, as on the dashboard
    items = sorted((i for i in publication().items if (not only_priority or status[i.slug].prioritas)
                    and (opd is None or i.opd == opd)),
                   key=lambda i: (status[i.slug].jadwal.berikutnya, i.opd, i.title))
    return render_template("publik/jadwal.html", items=items, status=status, prioritas=only_priority, opd=opd,
                           terlambat=sum(status[i.slug].jadwal.terlambat for i in items),
                           sekarang=site.current().clock())


def _metadata_pdf(slug: str) -> Response:
    from service.publish.pdf import metadata_pdf
    item = publication().item(slug)
    if item is None or item.metadata is None:
        abort(404, f"Item data '{slug}' tidak punya metadata MS-Ind/MS-Var di arsip.")
    body = metadata_pdf(site.current().config, item, site.current().clock())
    return Response(body, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="metadata-{slug}.pdf"'})


bp.add_url_rule("/datapackage.json", "paket", lambda: file("datapackage.json"))
bp.add_url_rule("/katalog.ttl", "ttl", lambda: file("katalog.ttl"))
bp.add_url_rule("/katalog.jsonld", "jsonld", lambda: file("katalog.jsonld"))


@bp.get("/katalog/<name>")
def katalog_page_file(name: str):
    """An OPD's page of the DCAT catalogue (katalog.ttl's hydra:next leads to it, DECISIONS.md #152)."""
    if not name.endswith((".ttl", ".jsonld")):
        abort(404, f"Berkas katalog/{name} tidak ada di publikasi.")
    return file(f"katalog/{name}")


@bp.get("/opd/<kode>/<doc>.pdf")
def pdf(kode: str, doc: str):
    from service.publish.pdf import document_pdf
    d = site.current()
    if kode not in d.kodes or doc not in PDFS:
        abort(404, "Dokumen ini tidak ada.")
    try:  # the issued document of the year, reprinted the same; else a draft as it would be issued now
        body = document_pdf(d.config, d.reads.store, kode, "rekap" if doc == "rekap" else doc.rsplit("-", 1)[1],
                            d.clock(), d.wilayah)
    except NothingToMinute as exc:
        abort(409, str(exc))
    return Response(body, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{doc}-{kode}.pdf"'})
