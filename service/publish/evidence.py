"""`satudata evaluasi TAHUN`: the folder a Walidata hands to the EPSS evaluator (Peraturan BPS
3/2022). An index PDF maps each indicator to the files that evidence it, and says plainly which
indicators this product does not evidence; then the annual review (PDF, CSV), every Berita Acara
and rekap issued in the year, the archive's verification and chain heads, the publication (Data
Package, DCAT). Every file is made as of the archive's last recorded act, so the same archive
gives byte-identical files (and zip) however often the pack is made (DECISIONS.md #64)."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import tempfile
import zipfile
from datetime import datetime, timezone
from pathlib import Path

from rules.numbers import format_number
from rules.wilayah import Wilayah
from service.archive import chain, documents
from service.archive.progress import known_years
from service.archive.store import Store
from service.config import Config
from service.config.wilayah import load_wilayah
from service.publish import minutes
from service.publish.pdf import Document, _chain_line, _heading_blocks, _scaled, render
from service.publish.review import TICKET_KEYS, annual_review, review_csv
from service.publish.settings import load_settings
from service.timefmt import format_tanggal, iso

REVIEW, DOCS, INTEGRITY, PUBLICATION = "2-reviu", "3-dokumen", "4-integritas", "5-publikasi"
_FOLDERS = (f"{PUBLICATION}/data/", f"{PUBLICATION}/katalog/")  # listed as a count of their files
INDEX = "1-indeks-bukti-dukung.pdf"
NOT_SUPPORTED = "tidak didukung produk ini"
KETEPATAN = {"terlambat": "Terlambat", "berisiko": "Berisiko", "tepat_waktu": "Tepat waktu", "selesai": "Selesai",
             "belum_mulai": "Belum mulai"}


class EvidenceRefused(Exception):
    """The pack cannot be made as asked; the message is in Bahasa Indonesia."""


def _indicators(year: int, has_docs: bool) -> list[tuple[str, str, str, str]]:
    """(domain, indicator, files, what they show): Peraturan BPS 3/2022's indicators, short names."""
    review = f"{REVIEW}/reviu-tahunan-{year}.pdf, {REVIEW}/reviu-*.csv"
    ba = f"{DOCS}/BA-*.pdf" if has_docs else f"{DOCS}/ (belum ada dokumen terbit tahun ini)"
    return [
        ("Prinsip SDI", "Standar Data Statistik", f"{ba}; {PUBLICATION}/datapackage.json",
         "Konsep, definisi, klasifikasi, ukuran dan satuan setiap item diperiksa kelengkapannya dan disepakati "
         "(BA kesepakatan); penetapan standar oleh Pembina Data di luar produk ini"),
        ("Prinsip SDI", "Metadata Statistik", f"{PUBLICATION}/datapackage.json, data/*.datapackage.json, "
         f"{PUBLICATION}/katalog.ttl, katalog.jsonld, katalog/*.ttl, katalog/*.jsonld",
         "Metadata dataset (Data Package per OPD, katalog DCAT berhalaman per OPD). Metadata kegiatan dan variabel "
         f"format BPS (MS-Keg, MS-Var): {NOT_SUPPORTED}"),
        ("Prinsip SDI", "Interoperabilitas Data", f"{PUBLICATION}/data/*.csv, *.json, *.xlsx, datapackage.json",
         "Data terverifikasi dalam format terbuka dengan skema Frictionless dan katalog DCAT untuk dipanen"),
        ("Prinsip SDI", "Kode Referensi", f"{PUBLICATION}/data/*.panjang.csv (kolom kode_wilayah)",
         "Rincian wilayah dipetakan ke kode Kemendagri; kode referensi lain: " + NOT_SUPPORTED),
        ("Kualitas Data", "Relevansi", "—", NOT_SUPPORTED),
        ("Kualitas Data", "Akurasi", f"{review}; {ba}",
         "Pemeriksaan otomatis setiap isian, putaran revisi dan verifikasi Walidata per OPD"),
        ("Kualitas Data", "Aktualitas dan Ketepatan Waktu", review,
         "Hari kerja setiap langkah SOP terhadap batasnya dan persentase langkah yang selesai tepat waktu"),
        ("Kualitas Data", "Aksesibilitas", f"{PUBLICATION}/", "Publikasi data terverifikasi; layanan portal di "
         "luar produk ini"),
        ("Kualitas Data", "Keterbandingan dan Konsistensi", f"{review}",
         "Sebagian: nilai dibandingkan dengan nilai terarsip tahun lalu saat diperiksa"),
        ("Proses Bisnis Statistik", "Pendefinisian Kebutuhan Statistik", "—", NOT_SUPPORTED),
        ("Proses Bisnis Statistik", "Desain Statistik", "—", NOT_SUPPORTED),
        ("Proses Bisnis Statistik", "Penyiapan Instrumen", "—", NOT_SUPPORTED),
        ("Proses Bisnis Statistik", "Proses Pengumpulan Data", f"{ba}; {review}",
         "Satu prosedur (SOP Pengumpulan Data) diterapkan ke setiap OPD: daftar dibagikan, dicek bersama, "
         "disepakati, disetujui Kepala OPD, diisi, diverifikasi; BA bernomor untuk setiap OPD"),
        ("Proses Bisnis Statistik", "Pemeriksaan dan Verifikasi Data", f"{review}; {DOCS}/BA-*verifikasi*.pdf",
         "Temuan pemeriksaan otomatis, revisi Walidata dan bagaimana berakhir, per OPD"),
        ("Proses Bisnis Statistik", "Pengolahan Data", "—", NOT_SUPPORTED),
        ("Proses Bisnis Statistik", "Analisis Data", "—", NOT_SUPPORTED),
        ("Proses Bisnis Statistik", "Diseminasi Data", f"{PUBLICATION}/; {DOCS}/REKAP-*.pdf",
         "Data terverifikasi diterbitkan (tabel, Data Package, DCAT) dan rekap cetak per OPD"),
        ("Proses Bisnis Statistik", "Evaluasi Proses Bisnis Statistik", review,
         "Hasil reviu tahunan: ketepatan waktu per langkah, revisi, item disepakati dan dipublikasikan, "
         "perpanjangan, BA terbit dan diterima"),
        ("Dokumentasi", "Arsip terdokumentasi dan utuh", f"{INTEGRITY}/verifikasi-arsip.json, "
         f"{INTEGRITY}/kepala-rantai.csv", "Rantai hash SHA-256 atas setiap versi arsip dan peristiwa audit; "
         "hasil pemeriksaan dan kepala rantai"),
        ("Kelembagaan", "Profesionalitas", "—", NOT_SUPPORTED),
        ("Kelembagaan", "SDM yang Memadai dan Kapabel", f"{review} (kolom tanpa_sk_operator)",
         "Sebagian: OPD yang operatornya punya SK penunjukan (SPM 3); kompetensi SDM: " + NOT_SUPPORTED),
        ("Kelembagaan", "Pengorganisasian Statistik", ba,
         "Sebagian: peran Operator, Walidata, Koordinator dan Pembina Data pada pemeriksaan bersama"),
        ("Statistik Nasional", "Kolaborasi dengan Pembina Data", ba,
         "Sebagian: Pembina Data (BPS) tercatat sebagai peserta pemeriksaan bersama"),
        ("Statistik Nasional", "Indikator lain domain ini", "—", NOT_SUPPORTED),
    ]


