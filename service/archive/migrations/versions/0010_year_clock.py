"""Each workspace year has its own clock, and a value may be declared missing.

``phases.tahun``: the workspace year a phase change belongs to; NULL is the open year, and
``satudata rollover`` stamps the closing year on its rows. ``year_clocks``: a closed year's
hand-out moment and when it was closed, so last year's service clock stays readable after the
open year's starts again. ``archive.status_nilai``: '' for a number, 'nihil' or
'tidak_tersedia' for a Nilai declared with a BPS symbol (the value itself stays empty).
Existing rows are the open year's and plain numbers: nothing is rewritten.

Revision ID: 0010_year_clock
Revises: 0011_record
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_year_clock"
down_revision = "0011_record"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("phases") as batch:
        batch.add_column(sa.Column("tahun", sa.Integer))
    op.create_table(
        "year_clocks",
        sa.Column("opd", sa.String(64), primary_key=True),
        sa.Column("tahun", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("handed_out_at", sa.DateTime),
        sa.Column("closed_at", sa.DateTime, nullable=False),
    )
    with op.batch_alter_table("archive") as batch:
        batch.add_column(sa.Column("status_nilai", sa.String(16), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("archive") as batch:
        batch.drop_column("status_nilai")
    op.drop_table("year_clocks")
    with op.batch_alter_table("phases") as batch:
        batch.drop_column("tahun")
