"""The dashboard's HTML pages (blueprint ``dasbor``): each renders its data from service.web.site
with a link to the same data as JSON, plus the archive download and the state colours' CSS."""
from __future__ import annotations

from flask import Blueprint, Response, abort, get_template_attribute, render_template, request, url_for
from markupsafe import Markup

from rules.sop import load_sop
from service.archive.export import FORMATS, render
from service.web import charts, site, views

MIME = {"csv": "text/csv; charset=utf-8", "json": "application/json; charset=utf-8",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}

bp = Blueprint("dasbor", __name__)


def page(template: str, api: str, **context) -> str:
    api_url = url_for(api, **{**site.query_args(), **(request.view_args or {})})  # the same data as JSON
    return render_template(template, api_url=api_url, **context)


@bp.get("/favicon.ico")
def favicon():
    return "", 204  # no icon; an empty answer keeps the browser console clean


@bp.get("/")
def ringkasan():
    data = site.ringkasan_data()
    bars = {o["kode"]: charts.stacked_bar(o["jumlah_per_kode"]) for o in data["opd"]}
    total_bar = charts.stacked_bar(data["jumlah_per_kode"], width=1000, height=28)
    return page("ringkasan.html", "api.ringkasan", d=data, bars=bars, total_bar=total_bar,
                sop=load_sop(), sekarang=data["sekarang"])


@bp.get("/opd/<kode>")
def opd(kode: str):
    data = views.opd_page(site.opd_data(kode), site.page_arg())
    return page("opd.html", "api.opd", d=data, bar=charts.stacked_bar(data["opd"]["jumlah_per_kode"], 1000, 28),
                sekarang=site.current().clock(), kode=kode)


@bp.app_template_global("baris_opd_html")
def opd_rows_html(rows: list[dict], kode: str) -> Markup:
    """The OPD page's rows as HTML, each row's markup kept while it is the same kept row
    (views._opd_rows shows a row again only when a cycle changed it): rendering 250 rows was
    most of the page, warm or after a cycle (DECISIONS.md #157)."""
    baris_url = url_for("dasbor.baris", kode=kode, row_id="-")[:-1]  # one url_for, not one per row
    row_of = get_template_attribute("_baris_opd.html", "baris")
    return Markup("".join(site.current().reads.per_row("html", rows, lambda r: row_of(r, baris_url), baris_url)))


@bp.get("/opd/<kode>/baris/<row_id>")
def baris(kode: str, row_id: str):
    return page("baris.html", "api.baris", d=site.baris_data(kode, row_id), sekarang=site.current().clock())


@bp.get("/temuan")
def temuan():
    d = site.current()
    return page("temuan.html", "api.temuan", d=site.temuan_data(), opds=d.config.opds, levels=views.LEVELS,
                sekarang=d.clock())


@bp.get("/riwayat")
def riwayat():
    d = site.current()
    return page("riwayat.html", "api.riwayat", d=site.riwayat_data(), opds=d.config.opds, sekarang=d.clock())


@bp.get("/arsip")
def arsip():
    d = site.current()
    return page("arsip.html", "api.arsip", d=site.arsip_data(), opds=d.config.opds, formats=FORMATS,
                sekarang=d.clock())


@bp.get("/arsip/unduh.<fmt>")
def arsip_unduh(fmt: str):
    if fmt not in FORMATS:
        abort(404, f"Format '{fmt}' tidak dikenal; pilih {', '.join(FORMATS)}.")
    d = site.current()
    opd, all_versions = site.opd_arg(), site.all_versions_arg()
    body = render(d.reads.queries.archive_rows(all_versions=all_versions, opd=opd), fmt)
    name = "-".join(["arsip", str(d.config.year), *([opd] if opd else []),
                     *(["semua-versi"] if all_versions else [])])
    return Response(body, mimetype=MIME[fmt].split(";")[0], headers={
        "Content-Type": MIME[fmt], "Content-Disposition": f'attachment; filename="{name}.{fmt}"'})


@bp.get("/status.css")
def state_css():
    css = "".join(f".st-{code} {{ background: {bg}; color: {fg}; }}\n"
                  for code, (bg, fg) in charts.STATE_COLOURS.items())
    return Response(css, mimetype="text/css", headers={"Cache-Control": "max-age=3600"})


@bp.get("/pengawasan")
def pengawasan():
    data = site.pengawasan_data()
    return page("pengawasan.html", "api.pengawasan", d=data, sekarang=data["sampai"])


@bp.get("/kesehatan")
def kesehatan():
    data = site.kesehatan_data()
    return page("kesehatan.html", "api.kesehatan", d=data, sekarang=data["sekarang"])
