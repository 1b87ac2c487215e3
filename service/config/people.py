"""People the SOP names, with the papers that appoint them: ``[[opd]] operators`` and
``[walidata] emails`` entries (an e-mail, or a table with name, NIP and SK), ``[pembina]``
(BPS) and ``[koordinator]`` (Bappeda)."""
from __future__ import annotations

import datetime as dt

from service.config.model import ConfigError, Person
from service.config.read import no_unknown_keys, value

PERSON_KEYS = {"email", "nama", "nip", "sk_nomor", "sk_tanggal", "jabatan", "instansi"}


def person(raw: object, where: str) -> Person:
    """``"sari@dinkes.go.id"`` or ``{ email, nama, nip, sk_nomor, sk_tanggal, jabatan, instansi }``."""
    if isinstance(raw, str):
        return Person(email=raw.strip())
    if not isinstance(raw, dict):
        raise ConfigError(f"{where} harus berupa email atau tabel {{ email, nama, nip, sk_nomor, sk_tanggal }} "
                          f"(sekarang: {raw!r})")
    no_unknown_keys(raw, PERSON_KEYS, where)
    text = {k: value(raw, k, str, where, "").strip() for k in PERSON_KEYS - {"sk_tanggal"}}
    if not (text["email"] or text["nama"]):
        raise ConfigError(f"{where} harus menyebut email atau nama")
    nip = text["nip"].replace(" ", "")
    if why := nip_problem(nip):
        raise ConfigError(f"{where}.nip: {why}")
    return Person(**{**text, "nip": nip}, sk_tanggal=_date(raw.get("sk_tanggal"), f"{where}.sk_tanggal"))


def nip_problem(nip: str) -> str | None:
    """Why a NIP (without spaces) is not one, or None; empty is allowed (not every person has one)."""
    if nip and not (nip.isdigit() and len(nip) == 18):
        return f"NIP '{nip}' tidak sah: NIP terdiri dari 18 angka"
    return None


def _date(raw: object, where: str) -> str:
    """A TOML date (2025-01-06) or its text; kept as ISO text."""
    if raw is None or raw == "":
        return ""
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat()
    if isinstance(raw, dt.date):
        return raw.isoformat()
    try:
        return dt.date.fromisoformat(str(raw).strip()).isoformat()
    except ValueError:
        raise ConfigError(f"{where} harus tanggal TTTT-BB-HH, mis. 2025-01-06 (sekarang: {raw!r})") from None


def people(raw: list, where: str) -> tuple[Person, ...]:
    return tuple(person(item, f"{where}[{i}]") for i, item in enumerate(raw))


def named(data: dict, section: str) -> Person | None:
    """``[pembina]`` / ``[koordinator]``: a person and their office, or None when absent."""
    table = data.get(section)
    if table is None:
        return None
    return person(value(data, section, dict, "satudata.toml"), f"[{section}]")


def without_operator_sk(opds) -> list:
    """OPDs none of whose operators has an SK of appointment on file (SPM 3: "Surat penunjukan
    operator data masing-masing OPD")."""
    return [o for o in opds if not any(p.has_sk for p in o.petugas)]


def operators_shown(opd) -> list[dict]:
    """An OPD's operators as the dashboard and documents show them."""
    return [{"nama": p.shown, "email": p.email, "nip": p.nip, "sk_nomor": p.sk_nomor,
             "sk_tanggal": dt.date.fromisoformat(p.sk_tanggal) if p.sk_tanggal else None, "ada_sk": p.has_sk}
            for p in opd.petugas]
