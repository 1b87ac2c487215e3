"""The Kemendagri code list each archived version and each poll cycle was checked against
(``kode_wilayah_versi``): a list a Walidata imports later never rewrites what was archived.

Revision ID: 0012_metadata
Revises: 0011_record
"""
import sqlalchemy as sa
from alembic import op

revision = "0012_metadata"
down_revision = "0011_record"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("archive") as batch:
        batch.add_column(sa.Column("kode_wilayah_versi", sa.String(200), nullable=False, server_default=""))
    with op.batch_alter_table("cycles") as batch:
        batch.add_column(sa.Column("kode_wilayah_versi", sa.String(200), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("cycles") as batch:
        batch.drop_column("kode_wilayah_versi")
    with op.batch_alter_table("archive") as batch:
        batch.drop_column("kode_wilayah_versi")
