"""Row fingerprints kept between cycles, by the backend's row content key (DECISIONS.md #160).

A cycle fingerprints every row of a changed tab to find the rows nobody touched. Where the
backend keys each row by its content (the Excel backend's row cache), the fingerprints of the
last cycle are kept in a small file per tab in the workspace's cache folder, so the next cycle
fingerprints only the rows whose content changed. The memo is content-addressed: a missing,
stale or damaged file only costs the fingerprints again, it can never make a row look unchanged.
"""
from __future__ import annotations

import logging
import marshal
import os
import secrets
from contextlib import suppress
from pathlib import Path

log = logging.getLogger(__name__)

FORMAT = "satudata-sidik-1"


class FingerprintMemo:
    """One file per tab (``<KODE>.sidik``) in ``folder``; ``folder=None`` keeps nothing."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder

    def _path(self, opd: str) -> Path | None:
        return None if self.folder is None else self.folder / f"{opd}.sidik"

    def load(self, opd: str) -> dict[bytes, str] | None:
        path = self._path(opd)
        if path is None:
            return None
        try:
            found = marshal.loads(path.read_bytes())
        except (OSError, EOFError, ValueError, TypeError):
            return None
        if not (isinstance(found, tuple) and len(found) == 2 and found[0] == FORMAT and isinstance(found[1], dict)):
            return None
        entries = found[1]
        if not all(k.__class__ is bytes and v.__class__ is str for k, v in entries.items()):
            return None
        return entries

    def save(self, opd: str, entries: dict[bytes, str]) -> None:
        """Written whole and atomically; a failure is logged and costs only the next cycle's fingerprints."""
        path = self._path(opd)
        if path is None or not entries:
            return
        temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temp.write_bytes(marshal.dumps((FORMAT, entries)))
            os.replace(temp, path)
        except OSError as exc:
            log.info("memo sidik %s tidak tersimpan: %s", path, exc)
            with suppress(OSError):
                temp.unlink()