def evidence_pack(config: Config, store: Store, year: int, wilayah: Wilayah | None = None,
                  rules=None) -> tuple[dict[str, bytes], datetime]:
    """Every file of the pack (path -> bytes) and the moment it is made as of."""
    years = known_years(config, store)
    if year not in years:
        raise EvidenceRefused(f"Tahun {year} tidak dikenal: arsip ini memuat tahun "
                              f"{', '.join(map(str, years))}; mis. satudata evaluasi {years[0]}")
    as_of = documents.last_recorded(store.engine)
    if as_of is None:
        raise EvidenceRefused("Arsip masih kosong: belum ada yang dapat dijadikan bukti dukung")
    wilayah = wilayah or load_wilayah(config)
    files: dict[str, bytes] = {}
    review = annual_review(config, store, as_of, year)
    files[f"{REVIEW}/reviu-tahunan-{year}.pdf"] = review_pdf(config, review)
    files.update({f"{REVIEW}/{name}": body for name, body in review_csv(review).items()})
    issued = documents.of_year(store.engine, year)
    for doc in issued:
        files[f"{DOCS}/{doc.id}-{doc.jenis}-{doc.opd}.pdf"] = render(doc.isi, doc.nomor, _chain_line(doc))
    found = chain.verify(store.engine)
    files[f"{INTEGRITY}/verifikasi-arsip.json"] = json.dumps(
        {"diperiksa_atas_arsip_sampai": iso(as_of), **found.as_dict()}, ensure_ascii=False, indent=2,
        sort_keys=True).encode("utf-8")
    files[f"{INTEGRITY}/kepala-rantai.csv"] = _heads_csv(found.heads)
    from service.publish.build import build
    publication = build(config, store, rules, wilayah)
    files.update({f"{PUBLICATION}/{name}": body for name, body in publication.files.items()})
    files[INDEX] = index_pdf(config, year, as_of, review, found, issued, sorted(files))
    files["BACA.txt"] = _readme(files, year, as_of, load_settings(config).produk)
    return files, as_of


