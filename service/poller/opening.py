"""Opening what a workspace names: its spreadsheet backend and its archive. A missing key or an
unreachable database becomes a ConfigError in Bahasa Indonesia."""
from __future__ import annotations

import logging

from service.archive import dberrors
from service.archive.engine import SchemaOutdated, make_engine
from service.archive.masking import mask_secrets
from service.archive.store import Store
from service.config import Config, ConfigError
from sheets.base import Backend

log = logging.getLogger(__name__)


def open_backend(config: Config) -> Backend:
    if config.backend == "xlsx":
        from service.walidata_password import walidata_password
        from sheets.xlsx import XlsxBackend
        return XlsxBackend(config.folder, walidata_password(config))
    from sheets.base import BackendError
    from sheets.google import GoogleBackend
    try:
        return GoogleBackend.from_config(config)
    except BackendError as exc:  # credentials missing or unreadable: tell the Walidata what to do
        raise ConfigError(f"{exc}. Jalankan 'satudata doctor' untuk petunjuk.") from None


def open_store(config: Config, upgrade: bool | None = None) -> Store:
    """The workspace's archive; ``upgrade`` as make_engine (None: SQLite migrates itself)."""
    try:
        return Store(make_engine(config.archive_url, upgrade=upgrade, schema=config.archive_schema))
    except SchemaOutdated as exc:
        raise ConfigError(mask_secrets(f"Basis data arsip ({config.archive_url}): {exc}")) from None
    except Exception as exc:
        log.info(mask_secrets(f"arsip {config.archive_url} tidak dapat dibuka: {exc!r}", config.archive_url))
        why = dberrors.describe(exc) or dberrors.UNKNOWN
        raise ConfigError(mask_secrets(f"Basis data arsip ({config.archive_url}) tidak dapat dibuka: {why}",
                                       config.archive_url)) from None
