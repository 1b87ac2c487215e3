"""Kecamatan and desa of Kabupaten Magetan, for reading the Rincian column.

An operator writes a place as a name ("Kec. Plaosan", "PLAOSAN"), a Kemendagri code
(35.20.07) or a BPS code (3520070). Kemendagri and BPS number the kecamatan in
different orders, so codes are joined by code, never by position. Text that names
no place is a category (Laki-laki, SD, Januari); text that looks like a place but
is unknown is reported, with a suggestion when a known name is close.
"""
from __future__ import annotations

import csv
import difflib
import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

COCOK = "cocok"
BUKAN_TEMPAT = "bukan_tempat"
TIDAK_DIKENAL = "tidak_dikenal"
MIRIP = "mirip"

REFERENCE = Path(__file__).resolve().parent / "reference"
# Old and new spellings of the same desa; whichever the CSV uses, the other is an alias.
SPELLINGS = (("Jokerto", "Joketro"), ("Klagengambiran", "Klagen Gambiran"),
             ("Samberembe", "Sambirembe"), ("Bayem Wetan", "Bayemwetan"))
_PREFIXES = {"kecamatan": "kecamatan", "kec": "kecamatan", "desa": "desa", "ds": "desa",
             "kelurahan": "desa", "kel": "desa"}
_KABUPATEN_WORDS = frozenset({"kabupaten", "kab", "magetan", "total", "jumlah", "seluruh",
                              "se", "keseluruhan", "semua"})
# Common breakdowns that must never be taken for a near miss of a place name.
CATEGORIES = frozenset("""
laki laki lakilaki perempuan pria wanita total jumlah lainnya lain lain lainlain
sd mi smp mts sma sma smk ma slb tk paud ra perguruantinggi
rawatjalan rawatinap baik sedang rusak rusakringan rusakberat rusaksedang
januari februari maret april mei juni juli agustus september oktober november desember
triwulan semester tahunan perkotaan perdesaan negeri swasta islam kristen katolik
hindu buddha konghucu""".split())
_NEAR = 0.85  # difflib ratio for a "mirip" near miss
_LOOSE = 0.7  # a weaker hint, offered only when the text already looks like a place
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff\u2060"))
_LONGEST = 40  # longer than any place name: not worth a fuzzy comparison


@dataclass(frozen=True)
class Place:
    kind: str  # "kecamatan", "desa" or "kelurahan"
    kode: str  # Kemendagri code
    nama: str
    kecamatan: str  # name of its kecamatan (itself for a kecamatan)
    kode_bps: str | None

    @property
    def label(self) -> str:
        """How a user should write it so it reads back as this place."""
        return f"{self.kind.capitalize()} {self.nama}"


@dataclass(frozen=True)
class PlaceMatch:
    status: str  # COCOK, BUKAN_TEMPAT, TIDAK_DIKENAL or MIRIP
    place: Place | None = None
    suggestion: str | None = None  # a label such as "Kecamatan Plaosan"
    message: str | None = None  # Bahasa Indonesia


