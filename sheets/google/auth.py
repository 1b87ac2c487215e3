"""The service account: where its key is, and turning the key into google-auth credentials,
with every way that can fail said in Bahasa Indonesia (the key itself never appears in a message)."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ..base import BackendError

SCOPES = ("https://www.googleapis.com/auth/spreadsheets",
          "https://www.googleapis.com/auth/drive.metadata.readonly")


class CredentialsError(BackendError):
    """The service-account key cannot be used; the message says what to fix (Bahasa Indonesia)."""


def credentials_path(config: Any) -> Path:
    path = getattr(config, "credentials", None) or os.environ.get("GOOGLE_APPLICATION_CREDENTIALS")
    if not path:
        raise CredentialsError("Kredensial akun layanan belum diatur: isi sheets.credentials di satudata.toml "
                               "dengan path berkas kunci JSON, atau setel GOOGLE_APPLICATION_CREDENTIALS")
    return Path(path).expanduser()


def load_service_account(path: Path) -> tuple[Any, str]:
    """(google-auth credentials, service-account e-mail) from a key file. The key is never logged
    and never appears in a message."""
    from google.oauth2 import service_account

    try:
        info = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CredentialsError(f"Berkas kunci akun layanan {path} tidak ditemukan") from None
    except (OSError, ValueError) as exc:
        raise CredentialsError(f"Berkas kunci akun layanan {path} tidak dapat dibaca sebagai JSON "
                               f"({type(exc).__name__})") from None
    if not isinstance(info, dict) or info.get("type") != "service_account":
        raise CredentialsError(f"{path} bukan kunci akun layanan (\"type\": \"service_account\"); buat kunci "
                               "JSON di Google Cloud Console > IAM & Admin > Service Accounts > Keys")
    try:
        credentials = service_account.Credentials.from_service_account_info(info, scopes=list(SCOPES))
    except (ValueError, KeyError) as exc:
        raise CredentialsError(f"Kunci akun layanan {path} rusak atau tidak lengkap ({type(exc).__name__})") from None
    return credentials, str(info.get("client_email", ""))


__all__ = ["CredentialsError", "credentials_path", "load_service_account", "SCOPES"]
