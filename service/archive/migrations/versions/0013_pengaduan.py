"""The public's complaints and data requests (SPM 11, Penanganan Pengaduan) and their handling.

Revision ID: 0013_pengaduan
Revises: 0010_year_clock
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0013_pengaduan"
down_revision = "0010_year_clock"
branch_labels = None
depends_on = None

LongText = sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")


def upgrade() -> None:
    op.create_table(
        "pengaduan",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("nomor", sa.String(32), nullable=False, unique=True),
        sa.Column("jenis", sa.String(16), nullable=False),
        sa.Column("opd", sa.String(64)),
        sa.Column("item", sa.String(200), nullable=False),
        sa.Column("judul_item", LongText, nullable=False),
        sa.Column("baris", LongText, nullable=False),
        sa.Column("isi", LongText, nullable=False),
        sa.Column("alasan", LongText, nullable=False),
        sa.Column("kontak", LongText, nullable=False),
        sa.Column("tampilkan", sa.Boolean, nullable=False),
        sa.Column("dibuat_pada", sa.DateTime, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("jawaban", LongText, nullable=False),
        sa.Column("dijawab_pada", sa.DateTime),
        sa.Column("dijawab_oleh", LongText, nullable=False),
        sa.Column("dikoreksi", sa.Boolean),
        sa.Column("versi_baru", LongText, nullable=False),
        sa.Column("item_key", LongText, nullable=False),
        sa.Column("utas", sa.String(16), nullable=False),
    )
    op.create_index("ix_pengaduan_status", "pengaduan", ["status", "opd"])
    op.create_index("ix_pengaduan_item", "pengaduan", ["item"])


def downgrade() -> None:
    op.drop_table("pengaduan")
