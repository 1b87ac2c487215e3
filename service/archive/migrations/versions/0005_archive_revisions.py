"""An archived value may return to an earlier content (100 -> 200 -> 100): the archive is
idempotent against its latest version, not against every version ever stored.

Revision ID: 0005
Revises: 0004
"""
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("archive") as batch:
        batch.drop_constraint("uq_archive_content", type_="unique")
    op.create_index("ix_archive_content", "archive", ["opd", "row_id", "content_hash"])


def downgrade() -> None:
    op.drop_index("ix_archive_content", "archive")
    with op.batch_alter_table("archive") as batch:
        batch.create_unique_constraint("uq_archive_content", ["opd", "row_id", "content_hash"])
