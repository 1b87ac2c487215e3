"""Statistical metadata (Peraturan BPS 5/2020, Petunjuk Teknis Metadata Statistik): MS-Keg for
the activity that produced the data, MS-Ind for an indicator, MS-Var for a variable.

An OPD keeps them in a ``Metadata`` tab beside its data tab, one block per activity or item:
four columns ``Jenis`` (MS-Keg, MS-Ind, MS-Var), ``Kunci`` (the activity's Judul Kegiatan, or
the item's Kode Data, else its Uraian Data), ``Elemen`` (the form's field name) and ``Isi``.
A blank Jenis/Kunci continues the block above, so a block reads like the paper form. The
element names are the forms' own; only a subset of MS-Keg's eight blocks is asked (what a
reader of a published table needs: method, period, coverage, unit of observation, contact).
Pure: the caller reads the tab into a grid; this parses it and names every problem by cell.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from rules import fields as f
from rules.findings import GALAT, Finding

KEG, IND, VAR = "MS-Keg", "MS-Ind", "MS-Var"
SHEET = "Metadata"
HEADER = ("Jenis", "Kunci", "Elemen", "Isi")


@dataclass(frozen=True)
class Element:
    key: str
    label: str  # the form's name, as the tab writes it
    required: bool = False
    choices: tuple[str, ...] = ()


def _e(label: str, required: bool = False, choices: tuple[str, ...] = ()) -> Element:
    return Element(re.sub(r"[^a-z0-9]+", "_", label.casefold()).strip("_"), label, required, choices)


YA_TIDAK = ("Ya", "Tidak")
FORMS: dict[str, tuple[Element, ...]] = {
    KEG: (
        _e("Judul Kegiatan", True),
        _e("Tahun Kegiatan"),
        _e("Cara Pengumpulan Data", True, ("Pencacahan Lengkap", "Survei", "Kompilasi Produk Administrasi",
                                           "Cara Lain")),
        _e("Sektor Kegiatan"),
        _e("Instansi Penyelenggara", True),
        _e("Unit Eselon Penanggung Jawab", True),
        _e("Nama Penanggung Jawab"),
        _e("Email Penanggung Jawab", True),
        _e("Telepon Penanggung Jawab"),
        _e("Tujuan Kegiatan", True),
        _e("Frekuensi Penyelenggaraan", True),
        _e("Cakupan Wilayah Pengumpulan Data", True),
        _e("Metode Pengumpulan Data", True),
        _e("Unit Observasi", True),
        _e("Periode Pengumpulan Data"),
        _e("Tingkat Penyajian Hasil"),
    ),
    IND: (
        _e("Nama Indikator", True),
        _e("Konsep", True),
        _e("Definisi", True),
        _e("Interpretasi", True),
        _e("Metode/Rumus Perhitungan", True),
        _e("Ukuran", True),
        _e("Satuan", True),
        _e("Klasifikasi Penyajian", True),
        _e("Indikator Komposit", True, YA_TIDAK),
        _e("Publikasi Ketersediaan Indikator Pembangun"),
        _e("Nama Indikator Pembangun"),
        _e("Kegiatan Penghasil Variabel Pembangun", True),
        _e("Nama Variabel Pembangun", True),
        _e("Level Estimasi", True),
        _e("Dapat Diakses Umum", True, YA_TIDAK),
    ),
    VAR: (
        _e("Nama Variabel", True),
        _e("Alias"),
        _e("Konsep", True),
        _e("Definisi", True),
        _e("Referensi Pemilihan"),
        _e("Referensi Waktu", True),
        _e("Tipe Data", True),
        _e("Satuan", True),
        _e("Klasifikasi Isian"),
        _e("Aturan Validasi"),
        _e("Kalimat Pertanyaan"),
        _e("Kegiatan Penghasil", True),
        _e("Dapat Diakses Umum", True, YA_TIDAK),
    ),
}
ACTIVITY_OF = {IND: "kegiatan_penghasil_variabel_pembangun", VAR: "kegiatan_penghasil"}


def _norm(text: object) -> str:
    return " ".join(re.sub(r"[^\w/]+", " ", str(text or "").casefold()).split())


_LABELS = {jenis: {_norm(e.label): e for e in elements} for jenis, elements in FORMS.items()}
_JENIS = {"mskeg": KEG, "msind": IND, "msvar": VAR}


@dataclass
class Block:
    jenis: str  # KEG, IND or VAR
    kunci: str  # as written
    values: dict[str, str] = field(default_factory=dict)  # element key -> text
    cells: dict[str, str] = field(default_factory=dict)  # element key -> "D7", the Isi cell
    first_row: int = 0  # sheet row of the block's first line

    def get(self, key: str) -> str:
        return self.values.get(key, "")

    def label_values(self) -> list[tuple[str, str]]:
        """(form label, text) in the form's order, filled ones only."""
        return [(e.label, self.values[e.key]) for e in FORMS[self.jenis] if self.values.get(e.key)]


