"""Statistical metadata and the code list in force.

``metadata_versions`` keeps the Metadata tab's blocks (MS-Keg, MS-Ind, MS-Var) archived with the
items they describe, a new version only when a block's content changed. ``kode_wilayah_versi``
names the Kemendagri code list each archived version and each poll cycle was checked against:
a list a Walidata imports later never rewrites what was archived.

Revision ID: 0012_metadata
Revises: 0013_pengaduan
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0012_metadata"
down_revision = "0013_pengaduan"
branch_labels = None
depends_on = None

LongText = sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")


def upgrade() -> None:
    with op.batch_alter_table("archive") as batch:
        batch.add_column(sa.Column("kode_wilayah_versi", sa.String(200), nullable=False, server_default=""))
    with op.batch_alter_table("cycles") as batch:
        batch.add_column(sa.Column("kode_wilayah_versi", sa.String(200), nullable=False, server_default=""))
    op.create_table(
        "metadata_versions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("opd", sa.String(64), nullable=False),
        sa.Column("block", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("jenis", sa.String(8), nullable=False),
        sa.Column("kunci", LongText, nullable=False),
        sa.Column("isi", LongText, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("archived_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("opd", "block", "version", name="uq_metadata_block_version"),
    )


def downgrade() -> None:
    op.drop_table("metadata_versions")
    with op.batch_alter_table("cycles") as batch:
        batch.drop_column("kode_wilayah_versi")
    with op.batch_alter_table("archive") as batch:
        batch.drop_column("kode_wilayah_versi")
