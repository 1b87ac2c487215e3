"""The ``[[opd]]`` tables of satudata.toml: one per agency, its tab named by its code."""
from __future__ import annotations

import re

from service.config import kalender
from service.config.model import ConfigError, Opd
from service.config.people import people
from service.config.read import no_unknown_keys, spreadsheet_key, value

KODE_MAX = 31  # an Excel sheet name holds at most 31 characters; the tab is named by the code
KODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]*$")
OPD_KEYS = {"kode", "nama", "operators", "spreadsheet_id", "perpanjangan", "kepala", "bidang"}


def opds(data: dict) -> tuple[Opd, ...]:
    out: list[Opd] = []
    seen: set[str] = set()
    for i, item in enumerate(value(data, "opd", list, "satudata.toml", []), 1):
        where = f"[[opd]] ke-{i}"
        if not isinstance(item, dict):
            raise ConfigError(f"{where} harus berupa tabel")
        no_unknown_keys(item, OPD_KEYS, "[[opd]]")
        kode = _kode(item, where)
        if kode in seen:
            raise ConfigError(f"{where}.kode '{kode}' ganda")
        seen.add(kode)
        petugas = people(value(item, "operators", list, where, []), f"{where}.operators")
        out.append(Opd(kode, value(item, "nama", str, where, kode), tuple(p.email for p in petugas if p.email),
                       spreadsheet_key(value(item, "spreadsheet_id", str, where, ""), f"{where}.spreadsheet_id"),
                       kalender.extensions(item, where), _kepala(item, where), petugas,
                       _bidang(item, where)))
    return tuple(out)


def _kode(item: dict, where: str) -> str:
    kode = value(item, "kode", str, where).strip()
    if not KODE_RE.match(kode):
        raise ConfigError(f"{where}.kode '{kode}' tidak sah: gunakan huruf besar, angka dan '-' (mis. DINKES)")
    if len(kode) > KODE_MAX:
        raise ConfigError(f"{where}.kode '{kode}' terlalu panjang ({len(kode)} karakter): paling banyak "
                          f"{KODE_MAX}, karena nama tab Excel dibatasi {KODE_MAX} karakter")
    return kode


def _kepala(item: dict, where: str) -> tuple[str, str] | None:
    """``kepala = { nama = "…", nip = "…" }``: who approves step 6, printed on a Berita Acara."""
    table = value(item, "kepala", dict, where, None)
    if table is None:
        return None
    for key in table:
        if key not in ("nama", "nip"):
            raise ConfigError(f"Kunci '{key}' di {where}.kepala tidak dikenal; yang dikenal: nama, nip")
    nama = value(table, "nama", str, f"{where}.kepala").strip()
    nip = value(table, "nip", str, f"{where}.kepala", "").replace(" ", "")
    if not nama:
        raise ConfigError(f"{where}.kepala.nama wajib diisi (nama Kepala OPD)")
    if nip and not (nip.isdigit() and len(nip) == 18):
        raise ConfigError(f"{where}.kepala.nip '{nip}' tidak sah: NIP terdiri dari 18 angka")
    return nama, nip


def _bidang(item: dict, where: str) -> tuple[tuple[str, str], ...]:
    """``bidang = [{ nama = "Bidang P2P", email = "..." }]``: who receives a failing row of that division."""
    out = []
    for i, table in enumerate(value(item, "bidang", list, where, []), 1):
        at = f"{where}.bidang ke-{i}"
        if not isinstance(table, dict):
            raise ConfigError(f"{at} harus berupa tabel {{ nama = \"…\", email = \"…\" }}")
        no_unknown_keys(table, {"nama", "email"}, at)
        nama, email = value(table, "nama", str, at).strip(), value(table, "email", str, at).strip()
        if not nama or "@" not in email:
            raise ConfigError(f"{at}: nama wajib diisi dan email harus alamat e-mail (sekarang: {email!r})")
        out.append((nama, email))
    return tuple(out)


def google_has_spreadsheets(backend: str, spreadsheet_id: str | None, opds: tuple[Opd, ...]) -> None:
    """The Google backend needs a shared spreadsheet or one for every OPD."""
    if backend != "google" or spreadsheet_id or (opds and all(o.spreadsheet_id for o in opds)):
        return
    missing = [o.kode for o in opds if not o.spreadsheet_id]
    without = ", ".join(missing[:8]) + (f" dan {len(missing) - 8} OPD lain" if len(missing) > 8 else "")
    raise ConfigError("sheets.spreadsheet_id wajib diisi untuk backend google "
                      "(atau spreadsheet_id pada setiap [[opd]])" + (f"; belum ada untuk: {without}" if opds else ""))