def _heads_csv(heads: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["opd", "tahun", "jenis", "panjang", "kepala_sha256"])
    for h in heads:
        writer.writerow([h["opd"], h["tahun"], h["jenis"], h["panjang"], h["kepala"]])
    return out.getvalue().encode("utf-8")


def _readme(files: dict[str, bytes], year: int, as_of: datetime, produk: str = "Satu Data") -> bytes:
    lines = [f"Bukti dukung EPSS {year}: {produk}", "",
             f"Dibuat oleh satudata evaluasi dari arsip keadaan {iso(as_of)}.",
             f"Mulai dari {INDEX}. Arsip yang sama selalu menghasilkan berkas yang sama persis.", "",
             "SHA-256  berkas"]
    lines += [f"{hashlib.sha256(body).hexdigest()}  {name}" for name, body in sorted(files.items())]
    return ("\n".join(lines) + "\n").encode("utf-8")


def review_pdf(config: Config, review: dict) -> bytes:
    """The annual review as a document the Walidata signs (EPSS level 4: hasil reviu dan evaluasi)."""
    as_of, total = review["sampai"], review["jumlah"]
    doc = Document(f"Reviu Tahunan Pengumpulan Data {review['tahun']}", as_of)
    doc.heading(load_settings(config).penerbit, "REVIU TAHUNAN PENGUMPULAN DATA",
                f"tahun data {review['tahun']} — keadaan {format_tanggal(as_of, with_time=True)}",
                load_settings(config).wilayah)
    pct = "—" if total["persen_tepat_waktu"] is None else f"{format_number(total['persen_tepat_waktu'])}%"
    blocks = _heading_blocks(minutes.sop_heading(config.kode_wilayah), load_settings(config).wilayah) + [
        {"fakta": [["OPD", format_number(total["opd"])], ["Langkah selesai tepat waktu",
                   f"{format_number(total['langkah_tepat_waktu'])} dari {format_number(total['langkah_selesai'])} ({pct})"],
                   ["OPD terlambat saat ini", format_number(total["opd_terlambat"])],
                   ["Putaran revisi", format_number(total["putaran_revisi"])],
                   ["Baris disepakati / diisi / diverifikasi", f"{format_number(total['disepakati'])} / "
                    f"{format_number(total['diisi'])} / {format_number(total['diverifikasi'])}"],
                   ["Item disepakati / dipublikasikan", f"{format_number(total['item_disepakati'])} / "
                    f"{format_number(total['item_dipublikasikan'])}"],
                   ["Dokumen terbit / diterima Kominfo", f"{format_number(total['dokumen_terbit'])} / "
                    f"{format_number(total['dokumen_diterima'])}"],
                   ["OPD tanpa SK operator (SPM 3)", format_number(total["opd_tanpa_sk"])]]},
        {"subjudul": "Ketepatan waktu per langkah SOP (semua OPD)"},
        {"tabel": {"kepala": ["Langkah", "Nama", "Selesai", "Tepat waktu", "%", "Terlambat berjalan"],
                   "baris": [[s["langkah"], s["nama"], format_number(s["selesai"]), format_number(s["tepat_waktu"]),
                              "—" if s["persen_tepat_waktu"] is None else format_number(s["persen_tepat_waktu"]),
                              format_number(s["terlambat_berjalan"])] for s in review["langkah"]],
                   "lebar": _scaled((18, 72, 18, 20, 14, 28)), "angka": [2, 3, 4, 5], "ukuran": 7.5}},
        {"subjudul": "Per OPD (yang berisiko lebih dulu)"},
        {"tabel": {"kepala": ["OPD", "Ketepatan", "Langkah tepat waktu", "Revisi", "Baris sepakat/isi/verif",
                              "Item sepakat/terbit", "Dokumen terbit/diterima", "SK operator"],
                   "baris": [[o["kode"], KETEPATAN.get(o["ketepatan"], o["ketepatan"]),
                              f"{o['langkah_tepat_waktu']}/{o['langkah_selesai']}", format_number(o["putaran_revisi"]),
                              f"{o['disepakati']}/{o['diisi']}/{o['diverifikasi']}",
                              f"{o['item_disepakati']}/{o['item_dipublikasikan']}",
                              f"{o['dokumen_terbit']}/{o['dokumen_diterima']}", "belum" if o["tanpa_sk"] else "ada"]
                             for o in review["opd"]],
                   "lebar": _scaled((26, 22, 20, 14, 26, 20, 22, 18)), "angka": [3], "ukuran": 7}},
        {"subjudul": "Revisi menurut jenis dan bagaimana berakhir"},
        {"tabel": {"kepala": ["OPD", "Jenis", "Alasan", "Jumlah"],
                   "baris": [[o["kode"], r["jenis"], r["alasan"], format_number(r["jumlah"])]
                             for o in review["opd"] for r in o["revisi_per_jenis"]],
                   "lebar": _scaled((22, 50, 84, 14)), "angka": [3], "ukuran": 7,
                   "kosong": "Tidak ada revisi tahun ini."}},
        {"tabel": {"kepala": ["OPD", "Berakhir", "Jumlah"],
                   "baris": [[o["kode"], how, format_number(n)] for o in review["opd"]
                             for how, n in o["revisi_berakhir"].items()],
                   "lebar": _scaled((30, 110, 30)), "angka": [2], "ukuran": 7, "kosong": "—"}},
        {"subjudul": "Perpanjangan tenggat yang diberikan"},
        {"tabel": {"kepala": ["OPD", "Hari kerja", "Langkah", "Alasan"],
                   "baris": [[o["kode"], format_number(e["hari"]), str(e["langkah"] or "layanan"), e["alasan"]]
                             for o in review["opd"] for e in o["perpanjangan"]],
                   "lebar": _scaled((26, 20, 20, 104)), "angka": [1], "ukuran": 7,
                   "kosong": "Tidak ada perpanjangan."}},
        {"subjudul": "Pengaduan dan usulan data dari masyarakat (SPM 11)"},
        {"tabel": {"kepala": ["OPD", "Pengaduan", "Selesai", "Terbuka", "Usulan", "Diterima"],
                   "baris": [[o["kode"], *(format_number(o[k]) for k in TICKET_KEYS)] for o in review["opd"]
                             if o["pengaduan_masuk"] or o["usulan_masuk"]],
                   "lebar": _scaled((40, 26, 26, 26, 26, 26)), "angka": [1, 2, 3, 4, 5], "ukuran": 7.5,
                   "kosong": "Tidak ada pengaduan atau usulan data tahun ini."}},
        {"subjudul": "Dokumen yang salinan cetaknya belum diterima Kominfo"},
        {"tabel": {"kepala": ["OPD", "Dokumen"],
                   "baris": [[o["kode"], ", ".join(o["dokumen_belum_diterima"])] for o in review["opd"]
                             if o["dokumen_belum_diterima"]],
                   "lebar": _scaled((30, 140)), "ukuran": 7.5, "kosong": "Semua salinan cetak sudah diterima."}},
    ]
    doc.blocks(blocks)
    walidata = next((b for b in minutes.signers(config, "", "rekap") if b["peran"] == "Walidata"), None)
    if walidata:
        doc.signatures(f"{load_settings(config).tempat}, {format_tanggal(as_of)}", [walidata])
    return bytes(doc.output())


