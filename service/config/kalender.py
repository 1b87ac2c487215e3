"""The service-standard parts of satudata.toml: ``[kalender] libur_tambahan`` (local holidays)
and ``[[opd]] perpanjangan`` (deadline extensions), every bad value named in Bahasa Indonesia."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from rules.sop import load_sop
from service.config.model import ConfigError
from service.config.read import value

if TYPE_CHECKING:  # rules.deadlines brings the holidays package: only a config with extensions needs it
    from rules.deadlines import Extension

HOLIDAY_KEYS = {"tanggal", "nama"}
EXTENSION_KEYS = {"hari", "alasan", "langkah", "tahun", "oleh"}
MAX_EXTENSION_DAYS = 250  # a working year: more is a typing slip


def _date(raw: object, where: str) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, str):
        try:
            return date.fromisoformat(raw.strip())
        except ValueError:
            pass
    raise ConfigError(f"{where} {raw!r} bukan tanggal: tulis TAHUN-BULAN-HARI, mis. \"2025-10-13\"")


def holidays(data: dict) -> dict[date, str]:
    """``[kalender] libur_tambahan = ["2025-10-13", {tanggal = "2025-10-13", nama = "Hari Jadi Kabupaten"}]``."""
    kalender = value(data, "kalender", dict, "satudata.toml", {})
    for key in kalender:
        if key != "libur_tambahan":
            raise ConfigError(f"Kunci '{key}' di kalender tidak dikenal (salah ketik?). Kunci yang dikenal: "
                              "libur_tambahan")
    out: dict[date, str] = {}
    for i, item in enumerate(value(kalender, "libur_tambahan", list, "kalender", []), 1):
        where = f"kalender.libur_tambahan ke-{i}"
        name = ""
        if isinstance(item, dict):
            unknown = set(item) - HOLIDAY_KEYS
            if unknown:
                raise ConfigError(f"Kunci '{sorted(unknown)[0]}' di {where} tidak dikenal. Kunci yang dikenal: "
                                  "nama, tanggal")
            name = value(item, "nama", str, where, "").strip()
            item = value(item, "tanggal", (str, date), where)
        day = _date(item, where)
        if day in out:
            raise ConfigError(f"{where}: tanggal {day.isoformat()} sudah tercantum")
        out[day] = name
    return out


def extensions(item: dict, where: str) -> tuple[Extension, ...]:
    """``[[opd]] perpanjangan = [{hari = 5, alasan = "...", tahun = 2025, oleh = "...", langkah = 7}]``
    (langkah optional; tahun optional for older files: the open workspace year, until rollover
    writes it in; oleh: who granted it)."""
    sop = load_sop()
    steps = sorted(n for n, s in sop.steps.items() if s.hari_kerja and n >= 3)
    out = []
    for i, raw in enumerate(value(item, "perpanjangan", list, where, []), 1):
        here = f"{where}.perpanjangan ke-{i}"
        if not isinstance(raw, dict):
            raise ConfigError(f"{here} harus berupa tabel, mis. {{hari = 5, alasan = \"...\"}}")
        unknown = set(raw) - EXTENSION_KEYS
        if unknown:
            raise ConfigError(f"Kunci '{sorted(unknown)[0]}' di {here} tidak dikenal. Kunci yang dikenal: "
                              "alasan, hari, langkah, oleh, tahun")
        hari = value(raw, "hari", int, here)
        if not 1 <= hari <= MAX_EXTENSION_DAYS:
            raise ConfigError(f"{here}.hari harus antara 1 dan {MAX_EXTENSION_DAYS} hari kerja (sekarang: {hari})")
        alasan = value(raw, "alasan", str, here).strip()
        if not alasan:
            raise ConfigError(f"{here}.alasan wajib diisi: tulis mengapa tenggat diperpanjang")
        langkah = value(raw, "langkah", int, here, None)
        if langkah is not None and langkah not in steps:
            raise ConfigError(f"{here}.langkah harus nomor langkah SOP {', '.join(map(str, steps))} "
                              f"(sekarang: {langkah})")
        tahun = value(raw, "tahun", int, here, None)
        if tahun is not None and not 2000 <= tahun <= 2100:
            raise ConfigError(f"{here}.tahun harus tahun ruang kerja saat perpanjangan diberikan, antara 2000 dan "
                              f"2100 (sekarang: {tahun})")
        oleh = value(raw, "oleh", str, here, "").strip()
        from rules.deadlines import Extension  # the holidays package comes with it

        out.append(Extension(hari, alasan, langkah, tahun, oleh))
    return tuple(out)
