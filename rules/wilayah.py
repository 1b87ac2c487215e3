"""Kecamatan and desa of the workspace's kabupaten/kota, for reading the Rincian column.

The places come from a Kemendagri code list: the national table shipped in
``reference/kemendagri`` unless the Walidata imported a newer one into the workspace
(``satudata referensi impor``); ``Wilayah.versi`` names the list a check used. A desa the
previous list had and the current one renamed or dropped still reads as that place, with a
warning (never an error: a verified row must not fall back over a renumbering).

An operator writes a place as a name ("Kec. Plaosan", "PLAOSAN"), a Kemendagri code
(35.20.07) or a BPS code (3520070). Kemendagri and BPS number the kecamatan in
different orders, so codes are joined by code, never by position. Text that names
no place is a category (Laki-laki, SD, Januari); text that looks like a place but
is unknown is reported, with a suggestion when a known name is close.
"""
from __future__ import annotations

import csv
from collections.abc import Iterator
import difflib
import functools
import gzip
import hashlib
import io
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

COCOK = "cocok"
BUKAN_TEMPAT = "bukan_tempat"
TIDAK_DIKENAL = "tidak_dikenal"
MIRIP = "mirip"

REFERENCE = Path(__file__).resolve().parent / "reference"
KEMENDAGRI = REFERENCE / "kemendagri"
NATIONAL = KEMENDAGRI / "wilayah.csv.gz"
NATIONAL_VERSI = "Kepmendagri 300.2.2-2138/2025 (cahyadsn/wilayah 2026-02-13)"
DEMO_KODE = "35.20"  # the demo kabupaten, and the code of a workspace that names none
# A workspace's own list (satudata referensi impor) lives in its ``referensi`` folder.
LIST_NAME, INFO_NAME, PREVIOUS_NAME = "wilayah.csv.gz", "wilayah.toml", "wilayah_sebelumnya.csv.gz"
LEVELS = ("provinsi", "kabupaten", "kota", "kecamatan", "kelurahan", "desa")
KODE_RE = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")
# Old and new spellings of the same desa; whichever the CSV uses, the other is an alias.
SPELLINGS = (("Jokerto", "Joketro"), ("Klagengambiran", "Klagen Gambiran"),
             ("Samberembe", "Sambirembe"), ("Bayem Wetan", "Bayemwetan"))
_PREFIXES = {"kecamatan": "kecamatan", "kec": "kecamatan", "desa": "desa", "ds": "desa",
             "kelurahan": "desa", "kel": "desa"}
_KABUPATEN_WORDS = frozenset({"kabupaten", "kab", "kota", "total", "jumlah", "seluruh",
                              "se", "keseluruhan", "semua"})
# Common breakdowns that must never be taken for a near miss of a place name.
CATEGORIES = frozenset("""
laki laki lakilaki perempuan pria wanita total jumlah lainnya lain lain lainlain
sd mi smp mts sma sma smk ma slb tk paud ra perguruantinggi
rawatjalan rawatinap baik sedang rusak rusakringan rusakberat rusaksedang
januari februari maret april mei juni juli agustus september oktober november desember
triwulan semester tahunan perkotaan perdesaan negeri swasta islam kristen katolik
hindu buddha konghucu""".split())
_MARKERS = frozenset({"kab", "kabupaten", "kota"})
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
    warning: str | None = None  # a place the current code list renamed or dropped (Bahasa Indonesia)


@dataclass(frozen=True)
class Entry:
    """One line of a Kemendagri code list."""
    kode: str
    nama: str
    level: str  # one of LEVELS


def level_of(kode: str, nama: str = "") -> str | None:
    """The level a code's shape says: 35 provinsi, 35.20 kabupaten/kota, 35.20.07 kecamatan,
    35.20.07.1001 kelurahan (its fourth part starts with 1), else desa."""
    if not KODE_RE.match(kode):
        return None
    parts = kode.split(".")
    if len(parts) == 2:
        return "kota" if nama.casefold().startswith("kota ") else "kabupaten"
    return {1: "provinsi", 3: "kecamatan"}.get(len(parts)) or ("kelurahan" if parts[3][0] == "1" else "desa")