def index_pdf(config: Config, year: int, as_of: datetime, review: dict, found, issued: list,
              names: list[str]) -> bytes:
    doc = Document(f"Indeks Bukti Dukung EPSS {year}", as_of)
    doc.heading(load_settings(config).penerbit, "INDEKS BUKTI DUKUNG EVALUASI PENYELENGGARAAN STATISTIK SEKTORAL",
                f"{config.name} — tahun {year}, dari arsip keadaan {format_tanggal(as_of, with_time=True)}",
                load_settings(config).wilayah)
    indicators = _indicators(year, bool(issued))
    supported = sum(1 for *_, what in indicators if what != NOT_SUPPORTED)
    heads = ", ".join(f"{h['opd']}/{h['jenis']} {h['kepala'][:12]}…" for h in found.heads[:6])
    doc.blocks(_heading_blocks(minutes.sop_heading(config.kode_wilayah), load_settings(config).wilayah) + [
        {"p": "Indeks ini memetakan indikator Evaluasi Penyelenggaraan Statistik Sektoral (Peraturan BPS Nomor 3 "
              "Tahun 2022; nama indikator diringkas) ke berkas di folder ini yang menjadi bukti dukungnya. Baris "
              f"bertanda \"{NOT_SUPPORTED}\" tidak dapat dibuktikan dengan keluaran produk ini dan perlu bukti lain.",
         "ukuran": 9},
        {"fakta": [["Indikator dengan bukti dari produk", f"{supported} dari {len(indicators)}"],
                   ["Dokumen (BA, rekap) terbit", format_number(len(issued))],
                   ["Arsip", ("utuh" if found.ok else "TIDAK utuh") + f": {format_number(found.records)} rekaman "
                             f"dalam {format_number(len(found.heads))} rantai"],
                   ["Kepala rantai", heads + (" …" if len(found.heads) > 6 else "") if heads else "—"]]},
        {"tabel": {"kepala": ["Domain", "Indikator", "Berkas", "Yang ditunjukkan"],
                   "baris": [list(row) for row in indicators], "lebar": _scaled((24, 34, 52, 60)), "ukuran": 7}},
        {"subjudul": "Isi folder"},
        {"tabel": {"kepala": ["Berkas"], "baris": [[n] for n in names if not n.startswith(_FOLDERS)]
                   + [[f"{PUBLICATION}/data/ ({sum(n.startswith(f'{PUBLICATION}/data/') for n in names)} berkas data)"],
                      [f"{PUBLICATION}/katalog/ ({sum(n.startswith(f'{PUBLICATION}/katalog/') for n in names)} "
                       "halaman katalog per OPD)"]],
                   "lebar": [170], "ukuran": 7}},
    ])
    if found.breaks:
        doc.blocks([{"p": "Kerusakan arsip: " + "; ".join(b.message for b in found.breaks[:5]), "tebal": True}])
    return bytes(doc.output())


def write_pack(files: dict[str, bytes], folder: Path, year: int, as_of: datetime) -> Path:
    """The files into ``folder`` and one zip of them all (sorted members, fixed times)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, body in sorted(files.items()):
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_file() and path.read_bytes() == body:
            continue
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(body)
        os.replace(tmp, path)
    stamp = as_of.astimezone(timezone.utc).timetuple()[:6]
    target = folder / f"bukti-evaluasi-{year}.zip"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in sorted(files.items()):
            info = zipfile.ZipInfo(name, date_time=max(stamp, (1980, 1, 1, 0, 0, 0)))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, body)
    target.write_bytes(buffer.getvalue())
    return target
