"""Complaints and data requests from the public (SPM 11) and their handling (blueprint ``pengaduan``).

The public posts "Laporkan kesalahan" on an item's page and "Usulkan data" on /data; each post
passes the CSRF token, the honeypot, the per-address rate limit and the length caps, and is
stored in the archive with a ticket number the reporter is shown. /pengaduan is the queue of
the Walidata and of the ``[pengaduan] petugas`` (users who may see only this page): each ticket's
age in working days against ``tenggat_hari_kerja``, and a form to record the answer. Text is
rendered by Jinja's autoescape only, never as HTML.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, abort, g, render_template, request, url_for

from rules.pengaduan import check_form, clean, ticket_age
from service.archive.pengaduan import DITERIMA, DITOLAK, KOREKSI, SELESAI, TERBUKA, USULAN, NewTicket, Tickets
from service.config.pengaduan import settings_of
from service.web import site
from service.web.guard import FormTokens, RateLimit

EXTENSION = "satudata-pengaduan"
HONEYPOT = "situs_web"  # hidden by the stylesheet; a person leaves it empty
MAX_BODY = 64 * 1024  # a form holds a few thousand characters; a bigger body is refused whole (413)
PUBLIC = {"pengaduan.lapor", "pengaduan.usul"}
HANDLER = {"pengaduan.antrean", "pengaduan.jawab", "pengaduan.api"}
STATUS_LABEL = {TERBUKA: "Terbuka", SELESAI: "Selesai", DITERIMA: "Diterima", DITOLAK: "Ditolak"}
JENIS_LABEL = {KOREKSI: "Laporan kesalahan", USULAN: "Usulan data"}

bp = Blueprint("pengaduan", __name__)


class Guards:
    def __init__(self, limit: int) -> None:
        self.tokens, self.rate = FormTokens(), RateLimit(limit)


def guards() -> Guards:
    from flask import current_app
    return current_app.extensions[EXTENSION]


def tickets() -> Tickets:
    return Tickets(site.current().reads.store.engine)


def install(app: Flask) -> None:
    """The guards, the template helpers, and the petugas' limit to this queue and the public pages."""
    config = site_config(app)
    settings = settings_of(config)
    app.extensions[EXTENSION] = Guards(settings.batas_per_jam)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY
    app.jinja_env.globals.update(token_formulir=lambda purpose: guards().tokens.make(purpose, site.current().clock()),
                                 tiket_opd=opd_tickets, jawaban_publik=lambda slug: tickets().public_answers(slug),
                                 label_status_tiket=STATUS_LABEL, label_jenis_tiket=JENIS_LABEL, HONEYPOT=HONEYPOT)
    petugas = set(settings.petugas)

    @app.before_request
    def _petugas_only_here():
        if petugas and getattr(g, "pengguna", None) in petugas and request.endpoint not in (
                HANDLER | PUBLIC | {"static", "dasbor.state_css", "publik.katalog", "publik.data"}):
            abort(403, "Akun ini hanya untuk menangani pengaduan: buka halaman Pengaduan.")


def site_config(app: Flask):
    return app.extensions[site.EXTENSION].config


def is_public() -> bool:
    return request.endpoint in PUBLIC


# --- the public's posts ------------------------------------------------------------------------
def _refuse_bad_post(purpose: str) -> None:
    """The checks every public post passes before its text is read: token, honeypot, rate limit."""
    now = site.current().clock()
    if not guards().tokens.valid(request.form.get("token", ""), purpose, now):
        abort(400, "Formulir ini sudah kedaluwarsa atau tidak sah. Muat ulang halaman, lalu kirim lagi.")
    if request.form.get(HONEYPOT):
        abort(400, "Kiriman ditolak: kolom yang harus dibiarkan kosong ternyata diisi.")
    if not guards().rate.allow(request.remote_addr or "?", now):
        abort(429, f"Terlalu banyak kiriman dari alamat ini (paling banyak {guards().rate.limit} per jam). "
                   "Silakan coba lagi nanti.")


def _confirmation(nomor: str, jenis: str, judul: str, back: str):
    return render_template("publik/terkirim.html", nomor=nomor, jenis=jenis, judul=judul, kembali=back,
                           tenggat=settings_of(site.current().config).tenggat_hari_kerja,
                           sekarang=site.current().clock())


@bp.post("/data/<name>/lapor")
def lapor(name: str):
    from service.web.public import item_page, publication
    item = publication().item(name)
    if item is None:
        abort(404, f"Item data '{name}' tidak ada di publikasi.")
    _refuse_bad_post("lapor")
    values, errors = check_form(KOREKSI, request.form)
    if errors:
        return item_page(item, form=values, form_errors=errors), 400
    nomor = tickets().open(NewTicket(KOREKSI, values["isi"], item=item.slug, judul_item=item.title, opd=item.opd,
                                     baris=values["baris"], kontak=values["kontak"], item_key=item.data[0].item,
                                     tampilkan=request.form.get("tampilkan") == "ya"), site.current().clock())
    return _confirmation(nomor, KOREKSI, item.title, url_for("publik.data", name=item.slug))