def _list_text(path: Path) -> str:
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    return raw.decode("utf-8-sig")


def _read_list(path: Path, text: str | None = None) -> tuple[Entry, ...]:
    return _entries(csv.reader(io.StringIO(_list_text(path) if text is None else text, newline="")))


def _entries(rows: Iterator[list[str]]) -> tuple[Entry, ...]:
    header = next(rows, [])  # by position, not a dict a line: the national table has 91k lines
    if not header:
        return ()
    column = {name: i for i, name in enumerate(header)}
    k, n, lv = column["kode"], column["nama"], column["level"]  # KeyError, as a missing column always was
    return tuple(Entry(r[k].strip(), r[n].strip(), r[lv].strip()) for r in rows if r)


@functools.lru_cache(maxsize=8)
def _cached_list(path: Path, stamp: tuple[int, int]) -> tuple[Entry, ...]:
    return _read_list(path)


def read_list(path: Path) -> tuple[Entry, ...]:
    """A code list written by ``write_list`` (kode, nama, level; gzip or plain CSV), read once per
    file version: the national table is large and every service loads it."""
    path = Path(path)
    info = path.stat()
    return _cached_list(path, (info.st_mtime_ns, info.st_size))


def read_under(path: Path, kode: str) -> tuple[Entry, ...]:
    """The entries of ``read_list(path)`` that are ``kode`` or under it, in the file's order, read
    once per file version. Only the lines holding ``kode`` are parsed as CSV (a kabupaten is ~1 %
    of the national table), unless a line ends inside quotes or the file uses CR line ends: then
    the whole list is parsed."""
    path = Path(path)
    info = path.stat()
    return _cached_under(path, (info.st_mtime_ns, info.st_size), kode)


@functools.lru_cache(maxsize=8)
def _cached_under(path: Path, stamp: tuple[int, int], kode: str) -> tuple[Entry, ...]:
    text = _list_text(path)
    lines = text.split("\n")
    if "\r" in text or any(line.count('"') % 2 for line in lines):  # a record may span lines
        entries = _read_list(path, text)
    else:  # a line without kode holds no entry under it
        entries = _entries(csv.reader(lines[:1] + [line for line in lines[1:] if kode in line]))
    prefix = kode + "."
    return tuple(e for e in entries if e.kode == kode or e.kode.startswith(prefix))


