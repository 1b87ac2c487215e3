"""The workspace file (satudata.toml): read, checked, every bad value named in Bahasa Indonesia."""
from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

CONFIG_NAME = "satudata.toml"
KODE_MAX = 31  # an Excel sheet name holds at most 31 characters; the tab is named by the code
KODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]*$")
SHEET_URL_RE = re.compile(r"/spreadsheets/(?:u/\d+/)?d/([A-Za-z0-9_-]+)")
SHEET_ID_RE = re.compile(r"^[A-Za-z0-9_-]+$")
INTERVAL_MAX = 86_400  # one day: longer intervals overflow the scheduler and make no sense for a poller


class ConfigError(Exception):
    """A workspace file a Walidata must fix; the message is in Bahasa Indonesia."""


@dataclass(frozen=True)
class Opd:
    kode: str
    nama: str
    operators: tuple[str, ...] = ()
    spreadsheet_id: str | None = None
    perpanjangan: tuple = ()  # rules.deadlines.Extension: deadline extensions granted this OPD
    kepala: tuple[str, str] | None = None  # (nama, nip) of the Ka. OPD who approves step 6


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
    dashboard_host: str = "127.0.0.1"
    dashboard_port: int = 8050
    extra_holidays: dict = field(default_factory=dict)  # [kalender] libur_tambahan: date -> name
    # the Walidata's sheet-protection password, by reference only (see service/walidata_password.py)
    walidata_password_env: str | None = None
    walidata_password_file: Path | None = None
    stale_lock_hours: int = 12  # [sheets] kunci_basi_jam: an older Excel/LibreOffice lock file is stale
    publikasi: dict = field(default_factory=dict)  # [publikasi], checked by service.publish.settings
    google_quota: dict = field(default_factory=dict)  # [google] kuota_*: Quota field -> requests per minute

    @property
    def root(self) -> Path:
        return self.path.parent


def find_config(explicit: str | os.PathLike | None = None) -> Path:
    if explicit:
        return Path(explicit)
    if os.environ.get("SATUDATA_CONFIG"):
        return Path(os.environ["SATUDATA_CONFIG"])
    return Path.cwd() / CONFIG_NAME


KNOWN_KEYS = {
    "satudata.toml": {"workspace", "sheets", "archive", "poller", "walidata", "rules", "dashboard", "opd", "kalender",
                      "publikasi", "google"},
    "workspace": {"name", "year"},
    "sheets": {"backend", "folder", "spreadsheet_id", "credentials", "kunci_basi_jam"},
    "archive": {"url"},
    "poller": {"interval_seconds"},
    "walidata": {"emails", "kata_sandi_env", "kata_sandi_file"},
    "rules": {"folder"},
    "dashboard": {"host", "port", "users"},
    "publikasi": {"otomatis", "terbuka", "folder", "url_dasar", "lisensi", "penerbit", "walidata"},
    "[[opd]]": {"kode", "nama", "operators", "spreadsheet_id", "perpanjangan", "kepala"},
    "google": {"kuota_baca_per_menit", "kuota_tulis_per_menit", "kuota_baca_proyek_per_menit",
               "kuota_tulis_proyek_per_menit", "kuota_drive_per_menit"},
}
# [google] kuota_* -> sheets.google.budget.Quota fields, with Google's documented defaults
GOOGLE_QUOTA = {"kuota_baca_per_menit": ("read", 60), "kuota_tulis_per_menit": ("write", 60),
                "kuota_baca_proyek_per_menit": ("read_project", 300),
                "kuota_tulis_proyek_per_menit": ("write_project", 300),
                "kuota_drive_per_menit": ("drive", 12_000)}


def _no_unknown_keys(table: dict, where: str) -> None:
    """A misspelt key would silently fall back to a default: name it instead."""
    for key in table:
        if key not in KNOWN_KEYS[where]:
            known = ", ".join(sorted(KNOWN_KEYS[where]))
            raise ConfigError(f"Kunci '{key}' di {where} tidak dikenal (salah ketik?). Kunci yang dikenal: {known}")


def _get(table: dict, key: str, kind: type | tuple, where: str, default=...):
    if key not in table:
        if default is ...:
            raise ConfigError(f"{where}.{key} wajib diisi")
        return default
    value = table[key]
    if kind is int and isinstance(value, bool) or not isinstance(value, kind):
        names = {str: "teks", int: "bilangan bulat", list: "daftar", dict: "tabel"}
        want = names.get(kind, "nilai yang sah") if isinstance(kind, type) else "nilai yang sah"
        raise ConfigError(f"{where}.{key} harus berupa {want} (sekarang: {value!r})")
    return value


