"""Who touched a workbook, as far as the file says (issue 9.2): the saving user in
``docProps/core.xml`` (``cp:lastModifiedBy``, written by Excel and LibreOffice from the
application's user name, not a verified identity) and, while the workbook is open, the user in
its lock file (Excel's ``~$name.xlsx``, LibreOffice's ``.~lock.name.xlsx#``)."""
from __future__ import annotations

import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

_CORE = "docProps/core.xml"
_CP = "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}"
_MAX_NAME = 200


def _clean(name: str | None) -> str | None:
    name = "".join(ch for ch in (name or "") if ch.isprintable()).strip()
    return name[:_MAX_NAME] or None


def saved_by(archive: zipfile.ZipFile) -> str | None:
    """``cp:lastModifiedBy`` of an open .xlsx package, or None when absent or unreadable."""
    try:
        root = ET.fromstring(archive.read(_CORE))
    except (KeyError, ET.ParseError):
        return None
    node = root.find(f"{_CP}lastModifiedBy")
    return _clean(node.text if node is not None else None)


def lock_user(path: Path) -> str | None:
    """The user named in the workbook's lock file, when one exists (the workbook is open)."""
    path = Path(path)
    for lock, parse in ((path.parent / f".~lock.{path.name}#", _libreoffice), (path.parent / f"~${path.name}", _excel)):
        try:
            data = lock.read_bytes()[:4096]
        except OSError:
            continue
        return parse(data) or "(pengguna tidak tercatat di berkas kunci)"
    return None


def _libreoffice(data: bytes) -> str | None:
    """``Full Name,system user,host,date,profile;``: the full name if set, else the system user."""
    fields = data.decode("utf-8", "replace").split(",")
    return next((n for n in (_clean(f) for f in fields[:2]) if n), None)


def _excel(data: bytes) -> str | None:
    """Byte 0 holds the length of the ANSI user name that follows; from byte 0x36 (after a
    2-byte length) the same name in UTF-16, which is preferred when present."""
    if len(data) > 0x38:
        count = int.from_bytes(data[0x36:0x38], "little")
        wide = data[0x38:0x38 + 2 * count]
        if count and len(wide) == 2 * count:
            try:
                return _clean(wide.decode("utf-16-le"))
            except UnicodeDecodeError:
                pass
    if data:
        return _clean(data[1:1 + data[0]].decode("cp1252", "replace"))
    return None
