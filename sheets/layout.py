"""The sheet contract's columns (DECISIONS.md #1) and header matching."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rules import fields as f
from rules.sop import load_sop


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    owner: str  # "system", "operator" or "walidata"
    required: bool = True
    aliases: tuple[str, ...] = ()
    box: bool = False
    width: int = 14


def _box(key: str, width: int, aliases: tuple[str, ...] = ()) -> Column:
    """A step box column: its header and owner are the SOP's (sop.yaml), its look is the sheet's."""
    box = load_sop().boxes[key]
    return Column(key, box.label, box.pemilik.casefold(), box=True, aliases=aliases, width=width)


COLUMNS: tuple[Column, ...] = (
    Column(f.ID, "ID", "system", aliases=("ID Baris", "Row ID"), width=16),
    Column(f.KODE, "Kode Data", "operator", required=False, aliases=("Kode",), width=22),
    Column(f.URAIAN, "Uraian Data", "operator", aliases=("Uraian", "Nama Data", "Judul Data"), width=40),
    Column(f.RINCIAN, "Rincian", "operator", required=False, aliases=("Disagregasi", "Wilayah"), width=22),
    Column(f.SATUAN, "Satuan", "operator", aliases=("Satuan Data",), width=12),
    Column(f.TAHUN, "Tahun", "operator", aliases=("Tahun Data",), width=8),
    Column(f.NILAI, "Nilai", "operator", aliases=("Jumlah", "Nilai Data"), width=14),
    Column(f.KETERANGAN, "Keterangan", "operator", required=False, aliases=("Sumber", "Ket"), width=24),
    Column(f.KONSEP, "Konsep", "operator", required=False, width=20),
    Column(f.DEFINISI, "Definisi", "operator", required=False, width=24),
    Column(f.KLASIFIKASI, "Klasifikasi", "operator", required=False, width=18),
    Column(f.UKURAN, "Ukuran", "operator", required=False, width=12),
    Column(f.FREKUENSI, "Frekuensi", "operator", required=False, aliases=("Periode",), width=12),
    _box(f.DICEK, 10, aliases=("Dicek",)),
    _box(f.SEPAKAT_OPD, 12),
    _box(f.SEPAKAT_WALIDATA, 12),
    _box(f.SETUJU_KA, 11, aliases=("Disetujui Kepala OPD", "Disetujui Kepala")),
    _box(f.SELESAI_ISI, 10),
    _box(f.VERIFIKASI, 15, aliases=("Diverifikasi",)),
    Column(f.CATATAN, "Catatan Walidata", "walidata", width=30),
    Column(f.STATUS, "Status", "system", width=18),
    Column(f.HASIL, "Hasil Pemeriksaan", "system", aliases=("Hasil",), width=50),
    Column(f.DIPERBARUI, "Diperbarui", "system", aliases=("Terakhir Diperbarui",), width=17),
)
# Recognised where a person adds them, never put in a new tab by the template.
OPTIONAL_COLUMNS: tuple[Column, ...] = (
    Column(f.BIDANG, "Bidang", "operator", required=False, aliases=("Bidang Penanggung Jawab", "Unit Kerja"),
           width=18),
)
BY_KEY = {c.key: c for c in COLUMNS + OPTIONAL_COLUMNS}
HEADERS = [c.header for c in COLUMNS]


def normalise_header(text: object) -> str:
    """Case, spacing and punctuation are ignored when matching headers."""
    s = unicodedata.normalize("NFKC", "" if text is None else str(text)).casefold()
    return re.sub(r"[\W_]+", "", s)


_EXACT: dict[str, str] = {}
_ALIAS: dict[str, str] = {}
for _c in COLUMNS + OPTIONAL_COLUMNS:
    _EXACT[normalise_header(_c.header)] = _c.key
    _EXACT.setdefault(normalise_header(_c.key), _c.key)
    for _name in _c.aliases:
        _ALIAS.setdefault(normalise_header(_name), _c.key)


@dataclass(frozen=True)
class HeaderMap:
    """Where each known column sits (0-based), and what is wrong with the header row."""

    columns: dict[str, int]
    missing: tuple[str, ...]  # headers of required columns not found
    duplicated: tuple[str, ...]  # headers that appear twice (the first is used)

    @property
    def ok(self) -> bool:
        return not self.missing


def match_headers(header_row: list[object]) -> HeaderMap:
    """The contract's own header wins over an alias wherever the alias stands (an operator's
    "Jumlah" helper column left of "Nilai" is not read as Nilai)."""
    columns: dict[str, int] = {}
    duplicated: list[str] = []
    names = [normalise_header(text) for text in header_row]
    for lookup in (_EXACT, _ALIAS):
        for index, name in enumerate(names):
            key = lookup.get(name)
            if key is None or index in columns.values():
                continue
            if key in columns:
                if lookup is _EXACT:
                    duplicated.append(BY_KEY[key].header)
                continue
            columns[key] = index
    missing = tuple(c.header for c in COLUMNS if c.required and c.key not in columns)
    return HeaderMap(columns, missing, tuple(duplicated))
