"""Open findings counted per row, and an index for the per-OPD progress query.

Revision ID: 0004
Revises: 0003
"""
import json

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("rows") as batch:
        batch.add_column(sa.Column("galat", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("peringatan", sa.Integer, nullable=False, server_default="0"))
    rows = sa.table("rows", sa.column("opd"), sa.column("row_id"), sa.column("findings"),
                    sa.column("galat"), sa.column("peringatan"))
    conn = op.get_bind()
    for opd, row_id, findings in conn.execute(sa.select(rows.c.opd, rows.c.row_id, rows.c.findings)).all():
        levels = [f.get("level") for f in json.loads(findings or "[]")]
        conn.execute(rows.update().where(rows.c.opd == opd, rows.c.row_id == row_id)
                     .values(galat=levels.count("galat"), peringatan=levels.count("peringatan")))
    op.create_index("ix_rows_progress", "rows", ["opd", "removed", "state"])


def downgrade() -> None:
    op.drop_index("ix_rows_progress", "rows")
    with op.batch_alter_table("rows") as batch:
        batch.drop_column("peringatan")
        batch.drop_column("galat")