def _bounded(table: dict, key: str, where: str, default: int, low: int, high: int, unit: str = "") -> int:
    """An integer setting within the range it is used in, named when outside it."""
    value = _get(table, key, int, where, default)
    if not low <= value <= high:
        raise ConfigError(f"{where}.{key} harus antara {low} dan {high}{unit} (sekarang: {value})")
    return value


def spreadsheet_key(value: str, where: str) -> str | None:
    """The spreadsheet ID in an ID or a full URL (https://docs.google.com/spreadsheets/d/<ID>/edit#gid=0);
    None for an empty value (a placeholder not filled yet)."""
    text = value.strip()
    if not text:
        return None
    found = SHEET_URL_RE.search(text)
    if found:
        return found.group(1)
    if SHEET_ID_RE.match(text):
        return text
    raise ConfigError(f"{where} '{text}' bukan ID atau URL spreadsheet Google (salin URL dari bilah alamat, "
                      "mis. https://docs.google.com/spreadsheets/d/<ID>/edit)")


def _resolve(root: Path, value: str) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else root / path


def _sqlite_url(root: Path, url: str) -> str:
    """sqlite:///relative.db resolves against the workspace folder."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith("sqlite:////") and url != "sqlite:///:memory:":
        return prefix + str(_resolve(root, url[len(prefix):]))
    return url


def load_config(path: str | os.PathLike | None = None) -> Config:
    from service import config_kalender
    path = find_config(path).resolve()
    if not path.is_file():
        raise ConfigError(f"Berkas konfigurasi {path} tidak ditemukan. Buat ruang kerja dengan "
                          "'satudata init FOLDER' atau tunjuk berkasnya dengan -c / SATUDATA_CONFIG.")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path.name} tidak sah: {exc}") from None
    root = path.parent
    _no_unknown_keys(data, "satudata.toml")
    for section in ("workspace", "sheets", "archive", "poller", "walidata", "rules", "dashboard", "publikasi",
                    "google"):
        if isinstance(data.get(section), dict):
            _no_unknown_keys(data[section], section)
    for item in data.get("opd", []) if isinstance(data.get("opd"), list) else []:
        if isinstance(item, dict):
            _no_unknown_keys(item, "[[opd]]")
    ws = _get(data, "workspace", dict, "satudata.toml")
    sheets = _get(data, "sheets", dict, "satudata.toml")
    archive = _get(data, "archive", dict, "satudata.toml", {})
    poller = _get(data, "poller", dict, "satudata.toml", {})
    walidata = _get(data, "walidata", dict, "satudata.toml", {})
    dashboard = _get(data, "dashboard", dict, "satudata.toml", {})
    year = _get(ws, "year", int, "workspace")
    if not 2000 <= year <= 2100:
        raise ConfigError(f"workspace.year harus tahun antara 2000 dan 2100 (sekarang: {year})")
    backend = _get(sheets, "backend", str, "sheets", "xlsx")
    if backend not in ("xlsx", "google"):
        raise ConfigError(f"sheets.backend harus 'xlsx' atau 'google' (sekarang: {backend!r})")
    spreadsheet_id = spreadsheet_key(_get(sheets, "spreadsheet_id", str, "sheets", ""), "sheets.spreadsheet_id")
    credentials = _get(sheets, "credentials", str, "sheets", None)
    interval = _bounded(poller, "interval_seconds", "poller", 60, 5, INTERVAL_MAX, " detik")
    opds = _opds(_get(data, "opd", list, "satudata.toml", []))
    if backend == "google" and not spreadsheet_id and not (opds and all(o.spreadsheet_id for o in opds)):
        missing = [o.kode for o in opds if not o.spreadsheet_id]
        without = ", ".join(missing[:8]) + (f" dan {len(missing) - 8} OPD lain" if len(missing) > 8 else "")
        raise ConfigError("sheets.spreadsheet_id wajib diisi untuk backend google "
                          "(atau spreadsheet_id pada setiap [[opd]])" + (f"; belum ada untuk: {without}" if opds else ""))
    rules = _get(data, "rules", dict, "satudata.toml", {})
    rules_folder = _get(rules, "folder", str, "rules", None) if rules else None
    if rules_folder is None and (root / "rules").is_dir():
        rules_folder = "rules"
    users = _get(dashboard, "users", dict, "dashboard", {})
    for user, hashed in users.items():
        if not (isinstance(hashed, str) and ":" in hashed.split("$", 1)[0] and hashed.count("$") >= 2):
            raise ConfigError(f"dashboard.users.{user} harus berupa hash kata sandi, bukan kata sandi biasa: "
                              "buat dengan 'satudata hash-password' lalu tempel hasilnya")
    emails = _get(walidata, "emails", list, "walidata", [])
    folder = _resolve(root, _get(sheets, "folder", str, "sheets", "sheets"))
    if backend == "xlsx" and folder.exists() and not folder.is_dir():
        raise ConfigError(f"sheets.folder '{folder}' adalah berkas, bukan folder")
    return Config(
        path=path, name=_get(ws, "name", str, "workspace", "Pengumpulan Data"), year=year,
        backend=backend, folder=folder,
        spreadsheet_id=spreadsheet_id, credentials=_resolve(root, credentials) if credentials else None,
        archive_url=_sqlite_url(root, _get(archive, "url", str, "archive", "sqlite:///arsip.sqlite")),
        interval_seconds=interval, walidata=tuple(str(e) for e in emails), opds=opds,
        rules_folder=_resolve(root, rules_folder) if rules_folder else None,
        dashboard_users={str(k): str(v) for k, v in users.items()},
        dashboard_host=_get(dashboard, "host", str, "dashboard", "127.0.0.1"),
        dashboard_port=_bounded(dashboard, "port", "dashboard", 8050, 0, 65535),
        stale_lock_hours=_bounded(sheets, "kunci_basi_jam", "sheets", 12, 1, 24 * 30, " jam"),
        extra_holidays=config_kalender.holidays(data),
        walidata_password_env=_get(walidata, "kata_sandi_env", str, "walidata", None),
        walidata_password_file=(_resolve(root, p) if (p := _get(walidata, "kata_sandi_file", str, "walidata", None))
                                else None),
        publikasi=dict(_get(data, "publikasi", dict, "satudata.toml", {})),
        google_quota=_google_quota(_get(data, "google", dict, "satudata.toml", {})),
    )


def _google_quota(google: dict) -> dict:
    """Only the kuota_* keys given; the rest keep Google's documented defaults."""
    return {name: _bounded(google, key, "google", default, 1, 10_000_000, " permintaan per menit")
            for key, (name, default) in GOOGLE_QUOTA.items() if key in google}