def write_list(path: Path, entries: list[Entry]) -> None:
    """The list as gzip CSV sorted by code, byte for byte the same for the same entries."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["kode", "nama", "level"])
    writer.writerows((e.kode, e.nama, e.level) for e in sorted(entries, key=lambda e: e.kode))
    with gzip.GzipFile(path, "wb", mtime=0) as fh:
        fh.write(buf.getvalue().encode("utf-8"))


_COLUMN_NAMES = {"kode": ("kode", "kodewilayah", "kodekemendagri", "kode_wilayah"),
                 "nama": ("nama", "namawilayah", "wilayah"), "level": ("level", "tingkat", "jenis")}


def parse_list(grid: list[list[object]]) -> tuple[list[Entry], list[str]]:
    """A code list as a person supplies it (header row with kode, nama and optionally level;
    codes dotted '35.20.07.2001' or bare '3520072001') -> (entries, problems in Bahasa Indonesia)."""
    if not grid:
        return [], ["Berkas kosong."]
    header = [re.sub(r"[\W_]+", "", _text(h).casefold()) for h in grid[0]]
    columns = {key: next((i for i, h in enumerate(header) if h in {re.sub(r"[\W_]+", "", n) for n in names}), None)
               for key, names in _COLUMN_NAMES.items()}
    missing = [k for k in ("kode", "nama") if columns[k] is None]
    if missing:
        return [], [f"Baris judul harus memuat kolom {' dan '.join(missing)} (serta level bila ada)."]
    entries: list[Entry] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(grid[1:], start=2):
        kode, nama, level = (_cell(row, columns[k]) for k in ("kode", "nama", "level"))
        level = level.casefold()
        if not (kode or nama or level):
            continue
        kode = _dotted(kode)
        shape = level_of(kode, nama)
        if shape is None:
            problems.append(f"Baris {number}: kode '{_quote(kode)}' bukan kode Kemendagri (mis. 35.20.07.2001).")
        elif not nama:
            problems.append(f"Baris {number}: nama wilayah {kode} kosong.")
        elif level and level not in LEVELS:
            problems.append(f"Baris {number}: level '{_quote(level)}' tidak dikenal; pilih {', '.join(LEVELS)}.")
        elif level and level != shape and {level, shape} not in ({"kabupaten", "kota"}, {"desa", "kelurahan"}):
            problems.append(f"Baris {number}: kode {kode} adalah {shape}, bukan {level}.")
        elif kode in seen:
            problems.append(f"Baris {number}: kode {kode} sudah ada di baris {seen[kode]}.")
        else:
            seen[kode] = number
            entries.append(Entry(kode, nama, level or shape))
    return entries, problems


def _cell(row: list[object], column: int | None) -> str:
    return _text(row[column]) if column is not None and column < len(row) else ""


def _dotted(kode: str) -> str:
    digits = re.sub(r"\D", "", kode)
    if kode.replace(".", "").isdigit() and "." not in kode and len(digits) in (2, 4, 6, 10):
        return ".".join(p for p in (digits[:2], digits[2:4], digits[4:6], digits[6:]) if p)
    return kode


@dataclass(frozen=True)
class ListChanges:
    """How a new list differs from the one in force, within one kabupaten/kota."""
    renamed: tuple[tuple[Entry, Entry], ...]  # (old, new): same code, another name
    dropped: tuple[Entry, ...]
    added: tuple[Entry, ...]


def list_changes(previous: tuple[Entry, ...] | list[Entry], current: tuple[Entry, ...] | list[Entry],
                 kode: str) -> ListChanges:
    prefix = kode + "."
    old = {e.kode: e for e in previous if e.kode.startswith(prefix)}
    new = {e.kode: e for e in current if e.kode.startswith(prefix)}
    renamed = tuple((old[k], new[k]) for k in sorted(old.keys() & new.keys())
                    if _key(normalise_place(old[k].nama)) != _key(normalise_place(new[k].nama)))
    return ListChanges(renamed, tuple(old[k] for k in sorted(old.keys() - new.keys())),
                       tuple(new[k] for k in sorted(new.keys() - old.keys())))


def list_version(folder: Path | None) -> str:
    """The version name of the list in force: the workspace's imported one, else the national table's."""
    if folder is None:
        return NATIONAL_VERSI
    info = Path(folder) / INFO_NAME
    if not info.exists() or not (Path(folder) / LIST_NAME).exists():
        return NATIONAL_VERSI
    with open(info, "rb") as fh:
        return str(tomllib.load(fh).get("sumber") or NATIONAL_VERSI)


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


def _short_name(nama: str) -> str:
    """'Kabupaten Magetan' -> 'Magetan', 'Kota Semarang' -> 'Semarang'."""
    return re.sub(r"^(kabupaten|kota)\s+", "", nama.strip(), flags=re.IGNORECASE)


@functools.lru_cache(maxsize=4)
def _bps_codes(kode: str) -> dict[str, str]:
    """Kemendagri code -> BPS code, where ``bps_<kode>.csv`` ships them."""
    path = KEMENDAGRI / f"bps_{kode}.csv"
    if not path.exists():
        return {}
    with open(path, encoding="utf-8", newline="") as fh:
        return {r["kode_kemendagri"].strip(): r["kode_bps"].strip() for r in csv.DictReader(fh) if r["kode_bps"].strip()}


def _key(name: str) -> str:
    # spaces are dropped too, so 'Klagen Gambiran' and 'Klagengambiran' meet
    return name.replace(" ", "")


def _quote(text: str) -> str:
    shown = "".join(c if c.isprintable() else "?" for c in text[:41])
    return shown[:40] + "…" if len(shown) > 40 else shown


class Wilayah:
    """The reference places with their indexes; build once with ``load`` and keep it."""

    def __init__(self, kecamatan: list[Place], desa: list[Place], kode: str = DEMO_KODE,
                 nama: str = "", versi: str = NATIONAL_VERSI,
                 retired: dict[str, tuple[Place, str]] | None = None) -> None:
        self.kode = kode  # the kabupaten/kota's Kemendagri code, "35.20"
        self.nama = nama or f"Kabupaten/Kota {kode}"  # "Kabupaten Magetan", "Kota Semarang"
        self.versi = versi  # the code list these places come from
        self.kecamatan = tuple(sorted(kecamatan, key=lambda p: p.kode))
        self.desa = tuple(sorted(desa, key=lambda p: p.kode))
        self._digits = kode.replace(".", "")
        self._name_words = frozenset(_words(self.nama))
        # 'Magetan' alone is Kecamatan Magetan, so the kabupaten's bare name then needs 'Kab.'
        self._name_is_kecamatan = _key(normalise_place(_short_name(self.nama))) in {
            _key(normalise_place(p.nama)) for p in self.kecamatan}
        # old names and dropped desa of the previous list: name key or code digits -> (place, warning)
        self._retired = dict(retired or {})
        self._kec_names = {_key(normalise_place(p.nama)): p for p in self.kecamatan}
        self._desa_names: dict[str, Place] = {}
        for p in self.desa:  # a shared desa name resolves to the first, by code
            self._desa_names.setdefault(_key(normalise_place(p.nama)), p)
        for old, new in SPELLINGS:
            a, b = _key(normalise_place(old)), _key(normalise_place(new))
            for src, dst in ((a, b), (b, a)):
                if src in self._desa_names and dst not in self._desa_names:
                    self._desa_names[dst] = self._desa_names[src]
        # Undotted 10-digit desa codes of the two schemes can collide (a Kemendagri
        # kelurahan's and a BPS desa's): keep both.
        self._kemendagri = {re.sub(r"\D", "", p.kode): p for p in self.kecamatan + self.desa}
        self._bps = {p.kode_bps: p for p in self.kecamatan + self.desa if p.kode_bps}
        self._cached = functools.lru_cache(maxsize=8192)(self._lookup)

    def fingerprint(self) -> str:
        """Changes when the kabupaten/kota or its code list changes (hex, no '-' or '~')."""
        return hashlib.sha256(f"{self.kode}|{self.versi}".encode("utf-8")).hexdigest()[:16]

    @property
    def singkat(self) -> str:
        """The name without 'Kabupaten': 'Magetan'; a kota keeps its word ('Kota Semarang'),
        since Kabupaten Semarang is another place."""
        return self.nama if self.nama.casefold().startswith("kota ") else _short_name(self.nama)

    @property
    def tempat(self) -> str:
        """Where documents are signed: 'Magetan', 'Semarang'."""
        return _short_name(self.nama)

    @property
    def produk(self) -> str:
        """The product's name in headings: 'Satu Data Magetan', 'Satu Data Kota Semarang'."""
        return f"Satu Data {self.singkat}"

    @classmethod
    def load(cls, kode: str = DEMO_KODE, folder: Path | None = None) -> Wilayah:
        """The places of kabupaten/kota ``kode`` from the list in ``folder`` (a workspace's
        ``referensi``, see ``LIST_NAME``) or, without one, from the national table."""
        own = Path(folder) / LIST_NAME if folder is not None else None
        # from_list reads only the places under kode: only their lines are parsed (DECISIONS.md #155)
        current = read_under(own, kode) if own is not None and own.exists() else read_under(NATIONAL, kode)
        previous_path = Path(folder) / PREVIOUS_NAME if folder is not None and own is not None and own.exists() else None
        previous = read_under(previous_path, kode) if previous_path is not None and previous_path.exists() else ()
        return cls.from_list(current, kode, list_version(folder), previous)

    @classmethod
    def from_list(cls, entries: tuple[Entry, ...] | list[Entry], kode: str, versi: str = NATIONAL_VERSI,
                  previous: tuple[Entry, ...] | list[Entry] = ()) -> Wilayah:
        """The places under ``kode`` in ``entries``; places of ``previous`` (the list replaced)
        that ``entries`` renamed or dropped still resolve, with a warning naming ``versi``."""
        prefix = kode + "."
        own = {e.kode: e for e in entries if e.kode.startswith(prefix) or e.kode == kode}
        if kode not in own:
            raise KeyError(kode)
        bps = _bps_codes(kode)
        kecamatan_names = {e.kode: e.nama for e in own.values() if e.level == "kecamatan"}

        def place(e: Entry, names: dict[str, str]) -> Place:
            kind = "kecamatan" if e.level == "kecamatan" else e.level
            return Place(kind, e.kode, e.nama, names.get(e.kode[:8], e.nama), bps.get(e.kode))

        kecamatan = [place(e, kecamatan_names) for e in own.values() if e.level == "kecamatan"]
        desa = [place(e, kecamatan_names) for e in own.values() if e.level in ("desa", "kelurahan")]
        retired: dict[str, tuple[Place, str]] = {}
        old_kecamatan = {e.kode: e.nama for e in previous if e.level == "kecamatan" and e.kode.startswith(prefix)}
        for e in previous:
            if not e.kode.startswith(prefix) or e.level not in ("desa", "kelurahan"):
                continue
            now = own.get(e.kode)
            if now is not None and _key(normalise_place(now.nama)) == _key(normalise_place(e.nama)):
                continue
            if now is not None:  # renamed: the old name is the same place, under its new name
                shown = place(now, kecamatan_names)
                why = (f"{e.level.capitalize()} {e.nama} ({e.kode}) berganti nama menjadi {now.nama} "
                       f"menurut {versi}; tulis '{shown.label}'.")
            else:  # dropped: still the old place, so archived data keeps its code
                shown = place(e, {**old_kecamatan, **kecamatan_names})
                why = f"{e.level.capitalize()} {e.nama} ({e.kode}) tidak ada lagi dalam daftar {versi}."
            retired.setdefault(_key(normalise_place(e.nama)), (shown, why))
            if now is None:
                retired.setdefault(e.kode.replace(".", ""), (shown, why))
        return cls(kecamatan, desa, kode, own[kode].nama, versi, retired)

    def lookup(self, text: object) -> PlaceMatch:
        """Classify a Rincian cell. Blank and whole-kabupaten texts are ``bukan_tempat``:
        call ``is_kabupaten`` first for those."""
        return self._cached(_text(text))

    def is_kabupaten(self, text: object) -> bool:
        """The row stands for the whole kabupaten/kota: blank, 'Kab. Magetan', 'Total', ...
        When a kecamatan shares the kabupaten's name, that name alone is the kecamatan."""
        words = set(_words(_text(text)))
        if not words <= _KABUPATEN_WORDS | self._name_words:
            return False
        bare = words & (self._name_words - _MARKERS) and not words & _MARKERS
        return not (bare and self._name_is_kecamatan)

    # --- matching ---------------------------------------------------------------------

    def _lookup(self, text: str) -> PlaceMatch:
        if not text or self.is_kabupaten(text):
            return PlaceMatch(BUKAN_TEMPAT)
        if re.fullmatch(r"[0-9][0-9 .\-/]*", text):
            digits = re.sub(r"\D", "", text)
            if digits.startswith(self._digits):
                return self._by_code(digits, text)
        kind, name = _split(text)
        key = _key(name)
        place = self._by_name(kind, key)
        if place:
            return PlaceMatch(COCOK, place)
        if key in self._retired and kind != "kecamatan":
            old, why = self._retired[key]
            return PlaceMatch(COCOK, old, warning=why)
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
                          f"sebagai kecamatan/desa/kelurahan di {self.nama}.")

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
        if digits in self._retired:
            old, why = self._retired[digits]
            return PlaceMatch(COCOK, old, warning=why)
        return PlaceMatch(TIDAK_DIKENAL, message=f"Rincian '{_quote(text)}' bukan kode "
                          f"kecamatan/desa Kemendagri atau BPS di {self.nama}.")

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
