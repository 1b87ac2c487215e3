"""What the templates may use beyond their page's data: Indonesian number, date and label
filters, the navigation, the legend and the page filters (also inside imported macros)."""
from __future__ import annotations

from datetime import datetime

from flask import Flask
from werkzeug.routing.converters import UnicodeConverter

from rules.numbers import SYMBOL, format_number
from rules.sop import load_sop
from service.timefmt import format_tanggal
from service.web import charts, site, views
from service.web.public import PDFS

NAV = (("dasbor.ringkasan", "Ringkasan"), ("dasbor.temuan", "Temuan"), ("dasbor.riwayat", "Riwayat"),
       ("dasbor.arsip", "Arsip"), ("dasbor.kesehatan", "Kesehatan"), ("pengaduan.antrean", "Pengaduan"),
       ("dasbor.pengawasan", "Pengawasan"))


def install(app: Flask) -> None:
    _filters(app)
    app.jinja_env.globals["query_args"] = site.query_args  # also inside imported macros (the pager)
    app.jinja_env.globals["dokumen_opd"] = PDFS

    @app.context_processor
    def _common() -> dict:
        config, wilayah = site.current().config, site.current().wilayah
        return {"nav": NAV, "workspace": config.name, "tahun": config.year, "legend": charts.legend(),
                "query_args": site.query_args, "produk": wilayah.produk, "wilayah": wilayah.nama}


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
    app.add_template_filter(lambda s: SYMBOL.get(s, ""), "simbol")  # a declared-missing value's BPS symbol
    app.add_template_filter(charts.colour, "warna")
    app.add_template_filter(charts.text_colour, "warna_teks")
    app.add_template_filter(lambda v: views.LEVELS.get(v, v), "level")
    app.add_template_filter(lambda s: views.TAB_STATUS.get(s, s), "status_tab")
    app.add_template_filter(UnicodeConverter(app.url_map).to_url, "segment")  # a URL path part, as url_for quotes it
