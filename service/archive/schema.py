"""The archive database's tables (SQLAlchemy Core), portable to SQLite, PostgreSQL and MariaDB."""
from __future__ import annotations

from sqlalchemy import (Boolean, Column, DateTime, Float, Index, Integer, LargeBinary, MetaData, String, Table, Text,
                        TypeDecorator, UniqueConstraint)

from sqlalchemy.dialects import mysql

from service.archive.cells import Cells

# MariaDB's TEXT holds 64 KiB; a cell may hold 50,000 characters of UTF-8.
LongText = Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")

metadata = MetaData()


class Digest(TypeDecorator):
    """A digest the code holds as hex text, stored as its bytes: half the size (migration 0015)."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else bytes.fromhex(value)

    def process_result_value(self, value, dialect):
        if value is None or isinstance(value, str):  # text: an archive not yet migrated (before 0015)
            return value
        return bytes(value).hex()


def _chain_columns(binary: bool = False) -> list[Column]:
    """Each append-only record's place in its hash chain (service/archive/chain.py); the audit
    events keep their digests as bytes (DECISIONS.md #151)."""
    return [Column("chain_year", Integer), Column("chain_seq", Integer),
            Column("chain_hash", Digest() if binary else String(64)),
            Column("chain_fields", Digest() if binary else String(255))]

tabs = Table(
    "tabs", metadata,
    Column("opd", String(64), primary_key=True),
    Column("next_seq", Integer, nullable=False, default=1),
    Column("token", LongText),
    Column("write_pending", Boolean, nullable=False, default=False),
    Column("confirm_removal", Boolean, nullable=False, default=False),
    Column("status", String(32), nullable=False, default="ok"),
    Column("message", LongText, nullable=False, default=""),
    Column("header_note", LongText),
    Column("checked_at", DateTime),
    Column("phase_order", Integer),  # order of the least advanced state with rows (sop.yaml)
    Column("phase_started_at", DateTime),  # when the OPD entered that phase
    Column("handed_out_at", DateTime),  # the OPD's list handed out (distribute), else its first row seen
)

# Every change of an OPD's phase (its least advanced order; None: no rows): the service
# standard's per-step begin and end (rules/deadlines.py) are read from it.
phases = Table(
    "phases", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("opd", String(64), nullable=False),
    Column("at", DateTime, nullable=False),
    Column("phase_order", Integer),
    Column("tahun", Integer),  # the workspace year; None: the open year (rollover stamps the closed one)
    Index("ix_phases_opd", "opd", "id"),
)

# A closed workspace year's service clock (migration 0010): the open year's lives in tabs.
year_clocks = Table(
    "year_clocks", metadata,
    Column("opd", String(64), primary_key=True),
    Column("tahun", Integer, primary_key=True, autoincrement=False),
    Column("handed_out_at", DateTime),
    Column("closed_at", DateTime, nullable=False),
)

rows = Table(
    "rows", metadata,
    Column("opd", String(64), primary_key=True),
    Column("row_id", String(80), primary_key=True),
    Column("state", String(8), nullable=False),
    Column("data", LongText, nullable=False),
    Column("boxes", LongText, nullable=False),
    Column("catatan", LongText, nullable=False, default=""),
    Column("box_notes", LongText, nullable=False),
    Column("notes", LongText, nullable=False),
    Column("findings", LongText, nullable=False),
    Column("updated_at", DateTime),
    Column("archived_hash", String(64)),
    Column("archived_version", Integer, nullable=False, default=0),
    Column("removed", Boolean, nullable=False, default=False),
    Column("position", Integer, nullable=False, default=0),
    Column("fingerprint", String(64), nullable=False, default=""),
    Column("galat", Integer, nullable=False, default=0),  # open findings shown, by level
    Column("peringatan", Integer, nullable=False, default=0),
    # the dashboard's scans, answered from the index alone (migration 0009)
    Index("ix_rows_progress", "removed", "opd", "state", "updated_at", "galat", "peringatan"),
    Index("ix_rows_findings", "removed", "opd", "position", "row_id", "galat", "peringatan"),
)

events = Table(
    "events", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("cycle_id", Integer),
    Column("at", DateTime, nullable=False, index=True),
    Column("opd", String(64), nullable=False, index=True),
    Column("row_id", String(80), nullable=False),
    Column("from_state", String(16)),
    Column("to_state", String(16), nullable=False),
    Column("cell_values", Cells(), nullable=False),  # the JSON text, stored deflated (DECISIONS.md #151)
    # DECISIONS.md #11, #12: who made the change and how that is known; value changes of one cell
    Column("kind", String(16), nullable=False, default="status"),  # "status", "nilai" or "komentar"
    # the reason, oleh, bagaimana and column_key, stored once in event_texts (DECISIONS.md #151)
    Column("teks", Integer, nullable=False),
    Column("old_value", LongText),
    Column("new_value", LongText),
    *_chain_columns(binary=True),
    Index("ix_events_row", "opd", "row_id"),
    Index("ix_events_chain", "opd", "chain_year", "chain_seq", unique=True),
)

# An audit event's texts, each distinct set once (service/archive/texts.py, DECISIONS.md #151).
event_texts = Table(
    "event_texts", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sidik", String(64), nullable=False, unique=True),
    Column("reason", LongText),  # with ubah: the part before the values the event moved
    Column("ubah", Boolean, nullable=False),
    Column("oleh", LongText),
    Column("bagaimana", LongText),
    Column("column_key", String(64)),
)

archive = Table(
    "archive", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("opd", String(64), nullable=False),
    Column("row_id", String(80), nullable=False),
    Column("version", Integer, nullable=False),
    Column("kode_data", LongText, nullable=False),
    Column("uraian_data", LongText, nullable=False),
    Column("rincian", LongText, nullable=False),
    Column("satuan", LongText, nullable=False),
    Column("tahun", Integer),
    Column("nilai", Float),
    Column("nilai_teks", LongText, nullable=False),
    Column("keterangan", LongText, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("verified_at", DateTime, nullable=False),
    Column("archived_at", DateTime, nullable=False),
    # identity is the datum (rules/datum.py): versions count per (opd, datum); row_id is history
    Column("datum", String(64), nullable=False),
    Column("item_key", LongText, nullable=False),
    Column("rincian_key", LongText, nullable=False),
    Column("kode_wilayah", String(32), nullable=False, default=""),
    Column("kode_wilayah_versi", String(200), nullable=False, default=""),  # the code list it was checked against
    Column("konsep", LongText, nullable=False, default=""),
    Column("definisi", LongText, nullable=False, default=""),
    Column("klasifikasi", LongText, nullable=False, default=""),
    Column("ukuran", LongText, nullable=False, default=""),
    Column("frekuensi", LongText, nullable=False, default=""),
    *_chain_columns(),
    # '' a number; 'nihil' / 'tidak_tersedia' a Nilai declared missing with a BPS symbol (migration 0010)
    Column("status_nilai", String(16), nullable=False, default="", server_default=""),
    UniqueConstraint("opd", "datum", "version", name="uq_archive_datum_version"),
    Index("ix_archive_row", "opd", "row_id", "version"),
    Index("ix_archive_chain", "opd", "chain_year", "chain_seq", unique=True),
)

# Metadata blocks (MS-Keg, MS-Ind, MS-Var; rules/metadata.py), versioned like data: a new version
# only when the block's content changed, archived with the items whose data it describes.
metadata_versions = Table(
    "metadata_versions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("opd", String(64), nullable=False),
    Column("block", String(64), nullable=False),  # rules.metadata.block_key
    Column("version", Integer, nullable=False),
    Column("jenis", String(8), nullable=False),
    Column("kunci", LongText, nullable=False),
    Column("isi", LongText, nullable=False),  # JSON: element key -> text
    Column("content_hash", String(64), nullable=False),
    Column("archived_at", DateTime, nullable=False),
    UniqueConstraint("opd", "block", "version", name="uq_metadata_block_version"),
)

cycles = Table(
    "cycles", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", DateTime, nullable=False, index=True),
    Column("finished_at", DateTime),
    Column("status", String(16), nullable=False, default="berjalan"),
    Column("requests_read", Integer, nullable=False, default=0),
    Column("requests_write", Integer, nullable=False, default=0),
    Column("requests_other", Integer, nullable=False, default=0),
    Column("tabs_read", Integer, nullable=False, default=0),
    Column("rows_seen", Integer, nullable=False, default=0),
    Column("events", Integer, nullable=False, default=0),
    Column("archived", Integer, nullable=False, default=0),
    Column("errors", LongText, nullable=False, default="[]"),
    Column("kode_wilayah_versi", String(200), nullable=False, default=""),  # the code list the checks used
)

leases = Table(
    "leases", metadata,
    Column("name", String(32), primary_key=True),
    Column("holder", String(200), nullable=False),
    Column("acquired_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
)

# Each hash chain's length and head, per OPD, workspace year and kind ("arsip", "audit").
chains = Table(
    "chains", metadata,
    Column("opd", String(64), primary_key=True),
    Column("tahun", Integer, primary_key=True, autoincrement=False),
    Column("jenis", String(8), primary_key=True),
    Column("seq", Integer, nullable=False),
    Column("head", String(64), nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

# Each run of `satudata verify-archive` (and the poller's own), for the health page.
verifications = Table(
    "verifications", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),
    Column("utuh", Boolean, nullable=False),
    Column("rekaman", Integer, nullable=False),
    Column("pesan", LongText, nullable=False),
    Column("hasil", LongText, nullable=False),
)

# Every Berita Acara and rekap issued: its number, date and the chain heads it was made from, so
# the same document is reprinted identically; and when Kominfo received its hard copy.
documents = Table(
    "documents", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("nomor", String(128), nullable=False, unique=True),
    Column("jenis", String(32), nullable=False),
    Column("opd", String(64), nullable=False),
    Column("tahun", Integer, nullable=False),
    Column("urut", Integer, nullable=False),
    Column("tanggal", DateTime, nullable=False),
    Column("chain_head", String(64), nullable=False, default=""),
    Column("isi", LongText, nullable=False),
    Column("diterima_oleh", LongText),
    Column("diterima_tanggal", String(10)),
    Column("diterima_dicatat", DateTime),
    Index("ix_documents_opd", "opd", "tahun", "jenis"),
)

# Who took part in a step (the joint check, step 3): `satudata hadir`.
attendance = Table(
    "attendance", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("opd", String(64), nullable=False),
    Column("tahun", Integer, nullable=False),
    Column("langkah", Integer, nullable=False),
    Column("peran", String(32), nullable=False),
    Column("nama", LongText, nullable=False),
    Column("nip", String(32), nullable=False, default=""),
    Column("jabatan", LongText, nullable=False, default=""),
    Column("dicatat", DateTime, nullable=False),
    Index("ix_attendance_opd", "opd", "tahun", "langkah"),
)

# The public's reports of a wrong value (jenis "koreksi") and requests for data not yet published
# ("usulan"), and how each was handled (migration 0013). Nothing here is ever deleted.
pengaduan = Table(
    "pengaduan", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("nomor", String(32), nullable=False, unique=True),  # the ticket number the reporter is given
    Column("jenis", String(16), nullable=False),
    Column("opd", String(64)),  # assigned OPD: the item's, or the one an usulan names (None: not known yet)
    Column("item", String(200), nullable=False, default=""),  # the published item's slug
    Column("judul_item", LongText, nullable=False, default=""),
    Column("baris", LongText, nullable=False, default=""),  # which row or rincian, as the reporter wrote it
    Column("isi", LongText, nullable=False),  # what is wrong / what data is wanted
    Column("alasan", LongText, nullable=False, default=""),
    Column("kontak", LongText, nullable=False, default=""),
    Column("tampilkan", Boolean, nullable=False, default=False),  # the reporter agreed to a public answer
    Column("dibuat_pada", DateTime, nullable=False),
    Column("status", String(16), nullable=False, default="terbuka"),
    Column("jawaban", LongText, nullable=False, default=""),
    Column("dijawab_pada", DateTime),
    Column("dijawab_oleh", LongText, nullable=False, default=""),
    Column("dikoreksi", Boolean),  # koreksi only: whether the data was corrected
    Column("versi_baru", LongText, nullable=False, default=""),  # the corrected version, as recorded
    Column("item_key", LongText, nullable=False, default=""),  # rules.keys.item_key of the item: its rows in the tab
    Column("utas", String(16), nullable=False, default=""),  # the Google thread last planned: "", dibuka, ditutup
    Index("ix_pengaduan_status", "status", "opd"),
    Index("ix_pengaduan_item", "item"),
)
