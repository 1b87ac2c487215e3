"""The dashboard's JSON API (blueprint ``api``, under /api): every page's data, as the page shows it."""
from __future__ import annotations

from flask import Blueprint, Response, jsonify

from service.web import site, views

bp = Blueprint("api", __name__, url_prefix="/api")


def _json(data: dict) -> Response:
    return jsonify(views.jsonable(data))


def _opd_json(data: dict) -> Response:
    """_json(data) with each row converted once while it stays the same kept row: 250 rows with
    their whole history were most of a warm /api/opd/<KODE> (DECISIONS.md #154)."""
    rows = site.current().reads.per_row("json", data["baris"], views.jsonable)
    return jsonify({str(k): rows if k == "baris" else views.jsonable(v) for k, v in data.items()})


bp.add_url_rule("/ringkasan", "ringkasan", lambda: _json(site.ringkasan_data()))
bp.add_url_rule("/opd/<kode>", "opd", lambda kode: _opd_json(site.opd_api_data(kode)))
bp.add_url_rule("/opd/<kode>/baris/<row_id>", "baris", lambda kode, row_id: _json(site.baris_data(kode, row_id)))
bp.add_url_rule("/temuan", "temuan", lambda: _json(site.temuan_data()))
bp.add_url_rule("/riwayat", "riwayat", lambda: _json(site.riwayat_data()))
bp.add_url_rule("/arsip", "arsip", lambda: _json(site.arsip_data()))
bp.add_url_rule("/kesehatan", "kesehatan", lambda: _json(site.kesehatan_data()))
bp.add_url_rule("/pengawasan", "pengawasan", lambda: _json(site.pengawasan_data()))
