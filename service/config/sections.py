"""One reader per section of satudata.toml, each returning the Config fields it fills."""
from __future__ import annotations

import re

from pathlib import Path
from typing import Any

from rules.fields import FIRST_YEAR, LAST_YEAR
from service.config.model import ConfigError
from service.config.people import PERSON_KEYS, named, people
from service.config.read import bounded, no_unknown_keys, resolve, spreadsheet_key, value

ROLES = ("walidata", "pengawas")  # [dashboard] users' roles: everything, or the supervisor's page
INTERVAL_MAX = 86_400  # one day: longer intervals overflow the scheduler and make no sense for a poller

KNOWN_KEYS = {
    "workspace": {"name", "year", "zona_waktu", "kode_wilayah"},
    "sheets": {"backend", "folder", "spreadsheet_id", "credentials", "kunci_basi_jam"},
    "archive": {"url", "skema"},
    "poller": {"interval_seconds"},
    "walidata": {"emails", "nama", "kata_sandi_env", "kata_sandi_file"},
    "rules": {"folder"},
    "dashboard": {"host", "port", "users"},
    "publikasi": {"otomatis", "terbuka", "folder", "url_dasar", "lisensi", "penerbit", "walidata", "prioritas",
                  "ckan"},
    "pengaduan": {"tenggat_hari_kerja", "petugas", "batas_per_jam"},
    "backup": {"folder", "simpan"},
    "berita_acara": {"nomor"},
    "pembina": PERSON_KEYS,
    "koordinator": PERSON_KEYS,
    "google": {"kuota_baca_per_menit", "kuota_tulis_per_menit", "kuota_baca_proyek_per_menit",
               "kuota_tulis_proyek_per_menit", "kuota_drive_per_menit"},
}
# [google] kuota_* -> sheets.google.budget.Quota fields, with Google's documented defaults
GOOGLE_QUOTA = {"kuota_baca_per_menit": ("read", 60), "kuota_tulis_per_menit": ("write", 60),
                "kuota_baca_proyek_per_menit": ("read_project", 300),
                "kuota_tulis_proyek_per_menit": ("write_project", 300),
                "kuota_drive_per_menit": ("drive", 12_000)}
Fields = dict[str, Any]


def section(data: dict, name: str, required: bool = False) -> dict:
    """The ``[name]`` table, its keys checked against the known ones; empty when optional and absent."""
    table = value(data, name, dict, "satudata.toml", ... if required else {})
    if name in KNOWN_KEYS:
        no_unknown_keys(table, KNOWN_KEYS[name], name)
    return table


def workspace(data: dict) -> Fields:
    ws = section(data, "workspace", required=True)
    year = value(ws, "year", int, "workspace")
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ConfigError(f"workspace.year harus tahun antara {FIRST_YEAR} dan {LAST_YEAR} (sekarang: {year})")
    from service.config.wilayah import kode_wilayah
    return {"name": value(ws, "name", str, "workspace", "Pengumpulan Data"), "year": year,
            "zona_waktu": _zone(value(ws, "zona_waktu", str, "workspace", "Asia/Jakarta").strip()),
            "kode_wilayah": kode_wilayah(ws)}


