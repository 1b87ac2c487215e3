"""Compact audit events: an event keeps only the cells that changed since its row's previous
snapshot (from -> to), the row's first snapshot the whole row; the audit chains are re-chained
over the new text (service/archive/compact.py, DECISIONS.md #65). The downgrade writes every
snapshot whole again. Both go OPD by OPD, page by page.

Revision ID: 0014_compact_events
Revises: 0012_metadata
"""
from alembic import op

revision = "0014_compact_events"
down_revision = "0012_metadata"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from service.archive.compact import rewrite
    rewrite(op.get_bind(), compact=True)


def downgrade() -> None:
    from service.archive.compact import rewrite
    rewrite(op.get_bind(), compact=False)