def _text(value: object) -> str:
    """A cell value as text; an integral float code (3520070.0) loses its '.0'."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).translate(_ZERO_WIDTH).strip()


def _words(text: str) -> list[str]:
    return re.sub(r"[\W_]+", " ", text.casefold()).split()


def _split(text: str) -> tuple[str | None, str]:
    """(prefix kind or None, normalised name without the prefix)."""
    words = _words(text)
    kind = _PREFIXES.get(words[0]) if words else None
    if kind:
        words = words[1:]
    return kind, " ".join(words)


def normalise_place(text: object) -> str:
    """Casefolded, NFKC, prefixes (Kec., Kecamatan, Desa, Ds., Kel., Kelurahan) and
    punctuation gone, spaces collapsed: 'Kec.  PLAOSAN' -> 'plaosan'."""
    return _split(_text(text))[1]


def _key(name: str) -> str:
    # spaces are dropped too, so 'Klagen Gambiran' and 'Klagengambiran' meet
    return name.replace(" ", "")


def _quote(text: str) -> str:
    shown = "".join(c if c.isprintable() else "?" for c in text[:41])
    return shown[:40] + "…" if len(shown) > 40 else shown


class Wilayah:
    """The reference places with their indexes; build once with ``load`` and keep it."""

    def __init__(self, kecamatan: list[Place], desa: list[Place]) -> None:
        self.kecamatan = tuple(sorted(kecamatan, key=lambda p: p.kode))
        self.desa = tuple(sorted(desa, key=lambda p: p.kode))
        self._kec_names = {_key(normalise_place(p.nama)): p for p in self.kecamatan}
        self._desa_names: dict[str, Place] = {}
        for p in self.desa:  # a shared desa name resolves to the first, by code
            self._desa_names.setdefault(_key(normalise_place(p.nama)), p)
        for old, new in SPELLINGS:
            a, b = _key(normalise_place(old)), _key(normalise_place(new))
            for src, dst in ((a, b), (b, a)):
                if src in self._desa_names and dst not in self._desa_names:
                    self._desa_names[dst] = self._desa_names[src]
        # Undotted 10-digit desa codes of the two schemes can collide (3520061004 is
        # Kelurahan Magetan for Kemendagri, Desa Banjarpanjang for BPS): keep both.
        self._kemendagri = {re.sub(r"\D", "", p.kode): p for p in self.kecamatan + self.desa}
        self._bps = {p.kode_bps: p for p in self.kecamatan + self.desa if p.kode_bps}
        self._cached = functools.lru_cache(maxsize=8192)(self._lookup)

    @classmethod
    def load(cls, folder: Path | None = None) -> Wilayah:
        """Read magetan_kecamatan.csv and magetan_desa.csv from ``folder``."""
        folder = Path(folder) if folder is not None else REFERENCE
        with open(folder / "magetan_kecamatan.csv", encoding="utf-8", newline="") as f:
            kecamatan = [Place("kecamatan", r["kode_kemendagri"].strip(), r["nama"].strip(),
                               r["nama"].strip(), r["kode_bps"].strip() or None)
                         for r in csv.DictReader(f)]
        with open(folder / "magetan_desa.csv", encoding="utf-8", newline="") as f:
            desa = [Place(r["jenis"].strip(), r["kode_kemendagri"].strip(), r["nama"].strip(),
                          r["nama_kecamatan"].strip(), r["kode_bps_mfd2018"].strip() or None)
                    for r in csv.DictReader(f)]
        return cls(kecamatan, desa)

    def lookup(self, text: object) -> PlaceMatch:
        """Classify a Rincian cell. Blank and whole-kabupaten texts are ``bukan_tempat``:
        call ``is_kabupaten`` first for those."""
        return self._cached(_text(text))

    def is_kabupaten(self, text: object) -> bool:
        """The row stands for the whole kabupaten: blank, 'Kab. Magetan', 'Total', ...
        'Magetan' alone is the kecamatan, so 'magetan' needs 'kab'/'kabupaten'."""
        words = _words(_text(text))
        if not set(words) <= _KABUPATEN_WORDS:
            return False
        return "magetan" not in words or "kab" in words or "kabupaten" in words

    # --- matching ---------------------------------------------------------------------

    def _lookup(self, text: str) -> PlaceMatch:
        if not text or self.is_kabupaten(text):
            return PlaceMatch(BUKAN_TEMPAT)
        if re.fullmatch(r"[0-9][0-9 .\-/]*", text):
            digits = re.sub(r"\D", "", text)
            if digits.startswith("3520"):
                return self._by_code(digits, text)
        kind, name = _split(text)
        key = _key(name)
        place = self._by_name(kind, key)
        if place:
            return PlaceMatch(COCOK, place)
        if kind is None and (key in CATEGORIES or not key):
            return PlaceMatch(BUKAN_TEMPAT)
        other = self._kec_names.get(key) or self._desa_names.get(key)
        if other:  # "Kec. Sarangan": a known place, but not of the kind the prefix says
            return self._suggest(TIDAK_DIKENAL, text, other)
        ratio, near = self._nearest(kind, key)
        letters = sum(c.isalpha() for c in key)
        if near and ratio >= _NEAR and letters >= 5:
            return self._suggest(MIRIP, text, near)
        if kind is None:
            return PlaceMatch(BUKAN_TEMPAT)
        if near and ratio >= _LOOSE:
            return self._suggest(TIDAK_DIKENAL, text, near)
        return PlaceMatch(TIDAK_DIKENAL, message=f"Rincian '{_quote(text)}' tidak dikenal "
                          "sebagai kecamatan/desa/kelurahan di Kabupaten Magetan.")

    def _by_code(self, digits: str, text: str) -> PlaceMatch:
        kemendagri, bps = self._kemendagri.get(digits), self._bps.get(digits)
        if kemendagri and bps and kemendagri != bps and digits == text:
            return PlaceMatch(TIDAK_DIKENAL, message=f"Rincian '{_quote(text)}' ambigu: kode "
                              f"Kemendagri {kemendagri.kode} ({kemendagri.label}) atau kode BPS "
                              f"({bps.label}). Tulis kode Kemendagri bertitik atau nama wilayah.")
        # dots ("35.20.06.1004") mean the Kemendagri form: a BPS code is never written with them
        place = kemendagri if "." in text else kemendagri or bps
        if place:
            return PlaceMatch(COCOK, place)
        return PlaceMatch(TIDAK_DIKENAL, message=f"Rincian '{_quote(text)}' bukan kode "
                          "kecamatan/desa Kemendagri atau BPS di Kabupaten Magetan.")

    def _by_name(self, kind: str | None, key: str) -> Place | None:
        """Without a prefix a name shared by a kecamatan and a desa is the kecamatan."""
        if kind == "desa":
            return self._desa_names.get(key)
        if kind == "kecamatan":
            return self._kec_names.get(key)
        return self._kec_names.get(key) or self._desa_names.get(key)

    def _nearest(self, kind: str | None, key: str) -> tuple[float, Place | None]:
        names: list[tuple[str, Place]] = []
        if kind != "desa":
            names += self._kec_names.items()
        if kind != "kecamatan":
            names += self._desa_names.items()
        best, found = 0.0, None
        if not key or len(key) > _LONGEST:
            return best, found
        matcher = difflib.SequenceMatcher(b=key, autojunk=False)
        for name, place in names:  # kecamatan first: they win a tie
            matcher.set_seq1(name)
            if matcher.real_quick_ratio() > best and matcher.quick_ratio() > best:
                ratio = matcher.ratio()
                if ratio > best:
                    best, found = ratio, place
        return best, found

    @staticmethod
    def _suggest(status: str, text: str, place: Place) -> PlaceMatch:
        where = f" (Kec. {place.kecamatan})" if place.kind != "kecamatan" else ""
        return PlaceMatch(status, None, place.label, f"Rincian '{_quote(text)}' tidak dikenal; "
                          f"maksud Anda {place.label}{where}?")
