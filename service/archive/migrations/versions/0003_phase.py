"""When each OPD entered its current SOP phase (the deadline counts from there).

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tabs") as batch:
        batch.add_column(sa.Column("phase_order", sa.Integer))
        batch.add_column(sa.Column("phase_started_at", sa.DateTime))


def downgrade() -> None:
    with op.batch_alter_table("tabs") as batch:
        batch.drop_column("phase_started_at")
        batch.drop_column("phase_order")
