"""One reader per section of satudata.toml, each returning the Config fields it fills."""
from __future__ import annotations

import re

from pathlib import Path
from typing import Any

from service.config.model import ConfigError
from service.config.read import bounded, no_unknown_keys, resolve, spreadsheet_key, value

INTERVAL_MAX = 86_400  # one day: longer intervals overflow the scheduler and make no sense for a poller

KNOWN_KEYS = {
    "workspace": {"name", "year", "zona_waktu"},
    "sheets": {"backend", "folder", "spreadsheet_id", "credentials", "kunci_basi_jam"},
    "archive": {"url", "skema"},
    "poller": {"interval_seconds"},
    "walidata": {"emails", "nama", "kata_sandi_env", "kata_sandi_file"},
    "rules": {"folder"},
    "dashboard": {"host", "port", "users"},
    "publikasi": {"otomatis", "terbuka", "folder", "url_dasar", "lisensi", "penerbit", "walidata", "prioritas",
                  "ckan"},
    "pengaduan": {"tenggat_hari_kerja", "petugas", "batas_per_jam"},
}
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
    if not 2000 <= year <= 2100:
        raise ConfigError(f"workspace.year harus tahun antara 2000 dan 2100 (sekarang: {year})")
    return {"name": value(ws, "name", str, "workspace", "Pengumpulan Data"), "year": year,
            "zona_waktu": _zone(value(ws, "zona_waktu", str, "workspace", "Asia/Jakarta").strip())}


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


def archive(data: dict, root: Path) -> Fields:
    """sqlite:///relative.db resolves against the workspace folder."""
    url = value(section(data, "archive"), "url", str, "archive", "sqlite:///arsip.sqlite")
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith("sqlite:////") and url != "sqlite:///:memory:":
        url = prefix + str(resolve(root, url[len(prefix):]))
    schema = value(section(data, "archive"), "skema", str, "archive", None)
    if schema is not None:
        if not SCHEMA_NAME.fullmatch(schema):
            raise ConfigError(f"archive.skema '{schema}' tidak sah: pakai huruf kecil, angka dan '_', diawali huruf "
                              "(misalnya \"kab_3520\"), paling panjang 63 karakter")
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
    emails = value(table, "emails", list, "walidata", [])
    password_file = value(table, "kata_sandi_file", str, "walidata", None)
    return {"walidata": tuple(str(e) for e in emails),
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


def dashboard(data: dict) -> Fields:
    table = section(data, "dashboard")
    users = value(table, "users", dict, "dashboard", {})
    for user, hashed in users.items():
        if not (isinstance(hashed, str) and ":" in hashed.split("$", 1)[0] and hashed.count("$") >= 2):
            raise ConfigError(f"dashboard.users.{user} harus berupa hash kata sandi, bukan kata sandi biasa: "
                              "buat dengan 'satudata hash-password' lalu tempel hasilnya")
    return {"dashboard_users": {str(k): str(v) for k, v in users.items()},
            "dashboard_host": value(table, "host", str, "dashboard", "127.0.0.1"),
            "dashboard_port": bounded(table, "port", "dashboard", 8050, 0, 65535)}


def publikasi(data: dict) -> Fields:
    """Only the keys are checked here; the values by service.publish.settings, which knows them."""
    return {"publikasi": dict(section(data, "publikasi"))}
