"""What a workspace file (satudata.toml) says once read and checked: the Config and its OPDs."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

CONFIG_NAME = "satudata.toml"


class ConfigError(Exception):
    """A workspace file a Walidata must fix; the message is in Bahasa Indonesia."""


@dataclass(frozen=True)
class Person:
    """Someone the SOP names: e-mail (the sheet account), name, NIP and the SK appointing them."""

    email: str = ""
    nama: str = ""
    nip: str = ""
    sk_nomor: str = ""
    sk_tanggal: str = ""  # ISO date
    jabatan: str = ""
    instansi: str = ""

    @property
    def shown(self) -> str:
        """The name where known, else the e-mail."""
        return self.nama or self.email

    @property
    def has_sk(self) -> bool:
        return bool(self.sk_nomor and self.sk_tanggal)


@dataclass(frozen=True)
class Opd:
    kode: str
    nama: str
    operators: tuple[str, ...] = ()
    spreadsheet_id: str | None = None
    perpanjangan: tuple = ()  # rules.deadlines.Extension: deadline extensions granted this OPD
    kepala: tuple[str, str] | None = None  # (nama, nip) of the Ka. OPD who approves step 6
    petugas: tuple[Person, ...] = ()  # the operators with their papers ([[opd]] operators)
    bidang: tuple[tuple[str, str], ...] = ()  # [[opd]] bidang: (nama, email) of the person per division


@dataclass(frozen=True)
class Config:
    path: Path
    name: str
    year: int
    backend: str
    folder: Path
    spreadsheet_id: str | None
    credentials: Path | None
    archive_url: str
    interval_seconds: int
    walidata: tuple[str, ...]
    opds: tuple[Opd, ...]
    rules_folder: Path | None
    dashboard_users: dict[str, str] = field(default_factory=dict)
    dashboard_roles: dict[str, str] = field(default_factory=dict)  # user -> "walidata" or "pengawas"
    dashboard_host: str = "127.0.0.1"
    dashboard_port: int = 8050
    extra_holidays: dict = field(default_factory=dict)  # [kalender] libur_tambahan: date -> name
    # the Walidata's sheet-protection password, by reference only (see service/walidata_password.py)
    walidata_password_env: str | None = None
    walidata_password_file: Path | None = None
    # [walidata] nama: the Walidata as named in the audit (distribute) and as her spreadsheet program saves
    walidata_nama: str | None = None
    stale_lock_hours: int = 12  # [sheets] kunci_basi_jam: an older Excel/LibreOffice lock file is stale
    publikasi: dict = field(default_factory=dict)  # [publikasi], checked by service.publish.settings
    archive_schema: str | None = None  # [archive] skema: this workspace's own PostgreSQL schema
    zona_waktu: str = "Asia/Jakarta"  # [workspace] zona_waktu: the zone every time is shown and written in
    pengaduan: object = None  # [pengaduan]: service.config.pengaduan.PengaduanSettings
    google_quota: dict = field(default_factory=dict)  # [google] kuota_*: Quota field -> requests per minute
    walidata_orang: tuple[Person, ...] = ()  # [walidata] emails entries with their papers
    pembina: Person | None = None  # [pembina]: Pembina Data (BPS) at the joint check
    koordinator: Person | None = None  # [koordinator]: Koordinator Data (Bappeda)
    backup: dict = field(default_factory=dict)  # [backup] folder, simpan
    berita_acara: dict = field(default_factory=dict)  # [berita_acara] nomor
    kode_wilayah: str = "35.20"  # [workspace] kode_wilayah, the kabupaten/kota (service/config/wilayah.py)

    def person(self, email: str) -> Person | None:
        """The operator or Walidata with this e-mail, as the workspace file names them."""
        wanted = email.strip().casefold()
        for p in (*self.walidata_orang, *(q for o in self.opds for q in o.petugas)):
            if p.email and p.email.casefold() == wanted:
                return p
        return None

    @property
    def root(self) -> Path:
        return self.path.parent