@dataclass
class Sheet:
    blocks: list[Block]
    problems: list[str]  # lines of the tab that name no known form or element (Bahasa Indonesia)
    title: str = SHEET  # the tab's name as the backend found it (Google: "Metadata DINKES")

    def ref(self, cell: str) -> str:
        """A cell of this tab as a person types it in a formula: Metadata!D7, 'Metadata DINKES'!D7."""
        name = self.title if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", self.title) else \
            "'" + self.title.replace("'", "''") + "'"
        return f"{name}!{cell}"

    def activity(self, judul: str) -> Block | None:
        return next((b for b in self.blocks if b.jenis == KEG and _norm(b.kunci) == _norm(judul)), None)

    def item(self, kode: str, uraian: str) -> Block | None:
        """The MS-Ind/MS-Var block of an item: its Kode Data, else its Uraian Data."""
        keys = {_norm(k) for k in (kode, uraian) if _norm(k)}
        return next((b for b in self.blocks if b.jenis != KEG and _norm(b.kunci) in keys), None)


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_sheet(grid: list[list[object]], title: str = SHEET) -> Sheet:
    """The blocks of a Metadata tab (row 1 the header; column order from the header); ``title`` is
    the tab's name, for the cells findings name."""
    sheet = Sheet([], [], title)
    if not grid:
        return sheet
    header = [_norm(h) for h in grid[0]]
    cols = {name: header.index(_norm(name)) if _norm(name) in header else i for i, name in enumerate(HEADER)}
    letter = chr(ord("A") + cols["Isi"]) if cols["Isi"] < 26 else "?"
    current: Block | None = None
    for number, row in enumerate(grid[1:], start=2):
        cell = [_text(row[cols[n]]) if cols[n] < len(row) else "" for n in HEADER]
        jenis_text, kunci, elemen, isi = cell
        if not any(cell):
            continue
        if jenis_text or kunci:
            jenis = _JENIS.get(_norm(jenis_text).replace(" ", ""))
            if jenis is None and current is not None and not jenis_text:
                jenis = current.jenis
            if jenis is None:
                sheet.problems.append(f"Baris {number}: Jenis '{jenis_text[:30]}' bukan MS-Keg, MS-Ind atau MS-Var.")
                current = None
                continue
            kunci = kunci or (current.kunci if current is not None and current.jenis == jenis else "")
            if current is None or (jenis, kunci) != (current.jenis, current.kunci):
                current = Block(jenis, kunci, first_row=number)
                sheet.blocks.append(current)
        if current is None:
            sheet.problems.append(f"Baris {number}: elemen '{elemen[:40]}' di luar blok (isi Jenis dan Kunci).")
            continue
        element = _LABELS[current.jenis].get(_norm(elemen))
        if element is None:
            if elemen:
                sheet.problems.append(f"Baris {number}: '{elemen[:40]}' bukan elemen {current.jenis}.")
            continue
        current.values[element.key] = isi
        current.cells[element.key] = f"{letter}{number}"
    for block in sheet.blocks:
        if block.jenis == KEG and not block.kunci:
            block.kunci = block.get("judul_kegiatan")
    return sheet


@dataclass(frozen=True)
class ItemProblem:
    """One reason an item cannot be agreed (step 5); ``cells`` are the Metadata cells concerned."""
    code: str
    message: str  # Bahasa Indonesia, names the form, the element and the cell