def _zone(name: str) -> str:
    """An IANA time zone name the system knows (Asia/Jakarta WIB, Asia/Makassar WITA, Asia/Jayapura WIT)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"workspace.zona_waktu '{name}' bukan nama zona waktu yang dikenal; tulis mis. "
                          "\"Asia/Jakarta\" (WIB), \"Asia/Makassar\" (WITA) atau \"Asia/Jayapura\" (WIT)") from None
    return name


def sheets(data: dict, root: Path) -> Fields:
    table = section(data, "sheets", required=True)
    backend = value(table, "backend", str, "sheets", "xlsx")
    if backend not in ("xlsx", "google"):
        raise ConfigError(f"sheets.backend harus 'xlsx' atau 'google' (sekarang: {backend!r})")
    spreadsheet_id = spreadsheet_key(value(table, "spreadsheet_id", str, "sheets", ""), "sheets.spreadsheet_id")
    credentials = value(table, "credentials", str, "sheets", None)
    folder = resolve(root, value(table, "folder", str, "sheets", "sheets"))
    if backend == "xlsx" and folder.exists() and not folder.is_dir():
        raise ConfigError(f"sheets.folder '{folder}' adalah berkas, bukan folder")
    return {"backend": backend, "folder": folder, "spreadsheet_id": spreadsheet_id,
            "credentials": resolve(root, credentials) if credentials else None,
            "stale_lock_hours": bounded(table, "kunci_basi_jam", "sheets", 12, 1, 24 * 30, " jam")}


# a URL without a driver gets the one the product installs (SQLAlchemy's default would be missing)
_DRIVERS = {"postgres": "postgresql+psycopg", "postgresql": "postgresql+psycopg", "mysql": "mysql+pymysql",
            "mariadb": "mariadb+pymysql"}
_KNOWN_SCHEMES = {"sqlite", "postgresql+psycopg", "mysql+pymysql", "mariadb+pymysql"}
_EXAMPLES = "sqlite:///arsip.sqlite, postgresql+psycopg://pengguna@host/nama_basis_data atau mysql+pymysql://..."


def archive(data: dict, root: Path) -> Fields:
    """sqlite:///relative.db resolves against the workspace folder."""
    url = value(section(data, "archive"), "url", str, "archive", "sqlite:///arsip.sqlite").strip()
    if not url:
        raise ConfigError(f"archive.url kosong; tulis alamat arsip, mis. {_EXAMPLES}")
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise ConfigError(f"archive.url '{url}' bukan alamat basis data; tulis mis. {_EXAMPLES}")
    scheme = _DRIVERS.get(scheme.lower(), scheme.lower())
    if scheme not in _KNOWN_SCHEMES:
        raise ConfigError(f"archive.url: jenis basis data '{url.partition('://')[0]}' tidak dikenal; pakai {_EXAMPLES}")
    url = f"{scheme}://{rest}"
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith("sqlite:////") and url != "sqlite:///:memory:":
        url = prefix + str(resolve(root, url[len(prefix):]))
    schema = value(section(data, "archive"), "skema", str, "archive", None)
    if schema is not None:
        if not SCHEMA_NAME.fullmatch(schema):
            raise ConfigError(f"archive.skema '{schema}' tidak sah: pakai huruf kecil, angka dan '_', diawali huruf "
                              "(misalnya \"kab_3520\"), paling panjang 63 karakter")
        if schema.startswith("pg_") or schema == "information_schema":
            raise ConfigError(f"archive.skema '{schema}' adalah skema sistem PostgreSQL (pg_…, information_schema): "
                              "arsip di sana tidak ikut pg_dump dan dapat ditolak server; pakai nama sendiri, "
                              "misalnya \"kab_3520\"")
        if not url.startswith("postgresql"):
            raise ConfigError("archive.skema hanya untuk arsip PostgreSQL; SQLite dan MariaDB memakai berkas atau "
                              "basis data sendiri untuk setiap kabupaten (ubah archive.url)")
    return {"archive_url": url, "archive_schema": schema}


SCHEMA_NAME = re.compile(r"[a-z][a-z0-9_]{0,62}")


def poller(data: dict) -> Fields:
    return {"interval_seconds": bounded(section(data, "poller"), "interval_seconds", "poller", 60, 5, INTERVAL_MAX,
                                        " detik")}


def walidata(data: dict, root: Path) -> Fields:
    table = section(data, "walidata")
    orang = people(value(table, "emails", list, "walidata", []), "walidata.emails")
    password_file = value(table, "kata_sandi_file", str, "walidata", None)
    return {"walidata": tuple(p.email for p in orang if p.email), "walidata_orang": orang,
            "walidata_password_env": value(table, "kata_sandi_env", str, "walidata", None),
            "walidata_password_file": resolve(root, password_file) if password_file else None,
            "walidata_nama": (value(table, "nama", str, "walidata", "") or "").strip() or None}


def rules(data: dict, root: Path) -> Fields:
    """``[rules] folder``, else a ``rules`` folder beside the workspace file when there is one."""
    table = section(data, "rules")
    folder = value(table, "folder", str, "rules", None) if table else None
    if folder is None and (root / "rules").is_dir():
        folder = "rules"
    return {"rules_folder": resolve(root, folder) if folder else None}


