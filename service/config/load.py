"""Finding and reading the workspace file: the sections in order, then what crosses them."""
from __future__ import annotations

import os
import tomllib
from pathlib import Path

from service.config import kalender, opd, pengaduan, sections
from service.config.model import CONFIG_NAME, Config, ConfigError
from service.config.read import no_unknown_keys

TOP_LEVEL = {*sections.KNOWN_KEYS, "opd", "kalender"}


def find_config(explicit: str | os.PathLike | None = None) -> Path:
    if explicit:
        return Path(explicit)
    if os.environ.get("SATUDATA_CONFIG"):
        return Path(os.environ["SATUDATA_CONFIG"])
    return Path.cwd() / CONFIG_NAME


def load_config(path: str | os.PathLike | None = None) -> Config:
    path = find_config(path).resolve()
    if not path.is_file():
        raise ConfigError(f"Berkas konfigurasi {path} tidak ditemukan. Buat ruang kerja dengan "
                          "'satudata init FOLDER' atau tunjuk berkasnya dengan -c / SATUDATA_CONFIG.")
    from rules.parse_errors import toml_error
    try:  # utf-8-sig: Notepad saves "UTF-8 with BOM" by default
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path.name} tidak sah: {toml_error(exc)}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path.name} bukan teks UTF-8; simpan ulang berkas itu sebagai UTF-8 "
                          "(Notepad: Simpan Sebagai, Pengodean UTF-8)") from None
    no_unknown_keys(data, TOP_LEVEL, "satudata.toml")
    for name in sections.KNOWN_KEYS:  # a misspelt key anywhere is named before any value is judged
        if isinstance(data.get(name), dict):
            sections.section(data, name)
    root = path.parent
    fields = {**sections.workspace(data), **sections.sheets(data, root), **sections.archive(data, root),
              **sections.poller(data), **sections.walidata(data, root), **sections.rules(data, root),
              **sections.dashboard(data), **sections.publikasi(data), **pengaduan.pengaduan(data),
              **sections.backup(data, root), **sections.berita_acara(data), **sections.pejabat(data),
              **sections.google(data),
              "opds": opd.opds(data), "extra_holidays": kalender.holidays(data)}
    opd.google_has_spreadsheets(fields["backend"], fields["spreadsheet_id"], fields["opds"])
    return Config(path=path, **fields)
