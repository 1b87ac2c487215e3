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
from service.publish.settings import Signer, kepala_opd, load_settings
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
        self.set_author("Satu Data Magetan")
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

    def heading(self, office: str, title: str, subtitle: str) -> None:
        self.set_font("DejaVu", "B", 12)
        self.cell(0, 6, "PEMERINTAH KABUPATEN MAGETAN", align="C", new_x="LMARGIN", new_y="NEXT")
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

    def signatures(self, place_date: str, blocks: list[tuple[str, Signer]]) -> None:
        """Signature blocks side by side: role, room to sign, name and NIP (dotted when unknown)."""
        if self.get_y() > self.h - 70:
            self.add_page()
        self.ln(4)
        self.set_font("DejaVu", size=10)
        self.cell(0, 5, place_date, align="R", new_x="LMARGIN", new_y="NEXT")
        self.ln(2)
        width, top = self.epw / len(blocks), self.get_y()
        for i, (role, signer) in enumerate(blocks):
            x = self.l_margin + i * width
            self.set_xy(x, top)
            self.set_font("DejaVu", "B", 9)
            self.multi_cell(width, 5, role, align="C")
            self.set_xy(x, top + 28)
            self.set_font("DejaVu", "B", 9)
            self.multi_cell(width, 5, signer.nama or "(...............................)", align="C")
            self.set_x(x)
            self.set_font("DejaVu", size=9)
            self.multi_cell(width, 5, f"NIP. {signer.nip or '...............................'}", align="C")
        self.set_xy(self.l_margin, top + 45)


def tanggal_hari(moment: datetime) -> str:
    """Senin, 1 Desember 2026"""
    return f"{HARI[to_wib(moment).weekday()]}, {format_tanggal(moment)}"


def _when(moment: datetime | None, missing: str) -> str:
    return format_tanggal(moment, with_time=True) if moment else missing


def _signers(config: Config, kode: str) -> list[tuple[str, Signer]]:
    settings = load_settings(config)
    return [("Operator Data OPD", Signer()), ("Walidata", settings.walidata),
            ("Kepala OPD", kepala_opd(config, kode))]


def berita_acara_pdf(config: Config, store: Store, kode: str, jenis: str, now: datetime,
                     wilayah: Wilayah | None = None) -> bytes:
    if jenis == "kesepakatan":
        return _kesepakatan(config, store, kode, now)
    if jenis == "verifikasi":
        return _verifikasi(config, store, kode, now, wilayah or Wilayah.load())
    raise ValueError(f"Jenis berita acara tidak dikenal: {jenis} (pilih kesepakatan atau verifikasi)")


def _kesepakatan(config: Config, store: Store, kode: str, now: datetime) -> bytes:
    a = minutes.agreement(config, store, kode)
    office = load_settings(config).penerbit
    doc = Document(f"Berita Acara Kesepakatan Daftar Data {kode}", now)
    doc.heading(office, "BERITA ACARA KESEPAKATAN DAFTAR DATA", f"{a.opd_nama} — tahun data {config.year}")
    doc.paragraph(f"Pada hari ini, {tanggal_hari(now)}, Operator Data {a.opd_nama} dan Walidata "
                  f"({office}) menyatakan telah memeriksa bersama dan menyepakati Daftar Data berikut "
                  "(SOP Pengumpulan Data langkah 5), yang kemudian disetujui Kepala OPD (langkah 6).")
    doc.facts([("OPD", f"{a.opd_nama} ({a.opd})"), ("Jumlah item data", format_number(len(a.items))),
               ("Jumlah baris", format_number(a.rows)),
               ("Disepakati Operator dan Walidata", _when(a.agreed_at, "belum tercatat")),
               ("Disetujui Kepala OPD", _when(a.approved_at, f"belum ({format_number(a.waiting_approval)} baris "
                                                              "menunggu persetujuan)"))])
    rows = [[str(i), it.kode_data or "—", it.uraian_data, "; ".join(it.rincian), it.satuan,
             "\n".join(f"{k.capitalize()}: {v}" for k, v in it.standar.items() if v) or "—"]
            for i, it in enumerate(a.items, 1)]
    doc.grid(["No", "Kode Data", "Uraian Data", "Rincian", "Satuan", "Standar Data"], rows,
             (8, 24, 42, 40, 20, 36))
    doc.signatures(f"Magetan, {format_tanggal(now)}", _signers(config, kode))
    return bytes(doc.output())


