"""An audit event's cell values stored deflated against a fixed dictionary (DECISIONS.md #151).

The code reads and writes ``cell_values`` as the JSON text it always was (service/archive/compact.py);
the column holds that text's UTF-8 bytes, or ``\\x01`` and the text deflated (raw deflate, the
dictionary below) where that is shorter. JSON text never begins with ``\\x01``. The dictionary is
the row keys and the change-list form as the product writes them: it is part of the stored form
and never changes (a new one would take a new first byte).
"""
from __future__ import annotations

import zlib

from sqlalchemy import LargeBinary, TypeDecorator
from sqlalchemy.dialects import mysql

DEFLATED = b"\x01"
_BOXES = ("dicek_bersama", "disepakati_opd", "disepakati_walidata", "disetujui_ka_opd", "selesai_diisi",
          "terverifikasi")
_TEXTS = ("kode_data", "uraian_data", "rincian", "satuan", "tahun", "nilai", "keterangan", "konsep", "definisi",
          "klasifikasi", "ukuran", "frekuensi")
ZDICT = ('{"~":{' + ",".join(f'"{k}":[false,true]' for k in _BOXES) + ',"nilai":["",""],"catatan_walidata":["",""]}}'
         + "{" + ", ".join([*(f'"{k}": ""' for k in _TEXTS), *(f'"{k}": false' for k in _BOXES),
                            '"catatan_walidata": ""']) + "}").encode()
SMALL = 16  # shorter texts are kept as they are


def pack(text: str) -> bytes:
    raw = text.encode()
    if len(raw) <= SMALL:
        return raw
    squeeze = zlib.compressobj(9, zlib.DEFLATED, -15, 9, zlib.Z_DEFAULT_STRATEGY, ZDICT)
    packed = DEFLATED + squeeze.compress(raw) + squeeze.flush()
    return packed if len(packed) < len(raw) else raw


def unpack(stored: bytes | str) -> str:
    if isinstance(stored, str):  # text: an archive not yet migrated (before 0015)
        return stored
    stored = bytes(stored)
    if stored[:1] != DEFLATED:
        return stored.decode()
    wide = zlib.decompressobj(-15, ZDICT)
    return (wide.decompress(stored[1:]) + wide.flush()).decode()


Blob = LargeBinary().with_variant(mysql.LONGBLOB(), "mysql", "mariadb")


class Cells(TypeDecorator):
    """The JSON text of an event's cells, stored packed (``pack``)."""

    impl = LargeBinary
    cache_ok = True

    def load_dialect_impl(self, dialect):
        return dialect.type_descriptor(mysql.LONGBLOB() if dialect.name in ("mysql", "mariadb") else LargeBinary())

    def process_bind_param(self, value, dialect):
        return None if value is None else pack(value)

    def process_result_value(self, value, dialect):
        return None if value is None else unpack(value)
