"""``[workspace] kode_wilayah``: the kabupaten/kota a workspace serves, and its places from the
Kemendagri code list in force (the workspace's imported list, else the national table)."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rules.wilayah import DEMO_KODE, Wilayah, list_version
from service.config.model import ConfigError
from service.config.read import value

if TYPE_CHECKING:
    from service.config.model import Config

REFERENSI_FOLDER = "referensi"  # in the workspace: the code list `satudata referensi impor` loaded
_KODE = re.compile(r"^\d{2}\.\d{2}$")


def kode_wilayah(workspace: dict) -> str:
    """The kabupaten/kota code as written, checked for its shape ("35.20"); absent: the demo's."""
    kode = str(value(workspace, "kode_wilayah", str, "workspace", DEMO_KODE)).strip()
    if not _KODE.match(kode):
        raise ConfigError(f"workspace.kode_wilayah harus kode Kemendagri kabupaten/kota seperti \"35.20\" "
                          f"(sekarang: {kode!r})")
    return kode


def load_wilayah(config: Config) -> Wilayah:
    """The workspace's places; an unknown code is named with the list it was looked up in."""
    folder = config.root / REFERENSI_FOLDER
    try:
        return Wilayah.load(config.kode_wilayah, folder)
    except KeyError:
        raise ConfigError(f"workspace.kode_wilayah {config.kode_wilayah} tidak ada dalam daftar kode wilayah "
                          f"{list_version(folder)}") from None
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Daftar kode wilayah di {folder} tidak dapat dibaca ({type(exc).__name__}); "
                          "muat ulang dengan 'satudata referensi impor'") from None
