"""The first archive schema: tabs, row memory, audit events, archive versions, poll cycles.

Revision ID: 0001
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

LongText = sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")


def upgrade() -> None:
    op.create_table(
        "tabs",
        sa.Column("opd", sa.String(64), primary_key=True),
        sa.Column("next_seq", sa.Integer, nullable=False),
        sa.Column("token", LongText),
        sa.Column("write_pending", sa.Boolean, nullable=False),
        sa.Column("confirm_removal", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("message", LongText, nullable=False),
        sa.Column("header_note", LongText),
        sa.Column("checked_at", sa.DateTime),
    )
    op.create_table(
        "rows",
        sa.Column("opd", sa.String(64), primary_key=True),
        sa.Column("row_id", sa.String(80), primary_key=True),
        sa.Column("state", sa.String(8), nullable=False),
        sa.Column("data", LongText, nullable=False),
        sa.Column("boxes", LongText, nullable=False),
        sa.Column("catatan", LongText, nullable=False),
        sa.Column("box_notes", LongText, nullable=False),
        sa.Column("notes", LongText, nullable=False),
        sa.Column("findings", LongText, nullable=False),
        sa.Column("updated_at", sa.DateTime),
        sa.Column("archived_hash", sa.String(64)),
        sa.Column("archived_version", sa.Integer, nullable=False),
        sa.Column("removed", sa.Boolean, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("cycle_id", sa.Integer),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("opd", sa.String(64), nullable=False),
        sa.Column("row_id", sa.String(80), nullable=False),
        sa.Column("from_state", sa.String(16)),
        sa.Column("to_state", sa.String(16), nullable=False),
        sa.Column("reason", LongText, nullable=False),
        sa.Column("cell_values", LongText, nullable=False),
    )
    op.create_index("ix_events_at", "events", ["at"])
    op.create_index("ix_events_opd", "events", ["opd"])
    op.create_table(
        "archive",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("opd", sa.String(64), nullable=False),
        sa.Column("row_id", sa.String(80), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("kode_data", LongText, nullable=False),
        sa.Column("uraian_data", LongText, nullable=False),
        sa.Column("rincian", LongText, nullable=False),
        sa.Column("satuan", LongText, nullable=False),
        sa.Column("tahun", sa.Integer),
        sa.Column("nilai", sa.Float),
        sa.Column("nilai_teks", LongText, nullable=False),
        sa.Column("keterangan", LongText, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("verified_at", sa.DateTime, nullable=False),
        sa.Column("archived_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("opd", "row_id", "content_hash", name="uq_archive_content"),
        sa.UniqueConstraint("opd", "row_id", "version", name="uq_archive_version"),
    )
    op.create_table(
        "cycles",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("finished_at", sa.DateTime),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("requests_read", sa.Integer, nullable=False),
        sa.Column("requests_write", sa.Integer, nullable=False),
        sa.Column("requests_other", sa.Integer, nullable=False),
        sa.Column("tabs_read", sa.Integer, nullable=False),
        sa.Column("rows_seen", sa.Integer, nullable=False),
        sa.Column("events", sa.Integer, nullable=False),
        sa.Column("archived", sa.Integer, nullable=False),
        sa.Column("errors", LongText, nullable=False),
    )
    op.create_index("ix_cycles_started_at", "cycles", ["started_at"])


def downgrade() -> None:
    for table in ("cycles", "archive", "events", "rows", "tabs"):
        op.drop_table(table)
