"""The Walidata's sheet-protection password, resolved from the reference the workspace file holds
(``[walidata] kata_sandi_env`` or ``kata_sandi_file``); the password itself never sits in it."""
from __future__ import annotations

import os

from service.config import Config, ConfigError


def walidata_password(config: Config) -> str | None:
    """The password, or None when the workspace asks for no sheet protection."""
    if config.walidata_password_env:
        value = os.environ.get(config.walidata_password_env, "")
        if not value.strip():
            raise ConfigError(f"walidata.kata_sandi_env menunjuk variabel lingkungan {config.walidata_password_env} "
                              "yang kosong atau tidak ada: isi variabel itu dengan kata sandi proteksi lembar")
        return value.strip("\r\n")
    if config.walidata_password_file:
        try:
            value = config.walidata_password_file.read_text(encoding="utf-8").strip("\r\n")
        except FileNotFoundError:
            raise ConfigError(f"walidata.kata_sandi_file ({config.walidata_password_file}) tidak ada: buat berkas "
                              "itu berisi kata sandi proteksi lembar, atau perbaiki jalurnya") from None
        except UnicodeDecodeError:
            raise ConfigError(f"walidata.kata_sandi_file ({config.walidata_password_file}) bukan teks UTF-8; "
                              "simpan ulang sebagai UTF-8") from None
        except OSError:
            raise ConfigError(f"walidata.kata_sandi_file ({config.walidata_password_file}) tidak dapat dibaca "
                              "(folder, atau tanpa izin baca)") from None
        if not value.strip():
            raise ConfigError(f"walidata.kata_sandi_file ({config.walidata_password_file}) kosong")
        return value
    return None
