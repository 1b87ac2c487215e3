"""``[pengaduan]`` in satudata.toml: how complaints and data requests from the public are handled.

    [pengaduan]
    tenggat_hari_kerja = 5          # working days to answer a ticket
    petugas = ["bidang-statistik"]  # dashboard users who handle tickets only (the Bidang's role)
    batas_per_jam = 10              # tickets one address may send per hour
"""
from __future__ import annotations

from dataclasses import dataclass

from service.config.model import ConfigError
from service.config.read import bounded, value


@dataclass(frozen=True)
class PengaduanSettings:
    tenggat_hari_kerja: int = 5
    petugas: tuple[str, ...] = ()
    batas_per_jam: int = 10


def pengaduan(data: dict) -> dict:
    """The Config field of ``[pengaduan]``, every key optional (unknown keys: sections.KNOWN_KEYS)."""
    from service.config.sections import section
    table = section(data, "pengaduan")
    petugas = value(table, "petugas", list, "pengaduan", [])
    if not all(isinstance(p, str) and p.strip() for p in petugas):
        raise ConfigError(f"pengaduan.petugas harus berupa daftar nama pengguna dasbor (sekarang: {petugas!r})")
    return {"pengaduan": PengaduanSettings(
        tenggat_hari_kerja=bounded(table, "tenggat_hari_kerja", "pengaduan", 5, 1, 60, " hari kerja"),
        petugas=tuple(p.strip() for p in petugas),
        batas_per_jam=bounded(table, "batas_per_jam", "pengaduan", 10, 1, 1000, " kiriman"))}


def settings_of(config) -> PengaduanSettings:
    """The workspace's [pengaduan], its defaults when the Config was built without it (tests, demo)."""
    return config.pengaduan if isinstance(config.pengaduan, PengaduanSettings) else PengaduanSettings()