def item_problems(sheet: Sheet, kode: str, uraian: str, satuan: str, items: set[str]) -> list[ItemProblem]:
    """What keeps an item from agreement: no block, a required element empty or not one of its
    choices, a unit other than the item's Satuan, a source variable that is no item of the tab
    (``items``: normalised Kode Data and Uraian Data of every item), an activity with no MS-Keg
    block or with required elements empty."""
    block = sheet.item(kode, uraian)
    name = kode or uraian
    if block is None:
        return [ItemProblem("metadata_tidak_ada", f"Metadata MS-Ind/MS-Var untuk '{name[:60]}' belum ada di tab "
                            f"{sheet.title} (Jenis MS-Ind atau MS-Var, Kunci '{name[:60]}').")]
    out = _missing(sheet, block, f"{block.jenis} '{block.kunci[:60]}'")
    unit = block.get("satuan")
    if unit and satuan and _norm(unit) != _norm(satuan):
        out.append(ItemProblem("metadata_satuan_beda", f"Satuan {block.jenis} '{unit[:30]}' ("
                               f"{sheet.ref(block.cells['satuan'])}) tidak sama dengan Satuan item '{satuan[:30]}'."))
    if block.jenis == IND:
        for source in (s.strip() for s in re.split(r"[;\n]", block.get("nama_variabel_pembangun")) if s.strip()):
            if _norm(source) not in items:
                out.append(ItemProblem("metadata_variabel_tidak_ada", f"Variabel pembangun '{source[:60]}' "
                                       f"({sheet.ref(block.cells['nama_variabel_pembangun'])}) bukan item di tab ini; "
                                       "tulis Kode Data atau Uraian Data item itu."))
    judul = block.get(ACTIVITY_OF[block.jenis])
    if judul:
        activity = sheet.activity(judul)
        if activity is None:
            out.append(ItemProblem("metadata_kegiatan_tidak_ada", f"Kegiatan '{judul[:60]}' ("
                                   f"{sheet.ref(block.cells[ACTIVITY_OF[block.jenis]])}) belum punya blok MS-Keg di "
                                   f"tab {sheet.title}."))
        else:
            out += _missing(sheet, activity, f"MS-Keg '{activity.kunci[:60]}'")
    return out


def _missing(sheet: Sheet, block: Block, where: str) -> list[ItemProblem]:
    out = []
    for element in FORMS[block.jenis]:
        value = block.get(element.key)
        cell = f" ({sheet.ref(block.cells[element.key])})" if element.key in block.cells else ""
        if element.required and not value:
            out.append(ItemProblem("metadata_wajib", f"{where}: {element.label}{cell} wajib diisi."))
        elif value and element.choices and _norm(value) not in {_norm(c) for c in element.choices}:
            out.append(ItemProblem("metadata_pilihan", f"{where}: {element.label}{cell} harus salah satu dari "
                                   f"{', '.join(element.choices)}."))
    return out


def template_rows(jenis: str, kunci: str, prefill: dict[str, str] | None = None) -> list[list[str]]:
    """A block as rows (Jenis, Kunci, Elemen, Isi) for a new Metadata tab; required elements
    are marked with '*' in no cell: the README and the check name them."""
    prefill = prefill or {}
    return [[jenis, kunci, e.label, prefill.get(e.key, "")] for e in FORMS[jenis]]


def norm_key(text: object) -> str:
    """How an item names a source variable: case, spaces and punctuation ignored."""
    return _norm(text)


def findings(sheet: Sheet, rows: list[tuple[str, str, str, str]], items: set[str]) -> list[Finding]:
    """Errors that block agreement (step 5) on every row of an item whose metadata is lacking,
    on its Uraian Data cell. ``rows``: (row id, Kode Data, Uraian Data, Satuan)."""
    out: list[Finding] = []
    cache: dict[tuple[str, str, str], list[ItemProblem]] = {}
    for rid, kode, uraian, satuan in rows:
        if not (kode or uraian):
            continue
        key = (kode, uraian, satuan)
        if key not in cache:
            cache[key] = item_problems(sheet, kode, uraian, satuan, items)
        for problem in cache[key]:
            out.append(Finding(rid, f.URAIAN, GALAT, problem.code, problem.message, step=5, blocks_from=5))
    return out


def block_key(jenis: str, kunci: str) -> str:
    """One key per block however its Kunci is spelt (case, spaces, punctuation)."""
    return hashlib.sha256(f"{jenis}|{_norm(kunci)}".encode("utf-8")).hexdigest()


def blocks_for(sheet: Sheet, items: list[tuple[str, str]]) -> list[Block]:
    """The MS-Ind/MS-Var blocks of these (Kode Data, Uraian Data) items and their MS-Keg blocks, once each."""
    out: dict[tuple[str, str], Block] = {}
    for kode, uraian in items:
        block = sheet.item(kode, uraian)
        if block is None:
            continue
        out.setdefault((block.jenis, _norm(block.kunci)), block)
        activity = sheet.activity(block.get(ACTIVITY_OF[block.jenis]))
        if activity is not None:
            out.setdefault((activity.jenis, _norm(activity.kunci)), activity)
    return list(out.values())


def block_rows(block: Block) -> list[list[str]]:
    """A block as the tab's rows, every element of its form in order (empty ones to be filled)."""
    return [[block.jenis, block.kunci, e.label, block.values.get(e.key, "")] for e in FORMS[block.jenis]]


def digest(grid: list[list[object]] | None) -> str:
    """Changes when the Metadata tab's text changes: its items are checked again."""
    if grid is None:
        return ""
    payload = "\n".join("\t".join(_text(v) for v in row) for row in grid)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]