def _verifikasi(config: Config, store: Store, kode: str, now: datetime, wilayah: Wilayah) -> bytes:
    values = minutes.verified_values(config, store, kode, wilayah)
    office = load_settings(config).penerbit
    name = minutes.opd_name(config, kode)
    doc = Document(f"Berita Acara Verifikasi Data {kode}", now)
    doc.heading(office, "BERITA ACARA VERIFIKASI DATA", f"{name} — tahun data {config.year}")
    doc.paragraph(f"Pada hari ini, {tanggal_hari(now)}, Walidata ({office}) telah memeriksa dan memverifikasi "
                  f"data yang diisi Operator Data {name} (SOP Pengumpulan Data langkah 8–9). Data berikut "
                  "dinyatakan terverifikasi dan disimpan di basis data arsip.")
    items = {(v.datum.item) for v in values}
    doc.facts([("OPD", f"{name} ({kode})"), ("Jumlah item data", format_number(len(items))),
               ("Jumlah nilai terverifikasi", format_number(len(values))),
               ("Nilai yang pernah diperbaiki", format_number(sum(1 for v in values if v.revisions)))])
    rows = [[str(i), v.datum.uraian_data, v.datum.rincian, str(v.datum.tahun),
             v.datum.simbol or ("—" if v.datum.nilai is None else format_number(v.datum.nilai)), v.datum.satuan,
             format_tanggal(datetime.fromisoformat(v.datum.diverifikasi_pada), with_time=True),
             format_number(v.revisions), format_number(v.datum.versi)] for i, v in enumerate(values, 1)]
    doc.grid(["No", "Uraian Data", "Rincian", "Tahun", "Nilai", "Satuan", "Diverifikasi", "Revisi", "Versi"],
             rows, (8, 42, 28, 11, 18, 18, 23, 11, 11), numeric={3, 4, 7, 8}, size=7)
    doc.signatures(f"Magetan, {format_tanggal(now)}", _signers(config, kode))
    return bytes(doc.output())


def rekap_pdf(config: Config, store: Store, kode: str, now: datetime, wilayah: Wilayah | None = None) -> bytes:
    """The hard copy of SPM Persyaratan 3: every published item of the OPD as a table."""
    items, withheld = minutes.recap_items(config, store, kode, wilayah or Wilayah.load())
    office = load_settings(config).penerbit
    name = minutes.opd_name(config, kode)
    doc = Document(f"Rekap Data Sektoral {kode}", now)
    doc.heading(office, "REKAP DATA SEKTORAL", f"{name} — tahun data {config.year}")
    doc.paragraph(f"Data sektoral {name} yang telah diverifikasi Walidata dan disimpan di basis data arsip, "
                  f"keadaan {format_tanggal(now, with_time=True)}.")
    for number, item in enumerate(items, 1):
        if doc.get_y() > doc.h - 60:
            doc.add_page()
        doc.paragraph(f"{number}. {item.title}" + (f" ({item.kode_data})" if item.kode_data else ""), 10, bold=True)
        meta = [f"Satuan: {item.satuan}"] + [f"{k.capitalize()}: {v}" for k, v in item.standar.items() if v]
        doc.paragraph(" · ".join(meta), 8)
        years = list(item.years)
        rincian_width = 60 if len(years) < 6 else 45
        widths = (rincian_width, *([(doc.epw - rincian_width) / len(years)] * len(years)))
        rows = [[r.rincian, *(r.symbols.get(y) or ("—" if r.values.get(y) is None else format_number(r.values[y]))
                              for y in years)] for r in item.rows]
        doc.grid(["Rincian", *map(str, years)], rows, widths, numeric=set(range(1, len(years) + 1)))
        for d in item.declared:
            doc.paragraph(f"{d.rincian} {d.tahun}: '{d.simbol}' ({d.status_nilai.replace('_', ' ')}), {d.keterangan}", 8)
    for w in withheld:
        doc.paragraph(f"Ditahan: {w.uraian_data or w.kode_data} tahun {w.tahun}. {w.alasan}.", 8)
    doc.signatures(f"Magetan, {format_tanggal(now)}", [("Walidata", load_settings(config).walidata),
                                                        ("Kepala OPD", kepala_opd(config, kode))])
    return bytes(doc.output())
