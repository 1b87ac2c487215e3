"""A record an evaluator can trust: hash chains over archive versions and audit events (with
each chain's head), verification runs, issued documents with their receipt, and attendance.
Existing records are chained, oldest first, into the year they were recorded in.

Revision ID: 0011_record
Revises: 0009_dashboard_indexes
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0011_record"
down_revision = "0009_dashboard_indexes"
branch_labels = None
depends_on = None

LongText = sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")


def upgrade() -> None:
    for table in ("archive", "events"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("chain_year", sa.Integer))
            batch.add_column(sa.Column("chain_seq", sa.Integer))
            batch.add_column(sa.Column("chain_hash", sa.String(64)))
            batch.add_column(sa.Column("chain_fields", sa.String(255)))
    op.create_table(
        "chains",
        sa.Column("opd", sa.String(64), primary_key=True),
        sa.Column("tahun", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("jenis", sa.String(8), primary_key=True),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("head", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "verifications",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("utuh", sa.Boolean, nullable=False),
        sa.Column("rekaman", sa.Integer, nullable=False),
        sa.Column("pesan", LongText, nullable=False),
        sa.Column("hasil", LongText, nullable=False),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("nomor", sa.String(128), nullable=False, unique=True),
        sa.Column("jenis", sa.String(32), nullable=False),
        sa.Column("opd", sa.String(64), nullable=False),
        sa.Column("tahun", sa.Integer, nullable=False),
        sa.Column("urut", sa.Integer, nullable=False),
        sa.Column("tanggal", sa.DateTime, nullable=False),
        sa.Column("chain_head", sa.String(64), nullable=False),
        sa.Column("isi", LongText, nullable=False),
        sa.Column("diterima_oleh", LongText),
        sa.Column("diterima_tanggal", sa.String(10)),
        sa.Column("diterima_dicatat", sa.DateTime),
    )
    op.create_index("ix_documents_opd", "documents", ["opd", "tahun", "jenis"])
    op.create_table(
        "attendance",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("opd", sa.String(64), nullable=False),
        sa.Column("tahun", sa.Integer, nullable=False),
        sa.Column("langkah", sa.Integer, nullable=False),
        sa.Column("peran", sa.String(32), nullable=False),
        sa.Column("nama", LongText, nullable=False),
        sa.Column("nip", sa.String(32), nullable=False),
        sa.Column("jabatan", LongText, nullable=False),
        sa.Column("dicatat", sa.DateTime, nullable=False),
    )
    op.create_index("ix_attendance_opd", "attendance", ["opd", "tahun", "langkah"])

    from service.archive.chain import chain_existing
    chain_existing(op.get_bind())
    op.create_index("ix_archive_chain", "archive", ["opd", "chain_year", "chain_seq"], unique=True)
    op.create_index("ix_events_chain", "events", ["opd", "chain_year", "chain_seq"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_events_chain", "events")
    op.drop_index("ix_archive_chain", "archive")
    for name in ("attendance", "documents", "verifications", "chains"):
        op.drop_table(name)
    for table in ("archive", "events"):
        with op.batch_alter_table(table) as batch:
            for name in ("chain_fields", "chain_hash", "chain_seq", "chain_year"):
                batch.drop_column(name)
