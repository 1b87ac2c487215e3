"""Every audit event names who made the change and how that is known (DECISIONS.md #11), and a cell's
value change is an event of its own with column, from and to (DECISIONS.md #12).

Revision ID: 0008_event_people
Revises: 0007_service_standard
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0008_event_people"
down_revision = "0007_service_standard"
branch_labels = None
depends_on = None

LongText = sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("kind", sa.String(16), nullable=False, server_default="status"))
        batch.add_column(sa.Column("oleh", LongText))
        batch.add_column(sa.Column("bagaimana", LongText))
        batch.add_column(sa.Column("column_key", sa.String(64)))
        batch.add_column(sa.Column("old_value", LongText))
        batch.add_column(sa.Column("new_value", LongText))
    op.create_index("ix_events_row", "events", ["opd", "row_id"])


def downgrade() -> None:
    op.drop_index("ix_events_row", "events")
    with op.batch_alter_table("events") as batch:
        for name in ("new_value", "old_value", "column_key", "bagaimana", "oleh", "kind"):
            batch.drop_column(name)