def _opds(raw: list) -> tuple[Opd, ...]:
    from service import config_kalender
    out: list[Opd] = []
    seen: set[str] = set()
    for i, item in enumerate(raw, 1):
        where = f"[[opd]] ke-{i}"
        if not isinstance(item, dict):
            raise ConfigError(f"{where} harus berupa tabel")
        kode = _get(item, "kode", str, where).strip()
        if not KODE_RE.match(kode):
            raise ConfigError(f"{where}.kode '{kode}' tidak sah: gunakan huruf besar, angka dan '-' (mis. DINKES)")
        if len(kode) > KODE_MAX:
            raise ConfigError(f"{where}.kode '{kode}' terlalu panjang ({len(kode)} karakter): paling banyak "
                              f"{KODE_MAX}, karena nama tab Excel dibatasi {KODE_MAX} karakter")
        if kode in seen:
            raise ConfigError(f"{where}.kode '{kode}' ganda")
        seen.add(kode)
        operators = _get(item, "operators", list, where, [])
        out.append(Opd(kode, _get(item, "nama", str, where, kode), tuple(map(str, operators)),
                       spreadsheet_key(_get(item, "spreadsheet_id", str, where, ""), f"{where}.spreadsheet_id"),
                       config_kalender.extensions(item, where),
                       _kepala(item, where)))
    return tuple(out)


def _kepala(item: dict, where: str) -> tuple[str, str] | None:
    """``kepala = { nama = "…", nip = "…" }``: who approves step 6, printed on a Berita Acara."""
    table = _get(item, "kepala", dict, where, None)
    if table is None:
        return None
    for key in table:
        if key not in ("nama", "nip"):
            raise ConfigError(f"Kunci '{key}' di {where}.kepala tidak dikenal; yang dikenal: nama, nip")
    nama = _get(table, "nama", str, f"{where}.kepala").strip()
    nip = _get(table, "nip", str, f"{where}.kepala", "").replace(" ", "")
    if not nama:
        raise ConfigError(f"{where}.kepala.nama wajib diisi (nama Kepala OPD)")
    if nip and not (nip.isdigit() and len(nip) == 18):
        raise ConfigError(f"{where}.kepala.nip '{nip}' tidak sah: NIP terdiri dari 18 angka")
    return nama, nip