@bp.post("/data/usulan")
def usul():
    from service.web.public import katalog_page
    _refuse_bad_post("usul")
    values, errors = check_form(USULAN, request.form)
    opd = values.get("opd") or None
    if opd and opd not in site.current().kodes:
        errors["opd"] = "OPD tidak dikenal: pilih dari daftar atau kosongkan."
    if errors:
        return katalog_page(form=values, form_errors=errors), 400
    nomor = tickets().open(NewTicket(USULAN, values["isi"], opd=opd, alasan=values["alasan"], kontak=values["kontak"],
                                     tampilkan=request.form.get("tampilkan") == "ya"), site.current().clock())
    return _confirmation(nomor, USULAN, values["isi"][:120], url_for("publik.katalog"))


# --- the handlers' queue -----------------------------------------------------------------------
def with_age(ticket: dict) -> dict:
    d = site.current()
    age = ticket_age(ticket["dibuat_pada"], d.clock(), d.calendar, settings_of(d.config).tenggat_hari_kerja,
                     ticket["dijawab_pada"] if ticket["status"] != TERBUKA else None)
    return {**ticket, "hari_kerja": age.hari_kerja, "tenggat": age.tenggat, "terlambat": age.terlambat}


OPD_PAGE_TICKETS = 20  # the OPD page shows the oldest; /pengaduan?opd= has them all


def opd_tickets(kode: str) -> dict:
    """An OPD's oldest open tickets and how many are open, for its dashboard page."""
    shown = [with_age(t) for t in tickets().listing(opd=kode, open_only=True, limit=OPD_PAGE_TICKETS)]
    total = sum(n for (o, _, status), n in tickets().counts().items() if o == kode and status == TERBUKA)
    return {"tiket": shown, "jumlah": total}


def queue() -> dict:
    """The queue as /pengaduan shows it, with the counts per OPD, kind and status the annual review reads."""
    d = site.current()
    opd, semua = site.opd_arg(), request.args.get("tampil") == "semua"
    nomor = request.args.get("nomor", "").strip().upper()[:40] or None
    rows = [with_age(t) for t in tickets().listing(opd=opd, open_only=not semua and not nomor, nomor=nomor)]
    rows.sort(key=lambda t: (t["status"] != TERBUKA, t["dibuat_pada"]))
    counts: list[dict[str, Any]] = [{"opd": o, "jenis": j, "status": s, "jumlah": n} for (o, j, s), n in sorted(
        tickets().counts().items(), key=lambda kv: tuple(x or "" for x in kv[0])) if not opd or o == opd]
    matching = rows if nomor else None
    total = len(rows) if matching is not None else sum(c["jumlah"] for c in counts if semua or c["status"] == TERBUKA)
    return {"opd": opd, "semua": semua, "nomor": nomor, "tenggat_hari_kerja": settings_of(d.config).tenggat_hari_kerja,
            "tiket": rows, "jumlah": counts, "jumlah_cocok": total}


@bp.get("/pengaduan")
def antrean():
    d, data = site.current(), queue()
    api_url = url_for("pengaduan.api", **{k: v for k, v in request.args.items() if k in ("opd", "tampil")})
    return render_template("pengaduan.html", tiket=data["tiket"], opds=d.config.opds, opd=data["opd"],
                           semua=data["semua"], nomor=data["nomor"] or "", jumlah_cocok=data["jumlah_cocok"], tenggat=data["tenggat_hari_kerja"], sekarang=d.clock(),
                           api_url=api_url, pesan=request.args.get("pesan", "")[:200])


@bp.get("/api/pengaduan")
def api():
    from flask import jsonify

    from service.web.views import jsonable
    return jsonify(jsonable(queue()))


@bp.post("/pengaduan/<nomor>")
def jawab(nomor: str):
    d = site.current()
    if not guards().tokens.valid(request.form.get("token", ""), "jawab", d.clock()):
        abort(400, "Formulir ini sudah kedaluwarsa atau tidak sah. Muat ulang halaman Pengaduan, lalu kirim lagi.")
    ticket = tickets().get(nomor)
    if ticket is None:
        abort(404, f"Tiket {nomor} tidak ada.")
    jawaban = clean(request.form.get("jawaban"))
    if not jawaban or len(jawaban) > 4000:
        abort(400, "Jawaban wajib diisi, paling banyak 4.000 karakter.")
    opd = request.form.get("opd") or None
    if opd is not None and opd not in d.kodes:
        abort(400, f"OPD '{opd[:64]}' tidak ada dalam konfigurasi.")
    if ticket["jenis"] == KOREKSI:
        status, dikoreksi = SELESAI, request.form.get("dikoreksi") == "ya"
    else:
        status, dikoreksi = request.form.get("status", ""), None
        if status not in (DITERIMA, DITOLAK):
            abort(400, "Pilih apakah usulan diterima atau ditolak.")
        if status == DITERIMA and not (opd or ticket["opd"]):
            abort(400, "Usulan yang diterima harus ditujukan ke satu OPD: pilih OPD-nya.")
    oleh = getattr(g, "pengguna", None)
    tickets().answer(nomor, status=status, jawaban=jawaban, now=d.clock(), dikoreksi=dikoreksi,
                     oleh=f"pengguna dasbor {oleh}" if oleh else "dasbor tanpa login",
                     versi_baru=clean(request.form.get("versi_baru"))[:200] if dikoreksi else "", opd=opd)
    from flask import redirect
    return redirect(url_for("pengaduan.antrean", pesan=f"Tiket {nomor} dicatat: {STATUS_LABEL[status].lower()}."),
                    303)