def password_hash_ok(hashed: object) -> bool:
    """Whether werkzeug can check a password against ``hashed`` ("method$salt$hex"): scrypt:n:r:p
    with n a power of two, or pbkdf2:<hashlib name>[:iterations]. Checked at start, so a pasted
    or mistyped hash is a config error, not a 500 at that user's login."""
    import hashlib
    import re

    if not isinstance(hashed, str) or hashed.count("$") != 2:
        return False
    method, salt, digest = hashed.split("$")
    if not salt or not re.fullmatch(r"[0-9a-f]+", digest):
        return False
    kind, *args = method.split(":")
    if kind == "scrypt" and len(args) == 3 and all(a.isdigit() for a in args):
        n, r, p = map(int, args)
        return 2 <= n <= 2 ** 20 and n & (n - 1) == 0 and 1 <= r <= 64 and 1 <= p <= 16
    if kind == "pbkdf2" and len(args) in (1, 2):
        return args[0] in hashlib.algorithms_guaranteed and (len(args) == 1 or (args[1].isdigit() and int(args[1]) > 0))
    return False


def dashboard(data: dict) -> Fields:
    table = section(data, "dashboard")
    users = value(table, "users", dict, "dashboard", {})
    roles: dict[str, str] = {}
    hashes: dict[str, str] = {}
    for user, entry in users.items():
        hashed, role = entry, "walidata"
        if isinstance(entry, dict):  # { hash = "…", peran = "pengawas" }: a supervisor sees /pengawasan only
            no_unknown_keys(entry, {"hash", "peran"}, f"dashboard.users.{user}")
            hashed, role = entry.get("hash"), entry.get("peran", "walidata")
            if role not in ROLES:
                raise ConfigError(f"dashboard.users.{user}.peran '{role}' tidak dikenal; pilih {', '.join(ROLES)}")
        if not password_hash_ok(hashed):
            raise ConfigError(f"dashboard.users.{user} bukan hash kata sandi yang sah (kata sandi biasa, atau hash yang "
                              "terpotong saat disalin): "
                              "buat dengan 'satudata hash-password' lalu tempel hasilnya")
        hashes[str(user)], roles[str(user)] = hashed, role
    return {"dashboard_users": hashes, "dashboard_roles": roles,
            "dashboard_host": value(table, "host", str, "dashboard", "127.0.0.1"),
            "dashboard_port": bounded(table, "port", "dashboard", 8050, 0, 65535)}


def publikasi(data: dict) -> Fields:
    """Only the keys are checked here; the values by service.publish.settings, which knows them."""
    return {"publikasi": dict(section(data, "publikasi"))}


def backup(data: dict, root: Path) -> Fields:
    """``[backup] folder`` (bawaan: cadangan/ di ruang kerja) and ``simpan``: how many backups are kept."""
    table = section(data, "backup")
    folder = value(table, "folder", str, "backup", "cadangan")
    return {"backup": {"folder": resolve(root, folder), "simpan": bounded(table, "simpan", "backup", 30, 1, 10_000)}}


def berita_acara(data: dict) -> Fields:
    """``[berita_acara] nomor``: the numbering pattern, with {urut} and {tahun} (and optional {opd})."""
    table = section(data, "berita_acara")
    nomor = value(table, "nomor", str, "berita_acara", "000.5.2/{urut}/{tahun}")
    if "{urut}" not in nomor:
        raise ConfigError(f"berita_acara.nomor harus memuat {{urut}} (nomor urut), mis. "
                          f"\"000.5.2/{{urut}}/{{tahun}}\" (sekarang: {nomor!r})")
    unknown = set(re.findall(r"{([^}]*)}", nomor)) - {"urut", "tahun", "opd"}
    if unknown:
        raise ConfigError(f"berita_acara.nomor memuat {{{sorted(unknown)[0]}}} yang tidak dikenal; "
                          "yang dikenal: {urut}, {tahun}, {opd}")
    return {"berita_acara": {"nomor": nomor}}


def pejabat(data: dict) -> Fields:
    """``[pembina]`` (Pembina Data, BPS) and ``[koordinator]`` (Koordinator Data, Bappeda)."""
    for name in ("pembina", "koordinator"):
        section(data, name)
    return {"pembina": named(data, "pembina"), "koordinator": named(data, "koordinator")}


def google(data: dict) -> Fields:
    """``[google] kuota_*``: only the keys given; the rest keep Google's documented defaults."""
    table = section(data, "google")
    return {"google_quota": {name: bounded(table, key, "google", default, 1, 10_000_000, " permintaan per menit")
                             for key, (name, default) in GOOGLE_QUOTA.items() if key in table}}
