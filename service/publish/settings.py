"""[publikasi] in satudata.toml: where and how the verified data is published."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from service.config import Config, ConfigError
from rules.wilayah import Wilayah
from service.config.wilayah import load_wilayah

WALIDATA_OFFICE = "Dinas Komunikasi dan Informatika"  # followed by the kabupaten/kota's name
LICENCES = {  # SPDX id -> (title, URL)
    "CC-BY-4.0": ("Creative Commons Attribution 4.0", "https://creativecommons.org/licenses/by/4.0/"),
    "CC0-1.0": ("Creative Commons Zero v1.0 Universal", "https://creativecommons.org/publicdomain/zero/1.0/"),
    "ODbL-1.0": ("Open Data Commons Open Database License 1.0", "https://opendatacommons.org/licenses/odbl/1-0/"),
}


@dataclass(frozen=True)
class Signer:
    nama: str = ""
    nip: str = ""


@dataclass(frozen=True)
class Settings:
    otomatis: bool
    terbuka: bool
    folder: Path
    url_dasar: str
    lisensi: str
    penerbit: str
    walidata: Signer
    wilayah: str = ""  # "Kabupaten Magetan", "Kota Semarang": [workspace] kode_wilayah's name
    produk: str = "Satu Data"  # "Satu Data Magetan": the product's name in headings
    tempat: str = ""  # where documents are signed: "Magetan", "Semarang"

    @property
    def licence_title(self) -> str:
        return LICENCES[self.lisensi][0]

    @property
    def licence_url(self) -> str:
        return LICENCES[self.lisensi][1]


def _signer(raw: object, where: str) -> Signer:
    if raw is None:
        return Signer()
    if not isinstance(raw, dict) or set(raw) - {"nama", "nip"} or not all(isinstance(v, str) for v in raw.values()):
        raise ConfigError(f"{where} harus berupa tabel {{ nama = \"…\", nip = \"…\" }} (sekarang: {raw!r})")
    return Signer(raw.get("nama", "").strip(), raw.get("nip", "").strip())


def load_settings(config: Config, wilayah: Wilayah | None = None) -> Settings:
    """Read and check [publikasi]; every key is optional. ``wilayah``: the workspace's, when the
    caller holds it already (the poller, each cycle), else loaded."""
    raw = config.publikasi
    for key in ("otomatis", "terbuka"):
        if key in raw and not isinstance(raw[key], bool):
            raise ConfigError(f"publikasi.{key} harus true atau false (sekarang: {raw[key]!r})")
    for key in ("folder", "url_dasar", "lisensi", "penerbit"):
        if key in raw and not (isinstance(raw[key], str) and raw[key].strip()):
            raise ConfigError(f"publikasi.{key} harus berupa teks (sekarang: {raw[key]!r})")
    prioritas = raw.get("prioritas", [])
    if not (isinstance(prioritas, list) and all(isinstance(k, str) and k.strip() for k in prioritas)):
        raise ConfigError(f"publikasi.prioritas harus berupa daftar Kode Data atau nama item, mis. "
                          f"[\"DEMO-DINKES-007\"] (sekarang: {prioritas!r})")
    lisensi = raw.get("lisensi", "CC-BY-4.0")
    if lisensi not in LICENCES:
        raise ConfigError(f"publikasi.lisensi '{lisensi}' tidak dikenal; pilih {', '.join(LICENCES)}")
    url = raw.get("url_dasar") or f"http://{config.dashboard_host}:{config.dashboard_port}/"
    if not url.startswith(("http://", "https://")):
        raise ConfigError(f"publikasi.url_dasar harus diawali http:// atau https:// (sekarang: {url!r})")
    folder = Path(raw.get("folder", "publikasi")).expanduser()
    wilayah = wilayah or load_wilayah(config)
    return Settings(otomatis=raw.get("otomatis", True), terbuka=raw.get("terbuka", False),
                    folder=folder if folder.is_absolute() else config.root / folder,
                    url_dasar=url.rstrip("/") + "/", lisensi=lisensi,
                    penerbit=raw.get("penerbit", f"{WALIDATA_OFFICE} {wilayah.nama}").strip(),
                    walidata=_signer(raw.get("walidata"), "publikasi.walidata"),
                    wilayah=wilayah.nama, produk=wilayah.produk, tempat=wilayah.tempat)


def kepala_opd(config: Config, kode: str) -> Signer:
    """[[opd]] kepala = { nama, nip } of one OPD; empty when not given.

    Read from the Opd when the config carries it, else from the file itself, so the
    signature block works before and after the config learns the key."""
    for opd in config.opds:
        kepala = getattr(opd, "kepala", None) if opd.kode == kode else None
        if isinstance(kepala, (tuple, list)) and kepala:  # the config's (nama, nip)
            return Signer(str(kepala[0]).strip(), str(kepala[1]).strip() if len(kepala) > 1 and kepala[1] else "")
        if isinstance(kepala, dict):
            return _signer(kepala, f"[[opd]] {kode}.kepala")
    try:
        data = tomllib.loads(config.path.read_text(encoding="utf-8-sig"))
    except (OSError, tomllib.TOMLDecodeError):
        return Signer()
    for item in data.get("opd", []) if isinstance(data.get("opd"), list) else []:
        if isinstance(item, dict) and item.get("kode") == kode:
            return _signer(item.get("kepala"), f"[[opd]] {kode}.kepala")
    return Signer()
