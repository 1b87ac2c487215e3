"""Database failures told in Bahasa Indonesia (disk full, read-only, locked), not as tracebacks."""
from __future__ import annotations

LOST = "koneksi ke server basis data terputus"
KNOWN = (  # (text in the driver's message, lower case; Indonesian)
    ("database or disk is full", "disk penuh: kosongkan ruang di disk arsip"),
    ("no space left on device", "disk penuh: kosongkan ruang di disk arsip"),
    ("could not extend file", "disk penuh: kosongkan ruang di disk arsip"),
    ("disk quota exceeded", "kuota disk habis"),
    ("attempt to write a readonly database", "berkas arsip hanya-baca: periksa izin berkas dan foldernya"),
    ("readonly database", "berkas arsip hanya-baca: periksa izin berkas dan foldernya"),
    ("database is locked", "arsip sedang dikunci program lain; dicoba lagi pada siklus berikutnya"),
    ("disk i/o error", "galat baca/tulis disk pada berkas arsip"),
    ("unable to open database file", "berkas arsip tidak dapat dibuka (folder tidak ada atau tanpa izin)"),
    ("database disk image is malformed", "berkas arsip rusak: pulihkan dari cadangan"),
    ("file is not a database", "berkas arsip bukan basis data SQLite"),
    ("connection refused", "server basis data tidak menjawab"),
    ("server closed the connection", LOST),
    ("lost connection", LOST),
    ("terminating connection", LOST),
    ("consuming input failed", LOST),
    ("the connection is closed", LOST),
    ("connection already closed", LOST),
    ("server has gone away", LOST),
    ("connection was killed", LOST),
    ("password authentication failed", "nama pengguna atau kata sandi basis data ditolak"),
    ("access denied", "nama pengguna atau kata sandi basis data ditolak"),
    ("does not exist", "basis data itu tidak ada di server: buat dulu (PostgreSQL: createdb NAMA; MariaDB: "
                       "CREATE DATABASE NAMA), lalu jalankan satudata db upgrade"),
    ("unknown database", "basis data itu tidak ada di server: buat dulu (MariaDB: CREATE DATABASE NAMA), "
                         "lalu jalankan satudata db upgrade"),
    ("could not translate host name", "nama server basis data tidak dikenal: periksa host di [archive] url"),
    ("name or service not known", "nama server basis data tidak dikenal: periksa host di [archive] url"),
)
UNKNOWN = "galat basis data yang tidak dikenal (jalankan dengan -v untuk rinciannya)"


def lost(exc: BaseException) -> bool:
    """The connection dropped (server restarted, killed, network): the next attempt may well work."""
    return describe(exc) == LOST


def describe(exc: BaseException) -> str | None:
    """An Indonesian reason for a known database failure, or None for anything else."""
    text = str(getattr(exc, "orig", None) or exc).lower()
    return next((why for needle, why in KNOWN if needle in text), None)
