"""Berita Acara and the recap as PDF (fpdf2, DejaVu Sans shipped here): Indonesian dates and numbers.

Right-to-left scripts (Arabic) are shaped with HarfBuzz (uharfbuzz, fpdf2's text shaping); a
character DejaVu Sans has no glyph for (CJK, most emoji) is printed as MISSING_GLYPH, so the reader
sees that something is there, instead of fpdf2 dropping it and warning in English on the console."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from rules.numbers import format_number
from rules.wilayah import Wilayah
from service.archive.store import Store
from service.config import Config
from service.publish import minutes
from service.archive.progress import calendar_for
from service.publish.settings import kepala_opd, load_settings
from service.config.wilayah import load_wilayah
from service.timefmt import format_tanggal, to_wib

FONTS = Path(__file__).with_name("fonts")
HARI = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
HEAD = FontFace(emphasis="BOLD", fill_color=(226, 232, 240))
MISSING_GLYPH = "□"  # U+25A1, in DejaVu Sans


class Document(FPDF):
    """A4 with the regency's heading on the first page and page numbers in the footer."""

    def __init__(self, title: str, now: datetime) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.doc_title, self.printed = title, now
        self.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_font("DejaVu", size=10)
        self.set_text_shaping(True)
        self._drawable = {"": set(self.fonts["dejavu"].cmap), "B": set(self.fonts["dejavuB"].cmap)}
        self.set_margins(20, 18, 20)
        self.set_auto_page_break(True, margin=18)
        self.set_creation_date(now)
        self.set_title(title)
        self.set_author("Satu Data")
        self.set_lang("id")
        self.add_page()

    def normalize_text(self, text: str) -> str:
        """Every text fpdf2 draws passes here: characters the current font cannot draw become MISSING_GLYPH."""
        drawable = self._drawable["B" if "B" in self.font_style else ""]
        if not all(ord(c) in drawable or c in "\n\r\t" for c in text):
            text = "".join(c if ord(c) in drawable or c in "\n\r\t" else MISSING_GLYPH for c in text)
        return super().normalize_text(text)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", size=7)
        self.cell(0, 5, f"{self.doc_title} · dicetak {format_tanggal(self.printed, with_time=True)} · "
                        f"halaman {self.page_no()}/{{nb}}", align="C")

    def heading(self, office: str, title: str, subtitle: str, wilayah: str = "") -> None:
        self.set_font("DejaVu", "B", 12)
        self.cell(0, 6, f"PEMERINTAH {(wilayah or 'daerah').upper()}", align="C", new_x="LMARGIN", new_y="NEXT")
        self.set_font("DejaVu", "B", 11)  # a long office or OPD name wraps; a cell would run off the page
        self.multi_cell(0, 6, office.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
        self.line(self.l_margin, self.get_y() + 1, self.w - self.r_margin, self.get_y() + 1)
        self.ln(5)
        self.set_font("DejaVu", "B", 12)
        self.multi_cell(0, 6, title, align="C", new_x="LMARGIN", new_y="NEXT")
        self.set_font("DejaVu", size=10)
        self.multi_cell(0, 6, subtitle, align="C", new_x="LMARGIN", new_y="NEXT")
        self.ln(3)

    def paragraph(self, text: str, size: float = 10, bold: bool = False) -> None:
        self.set_font("DejaVu", "B" if bold else "", size)
        self.multi_cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")
        self.ln(1.5)

    def facts(self, pairs: list[tuple[str, str]]) -> None:
        self.set_font("DejaVu", size=10)
        for key, value in pairs:
            self.cell(66, 5.5, key)
            self.multi_cell(0, 5.5, f": {value}", new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def grid(self, header: list[str], rows: list[list[str]], widths: tuple, numeric: set[int] = frozenset(),
             size: float = 8) -> None:
        self.set_font("DejaVu", size=size)
        align = tuple("RIGHT" if i in numeric else "LEFT" for i in range(len(header)))
        with self.table(col_widths=widths, text_align=align, headings_style=HEAD, line_height=4.2,
                        padding=1, width=self.epw) as table:
            for values in [header, *rows]:
                row = table.row()
                for value in values:
                    row.cell(value)
        self.ln(3)

    def signatures(self, place_date: str, blocks: list[dict]) -> None:
        """Signature blocks side by side: role, room to sign, name, NIP and SK (dotted when unknown)."""
        if self.get_y() > self.h - 75:
            self.add_page()
        self.ln(4)
        self.set_font("DejaVu", size=10)
        self.cell(0, 5, place_date, align="R", new_x="LMARGIN", new_y="NEXT")
        self.ln(2)
        width, top = self.epw / len(blocks), self.get_y()
        bottom = top
        for i, block in enumerate(blocks):
            x = self.l_margin + i * width
            self.set_xy(x, top)
            self.set_font("DejaVu", "B", 9)
            self.multi_cell(width, 5, block["peran"], align="C")
            self.set_xy(x, top + 28)
            self.set_font("DejaVu", "B", 9)
            self.multi_cell(width, 5, block["nama"] or "(...............................)", align="C")
            self.set_x(x)
            self.set_font("DejaVu", size=8.5)
            self.multi_cell(width, 4.5, f"NIP. {block['nip'] or '...............................'}", align="C")
            if block.get("sk"):
                self.set_x(x)
                self.set_font("DejaVu", size=7)
                self.multi_cell(width - 2, 3.6, block["sk"], align="C")
            bottom = max(bottom, self.get_y())
        self.set_xy(self.l_margin, max(bottom, top + 45) + 2)

    def blocks(self, blocks: list[dict]) -> None:
        """A document's body as stored: paragraphs, fact lists, sub-headings and tables."""
        for block in blocks:
            if "p" in block:
                self.paragraph(block["p"], block.get("ukuran", 10), bold=block.get("tebal", False))
            elif "fakta" in block:
                self.facts([tuple(pair) for pair in block["fakta"]])
            elif "subjudul" in block:
                if self.get_y() > self.h - 60:
                    self.add_page()
                self.ln(1)
                self.paragraph(block["subjudul"], 10.5, bold=True)
            elif "tabel" in block:
                table = block["tabel"]
                if table["baris"]:
                    self.grid(table["kepala"], table["baris"], tuple(table["lebar"]), set(table.get("angka", [])),
                              table.get("ukuran", 8))
                else:
                    self.paragraph(table.get("kosong", "(tidak ada)"), 9)


def tanggal_hari(moment: datetime) -> str:
    """Senin, 1 Desember 2026"""
    return f"{HARI[to_wib(moment).weekday()]}, {format_tanggal(moment)}"


def _when(moment: datetime | None, missing: str) -> str:
    return format_tanggal(moment, with_time=True) if moment else missing


def _scaled(widths: tuple, total: float = 170) -> list[float]:
    """Column widths scaled to the page's text width (A4 with 20 mm margins: 170 mm)."""
    return [round(w * total / sum(widths), 2) for w in widths]


def _heading_blocks(sop: dict, wilayah: str = "") -> list[dict]:
    basis = "; ".join(f"{i}. {d}" for i, d in enumerate(sop["dasar_hukum"], 1))
    nomor = f" Nomor {sop['nomor']}" if sop["nomor"] else ""
    return [{"p": f"Berdasarkan {sop['nama']}{' ' + wilayah if wilayah else ''}{nomor}"
                  + (f", dengan dasar hukum: {basis}." if basis else "."), "ukuran": 9}]


def _document(kind: str, kode: str, name: str, config: Config, now: datetime, body: list[dict],
              signers: list[dict]) -> dict:
    """Everything a document prints, JSON-safe: stored with its number so a reprint is identical."""
    titles = {"kesepakatan": "BERITA ACARA KESEPAKATAN DAFTAR DATA", "verifikasi": "BERITA ACARA VERIFIKASI DATA",
              "rekap": "REKAP DATA SEKTORAL"}
    settings = load_settings(config)
    return {"jenis": kind, "opd": kode, "kantor": settings.penerbit, "wilayah": settings.wilayah, "judul": titles[kind],
            "judul_dokumen": f"{minutes_title(kind)} {kode}", "subjudul": f"{name} — tahun data {config.year}",
            "sop": minutes.sop_heading(config.kode_wilayah), "isi": body, "penanda_tangan": signers,
            "tempat_tanggal": f"{settings.tempat}, {format_tanggal(now)}", "dicetak": now.isoformat()}


def minutes_title(kind: str) -> str:
    from service.archive.documents import JENIS
    return JENIS[kind]


def render(content: dict, nomor: str = "", rantai: str = "") -> bytes:
    """The PDF of a stored document: the same content, number and date give the same bytes."""
    printed = datetime.fromisoformat(content["dicetak"])
    doc = Document(content["judul_dokumen"], printed)
    doc.heading(content["kantor"], content["judul"], content["subjudul"], content.get("wilayah", ""))
    doc.set_font("DejaVu", size=10)
    doc.cell(0, 5, f"Nomor: {nomor}" if nomor else "Nomor: (draf, belum diterbitkan dengan satudata berita-acara)",
             align="C", new_x="LMARGIN", new_y="NEXT")
    doc.ln(3)
    doc.blocks(_heading_blocks(content["sop"], content.get("wilayah", "")) + content["isi"])
    doc.signatures(content["tempat_tanggal"], content["penanda_tangan"])
    if rantai:
        doc.set_font("DejaVu", size=7)
        doc.multi_cell(0, 3.5, rantai, new_x="LMARGIN", new_y="NEXT")
    return bytes(doc.output())


def content(config: Config, store: Store, kode: str, jenis: str, now: datetime, wilayah: Wilayah | None = None) -> dict:
    if jenis == "kesepakatan":
        return _kesepakatan(config, store, kode, now)
    if jenis == "verifikasi":
        return _verifikasi(config, store, kode, now, wilayah or load_wilayah(config))
    if jenis == "rekap":
        return _rekap(config, store, kode, now, wilayah or load_wilayah(config))
    raise ValueError(f"Jenis berita acara tidak dikenal: {jenis} (pilih kesepakatan atau verifikasi)")


def berita_acara_pdf(config: Config, store: Store, kode: str, jenis: str, now: datetime,
                     wilayah: Wilayah | None = None) -> bytes:
    """The document as it would be issued now, unnumbered (a draft to read before issuing)."""
    return render(content(config, store, kode, jenis, now, wilayah))


def document_pdf(config: Config, store: Store, kode: str, jenis: str, now: datetime,
                 wilayah: Wilayah | None = None) -> bytes:
    """The issued document of the workspace year when there is one (reprinted the same), else a draft."""
    from service.archive.documents import latest
    issued = latest(store.engine, kode, config.year, jenis)
    if issued is not None:
        return render(issued.isi, issued.nomor, _chain_line(issued))
    return berita_acara_pdf(config, store, kode, jenis, now, wilayah)


def issue(config: Config, store: Store, kode: str, jenis: str, now: datetime, new: bool = False,
          wilayah: Wilayah | None = None):
    """(the Issued document, its PDF, True when reprinted): the year's document of this kind for
    the OPD is reprinted identically unless ``new``; a new one is numbered from [berita_acara]
    nomor and recorded with the OPD's chain head."""
    from service.archive import chain, documents
    issued = None if new else documents.latest(store.engine, kode, config.year, jenis)
    if issued is not None:
        return issued, render(issued.isi, issued.nomor, _chain_line(issued)), True
    body = content(config, store, kode, jenis, now, wilayah)
    kind = "audit" if jenis == "kesepakatan" else "arsip"
    head = next((h for h in chain.heads(store.engine)
                 if (h["opd"], h["tahun"], h["jenis"]) == (kode, config.year, kind)), None)
    body["rantai"] = {"jenis": kind, "panjang": head["panjang"] if head else 0, "kepala": head["kepala"] if head else ""}
    pattern = (config.berita_acara or {}).get("nomor", "000.5.2/{urut}/{tahun}")
    issued = documents.issue(store.engine, jenis, kode, config.year, now, pattern, body,
                             head["kepala"] if head else "")
    return issued, render(issued.isi, issued.nomor, _chain_line(issued)), False


def _chain_line(issued) -> str:
    r = issued.isi.get("rantai") or {}
    if not r.get("kepala"):
        return f"Dokumen {issued.id}; arsip belum berantai untuk {issued.opd} tahun {issued.tahun}."
    what = "peristiwa audit" if r["jenis"] == "audit" else "versi arsip"
    return (f"Dokumen {issued.id}, dibuat dari rantai {what} {issued.opd} tahun {issued.tahun} sepanjang "
            f"{r['panjang']} rekaman, kepala SHA-256 {r['kepala']}. Periksa dengan: satudata verify-archive.")


def _kesepakatan(config: Config, store: Store, kode: str, now: datetime) -> dict:
    a = minutes.agreement(config, store, kode)
    why = minutes.not_yet_approved(config, store, kode)
    if why:
        raise minutes.NothingToMinute(why)
    office = load_settings(config).penerbit
    peserta, sumber = minutes.participants(config, store, kode)
    follow = minutes.follow_up(config, store, kode, calendar_for(config))
    rows = [[str(i), it.kode_data or "—", it.uraian_data, "; ".join(it.rincian), it.satuan,
             "\n".join(f"{k.capitalize()}: {v}" for k, v in it.standar.items() if v) or "—"]
            for i, it in enumerate(a.items, 1)]
    source = ("kehadiran dicatat dengan satudata hadir" if sumber == "dicatat" else
              "menurut satudata.toml; kehadiran belum dicatat (satudata hadir)")
    body: list[dict] = [
        {"p": f"Pada hari ini, {tanggal_hari(now)}, Operator Data {a.opd_nama} dan Walidata ({office}) menyatakan "
              "telah memeriksa bersama (langkah 3) dan menyepakati Daftar Data berikut (langkah 5), yang kemudian "
              "disetujui Kepala OPD (langkah 6)."},
        {"fakta": [["OPD", f"{a.opd_nama} ({a.opd})"], ["Jumlah item data", format_number(len(a.items))],
                   ["Jumlah baris", format_number(a.rows)],
                   ["Pemeriksaan bersama dimulai", follow["mulai_cek"] or "tidak tercatat"],
                   ["Disepakati Operator dan Walidata", _when(a.agreed_at, "belum tercatat")],
                   ["Disetujui Kepala OPD", _when(a.approved_at, "belum tercatat")]]},
        {"subjudul": f"Peserta pemeriksaan bersama (langkah 3), {source}"},
        {"tabel": {"kepala": ["No", "Peran", "Nama", "NIP", "Jabatan / instansi"],
                   "baris": [[str(i), p["peran"], p["nama"], p["nip"] or "—", p["jabatan"] or "—"]
                             for i, p in enumerate(peserta, 1)],
                   "lebar": _scaled((8, 40, 50, 36, 36)), "kosong": "Peserta belum tercatat: catat dengan "
                   f"satudata hadir {kode} --langkah 3, atau isi [[opd]] operators, [walidata], [koordinator], "
                   "[pembina] di satudata.toml."}},
        {"subjudul": "Daftar Data yang disepakati"},
        {"tabel": {"kepala": ["No", "Kode Data", "Uraian Data", "Rincian", "Satuan", "Standar Data"], "baris": rows,
                   "lebar": _scaled((8, 24, 42, 40, 20, 36))}},
        {"subjudul": "Tindak lanjut"},
        {"p": "Data yang ditambahkan sesudah pemeriksaan bersama (langkah 3–4):", "ukuran": 9, "tebal": True},
        {"tabel": {"kepala": ["Uraian Data", "Rincian", "Waktu", "Oleh", "Alasan / keterangan"],
                   "baris": follow["ditambah"], "lebar": _scaled((44, 28, 30, 34, 34)), "ukuran": 7.5,
                   "kosong": "Tidak ada data yang ditambahkan."}},
        {"p": "Data yang dikurangi (dihapus dari daftar) sebelum disetujui:", "ukuran": 9, "tebal": True},
        {"tabel": {"kepala": ["Uraian Data", "Rincian", "Waktu", "Oleh", "Alasan"],
                   "baris": follow["dikurangi"], "lebar": _scaled((44, 28, 30, 34, 34)), "ukuran": 7.5,
                   "kosong": "Tidak ada data yang dikurangi."}},
        {"p": "Yang masih harus diselesaikan, dengan tenggat hari kerja SOP:", "ukuran": 9, "tebal": True},
        {"tabel": {"kepala": ["Uraian Data", "Baris", "Tindak lanjut", "Tenggat"], "baris": follow["terbuka"],
                   "lebar": _scaled((60, 14, 46, 50)), "angka": [1], "ukuran": 7.5,
                   "kosong": "Tidak ada yang terbuka: semua data sudah diisi."}},
    ]
    return _document("kesepakatan", kode, a.opd_nama, config, now, body, minutes.signers(config, kode, "kesepakatan"))


def _verifikasi(config: Config, store: Store, kode: str, now: datetime, wilayah: Wilayah) -> dict:
    values = minutes.verified_values(config, store, kode, wilayah)
    office = load_settings(config).penerbit
    name = minutes.opd_name(config, kode)
    items = {(v.datum.item) for v in values}
    rows = [[str(i), v.datum.uraian_data, v.datum.rincian, str(v.datum.tahun),
             v.datum.simbol or ("—" if v.datum.nilai is None else format_number(v.datum.nilai)), v.datum.satuan,
             format_tanggal(datetime.fromisoformat(v.datum.diverifikasi_pada), with_time=True),
             format_number(v.revisions), format_number(v.datum.versi)] for i, v in enumerate(values, 1)]
    body: list[dict] = [
        {"p": f"Pada hari ini, {tanggal_hari(now)}, Walidata ({office}) telah memeriksa dan memverifikasi data yang "
              f"diisi Operator Data {name} (SOP Pengumpulan Data langkah 8–9). Data berikut dinyatakan "
              "terverifikasi dan disimpan di basis data arsip."},
        {"fakta": [["OPD", f"{name} ({kode})"], ["Jumlah item data", format_number(len(items))],
                   ["Jumlah nilai terverifikasi", format_number(len(values))],
                   ["Nilai yang pernah diperbaiki", format_number(sum(1 for v in values if v.revisions))]]},
        {"tabel": {"kepala": ["No", "Uraian Data", "Rincian", "Tahun", "Nilai", "Satuan", "Diverifikasi", "Revisi",
                              "Versi"], "baris": rows, "lebar": _scaled((8, 42, 28, 11, 18, 18, 23, 11, 11)),
                   "angka": [3, 4, 7, 8], "ukuran": 7}},
    ]
    return _document("verifikasi", kode, name, config, now, body, minutes.signers(config, kode, "verifikasi"))


def _rekap(config: Config, store: Store, kode: str, now: datetime, wilayah: Wilayah) -> dict:
    """The hard copy of SPM Persyaratan 3: every published item of the OPD as a table."""
    items, withheld = minutes.recap_items(config, store, kode, wilayah)
    name = minutes.opd_name(config, kode)
    body: list[dict] = [{"p": f"Data sektoral {name} yang telah diverifikasi Walidata dan disimpan di basis data "
                              f"arsip, keadaan {format_tanggal(now, with_time=True)}."}]
    for number, item in enumerate(items, 1):
        body.append({"subjudul": f"{number}. {item.title}" + (f" ({item.kode_data})" if item.kode_data else "")})
        meta = [f"Satuan: {item.satuan}"] + [f"{k.capitalize()}: {v}" for k, v in item.standar.items() if v]
        body.append({"p": " · ".join(meta), "ukuran": 8})
        years = list(item.years)
        rincian_width = 60 if len(years) < 6 else 45
        widths = [rincian_width, *([(170 - rincian_width) / len(years)] * len(years))]
        rows = [[r.rincian, *(r.symbols.get(y) or ("—" if r.values.get(y) is None else format_number(r.values[y]))
                              for y in years)] for r in item.rows]
        body.append({"tabel": {"kepala": ["Rincian", *map(str, years)], "baris": rows, "lebar": widths,
                               "angka": list(range(1, len(years) + 1))}})
        body += [{"p": f"{d.rincian} {d.tahun}: '{d.simbol}' ({d.status_nilai.replace('_', ' ')}), {d.keterangan}",
                  "ukuran": 8} for d in item.declared]
    body += [{"p": f"Ditahan: {w.uraian_data or w.kode_data} tahun {w.tahun}. {w.alasan}.", "ukuran": 8}
             for w in withheld]
    signers = [b for b in minutes.signers(config, kode, "verifikasi") if b["peran"] != "Operator Data OPD"]
    return _document("rekap", kode, name, config, now, body, signers)


def rekap_pdf(config: Config, store: Store, kode: str, now: datetime, wilayah: Wilayah | None = None) -> bytes:
    return render(content(config, store, kode, "rekap", now, wilayah))


METADATA_SUFFIX = ".metadata.pdf"  # /data/<item>.metadata.pdf


def metadata_pdf(config: Config, item, now: datetime) -> bytes:
    """An item's MS-Ind (or MS-Var) and its activity's MS-Keg as the forms a Walidata prints
    (Peraturan BPS 5/2020); ``item``: a published Item that carries its metadata."""
    meta = item.metadata
    settings = load_settings(config)
    form = "METADATA INDIKATOR (MS-Ind)" if meta.jenis == "MS-Ind" else "METADATA VARIABEL (MS-Var)"
    doc = Document(f"{meta.jenis} {item.title}", now)
    doc.heading(settings.penerbit, form, f"{item.title} — {item.opd_nama}", settings.wilayah)
    doc.grid(["Elemen", "Isi"], [[label, text] for label, text in meta.fields], (60, doc.epw - 60), size=8)
    if meta.kegiatan:
        doc.paragraph(f"METADATA KEGIATAN STATISTIK (MS-Keg): {meta.kegiatan}", 11, bold=True)
        doc.grid(["Elemen", "Isi"], [[label, text] for label, text in meta.kegiatan_fields], (60, doc.epw - 60),
                 size=8)
    doc.paragraph("Unsur metadata menurut Peraturan Badan Pusat Statistik Nomor 5 Tahun 2020 tentang Petunjuk "
                  "Teknis Metadata Statistik. Metadata ini diarsipkan bersama data terverifikasi.", 8)
    walidata, kepala = settings.walidata, kepala_opd(config, item.opd)
    doc.signatures(f"{settings.tempat}, {format_tanggal(now)}",
                   [{"peran": "Walidata", "nama": walidata.nama, "nip": walidata.nip},
                    {"peran": "Kepala OPD", "nama": kepala.nama, "nip": kepala.nip}])
    return bytes(doc.output())
